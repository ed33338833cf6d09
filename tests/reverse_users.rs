//! IAM users as principals: their own and their groups' policies and their boundary decide,
//! their tags are `aws:PrincipalTag/*`, `who-can` / `what-can` list them by their IAM ARN
//! (directly and through a role they assume), `explain` agrees, and nobody assumes a user.
//! Snapshots written before users existed still load; with users they round-trip.

use crossdock::diagnose::model::Verdict;
use crossdock::diagnose::reverse::{self, Kind, Standing};
use crossdock::diagnose::{diagnose, Question};
use crossdock::inventory::{
    demo, snapshot, Accounts, AttachedPolicy, Field, Group, InlinePolicy, ManagedPolicy, User,
};
use serde_json::{json, Value};

const A: &str = "111111111111";
const BASE_IMAGE: &str = "arn:aws:ecr:ap-northeast-1:222222222222:repository/base-image-repo";
/// The demo role that may pull base-image-repo.
const PULLER: &str = "arn:aws:iam::111111111111:role/codebuild-service-role";

fn user_arn(name: &str) -> String {
    format!("arn:aws:iam::{A}:user/{name}")
}

fn inline(name: &str, document: Value) -> InlinePolicy {
    InlinePolicy {
        name: name.into(),
        document: Field::Loaded(document),
    }
}

fn allow(actions: Value, resource: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": actions, "Resource": resource}]})
}

fn pull_actions() -> Value {
    json!([
        "ecr:GetAuthorizationToken",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer"
    ])
}

/// A user with only the given inline policies, no groups, tags or boundary.
fn user(name: &str, policies: Vec<InlinePolicy>) -> User {
    let mut user = User::listed(user_arn(name), name, "/");
    user.inline_policies = Field::Loaded(policies);
    user.attached_policies = Field::Loaded(Vec::new());
    user.permissions_boundary = Field::Absent;
    user.tags = Field::Loaded(Default::default());
    user.groups = Field::Loaded(Vec::new());
    user
}

/// The demo, with base-image-repo trusting account A, plus users in A:
/// - `grouped`: pulls through its group's managed policy;
/// - `tagged`: may pull only while tagged `team=build` (it is);
/// - `untagged`: the same policy, no tag;
/// - `bounded`: may pull, but its boundary allows only `s3:*`;
/// - `hopper`: may only assume codebuild-service-role, which pulls.
fn accounts() -> Accounts {
    let mut accounts = demo::load().expect("demo");
    let a = accounts.account_mut(A).expect("A");
    let pull_policy = format!("arn:aws:iam::{A}:policy/pull-base");
    a.managed_policies.upsert(ManagedPolicy {
        arn: pull_policy.clone(),
        name: "pull-base".into(),
        default_version_id: Field::Loaded("v1".into()),
        document: Field::Loaded(allow(pull_actions(), "*")),
    });
    let boundary = format!("arn:aws:iam::{A}:policy/s3-only");
    a.managed_policies.upsert(ManagedPolicy {
        arn: boundary.clone(),
        name: "s3-only".into(),
        default_version_id: Field::Loaded("v1".into()),
        document: Field::Loaded(allow(json!("s3:*"), "*")),
    });
    let mut group = Group::listed(format!("arn:aws:iam::{A}:group/builders"), "builders");
    group.inline_policies = Field::Loaded(Vec::new());
    group.attached_policies = Field::Loaded(vec![AttachedPolicy {
        arn: pull_policy,
        name: "pull-base".into(),
    }]);
    a.groups.upsert(group);

    let mut grouped = user("grouped", Vec::new());
    grouped.groups = Field::Loaded(vec!["builders".into()]);
    a.users.upsert(grouped);

    let tag_gated = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": pull_actions(), "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/team": "build"}}}]});
    let mut tagged = user("tagged", vec![inline("pull", tag_gated.clone())]);
    tagged.tags = Field::Loaded([("team".to_string(), "build".to_string())].into());
    a.users.upsert(tagged);
    a.users
        .upsert(user("untagged", vec![inline("pull", tag_gated)]));

    let mut bounded = user("bounded", vec![inline("pull", allow(pull_actions(), "*"))]);
    bounded.permissions_boundary = Field::Loaded(AttachedPolicy {
        arn: boundary,
        name: "s3-only".into(),
    });
    a.users.upsert(bounded);

    a.users.upsert(user(
        "hopper",
        vec![inline("hop", allow(json!("sts:AssumeRole"), PULLER))],
    ));
    // codebuild-service-role trusts CodeBuild only: let account A's principals in too.
    a.roles.update(PULLER, |role| {
        role.trust_policy = Field::Loaded(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"},
             "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{A}:root")},
             "Action": "sts:AssumeRole"}]}));
    });
    // The repository trusts account A (its IAM decides), not just codebuild-service-role.
    let b = accounts.account_mut("222222222222").expect("B");
    b.repositories.update(BASE_IMAGE, |repository| {
        repository.policy = Field::Loaded(json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "AccountA", "Effect": "Allow",
             "Principal": {"AWS": format!("arn:aws:iam::{A}:root")},
             "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]}));
    });
    accounts
}

