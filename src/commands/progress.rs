//! A progress bar with counts for commands that read many accounts, on stderr: redrawn in
//! place on a terminal, a line per tenth otherwise (logs and CI stay short).

use std::io::{self, Write};

/// Counts of accounts read so far, out of a total.
#[derive(Debug, Clone)]
pub struct Progress {
    total: usize,
    done: usize,
    unknown: usize,
    terminal: bool,
    /// The last tenth printed (non-terminal output).
    printed_tenth: usize,
}

/// Width of the bar in characters.
const WIDTH: usize = 30;

impl Progress {
    /// A bar for `total` accounts; `terminal`: redraw in place.
    pub fn new(total: usize, terminal: bool) -> Self {
        Progress {
            total,
            done: 0,
            unknown: 0,
            terminal,
            printed_tenth: 0,
        }
    }

    /// One more account finished (`ok`: read; otherwise unknown).
    pub fn tick(&mut self, err: &mut dyn Write, ok: bool) -> io::Result<()> {
        self.done += 1;
        if !ok {
            self.unknown += 1;
        }
        if self.terminal {
            write!(err, "\r{}", self.line())?;
            if self.done == self.total {
                writeln!(err)?;
            }
            return err.flush();
        }
        let tenth = self.done * 10 / self.total.max(1);
        if tenth > self.printed_tenth || self.done == self.total {
            self.printed_tenth = tenth;
            writeln!(err, "{}", self.line())?;
        }
        Ok(())
    }

    /// `[#########.....] 12/50 accounts, 1 unknown`.
    pub fn line(&self) -> String {
        let filled = (self.done * WIDTH) / self.total.max(1);
        format!(
            "[{}{}] {}/{} accounts, {} unknown",
            "#".repeat(filled),
            ".".repeat(WIDTH - filled.min(WIDTH)),
            self.done,
            self.total,
            self.unknown
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_fills_the_bar() {
        let mut progress = Progress::new(4, false);
        let mut err = Vec::new();
        progress.tick(&mut err, true).unwrap();
        progress.tick(&mut err, false).unwrap();
        assert!(progress.line().contains("2/4 accounts, 1 unknown"));
        assert!(progress.line().starts_with(&format!("[{}", "#".repeat(15))));
        progress.tick(&mut err, true).unwrap();
        progress.tick(&mut err, true).unwrap();
        let text = String::from_utf8(err).unwrap();
        assert_eq!(text.lines().count(), 4, "{text}");
        assert!(text.ends_with("4/4 accounts, 1 unknown\n"));
    }

    #[test]
    fn a_terminal_redraws_in_place() {
        let mut progress = Progress::new(2, true);
        let mut err = Vec::new();
        progress.tick(&mut err, true).unwrap();
        progress.tick(&mut err, true).unwrap();
        let text = String::from_utf8(err).unwrap();
        assert_eq!(text.matches('\r').count(), 2);
        assert_eq!(text.matches('\n').count(), 1);
    }
}
