//! Complete fixes, end to end on the demo: every broken scenario with an automatic fix is
//! made to work by feeding its JSON `fixes` back through `--what-if`; the new documents keep
//! every statement they had; every rendering parses in its own tool's syntax (shell, HCL,
//! YAML) and the CLI names only real `aws` operations; widening warnings appear where a fix
//! opens more than the question needs, and nowhere else.

#[path = "support/fix_renderings.rs"]
mod fix_renderings;

use std::path::PathBuf;
use std::process::Command;

use serde_json::{json, Value};

fn crossdock(args: &[&str]) -> (u8, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_crossdock"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run crossdock");
    (
        out.status.code().unwrap_or(-1) as u8,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn explain_json(args: &[&str]) -> Value {
    let mut all = vec!["explain", "--demo", "--format", "json"];
    all.extend_from_slice(args);
    let (_, out, err) = crossdock(&all);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"))
}

fn temp_file(name: &str, content: &str) -> PathBuf {
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("fixes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write");
    path
}

/// The broken scenarios of the catalogue.
fn broken() -> Vec<String> {
    crossdock::diagnose::scenario::scenarios()
        .expect("catalogue")
        .into_iter()
        .filter(|s| !s.expected.failing_checks.is_empty())
        .map(|s| s.id.clone())
        .collect()
}

fn statements(doc: &Value) -> Vec<Value> {
    match doc.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(single @ Value::Object(_)) => vec![single.clone()],
        _ => Vec::new(),
    }
}

#[test]
fn every_broken_scenario_with_a_fix_works_through_what_if_and_keeps_its_statements() {
    let mut fixed = 0;
    for id in broken() {
        let answer = explain_json(&["scenario", &id]);
        let fixes = answer["fixes"].as_array().expect("a fixes list").clone();
        if fixes.is_empty() {
            continue;
        }
        fixed += 1;
        for fix in &fixes {
            assert_eq!(fix["verified_verdict"], "works", "{id}: {fix:#}");
            let Some(current) = fix.get("current_document").filter(|c| c.is_object()) else {
                continue;
            };
            let (before, after) = (statements(current), statements(&fix["document"]));
            assert!(after.len() >= before.len(), "{id}: a statement was lost");
            for (index, statement) in before.into_iter().enumerate() {
                // Kept as it is, or edited in place (same Sid; same index, effect and action).
                let edited_in_place = match statement.get("Sid") {
                    Some(sid) => after.iter().any(|s| s.get("Sid") == Some(sid)),
                    None => after.get(index).is_some_and(|s| {
                        s.get("Effect") == statement.get("Effect")
                            && s.get("Action") == statement.get("Action")
                    }),
                };
                let kept = after.contains(&statement) || edited_in_place;
                assert!(
                    kept,
                    "{id}: statement {statement} is gone from {:#}",
                    fix["document"]
                );
            }
        }
        // The changes file as documented, and the JSON output itself: both are valid input.
        let changes = json!({"changes": fixes.iter().map(|f| json!({"location": f["location"], "document": f["document"]})).collect::<Vec<_>>()});
        for (name, content) in [
            (format!("{id}-changes.json"), changes.to_string()),
            (format!("{id}-output.json"), answer.to_string()),
        ] {
            let file = temp_file(&name, &content);
            let file = file.to_str().expect("utf-8 path");
            let after = explain_json(&["--what-if", file, "scenario", &id]);
            assert_eq!(
                after["verdict"], "works",
                "{id} with {name}: {:#}",
                after["summary"]
            );
            assert_eq!(after["what_if"]["changes"], fixes.len());
        }
    }
    assert!(fixed >= 20, "only {fixed} scenarios have complete fixes");
}

#[test]
fn each_check_points_at_its_fixes_entry_and_entries_carry_every_rendering() {
    let answer = explain_json(&["scenario", "s1-broken"]);
    let fixes = answer["fixes"].as_array().expect("fixes");
    assert_eq!(
        fixes.len(),
        1,
        "S1's two fixes change one document: one entry"
    );
    for check in answer["checks"].as_array().expect("checks") {
        if let Some(entry) = check["fix"].get("fixes_entry") {
            let entry = &fixes[entry.as_u64().expect("an index") as usize];
            assert!(entry["checks"]
                .as_array()
                .expect("ids")
                .contains(&check["id"]));
        }
    }
    let fix = &fixes[0];
    for field in ["account", "resource_arn", "document"] {
        assert!(fix["location"][field].is_string(), "location.{field}");
    }
    for rendering in ["cli", "terraform", "cloudformation", "cdk_ts", "cdk_python"] {
        assert!(
            fix["renderings"][rendering].is_string(),
            "renderings.{rendering}"
        );
    }
    assert_eq!(fix["widening"], json!([]));
    assert_eq!(fix["location"]["document"], "repository policy");
}

