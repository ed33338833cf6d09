//! The "Who can?" / "What can?" overlay: a reverse question about the selected resource or
//! principal, its answers listed as they are found (principal or resource, verdict with its
//! conditions, the roles assumed on the way), a progress bar while the accounts are read or
//! evaluated, and Enter on a row to open the normal explanation of that row.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

use crate::diagnose::model::Status;
use crate::diagnose::reverse::{Kind, Principal, Reachable, Standing};
use crate::diagnose::QuestionDraft;
use crate::tui::presenter::Masker;
use crate::tui::theme::{Role, Theme};
use crate::tui::widgets::wrap::ellipsize as truncate;

/// What the overlay asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReverseAsk {
    /// Who can do `kind` to `resource` (an ARN)?
    WhoCan {
        /// Pull, push, assume, decrypt or trigger.
        kind: Kind,
        /// The resource ARN.
        resource: String,
    },
    /// What can `principal` (a role or user ARN) reach?
    WhatCan {
        /// The principal's ARN.
        principal: String,
    },
}

impl ReverseAsk {
    /// The question in words, for the overlay's title.
    pub fn title(&self) -> String {
        match self {
            ReverseAsk::WhoCan { kind, resource } => {
                format!("Who can {} {}?", kind.name(), short(resource))
            }
            ReverseAsk::WhatCan { principal } => format!("What can {} reach?", short(principal)),
        }
    }

    /// The title with every id and user name masked as the masker does (before the ARN is
    /// shortened to its name, which alone no longer shows what to mask).
    pub fn masked_title(&self, masker: &Masker) -> String {
        match self {
            ReverseAsk::WhoCan { kind, resource } => ReverseAsk::WhoCan {
                kind: kind.clone(),
                resource: masker.mask_string(resource),
            },
            ReverseAsk::WhatCan { principal } => ReverseAsk::WhatCan {
                principal: masker.mask_string(principal),
            },
        }
        .title()
    }

    /// The same question for the resource's other kind, when it has one: who can push a
    /// repository instead of pull, and back.
    pub fn other_kind(&self) -> Option<ReverseAsk> {
        let ReverseAsk::WhoCan { kind, resource } = self else {
            return None;
        };
        let kind = match kind {
            Kind::Pull => Kind::Push,
            Kind::Push => Kind::Pull,
            _ => return None,
        };
        Some(ReverseAsk::WhoCan {
            kind,
            resource: resource.clone(),
        })
    }
}

/// Where the question stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Live accounts must be read completely first: asks before reading.
    Confirm {
        /// The accounts still to read.
        accounts: Vec<String>,
    },
    /// Reading the accounts, one by one.
    Loading {
        /// Accounts read.
        done: usize,
        /// Accounts to read.
        total: usize,
    },
    /// Evaluating; rows arrive as they are found.
    Running {
        /// Principals (or targets) evaluated so far.
        done: usize,
        /// How many there are.
        total: usize,
    },
    /// Every answer is in.
    Done,
    /// The question could not be asked.
    Failed(String),
}

/// One answer row.
#[derive(Debug, Clone, PartialEq)]
pub struct ReverseRow {
    /// The principal (who can) or resource (what can).
    pub subject: String,
    /// What it can do (`pull`, `assume`, …).
    pub kind: String,
    /// The verdict.
    pub verdict: Standing,
    /// The conditions of a conditional grant.
    pub conditions: Vec<String>,
    /// Roles assumed on the way.
    pub via: Vec<String>,
    /// The question Enter explains; `None` for grants with no single principal (`*`).
    pub draft: Option<QuestionDraft>,
}

impl ReverseRow {
    /// A who-can answer as a row.
    pub fn from_principal(ask: &ReverseAsk, principal: &Principal) -> Self {
        let (kind, resource) = match ask {
            ReverseAsk::WhoCan { kind, resource } => (kind.clone(), resource.as_str()),
            ReverseAsk::WhatCan { .. } => (Kind::Pull, ""),
        };
        let explainable = principal.principal.starts_with("arn:")
            || principal.principal.ends_with(".amazonaws.com");
        ReverseRow {
            subject: principal.principal.clone(),
            kind: kind.name().to_string(),
            verdict: principal.verdict,
            conditions: principal.conditions.clone(),
            via: principal.via.clone(),
            draft: explainable.then(|| draft(&kind, &principal.principal, resource)),
        }
    }

    /// A what-can answer as a row.
    pub fn from_reachable(principal: &str, reachable: &Reachable) -> Self {
        let kind = Kind::parse(&reachable.kind).ok();
        ReverseRow {
            subject: reachable.resource.clone(),
            kind: reachable.kind.clone(),
            verdict: reachable.verdict,
            conditions: Vec::new(),
            via: reachable.via.clone(),
            draft: kind.map(|kind| draft(&kind, principal, &reachable.resource)),
        }
    }
}

