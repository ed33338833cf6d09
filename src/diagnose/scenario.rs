//! The demo's scenario catalogue: each scenario's question and the verdict the engine must
//! reach for it (`assets/demo/scenarios.json`).

use serde::{Deserialize, Serialize};

use super::check_id::CheckId;
use super::model::Verdict;
use super::question::Question;

const SCENARIOS_JSON: &str = include_str!("../../assets/demo/scenarios.json");

/// One scenario variant of the demo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    /// Stable id, e.g. `s1-broken`, `s1-fixed`, `ext-lambda-pull-broken`.
    pub id: String,
    /// Which scenario of SCENARIOS.md it belongs to (`S1`…`S6`), or `extra`.
    pub group: String,
    /// One-line title.
    pub title: String,
    /// One paragraph: the setup and what the user saw.
    pub story: String,
    /// What the user asks.
    pub question: Question,
    /// What the diagnosis must answer.
    pub expected: Expected,
}

/// The expected outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expected {
    /// Whether the operation works (`works` or `fails`).
    pub verdict: Verdict,
    /// Every check that must fail (empty for `works`); no other check may fail.
    #[serde(default)]
    pub failing_checks: Vec<CheckId>,
}

/// The embedded scenario catalogue is not valid (only possible if the assets were edited badly).
#[derive(Debug, thiserror::Error)]
#[error("embedded scenarios.json:{line}:{column}: {message}; regenerate assets/demo with assets/demo/generate.py")]
pub struct CatalogueError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// serde_json's description.
    pub message: String,
}

/// The scenario catalogue, in catalogue order.
pub fn scenarios() -> Result<Vec<Scenario>, CatalogueError> {
    serde_json::from_str(SCENARIOS_JSON).map_err(|e| CatalogueError {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

/// The scenario with this id.
pub fn scenario(id: &str) -> Result<Option<Scenario>, CatalogueError> {
    Ok(scenarios()?.into_iter().find(|s| s.id == id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_parses_and_expects_only_works_or_fails() {
        let all = scenarios().expect("catalogue");
        assert!(all.len() > 40);
        for s in &all {
            assert_ne!(s.expected.verdict, Verdict::Unknown, "{}", s.id);
        }
    }
}
