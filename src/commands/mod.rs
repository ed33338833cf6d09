//! Headless commands: each takes parsed arguments and writers, and returns an exit code,
//! so tests can run them without a process.

#[cfg(feature = "aws")]
pub mod accounts;
pub mod diff;
pub mod eval;
pub mod explain;
pub mod history;
#[cfg(feature = "aws")]
mod history_org;
pub mod input;
#[cfg(feature = "aws")]
pub mod org_snapshot;
pub mod progress;
pub mod redact;
pub mod reverse;
#[cfg(feature = "aws")]
pub mod snapshot;
pub mod trail;

/// Exit code: the operation works (and for commands that succeed).
pub const EXIT_WORKS: u8 = 0;
/// Exit code: the operation fails (a check failed).
pub const EXIT_FAILS: u8 = 1;
/// Exit code for invalid or unreadable input, and usage errors.
pub const EXIT_INPUT: u8 = 2;
/// Exit code: evidence is missing, so the answer is unknown.
pub const EXIT_UNKNOWN: u8 = 3;

/// `--org-profile`: the option of `explain`, `who-can`, `what-can` and the console that reads
/// the organisation's guardrails (defined once; `cli::OrgArgs` re-exports it).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct OrgArgs {
    /// AWS profile of the organisation's management account (or a delegated administrator):
    /// reads the SCPs and RCPs above the accounts, read-only (organizations:DescribeOrganization,
    /// ListParents, ListPoliciesForTarget, DescribePolicy).
    #[arg(long, value_name = "PROFILE", global = true)]
    pub org_profile: Option<String>,
}
