//! The IAM policy language: documents, ARNs, wildcards, conditions, and the evaluator with
//! its trace. Pure: no IO.

pub mod arn;
pub mod condition;
pub mod context;
pub mod document;
pub mod error;
pub mod evaluate;
pub mod explain;
pub mod guardrail;
pub mod outcome;
pub mod placement;
pub mod principal;
pub mod request;
pub mod request_file;
pub mod sentence;
pub mod service_index;
pub mod statement_diff;
pub mod strict_json;
pub mod trace;
pub mod variables;
pub mod wildcard;

pub use arn::{Arn, Caller};
pub use context::{ContextValue, RequestContext};
pub use document::{Effect, PolicyDocument, Statement};
pub use error::PolicyError;
pub use evaluate::{evaluate, Decision, Evaluation};
pub use request::{LabeledPolicy, Request, ResourceKind};