#[test]
fn a_trust_fix_for_an_unknown_account_keeps_the_external_id_and_warns() {
    let error = "User: arn:aws:sts::333333333333:assumed-role/intruder/s is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/partner-deploy-role";
    let answer = explain_json(&["error", error]);
    let fix = &answer["fixes"][0];
    assert_eq!(fix["location"]["document"], "trust policy");
    let added = statements(&fix["document"])
        .into_iter()
        .find(|s| s["Principal"]["AWS"] == "arn:aws:iam::333333333333:role/intruder")
        .expect("the caller's role is trusted by its ARN, not its account root");
    assert_eq!(
        added["Condition"]["StringEquals"]["sts:ExternalId"],
        "cd-7781-partner"
    );
    let widening = fix["widening"].as_array().expect("warnings");
    assert!(
        widening
            .iter()
            .any(|w| w.as_str().unwrap_or_default().contains("333333333333")),
        "{widening:?}"
    );
    for rendering in ["cli", "terraform", "cloudformation", "cdk_ts", "cdk_python"] {
        let text = fix["renderings"][rendering].as_str().expect("a rendering");
        assert!(
            text.contains("WARNING (widens access)"),
            "{rendering}: {text}"
        );
    }
    // The question is still refused without the external id: the verdict says what fails.
    assert_eq!(fix["verified_verdict"], "fails");
    assert!(fix["still_failing"][0]
        .as_str()
        .unwrap_or_default()
        .starts_with("trust-condition"));
}

#[test]
fn every_rendering_of_every_demo_fix_parses_in_its_own_syntax() {
    for id in broken() {
        let answer = explain_json(&["scenario", &id]);
        for fix in answer["fixes"].as_array().expect("fixes") {
            let renderings = &fix["renderings"];
            let context = format!("{id} {}", fix["location"]);
            fix_renderings::check_cli(renderings["cli"].as_str().expect("cli"), &context);
            fix_renderings::check_terraform(
                renderings["terraform"].as_str().expect("tf"),
                &context,
            );
            fix_renderings::check_yaml(
                renderings["cloudformation"].as_str().expect("cfn"),
                &context,
            );
        }
    }
}

