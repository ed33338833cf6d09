//! Reverse questions on the demo: `who-can` lists exactly the principals `explain` says can,
//! finds the principal that reaches a repository only by assuming a role, shows grants to
//! services, `*` and unloaded accounts as conditional or unknown, and `what-can` agrees with
//! `who-can`. The CLI prints the documented JSON contract.

use std::process::Command;

use crossdock::diagnose::model::Status;
use crossdock::diagnose::reverse::{self, Kind, Standing};
use crossdock::diagnose::{diagnose, CheckId, Question};
use crossdock::inventory::{demo, Accounts, Field};
use serde_json::{json, Value};

const BASE_IMAGE: &str = "arn:aws:ecr:ap-northeast-1:222222222222:repository/base-image-repo";

/// The pull checks that decide whether a principal may pull at all (not whether a tag exists).
const ACCESS_CHECKS: [&str; 4] = [
    "auth-token",
    "identity-allows",
    "resource-policy-allows",
    "explicit-deny",
];

fn pull_access_fails(accounts: &Accounts, principal: &str, repository: &str) -> bool {
    let question = Question::Pull {
        principal: principal.to_string(),
        repository: repository.to_string(),
        tag: "latest".into(),
        project: None,
        source_arn: None,
        vpc_endpoint: None,
        runs_in: None,
    };
    let diagnosis = diagnose(accounts, &question).expect("the pull question is answered");
    ACCESS_CHECKS.iter().any(|id| {
        diagnosis
            .check(CheckId::parse(id).expect("a known id"))
            .is_some_and(|c| c.status == Status::Fail)
    })
}

#[test]
fn who_can_pull_agrees_with_explain_for_every_principal() {
    let accounts = demo::load().expect("demo");
    let answer =
        reverse::who_can(&accounts, &Kind::Pull, "base-image-repo", true).expect("answered");
    assert_eq!(answer.query.resource, BASE_IMAGE);
    let codebuild = "arn:aws:iam::111111111111:role/codebuild-service-role";
    let entry = answer
        .principals
        .iter()
        .find(|p| p.principal == codebuild)
        .expect("codebuild-service-role is listed");
    assert_eq!(entry.verdict, Standing::Works);
    assert!(
        entry
            .evidence
            .iter()
            .any(|e| e.sid.as_deref() == Some("AllowPullFromAccountACodeBuildRole")),
        "the repository statement that grants it: {entry:?}"
    );
    let mut checked = 0;
    for p in answer.principals.iter().filter(|p| p.via.is_empty()) {
        if !p.principal.starts_with("arn:aws:iam::") {
            continue;
        }
        match p.verdict {
            Standing::Works => assert!(
                !pull_access_fails(&accounts, &p.principal, BASE_IMAGE),
                "{} works in who-can but explain refuses it",
                p.principal
            ),
            Standing::Fails => assert!(
                pull_access_fails(&accounts, &p.principal, BASE_IMAGE),
                "{} fails in who-can but explain allows it",
                p.principal
            ),
            _ => continue,
        }
        checked += 1;
    }
    assert!(checked > 40, "every role of both accounts: {checked}");
}

#[test]
fn a_role_that_can_only_assume_its_way_in_is_listed_with_the_chain() {
    let accounts = demo::load().expect("demo");
    let answer =
        reverse::who_can(&accounts, &Kind::Push, "payment-service", true).expect("answered");
    let build = answer
        .principals
        .iter()
        .find(|p| p.principal == "arn:aws:iam::111111111111:role/payment-service-build-role")
        .expect("the build role is listed");
    assert_eq!(build.verdict, Standing::Works);
    assert_eq!(
        build.via,
        ["arn:aws:iam::222222222222:role/ecr-push-from-codebuild"]
    );
    // Directly, the build role cannot push: the chain is what grants it.
    let direct = reverse::who_can(&accounts, &Kind::Assume, "ecr-push-from-codebuild", true)
        .expect("answered")
        .principals
        .into_iter()
        .find(|p| p.principal == build.principal)
        .expect("the build role may assume the push role");
    assert_eq!(direct.verdict, Standing::Works);
}

