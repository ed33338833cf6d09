//! `crossdock trail`: CloudTrail events from saved files, or live from an account.
//!
//! `--file F…` is pure parsing (no AWS); `--profile P` polls `LookupEvents` (feature `aws`).

#[cfg(feature = "aws")]
mod athena;
#[cfg(feature = "aws")]
mod live;
#[cfg(feature = "aws")]
mod org;
#[cfg(feature = "aws")]
pub use org::{parse_s3_url, S3UrlError};

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Duration;

use super::EXIT_INPUT;
use crate::trail::{build_report, ReportFormat};

/// Output format of `crossdock trail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TrailFormat {
    /// Aligned lines (100 columns), then a summary line.
    Text,
    /// One JSON object per event, then `{"summary": …}`; one per line.
    Json,
}

impl From<TrailFormat> for ReportFormat {
    fn from(format: TrailFormat) -> Self {
        match format {
            TrailFormat::Text => ReportFormat::Text,
            TrailFormat::Json => ReportFormat::Json,
        }
    }
}

/// Arguments of `crossdock trail`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "Examples:\n  \
    crossdock trail --file events.json log.json.gz       # saved records, log files, lookup-events output\n  \
    crossdock trail --file events.jsonl --format json\n  \
    crossdock trail --profile b --since 2h                # PutImage events of the last 2 hours\n  \
    crossdock trail --profile b --events PutImage,AssumeRole --follow\n  \
    crossdock trail --org-trail s3://org-trail-bucket --org-profile mgmt --accounts 222222222222 --since 24h\n\n\
    Exit codes: 0 ok; 3 CloudTrail could not be read (unknown); 2 invalid arguments (a mistyped profile too), or an input \
    file that could not be read or holds records that could not be parsed.")]
pub struct TrailArgs {
    /// Read saved CloudTrail records, log files (gzip too) or LookupEvents output.
    #[arg(long = "file", value_name = "F", num_args = 1.., required_unless_present_any = ["profile", "org_trail"], conflicts_with_all = ["profile", "org_trail"])]
    pub files: Vec<PathBuf>,
    /// Poll CloudTrail LookupEvents live with this AWS profile (its account and region).
    #[arg(long, value_name = "P")]
    pub profile: Option<String>,
    /// Event names to follow (comma-separated), or `any`. Default: PutImage. Known:
    /// BatchGetImage, GetDownloadUrlForLayer, InitiateLayerUpload, AssumeRole,
    /// GetAuthorizationToken.
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub events: Vec<String>,
    /// How far back to look: `30m`, `2h`, `1d`, `1h30m` (at most 90 days; default 1h).
    #[arg(long, value_name = "AGE")]
    pub since: Option<String>,
    /// Keep polling and print events as they arrive; Ctrl-C ends.
    #[arg(long, requires = "profile", conflicts_with = "org_trail")]
    pub follow: bool,
    /// Read an organisation trail's log files from S3 (`s3://BUCKET[/PREFIX]`, the prefix
    /// before `AWSLogs/`) instead of LookupEvents: every account and region of the
    /// organisation in one read. `--profile` (or `--org-profile`) is the one that can read
    /// the bucket; default: the default credential chain.
    #[arg(long, value_name = "S3_URL")]
    pub org_trail: Option<String>,
    /// With --org-trail: read the bucket with this profile (the organisation's).
    #[arg(
        long,
        value_name = "P",
        requires = "org_trail",
        conflicts_with = "profile"
    )]
    pub org_profile: Option<String>,
    /// With --org-trail: only these accounts' folders (comma-separated ids).
    #[arg(
        long,
        value_name = "IDS",
        value_delimiter = ',',
        requires = "org_trail"
    )]
    pub accounts: Vec<String>,
    /// With --org-trail: only these regions (comma-separated).
    #[arg(
        long,
        value_name = "REGIONS",
        value_delimiter = ',',
        requires = "org_trail"
    )]
    pub regions: Vec<String>,
    /// With --org-trail: query the trail's Athena table through this workgroup instead of
    /// reading objects (for wide windows). Opt-in: Athena writes the query's result file to
    /// the workgroup's output location.
    #[arg(long, value_name = "WG", requires = "org_trail")]
    pub athena_workgroup: Option<String>,
    /// With --athena-workgroup: the trail table, `DATABASE.TABLE` (docs/organisation.md).
    #[arg(
        long,
        value_name = "TABLE",
        default_value = "default.cloudtrail_org",
        requires = "athena_workgroup"
    )]
    pub athena_table: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TrailFormat::Text)]
    pub format: TrailFormat,
    /// Mask account ids, access key ids and principal ids, and remove session tokens (the
    /// console's presenter-mode table), for sharing the output.
    #[arg(long)]
    pub redact: bool,
}