#[test]
fn the_text_answer_shows_the_verified_change_in_the_chosen_format() {
    let (code, out, _) = crossdock(&[
        "explain",
        "--demo",
        "--fix-format",
        "cli",
        "scenario",
        "s1-broken",
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("Change 1 of 1: repository policy of arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo"), "{out}");
    assert!(out.contains("after this change: WORKS"), "{out}");
    assert!(out.contains("aws ecr set-repository-policy --region ap-northeast-1 --registry-id 222222222222 --repository-name source-repo"), "{out}");
    let (_, terraform, _) = crossdock(&[
        "explain",
        "--demo",
        "--fix-format",
        "terraform",
        "scenario",
        "s1-broken",
    ]);
    assert!(
        terraform.contains("resource \"aws_ecr_repository_policy\" \"source-repo\""),
        "{terraform}"
    );
}

#[test]
fn a_what_if_file_that_is_not_a_change_set_is_refused_with_the_expected_shape() {
    let bad = temp_file(
        "bad.json",
        r#"{"changes": [{"location": {"account": "1", "resource_arn": "x", "document": "policy of doom"}, "document": {}}]}"#,
    );
    let (code, _, err) = crossdock(&[
        "explain",
        "--demo",
        "--what-if",
        bad.to_str().expect("utf-8"),
        "scenario",
        "s1-broken",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown document `policy of doom`"), "{err}");
    let missing = temp_file(
        "missing.json",
        r#"{"changes": [{"location": {"account": "222222222222", "resource_arn": "arn:aws:iam::222222222222:role/nobody", "document": "trust policy"}, "document": {"Statement": []}}]}"#,
    );
    let (code, _, err) = crossdock(&[
        "explain",
        "--demo",
        "--what-if",
        missing.to_str().expect("utf-8"),
        "scenario",
        "s1-broken",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("not in the loaded accounts"), "{err}");
}

#[test]
fn every_document_kind_renders_in_every_syntax() {
    use crossdock::diagnose::change::{ChangeLocation, DocumentKind};
    use crossdock::report::fixes::{render, FixFormat, Proposed};
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Home", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/r"}, "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/${aws:username}/*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}}
    ]});
    let cases: Vec<(&str, DocumentKind, Value, Option<Value>)> = vec![
        (
            "arn:aws:ecr:eu-west-1:222222222222:repository/team/app",
            DocumentKind::RepositoryPolicy,
            policy.clone(),
            None,
        ),
        (
            "arn:aws:iam::222222222222:role/path/deploy",
            DocumentKind::TrustPolicy,
            policy.clone(),
            None,
        ),
        (
            "arn:aws:iam::222222222222:role/deploy",
            DocumentKind::InlinePolicy("it's-mine".into()),
            policy.clone(),
            None,
        ),
        (
            "arn:aws:iam::222222222222:policy/shared",
            DocumentKind::ManagedPolicy,
            policy.clone(),
            None,
        ),
        (
            "arn:aws:kms:eu-west-1:222222222222:key/1234",
            DocumentKind::KeyPolicy,
            policy.clone(),
            None,
        ),
        (
            "arn:aws:s3:::artifact-bucket",
            DocumentKind::BucketPolicy,
            policy.clone(),
            None,
        ),
        (
            "arn:aws:events:eu-west-1:222222222222:rule/custom-bus/on-push",
            DocumentKind::EventPattern,
            json!({"source": ["aws.ecr"], "detail": {"image-tag": ["latest"]}}),
            None,
        ),
        (
            "arn:aws:events:eu-west-1:222222222222:rule/on-push",
            DocumentKind::RuleState,
            json!("ENABLED"),
            Some(json!("DISABLED")),
        ),
        (
            "arn:aws:codebuild:eu-west-1:222222222222:project/build",
            DocumentKind::Setting("environment.imagePullCredentialsType".into()),
            json!("SERVICE_ROLE"),
            Some(json!("CODEBUILD")),
        ),
        (
            "arn:aws:ecr:eu-west-1:222222222222:repository/app",
            DocumentKind::Setting("imageTagMutability".into()),
            json!("MUTABLE"),
            Some(json!("IMMUTABLE")),
        ),
        (
            "arn:aws:kms:eu-west-1:222222222222:key/1234",
            DocumentKind::Setting("KeyState".into()),
            json!("Enabled"),
            Some(json!("PendingDeletion")),
        ),
        (
            "arn:aws:codepipeline:eu-west-1:222222222222:release",
            DocumentKind::Setting("artifactStore.encryptionKey.id".into()),
            json!("arn:aws:kms:eu-west-1:222222222222:key/1234"),
            None,
        ),
    ];
    let widening = vec!["trusts account 333333333333, which crossdock has not loaded".to_string()];
    for (arn, document, value, current) in cases {
        let location = ChangeLocation {
            account: "222222222222".into(),
            resource_arn: arn.into(),
            document,
        };
        let proposed = Proposed {
            location: &location,
            current: current.as_ref(),
            document: &value,
            widening: &widening,
        };
        let context = location.to_string();
        fix_renderings::check_cli(&render(proposed, FixFormat::Cli), &context);
        let terraform = render(proposed, FixFormat::Terraform);
        fix_renderings::check_terraform(&terraform, &context);
        if location.document.is_policy() {
            // Terraform must not read the policy variable as an interpolation.
            assert!(
                terraform.contains("$${aws:username}"),
                "{context}: {terraform}"
            );
            let body = hcl::parse(&terraform).expect("HCL");
            assert!(hcl::to_string(&body).is_ok());
        }
        fix_renderings::check_yaml(&render(proposed, FixFormat::Cloudformation), &context);
        let json_rendering: Value =
            serde_json::from_str(&render(proposed, FixFormat::Json)).expect("JSON");
        assert_eq!(json_rendering, value);
        for format in FixFormat::ALL {
            let text = render(proposed, format);
            assert!(!text.trim().is_empty(), "{context} {format:?}");
            if format != FixFormat::Json {
                assert!(
                    text.contains("WARNING (widens access)"),
                    "{context} {format:?}"
                );
            }
        }
    }
}

#[test]
fn names_from_the_data_stay_one_shell_word() {
    use crossdock::diagnose::change::{ChangeLocation, DocumentKind};
    use crossdock::report::fixes::{render, FixFormat, Proposed};
    let location = ChangeLocation {
        account: "222222222222".into(),
        resource_arn: "arn:aws:iam::222222222222:role/x; touch pwned".into(),
        document: DocumentKind::InlinePolicy("it's $(id)".into()),
    };
    let document = json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Sid": "EOF"}]});
    let proposed = Proposed {
        location: &location,
        current: None,
        document: &document,
        widening: &[],
    };
    let cli = render(proposed, FixFormat::Cli);
    let commands = fix_renderings::commands(&cli, "hostile");
    let aws = commands
        .iter()
        .find(|c| c[0] == "aws")
        .expect("an aws command");
    let value = |name: &str| aws[aws.iter().position(|w| w == name).expect(name) + 1].clone();
    assert_eq!(value("--role-name"), "x; touch pwned");
    assert_eq!(value("--policy-name"), "it's $(id)");
}
