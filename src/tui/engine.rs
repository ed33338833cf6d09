//! The one place the console asks a question: through the workspace's pipeline, so the
//! Explain pane, the walkthrough and `crossdock explain` all render the same `Diagnosis`.

use crate::diagnose::{reverse, QuestionDraft};
use crate::workspace::{Explained, Workspace, WorkspaceError};

use super::msg::ReverseStep;
use super::panes::reverse::{ReverseAsk, ReverseRow};

/// Answers `draft` in `workspace`: live accounts read what the question needs first
/// (what they read before is not read again); demo and snapshots answer at once.
pub async fn explain(
    workspace: &mut Workspace,
    draft: &QuestionDraft,
) -> Result<Explained, WorkspaceError> {
    #[cfg(feature = "aws")]
    {
        workspace.explain(draft).await
    }
    #[cfg(not(feature = "aws"))]
    {
        workspace.explain_loaded(draft)
    }
}

/// The live accounts a reverse question must read completely before it is asked (none for
/// the demo, snapshots, or accounts read completely before in this session).
pub fn reverse_unread(workspace: &Workspace) -> ReverseStep {
    #[cfg(feature = "aws")]
    {
        ReverseStep::Unread(workspace.unread_completely())
    }
    #[cfg(not(feature = "aws"))]
    {
        let _ = workspace;
        ReverseStep::Unread(Vec::new())
    }
}

/// Reads the first of `accounts` completely; the rest are left for the next step.
pub async fn reverse_load(workspace: &mut Workspace, mut accounts: Vec<String>) -> ReverseStep {
    if accounts.is_empty() {
        return ReverseStep::Loaded {
            calls: 0,
            left: accounts,
        };
    }
    let account = accounts.remove(0);
    #[cfg(feature = "aws")]
    let calls = workspace.read_everything_in(&account).await.total_calls();
    #[cfg(not(feature = "aws"))]
    let calls = {
        let _ = (workspace, account);
        0
    };
    ReverseStep::Loaded {
        calls,
        left: accounts,
    }
}

/// The answers among `count` principals (or targets) from the `from`-th on, with the
/// what-if changes in force.
pub fn reverse_part(
    workspace: &Workspace,
    ask: &ReverseAsk,
    from: usize,
    count: usize,
) -> ReverseStep {
    let accounts = match workspace.answering() {
        Ok(accounts) => accounts,
        Err(e) => return ReverseStep::Failed(e.to_string()),
    };
    let part = match ask {
        ReverseAsk::WhoCan { kind, resource } => {
            reverse::who_can_part(&accounts, kind, resource, from, count).map(|part| {
                let rows = part
                    .found
                    .iter()
                    .map(|p| ReverseRow::from_principal(ask, p));
                (rows.collect(), part.done, part.total)
            })
        }
        ReverseAsk::WhatCan { principal } => {
            reverse::what_can_part(&accounts, principal, from, count).map(|part| {
                let rows = part
                    .found
                    .iter()
                    .map(|r| ReverseRow::from_reachable(principal, r));
                (rows.collect(), part.done, part.total)
            })
        }
    };
    match part {
        Ok((rows, done, total)) => ReverseStep::Part { rows, done, total },
        Err(e) => ReverseStep::Failed(e.to_string()),
    }
}

/// The complete answer: chains through assumed roles and grants outside the loaded accounts
/// included, in the order `who-can` / `what-can` print them.
pub fn reverse_finish(workspace: &Workspace, ask: &ReverseAsk) -> ReverseStep {
    let accounts = match workspace.answering() {
        Ok(accounts) => accounts,
        Err(e) => return ReverseStep::Failed(e.to_string()),
    };
    let rows = match ask {
        ReverseAsk::WhoCan { kind, resource } => reverse::who_can(&accounts, kind, resource, false)
            .map(|answer| {
                answer
                    .principals
                    .iter()
                    .map(|p| ReverseRow::from_principal(ask, p))
                    .collect()
            }),
        ReverseAsk::WhatCan { principal } => {
            reverse::what_can(&accounts, principal, false).map(|answer| {
                answer
                    .reachable
                    .iter()
                    .map(|r| ReverseRow::from_reachable(principal, r))
                    .collect()
            })
        }
    };
    match rows {
        Ok(rows) => ReverseStep::Finished(rows),
        Err(e) => ReverseStep::Failed(e.to_string()),
    }
}
