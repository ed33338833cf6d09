//! Command-line arguments and dispatch: the headless commands, shell completions, and —
//! with no command — the terminal console (the main job).

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::commands::{self, eval::EvalFormat, explain::ExplainArgs};

const MAIN_EXAMPLES: &str = "Examples:
  crossdock                                   # the console: your AWS profiles, or the demo when none are configured
  crossdock --demo                            # the embedded demo (accounts A and B with scenarios S1–S6)
  crossdock --profile-a build --profile-b registry
  crossdock --snapshot accounts.json          # a saved snapshot, offline
  crossdock --demo --tab repos --select source-repo
  crossdock --demo --explain-error \"denied: User: arn:aws:sts::111111111111:assumed-role/codebuild-service-role/x is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo because no resource-based policy allows the ecr:BatchGetImage action\"
  crossdock --profile-a build --profile-b registry --org-trail s3://org-trail-bucket --since 24h   # Trail tab from the organisation trail
  crossdock --presenter --theme high-contrast # mask account ids for screen sharing
  crossdock --print-config                    # where config, keymap and themes are read from
  crossdock completions zsh > ~/.zfunc/_crossdock";

/// crossdock: why can't this principal pull, push, assume or trigger across two AWS
/// accounts — and what exactly fixes it?
#[derive(Debug, Parser)]
#[command(name = "crossdock", version, about, long_about = None, after_help = MAIN_EXAMPLES)]
pub struct Cli {
    /// What to do (none: open the console).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Append a log of AWS calls (operation, account, duration, outcome; never credentials)
    /// to PATH; `-` means $XDG_STATE_HOME/crossdock/crossdock.log. Also CROSSDOCK_LOG=PATH.
    #[arg(long, global = true, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
    /// Console options.
    #[command(flatten)]
    pub console: ConsoleArgs,
}

/// Options of the console (used when no subcommand is given).
#[derive(Debug, Clone, Default, Args)]
pub struct ConsoleArgs {
    /// Open the embedded demo even when AWS profiles are configured.
    #[arg(long, conflicts_with_all = ["snapshot", "profile_a", "profile_b"])]
    pub demo: bool,
    /// Open snapshot files instead of live accounts (one file with both accounts, or one per side).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["profile_a", "profile_b"])]
    pub snapshot: Vec<PathBuf>,
    /// AWS profile for account A (skips the picker for A).
    #[arg(long, value_name = "PROFILE")]
    pub profile_a: Option<String>,
    /// AWS profile for account B (skips the picker for B).
    #[arg(long, value_name = "PROFILE")]
    pub profile_b: Option<String>,
    /// The organisation's management account (or a delegated administrator) profile: read
    /// the SCPs and RCPs above live accounts, and — without --profile-a/-b — open the
    /// organisation's accounts (the picker lists every account, fuzzy by name, id and OU).
    #[arg(long = "org-profile", id = "console_org_profile", value_name = "P", conflicts_with_all = ["snapshot", "demo"])]
    pub org_profile: Option<String>,
    /// With --org-profile: the role assumed in each member account (else your profiles are
    /// matched by account id).
    #[arg(
        long = "org-role",
        id = "console_org_role",
        value_name = "NAME",
        requires = "console_org_profile"
    )]
    pub org_role: Option<String>,
    /// Colour theme: dark, light, high-contrast, or NAME for themes/NAME.toml in the config dir.
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,
    /// Presenter mode: mask account ids on screen and in copies.
    #[arg(long)]
    pub presenter: bool,
    /// Open on this tab: roles, repos, keys, pipelines, trail.
    #[arg(long, value_name = "TAB")]
    pub tab: Option<String>,
    /// Select the resource with this name in the opened tab (account A first, then B).
    #[arg(long, value_name = "NAME")]
    pub select: Option<String>,
    /// Explain this AWS error text as soon as the accounts are loaded.
    #[arg(long, value_name = "TEXT")]
    pub explain_error: Option<String>,
    /// Print the effective configuration (config file, theme, keymap, NO_COLOR) and exit.
    #[arg(long)]
    pub print_config: bool,
    /// Feed the Trail tab from the organisation trail's log files in S3
    /// (`s3://BUCKET[/PREFIX]`, the prefix before `AWSLogs/`) instead of LookupEvents: each
    /// side lists the calls its account takes part in, from anywhere in the organisation.
    #[arg(long = "org-trail", id = "console_org_trail", value_name = "S3_URL", conflicts_with_all = ["snapshot", "demo"])]
    pub org_trail: Option<String>,
    /// With --org-trail: the profile that reads the bucket (default: --org-profile, else the
    /// default credential chain).
    #[arg(
        long = "trail-profile",
        id = "console_trail_profile",
        value_name = "P",
        requires = "console_org_trail"
    )]
    pub trail_profile: Option<String>,
    /// With --org-trail: only these accounts' folders (comma-separated ids).
    #[arg(
        long = "accounts",
        id = "console_accounts",
        value_name = "IDS",
        value_delimiter = ',',
        requires = "console_org_trail"
    )]
    pub accounts: Vec<String>,
    /// With --org-trail: only these regions (comma-separated).
    #[arg(
        long = "regions",
        id = "console_regions",
        value_name = "REGIONS",
        value_delimiter = ',',
        requires = "console_org_trail"
    )]
    pub regions: Vec<String>,
    /// With --org-trail: how far back to read: `30m`, `2h`, `1d` (default 1h).
    #[arg(
        long = "since",
        id = "console_since",
        value_name = "AGE",
        requires = "console_org_trail"
    )]
    pub since: Option<String>,
}

