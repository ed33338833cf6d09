//! What one statement did for one request: the per-statement record the evaluator builds
//! and `explain` turns into sentences (kept apart so neither imports the other).

use serde::Serialize;

use super::document::Effect;
use super::principal::PrincipalMatch;

/// How the Principal element of a statement related to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "outcome", content = "as")]
pub enum PrincipalOutcome {
    /// Not a resource-based policy: there is no Principal element to match.
    NotApplicable,
    /// The caller is named (or not excluded by NotPrincipal).
    Matched(PrincipalMatch),
    /// The caller is not named.
    NotNamed,
    /// NotPrincipal lists the caller completely.
    Excluded,
}

/// What one statement did for this request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatementOutcome {
    /// Statement index in its document.
    pub index: usize,
    /// Allow or Deny.
    pub effect: Effect,
    /// Action/NotAction covers the action.
    pub action: bool,
    /// Resource/NotResource covers the resource (false when not checked).
    pub resource: bool,
    /// Principal matching (resource-based policies).
    pub principal: PrincipalOutcome,
    /// All conditions held (`None` when not evaluated because action/resource missed).
    pub conditions: Option<bool>,
}

impl StatementOutcome {
    /// True when the statement applies to the request.
    pub fn applies(&self) -> bool {
        self.action
            && self.resource
            && self.conditions == Some(true)
            && matches!(
                self.principal,
                PrincipalOutcome::NotApplicable | PrincipalOutcome::Matched(_)
            )
    }

    /// True for an Allow that covers the action but failed on something else: the statement
    /// the user most likely meant to grant with.
    pub fn is_near_miss(&self) -> bool {
        self.effect == Effect::Allow && self.action && !self.applies()
    }
}
