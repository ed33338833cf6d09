//! The failure-message families of `explain error`: `docs/errors.md` lists exactly the
//! families the parser knows, each with an example that parses to it; each family raises the
//! question FAILURE-CATALOG says; a log with several failures gives one entry per distinct
//! failure, in order (`tests/error-logs/`); and the answers say what a failure means when no
//! policy decides it, or which input is missing when one would.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crossdock::diagnose::error_text::{parse, parse_all, Family, Question};
use crossdock::diagnose::model::{Status, Verdict};
use crossdock::diagnose::{CheckId, QuestionDraft};
use crossdock::workspace::Workspace;
use serde_json::Value;

/// Each family's section of `docs/errors.md`, by id: the text between its heading and the next.
fn documented_sections() -> BTreeMap<String, String> {
    let text = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/errors.md"))
        .expect("docs/errors.md");
    let mut sections = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        if let Some(id) = line.strip_prefix("### `").and_then(|r| r.strip_suffix('`')) {
            sections.extend(current.take());
            current = Some((id.to_string(), String::new()));
        } else if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    sections.extend(current);
    sections
}

/// The first ```text block of a section.
fn example_of(section: &str) -> Option<String> {
    let (_, rest) = section.split_once("```text\n")?;
    let (example, _) = rest.split_once("\n```")?;
    Some(example.to_string())
}

#[test]
fn docs_list_every_family_with_an_example_that_parses_to_it() {
    let sections = documented_sections();
    let known: Vec<&str> = Family::all().map(Family::as_str).collect();
    let undocumented: Vec<_> = known
        .iter()
        .filter(|id| !sections.contains_key(**id))
        .collect();
    let unknown: Vec<_> = sections
        .keys()
        .filter(|id| !known.contains(&id.as_str()))
        .collect();
    assert!(
        undocumented.is_empty() && unknown.is_empty(),
        "families without a section in docs/errors.md: {undocumented:?}; sections the parser does not know: {unknown:?}"
    );
    for family in Family::all() {
        let section = &sections[family.as_str()];
        let example = example_of(section)
            .unwrap_or_else(|| panic!("{}: no ```text example", family.as_str()));
        let parsed = parse(&example)
            .unwrap_or_else(|e| panic!("{}: example rejected: {e}", family.as_str()));
        assert_eq!(parsed.family, family, "{example}");
        let question_line = section
            .lines()
            .find(|l| l.starts_with("- Question:"))
            .unwrap_or_else(|| panic!("{}: no `- Question:` line", family.as_str()));
        assert!(
            question_line.contains(&format!("`{}`", parsed.question.as_str())),
            "{}: the docs say {question_line:?}, the parser raises {}",
            family.as_str(),
            parsed.question.as_str()
        );
        assert!(
            section.contains(family.info().catalog),
            "{}: the docs do not name its catalog entry",
            family.as_str()
        );
        for cause in family.info().causes {
            for text in [cause.cause, cause.evidence, cause.fix] {
                assert!(
                    section.contains(text),
                    "{}: the docs lack `{text}`",
                    family.as_str()
                );
            }
        }
    }
}

