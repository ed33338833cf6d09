//! `crossdock explain …`: one question about the given accounts, answered headless as text,
//! JSON or Markdown, with exit codes scripts can use. The arguments become a draft; the
//! workspace resolves, reads and answers it like every other front end.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::{EXIT_FAILS, EXIT_INPUT, EXIT_UNKNOWN, EXIT_WORKS};
use crate::diagnose::change::ChangeSet;
use crate::diagnose::draft::RunsIn;
use crate::diagnose::model::{Diagnosis, Verdict};
use crate::diagnose::scenario;
use crate::diagnose::{error_text, Question, QuestionDraft};
use crate::inventory::demo::DemoError;
use crate::report::fixes::FixFormat;
use crate::report::{self, DataSource, SnapshotSource};
use crate::workspace::{Cost, Origin, SnapshotsError, Workspace};

/// The refusal when no data source is given.
const NO_SOURCE: &str = "no data source: pass --demo (the embedded example accounts), \
    --snapshot FILE (saved accounts) or --profile NAME (live, read-only; --profile-a/--profile-b \
    for two)";

/// Where the accounts come from.
#[derive(Debug, Clone, Args)]
pub struct SourceArgs {
    /// Use the embedded demo accounts (111111111111 and 222222222222).
    #[arg(long, global = true, conflicts_with = "snapshot")]
    pub demo: bool,
    /// Read accounts from snapshot files (one pair file, or one file per account).
    #[arg(long, value_name = "FILE", global = true, num_args = 1)]
    pub snapshot: Vec<PathBuf>,
    /// Read an account live through this AWS profile (read-only; loads only what the
    /// question needs). Repeat for every account the question spans.
    #[arg(long = "profile", value_name = "PROFILE", global = true, conflicts_with_all = ["demo", "snapshot"])]
    pub profiles: Vec<String>,
    /// Read account A live through this AWS profile (same as the first --profile).
    #[arg(long, global = true, conflicts_with_all = ["demo", "snapshot"])]
    pub profile_a: Option<String>,
    /// Read account B live through this AWS profile.
    #[arg(long, global = true, requires = "profile_a")]
    pub profile_b: Option<String>,
    /// Print how many AWS calls the answer took, and how long, on stderr.
    #[arg(long, global = true)]
    pub stats: bool,
    /// The organisation profile (SCPs, RCPs).
    #[command(flatten)]
    pub org: super::OrgArgs,
}

impl SourceArgs {
    /// Every live profile given, `--profile-a` and `--profile-b` first.
    pub fn profiles(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .profile_a
            .iter()
            .chain(self.profile_b.iter())
            .cloned()
            .collect();
        for profile in &self.profiles {
            if !all.contains(profile) {
                all.push(profile.clone());
            }
        }
        all
    }
}

/// Output format of `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    /// For terminals (colour when stdout is a terminal and NO_COLOR is unset).
    Text,
    /// The Diagnosis as JSON.
    Json,
    /// For tickets.
    Markdown,
}

/// The arguments of `crossdock explain`.
#[derive(Debug, Clone, Args)]
pub struct ExplainArgs {
    /// Where the accounts come from.
    #[command(flatten)]
    pub source: SourceArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text, global = true)]
    pub format: ExplainFormat,
    /// Mask account ids, access key ids and principal ids, and remove session tokens, in
    /// every format (the console's presenter-mode table), for sharing the output.
    #[arg(long, global = true)]
    pub redact: bool,
    /// How the complete fixes are shown in text and Markdown: the document (`json`), `aws`
    /// commands (`cli`), `terraform`, `cloudformation`, `cdk-ts` or `cdk-python`. The JSON
    /// output carries every rendering.
    #[arg(long, value_enum, default_value_t = FixFormat::Json, global = true)]
    pub fix_format: FixFormat,
    /// Answer as if these changes were made (never sent to AWS): a file holding
    /// `{"changes": [{"location": …, "document": …}]}`, or the JSON output of `explain`
    /// (its `fixes`).
    #[arg(long, value_name = "FILE", global = true)]
    pub what_if: Option<PathBuf>,
    /// The history of the question's documents (`--history --history-file FILE`).
    #[command(flatten)]
    pub history: super::history::HistoryArgs,
    /// The question.
    #[command(subcommand)]
    pub question: QuestionArgs,
}