#[test]
fn grants_outside_the_loaded_accounts_are_conditional_or_unknown() {
    let mut accounts = demo::load().expect("demo");
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Partner", "Effect": "Allow",
         "Principal": {"AWS": "arn:aws:iam::333333333333:root"},
         "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]},
        {"Sid": "Org", "Effect": "Allow", "Principal": "*",
         "Action": "ecr:BatchGetImage",
         "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}},
        {"Sid": "Build", "Effect": "Allow",
         "Principal": {"Service": "codebuild.amazonaws.com"},
         "Action": "ecr:BatchGetImage",
         "Condition": {"StringEquals": {"aws:SourceAccount": "111111111111"}}}]});
    let account = accounts.account_mut("222222222222").expect("B");
    account
        .repositories
        .update(BASE_IMAGE, |r| r.policy = Field::Loaded(policy))
        .expect("the repository");
    let answer = reverse::who_can(&accounts, &Kind::Pull, BASE_IMAGE, true).expect("answered");
    let find = |name: &str| {
        answer
            .principals
            .iter()
            .find(|p| p.principal == name)
            .unwrap_or_else(|| panic!("{name} listed: {:#?}", answer.principals))
    };
    let partner = find("arn:aws:iam::333333333333:root");
    assert_eq!(partner.verdict, Standing::Unknown);
    assert!(
        partner
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("333333333333 is not loaded")),
        "{partner:?}"
    );
    let anyone = find("*");
    assert_eq!(anyone.verdict, Standing::Conditional);
    assert_eq!(
        anyone.conditions,
        ["aws:PrincipalOrgID StringEquals o-abc123"]
    );
    let service = find("codebuild.amazonaws.com");
    assert_eq!(service.verdict, Standing::Conditional);
    assert!(service.conditions[0].contains("aws:SourceAccount"));
}

#[test]
fn what_can_agrees_with_who_can() {
    let accounts = demo::load().expect("demo");
    let role = "codebuild-service-role";
    let answer = reverse::what_can(&accounts, role, false).expect("answered");
    assert!(
        answer
            .reachable
            .iter()
            .any(|r| r.kind == "pull" && r.resource == BASE_IMAGE),
        "{:#?}",
        answer.reachable
    );
    for reachable in &answer.reachable {
        let kind = Kind::parse(&reachable.kind).expect("a kind");
        let who = reverse::who_can(&accounts, &kind, &reachable.resource, true).expect("answered");
        let listed = who
            .principals
            .iter()
            .find(|p| p.principal == answer.principal)
            .unwrap_or_else(|| panic!("{} {}", reachable.kind, reachable.resource));
        assert_eq!(listed.verdict, reachable.verdict, "{reachable:?}");
    }
}