/// The `explain` question for one answer.
fn draft(kind: &Kind, principal: &str, resource: &str) -> QuestionDraft {
    let principal = principal.to_string();
    let resource = resource.to_string();
    match kind {
        Kind::Pull => QuestionDraft::Pull {
            principal,
            repository: resource,
            tag: None,
            project: None,
            source_arn: None,
            vpc_endpoint: None,
            runs_in: None,
        },
        Kind::Push => QuestionDraft::Push {
            principal,
            repository: resource,
            tag: None,
        },
        Kind::Assume => QuestionDraft::Assume {
            principal,
            role: resource,
            external_id: None,
        },
        Kind::Trigger => QuestionDraft::Trigger {
            pipeline: resource,
            repository: None,
            tag: None,
            pusher: Some(principal),
            push_event: None,
        },
        Kind::Decrypt => QuestionDraft::Access {
            principal,
            action: "kms:Decrypt".to_string(),
            resource,
        },
        Kind::Action(action) => QuestionDraft::Access {
            principal,
            action: action.clone(),
            resource,
        },
    }
}

/// The overlay's state.
#[derive(Debug, Clone)]
pub struct ReverseState {
    /// The request id answers must carry (older answers are dropped).
    pub id: u64,
    /// The question.
    pub ask: ReverseAsk,
    /// Where it stands.
    pub phase: Phase,
    /// AWS calls made to read the accounts for it.
    pub calls: u64,
    /// The answers so far.
    pub rows: Vec<ReverseRow>,
    /// The selected row.
    pub selected: usize,
}

impl ReverseState {
    /// A new question in `phase`.
    pub fn new(id: u64, ask: ReverseAsk, phase: Phase) -> Self {
        ReverseState {
            id,
            ask,
            phase,
            calls: 0,
            rows: Vec::new(),
            selected: 0,
        }
    }

    /// Moves the selection by `delta` rows, within the list.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.rows.len().saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, last.max(0)) as usize;
    }

    /// The selected row.
    pub fn selected_row(&self) -> Option<&ReverseRow> {
        self.rows.get(self.selected)
    }
}

/// Where the overlay is drawn inside `area`.
pub fn popup(area: Rect) -> Rect {
    crate::tui::layout::centered(
        area,
        area.width.saturating_sub(4).min(140),
        area.height.saturating_sub(2),
    )
}

/// Draws the overlay.
pub fn render(frame: &mut Frame, area: Rect, state: &ReverseState, theme: &Theme, masker: &Masker) {
    let rect = popup(area);
    frame.render_widget(Clear, rect);
    let width = rect.width.saturating_sub(2) as usize;
    let title = truncate(
        &format!(" {} ", state.ask.masked_title(masker)),
        width.saturating_sub(2),
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::BorderFocused))
        .title(Span::styled(title, theme.style(Role::Accent)));
    let height = rect.height.saturating_sub(2) as usize;
    let mut lines = status_lines(state, width, theme);
    lines.push(hint(state, theme, width));
    let room = height.saturating_sub(lines.len());
    let start = state.selected.saturating_sub(room.saturating_sub(1));
    for (i, row) in state.rows.iter().enumerate().skip(start).take(room) {
        let with_kind = matches!(state.ask, ReverseAsk::WhatCan { .. });
        lines.push(row_line(
            row,
            with_kind,
            i == state.selected,
            width,
            theme,
            masker,
        ));
    }
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// The phase: a question before reading, a progress bar, or the count of answers.
fn status_lines(state: &ReverseState, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let muted = theme.style(Role::Muted);
    let text = |s: String| Line::styled(truncate(&s, width), theme.style(Role::Text));
    match &state.phase {
        Phase::Confirm { accounts } => vec![
            text(format!(
                "This needs every role, user and policy of {} — read-only, a few calls per role.",
                plural(accounts.len(), "live account")
            )),
            Line::styled(
                truncate("Enter reads them once for the session; Esc cancels.", width),
                theme.style(Role::Accent),
            ),
        ],
        Phase::Loading { done, total } => vec![bar(
            &format!("reading accounts {done}/{total} · {} calls", state.calls),
            *done,
            *total,
            width,
            theme,
        )],
        Phase::Running { done, total } => vec![bar(
            &format!("evaluating {done}/{total} · {} found", state.rows.len()),
            *done,
            *total,
            width,
            theme,
        )],
        Phase::Done => {
            let read = if state.calls > 0 {
                format!(" · accounts read with {} calls", state.calls)
            } else {
                String::new()
            };
            vec![Line::styled(
                truncate(
                    &format!(
                        "{} (works or conditional){read}",
                        plural(state.rows.len(), "answer")
                    ),
                    width,
                ),
                muted,
            )]
        }
        Phase::Failed(reason) => vec![Line::styled(
            truncate(reason, width),
            theme.style(Role::Error),
        )],
    }
}