/// The questions.
#[derive(Debug, Clone, Subcommand)]
pub enum QuestionArgs {
    /// Can PRINCIPAL pull REPO[:TAG]?
    #[command(
        after_help = "Examples:\n  crossdock explain --demo pull --principal arn:aws:sts::111111111111:assumed-role/codebuild-service-role/AWSCodeBuild-1 --repo source-repo\n  crossdock explain --snapshot pair.json pull --principal codebuild-service-role --repo arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo --format json"
    )]
    Pull {
        /// Role, session or user ARN (or a role name), or a service principal such as lambda.amazonaws.com.
        #[arg(long)]
        principal: String,
        /// Repository name, ARN or URI.
        #[arg(long)]
        repo: String,
        /// Tag pulled (default: latest, shown as an assumption).
        #[arg(long)]
        tag: Option<String>,
        /// The pull is this CodeBuild project's environment-image pull.
        #[arg(long)]
        project: Option<String>,
        /// aws:SourceArn of a service-principal pull (e.g. the Lambda function ARN).
        #[arg(long)]
        source_arn: Option<String>,
        /// The VPC endpoint (vpce-…) the pull goes through: its policy is evaluated, and the
        /// VPC's way to the S3 layer bucket checked.
        #[arg(long, value_name = "VPCE_ID")]
        vpc_endpoint: Option<String>,
        /// The ECS service the caller's tasks run in (CLUSTER/SERVICE or its ARN): the
        /// pull goes through its awsvpc subnets' VPC. Without it, a role that is a
        /// service's execution or task role is placed in that service's VPC.
        #[arg(
            long,
            value_name = "CLUSTER/SERVICE",
            conflicts_with = "lambda_function"
        )]
        ecs_service: Option<String>,
        /// The Lambda function whose code makes the call (name or ARN): its VpcConfig is
        /// the network path. A container-image function's own image is pulled by the Lambda
        /// service instead: ask with --principal lambda.amazonaws.com --source-arn ARN.
        #[arg(long, value_name = "FUNCTION")]
        lambda_function: Option<String>,
    },
    /// Can PRINCIPAL push REPO:TAG?
    #[command(
        after_help = "Example:\n  crossdock explain --demo push --principal ci-push-admin-portal --repo admin-portal --tag v1"
    )]
    Push {
        /// Role or session ARN (or a role name).
        #[arg(long)]
        principal: String,
        /// Repository name, ARN or URI.
        #[arg(long)]
        repo: String,
        /// Tag pushed (default: latest, shown as an assumption).
        #[arg(long)]
        tag: Option<String>,
    },
    /// Can PRINCIPAL assume ROLE?
    #[command(
        after_help = "Example:\n  crossdock explain --demo assume --principal codebuild-deploy-role --role arn:aws:iam::222222222222:role/assume-role-from-codebuild"
    )]
    Assume {
        /// Role, session or user ARN (or a role name), or a service principal.
        #[arg(long)]
        principal: String,
        /// Role ARN or name.
        #[arg(long)]
        role: String,
        /// The external id the caller sends.
        #[arg(long)]
        external_id: Option<String>,
    },
    /// Does a push start PIPELINE?
    #[command(
        after_help = "Example:\n  crossdock explain --demo trigger --pipeline order-service-deploy --pusher arn:aws:sts::111111111111:assumed-role/order-service-build-role/s"
    )]
    Trigger {
        /// Pipeline name or ARN.
        #[arg(long)]
        pipeline: String,
        /// Repository pushed to (default: the pipeline's ECR source repository).
        #[arg(long)]
        repo: Option<String>,
        /// Tag pushed (default: the tag the pipeline watches).
        #[arg(long)]
        tag: Option<String>,
        /// Who pushes (session ARN); a pusher in another account matters for CloudTrail rules.
        #[arg(long)]
        pusher: Option<String>,
    },
    /// Can a pipeline action use the pipeline's artifact store?
    #[command(
        after_help = "Example:\n  crossdock explain --demo artifact --pipeline report-generator-release --action ContainerImageDefinition"
    )]
    Artifact {
        /// Pipeline name or ARN.
        #[arg(long)]
        pipeline: String,
        /// Action name (default: the first action with a role in another account).
        #[arg(long)]
        action: Option<String>,
    },
    /// Can PRINCIPAL perform ACTION on RESOURCE (any IAM action, e.g. kms:Decrypt on a key)?
    #[command(
        after_help = "Example:\n  crossdock explain --demo access --principal codebuild-service-role --action kms:Decrypt --resource arn:aws:kms:ap-northeast-1:222222222222:key/…"
    )]
    Access {
        /// Role, session or user ARN (or a role name), or a service principal.
        #[arg(long)]
        principal: String,
        /// The IAM action, e.g. kms:Decrypt.
        #[arg(long)]
        action: String,
        /// The resource ARN (or a role, repository or key name).
        #[arg(long)]
        resource: String,
    },
    /// Can the SOURCE registry replicate (REPO) into the DESTINATION registry?
    #[command(
        after_help = "Example:\n  crossdock explain --demo replicate --source-registry 111111111111 --destination-registry 222222222222 --repo release/api"
    )]
    Replicate {
        /// The account id of the registry that replicates.
        #[arg(long, value_name = "ACCOUNT")]
        source_registry: String,
        /// The account id of the registry replicated into.
        #[arg(long, value_name = "ACCOUNT")]
        destination_registry: String,
        /// The repository replicated (default: any).
        #[arg(long)]
        repo: Option<String>,
    },
    /// Can PRINCIPAL fill REPO (PREFIX/NAME) from the upstream of a pull-through cache rule?
    #[command(
        name = "pull-through",
        after_help = "Examples:\n  crossdock explain --demo pull-through --principal arn:aws:iam::222222222222:role/ptc-puller-role --repo docker-hub/library/nginx --registry 222222222222\n  crossdock explain --profile-a cache --profile-b upstream pull-through --principal ci-role --repo shared/base/python"
    )]
    PullThrough {
        /// Role, session or user ARN (or a role name) that pulls.
        #[arg(long)]
        principal: String,
        /// The cache repository: PREFIX/NAME, its ARN or URI (it need not exist yet).
        #[arg(long)]
        repo: String,
        /// The cache registry's account id (default: the caller's account).
        #[arg(long, value_name = "ACCOUNT")]
        registry: Option<String>,
    },
    /// Explain a pasted AWS error text (argument, --file, or stdin).
    #[command(
        after_help = "Examples:\n  crossdock explain --demo error 'denied: User: arn:aws:sts::… is not authorized to perform: ecr:BatchGetImage on resource: …'\n  pbpaste | crossdock explain --demo error\n  crossdock explain error --parse-only --format json --file build.log"
    )]
    Error {
        /// The error text.
        text: Option<String>,
        /// Read the text from a file.
        #[arg(long, conflicts_with = "text")]
        file: Option<PathBuf>,
        /// Only print the parsed fields (a list when the text holds several failures); loads no accounts.
        #[arg(long)]
        parse_only: bool,
        /// The caller, when the text names none (the 404 and 403 forms) or redacts it.
        #[arg(long, conflicts_with = "parse_only")]
        principal: Option<String>,
    },
    /// Run a demo scenario by id (see `crossdock demo list`).
    Scenario {
        /// Scenario id, e.g. s1-broken.
        id: String,
    },
}