/// What FAILURE-CATALOG says each family is: the question it raises and the section it is in.
const CATALOG: [(&str, Question, &str); 29] = [
    ("not-authorized", Question::Pull, "§1"),
    ("kms-ciphertext", Question::Kms, "§2.10"),
    ("policy-reason-without-principal", Question::Pull, "§2.4"),
    ("access-denied-code", Question::Access, "§1"),
    ("registry-403-forbidden", Question::Pull, "§2.3"),
    (
        "repository-not-found-or-no-pull-access",
        Question::Pull,
        "§2.3",
    ),
    ("repository-name-unknown", Question::Pull, "§2.1"),
    ("requested-access-denied", Question::Push, "§2.1"),
    ("pull-access-denied", Question::Pull, "§2.1"),
    ("registry-no-credentials", Question::Configuration, "§2.1"),
    ("registry-token-expired", Question::Configuration, "§2.1"),
    ("image-not-found", Question::Configuration, "§2.1"),
    ("image-tag-already-exists", Question::Configuration, "§2.6"),
    ("docker-login-non-tty", Question::Configuration, "§2.1"),
    ("registry-network-path", Question::NetworkPath, "§2.3"),
    ("kms-access-not-allowed", Question::Kms, "§2.3"),
    ("kms-key-unusable", Question::Configuration, "§2.7"),
    (
        "assume-duration-exceeds-max",
        Question::Configuration,
        "§2.8",
    ),
    ("sts-region-disabled", Question::Configuration, "§2.8"),
    ("credentials-invalid", Question::Configuration, "§2.8"),
    (
        "codebuild-curated-image-service-role",
        Question::Configuration,
        "§2.2",
    ),
    (
        "codebuild-cross-account-image-codebuild-credentials",
        Question::Configuration,
        "§2.2",
    ),
    ("codepipeline-permission-error", Question::Artifact, "§2.10"),
    (
        "codepipeline-artifact-access-denied",
        Question::Artifact,
        "§2.10",
    ),
    (
        "codepipeline-artifact-replication",
        Question::Artifact,
        "§2.10",
    ),
    (
        "cdk-artifact-bucket-needs-kms-key",
        Question::Artifact,
        "§2.10",
    ),
    ("cross-account-pass-role", Question::Configuration, "§2.10"),
    ("lambda-ecr-image-access-denied", Question::Pull, "§2.5"),
    (
        "lambda-image-repository-elsewhere",
        Question::Configuration,
        "§2.5",
    ),
];

#[test]
fn each_family_raises_the_question_the_catalog_gives_it() {
    assert_eq!(
        Family::all().count(),
        CATALOG.len(),
        "a family is missing here"
    );
    for (id, question, section) in CATALOG {
        let family = Family::all()
            .find(|f| f.as_str() == id)
            .unwrap_or_else(|| panic!("no family {id}"));
        let parsed = parse(family.info().example).expect("example parses");
        assert_eq!(parsed.question, question, "{id}");
        assert!(
            family.info().catalog.contains(section),
            "{id}: {}",
            family.info().catalog
        );
        // A failure no policy decides still says what to check, and with what.
        if !question.is_policy() || question == Question::Artifact {
            assert!(!family.info().causes.is_empty(), "{id}: no causes");
        }
        for cause in family.info().causes {
            let read_only = ["Describe", "Get", "List", "Lookup", "Simulate", "BatchGet"];
            let names_a_read = read_only.iter().any(|op| cause.evidence.contains(op));
            let names_config = cause.evidence.contains("none needed")
                || cause.evidence.contains("outside AWS APIs")
                || cause.evidence.contains("the line above")
                || cause.evidence.contains("environment")
                || cause.evidence.contains("Expiration")
                || cause.evidence.contains("CloudTrail");
            assert!(
                names_a_read || names_config,
                "{id}: `{}` names no read-only evidence",
                cause.evidence
            );
        }
    }
}

#[test]
fn every_log_yields_its_distinct_failures_in_order() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/error-logs");
    let mut cases = 0;
    for entry in fs::read_dir(&dir).expect("tests/error-logs") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        cases += 1;
        let case: Value =
            serde_json::from_str(&fs::read_to_string(&path).expect("readable")).expect("JSON");
        let name = path.display().to_string();
        assert!(
            case["source"].as_str().is_some_and(|s| !s.is_empty()),
            "{name}: no source"
        );
        let found = parse_all(case["text"].as_str().expect("text"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected = case["expected"].as_array().expect("expected list");
        let got: Vec<Value> = found
            .iter()
            .map(|p| serde_json::to_value(p).expect("serialises"))
            .collect();
        assert_eq!(
            got.len(),
            expected.len(),
            "{name}: {:?}",
            got.iter().map(|g| &g["family"]).collect::<Vec<_>>()
        );
        for (n, (want, got)) in expected.iter().zip(&got).enumerate() {
            for (key, value) in want.as_object().expect("object") {
                match (value, &got[key]) {
                    (Value::Object(fields), Value::Object(actual)) => {
                        for (k, v) in fields {
                            assert_eq!(&actual[k], v, "{name}: failure {} {key}.{k}", n + 1);
                        }
                    }
                    (value, actual) => {
                        assert_eq!(actual, value, "{name}: failure {} {key}", n + 1)
                    }
                }
            }
        }
    }
    assert!(cases >= 5, "only {cases} logs");
}