/// `--org-profile PROFILE`, defined once in `commands` (which this layer may not be imported
/// by) and shared by `explain`, `who-can`, `what-can` and the console.
pub use crate::commands::OrgArgs;

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate an IAM authorization request file (or every *.json in a directory).
    #[command(
        after_help = "Examples:\n  crossdock eval request.json\n  crossdock eval --format text request.json\n  crossdock eval tests/eval-cases/          # one JSON line per file, then `N passed, M failed`\n  crossdock eval --bench tests/eval-cases/  # median time per evaluation"
    )]
    Eval {
        /// A request file (format: examples/eval/README.md) or a directory of them.
        path: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = EvalFormat::Json)]
        format: EvalFormat,
        /// Evaluate each request repeatedly after a warm-up and print the median time.
        #[arg(long)]
        bench: bool,
    },
    /// Show CloudTrail events, classified: from saved files, or live from an account.
    Trail(commands::trail::TrailArgs),
    /// Read one account (or two) completely, read-only, and write a snapshot file.
    #[cfg(feature = "aws")]
    #[command(
        after_help = "Examples:\n  crossdock snapshot --profile prod -o prod.json\n  crossdock snapshot --profile prod --region eu-west-1 -o prod.json --redact   # account ids replaced, tags dropped\n  crossdock snapshot --profile build --profile-b registry -o pair.json         # both accounts in one file\n  crossdock snapshot --org-profile mgmt --org-role ReadOnlyAudit -o org.json  # every account of the organisation, streamed\n\nProfiles come from ~/.aws/config and ~/.aws/credentials (or AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE).\nThe reading role needs docs/iam-policy.json. Exit codes: 0 written, 2 bad input (unknown profile, cannot write the file), 4 AWS could not be read."
    )]
    Snapshot {
        /// The AWS profile of the account to read.
        #[arg(
            long,
            required_unless_present = "org_profile",
            conflicts_with = "org_profile"
        )]
        profile: Option<String>,
        /// Every readable account of an AWS Organization instead, through this profile of
        /// its management account (or a delegated administrator), streamed into one file.
        #[arg(long, value_name = "P", conflicts_with = "profile_b")]
        org_profile: Option<String>,
        /// With --org-profile: the role assumed in each member account.
        #[arg(long, value_name = "NAME", requires = "org_profile")]
        org_role: Option<String>,
        /// With --org-profile: accounts read at the same time.
        #[arg(long, value_name = "N", default_value_t = 8)]
        accounts_at_once: usize,
        /// A second profile, for a file holding both accounts of a pair.
        #[arg(long)]
        profile_b: Option<String>,
        /// The region to read (default: the profile's).
        #[arg(long)]
        region: Option<String>,
        /// The snapshot file to write.
        #[arg(short, long)]
        output: PathBuf,
        /// Replace account ids with fake ones, drop tags, session names (SSO e-mails) and
        /// callers' IP addresses, for sharing.
        #[arg(long)]
        redact: bool,
    },
    /// Why does a pull / push / assume-role / pipeline trigger / artifact access fail, and what fixes it?
    #[command(
        after_help = "Exit codes: 0 works, 1 fails, 3 unknown (evidence missing), 2 bad input (no data source, unknown profile or name) or output that cannot be written.\n\nExamples:\n  crossdock explain --demo scenario s1-broken\n  crossdock explain --demo pull --principal codebuild-service-role --repo source-repo\n  crossdock explain --snapshot a.json --snapshot b.json assume --principal ci-role --role arn:aws:iam::222222222222:role/deploy\n  crossdock explain --demo error \"denied: User: arn:aws:sts::… is not authorized to perform: ecr:BatchGetImage …\""
    )]
    Explain(ExplainArgs),
    /// What changed between two snapshots: documents, statements, and the verdicts they flip.
    #[command(
        after_help = "Exit codes: 0 no verdict changed, 1 a verdict changed, 2 bad input.\n\nExamples:\n  crossdock diff monday.json tuesday.json\n  crossdock diff old.json new.json --format json --question \"pull --principal ci-role --repo app\""
    )]
    Diff(crate::commands::diff::DiffArgs),
    /// Who can pull / push / assume / decrypt / trigger this resource (or perform any IAM action on it)?
    WhoCan(crate::commands::reverse::WhoCanArgs),
    /// What can this role pull, push, assume, decrypt or trigger across the loaded accounts?
    WhatCan(crate::commands::reverse::WhatCanArgs),
    /// The embedded demo: its scenarios and the commands that explain them.
    Demo {
        /// What to do with the demo.
        #[command(subcommand)]
        command: DemoCommand,
    },
    /// Every account of an AWS Organization: OU path, how crossdock reads it, identity.
    #[cfg(feature = "aws")]
    Accounts(crate::commands::accounts::AccountsArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  crossdock completions bash > ~/.local/share/bash-completion/completions/crossdock\n  crossdock completions zsh > ~/.zfunc/_crossdock\n  crossdock completions fish > ~/.config/fish/completions/crossdock.fish"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// `crossdock demo …`.
#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Print every scenario with the exact explain command that shows it.
    List,
}