fn crossdock(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_crossdock"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run crossdock");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_cli_prints_the_json_contract_and_refuses_bad_input() {
    let (code, stdout, stderr) = crossdock(&[
        "who-can",
        "--demo",
        "push",
        "--resource",
        "payment-service",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let answer: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(answer["query"]["kind"], "push");
    let principals = answer["principals"].as_array().expect("principals");
    assert!(!principals.is_empty());
    for p in principals {
        for field in ["principal", "verdict", "conditions", "via", "evidence"] {
            assert!(p.get(field).is_some(), "{field} in {p}");
        }
        assert!(
            ["works", "conditional"].contains(&p["verdict"].as_str().unwrap_or("")),
            "only works / conditional without --all: {p}"
        );
    }

    let (code, stdout, stderr) = crossdock(&[
        "what-can",
        "--demo",
        "--principal",
        "codebuild-service-role",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let answer: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(
        answer["principal"],
        "arn:aws:iam::111111111111:role/codebuild-service-role"
    );
    assert!(answer["reachable"]
        .as_array()
        .is_some_and(|r| !r.is_empty()));

    for (args, says) in [
        (
            vec!["who-can", "--demo", "pul", "--resource", "x"],
            "not a kind",
        ),
        (
            vec!["who-can", "pull", "--resource", "source-repo"],
            "--demo",
        ),
        (
            vec!["who-can", "--demo", "pull", "--resource", "no-such-repo"],
            "no-such-repo",
        ),
        (
            vec!["what-can", "--demo", "--principal", "nobody-role"],
            "nobody-role",
        ),
    ] {
        let (code, _, stderr) = crossdock(&args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn role_tags_are_principal_tags_in_every_question() {
    // A repository policy that admits account A's principals tagged team=platform.
    let mut accounts = demo::load().expect("demo");
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Sid": "PlatformTeam",
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": "platform"}}}]});
    accounts
        .account_mut("222222222222")
        .expect("B")
        .repositories
        .update(BASE_IMAGE, |r| r.policy = Field::Loaded(policy))
        .expect("the repository");
    let role = "arn:aws:iam::111111111111:role/codebuild-service-role";
    let resource_allows = |accounts: &Accounts| {
        let question = Question::Access {
            principal: role.into(),
            action: "ecr:BatchGetImage".into(),
            resource: BASE_IMAGE.into(),
        };
        let diagnosis = diagnose(accounts, &question).expect("answered");
        diagnosis
            .check(CheckId::parse("resource-policy-allows").expect("id"))
            .map(|c| c.status)
    };
    let tag = |accounts: &mut Accounts, value: &str| {
        let mut tags = std::collections::BTreeMap::new();
        tags.insert("team".to_string(), value.to_string());
        accounts
            .account_mut("111111111111")
            .expect("A")
            .roles
            .update(role, |r| r.tags = Field::Loaded(tags))
            .expect("the role");
    };
    tag(&mut accounts, "platform");
    assert_eq!(resource_allows(&accounts), Some(Status::Pass));
    tag(&mut accounts, "data");
    assert_eq!(resource_allows(&accounts), Some(Status::Fail));
}

#[test]
fn redacted_reverse_answers_hold_no_real_account_id() {
    for args in [
        vec![
            "who-can",
            "--demo",
            "--redact",
            "push",
            "--resource",
            "payment-service",
        ],
        vec![
            "what-can",
            "--demo",
            "--redact",
            "--principal",
            "codebuild-service-role",
            "--format",
            "json",
        ],
    ] {
        let (code, stdout, stderr) = crossdock(&args);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert!(!stdout.is_empty(), "{args:?}");
        for real in [demo::ACCOUNT_A, demo::ACCOUNT_B] {
            assert!(!stdout.contains(real), "{args:?} shows {real}:\n{stdout}");
        }
    }
}

#[test]
fn what_can_equals_brute_force_for_every_demo_principal() {
    // The demo holds triggers (skipped unless a source repository may be pushed), resources
    // that share one policy document, unread and unreadable policies: the fast answer, with
    // its filter and shared evaluations, equals evaluating every target of every principal.
    let accounts = demo::load().expect("demo");
    let principals: Vec<String> = accounts
        .accounts()
        .flat_map(|a| {
            let roles = a.roles.iter().map(|r| r.arn.clone());
            roles.chain(a.users.iter().map(|u| u.arn.clone()))
        })
        .collect();
    let mut triggers = 0;
    for principal in principals {
        let fast = reverse::what_can(&accounts, &principal, false).expect("answered");
        let mut brute = reverse::what_can(&accounts, &principal, true).expect("answered");
        brute.reachable.retain(|r| r.verdict.grants());
        assert_eq!(fast, brute, "{principal}");
        triggers += fast
            .reachable
            .iter()
            .filter(|r| r.kind == "trigger")
            .count();
    }
    assert!(triggers > 0, "some demo principal triggers a pipeline");
}

#[test]
fn who_can_decrypt_equals_brute_force_for_every_demo_key() {
    // Keys with grants let grantees decrypt whatever the key policy says: the filter must
    // not skip them.
    let accounts = demo::load().expect("demo");
    let keys: Vec<String> = accounts
        .accounts()
        .flat_map(|a| a.keys.iter().map(|k| k.arn.clone()))
        .collect();
    for key in keys {
        let fast = reverse::who_can(&accounts, &Kind::Decrypt, &key, false).expect("answered");
        let mut brute = reverse::who_can(&accounts, &Kind::Decrypt, &key, true).expect("answered");
        brute.principals.retain(|p| p.verdict.grants());
        assert_eq!(fast, brute, "{key}");
    }
}