#[test]
fn one_failure_in_a_long_log_is_one_entry() {
    let text = "Step 1/4 : FROM node:20\n ---> 1a2b3c\nStep 2/4 : RUN npm ci\nadded 812 packages\n\
denied: User: arn:aws:sts::111111111111:assumed-role/ci/AWSCodeBuild-1 is not authorized to perform: ecr:PutImage on resource: arn:aws:ecr:us-east-1:222222222222:repository/web\nexit status 1\n";
    let all = parse_all(text).expect("recognised");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0], parse(text).expect("recognised"));
    assert_eq!(all[0].question, Question::Push);
}

fn demo() -> Workspace {
    Workspace::demo().expect("demo")
}

fn explain(text: &str) -> crossdock::diagnose::model::Diagnosis {
    demo()
        .explain_loaded(&QuestionDraft::Error { text: text.into() })
        .expect("answers")
        .diagnosis
}

const S1: &str = "denied: User: arn:aws:sts::111111111111:assumed-role/codebuild-service-role/AWSCodeBuild-0f1e is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo because no resource-based policy allows the ecr:BatchGetImage action";

const NETWORK: &str = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request failed caused by: dial tcp 10.0.1.12:443: i/o timeout";

#[test]
fn a_network_failure_is_explained_not_evaluated() {
    let d = explain(NETWORK);
    assert_eq!(d.verdict, Verdict::Unknown);
    assert!(
        d.summary.contains("not a permission question"),
        "{}",
        d.summary
    );
    assert_eq!(d.checks[0].id, CheckId::ErrorText);
    assert_eq!(d.checks[0].status, Status::Pass);
    let causes: Vec<_> = d
        .checks
        .iter()
        .filter(|c| c.id == CheckId::ErrorCause)
        .collect();
    assert_eq!(causes.len(), 3);
    assert!(
        causes[0].message.contains("endpoints"),
        "{}",
        causes[0].message
    );
    assert!(causes[0].evidence[0]
        .detail
        .contains("ec2:DescribeVpcEndpoints"));
    assert!(causes
        .iter()
        .all(|c| c.status == Status::Unknown && c.fix.is_some()));
}

#[test]
fn the_404_takes_its_caller_from_the_refused_pull_in_cloudtrail_and_says_so() {
    // The demo's account A holds the refused BatchGetImage of source-repo by the build role.
    let text = "CannotPullContainerError: API error (404): repository 222222222222.dkr.ecr.ap-northeast-1.amazonaws.com/source-repo not found: does not exist or no pull access";
    let d = explain(text);
    assert_eq!(d.verdict, Verdict::Fails, "{}", d.summary);
    let found = d
        .found
        .iter()
        .find(|f| f.input == "principal")
        .expect("the principal is listed as found");
    assert!(found
        .value
        .contains(":assumed-role/codebuild-service-role/"));
    assert!(found.from.contains("CloudTrail"), "{}", found.from);
    assert!(d
        .checks
        .iter()
        .any(|c| c.id == CheckId::ResourcePolicyAllows && c.status == Status::Fail));
}

#[test]
fn the_404_names_no_caller_so_the_answer_asks_for_one() {
    let text = "CannotPullContainerError: API error (404): repository 222222222222.dkr.ecr.ap-northeast-1.amazonaws.com/base-image-repo not found: does not exist or no pull access";
    let d = explain(text);
    assert_eq!(d.verdict, Verdict::Unknown);
    let missing = d
        .checks
        .iter()
        .find(|c| c.id == CheckId::ErrorText && c.status == Status::Unknown)
        .expect("a check that says what is missing");
    assert!(
        missing.message.contains("--principal"),
        "{}",
        missing.message
    );
    assert!(
        missing
            .message
            .contains("explain pull --principal ROLE-ARN --repo 222222222222.dkr.ecr.ap-northeast-1.amazonaws.com/base-image-repo"),
        "{}",
        missing.message
    );
}

