//! `crossdock eval FILE|DIR`: evaluate request files and print the decision with its trace.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::EXIT_INPUT;
use crate::policy::evaluate::{evaluate, Evaluation};
use crate::policy::request_file::{RequestFile, RequestFileError};
use crate::policy::trace::{trace, PolicyTrace, StatementTrace};
use crate::safe_text::Safe;

/// Output format of `crossdock eval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EvalFormat {
    /// One JSON object per request.
    Json,
    /// The trace for humans.
    Text,
}

/// Runs the command; returns the process exit code.
pub fn run(
    path: &Path,
    format: EvalFormat,
    bench: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    if path.is_dir() {
        return run_dir(path, format, bench, out, err);
    }
    let file = match load(path) {
        Ok(file) => file,
        Err(message) => {
            writeln!(err, "crossdock eval: {}", crate::safe_text::Safe(&message))?;
            return Ok(EXIT_INPUT);
        }
    };
    if bench {
        let median = bench_one(&file);
        write_bench_line(out, format, path, median)?;
        return Ok(0);
    }
    let request = file.request();
    let evaluation = evaluate(&request);
    let traces = trace(&request, &evaluation);
    match format {
        EvalFormat::Json => {
            let report = report_json(&file, &evaluation, &traces);
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&report).expect("JSON values serialize")
            )?;
        }
        EvalFormat::Text => write_text(out, &file, &evaluation, &traces)?,
    }
    Ok(0)
}

/// Why a request file could not be evaluated.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read (or is too large, or not UTF-8); the message names it.
    #[error(transparent)]
    Read(#[from] super::input::InputError),
    /// The file is not a request file (the message names the field to fix).
    #[error("{}: {source}", path.display())]
    Parse {
        /// The request file.
        path: PathBuf,
        /// What is wrong with it.
        source: RequestFileError,
    },
}

fn load(path: &Path) -> Result<RequestFile, LoadError> {
    use super::input::{read_file_capped, text, MAX_TEXT_BYTES};
    let name = path.display().to_string();
    let text = read_file_capped(path, MAX_TEXT_BYTES).and_then(|bytes| text(bytes, &name))?;
    RequestFile::parse(&text).map_err(|source| LoadError::Parse {
        path: path.to_path_buf(),
        source,
    })
}

fn run_dir(
    dir: &Path,
    format: EvalFormat,
    bench: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    let paths = match json_files(dir) {
        Ok(paths) => paths,
        Err(e) => {
            writeln!(
                err,
                "crossdock eval: cannot read directory {}: {e}",
                dir.display()
            )?;
            return Ok(EXIT_INPUT);
        }
    };
    // A FIFO or device named *.json would block the run forever.
    let (paths, skipped): (Vec<PathBuf>, Vec<PathBuf>) = paths
        .into_iter()
        .partition(|p| super::input::is_regular_file(p));
    for path in &skipped {
        writeln!(
            err,
            "crossdock eval: skipping {}: not a regular file",
            path.display()
        )?;
    }
    let mut tally = Tally::default();
    for path in &paths {
        let file = match load(path) {
            Ok(file) => file,
            Err(message) => {
                tally.invalid += 1;
                tally.failed += 1;
                writeln!(
                    out,
                    "{}",
                    json!({"file": path.display().to_string(), "error": message.to_string()})
                )?;
                continue;
            }
        };
        if bench {
            let median = bench_one(&file);
            tally.medians.push(median);
            write_bench_line(out, format, path, median)?;
            continue;
        }
        evaluate_listed(&file, path, format, &mut tally, out)?;
    }
    tally.write_summary(bench, out)?;
    if tally.invalid > 0 {
        writeln!(
            err,
            "crossdock eval: {} file(s) could not be read; see the `error` lines",
            tally.invalid
        )?;
        return Ok(EXIT_INPUT);
    }
    Ok(0)
}

/// The `.json` files of `dir`, sorted.
fn json_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    Ok(paths)
}

