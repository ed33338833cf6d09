//! The detail view of one side: a resource's sections rendered to lines once (when the
//! item, its data, the highlight or presenter mode change), then only sliced when drawn.

use std::sync::Arc;

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use crate::inventory::Account;
use crate::tui::presenter::Masker;
use crate::tui::source::{ItemRef, LoadError};
use crate::tui::theme::{Role, Theme};
use crate::tui::widgets::{json, spinner, wrap};

use super::search::Search;
use super::section::{Anchor, Body, Section};

/// Which statement of which policy to highlight (from the Explain pane's evidence).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlight {
    /// The policy section.
    pub anchor: Anchor,
    /// The statement index, when the evidence names one.
    pub statement: Option<usize>,
}

/// One side's detail view.
#[derive(Debug, Clone, Default)]
pub struct DetailState {
    /// The resource shown.
    pub item: Option<ItemRef>,
    /// Evidence to highlight.
    pub highlight: Option<Highlight>,
    /// Waiting for a live loader to fill the details.
    pub loading: bool,
    /// Why the details could not be loaded.
    pub error: Option<LoadError>,
    /// The rendered lines.
    pub lines: Vec<Line<'static>>,
    /// Inclusive line range of the highlighted statement (or policy).
    pub highlighted: Option<(usize, usize)>,
    /// First line shown.
    pub scroll: usize,
    /// A search inside the lines (`/`, `n`/`N`).
    pub search: Option<Search>,
}

impl DetailState {
    /// Shows `item` (keeping the scroll when it is the same item), with an optional highlight.
    pub fn show(&mut self, item: Option<ItemRef>, highlight: Option<Highlight>) {
        if self.item != item {
            self.scroll = 0;
            self.error = None;
            self.loading = false;
            if let Some(search) = &mut self.search {
                search.current = 0;
            }
        }
        self.item = item;
        self.highlight = highlight;
    }

    /// Re-renders the lines from the account; scrolls to the highlight when there is one.
    pub fn rebuild(&mut self, account: Option<&Account>, theme: &Theme, masker: &Masker) {
        self.lines.clear();
        self.highlighted = None;
        let (Some(account), Some(item)) = (account, &self.item) else {
            return;
        };
        let Some(sections) = super::sections(account, item) else {
            self.lines.push(Line::styled(
                format!("{} is not in account {}", describe_item(item), account.id()),
                theme.style(Role::Muted),
            ));
            return;
        };
        for section in &sections {
            self.push_section(section, theme, masker);
        }
        if let Some((start, _)) = self.highlighted {
            self.scroll = start.saturating_sub(2);
        }
        self.clamp_scroll();
    }

    /// Adds one more section below the item's own (e.g. the other copy of a trail record).
    pub fn append(&mut self, section: &Section, theme: &Theme, masker: &Masker) {
        self.push_section(section, theme, masker);
    }

    /// Adds one section above the item's own (what must be read first, e.g. that a trail
    /// record stands for two copies of one call).
    pub fn prepend(&mut self, section: &Section, theme: &Theme, masker: &Masker) {
        let below = std::mem::take(&mut self.lines);
        self.push_section(section, theme, masker);
        let shift = self.lines.len() + 1;
        if !below.is_empty() {
            self.lines.push(Line::raw(""));
        }
        self.lines.extend(below);
        self.highlighted = self.highlighted.map(|(s, e)| (s + shift, e + shift));
    }

    fn push_section(&mut self, section: &Section, theme: &Theme, masker: &Masker) {
        if !self.lines.is_empty() {
            self.lines.push(Line::raw(""));
        }
        let selected = self
            .highlight
            .as_ref()
            .filter(|h| section.anchor.as_ref() == Some(&h.anchor));
        let marker = if selected.is_some() { "▶ " } else { "" };
        self.lines.push(Line::styled(
            format!("{marker}{}", masker.mask(&section.title)),
            theme.style(Role::Accent),
        ));
        match &section.body {
            Body::Fields(fields) => {
                let width = fields.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
                for (key, value) in fields {
                    self.lines.push(Line::from(vec![
                        Span::styled(format!("{key:<width$}  "), theme.style(Role::Muted)),
                        Span::styled(masker.mask_string(value), theme.style(Role::Text)),
                    ]));
                }
            }
            Body::Note(note) => self
                .lines
                .push(Line::styled(format!("({note})"), theme.style(Role::Muted))),
            Body::Error(error) => self.lines.push(Line::styled(
                masker.mask_string(error),
                theme.style(Role::Error),
            )),
            Body::Json(value) => {
                let rendered = json::render(value, theme, &|s| masker.mask_string(s));
                let base = self.lines.len();
                let range = selected.map(|h| match h.statement {
                    Some(i) => rendered.statements.get(i).copied(),
                    None => Some((0, rendered.lines.len().saturating_sub(1))),
                });
                let range = range.flatten().map(|(s, e)| (base + s, base + e));
                for (i, line) in rendered.lines.into_iter().enumerate() {
                    let inside = range.is_some_and(|(s, e)| (s..=e).contains(&(base + i)));
                    self.lines.push(if inside {
                        let mut spans = vec![Span::styled("▌", theme.style(Role::Evidence))];
                        spans.extend(line.spans);
                        Line::from(spans).style(theme.style(Role::Evidence))
                    } else {
                        let mut spans = vec![Span::raw(" ")];
                        spans.extend(line.spans);
                        Line::from(spans)
                    });
                }
                if range.is_some() {
                    self.highlighted = range;
                }
            }
        }
    }