#[test]
fn a_lambda_image_denial_asks_for_the_image_and_names_the_service_caller() {
    let d = explain("Lambda does not have permission to access the ECR image. Check the ECR permissions. (Service: Lambda, Status Code: 403, Request ID: 5d6c7b8a)");
    assert_eq!(d.verdict, Verdict::Unknown);
    assert!(
        d.summary.contains("--principal lambda.amazonaws.com"),
        "{}",
        d.summary
    );
}

#[test]
fn several_failures_are_answered_in_order_in_one_diagnosis() {
    let d = explain(&format!("{S1}\n{NETWORK}\n{S1}\n"));
    // S1 fails on the demo accounts; the repeat is dropped; the network failure follows.
    assert_eq!(d.verdict, Verdict::Fails);
    assert!(
        d.summary.starts_with("Fails (2 failures): 1) Fails"),
        "{}",
        d.summary
    );
    let headers: Vec<&str> = d
        .checks
        .iter()
        .filter(|c| c.message.starts_with("failure "))
        .map(|c| c.message.as_str())
        .collect();
    assert_eq!(headers.len(), 2, "{headers:?}");
    assert!(headers[0].starts_with("failure 1 of 2: recognised a pull denial"));
    assert!(headers[1].starts_with("failure 2 of 2: recognised: ECS"));
    let first_header = d
        .checks
        .iter()
        .position(|c| c.message.starts_with("failure 1"))
        .unwrap();
    let second_header = d
        .checks
        .iter()
        .position(|c| c.message.starts_with("failure 2"))
        .unwrap();
    let between = &d.checks[first_header..second_header];
    assert!(between
        .iter()
        .any(|c| c.id == CheckId::ResourcePolicyAllows && c.status == Status::Fail));
    assert!(d.checks[second_header..]
        .iter()
        .all(|c| c.id == CheckId::ErrorText || c.id == CheckId::ErrorCause));
    assert!(d
        .assumptions
        .iter()
        .any(|a| a.input == "failure 1 of 2: tag"));
}

fn crossdock(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crossdock"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run crossdock")
}

