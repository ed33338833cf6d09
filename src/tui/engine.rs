//! The one place the console asks a question: through the workspace's pipeline, so the
//! Explain pane, the walkthrough and `crossdock explain` all render the same `Diagnosis`.

use crate::diagnose::QuestionDraft;
use crate::workspace::{Explained, Workspace, WorkspaceError};

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
