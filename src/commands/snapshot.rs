//! `crossdock snapshot`: read one account (or two) completely and write a snapshot file.

use std::io::{self, Write};
use std::path::PathBuf;

use crate::aws::{connect, AwsError, ProfileSource};
use crate::inventory::{snapshot, Accounts, AccountsError, Redactor};

/// Exit code when AWS could not be read (no profile, no credentials, no network).
pub const EXIT_AWS: u8 = 4;

/// What to snapshot and where.
#[derive(Debug, Clone)]
pub struct SnapshotArgs {
    /// Where profiles come from.
    pub source: ProfileSource,
    /// The profile of account A.
    pub profile: String,
    /// An optional second profile (account B) for a pair file.
    pub profile_b: Option<String>,
    /// A region overriding the profiles'.
    pub region: Option<String>,
    /// The file to write.
    pub output: PathBuf,
    /// Replace account ids and drop tags before writing.
    pub redact: bool,
}

/// Runs the command; progress and errors go to `err`, the summary to `out`.
pub fn run(args: &SnapshotArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<u8> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let pair = match runtime.block_on(load(args, err)) {
        Ok(pair) => pair,
        Err(message) => {
            writeln!(
                err,
                "crossdock snapshot: {}",
                crate::safe_text::Safe(&message)
            )?;
            let usage = match &message {
                LoadError::Aws(e) => e.is_usage(),
                LoadError::Accounts(_) | LoadError::NoProfile => true,
            };
            return Ok(if usage { super::EXIT_INPUT } else { EXIT_AWS });
        }
    };
    let pair = if args.redact {
        match Redactor::new().redact_pair(&pair) {
            Ok(redacted) => redacted,
            Err(e) => {
                writeln!(err, "crossdock snapshot: {}", crate::safe_text::Safe(&e))?;
                return Ok(1);
            }
        }
    } else {
        pair
    };
    if let Err(e) = snapshot::save(&args.output, &pair) {
        writeln!(err, "crossdock snapshot: {}", crate::safe_text::Safe(&e))?;
        return Ok(super::EXIT_INPUT);
    }
    for account in pair.accounts() {
        writeln!(
            out,
            "account {} ({}): {} roles, {} repositories, {} keys, {} projects, {} pipelines, {} rules, {} buckets",
            account.id(),
            account.region(),
            account.roles.len(),
            account.repositories.len(),
            account.keys.len(),
            account.projects.len(),
            account.pipelines.len(),
            account.rules.len(),
            account.buckets.len(),
        )?;
    }
    writeln!(out, "wrote {}", args.output.display())?;
    Ok(0)
}

/// Why the accounts could not be read; printed after `crossdock snapshot: `.
#[derive(Debug, thiserror::Error)]
enum LoadError {
    /// A profile could not be opened.
    #[error(transparent)]
    Aws(#[from] AwsError),
    /// The profiles do not make a valid set of accounts (e.g. the same account twice).
    #[error(transparent)]
    Accounts(#[from] AccountsError),
    /// No profile at all.
    #[error("no profile given")]
    NoProfile,
}

async fn load(args: &SnapshotArgs, err: &mut dyn Write) -> Result<Accounts, LoadError> {
    let mut accounts = Vec::new();
    for profile in std::iter::once(&args.profile).chain(args.profile_b.as_ref()) {
        let (loader, mut account) =
            connect(&args.source, Some(profile), args.region.as_deref()).await?;
        let credentials = crate::aws::describe_credentials(&args.source, profile).await;
        let _ = writeln!(
            err,
            "reading account {} with profile `{profile}` (credentials: {credentials}) …",
            account.id()
        );
        loader.load_all(&mut account).await;
        let _ = writeln!(err, "  {}", loader.gateway().calls());
        accounts.push(account);
    }
    if accounts.is_empty() {
        return Err(LoadError::NoProfile);
    }
    Ok(Accounts::new(accounts)?)
}