/// What a directory run has seen so far.
#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    /// Files that could not be read or parsed (they count as failed too).
    invalid: usize,
    /// Per-file medians of `--bench`.
    medians: Vec<Duration>,
}

impl Tally {
    /// The closing line: the median of `--bench`, or the pass/fail count.
    fn write_summary(&mut self, bench: bool, out: &mut dyn Write) -> io::Result<()> {
        if !bench {
            return writeln!(out, "{} passed, {} failed", self.passed, self.failed);
        }
        self.medians.sort();
        if let Some(mid) = self.medians.get(self.medians.len() / 2) {
            writeln!(
                out,
                "median per evaluation over {} requests: {} ns",
                self.medians.len(),
                mid.as_nanos()
            )?;
        }
        Ok(())
    }
}

/// Evaluates one file of a directory run: one line (text) or object (JSON) per file.
fn evaluate_listed(
    file: &RequestFile,
    path: &Path,
    format: EvalFormat,
    tally: &mut Tally,
    out: &mut dyn Write,
) -> io::Result<()> {
    let request = file.request();
    let evaluation = evaluate(&request);
    match file.expected {
        Some(expected) if expected == evaluation.decision => tally.passed += 1,
        Some(_) => tally.failed += 1,
        None => {}
    }
    match format {
        EvalFormat::Json => {
            let traces = trace(&request, &evaluation);
            let mut report = report_json(file, &evaluation, &traces);
            report["file"] = json!(path.display().to_string());
            writeln!(out, "{report}")
        }
        EvalFormat::Text => {
            let verdict = match file.expected {
                Some(e) if e == evaluation.decision => "ok  ",
                Some(_) => "FAIL",
                None => "    ",
            };
            writeln!(
                out,
                "{verdict} {:<14} {}  {}",
                format!("{:?}", evaluation.decision),
                Safe(path.display()),
                Safe(&evaluation.reason)
            )
        }
    }
}

/// The JSON report of one evaluation.
pub fn report_json(file: &RequestFile, evaluation: &Evaluation, traces: &[PolicyTrace]) -> Value {
    let request = file.request();
    let mut report = json!({
        "name": file.name,
        "decision": evaluation.decision,
        "reason": evaluation.reason,
        "rule": evaluation.rule,
        "deciding": evaluation.deciding,
        "caller": request.caller.to_string(),
        "caller_account": request.caller.account(),
        "resource_account": request.resource_account(),
        "cross_account": evaluation.cross_account,
        "resource_kind": evaluation.resource_kind,
        "trace": traces,
        "warnings": crate::policy::placement::warnings(&request, "request."),
    });
    if let Some(expected) = file.expected {
        report["expected"] = json!(expected);
        report["matches_expected"] = json!(expected == evaluation.decision);
    }
    report
}

fn write_text(
    out: &mut dyn Write,
    file: &RequestFile,
    evaluation: &Evaluation,
    traces: &[PolicyTrace],
) -> io::Result<()> {
    write_decision(out, file, evaluation)?;
    writeln!(out, "  trace:")?;
    for policy in traces {
        let skipped = policy
            .skipped
            .map(|s| format!(" — {s}"))
            .unwrap_or_default();
        writeln!(
            out,
            "    {} [{}]: {}{skipped}",
            Safe(&policy.policy),
            serde_json::to_value(policy.side)
                .unwrap_or_default()
                .as_str()
                .unwrap_or(""),
            policy.result
        )?;
        for statement in &policy.statements {
            write_statement(out, statement)?;
        }
    }
    Ok(())
}

