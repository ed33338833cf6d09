//! Reverse questions: who can pull / push / assume / decrypt / trigger this resource, and
//! what can this principal reach — over every loaded account, each answer explained by the
//! same evaluation `explain` runs (identity and resource policies, boundaries, denies).

mod candidates;
mod kind;
mod outside;
mod resource_twins;
mod targets;
mod twins;
mod what_can;
mod who_can;

use serde::Serialize;

use super::model::{Evidence, Verdict};

pub use kind::{Kind, KindError};
pub use what_can::{what_can, what_can_part};
pub use who_can::{who_can, who_can_part};

/// How a principal stands towards a reverse question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standing {
    /// Every request the question needs is allowed.
    Works,
    /// Allowed only when the listed conditions hold (service principals, `*` grants).
    Conditional,
    /// At least one request is refused.
    Fails,
    /// Evidence is missing (an account not loaded, an unreadable policy).
    Unknown,
}

impl From<Verdict> for Standing {
    fn from(verdict: Verdict) -> Self {
        match verdict {
            Verdict::Works => Standing::Works,
            Verdict::Fails => Standing::Fails,
            Verdict::Unknown => Standing::Unknown,
        }
    }
}

impl Standing {
    /// Listed without `--all`: the principals that can (or can under conditions).
    pub fn grants(self) -> bool {
        matches!(self, Standing::Works | Standing::Conditional)
    }
}

/// One principal's answer to "who can …?".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Principal {
    /// The principal: an IAM role or user ARN, a service principal, `*`, or an account root.
    pub principal: String,
    /// The principal's account, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The answer.
    pub verdict: Standing,
    /// The conditions a conditional grant depends on, as `KEY OPERATOR VALUES`.
    pub conditions: Vec<String>,
    /// Roles assumed on the way, in order (empty for a direct grant).
    pub via: Vec<String>,
    /// Why, when the answer is unknown or comes from outside the loaded accounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The deciding statements.
    pub evidence: Vec<Evidence>,
}

/// The answer to `who-can KIND RESOURCE`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WhoCan {
    /// What was asked.
    pub query: Query,
    /// One entry per principal, works and conditional first.
    pub principals: Vec<Principal>,
}

/// A reverse question as asked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Query {
    /// `pull`, `push`, `assume`, `decrypt`, `trigger` or an IAM action.
    pub kind: String,
    /// The resource ARN (names are resolved to ARNs).
    pub resource: String,
    /// The accounts the answer covers.
    pub accounts: Vec<String>,
}

/// One resource a principal can reach.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reachable {
    /// The resource ARN.
    pub resource: String,
    /// What the principal can do to it.
    pub kind: String,
    /// The answer.
    pub verdict: Standing,
    /// Roles assumed on the way, in order (empty for a direct grant).
    pub via: Vec<String>,
    /// The deciding statements.
    pub evidence: Vec<Evidence>,
}

/// The answer to `what-can PRINCIPAL`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WhatCan {
    /// The principal asked about.
    pub principal: String,
    /// Every resource of the loaded accounts the principal can reach (or, with `all`, was
    /// evaluated against).
    pub reachable: Vec<Reachable>,
}

/// Part of a reverse question's answer: what was found among the `done` of `total`
/// principals (or targets) evaluated so far, for answers shown as they are found.
#[derive(Debug, Clone, PartialEq)]
pub struct Part<T> {
    /// The grants found in this part.
    pub found: Vec<T>,
    /// How many principals (or targets) are evaluated up to the end of this part.
    pub done: usize,
    /// How many there are.
    pub total: usize,
}

/// Why a reverse question cannot be asked.
#[derive(Debug, thiserror::Error)]
pub enum ReverseError {
    /// The kind is neither a known kind nor an IAM action.
    #[error(transparent)]
    Kind(#[from] KindError),
    /// The resource does not resolve among the loaded accounts.
    #[error("{0}")]
    Resource(String),
    /// The principal does not resolve among the loaded accounts.
    #[error("{0}")]
    Principal(String),
    /// The question the reverse question rests on could not be asked.
    #[error(transparent)]
    Diagnose(#[from] super::DiagnoseError),
}