/// Parses `args` and runs; returns the process exit code.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                commands::EXIT_INPUT
            } else {
                0
            });
        }
    };
    let stdout = io::stdout();
    let stderr = io::stderr();
    let (mut out, mut err) = (stdout.lock(), stderr.lock());
    let log_file = crate::logging::requested(
        cli.log_file.as_deref(),
        std::env::var_os(crate::logging::ENV_VAR),
    );
    if let Some(path) = log_file {
        if let Err(message) = crate::logging::init(&path) {
            let _ = writeln!(err, "crossdock: {message}");
            return ExitCode::from(commands::EXIT_INPUT);
        }
        tracing::info!(version = env!("CARGO_PKG_VERSION"), "crossdock started");
    }
    if let (Some(_), Some(flag)) = (&cli.command, console_only_flag(&cli.console)) {
        let _ = writeln!(
            err,
            "crossdock: {flag} applies to the console only and would be ignored by this command; \
             to mask headless output use `explain --redact` or `trail --redact`"
        );
        return ExitCode::from(commands::EXIT_INPUT);
    }
    let Some(command) = cli.command else {
        drop(out);
        drop(err);
        return console(&cli.console);
    };
    let code = headless(command, &mut out, &mut err);
    // What is still buffered must reach its destination before the code says it did.
    let code = code.and_then(|code| out.flush().map(|()| code));
    finish(code, &mut err)
}

/// Runs a headless command; returns its exit code.
fn headless(command: Command, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<u8> {
    match command {
        Command::Eval {
            path,
            format,
            bench,
        } => commands::eval::run(&path, format, bench, out, err),
        Command::Trail(args) => commands::redact::maybe_redacted(args.redact, out, |out| {
            commands::trail::run(&args, out, err)
        }),
        #[cfg(feature = "aws")]
        Command::Snapshot {
            org_profile: Some(org_profile),
            org_role,
            accounts_at_once,
            region,
            output,
            redact,
            ..
        } => commands::org_snapshot::run(
            &commands::org_snapshot::OrgSnapshotArgs {
                org: commands::accounts::OrgReadArgs {
                    org_profile,
                    org_role,
                    region,
                    accounts_at_once,
                    calls_per_account: 4,
                },
                output,
                redact,
            },
            out,
            err,
        ),
        #[cfg(feature = "aws")]
        Command::Snapshot {
            profile,
            profile_b,
            region,
            output,
            redact,
            ..
        } => commands::snapshot::run(
            &commands::snapshot::SnapshotArgs {
                source: crate::aws::ProfileSource::from_env(),
                profile: profile.unwrap_or_default(),
                profile_b,
                region,
                output,
                redact,
            },
            out,
            err,
        ),
        Command::Explain(args) => commands::redact::maybe_redacted(args.redact, out, |out| {
            commands::explain::run(&args, out, err)
        }),
        Command::Diff(args) => commands::diff::run(&args, out, err),
        Command::WhoCan(args) => commands::redact::maybe_redacted(args.redact, out, |out| {
            commands::reverse::who_can(&args, out, err)
        }),
        Command::WhatCan(args) => commands::redact::maybe_redacted(args.redact, out, |out| {
            commands::reverse::what_can(&args, out, err)
        }),
        Command::Demo {
            command: DemoCommand::List,
        } => commands::explain::demo_list(out, err),
        #[cfg(feature = "aws")]
        Command::Accounts(args) => commands::accounts::run(&args, out, err),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "crossdock", out);
            Ok(0)
        }
    }
}