/// The request, the decision, what was expected and the deciding statements.
fn write_decision(
    out: &mut dyn Write,
    file: &RequestFile,
    evaluation: &Evaluation,
) -> io::Result<()> {
    let request = file.request();
    if let Some(name) = &file.name {
        writeln!(out, "{}", Safe(name))?;
    }
    writeln!(
        out,
        "  {} {} on {}",
        Safe(&request.caller),
        Safe(&request.action),
        Safe(&request.resource)
    )?;
    writeln!(out, "  decision: {:?}", evaluation.decision)?;
    writeln!(out, "  why:      {}", Safe(&evaluation.reason))?;
    if let Some(expected) = file.expected {
        let mark = if expected == evaluation.decision {
            "matches"
        } else {
            "DOES NOT MATCH"
        };
        writeln!(out, "  expected: {expected:?} ({mark})")?;
    }
    for w in crate::policy::placement::warnings(&request, "request.") {
        writeln!(out, "  warning:  {}: {}", Safe(&w.path), Safe(&w.message))?;
    }
    for d in &evaluation.deciding {
        let sid = d
            .sid
            .as_deref()
            .map(|s| format!(" \"{}\"", Safe(s)))
            .unwrap_or_default();
        let how = if d.applied { "applied" } else { "near miss" };
        writeln!(
            out,
            "  deciding: {} statement {}{sid} ({how})",
            Safe(&d.policy),
            d.statement
        )?;
    }
    Ok(())
}

/// One statement of the trace: what matched, then each condition.
fn write_statement(out: &mut dyn Write, s: &StatementTrace) -> io::Result<()> {
    let mark = if s.applies { "✓" } else { "·" };
    let sid = s
        .sid
        .as_deref()
        .map(|s| format!(" \"{}\"", Safe(s)))
        .unwrap_or_default();
    let mut parts = vec![format!("action {}", yes_no(s.action_matched))];
    if let Some(r) = s.resource_matched {
        parts.push(format!("resource {}", yes_no(r)));
    }
    let principal = serde_json::to_value(s.principal).unwrap_or_default();
    if let Some(outcome) = principal.get("outcome").and_then(Value::as_str) {
        if outcome != "not-applicable" {
            let how = principal
                .get("as")
                .and_then(Value::as_str)
                .map(|a| format!(" as {a}"))
                .unwrap_or_default();
            parts.push(format!("principal {outcome}{how}"));
        }
    }
    writeln!(
        out,
        "      {mark} statement {}{sid} {:?}: {}",
        s.statement,
        s.effect,
        parts.join(", ")
    )?;
    for c in &s.conditions {
        let request = c
            .request_values
            .as_ref()
            .map(|v| v.join(", "))
            .unwrap_or_else(|| "(missing)".into());
        let request = Safe(request);
        writeln!(
            out,
            "          {} {} [{}] vs {request} → {}",
            Safe(&c.operator),
            Safe(&c.key),
            Safe(c.policy_values.join(", ")),
            c.result
        )?;
    }
    Ok(())
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "✓"
    } else {
        "✗"
    }
}

/// Median time of one evaluation of `file`'s request after a warm-up.
pub fn bench_one(file: &RequestFile) -> Duration {
    let request = file.request();
    let warm_until = Instant::now() + Duration::from_millis(50);
    let mut per_sample = 1u32;
    while Instant::now() < warm_until {
        std::hint::black_box(evaluate(std::hint::black_box(&request)));
        per_sample = per_sample.saturating_add(1);
    }
    // About 1 ms per sample, 41 samples.
    let per_sample = (per_sample / 50).max(1);
    let mut samples: Vec<Duration> = (0..41)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..per_sample {
                std::hint::black_box(evaluate(std::hint::black_box(&request)));
            }
            start.elapsed() / per_sample
        })
        .collect();
    samples.sort();
    samples[samples.len() / 2]
}

fn write_bench_line(
    out: &mut dyn Write,
    format: EvalFormat,
    path: &Path,
    median: Duration,
) -> io::Result<()> {
    match format {
        EvalFormat::Json => writeln!(
            out,
            "{}",
            json!({"file": path.display().to_string(), "median_ns": median.as_nanos() as u64})
        ),
        EvalFormat::Text => writeln!(out, "{:>8} ns  {}", median.as_nanos(), path.display()),
    }
}
