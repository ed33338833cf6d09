//! Organisations on moto: an organisation (`create_organization`, `create_account`, OUs) with
//! a read-only role in each member but one; `crossdock accounts` discovers it, assumes the
//! role, confirms each identity, and marks the member without the role `unknown` while the
//! rest are fine; without `--org-role` the user's profiles are matched by account id; and
//! `crossdock snapshot --org-profile` writes every readable account into one file.
#![cfg(feature = "aws")]

#[path = "support/moto.rs"]
mod moto;

use std::path::Path;

use moto::{moto, ProfilePaths};
use serde_json::Value;

/// The read-only role every member has, except `broken`.
const ROLE: &str = "CrossdockRead";

/// An organisation made on moto.
struct Org {
    management: String,
    build: String,
    registry: String,
    broken: String,
}

/// Creates the organisation in `management`: OUs Workloads/Prod, members `build` (root),
/// `registry` (Prod) and `broken` (Workloads, no read-only role), and one repository in
/// `registry`.
async fn organisation(management: &str) -> Org {
    let config = moto().sdk_config(management).await;
    let orgs = aws_sdk_organizations::Client::new(&config);
    orgs.create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .expect("create_organization");
    let roots = orgs.list_roots().send().await.expect("list_roots");
    let root = roots.roots()[0].id().expect("root id").to_string();
    let ou = |parent: String, name: &'static str| {
        let orgs = orgs.clone();
        async move {
            let out = orgs
                .create_organizational_unit()
                .parent_id(parent)
                .name(name)
                .send()
                .await
                .expect("create_organizational_unit");
            out.organizational_unit()
                .and_then(|o| o.id())
                .expect("ou id")
                .to_string()
        }
    };
    let workloads = ou(root.clone(), "Workloads").await;
    let prod = ou(workloads.clone(), "Prod").await;
    let mut ids = Vec::new();
    for (name, parent) in [
        ("build", None),
        ("registry", Some(&prod)),
        ("broken", Some(&workloads)),
    ] {
        let out = orgs
            .create_account()
            .account_name(name)
            .email(format!("{name}@example.com"))
            .send()
            .await
            .expect("create_account");
        let id = out
            .create_account_status()
            .and_then(|s| s.account_id())
            .expect("account id")
            .to_string();
        if let Some(parent) = parent {
            orgs.move_account()
                .account_id(&id)
                .source_parent_id(&root)
                .destination_parent_id(parent)
                .send()
                .await
                .expect("move_account");
        }
        ids.push(id);
    }
    for id in &ids[..2] {
        let member = moto().sdk_config(id).await;
        let iam = aws_sdk_iam::Client::new(&member);
        let trust = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{management}:root"}},"Action":"sts:AssumeRole"}}]}}"#
        );
        iam.create_role()
            .role_name(ROLE)
            .assume_role_policy_document(trust)
            .send()
            .await
            .expect("create_role");
    }
    // Build holds more roles than registry: a listing's calls must not grow with them.
    let build = aws_sdk_iam::Client::new(&moto().sdk_config(&ids[0]).await);
    for i in 0..20 {
        build
            .create_role()
            .role_name(format!("svc-{i}"))
            .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[]}"#)
            .send()
            .await
            .expect("create_role");
    }
    let registry = moto().sdk_config(&ids[1]).await;
    aws_sdk_ecr::Client::new(&registry)
        .create_repository()
        .repository_name("app")
        .send()
        .await
        .expect("create_repository");
    Org {
        management: management.to_string(),
        build: ids[0].clone(),
        registry: ids[1].clone(),
        broken: ids[2].clone(),
    }
}

fn profiles(test: &str, accounts: &[(&str, &str)]) -> ProfilePaths {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("org-{test}-{}", std::process::id()));
    moto().write_profiles(&dir, accounts)
}

fn accounts_json(paths: &ProfilePaths, extra: &[&str]) -> (Value, String) {
    let out = paths
        .crossdock()
        .args(["accounts", "--org-profile", "mgmt", "--format", "json"])
        .args(extra)
        .output()
        .expect("run crossdock accounts");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (json, stderr)
}