/// Runs the command; returns the process exit code.
pub fn run(args: &TrailArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<u8> {
    match (&args.org_trail, &args.profile) {
        (Some(url), _) => run_org(url, args, out, err),
        (None, Some(profile)) => run_live(profile, args, out, err),
        (None, None) => run_files(args, out, err),
    }
}

#[cfg(feature = "aws")]
fn run_org(
    url: &str,
    args: &TrailArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    org::run(url, args, out, err)
}

#[cfg(not(feature = "aws"))]
fn run_org(
    _url: &str,
    _args: &TrailArgs,
    _out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    writeln!(
        err,
        "crossdock trail: --org-trail needs AWS support; this build lacks the `aws` feature"
    )?;
    Ok(EXIT_INPUT)
}

/// Parses and prints the files; exit 2 when one cannot be read or holds unparsable records.
fn run_files(args: &TrailArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<u8> {
    // Options of the live mode would be silently ignored here: refuse them.
    let live_only: Vec<&str> = [
        (args.since.is_some(), "--since"),
        (!args.events.is_empty(), "--events"),
        (args.follow, "--follow"),
    ]
    .into_iter()
    .filter_map(|(given, name)| given.then_some(name))
    .collect();
    if !live_only.is_empty() {
        writeln!(
            err,
            "crossdock trail: {} appl{} to --profile (live) only; drop {} with --file",
            live_only.join(", "),
            if live_only.len() == 1 { "ies" } else { "y" },
            if live_only.len() == 1 { "it" } else { "them" },
        )?;
        return Ok(EXIT_INPUT);
    }
    let mut inputs = Vec::with_capacity(args.files.len());
    // The files together, as read (compressed or not), stay within the budget the parser
    // applies to their decompressed records.
    let mut left = crate::trail::input::MAX_TOTAL_INPUT;
    for path in &args.files {
        match super::input::read_file_capped(path, left) {
            Ok(bytes) => {
                left -= bytes.len() as u64;
                inputs.push((path.display().to_string(), bytes));
            }
            Err(super::input::InputError::TooLarge { .. }) => {
                writeln!(
                    err,
                    "crossdock trail: {}: the inputs together hold more than {} MiB, the most one command reads; pass fewer files",
                    path.display(),
                    crate::trail::input::MAX_TOTAL_INPUT / (1024 * 1024)
                )?;
                return Ok(EXIT_INPUT);
            }
            Err(e) => {
                writeln!(err, "crossdock trail: {e}")?;
                return Ok(EXIT_INPUT);
            }
        }
    }
    if args.redact {
        // Mask the records themselves: a column cut to fit would otherwise show part of an id.
        let mut redactor = crate::inventory::Redactor::new();
        // The inputs share one decompression budget, as when they are parsed.
        let mut budget = crate::trail::input::MAX_TOTAL_INPUT;
        for (_, bytes) in &mut inputs {
            let (plain, _, problem) = crate::trail::input::decompress_within(bytes, budget);
            budget = budget.saturating_sub(plain.len() as u64);
            if problem.is_none() {
                let masked = redactor.redact_str(&String::from_utf8_lossy(&plain));
                *bytes = masked.into_bytes();
            }
        }
    }
    let report = build_report(inputs.iter().map(|(n, b)| (n.as_str(), b.as_slice())));
    out.write_all(report.render(args.format.into()).as_bytes())?;
    for error in &report.errors {
        // `file: line N, Records[i]: reason`
        writeln!(err, "crossdock trail: {}", crate::safe_text::Safe(error))?;
    }
    if report.errors_omitted > 0 {
        writeln!(
            err,
            "crossdock trail: … and {} more records that could not be parsed",
            report.errors_omitted
        )?;
    }
    Ok(if report.unparsed_records() > 0 {
        EXIT_INPUT
    } else {
        0
    })
}

#[cfg(feature = "aws")]
fn run_live(
    profile: &str,
    args: &TrailArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    live::run(profile, args, out, err)
}

#[cfg(not(feature = "aws"))]
fn run_live(
    _profile: &str,
    _args: &TrailArgs,
    _out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    writeln!(
        err,
        "crossdock trail: --profile needs AWS support; this build lacks the `aws` feature"
    )?;
    Ok(EXIT_INPUT)
}

/// `--since` when not given.
pub const DEFAULT_SINCE: &str = "1h";

/// The longest `--since`: `LookupEvents` only covers the last 90 days.
pub const MAX_SINCE: Duration = Duration::from_secs(90 * 24 * 60 * 60);

/// Why a `--since` value is not an age crossdock can look back over.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SinceError {
    /// Not an age.
    #[error("invalid --since {0:?}: expected e.g. 30m, 2h, 1d or 1h30m")]
    Invalid(String),
    /// Longer than CloudTrail keeps events.
    #[error("--since {0}: CloudTrail LookupEvents only covers the last 90 days")]
    TooLong(String),
}

/// Parses an age such as `30m`, `2h`, `1d`, `1h30m` or `90s` (units s, m, h, d, w).
pub fn parse_since(text: &str) -> Result<Duration, SinceError> {
    let invalid = || SinceError::Invalid(text.to_string());
    let mut total = Duration::ZERO;
    let mut digits = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit: u64 = match c {
            's' => 1,
            'm' => 60,
            'h' => 60 * 60,
            'd' => 24 * 60 * 60,
            'w' => 7 * 24 * 60 * 60,
            _ => return Err(invalid()),
        };
        let n: u64 = digits.parse().map_err(|_| invalid())?;
        digits.clear();
        let secs = n.checked_mul(unit).ok_or_else(invalid)?;
        total = total
            .checked_add(Duration::from_secs(secs))
            .ok_or_else(invalid)?;
    }
    if !digits.is_empty() || total.is_zero() {
        return Err(invalid());
    }
    if total > MAX_SINCE {
        return Err(SinceError::TooLong(text.to_string()));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_accepts_units_and_sums() {
        let min = |m: u64| Duration::from_secs(m * 60);
        assert_eq!(parse_since("30m"), Ok(min(30)));
        assert_eq!(parse_since("2h"), Ok(min(120)));
        assert_eq!(parse_since("1d"), Ok(min(1440)));
        assert_eq!(parse_since("1h30m"), Ok(min(90)));
        assert_eq!(parse_since("45s"), Ok(Duration::from_secs(45)));
        assert_eq!(parse_since("90d"), Ok(MAX_SINCE));
    }

    #[test]
    fn since_rejects_junk_and_more_than_90_days() {
        for bad in [
            "",
            "2",
            "h",
            "0m",
            "2x",
            "-1h",
            "1.5h",
            "99999999999999999999d",
        ] {
            assert!(parse_since(bad).is_err(), "{bad:?}");
        }
        assert!(parse_since("91d")
            .unwrap_err()
            .to_string()
            .contains("90 days"));
    }
}
