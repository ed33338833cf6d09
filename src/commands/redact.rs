//! `--redact` for headless output: every line is masked through the inventory's
//! [`Redactor`] (the same table as the console's presenter mode) before it is written, so
//! `explain` and `trail` print no account id, access key id, principal id or session token.

use std::io::{self, Write};

use crate::inventory::Redactor;

/// A writer that masks each complete line before passing it on (ids never span lines, and
/// streaming output such as `trail --follow` keeps flowing line by line).
pub struct RedactingWriter<'a> {
    inner: &'a mut dyn Write,
    redactor: Redactor,
    pending: Vec<u8>,
}

impl<'a> RedactingWriter<'a> {
    /// Masks what is written into `inner`.
    pub fn new(inner: &'a mut dyn Write) -> Self {
        Self {
            inner,
            redactor: Redactor::new(),
            pending: Vec::new(),
        }
    }

    fn write_masked(&mut self, bytes: &[u8]) -> io::Result<()> {
        let text = String::from_utf8_lossy(bytes);
        let masked = self.redactor.redact_str(&text);
        self.inner.write_all(masked.as_bytes())
    }
}

impl Write for RedactingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if let Some(end) = self.pending.iter().rposition(|b| *b == b'\n') {
            let lines: Vec<u8> = self.pending.drain(..=end).collect();
            self.write_masked(&lines)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let rest = std::mem::take(&mut self.pending);
        if !rest.is_empty() {
            self.write_masked(&rest)?;
        }
        self.inner.flush()
    }
}

impl Drop for RedactingWriter<'_> {
    fn drop(&mut self) {
        // A last line without a newline is still masked, never dropped or printed raw.
        let _ = self.flush();
    }
}

/// Runs `command` with its output masked when `redact` is set.
pub fn maybe_redacted<T>(
    redact: bool,
    out: &mut dyn Write,
    command: impl FnOnce(&mut dyn Write) -> T,
) -> T {
    if !redact {
        return command(out);
    }
    let mut masked = RedactingWriter::new(out);
    command(&mut masked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_masked_consistently_and_nothing_is_lost() {
        let mut out = Vec::new();
        {
            let mut w = RedactingWriter::new(&mut out);
            write!(w, "arn:aws:iam::111111111111:role/r ").expect("write");
            writeln!(w, "key ASIAS1EXAMPLE0000001").expect("write");
            write!(w, "again 111111111111 no newline").expect("write");
        }
        let text = String::from_utf8(out).expect("utf8");
        assert_eq!(
            text,
            "arn:aws:iam::000000000001:role/r key ASIA0000000000000001\nagain 000000000001 no newline"
        );
    }
}
