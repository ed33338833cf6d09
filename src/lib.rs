//! crossdock: explains why cross-account AWS container delivery fails, with evidence.
//!
//! Pure cores (`policy`, `inventory`, `trail`, `diagnose`) do no network IO; `commands` and
//! `cli` are the headless edges. See `DESIGN.md` in the shared folder for the layout.

#[cfg(feature = "aws")]
pub mod aws;
pub mod cli;
pub mod commands;
pub mod diagnose;
pub mod inventory;
pub mod logging;
pub mod policy;
pub mod report;
pub mod trail;
#[cfg(feature = "tui")]
pub mod tui;
