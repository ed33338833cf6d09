//! Table-driven evaluator tests: every request file under `tests/eval-cases/` must give its
//! `expected` decision, and every policy under `tests/policy-invalid/` must be rejected at
//! its `error_path`.

use std::fs;
use std::path::{Path, PathBuf};

use crossdock::policy::evaluate::evaluate;
use crossdock::policy::placement;
use crossdock::policy::request_file::RequestFile;
use crossdock::policy::trace::trace;
use crossdock::policy::PolicyDocument;

fn json_files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_case_gives_its_expected_decision() {
    let files = json_files("tests/eval-cases");
    assert!(files.len() >= 8, "the corpus is missing");
    let mut failures = Vec::new();
    for path in &files {
        let text = fs::read_to_string(path).expect("readable case");
        let file = RequestFile::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let expected = file
            .expected
            .unwrap_or_else(|| panic!("{}: case has no `expected`", path.display()));
        let request = file.request();
        let evaluation = evaluate(&request);
        // The trace must always be buildable and name every consulted policy.
        let traces = trace(&request, &evaluation);
        assert_eq!(traces.len(), evaluation.policies.len());
        assert!(!evaluation.reason.is_empty());
        if evaluation.decision != expected {
            failures.push(format!(
                "{}: expected {expected:?}, got {:?} — {}",
                path.file_name().unwrap().to_string_lossy(),
                evaluation.decision,
                evaluation.reason
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases disagree:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn every_invalid_policy_is_rejected_at_its_path() {
    let files = json_files("tests/policy-invalid");
    let mut failures = Vec::new();
    for path in &files {
        let text = fs::read_to_string(path).expect("readable case");
        let case: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        let want = case["error_path"].as_str().expect("error_path");
        match PolicyDocument::from_value(&case["policy"]) {
            Ok(_) => failures.push(format!("{}: accepted", path.display())),
            Err(e) if e.path != want => failures.push(format!(
                "{}: rejected at `{}` ({}), expected `{want}`",
                path.display(),
                e.path,
                e.message
            )),
            Err(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Cases whose documents hold an element AWS rejects in that policy type: the evaluator
/// reads them as written, and warns.
const CASES_WITH_PLACEMENT_WARNINGS: [&str; 1] = ["349-form-notprincipal-allow-statement.json"];

#[test]
fn only_the_known_cases_hold_elements_aws_rejects() {
    let mut warned = Vec::new();
    for path in json_files("tests/eval-cases") {
        let text = fs::read_to_string(&path).expect("readable case");
        let file = RequestFile::parse(&text).expect("valid case");
        let found = placement::warnings(&file.request(), "request.");
        if !found.is_empty() {
            assert!(found.iter().all(|w| w.path.starts_with("request.")));
            warned.push(path.file_name().unwrap().to_string_lossy().to_string());
        }
    }
    assert_eq!(warned, CASES_WITH_PLACEMENT_WARNINGS);
}

#[test]
fn eval_reports_rejected_elements_with_their_json_path() {
    use crossdock::commands::eval::{run, EvalFormat};
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/eval-cases/349-form-notprincipal-allow-statement.json");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(
        run(&path, EvalFormat::Json, false, &mut out, &mut err).unwrap(),
        0
    );
    let report: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
    assert_eq!(
        report["warnings"][0]["path"],
        "request.resource_policy.Statement[0].NotPrincipal"
    );
    let mut text = Vec::new();
    run(&path, EvalFormat::Text, false, &mut text, &mut err).unwrap();
    let text = String::from_utf8(text).unwrap();
    assert!(
        text.contains("warning:  request.resource_policy.Statement[0].NotPrincipal: AWS rejects"),
        "{text}"
    );
    // A well-formed case carries an empty list.
    let clean = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/eval-cases/001-same-account-identity-allow-only.json");
    let mut out = Vec::new();
    run(&clean, EvalFormat::Json, false, &mut out, &mut err).unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
    assert_eq!(report["warnings"], serde_json::json!([]));
}