/// The first console option given, which a subcommand would silently ignore.
fn console_only_flag(args: &ConsoleArgs) -> Option<&'static str> {
    [
        (args.presenter, "--presenter"),
        (args.theme.is_some(), "--theme"),
        (args.tab.is_some(), "--tab"),
        (args.select.is_some(), "--select"),
        (args.explain_error.is_some(), "--explain-error"),
        (args.print_config, "--print-config"),
        (args.org_profile.is_some(), "--org-profile"),
        (args.org_trail.is_some(), "--org-trail"),
    ]
    .into_iter()
    .find_map(|(given, flag)| given.then_some(flag))
}

fn finish(code: io::Result<u8>, err: &mut dyn Write) -> ExitCode {
    match code {
        Ok(code) => ExitCode::from(code),
        // A closed pipe (e.g. `| head`) is not an error worth a message.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        // Never 1, which means "fails": a script must not read a full disk as a verdict.
        Err(e) => {
            let _ = writeln!(err, "crossdock: cannot write the output: {e}");
            ExitCode::from(commands::EXIT_INPUT)
        }
    }
}

#[cfg(feature = "tui")]
fn console(args: &ConsoleArgs) -> ExitCode {
    use crate::tui::{app, config, panes::Tab, profiles, source::DataSource};
    let effective = match config::resolve(args.theme.as_deref(), args.presenter) {
        Ok(effective) => effective,
        Err(e) => {
            eprintln!("crossdock: {e}");
            return ExitCode::from(commands::EXIT_INPUT);
        }
    };
    let source =
        if args.org_profile.is_some() && args.profile_a.is_none() && args.profile_b.is_none() {
            // The organisation's accounts stand in for profiles: the picker lists them.
            DataSource::Profiles { a: None, b: None }
        } else if args.demo {
            DataSource::Demo
        } else if !args.snapshot.is_empty() {
            DataSource::Snapshot(args.snapshot.clone())
        } else if args.profile_a.is_some() || args.profile_b.is_some() || profiles::aws_configured()
        {
            DataSource::Profiles {
                a: args.profile_a.clone(),
                b: args.profile_b.clone(),
            }
        } else {
            DataSource::Demo
        };
    if args.print_config {
        print!("{}", effective.to_toml(&source.label()));
        return ExitCode::SUCCESS;
    }
    if let Err(e) = check_org_trail(args, &source) {
        eprintln!("crossdock: {e}");
        return ExitCode::from(commands::EXIT_INPUT);
    }
    // The organisation profile serves live accounts only (the demo and snapshots hold their
    // own organisation data).
    let org_profile = match &source {
        DataSource::Profiles { .. } => args.org_profile.clone(),
        _ => None,
    };
    let tab = match args.tab.as_deref().map(|t| (t, Tab::from_name(t))) {
        Some((name, None)) => {
            eprintln!(
                "crossdock: unknown tab `{name}`; use roles, repos, keys, pipelines or trail"
            );
            return ExitCode::from(commands::EXIT_INPUT);
        }
        Some((_, tab)) => tab,
        None => None,
    };
    let options = app::AppOptions {
        source,
        theme: effective.resolved_theme,
        keymap: effective.resolved_keymap,
        presenter: effective.presenter.0,
        deep_link: app::DeepLink {
            tab,
            select: args.select.clone(),
            explain_error: args.explain_error.clone(),
        },
    };
    match run_console(options, args, org_profile.as_deref()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("crossdock: terminal error: {e}");
            ExitCode::from(1)
        }
    }
}

