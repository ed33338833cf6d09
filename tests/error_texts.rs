//! Corpus of real-world error texts under `tests/error-texts/`: every `*.json` file holds a
//! `text` and either an `expected` object (each key present must equal the parsed field;
//! `repository` is compared key by key) or a `reject` kind (the text must be refused with
//! that kind). The seven core fields (the family among them) must be spelled out in every accepted case, so that a
//! field the text does not contain is checked to stay `null`.

use std::fs;
use std::path::{Path, PathBuf};

use crossdock::diagnose::error_text::{parse, parse_all};
use serde_json::Value;

/// Fields every accepted case must list, so "never guess" is tested everywhere.
const CORE: [&str; 7] = [
    "family",
    "principal_arn",
    "action",
    "resource_arn",
    "reason_kind",
    "policy_arn",
    "question",
];

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/error-texts");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

fn load(path: &Path) -> Value {
    let text = fs::read_to_string(path).expect("readable case");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Differences between `expected` and `actual`, as `key: expected … got …` lines.
fn diff(prefix: &str, expected: &Value, actual: &Value, out: &mut Vec<String>) {
    let Some(expected) = expected.as_object() else {
        if expected != actual {
            out.push(format!("{prefix}: expected {expected}, got {actual}"));
        }
        return;
    };
    for (key, want) in expected {
        let got = actual.get(key).unwrap_or(&Value::Null);
        let path = format!("{prefix}.{key}");
        if want.is_object() && got.is_object() {
            diff(&path, want, got, out);
        } else if want != got {
            out.push(format!("{path}: expected {want}, got {got}"));
        }
    }
}

#[test]
fn every_corpus_text_parses_as_expected() {
    let files = corpus();
    let accepted = files
        .iter()
        .filter(|p| load(p).get("expected").is_some())
        .count();
    let rejected = files.len() - accepted;
    assert!(
        accepted >= 45,
        "only {accepted} accepted texts in the corpus"
    );
    assert!(
        rejected >= 6,
        "only {rejected} rejected texts in the corpus"
    );

    let mut failures = Vec::new();
    for path in &files {
        let case = load(path);
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        assert!(
            case["source"].as_str().is_some_and(|s| !s.is_empty()),
            "{name}: no source"
        );
        let text = case["text"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: no text"));
        let result = parse(text);
        match (case.get("expected"), case.get("reject"), result) {
            (Some(expected), None, Ok(parsed)) => {
                for key in CORE {
                    assert!(
                        expected.get(key).is_some(),
                        "{name}: expected lacks `{key}`"
                    );
                }
                let actual = serde_json::to_value(&parsed).expect("serialisable");
                let mut out = Vec::new();
                diff("", expected, &actual, &mut out);
                failures.extend(out.into_iter().map(|d| format!("{name}{d}")));
            }
            (Some(_), None, Err(e)) => failures.push(format!("{name}: rejected: {e}")),
            (None, Some(kind), Err(e)) => {
                let got = serde_json::to_value(e.kind).expect("serialisable");
                if &got != kind {
                    failures.push(format!("{name}: rejected as {got}, expected {kind}"));
                }
                let message = e.to_string();
                assert!(
                    message.contains("not a failure message I recognise"),
                    "{name}: {message}"
                );
                assert!(message.contains("hint:"), "{name}: {message}");
            }
            (None, Some(_), Ok(parsed)) => failures.push(format!("{name}: accepted: {parsed:?}")),
            _ => panic!("{name}: a case needs exactly one of `expected` and `reject`"),
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Each text also parses the same after the damage pasting does to it.
#[test]
fn corpus_survives_crlf_and_colour_and_terraform_boxes() {
    for path in corpus() {
        let case = load(&path);
        if case.get("expected").is_none() {
            continue;
        }
        let text = case["text"].as_str().unwrap_or_default();
        let Ok(plain) = parse(text) else { continue };
        let crlf = text.replace("\r\n", "\n").replace('\n', "\r\n");
        let coloured = format!("\u{1b}[1;31m{text}\u{1b}[0m");
        // A file or stdin ends the text with a newline.
        let terminated = format!("{text}\n");
        for variant in [crlf, coloured, terminated] {
            let other = parse(&variant).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(
                other.principal_arn,
                plain.principal_arn,
                "{}",
                path.display()
            );
            assert_eq!(other.action, plain.action, "{}", path.display());
            assert_eq!(other.resource_arn, plain.resource_arn, "{}", path.display());
            assert_eq!(other.reason_kind, plain.reason_kind, "{}", path.display());
            assert_eq!(other.policy_arn, plain.policy_arn, "{}", path.display());
        }
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// The corpus texts, read once for all cases.
    fn texts() -> &'static [String] {
        static TEXTS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        TEXTS.get_or_init(|| {
            corpus()
                .iter()
                .map(|p| load(p)["text"].as_str().unwrap_or_default().to_string())
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Arbitrary text never panics, and a rejection always explains itself.
        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,300}") {
            if let Err(e) = parse(&s) {
                prop_assert!(e.to_string().contains("hint:"));
                prop_assert!(!e.to_string().chars().any(char::is_control));
            }
            if let Ok(all) = parse_all(&s) {
                prop_assert!(!all.is_empty());
            }
        }

        /// Corpus texts cut, spliced and re-wrapped at random places never panic.
        #[test]
        fn damaged_corpus_text_never_panics(
            pick in 0usize..1000,
            cuts in proptest::collection::vec((0usize..2000, "[\\n │\\\\\"\u{2019}\u{1b}]{1,3}"), 0..8),
        ) {
            let all = texts();
            let mut text = all[pick % all.len()].clone();
            for (at, insert) in cuts {
                let mut at = at.min(text.len());
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                text.insert_str(at, &insert);
            }
            let _ = parse(&text);
            let _ = parse_all(&text);
        }

        /// Two corpus texts pasted one after the other keep both failures: the first failure
        /// of the paste is the first text's, and the second text's is among them.
        #[test]
        fn two_pasted_texts_keep_their_failures(a in 0usize..1000, b in 0usize..1000) {
            let all = texts();
            let (first, second) = (&all[a % all.len()], &all[b % all.len()]);
            let (Ok(one), Ok(two)) = (parse(first), parse(second)) else {
                return Ok(());
            };
            let both = parse_all(&format!("{first}\n\n{second}")).expect("recognised");
            prop_assert!(!both.is_empty());
            if !one.family.is_consequence() {
                prop_assert_eq!(both[0].family, one.family);
            }
            // docker's non-TTY login line is dropped beside the failure it follows.
            prop_assert!(two.family.is_consequence() || both.iter().any(|p| p.family == two.family));
        }
    }
}
