//! The command palette: fuzzy search over the actions valid where it was opened, with keys.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

use crate::tui::action::Action;
use crate::tui::keymap::{join_keys, Context, Keymap};
use crate::tui::theme::{Role, Theme};
use crate::tui::widgets::list::FilterList;

/// One palette entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The action run on enter.
    pub action: Action,
    /// Its description.
    pub desc: String,
    /// Its keys, for display.
    pub keys: String,
}

/// The palette's state.
#[derive(Debug)]
pub struct PaletteState {
    /// The entries, filtered.
    pub list: FilterList<Entry>,
}

impl PaletteState {
    /// A palette over the bindable actions that `offered` accepts (those that do something
    /// where the palette was opened); keys and descriptions come from `context` first.
    pub fn new(keymap: &Keymap, context: Context, offered: impl Fn(&Action) -> bool) -> Self {
        let order: Vec<Context> = std::iter::once(context)
            .chain(context.parent())
            .chain(Context::ALL)
            .collect();
        let entries = Action::BINDABLE
            .iter()
            .filter(|action| offered(action))
            .map(|action| {
                let here = order.iter().find_map(|ctx| {
                    keymap
                        .in_context(*ctx)
                        .find(|b| &b.action == action)
                        .map(|b| (b.keys.clone(), b.desc.clone()))
                });
                let (keys, desc) = here.unwrap_or_else(|| (Vec::new(), keymap.desc_for(action)));
                Entry {
                    action: action.clone(),
                    desc,
                    keys: join_keys(&keys),
                }
            })
            .collect();
        Self {
            list: FilterList::new(entries, |e: &Entry| {
                format!("{} {}", e.desc, e.action.name())
            }),
        }
    }
}

/// Where the palette is drawn inside `area` (also used to hit-test the mouse).
pub fn popup(area: Rect) -> Rect {
    crate::tui::layout::centered(area, 70, area.height.saturating_sub(4).min(20))
}

/// Draws the palette.
pub fn render(frame: &mut Frame, area: Rect, state: &PaletteState, theme: &Theme) {
    let rect = popup(area);
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::BorderFocused))
        .title(Span::styled(" Command palette ", theme.style(Role::Accent)));
    let height = rect.height.saturating_sub(3) as usize;
    let mut lines = vec![Line::from(vec![
        Span::styled(": ", theme.style(Role::Accent)),
        Span::styled(state.list.query.clone(), theme.style(Role::Text)),
    ])];
    let start = state
        .list
        .selected_index()
        .saturating_sub(height.saturating_sub(1));
    for (i, entry) in state.list.visible().enumerate().skip(start).take(height) {
        let style = if i == state.list.selected_index() {
            theme.style(Role::Selection)
        } else {
            theme.style(Role::Text)
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{:<44}", entry.desc), style),
            Span::styled(format!(" {}", entry.keys), theme.style(Role::Muted)),
        ]));
    }
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