/// The console on the organisation's accounts with `--org-profile`, else on profiles; the
/// Trail tab fed by the organisation trail with `--org-trail`.
#[cfg(feature = "tui")]
fn run_console(
    options: crate::tui::app::AppOptions,
    args: &ConsoleArgs,
    org_profile: Option<&str>,
) -> io::Result<()> {
    let feed = trail_feed(args);
    #[cfg(feature = "aws")]
    if let (Some(profile), None, None) = (&args.org_profile, &args.profile_a, &args.profile_b) {
        let org = crate::tui::org::OrgSource {
            profile: profile.clone(),
            role: args.org_role.clone(),
        };
        let live = std::sync::Arc::new(crate::tui::org::OrgAccounts::new(org));
        return crate::tui::run_fed(options, live, org_profile, feed);
    }
    crate::tui::run_fed(options, crate::tui::live_accounts(), org_profile, feed)
}

/// The organisation trail reader of `--org-trail` (its arguments checked by
/// [`org_trail_source`] before the terminal is taken).
#[cfg(all(feature = "tui", feature = "aws"))]
fn trail_feed(args: &ConsoleArgs) -> Option<std::sync::Arc<dyn crate::tui::trail_feed::TrailFeed>> {
    let source = org_trail_source(args).ok()??;
    Some(std::sync::Arc::new(
        crate::tui::org_trail::OrgTrailReader::new(source),
    ))
}

#[cfg(all(feature = "tui", not(feature = "aws")))]
fn trail_feed(_: &ConsoleArgs) -> Option<std::sync::Arc<dyn crate::tui::trail_feed::TrailFeed>> {
    None
}

/// Why the console's `--org-trail` arguments do not make a read.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleTrailError {
    /// The bucket location.
    #[error(transparent)]
    Url(#[from] crate::trail::org_trail::S3UrlError),
    /// `--since`.
    #[error(transparent)]
    Since(#[from] commands::trail::SinceError),
    /// An `--accounts` item.
    #[error("invalid --accounts item {0:?}: expected 12-digit account ids")]
    Account(String),
    /// The console would show no live account to feed.
    #[error("--org-trail feeds the Trail tab of live accounts: open profiles (--profile-a/--profile-b, the picker) or an organisation (--org-profile)")]
    NotLive,
    /// This build cannot read S3.
    #[error("--org-trail needs AWS support; this build lacks the `aws` feature")]
    NoAws,
}

/// `--org-trail` and its options checked: what to read (`None` without `--org-trail`).
#[cfg(all(feature = "tui", feature = "aws"))]
pub fn org_trail_source(
    args: &ConsoleArgs,
) -> Result<Option<crate::tui::org_trail::OrgTrailSource>, ConsoleTrailError> {
    let Some(url) = &args.org_trail else {
        return Ok(None);
    };
    let (bucket, prefix) = crate::trail::org_trail::parse_s3_url(url)?;
    let since = commands::trail::parse_since(
        args.since
            .as_deref()
            .unwrap_or(commands::trail::DEFAULT_SINCE),
    )?;
    if let Some(bad) = args
        .accounts
        .iter()
        .find(|a| !crate::policy::arn::is_account_id(a))
    {
        return Err(ConsoleTrailError::Account(bad.clone()));
    }
    Ok(Some(crate::tui::org_trail::OrgTrailSource {
        bucket,
        prefix,
        profile: args
            .trail_profile
            .clone()
            .or_else(|| args.org_profile.clone()),
        accounts: args.accounts.clone(),
        regions: args.regions.clone(),
        since_secs: since.as_secs() as i64,
    }))
}

/// Checks `--org-trail` before the console starts: its arguments, and that it has live
/// accounts to feed.
#[cfg(feature = "tui")]
fn check_org_trail(
    args: &ConsoleArgs,
    source: &crate::tui::source::DataSource,
) -> Result<(), ConsoleTrailError> {
    if args.org_trail.is_none() {
        return Ok(());
    }
    if !matches!(source, crate::tui::source::DataSource::Profiles { .. }) {
        return Err(ConsoleTrailError::NotLive);
    }
    #[cfg(feature = "aws")]
    return org_trail_source(args).map(|_| ());
    #[cfg(not(feature = "aws"))]
    return Err(ConsoleTrailError::NoAws);
}

#[cfg(not(feature = "tui"))]
fn console(args: &ConsoleArgs) -> ExitCode {
    let _ = args;
    let mut out = io::stdout();
    let _ = writeln!(out, "{}", Cli::command().render_long_help());
    let _ = writeln!(
        out,
        "(this build has no console: rebuild with the `tui` feature)"
    );
    ExitCode::SUCCESS
}
