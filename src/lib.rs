//! crossdock: explains why cross-account AWS container delivery fails, with evidence.
//!
//! Pure cores (`policy`, `trail`) do no IO; see `DESIGN.md` in the shared folder for the layout.

pub mod policy;
pub mod trail;