/// Runs `explain`; returns the exit code (0 works, 1 fails, 3 unknown, 2 bad input).
pub fn run(args: &ExplainArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<u8> {
    if let QuestionArgs::Error {
        text,
        file,
        parse_only: true,
        ..
    } = &args.question
    {
        return parse_only(text.as_deref(), file.as_ref(), args.format, out, err);
    }
    let scenario = matches!(args.question, QuestionArgs::Scenario { .. });
    let source = &args.source;
    if !source.demo && source.snapshot.is_empty() && source.profiles().is_empty() && !scenario {
        // Before reading a pasted text from stdin, which would wait for input first.
        writeln!(err, "crossdock explain: {NO_SOURCE}")?;
        return Ok(EXIT_INPUT);
    }
    let draft = match draft(&args.question) {
        Ok(draft) => draft,
        Err(message) => {
            writeln!(
                err,
                "crossdock explain: {}",
                crate::safe_text::Safe(&message)
            )?;
            return Ok(EXIT_INPUT);
        }
    };
    let profiles = args.source.profiles();
    if !profiles.is_empty() {
        return run_live(&profiles, &draft, args, out, err);
    }
    let workspace = match offline_workspace(
        &args.source,
        matches!(args.question, QuestionArgs::Scenario { .. }),
    ) {
        Ok(workspace) => workspace,
        Err(message) => {
            writeln!(
                err,
                "crossdock explain: {}",
                crate::safe_text::Safe(&message)
            )?;
            return Ok(EXIT_INPUT);
        }
    };
    let mut workspace = workspace;
    if let Err(message) = what_if(args, &mut workspace) {
        writeln!(
            err,
            "crossdock explain: {}",
            crate::safe_text::Safe(&message)
        )?;
        return Ok(EXIT_INPUT);
    }
    match workspace.explain_loaded(&draft) {
        Ok(explained) if args.history.history => {
            let history = match super::history::timeline(&workspace, &draft, &args.history) {
                Ok(history) => history,
                Err(e) => {
                    writeln!(err, "crossdock explain: {e}")?;
                    return Ok(e.exit_code());
                }
            };
            let source = offline_source(&workspace);
            super::history::write(&explained.diagnosis, &history, args.format, &source, out)?;
            Ok(exit_code(&explained.diagnosis))
        }
        Ok(explained) => {
            let source = offline_source(&workspace);
            let output = Output::of(args, workspace.overlays().len());
            write_diagnosis(&explained.diagnosis, &output, &source, out)?;
            // Not ignored offline: the answer took no AWS call, and says so.
            if args.source.stats {
                write_stats(&explained.cost, std::time::Duration::ZERO, err)?;
            }
            Ok(exit_code(&explained.diagnosis))
        }
        Err(e) => {
            writeln!(err, "crossdock explain: {}", crate::safe_text::Safe(&e))?;
            Ok(EXIT_INPUT)
        }
    }
}

#[cfg(feature = "aws")]
fn run_live(
    profiles: &[String],
    draft: &QuestionDraft,
    args: &ExplainArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    if matches!(args.question, QuestionArgs::Scenario { .. }) {
        writeln!(
            err,
            "crossdock explain: scenarios live in the embedded demo; use --demo"
        )?;
        return Ok(EXIT_INPUT);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            writeln!(
                err,
                "crossdock explain: cannot start the async runtime: {e}"
            )?;
            return Ok(EXIT_UNKNOWN);
        }
    };
    let start = std::time::Instant::now();
    let deadline = question_deadline();
    let answer = runtime.block_on(async {
        // One deadline over the identity probes and every read the question makes.
        tokio::time::timeout(deadline, async {
            let org_profile = args.source.org.org_profile.as_deref();
            let mut workspace = Workspace::connect_with_org(profiles, org_profile).await?;
            let changes = what_if_changes(args).map_err(|e| {
                crate::workspace::WorkspaceError::Diagnose(
                    crate::diagnose::DiagnoseError::Unsupported(e.to_string()),
                )
            })?;
            workspace.set_overlays_unchecked(changes);
            let explained = workspace.explain(draft).await?;
            let what_if = workspace.overlays().len();
            let history = match args.history.history {
                true => Some(
                    super::history::live_timeline(&workspace, draft, &args.history, org_profile)
                        .await,
                ),
                false => None,
            };
            let source = live_source(&workspace).await;
            Ok::<_, crate::workspace::WorkspaceError>((explained, source, history, what_if))
        })
        .await
    });
    let Ok(answer) = answer else {
        writeln!(
            err,
            "crossdock explain: no answer within {} s: AWS is slow or unreachable (check the network path and the profiles' endpoints; {QUESTION_DEADLINE_ENV}=SECONDS allows longer)",
            deadline.as_secs()
        )?;
        return Ok(EXIT_UNKNOWN);
    };
    match answer {
        Ok((explained, source, Some(history), _)) => {
            let (history, requests) = match history {
                Ok(found) => found,
                Err(e) => {
                    writeln!(err, "crossdock explain: {e}")?;
                    return Ok(e.exit_code());
                }
            };
            super::history::write(&explained.diagnosis, &history, args.format, &source, out)?;
            if args.source.stats {
                write_stats(&explained.cost, start.elapsed(), err)?;
                writeln!(
                    err,
                    "crossdock: history: {requests} cloudtrail:LookupEvents requests"
                )?;
            }
            Ok(exit_code(&explained.diagnosis))
        }
        Ok((explained, source, None, what_if)) => {
            write_diagnosis(
                &explained.diagnosis,
                &Output::of(args, what_if),
                &source,
                out,
            )?;
            if args.source.stats {
                write_stats(&explained.cost, start.elapsed(), err)?;
            }
            Ok(exit_code(&explained.diagnosis))
        }
        Err(e) => {
            writeln!(err, "crossdock explain: {}", crate::safe_text::Safe(&e))?;
            Ok(live_error_code(&e))
        }
    }
}

