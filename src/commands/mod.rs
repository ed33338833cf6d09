//! Headless commands: each takes parsed arguments and writers, and returns an exit code,
//! so tests can run them without a process.

pub mod eval;
#[cfg(feature = "aws")]
pub mod snapshot;

/// Exit code for invalid or unreadable input.
pub const EXIT_INPUT: u8 = 2;
