//! Errors raised while reading policy documents and evaluation requests.

use thiserror::Error;

/// A policy document that AWS would reject, with the path of the offending element.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{path}: {message}")]
pub struct PolicyError {
    /// Where in the document, e.g. `Statement[2].Condition.StringLike`.
    pub path: String,
    /// What is wrong and what AWS expects instead.
    pub message: String,
}

impl PolicyError {
    /// Builds an error at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }

    /// The same error with `prefix` put in front of its path (e.g. `identity_policies[0]`).
    pub fn within(mut self, prefix: &str) -> Self {
        self.path = if self.path.is_empty() {
            prefix.to_string()
        } else {
            format!("{prefix}.{}", self.path)
        };
        self
    }
}