/// The environment variable that sets the deadline of one live question, in seconds (the
/// one deadline of every live load: [`crate::deadline`]).
pub const QUESTION_DEADLINE_ENV: &str = crate::deadline::DEADLINE_ENV;

/// How long one live question may take, identity probes and reads included (default 180 s).
#[cfg(feature = "aws")]
fn question_deadline() -> std::time::Duration {
    crate::deadline::load_deadline()
}

/// Exit code of a live question that got no answer: 2 when the input is at fault (a
/// mistyped profile, an unknown or ambiguous name, as with --snapshot), 3 when AWS could not
/// be read.
#[cfg(feature = "aws")]
fn live_error_code(error: &crate::workspace::WorkspaceError) -> u8 {
    use crate::diagnose::DiagnoseError;
    use crate::inventory::ResolveError;
    use crate::workspace::WorkspaceError;
    match error {
        WorkspaceError::Aws(e) if e.is_usage() => EXIT_INPUT,
        // A name nobody could read: evidence missing, not bad input.
        WorkspaceError::Diagnose(DiagnoseError::Resolve(ResolveError::Unreadable { .. })) => {
            EXIT_UNKNOWN
        }
        WorkspaceError::Diagnose(_) | WorkspaceError::Accounts(_) | WorkspaceError::WhatIf(_) => {
            EXIT_INPUT
        }
        WorkspaceError::Aws(_) | WorkspaceError::Deadline(_) => EXIT_UNKNOWN,
    }
}