fn hint(state: &ReverseState, theme: &Theme, width: usize) -> Line<'static> {
    let mut parts = Vec::new();
    if !matches!(state.phase, Phase::Confirm { .. }) {
        if let Some(ReverseAsk::WhoCan { kind, .. }) = state.ask.other_kind() {
            parts.push(format!("tab: who can {}?", kind.name()));
        }
        if !state.rows.is_empty() {
            parts.push("enter explains the selected row".to_string());
        }
        if !parts.is_empty() {
            parts.push("esc closes".to_string());
        }
    }
    Line::styled(
        truncate(&parts.join(" · "), width),
        theme.style(Role::Muted),
    )
}

/// `[#####.....] label` filling the width.
fn bar(label: &str, done: usize, total: usize, width: usize, theme: &Theme) -> Line<'static> {
    let room = width.saturating_sub(label.chars().count() + 4).clamp(4, 40);
    // Nothing to do is all done.
    let filled = (room * done.min(total)).checked_div(total).unwrap_or(room);
    Line::from(vec![
        Span::styled(
            format!("[{}{}] ", "█".repeat(filled), "·".repeat(room - filled)),
            theme.style(Role::Accent),
        ),
        Span::styled(
            truncate(label, width.saturating_sub(room + 3)),
            theme.style(Role::Text),
        ),
    ])
}

fn row_line(
    row: &ReverseRow,
    with_kind: bool,
    selected: bool,
    width: usize,
    theme: &Theme,
    masker: &Masker,
) -> Line<'static> {
    let (mark, status) = match row.verdict {
        Standing::Works => ("✓", Status::Pass),
        Standing::Conditional => ("~", Status::Warn),
        Standing::Fails => ("✗", Status::Fail),
        Standing::Unknown => ("?", Status::Unknown),
    };
    let mut detail = row.verdict.label().to_string();
    if !row.conditions.is_empty() {
        detail = format!("{detail} if {}", row.conditions.join(" and "));
    }
    if !row.via.is_empty() {
        let via: Vec<String> = row.via.iter().map(|v| short(&masker.mask(v))).collect();
        detail = format!("{detail} via {}", via.join(" → "));
    }
    // Masked whole, then shortened: a user's name is recognised inside its ARN only.
    let subject = compact(&masker.mask(&row.subject));
    let detail = masker.mask_string(&detail);
    // The principal or resource first, whole when the verdict leaves room; the verdict, its
    // conditions and chain after, in at least two fifths of the width.
    let rest = if with_kind {
        format!("{} · {detail}", row.kind)
    } else {
        detail
    };
    let wanted = rest.chars().count().min(width * 2 / 5);
    let name = truncate(&subject, width.saturating_sub(4 + wanted).max(10));
    let used = name.chars().count() + 4;
    let rest = truncate(&rest, width.saturating_sub(used));
    let base = if selected {
        theme.style(Role::Selection)
    } else {
        theme.style(Role::Text)
    };
    Line::from(vec![
        Span::styled(format!("{mark} "), theme.status(status)),
        Span::styled(name, base),
        Span::styled("  ".to_string(), base),
        Span::styled(rest, theme.style(Role::Muted)),
    ])
}

/// An ARN as `ACCOUNT:TYPE/NAME`: the partition, service and region say nothing the row
/// does not, and a long path keeps its first and last segment (`role/aws-reserved/…/Admin`).
fn compact(arn: &str) -> String {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, _, _, _, account, resource] = parts.as_slice() else {
        return arn.to_string();
    };
    let segments: Vec<&str> = resource.split('/').collect();
    let resource = match segments.as_slice() {
        [first, .., last] if segments.len() > 3 => format!("{first}/…/{last}"),
        _ => resource.to_string(),
    };
    if account.is_empty() {
        resource
    } else {
        format!("{account}:{resource}")
    }
}

/// `n thing` / `n things`.
fn plural(n: usize, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

/// A resource or principal by its last name (`role/ci` → `ci`), for titles.
fn short(arn: &str) -> String {
    arn.rsplit(['/', ':']).next().unwrap_or(arn).to_string()
}

#[cfg(test)]
mod tests {
    use super::compact;

    #[test]
    fn arns_keep_account_type_and_name() {
        assert_eq!(
            compact("arn:aws:iam::111111111111:role/codebuild-service-role"),
            "111111111111:role/codebuild-service-role"
        );
        assert_eq!(
            compact("arn:aws:iam::2:role/aws-reserved/sso.amazonaws.com/eu/AWSReservedSSO_A"),
            "2:role/…/AWSReservedSSO_A"
        );
        assert_eq!(
            compact("codebuild.amazonaws.com"),
            "codebuild.amazonaws.com"
        );
        assert_eq!(compact("*"), "*");
    }
}
