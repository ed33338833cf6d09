//! `crossdock accounts --org-profile P`: every account of an AWS Organization, where it sits
//! in the OU tree, how crossdock reads it, and whether its identity could be confirmed.

use std::io::{self, IsTerminal, Write};

use serde_json::json;
use tokio::sync::mpsc;

use super::progress::Progress;
use crate::aws::org_discovery::{open_org, OpenedOrg, OrgOpenError};
use crate::aws::org_load::{self, AccountResult, Depth, OrgLoadOptions};
use crate::aws::ProfileSource;
use crate::safe_text::Safe;

/// Exit code when AWS could not be read (the org profile or the discovery failed).
pub const EXIT_AWS: u8 = 4;

/// Output format of `crossdock accounts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AccountsFormat {
    /// One aligned line per account.
    Text,
    /// One JSON object: `{"organization", "accounts": [...]}`.
    Json,
}

/// The organisation options every organisation command shares.
#[derive(Debug, Clone, clap::Args)]
pub struct OrgReadArgs {
    /// AWS profile of the management account or a delegated administrator.
    #[arg(long, value_name = "P")]
    pub org_profile: String,
    /// Role assumed in every member account from the org profile's credentials (e.g. a
    /// read-only role every account has). Without it, your profiles are matched by account
    /// id (sso_account_id / role_arn).
    #[arg(long, value_name = "NAME")]
    pub org_role: Option<String>,
    /// The region to read (default: the org profile's).
    #[arg(long)]
    pub region: Option<String>,
    /// Accounts read at the same time.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub accounts_at_once: usize,
    /// Calls in flight per account.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub calls_per_account: usize,
}

impl OrgReadArgs {
    /// The load bounds at `depth`.
    pub fn options(&self, depth: Depth) -> OrgLoadOptions {
        OrgLoadOptions {
            accounts_at_once: self.accounts_at_once.max(1),
            calls_per_account: self.calls_per_account.max(1),
            depth,
        }
    }
}

/// Arguments of `crossdock accounts`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "Examples:\n  \
    crossdock accounts --org-profile mgmt                         # your SSO profiles matched by account id\n  \
    crossdock accounts --org-profile mgmt --org-role ReadOnlyAudit --format json\n\n\
    Accounts that cannot be read are listed as unknown with the reason; the others are unaffected.\n\
    Exit codes: 0 listed; 2 bad input (unknown profile); 4 the organisation could not be read.")]
pub struct AccountsArgs {
    /// The organisation and how to read its accounts.
    #[command(flatten)]
    pub org: OrgReadArgs,
    /// Also list each account's resources by name (roles, repositories, keys, projects,
    /// pipelines, rules: a few calls per kind, one per page) and show the counts and calls.
    #[arg(long)]
    pub list: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AccountsFormat::Text)]
    pub format: AccountsFormat,
}

/// Runs the command; progress and errors go to `err`, the listing to `out`.
pub fn run(args: &AccountsArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<u8> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let source = ProfileSource::from_env();
    let terminal = io::stderr().is_terminal();
    let depth = if args.list {
        Depth::Listing
    } else {
        Depth::Identity
    };
    let (org, results) = match runtime.block_on(read(&source, &args.org, depth, err, terminal)) {
        Ok(read) => read,
        Err(e) => return refuse("accounts", &e, err),
    };
    match args.format {
        AccountsFormat::Json => writeln!(out, "{}", to_json(&org, &results, args.list))?,
        AccountsFormat::Text => write_text(out, &org, &results)?,
    }
    Ok(0)
}

/// Prints why the organisation could not be opened; returns the exit code.
pub fn refuse(command: &str, e: &OrgOpenError, err: &mut dyn Write) -> io::Result<u8> {
    writeln!(err, "crossdock {command}: {}", Safe(e))?;
    Ok(if e.is_usage() {
        super::EXIT_INPUT
    } else {
        EXIT_AWS
    })
}

/// Opens the organisation and reads every account at `depth`, with a progress bar on
/// `err`; results in the organisation's order.
pub async fn read(
    source: &ProfileSource,
    args: &OrgReadArgs,
    depth: Depth,
    err: &mut dyn Write,
    terminal: bool,
) -> Result<(OpenedOrg, Vec<AccountResult>), OrgOpenError> {
    let org = open_org(
        source,
        &args.org_profile,
        args.org_role.as_deref(),
        args.region.as_deref(),
    )
    .await?;
    let (tx, mut rx) = mpsc::channel(16);
    let mut tasks = org_load::start(
        &org.organization,
        &org.plan,
        source,
        &org.config,
        args.region.as_deref(),
        args.options(depth),
        tx,
    );
    let mut progress = Progress::new(org.organization.accounts.len(), terminal);
    let mut results = Vec::with_capacity(org.organization.accounts.len());
    while let Some(result) = rx.recv().await {
        let _ = progress.tick(err, result.identity_ok());
        results.push(result);
    }
    while tasks.join_next().await.is_some() {}
    let order = |r: &AccountResult| {
        org.organization
            .accounts
            .iter()
            .position(|a| a.id == r.org.id)
    };
    results.sort_by_key(order);
    Ok((org, results))
}

/// The listing as one JSON object; `listed`: with each account's resource counts and calls.
pub fn to_json(org: &OpenedOrg, results: &[AccountResult], listed: bool) -> serde_json::Value {
    let accounts: Vec<serde_json::Value> = results
        .iter()
        .map(|r| {
            let mut row = json!({
                "id": r.org.id,
                "name": r.org.name,
                "status": r.org.status,
                "ou_path": r.org.ou_path,
                "management": r.org.management,
                "access": r.access.to_string(),
                "identity_ok": r.identity_ok(),
            });
            match &r.outcome {
                Err(reason) => row["reason"] = json!(reason.to_string()),
                Ok(account) if listed => {
                    row["listed"] = json!({
                        "roles": account.roles.len(),
                        "repositories": account.repositories.len(),
                        "keys": account.keys.len(),
                        "projects": account.projects.len(),
                        "pipelines": account.pipelines.len(),
                        "rules": account.rules.len(),
                    });
                    row["calls"] = json!(r.calls.total());
                }
                Ok(_) => {}
            }
            row
        })
        .collect();
    json!({
        "organization": org.organization.id,
        "management_account": org.organization.management_account_id,
        "accounts": accounts,
    })
}

fn write_text(out: &mut dyn Write, org: &OpenedOrg, results: &[AccountResult]) -> io::Result<()> {
    let readable = results.iter().filter(|r| r.identity_ok()).count();
    writeln!(
        out,
        "organization {}: {} accounts, {readable} readable, {} unknown",
        Safe(&org.organization.id),
        results.len(),
        results.len() - readable
    )?;
    for r in results {
        let state = match &r.outcome {
            Ok(_) => "ok".to_string(),
            Err(reason) => format!("unknown: {reason}"),
        };
        writeln!(
            out,
            "{} {:<24} {:<10} {:<32} {:<48} {}",
            r.org.id,
            Safe(&format!(
                "{}{}",
                r.org.name,
                if r.org.management {
                    " (management)"
                } else {
                    ""
                }
            )),
            Safe(&r.org.status),
            Safe(&r.org.ou_path),
            Safe(&r.access.to_string()),
            Safe(&state),
        )?;
    }
    Ok(())
}