#[cfg(not(feature = "aws"))]
fn run_live(
    _: &[String],
    _: &QuestionDraft,
    _: &ExplainArgs,
    _: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    writeln!(err, "crossdock explain: this build has no AWS support (built without the `aws` feature); use --snapshot or --demo")?;
    Ok(EXIT_INPUT)
}

/// Prints the stats line of `--stats`: AWS calls per operation, and reads served from what
/// the session had already read.
pub fn write_stats(
    cost: &Cost,
    elapsed: std::time::Duration,
    err: &mut dyn Write,
) -> io::Result<()> {
    let per_operation: Vec<String> = cost
        .calls
        .iter()
        .map(|(op, n)| format!("{op}={n}"))
        .collect();
    writeln!(
        err,
        "crossdock: {} AWS calls in {} ms ({}); {} cache hits",
        cost.total_calls(),
        elapsed.as_millis(),
        per_operation.join(", "),
        cost.cache_hits
    )
}

/// The exit code for a verdict.
pub fn exit_code(diagnosis: &Diagnosis) -> u8 {
    match diagnosis.verdict {
        Verdict::Works => EXIT_WORKS,
        Verdict::Fails => EXIT_FAILS,
        Verdict::Unknown => EXIT_UNKNOWN,
    }
}

/// How an answer is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Output {
    /// Text, JSON or Markdown.
    pub format: ExplainFormat,
    /// How text and Markdown show the complete fixes.
    pub fix_format: FixFormat,
    /// How many what-if changes the answer assumes (0: none).
    pub what_if: usize,
}

impl Output {
    /// The output the arguments ask for.
    pub fn of(args: &ExplainArgs, what_if: usize) -> Self {
        Self {
            format: args.format,
            fix_format: args.fix_format,
            what_if,
        }
    }

    /// A plain output in `format` (fixes as documents, no what-if).
    pub fn plain(format: ExplainFormat) -> Self {
        Self {
            format,
            fix_format: FixFormat::default(),
            what_if: 0,
        }
    }
}

/// The banner of an answer that assumes local changes.
pub fn what_if_banner(changes: usize) -> String {
    format!("what-if: {changes} local changes (not applied)")
}

/// Writes `diagnosis` as `output` says, with where its accounts came from.
pub fn write_diagnosis(
    diagnosis: &Diagnosis,
    output: &Output,
    source: &DataSource,
    out: &mut dyn Write,
) -> io::Result<()> {
    if output.what_if > 0 && output.format != ExplainFormat::Json {
        writeln!(out, "{}\n", what_if_banner(output.what_if))?;
    }
    match output.format {
        ExplainFormat::Text => {
            let colour = report::text::Colour::detect(
                io::stdout().is_terminal(),
                std::env::var("NO_COLOR").ok().as_deref(),
            );
            let text = report::text::render_with(diagnosis, colour, output.fix_format);
            write!(out, "{text}")?;
            writeln!(out, "\nData: {}", crate::safe_text::Safe(&source.label))
        }
        ExplainFormat::Json => {
            let mut value: serde_json::Value =
                serde_json::from_str(&report::json_with_source(diagnosis, source))
                    .expect("the report is JSON");
            if output.what_if > 0 {
                value["what_if"] = serde_json::json!({
                    "changes": output.what_if,
                    "banner": what_if_banner(output.what_if),
                });
            }
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&value).expect("JSON serializes")
            )
        }
        ExplainFormat::Markdown => write!(
            out,
            "{}",
            report::markdown::render_with_source(diagnosis, source)
        ),
    }
}

