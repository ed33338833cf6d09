//! The diff overlay (`D` in Explain): the policy a fix changes, before and after the fix,
//! line by line (`-` removed, `+` added), and the whole new document to copy (`y`).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;
use serde_json::Value;

use crate::diagnose::apply::apply;
use crate::diagnose::model::{Fix, FixAction, PolicyLocation};
use crate::inventory::{Account, Accounts};
use crate::tui::presenter::Masker;
use crate::tui::theme::{Role, Theme};
use crate::tui::widgets::wrap::ellipsize;

/// One line of a diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// In both documents.
    Same,
    /// Only in the document before the fix.
    Removed,
    /// Only in the document after the fix.
    Added,
}

/// The open diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffState {
    /// What is compared ("repository policy of source-repo, before → after the fix").
    pub title: String,
    /// The lines, each with its change.
    pub lines: Vec<(Change, String)>,
    /// The whole document after the fix (what `y` copies).
    pub after: String,
    /// The first line shown.
    pub scroll: usize,
}

/// Why there is no diff to show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiffError {
    /// The fix changes a setting or is a procedure: no policy document changes.
    #[error("this fix changes no policy document ({0}); its JSON is in the answer")]
    NotAPolicy(&'static str),
    /// The document could not be found or edited in the loaded accounts.
    #[error("cannot show the policy before and after the fix: {0}")]
    Unavailable(String),
}

/// The policy `fix` edits, before and after, from the accounts shown.
pub fn of_fix(accounts: &[&Account], fix: &Fix) -> Result<DiffState, DiffError> {
    let target = match &fix.action {
        FixAction::AddStatement { target, .. }
        | FixAction::AddStatements { target, .. }
        | FixAction::ReplaceStatement { target, .. } => target,
        FixAction::Setting { .. } => return Err(DiffError::NotAPolicy("a setting")),
        FixAction::Procedure { .. } => return Err(DiffError::NotAPolicy("a procedure")),
    };
    let owned: Vec<Account> = accounts.iter().map(|a| (*a).clone()).collect();
    let mut pair = Accounts::new(owned).map_err(|e| DiffError::Unavailable(e.to_string()))?;
    let before = document(&pair, target);
    apply(&mut pair, &fix.action).map_err(|e| DiffError::Unavailable(e.to_string()))?;
    let after = document(&pair, target)
        .ok_or_else(|| DiffError::Unavailable(format!("{target} is not loaded")))?;
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let before_text = before.as_ref().map(pretty).unwrap_or_default();
    let after_text = pretty(&after);
    Ok(DiffState {
        title: format!("{target}: before → after the fix"),
        lines: diff_lines(&before_text, &after_text),
        after: after_text,
        scroll: 0,
    })
}

/// The document at a policy location, when loaded.
fn document(pair: &Accounts, target: &PolicyLocation) -> Option<Value> {
    let account_of =
        |arn: &str| crate::policy::arn::account_of(arn).and_then(|id| pair.account(id));
    match target {
        PolicyLocation::RepositoryPolicy { repository } => account_of(repository)?
            .repository(repository)?
            .policy
            .loaded()
            .cloned(),
        PolicyLocation::TrustPolicy { role } => {
            account_of(role)?.role(role)?.trust_policy.loaded().cloned()
        }
        PolicyLocation::InlinePolicy { role, name } => account_of(role)?
            .role(role)?
            .inline_policies
            .loaded()?
            .iter()
            .find(|p| &p.name == name)?
            .document
            .loaded()
            .cloned(),
        PolicyLocation::KeyPolicy { key } => account_of(key)?.key(key)?.policy.loaded().cloned(),
        PolicyLocation::BucketPolicy { bucket } => pair
            .accounts()
            .find_map(|a| a.bucket(bucket))?
            .policy
            .loaded()
            .cloned(),
        PolicyLocation::RegistryPolicy { registry } => {
            pair.account(registry)?.registry_policy.loaded().cloned()
        }
        PolicyLocation::VpcEndpointPolicy { endpoint } => pair
            .accounts()
            .find_map(|a| a.vpc_endpoint_lookup(endpoint).into_loaded())?
            .policy
            .loaded()
            .cloned(),
        PolicyLocation::ManagedPolicy { role, policy }
        | PolicyLocation::PermissionsBoundary { role, policy } => account_of(role)?
            .managed_policy_document(policy)
            .into_loaded()
            .cloned(),
    }
}

/// A line diff (longest common subsequence; policies are small).
pub fn diff_lines(before: &str, after: &str) -> Vec<(Change, String)> {
    let a: Vec<&str> = before.lines().collect();
    let b: Vec<&str> = after.lines().collect();
    let mut common = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            common[i][j] = if a[i] == b[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push((Change::Same, a[i].to_string()));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || common[i][j + 1] >= common[i + 1][j]) {
            out.push((Change::Added, b[j].to_string()));
            j += 1;
        } else {
            out.push((Change::Removed, a[i].to_string()));
            i += 1;
        }
    }
    out
}

/// Draws the diff over `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &DiffState, theme: &Theme, masker: &Masker) {
    frame.render_widget(Clear, area);
    let title = ellipsize(
        &format!(" {} ", masker.mask(&state.title)),
        area.width.saturating_sub(4) as usize,
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::BorderFocused))
        .title(Span::styled(title, theme.style(Role::Accent)))
        .title_bottom(Span::styled(
            " y copies the new policy · j/k/pgdn scroll · esc closes ",
            theme.style(Role::Muted),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let lines: Vec<Line> = state
        .lines
        .iter()
        .skip(state.scroll)
        .take(inner.height as usize)
        .map(|(change, text)| {
            let (mark, role) = match change {
                Change::Same => (' ', Role::Text),
                Change::Removed => ('-', Role::Error),
                Change::Added => ('+', Role::Accent),
            };
            Line::styled(
                ellipsize(&format!("{mark} {}", masker.mask(text)), width),
                theme.style(role),
            )
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_diff_keeps_order_and_marks_changes() {
        let diff = diff_lines("a\nb\nc", "a\nc\nd");
        assert_eq!(
            diff,
            vec![
                (Change::Same, "a".into()),
                (Change::Removed, "b".into()),
                (Change::Same, "c".into()),
                (Change::Added, "d".into()),
            ]
        );
    }
}
