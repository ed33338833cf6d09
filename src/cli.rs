//! Command-line arguments and dispatch to the headless commands (or, with no command, the
//! main job).

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::commands::{self, eval::EvalFormat, explain::ExplainArgs};

/// crossdock: why can't this principal pull, push, assume or trigger across two AWS
/// accounts — and what exactly fixes it?
#[derive(Debug, Parser)]
#[command(name = "crossdock", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Append a log of AWS calls (operation, account, duration, outcome; never credentials)
    /// to PATH; `-` means $XDG_STATE_HOME/crossdock/crossdock.log. Also CROSSDOCK_LOG=PATH.
    #[arg(long, global = true, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
}

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
        after_help = "Examples:\n  crossdock snapshot --profile prod -o prod.json\n  crossdock snapshot --profile prod --region eu-west-1 -o prod.json --redact   # account ids replaced, tags dropped\n  crossdock snapshot --profile build --profile-b registry -o pair.json         # both accounts in one file\n\nProfiles come from ~/.aws/config and ~/.aws/credentials (or AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE).\nThe reading role needs docs/iam-policy.json. Exit codes: 0 written, 2 cannot write the file, 4 AWS could not be read."
    )]
    Snapshot {
        /// The AWS profile of the account to read.
        #[arg(long)]
        profile: String,
        /// A second profile, for a file holding both accounts of a pair.
        #[arg(long)]
        profile_b: Option<String>,
        /// The region to read (default: the profile's).
        #[arg(long)]
        region: Option<String>,
        /// The snapshot file to write.
        #[arg(short, long)]
        output: PathBuf,
        /// Replace account ids with fake ones and drop tags, for sharing.
        #[arg(long)]
        redact: bool,
    },
    /// Why does a pull / push / assume-role / pipeline trigger / artifact access fail, and what fixes it?
    #[command(
        after_help = "Exit codes: 0 works, 1 fails, 3 unknown (evidence missing), 2 bad input.\n\nExamples:\n  crossdock explain --demo scenario s1-broken\n  crossdock explain --demo pull --principal codebuild-service-role --repo source-repo\n  crossdock explain --snapshot a.json --snapshot b.json assume --principal ci-role --role arn:aws:iam::222222222222:role/deploy\n  crossdock explain --demo error \"denied: User: arn:aws:sts::… is not authorized to perform: ecr:BatchGetImage …\""
    )]
    Explain(ExplainArgs),
    /// The embedded demo: its scenarios and the commands that explain them.
    Demo {
        /// What to do with the demo.
        #[command(subcommand)]
        command: DemoCommand,
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
    let code = match cli.command {
        Some(Command::Eval {
            path,
            format,
            bench,
        }) => commands::eval::run(&path, format, bench, &mut out, &mut err),
        Some(Command::Trail(args)) => commands::trail::run(&args, &mut out, &mut err),
        #[cfg(feature = "aws")]
        Some(Command::Snapshot {
            profile,
            profile_b,
            region,
            output,
            redact,
        }) => commands::snapshot::run(
            &commands::snapshot::SnapshotArgs {
                source: crate::aws::ProfileSource::from_env(),
                profile,
                profile_b,
                region,
                output,
                redact,
            },
            &mut out,
            &mut err,
        ),
        Some(Command::Explain(args)) => commands::explain::run(&args, &mut out, &mut err),
        Some(Command::Demo {
            command: DemoCommand::List,
        }) => commands::explain::demo_list(&mut out, &mut err),
        None => print_overview(&mut out),
    };
    match code {
        Ok(code) => ExitCode::from(code),
        // A closed pipe (e.g. `| head`) is not an error worth a message.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(err, "crossdock: {e}");
            ExitCode::from(1)
        }
    }
}

fn print_overview(out: &mut dyn Write) -> io::Result<u8> {
    use clap::CommandFactory;
    writeln!(out, "{}", Cli::command().render_long_help())?;
    Ok(0)
}