fn pull(accounts: &Accounts, principal: &str) -> Verdict {
    let question = Question::Pull {
        principal: principal.to_string(),
        repository: BASE_IMAGE.to_string(),
        tag: "latest".into(),
        project: None,
        source_arn: None,
        vpc_endpoint: None,
        runs_in: None,
    };
    diagnose(accounts, &question).expect("answered").verdict
}

fn standing(accounts: &Accounts, name: &str) -> Option<(Standing, Vec<String>)> {
    reverse::who_can(accounts, &Kind::Pull, "base-image-repo", true)
        .expect("answered")
        .principals
        .into_iter()
        .find(|p| p.principal == user_arn(name))
        .map(|p| (p.verdict, p.via))
}

#[test]
fn users_are_listed_by_their_arn_with_their_groups_tags_and_boundary_applied() {
    let accounts = accounts();
    let grants =
        reverse::who_can(&accounts, &Kind::Pull, "base-image-repo", false).expect("answered");
    let listed: Vec<&str> = grants
        .principals
        .iter()
        .map(|p| p.principal.as_str())
        .filter(|p| p.contains(":user/"))
        .collect();
    // Direct grants first, then the chains (the order who-can prints).
    let expected = [user_arn("grouped"), user_arn("tagged"), user_arn("hopper")];
    assert_eq!(listed, expected, "{grants:#?}");
    assert_eq!(
        standing(&accounts, "grouped"),
        Some((Standing::Works, vec![]))
    );
    assert_eq!(
        standing(&accounts, "tagged"),
        Some((Standing::Works, vec![]))
    );
    assert_eq!(
        standing(&accounts, "untagged").map(|s| s.0),
        Some(Standing::Fails)
    );
    assert_eq!(
        standing(&accounts, "bounded").map(|s| s.0),
        Some(Standing::Fails)
    );
    assert_eq!(
        standing(&accounts, "hopper"),
        Some((Standing::Works, vec![PULLER.to_string()]))
    );
    let grouped = grants
        .principals
        .iter()
        .find(|p| p.principal == user_arn("grouped"))
        .expect("listed");
    assert!(
        grouped.evidence.iter().any(|e| e
            .policy
            .as_ref()
            .is_some_and(|p| p.to_string().contains("group/builders"))),
        "the group's policy is the evidence: {grouped:#?}"
    );
}

#[test]
fn explain_agrees_with_who_can_for_every_user() {
    let accounts = accounts();
    for (name, expected) in [
        ("grouped", Verdict::Works),
        ("tagged", Verdict::Works),
        ("untagged", Verdict::Fails),
        ("bounded", Verdict::Fails),
        // Directly it cannot: only through the role it assumes.
        ("hopper", Verdict::Fails),
    ] {
        assert_eq!(pull(&accounts, &user_arn(name)), expected, "{name}");
    }
}

#[test]
fn what_can_takes_a_user_and_nobody_assumes_a_user() {
    let accounts = accounts();
    let reach = reverse::what_can(&accounts, "grouped", false).expect("a user by name");
    assert_eq!(reach.principal, user_arn("grouped"));
    assert!(reach
        .reachable
        .iter()
        .any(|r| r.resource == BASE_IMAGE && r.kind == "pull" && r.verdict == Standing::Works));
    // Users are callers only: no assume target is a user, and who-can assume refuses one.
    let hopper = reverse::what_can(&accounts, &user_arn("hopper"), true).expect("by ARN");
    assert!(hopper
        .reachable
        .iter()
        .all(|r| r.kind != "assume" || !r.resource.contains(":user/")));
    assert!(hopper
        .reachable
        .iter()
        .any(|r| r.kind == "assume" && r.resource == PULLER && r.verdict == Standing::Works));
    let error = reverse::who_can(&accounts, &Kind::Assume, &user_arn("grouped"), false)
        .expect_err("a user is not assumable");
    assert!(error.to_string().contains("no role"), "{error}");
}

