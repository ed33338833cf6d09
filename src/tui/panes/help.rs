//! The help overlay: every binding of the keymap, grouped by context, with its description.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

use crate::tui::keymap::{join_keys, Context, Keymap};
use crate::tui::theme::{Role, Theme};

/// The help overlay's scroll position.
#[derive(Debug, Clone, Default)]
pub struct HelpState {
    /// First line shown.
    pub scroll: usize,
}

/// The help text, generated from the keymap.
pub fn lines(keymap: &Keymap, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for context in Context::ALL {
        let bindings: Vec<_> = keymap.in_context(context).collect();
        if bindings.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(Line::raw(""));
        }
        out.push(Line::styled(context.title(), theme.style(Role::Accent)));
        for binding in bindings {
            out.push(Line::from(vec![
                Span::styled(
                    format!("  {:<18}", join_keys(&binding.keys)),
                    theme.style(Role::SideA),
                ),
                Span::styled(binding.desc.clone(), theme.style(Role::Text)),
            ]));
        }
    }
    out
}

/// Draws the help overlay.
pub fn render(frame: &mut Frame, area: Rect, state: &HelpState, keymap: &Keymap, theme: &Theme) {
    let rect = crate::tui::layout::centered(area, 64, area.height.saturating_sub(2));
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::BorderFocused))
        .title(Span::styled(
            " Help — keys (esc closes, j/k scroll) ",
            theme.style(Role::Accent),
        ));
    let all = lines(keymap, theme);
    let scroll = state.scroll.min(all.len().saturating_sub(1));
    frame.render_widget(
        Paragraph::new(all.into_iter().skip(scroll).collect::<Vec<_>>()).block(block),
        rect,
    );
}
