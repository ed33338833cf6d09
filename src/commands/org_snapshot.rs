//! `crossdock snapshot --org-profile P`: every readable account of an organisation into one
//! snapshot file, streamed: each account is written as soon as it is read and dropped, with
//! at most `--accounts-at-once` accounts (plus a few waiting to be written) in memory.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use tokio::sync::mpsc;

use super::accounts::{refuse, OrgReadArgs, EXIT_AWS};
use super::progress::Progress;
use crate::aws::org_discovery::open_org;
use crate::aws::org_load::{self, AccountResult, Depth};
use crate::aws::ProfileSource;
use crate::inventory::{snapshot, Account, Redactor};
use crate::safe_text::Safe;

/// What to snapshot and where.
#[derive(Debug, Clone)]
pub struct OrgSnapshotArgs {
    /// The organisation and how to read its accounts.
    pub org: OrgReadArgs,
    /// The file to write.
    pub output: PathBuf,
    /// Replace account ids and drop tags, per account as it is written.
    pub redact: bool,
}

/// Accounts waiting to be written at most (on top of those being read).
const WRITE_QUEUE: usize = 4;

/// Runs the command; progress and unknown accounts go to `err`, the summary to `out`.
pub fn run(args: &OrgSnapshotArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<u8> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let source = ProfileSource::from_env();
    let org = runtime.block_on(open_org(
        &source,
        &args.org.org_profile,
        args.org.org_role.as_deref(),
        args.org.region.as_deref(),
    ));
    let org = match org {
        Ok(org) => org,
        Err(e) => return refuse("snapshot", &e, err),
    };
    let (tx, mut rx) = mpsc::channel(WRITE_QUEUE);
    let tasks = {
        let _context = runtime.enter();
        org_load::start(
            &org.organization,
            &org.plan,
            &source,
            &org.config,
            args.org.region.as_deref(),
            args.org.options(Depth::Everything),
            tx,
        )
    };
    let mut progress = Progress::new(org.organization.accounts.len(), io::stderr().is_terminal());
    let mut summary = Vec::new();
    let mut unknown = Vec::new();
    let mut redactor = args.redact.then(Redactor::new);
    let mut failure = None;
    let saved = snapshot::save_streamed(&args.output, || loop {
        let result: AccountResult = rx.blocking_recv()?;
        let _ = progress.tick(err, result.identity_ok());
        match next_account(result, &mut redactor, &mut summary, &mut unknown) {
            Ok(Some(account)) => return Some(account),
            Ok(None) => continue,
            Err(e) => {
                failure = Some(e);
                return None;
            }
        }
    });
    drop(tasks);
    for line in &unknown {
        writeln!(err, "crossdock snapshot: unknown {}", Safe(line))?;
    }
    if let Some(e) = failure {
        writeln!(err, "crossdock snapshot: {}", Safe(&e))?;
        return Ok(1);
    }
    match saved {
        Ok(written) => {
            for line in &summary {
                writeln!(out, "{line}")?;
            }
            writeln!(out, "wrote {written} accounts to {}", args.output.display())?;
            Ok(0)
        }
        Err(e) => {
            writeln!(err, "crossdock snapshot: {}", Safe(&e))?;
            Ok(if unknown.is_empty() {
                super::EXIT_INPUT
            } else {
                EXIT_AWS
            })
        }
    }
}

/// The account to write (redacted when asked), its summary line kept; or, for an account
/// that could not be read, its reason kept and nothing to write.
fn next_account(
    result: AccountResult,
    redactor: &mut Option<Redactor>,
    summary: &mut Vec<String>,
    unknown: &mut Vec<String>,
) -> Result<Option<Account>, crate::inventory::redact::RedactError> {
    let account = match result.outcome {
        Ok(account) => account,
        Err(reason) => {
            unknown.push(format!("{} ({}): {reason}", result.org.id, result.org.name));
            return Ok(None);
        }
    };
    let account = match redactor {
        Some(redactor) => redactor.redact_account(&account)?,
        None => account,
    };
    // Organisation names can say more than ids; a redacted file's summary shows neither.
    let name = if redactor.is_some() {
        "redacted"
    } else {
        result.org.name.as_str()
    };
    summary.push(format!(
        "account {} ({}, {}): {} roles, {} repositories, {} keys, {} projects, {} pipelines, {} rules, {} buckets; {}",
        account.id(),
        Safe(name),
        account.region(),
        account.roles.len(),
        account.repositories.len(),
        account.keys.len(),
        account.projects.len(),
        account.pipelines.len(),
        account.rules.len(),
        account.buckets.len(),
        result.calls,
    ));
    Ok(Some(account))
}