#[test]
fn snapshots_keep_users_and_older_files_without_them_still_load() {
    let accounts = accounts();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("with-users.json");
    snapshot::save(&path, &accounts).expect("saved");
    let text = std::fs::read_to_string(&path).expect("read back");
    assert!(text.contains("\"users\""), "users are written");
    let back = snapshot::load(&path).expect("loaded");
    let a = back.account(A).expect("A");
    assert_eq!(
        a.users.len(),
        6,
        "the five built here and the demo's release-bot"
    );
    assert_eq!(
        a.user("tagged")
            .and_then(|u| u.tags.loaded())
            .map(|t| t.len()),
        Some(1)
    );
    assert_eq!(pull(&back, &user_arn("grouped")), Verdict::Works);
    // B's demo file holds no users (like snapshots written before users existed): it loads,
    // with none; A's holds the release user.
    let demo = demo::load().expect("demo");
    assert!(demo.account("222222222222").expect("B").users.is_empty());
    assert!(demo.account(A).and_then(|a| a.user(RELEASE_BOT)).is_some());
}

/// The demo's IAM user: pushes web-frontend through its group's managed policy.
const RELEASE_BOT: &str = "arn:aws:iam::111111111111:user/ci/release-bot";
const WEB_FRONTEND: &str = "arn:aws:ecr:ap-northeast-1:111111111111:repository/web-frontend";

#[test]
fn the_demo_user_pushes_web_frontend_through_its_group() {
    let demo = demo::load().expect("demo");
    let reach = reverse::what_can(&demo, "release-bot", false).expect("the demo user");
    assert_eq!(reach.principal, RELEASE_BOT);
    let kinds: Vec<(&str, &str)> = reach
        .reachable
        .iter()
        .map(|r| (r.kind.as_str(), r.resource.as_str()))
        .collect();
    assert_eq!(kinds, [("pull", WEB_FRONTEND), ("push", WEB_FRONTEND)]);
    let pushers = reverse::who_can(&demo, &Kind::Push, "web-frontend", false).expect("who");
    assert!(pushers
        .principals
        .iter()
        .any(|p| p.principal == RELEASE_BOT && p.verdict == Standing::Works));
}

fn crossdock(args: &[&str]) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_crossdock"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run crossdock");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn redact_masks_user_names_in_reverse_answers_and_explanations() {
    let runs: [&[&str]; 5] = [
        &[
            "what-can",
            "--demo",
            "--principal",
            "release-bot",
            "--redact",
        ],
        &[
            "what-can",
            "--demo",
            "--principal",
            RELEASE_BOT,
            "--redact",
            "--format",
            "json",
        ],
        &[
            "who-can",
            "--demo",
            "push",
            "--resource",
            "web-frontend",
            "--redact",
        ],
        &[
            "who-can",
            "--demo",
            "push",
            "--resource",
            "web-frontend",
            "--redact",
            "--format",
            "json",
        ],
        &[
            "explain",
            "--demo",
            "--redact",
            "--format",
            "markdown",
            "push",
            "--principal",
            RELEASE_BOT,
            "--repo",
            "web-frontend",
        ],
    ];
    for args in runs {
        let (code, stdout) = crossdock(args);
        assert!(
            code.is_some_and(|c| c == 0 || c == 1),
            "{args:?}: {code:?} {stdout}"
        );
        assert!(stdout.contains(":user/ci/user-1"), "{args:?}: {stdout}");
        for real in ["release-bot", "111111111111"] {
            assert!(!stdout.contains(real), "{args:?} shows {real}: {stdout}");
        }
    }
    // Without --redact the user is named.
    let (_, plain) = crossdock(&["what-can", "--demo", "--principal", "release-bot"]);
    assert!(plain.contains(RELEASE_BOT), "{plain}");
}