    /// Whether a search query is being typed.
    pub fn searching(&self) -> bool {
        self.search.as_ref().is_some_and(|s| s.editing)
    }

    /// Starts typing a search (keeps the last query to edit).
    pub fn start_search(&mut self) {
        let search = self.search.get_or_insert_with(Search::default);
        search.editing = true;
    }

    /// Edits the query with `edit`, then shows the first match.
    pub fn edit_search(&mut self, edit: impl FnOnce(&mut String)) {
        if let Some(search) = &mut self.search {
            edit(&mut search.query);
            search.current = 0;
        }
        self.show_match();
    }

    /// Moves to the next or previous match.
    pub fn step_search(&mut self, delta: isize) {
        if let Some(search) = &mut self.search {
            search.step(&self.lines, delta);
        }
        self.show_match();
    }

    /// Scrolls so the current match is in view (two lines of context above it).
    fn show_match(&mut self) {
        if let Some(line) = self
            .search
            .as_ref()
            .and_then(|s| s.current_line(&self.lines))
        {
            self.scroll = line.saturating_sub(2);
            self.clamp_scroll();
        }
    }

    /// Scrolls by `delta` lines.
    pub fn scroll_by(&mut self, delta: isize) {
        self.scroll = (self.scroll as isize + delta).max(0) as usize;
        self.clamp_scroll();
    }

    /// Scrolls to the end.
    pub fn scroll_to_end(&mut self) {
        self.scroll = usize::MAX;
        self.clamp_scroll();
    }

    fn clamp_scroll(&mut self) {
        self.scroll = self.scroll.min(self.lines.len().saturating_sub(1));
    }

    /// The plain text of the section under the highlight (or the first JSON), for copying.
    pub fn copy_text(&self, account: Option<&Account>, masker: &Masker) -> Option<String> {
        let sections = super::sections(account?, self.item.as_ref()?)?;
        let anchor = self.highlight.as_ref().map(|h| &h.anchor);
        let json = sections
            .iter()
            .filter(|s| matches!(s.body, Body::Json(_)))
            .find(|s| anchor.is_none() || s.anchor.as_ref() == anchor)
            .or_else(|| sections.iter().find(|s| matches!(s.body, Body::Json(_))))?;
        match &json.body {
            Body::Json(value) => serde_json::to_string_pretty(value)
                .ok()
                .map(|t| masker.mask_string(&t)),
            _ => None,
        }
    }
}

/// "role arn:…" for messages.
pub fn describe_item(item: &ItemRef) -> String {
    match item {
        ItemRef::Role(arn) => format!("role {arn}"),
        ItemRef::Repository(arn) => format!("repository {arn}"),
        ItemRef::Key(arn) => format!("key {arn}"),
        ItemRef::Project(arn) => format!("project {arn}"),
        ItemRef::Pipeline(arn) => format!("pipeline {arn}"),
        ItemRef::Rule(arn) => format!("rule {arn}"),
        ItemRef::Bucket(name) => format!("bucket {name}"),
        ItemRef::Trail(i) => format!("trail record {i}"),
        ItemRef::User(arn) => format!("user {arn}"),
    }
}

/// What the detail pane draws around its lines.
pub struct DetailFrame<'a> {
    /// The pane title.
    pub title: Line<'a>,
    /// Whether the pane has focus.
    pub focused: bool,
    /// The spinner frame.
    pub tick: usize,
    /// What to say when nothing is shown.
    pub empty: &'static str,
}

/// Draws one side's detail.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    state: &DetailState,
    chrome: DetailFrame<'_>,
    theme: &Theme,
    account: Option<&Arc<Account>>,
) {
    let border = if chrome.focused {
        Role::BorderFocused
    } else {
        Role::Border
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(border))
        .title(chrome.title);
    let inner_height = area.height.saturating_sub(2) as usize;
    let body: Vec<Line> = if state.loading {
        vec![Line::styled(
            format!("{} loading details…", spinner::frame(chrome.tick)),
            theme.style(Role::Muted),
        )]
    } else if let Some(error) = &state.error {
        let mut lines = vec![Line::styled(
            error.message.clone(),
            theme.style(Role::Error),
        )];
        if let Some(hint) = &error.hint {
            lines.push(Line::styled(
                format!("run: {hint}"),
                theme.style(Role::Text),
            ));
        }
        lines
    } else if state.item.is_none() || account.is_none() {
        vec![Line::styled(chrome.empty, theme.style(Role::Muted))]
    } else {
        let current = state
            .search
            .as_ref()
            .and_then(|s| s.current_line(&state.lines));
        let shown = state
            .lines
            .iter()
            .enumerate()
            .skip(state.scroll)
            .take(inner_height)
            .map(|(i, line)| match current {
                // The current match stands out the way a selected row does.
                Some(at) if at == i => line.clone().patch_style(theme.style(Role::Selection)),
                _ => line.clone(),
            })
            .collect();
        wrap::clip(shown, area.width.saturating_sub(2) as usize)
    };
    frame.render_widget(Paragraph::new(body).block(block), area);
}
