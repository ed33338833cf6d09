//! The paste dialog: paste (bracketed paste) or type an AWS error text, enter explains it.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::theme::{Role, Theme};

/// Longest text kept: error texts are a few lines; a runaway paste must not grow forever.
pub const MAX_PASTE: usize = 64 * 1024;

/// The dialog's text.
#[derive(Debug, Clone, Default)]
pub struct PasteState {
    /// What was pasted or typed.
    pub text: String,
}

impl PasteState {
    /// Appends pasted or typed text, up to [`MAX_PASTE`] bytes.
    pub fn push_str(&mut self, text: &str) {
        let room = MAX_PASTE.saturating_sub(self.text.len());
        let mut cut = room.min(text.len());
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        // Terminals send CRLF or CR in pastes; keep one kind of line break.
        self.text
            .push_str(&text[..cut].replace("\r\n", "\n").replace('\r', "\n"));
    }
}

/// Draws the dialog.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    state: &PasteState,
    theme: &Theme,
    masker: &crate::tui::presenter::Masker,
) {
    let rect = crate::tui::layout::centered(area, area.width.saturating_sub(8).min(100), 12);
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::BorderFocused))
        .title(Span::styled(
            " Paste an AWS error (enter explains, esc cancels) ",
            theme.style(Role::Accent),
        ));
    let body = if state.text.is_empty() {
        vec![
            Line::styled(
                "e.g. denied: User: arn:aws:sts::…:assumed-role/… is not authorized to perform: ecr:BatchGetImage …",
                theme.style(Role::Muted),
            ),
        ]
    } else {
        let mut lines: Vec<Line> = state
            .text
            .lines()
            .map(|l| Line::styled(masker.mask_string(l), theme.style(Role::Text)))
            .collect();
        if let Some(last) = lines.last_mut() {
            last.push_span(Span::styled("▏", theme.style(Role::Accent)));
        }
        lines
    };
    frame.render_widget(
        Paragraph::new(body).wrap(Wrap { trim: false }).block(block),
        rect,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pastes_are_capped_on_char_boundaries() {
        let mut state = PasteState::default();
        state.push_str("a\r\nb\rc");
        assert_eq!(state.text, "a\nb\nc");
        let mut big = PasteState::default();
        big.push_str(&"é".repeat(MAX_PASTE));
        assert!(big.text.len() <= MAX_PASTE);
    }
}