fn row<'a>(json: &'a Value, id: &str) -> &'a Value {
    json["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("no account {id} in {json}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn accounts_are_discovered_assumed_and_a_missing_role_is_unknown() {
    let org = organisation("193000000001").await;
    let paths = profiles("role", &[("mgmt", &org.management)]);
    let (json, stderr) = accounts_json(&paths, &["--org-role", ROLE]);
    assert!(
        json["organization"]
            .as_str()
            .unwrap_or("")
            .starts_with("o-"),
        "{json}"
    );
    assert_eq!(json["accounts"].as_array().map(Vec::len), Some(4), "{json}");
    let management = row(&json, &org.management);
    assert_eq!(management["management"], true);
    assert_eq!(management["access"], "profile mgmt");
    assert_eq!(management["identity_ok"], true);
    let build = row(&json, &org.build);
    assert_eq!(build["name"], "build");
    assert_eq!(build["ou_path"], "Root");
    assert_eq!(build["management"], false);
    assert_eq!(
        build["access"],
        format!("arn:aws:iam::{}:role/{ROLE}", org.build)
    );
    assert_eq!(build["identity_ok"], true, "{json}");
    let registry = row(&json, &org.registry);
    assert_eq!(registry["ou_path"], "Root/Workloads/Prod");
    assert_eq!(registry["identity_ok"], true, "{json}");
    let broken = row(&json, &org.broken);
    assert_eq!(broken["ou_path"], "Root/Workloads");
    assert_eq!(broken["identity_ok"], false, "{json}");
    let reason = broken["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("AccessDenied") || reason.contains("AssumeRole"),
        "{reason}"
    );
    assert!(stderr.contains("4/4 accounts, 1 unknown"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_role_the_users_profiles_are_matched_by_account() {
    let org = organisation("193000000002").await;
    let paths = profiles(
        "profiles",
        &[("mgmt", &org.management), ("build-ro", &org.build)],
    );
    let (json, _) = accounts_json(&paths, &[]);
    let build = row(&json, &org.build);
    assert_eq!(build["access"], "profile build-ro");
    assert_eq!(build["identity_ok"], true, "{json}");
    let registry = row(&json, &org.registry);
    assert_eq!(registry["access"], "none");
    assert_eq!(registry["identity_ok"], false);
    assert!(registry["reason"]
        .as_str()
        .unwrap_or_default()
        .contains("--org-role"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_organisation_snapshot_streams_every_readable_account_into_one_file() {
    let org = organisation("193000000003").await;
    let paths = profiles("snapshot", &[("mgmt", &org.management)]);
    let file = paths.config.with_file_name("org.json");
    let out = paths
        .crossdock()
        .args([
            "snapshot",
            "--org-profile",
            "mgmt",
            "--org-role",
            ROLE,
            "-o",
        ])
        .arg(&file)
        .output()
        .expect("run crossdock snapshot");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("wrote 3 accounts"), "{stdout}");
    assert!(
        stderr.contains(&format!("unknown {} (broken)", org.broken)),
        "{stderr}"
    );
    let accounts = crossdock::inventory::snapshot::load(&file).expect("the file loads");
    let ids: Vec<&str> = accounts.accounts().map(|a| a.id()).collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    for id in [&org.management, &org.build, &org.registry] {
        assert!(ids.contains(&id.as_str()), "{id} missing from {ids:?}");
    }
    let registry = accounts
        .accounts()
        .find(|a| a.id() == org.registry)
        .expect("registry");
    assert_eq!(registry.repositories.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn listing_every_member_costs_the_same_calls_per_account() {
    let org = organisation("193000000004").await;
    let paths = profiles("list", &[("mgmt", &org.management)]);
    let (json, _) = accounts_json(&paths, &["--org-role", ROLE, "--list"]);
    let build = row(&json, &org.build);
    let registry = row(&json, &org.registry);
    let roles = |row: &Value| row["listed"]["roles"].as_u64().unwrap_or(0);
    assert_eq!(roles(build), roles(registry) + 20, "{json}");
    assert_eq!(registry["listed"]["repositories"], 1, "{json}");
    assert_eq!(build["calls"], registry["calls"], "{json}");
    assert!(row(&json, &org.broken).get("listed").is_none());
}

#[cfg(feature = "tui")]
#[tokio::test(flavor = "multi_thread")]
async fn a_question_leading_to_an_account_no_side_shows_opens_it() {
    use crossdock::tui::org::{OrgAccounts, OrgSource};
    use crossdock::tui::source::LiveAccounts;

    let org = organisation("193000000005").await;
    let paths = profiles("third", &[("mgmt", &org.management)]);
    let source = crossdock::aws::ProfileSource::files(&paths.config, &paths.credentials);
    let opened = crossdock::aws::org_discovery::open_org(&source, "mgmt", Some(ROLE), None)
        .await
        .expect("the organisation opens");
    let live = OrgAccounts::discovered(
        OrgSource {
            profile: "mgmt".into(),
            role: Some(ROLE.into()),
        },
        opened,
    );
    let build = live
        .load(format!("build {}", org.build))
        .await
        .expect("build opens");
    let mut workspace = crossdock::workspace::Workspace::new(
        Default::default(),
        crossdock::workspace::Origin::Live(Vec::new()),
    );
    live.attach(&mut workspace, build);
    assert!(workspace.account(&org.registry).is_none());
    let draft = crossdock::diagnose::QuestionDraft::Assume {
        principal: format!("arn:aws:iam::{}:role/svc-1", org.build),
        role: format!("arn:aws:iam::{}:role/{ROLE}", org.registry),
        external_id: None,
    };
    let explained = workspace.explain(&draft).await.expect("answered");
    assert!(
        workspace.account(&org.registry).is_some(),
        "the role's account was opened for the question"
    );
    // The trust policy it read names the management account only: build's role is refused.
    assert!(
        explained.cost.calls.contains_key("iam:GetRole"),
        "{:?}",
        explained.cost
    );
}
