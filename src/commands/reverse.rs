//! `crossdock who-can` and `crossdock what-can`: reverse questions over every loaded account
//! (demo, snapshots, or live profiles read completely, read-only).

use std::io::{self, IsTerminal, Write};

use clap::Args;

use super::explain::SourceArgs;
use super::{EXIT_INPUT, EXIT_WORKS};
use crate::diagnose::reverse::{self, Kind};
use crate::report;
use crate::workspace::Workspace;

/// Output format of the reverse questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReverseFormat {
    /// A table for terminals.
    Text,
    /// JSON (the contract in docs/reverse.md).
    Json,
}

/// `crossdock who-can KIND --resource R`.
#[derive(Debug, Args)]
#[command(
    after_help = "Kinds: pull, push, assume, decrypt, trigger, or any IAM action (kms:GenerateDataKey).\nExit codes: 0 answered, 2 bad input, 3 accounts could not be read.\n\nExamples:\n  crossdock who-can --demo pull --resource source-repo\n  crossdock who-can --snapshot a.json --snapshot b.json assume --resource arn:aws:iam::222222222222:role/deploy\n  crossdock who-can --profile build --profile registry push --resource app --format json"
)]
pub struct WhoCanArgs {
    /// Where the accounts come from.
    #[command(flatten)]
    pub source: SourceArgs,
    /// pull, push, assume, decrypt, trigger, or an IAM action such as kms:Decrypt.
    pub kind: String,
    /// The resource: a repository, role, key or pipeline name, or any ARN.
    #[arg(long)]
    pub resource: String,
    /// Also list the principals that cannot.
    #[arg(long)]
    pub all: bool,
    /// Mask account ids, access key ids and principal ids (the presenter-mode table).
    #[arg(long)]
    pub redact: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReverseFormat::Text)]
    pub format: ReverseFormat,
}

/// `crossdock what-can --principal P`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 answered, 2 bad input, 3 accounts could not be read.\n\nExamples:\n  crossdock what-can --demo --principal codebuild-service-role\n  crossdock what-can --profile build --profile registry --principal arn:aws:iam::111111111111:role/ci --format json"
)]
pub struct WhatCanArgs {
    /// Where the accounts come from.
    #[command(flatten)]
    pub source: SourceArgs,
    /// The role: name or ARN.
    #[arg(long)]
    pub principal: String,
    /// Also list what it cannot reach.
    #[arg(long)]
    pub all: bool,
    /// Mask account ids, access key ids and principal ids (the presenter-mode table).
    #[arg(long)]
    pub redact: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReverseFormat::Text)]
    pub format: ReverseFormat,
}

/// Runs `who-can`.
pub fn who_can(args: &WhoCanArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<u8> {
    let kind = match Kind::parse(&args.kind) {
        Ok(kind) => kind,
        Err(e) => return refuse("who-can", &e.to_string(), err),
    };
    let workspace = match open(&args.source, "who-can", err)? {
        Ok(workspace) => workspace,
        Err(code) => return Ok(code),
    };
    match reverse::who_can(workspace.accounts(), &kind, &args.resource, args.all) {
        Ok(answer) => {
            match args.format {
                ReverseFormat::Json => writeln!(out, "{}", to_json(&answer))?,
                ReverseFormat::Text => {
                    write!(out, "{}", report::reverse::who_can(&answer, colour()))?
                }
            }
            Ok(EXIT_WORKS)
        }
        Err(e) => refuse("who-can", &e.to_string(), err),
    }
}

/// Runs `what-can`.
pub fn what_can(args: &WhatCanArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<u8> {
    let workspace = match open(&args.source, "what-can", err)? {
        Ok(workspace) => workspace,
        Err(code) => return Ok(code),
    };
    match reverse::what_can(workspace.accounts(), &args.principal, args.all) {
        Ok(answer) => {
            match args.format {
                ReverseFormat::Json => writeln!(out, "{}", to_json(&answer))?,
                ReverseFormat::Text => {
                    write!(out, "{}", report::reverse::what_can(&answer, colour()))?
                }
            }
            Ok(EXIT_WORKS)
        }
        Err(e) => refuse("what-can", &e.to_string(), err),
    }
}

fn refuse(command: &str, message: &str, err: &mut dyn Write) -> io::Result<u8> {
    writeln!(err, "crossdock {command}: {message}")?;
    Ok(EXIT_INPUT)
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    // Serialising plain data with string keys cannot fail.
    serde_json::to_string_pretty(value).unwrap_or_default()
}

fn colour() -> report::text::Colour {
    report::text::Colour::detect(
        io::stdout().is_terminal(),
        std::env::var("NO_COLOR").ok().as_deref(),
    )
}

/// The accounts to answer over. A reverse question needs every role and policy, so live
/// accounts are read completely (said on stderr, with the calls it took). When the accounts
/// cannot be opened, the reason is printed and the exit code returned.
fn open(
    source: &SourceArgs,
    command: &str,
    err: &mut dyn Write,
) -> io::Result<Result<Workspace, u8>> {
    let profiles = source.profiles();
    if !profiles.is_empty() {
        return open_live(&profiles, source, command, err);
    }
    // The same sources and refusals as `explain` (no data source → exit 2 naming them).
    match super::explain::offline_workspace(source, false) {
        Ok(workspace) => Ok(Ok(workspace)),
        Err(e) => {
            writeln!(err, "crossdock {command}: {e}")?;
            Ok(Err(EXIT_INPUT))
        }
    }
}

#[cfg(feature = "aws")]
fn open_live(
    profiles: &[String],
    source: &SourceArgs,
    command: &str,
    err: &mut dyn Write,
) -> io::Result<Result<Workspace, u8>> {
    let stats = source.stats;
    let org_profile = source.org.org_profile.as_deref();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    writeln!(
        err,
        "crossdock {command}: reading every role and policy of {} (read-only) …",
        profiles.join(", ")
    )?;
    let start = std::time::Instant::now();
    let opened = runtime.block_on(async {
        let mut workspace = Workspace::connect_with_org(profiles, org_profile).await?;
        let cost = workspace.read_everything().await;
        Ok::<_, crate::workspace::WorkspaceError>((workspace, cost))
    });
    match opened {
        Ok((workspace, cost)) => {
            if stats {
                super::explain::write_stats(&cost, start.elapsed(), err)?;
            }
            Ok(Ok(workspace))
        }
        Err(e) => {
            writeln!(err, "crossdock {command}: {e}")?;
            Ok(Err(super::EXIT_UNKNOWN))
        }
    }
}

#[cfg(not(feature = "aws"))]
fn open_live(
    _: &[String],
    _: &SourceArgs,
    command: &str,
    err: &mut dyn Write,
) -> io::Result<Result<Workspace, u8>> {
    writeln!(
        err,
        "crossdock {command}: this build has no AWS support; use --snapshot or --demo"
    )?;
    Ok(Err(EXIT_INPUT))
}