#[test]
fn cli_asks_the_404_with_the_principal_given() {
    let text = "CannotPullContainerError: API error (404): repository 222222222222.dkr.ecr.ap-northeast-1.amazonaws.com/source-repo not found: does not exist or no pull access";
    let o = crossdock(&[
        "explain",
        "--demo",
        "error",
        &text.replace("source-repo", "base-image-repo"),
    ]);
    assert_eq!(o.status.code(), Some(3));
    let o = crossdock(&[
        "explain",
        "--demo",
        "error",
        "--principal",
        "arn:aws:sts::111111111111:assumed-role/codebuild-service-role/AWSCodeBuild-1",
        "--format",
        "json",
        text,
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let d: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(d["question"]["kind"], "pull");
    let failed: Vec<&str> = d["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["status"] == "fail")
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert!(failed.contains(&"resource-policy-allows"), "{failed:?}");
}

#[test]
fn cli_parse_only_lists_every_failure_and_refuses_noise_without_echoing_it() {
    let text = format!("{S1}\n{NETWORK}");
    let o = crossdock(&[
        "explain",
        "error",
        "--parse-only",
        "--format",
        "json",
        &text,
    ]);
    assert_eq!(o.status.code(), Some(0));
    let list: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let families: Vec<&str> = list
        .as_array()
        .expect("a list for two failures")
        .iter()
        .filter_map(|p| p["family"].as_str())
        .collect();
    assert_eq!(families, ["not-authorized", "registry-network-path"]);

    let noise = "\u{1b}[2J\u{1b}]0;pwned\u{7}Segmentation fault (core dumped)\u{8}";
    let o = crossdock(&["explain", "--demo", "error", noise]);
    assert_eq!(o.status.code(), Some(2));
    let message = String::from_utf8_lossy(&o.stderr);
    assert!(
        message.contains("not a failure message I recognise"),
        "{message}"
    );
    assert!(message.contains("Segmentation fault"), "{message}");
    assert!(
        !message.chars().any(|c| c.is_control() && c != '\n'),
        "{message:?}"
    );
}

#[test]
fn a_principal_whose_account_is_redacted_is_asked_for_not_evaluated() {
    let d = explain("denied: User: arn:aws:iam::***:user/taylorjs is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:us-east-1:***:repository/app because no resource-based policy allows the ecr:BatchGetImage action");
    assert_eq!(d.verdict, Verdict::Unknown);
    let missing = d
        .checks
        .iter()
        .find(|c| c.status == Status::Unknown && c.id == CheckId::ErrorText)
        .expect("says what is missing");
    assert!(
        missing
            .message
            .contains("account is redacted or cut (`arn:aws:iam::***:user/taylorjs`)"),
        "{}",
        missing.message
    );
    assert!(
        d.checks[0].evidence[1].detail.contains("redacted: account"),
        "{:?}",
        d.checks[0].evidence
    );
}

#[test]
fn a_denial_by_a_policy_crossdock_cannot_read_is_named_as_the_cause() {
    // s1-fixed: the demo's policies let the build role pull base-image-repo.
    let text = "denied: User: arn:aws:sts::111111111111:assumed-role/codebuild-service-role/AWSCodeBuild-7f3a2c1e is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:ap-northeast-1:222222222222:repository/base-image-repo with an explicit deny in a service control policy: arn:aws:organizations::999999999999:policy/o-abcd1234/service_control_policy/p-regionlock";
    let d = explain(text);
    assert_eq!(d.verdict, Verdict::Fails, "{}", d.summary);
    let failed: Vec<_> = d.with_status(Status::Fail).collect();
    // Only the SCP is to blame: the recognised text and the guardrail check it cites.
    let ids: Vec<CheckId> = failed.iter().map(|c| c.id).collect();
    assert_eq!(
        ids,
        [CheckId::ErrorText, CheckId::OrgScpAllows],
        "{failed:?}"
    );
    assert!(
        failed[1].message.contains("p-regionlock"),
        "{}",
        failed[1].message
    );
    assert!(failed[0]
        .message
        .contains("service control policy is the cause"));
    assert!(failed[0].message.contains("p-regionlock"));
    assert!(failed[0]
        .evidence
        .iter()
        .any(|e| e.detail.contains("organizations:DescribePolicy")));
    // The same refusal blamed on the repository policy, which allows: stale data, a warning.
    let stale = explain(&text.replace(
        "with an explicit deny in a service control policy: arn:aws:organizations::999999999999:policy/o-abcd1234/service_control_policy/p-regionlock",
        "because no resource-based policy allows the ecr:BatchGetImage action",
    ));
    assert_eq!(stale.verdict, Verdict::Works);
    assert_eq!(stale.checks[0].status, Status::Warn);
}

#[test]
fn a_paste_plans_the_reads_of_every_failure_it_can_ask_about() {
    let workspace = demo();
    let assume = "An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:sts::111111111111:assumed-role/codebuild-deploy-role/AWSCodeBuild-1 is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/deploy-from-codebuild";
    // The 404 names no caller: the demo's CloudTrail record of the refused pull does.
    let not_found = "CannotPullContainerError: API error (404): repository 222222222222.dkr.ecr.ap-northeast-1.amazonaws.com/source-repo not found: does not exist or no pull access";
    let planned = crossdock::diagnose::planned_questions(
        workspace.accounts(),
        &format!("{S1}\n{NETWORK}\n{assume}\n\n{not_found}\n"),
    );
    let kinds: Vec<&str> = planned.iter().map(|q| q.kind()).collect();
    // The network failure has no policy question to read for.
    assert_eq!(kinds, ["pull", "assume", "pull"]);
}
