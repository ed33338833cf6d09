//! Editing a document in the user's editor (`$VISUAL`, then `$EDITOR`, then `vi`) for a
//! what-if: the text goes to a private temporary file, the editor runs on it, the edited text
//! comes back. The terminal is handed over around the editor ([`crate::tui::terminal`]).

use std::io::Write;
use std::process::Command;

/// Why an edit produced no text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditorError {
    /// The temporary file could not be written or read back.
    #[error("cannot hand the document to the editor: {0} (check the temporary directory)")]
    File(String),
    /// The editor did not start.
    #[error("cannot start the editor `{command}`: {reason} (set $EDITOR to an editor that waits, e.g. `vim` or `code --wait`)")]
    Start {
        /// The editor command.
        command: String,
        /// Why.
        reason: String,
    },
    /// The editor exited with a failure: the edit is dropped.
    #[error("the editor `{0}` exited with a failure; nothing changed")]
    Failed(String),
}

/// The editor command: `$VISUAL`, then `$EDITOR`, then `vi`.
pub fn command() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string())
}

/// Runs `editor` (a command line such as `code --wait`) on a file holding `text` and
/// returns the file's text afterwards.
pub fn edit(editor: &str, text: &str) -> Result<String, EditorError> {
    let file_error = |e: std::io::Error| EditorError::File(e.to_string());
    let mut file = tempfile::Builder::new()
        .prefix("crossdock-what-if-")
        .suffix(".json")
        .tempfile()
        .map_err(file_error)?;
    file.write_all(text.as_bytes()).map_err(file_error)?;
    file.flush().map_err(file_error)?;
    let mut words = editor.split_whitespace();
    let program = words.next().unwrap_or("vi");
    let status = Command::new(program)
        .args(words)
        .arg(file.path())
        .status()
        .map_err(|e| EditorError::Start {
            command: editor.to_string(),
            reason: e.to_string(),
        })?;
    if !status.success() {
        return Err(EditorError::Failed(editor.to_string()));
    }
    std::fs::read_to_string(file.path()).map_err(file_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_editor_that_fails_or_is_missing_changes_nothing() {
        assert!(matches!(edit("false", "{}"), Err(EditorError::Failed(_))));
        assert!(matches!(
            edit("/nonexistent/editor", "{}"),
            Err(EditorError::Start { .. })
        ));
        // `true` leaves the file as it was.
        assert_eq!(edit("true", "{\"a\": 1}"), Ok("{\"a\": 1}".to_string()));
    }
}