/// The changes of `--what-if FILE` (none without the flag).
fn what_if_changes(args: &ExplainArgs) -> Result<Vec<crate::diagnose::change::Change>, InputError> {
    let Some(path) = &args.what_if else {
        return Ok(Vec::new());
    };
    let name = path.display().to_string();
    let bytes = super::input::read_file_capped(path, super::input::MAX_TEXT_BYTES)?;
    let text = super::input::text(bytes, &name)?;
    let set: ChangeSet = serde_json::from_str(&text).map_err(|e| InputError::WhatIf {
        file: name.clone(),
        reason: e.to_string(),
    })?;
    Ok(set.changes)
}

/// Adds the `--what-if` changes to an offline workspace (checked against its accounts).
fn what_if(args: &ExplainArgs, workspace: &mut Workspace) -> Result<(), InputError> {
    let changes = what_if_changes(args)?;
    workspace
        .add_overlays(changes)
        .map_err(|e| InputError::WhatIf {
            file: args
                .what_if
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            reason: e.to_string(),
        })
}

/// Why the arguments do not make a question to answer (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The error text (argument, `--file` or stdin) could not be read, is too large or is
    /// not text; the message names which.
    #[error(transparent)]
    Text(#[from] super::input::InputError),
    /// No error text anywhere.
    #[error("no error text: pass it as an argument, with --file, or on stdin")]
    NoText,
    /// The pasted text with `--principal` does not make a question.
    #[error(transparent)]
    Question(#[from] crate::diagnose::DiagnoseError),
    /// No --demo, --snapshot or --profile.
    #[error("{NO_SOURCE}")]
    NoSource,
    /// A scenario asked of snapshot accounts.
    #[error("scenarios live in the embedded demo; drop --snapshot")]
    ScenarioWithSnapshot,
    /// The embedded demo did not load.
    #[error(transparent)]
    Demo(#[from] DemoError),
    /// A `--what-if` file that is not a change set, or a change that does not apply.
    #[error("--what-if {file}: {reason} (expected {{\"changes\": [{{\"location\": {{\"account\", \"resource_arn\", \"document\"}}, \"document\": …}}]}}, see docs/fixes.md)")]
    WhatIf {
        /// The file.
        file: String,
        /// What is wrong.
        reason: String,
    },
    /// The snapshot files do not form a workspace.
    #[error(transparent)]
    Snapshots(#[from] SnapshotsError),
}

/// The data source of a demo or snapshot workspace.
fn offline_source(workspace: &Workspace) -> DataSource {
    match workspace.origin() {
        Origin::Snapshot(paths) => DataSource::snapshots(
            paths
                .iter()
                .map(|path| SnapshotSource {
                    path: path.display().to_string(),
                    taken_at: crate::inventory::snapshot::taken_at(path),
                })
                .collect(),
        ),
        Origin::Live(_) | Origin::Demo => DataSource::demo(),
    }
}

/// The data source of a live workspace: each profile, its account and credential source.
#[cfg(feature = "aws")]
async fn live_source(workspace: &Workspace) -> DataSource {
    let files = crate::aws::ProfileSource::from_env();
    let mut profiles = Vec::new();
    for account in workspace.accounts().accounts() {
        let Some(profile) = account.identity.profile.clone() else {
            continue;
        };
        profiles.push(report::ProfileSource {
            credentials: crate::aws::describe_credentials(&files, &profile).await,
            account: account.id().to_string(),
            profile,
        });
    }
    DataSource::live(profiles)
}

/// The demo or snapshot workspace the arguments name (a scenario implies the demo).
pub(super) fn offline_workspace(
    source: &SourceArgs,
    scenario: bool,
) -> Result<Workspace, InputError> {
    if scenario && !source.snapshot.is_empty() {
        return Err(InputError::ScenarioWithSnapshot);
    }
    if source.snapshot.is_empty() {
        // Scenarios exist only in the demo; anything else must say where its accounts are,
        // or a script that forgot a flag would get the demo's verdict for its own accounts.
        if !source.demo && !scenario {
            return Err(InputError::NoSource);
        }
        return Ok(Workspace::demo()?);
    }
    Ok(Workspace::from_snapshots(&source.snapshot)?)
}

/// The draft of the question the arguments ask; names resolve later, in the workspace.
pub fn draft(args: &QuestionArgs) -> Result<QuestionDraft, InputError> {
    Ok(match args {
        QuestionArgs::Pull {
            principal,
            repo,
            tag,
            project,
            source_arn,
            vpc_endpoint,
            ecs_service,
            lambda_function,
        } => QuestionDraft::Pull {
            principal: principal.clone(),
            repository: repo.clone(),
            tag: tag.clone(),
            project: project.clone(),
            source_arn: source_arn.clone(),
            vpc_endpoint: vpc_endpoint.clone(),
            runs_in: match (ecs_service, lambda_function) {
                (Some(service), _) => Some(RunsIn::EcsService(service.clone())),
                (None, Some(function)) => Some(RunsIn::Function(function.clone())),
                (None, None) => None,
            },
        },
        QuestionArgs::Push {
            principal,
            repo,
            tag,
        } => QuestionDraft::Push {
            principal: principal.clone(),
            repository: repo.clone(),
            tag: tag.clone(),
        },
        QuestionArgs::Assume {
            principal,
            role,
            external_id,
        } => QuestionDraft::Assume {
            principal: principal.clone(),
            role: role.clone(),
            external_id: external_id.clone(),
        },
        QuestionArgs::Trigger {
            pipeline,
            repo,
            tag,
            pusher,
        } => QuestionDraft::Trigger {
            pipeline: pipeline.clone(),
            repository: repo.clone(),
            tag: tag.clone(),
            pusher: pusher.clone(),
            push_event: None,
        },
        QuestionArgs::Artifact { pipeline, action } => QuestionDraft::Artifact {
            pipeline: pipeline.clone(),
            action: action.clone(),
        },
        QuestionArgs::Access {
            principal,
            action,
            resource,
        } => QuestionDraft::Access {
            principal: principal.clone(),
            action: action.clone(),
            resource: resource.clone(),
        },
        QuestionArgs::Error {
            text,
            file,
            principal,
            ..
        } => {
            let text = read_text(text.as_deref(), file.as_ref())?;
            match principal {
                Some(principal) => crate::diagnose::draft_with_principal(&text, principal)?,
                None => QuestionDraft::Error { text },
            }
        }
        QuestionArgs::Scenario { id } => QuestionDraft::Scenario { id: id.clone() },
        QuestionArgs::Replicate {
            source_registry,
            destination_registry,
            repo,
        } => QuestionDraft::Replicate {
            source: source_registry.clone(),
            destination: destination_registry.clone(),
            repository: repo.clone(),
        },
        QuestionArgs::PullThrough {
            principal,
            repo,
            registry,
        } => QuestionDraft::PullThrough {
            principal: principal.clone(),
            repository: repo.clone(),
            registry: registry.clone(),
        },
    })
}

fn read_text(text: Option<&str>, file: Option<&PathBuf>) -> Result<String, InputError> {
    use super::input::{self, MAX_TEXT_BYTES};
    if let Some(text) = text {
        if text.len() as u64 > MAX_TEXT_BYTES {
            return Err(input::InputError::TooLarge {
                name: "the error text".into(),
                limit: MAX_TEXT_BYTES,
            }
            .into());
        }
        return Ok(text.to_string());
    }
    if let Some(path) = file {
        let name = path.display().to_string();
        return Ok(input::read_file_capped(path, MAX_TEXT_BYTES)
            .and_then(|bytes| input::text(bytes, &name))?);
    }
    let buffer = input::read_capped(io::stdin(), "stdin", MAX_TEXT_BYTES)
        .and_then(|bytes| input::text(bytes, "stdin"))?;
    if buffer.trim().is_empty() {
        return Err(InputError::NoText);
    }
    Ok(buffer)
}

fn parse_only(
    text: Option<&str>,
    file: Option<&PathBuf>,
    format: ExplainFormat,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    let text = match read_text(text, file) {
        Ok(t) => t,
        Err(message) => {
            writeln!(
                err,
                "crossdock explain: {}",
                crate::safe_text::Safe(&message)
            )?;
            return Ok(EXIT_INPUT);
        }
    };
    match error_text::parse_all(&text) {
        Ok(failures) => {
            // One failure prints as an object, several as a list in the order they appear.
            let value = match failures.as_slice() {
                [one] => serde_json::to_value(one),
                many => serde_json::to_value(many),
            }
            .expect("parsed errors serialize");
            match format {
                ExplainFormat::Json => writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&value).expect("parsed errors serialize")
                )?,
                _ => {
                    let values = value.as_array().cloned().unwrap_or_else(|| vec![value]);
                    for (n, value) in values.iter().enumerate() {
                        if values.len() > 1 {
                            writeln!(out, "failure {} of {}:", n + 1, values.len())?;
                        }
                        write_fields(value, out)?;
                    }
                }
            }
            Ok(EXIT_WORKS)
        }
        Err(e) => {
            writeln!(err, "crossdock explain: {}", crate::safe_text::Safe(&e))?;
            Ok(EXIT_INPUT)
        }
    }
}

/// The non-null fields of one parsed failure, one per line.
fn write_fields(value: &serde_json::Value, out: &mut dyn Write) -> io::Result<()> {
    for (key, value) in value.as_object().into_iter().flatten() {
        if !value.is_null() {
            let shown = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_string);
            writeln!(out, "{key:>16}: {}", crate::safe_text::Safe(shown))?;
        }
    }
    Ok(())
}

