//! Searching inside a pane's text (`/` in a detail view, `n`/`N` between matches): a
//! case-insensitive substring over each rendered line.

use ratatui::text::Line;

/// A search in one pane.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    /// What is searched for.
    pub query: String,
    /// Whether the query is being typed.
    pub editing: bool,
    /// Which match is current (an index into the matches).
    pub current: usize,
}

impl Search {
    /// The lines that contain the query, in order.
    pub fn matches(&self, lines: &[Line<'_>]) -> Vec<usize> {
        if self.query.is_empty() {
            return Vec::new();
        }
        let query = self.query.to_lowercase();
        lines
            .iter()
            .enumerate()
            .filter(|(_, line)| {
                let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
                text.to_lowercase().contains(&query)
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// The line of the current match.
    pub fn current_line(&self, lines: &[Line<'_>]) -> Option<usize> {
        let matches = self.matches(lines);
        matches
            .get(self.current.min(matches.len().saturating_sub(1)))
            .copied()
    }

    /// Moves to the next (`delta` 1) or previous (-1) match, wrapping around.
    pub fn step(&mut self, lines: &[Line<'_>], delta: isize) {
        let count = self.matches(lines).len() as isize;
        if count > 0 {
            self.current = (self.current as isize + delta).rem_euclid(count) as usize;
        }
    }

    /// "/policy 2/5" for the pane title.
    pub fn describe(&self, lines: &[Line<'_>]) -> String {
        let count = self.matches(lines).len();
        let cursor = if self.editing { "▏" } else { "" };
        if count == 0 {
            format!("/{}{cursor} no match", self.query)
        } else {
            format!(
                "/{}{cursor} {}/{count}",
                self.query,
                self.current.min(count - 1) + 1
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_lines_case_insensitively_and_steps_around() {
        let lines = vec![
            Line::raw("\"Effect\": \"Allow\""),
            Line::raw("\"Action\": \"ecr:BatchGetImage\""),
            Line::raw("\"Effect\": \"Deny\""),
        ];
        let mut search = Search {
            query: "effect".into(),
            ..Search::default()
        };
        assert_eq!(search.matches(&lines), vec![0, 2]);
        assert_eq!(search.current_line(&lines), Some(0));
        search.step(&lines, 1);
        assert_eq!(search.current_line(&lines), Some(2));
        search.step(&lines, 1);
        assert_eq!(search.current_line(&lines), Some(0));
        search.step(&lines, -1);
        assert_eq!(search.describe(&lines), "/effect 2/2");
    }
}
