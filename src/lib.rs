//! crossdock: explains why cross-account AWS container delivery fails, with evidence.
//!
//! Pure cores (`policy`, `inventory`, `trail`, `diagnose`) do no network IO; `aws` is the
//! only code that calls AWS; `workspace` owns a session's accounts and the one question
//! pipeline; `commands`, `tui` and `report` are the front ends. `docs/architecture.md`
//! has the layer table.

#[cfg(feature = "aws")]
pub mod aws;
pub mod cli;
pub mod commands;
pub mod deadline;
pub mod diagnose;
pub mod inventory;
pub mod logging;
pub mod policy;
pub mod report;
pub mod safe_text;
pub mod trail;
#[cfg(feature = "tui")]
pub mod tui;
pub mod workspace;