/// `crossdock demo list`: every scenario with the command that explains it.
pub fn demo_list(out: &mut dyn Write, err: &mut dyn Write) -> io::Result<u8> {
    let scenarios = match scenario::scenarios() {
        Ok(s) => s,
        Err(e) => {
            writeln!(err, "crossdock demo: {e}")?;
            return Ok(EXIT_INPUT);
        }
    };
    for s in scenarios {
        let expected = if s.expected.failing_checks.is_empty() {
            "works".to_string()
        } else {
            format!(
                "fails: {}",
                s.expected
                    .failing_checks
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        writeln!(out, "{:<34} {}  [{expected}]", s.id, s.title)?;
        writeln!(out, "    crossdock explain --demo scenario {}", s.id)?;
        writeln!(out, "    {}", direct_command(&s.question))?;
    }
    Ok(EXIT_WORKS)
}

/// The explicit `explain` command for a question.
pub fn direct_command(question: &Question) -> String {
    let quote = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
    match question {
        Question::Pull {
            principal,
            repository,
            tag,
            project,
            source_arn,
            vpc_endpoint,
            runs_in,
        } => {
            let mut c = format!("crossdock explain --demo pull --principal {principal} --repo {repository} --tag {tag}");
            if let Some(p) = project {
                c.push_str(&format!(" --project {p}"));
            }
            if let Some(s) = source_arn {
                c.push_str(&format!(" --source-arn {s}"));
            }
            if let Some(e) = vpc_endpoint {
                c.push_str(&format!(" --vpc-endpoint {e}"));
            }
            match runs_in.as_deref().map(RunsIn::from_arn) {
                Some(RunsIn::EcsService(arn)) => c.push_str(&format!(" --ecs-service {arn}")),
                Some(RunsIn::Function(arn)) => c.push_str(&format!(" --lambda-function {arn}")),
                None => {}
            }
            c
        }
        Question::Push {
            principal,
            repository,
            tag,
        } => format!(
            "crossdock explain --demo push --principal {principal} --repo {repository} --tag {tag}"
        ),
        Question::Assume {
            principal,
            role,
            external_id,
        } => {
            let mut c =
                format!("crossdock explain --demo assume --principal {principal} --role {role}");
            if let Some(x) = external_id {
                c.push_str(&format!(" --external-id {x}"));
            }
            c
        }
        Question::Trigger {
            pipeline,
            repository,
            tag,
            pusher,
        } => {
            let mut c = format!("crossdock explain --demo trigger --pipeline {pipeline} --repo {repository} --tag {tag}");
            if !pusher.is_empty() {
                c.push_str(&format!(" --pusher {pusher}"));
            }
            c
        }
        Question::Artifact { pipeline, action } => {
            format!("crossdock explain --demo artifact --pipeline {pipeline} --action {action}")
        }
        Question::Access {
            principal,
            action,
            resource,
        } => format!(
            "crossdock explain --demo access --principal {principal} --action {action} --resource {resource}"
        ),
        Question::Error { text } => format!("crossdock explain --demo error {}", quote(text)),
        Question::Replicate {
            source,
            destination,
            repository,
        } => {
            let mut c = format!("crossdock explain --demo replicate --source-registry {source} --destination-registry {destination}");
            if let Some(r) = repository {
                c.push_str(&format!(" --repo {r}"));
            }
            c
        }
        Question::PullThrough {
            principal,
            repository,
        } => format!(
            "crossdock explain --demo pull-through --principal {principal} --repo {repository}"
        ),
    }
}
