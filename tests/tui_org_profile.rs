//! The console's `--org-profile` path against the emulator: a member account of an
//! organisation whose OU's SCP denies the caller's pull, opened as side A with
//! `--profile-a`/`--profile-b`, the organisation read through the management account's profile.
//! Explaining the pull from the selections shows `org-scp-allows` failing with the SCP's ARN and
//! its level, and `org-rcp-allows` not applying to a registry in no organisation — rendered into
//! ratatui's TestBackend. One test in this file: it points the process's AWS config at
//! temporary profile files.
#![cfg(all(feature = "tui", feature = "aws"))]

#[path = "support/moto.rs"]
mod moto;

use std::path::Path;
use std::sync::Arc;

use aws_sdk_organizations::types::{OrganizationFeatureSet, PolicyType};
use crossdock::diagnose::model::Status;
use crossdock::diagnose::CheckId;
use crossdock::tui::action::Action;
use crossdock::tui::app::{AppOptions, DeepLink};
use crossdock::tui::headless::Harness;
use crossdock::tui::keymap::Keymap;
use crossdock::tui::live::AwsAccounts;
use crossdock::tui::source::DataSource;
use crossdock::tui::theme::Theme;
use moto::moto;
use serde_json::json;

const MANAGEMENT: &str = "777700000071";
/// The registry's account, in no organisation.
const REGISTRY: &str = "777700000079";

/// The organisation (root → OU `build` → a member) with an SCP on the OU denying
/// `ecr:BatchGetImage` to roles named `scp-blocked-*`; returns the member and the SCP's id.
async fn organisation() -> (String, String) {
    let org = aws_sdk_organizations::Client::new(&moto().sdk_config(MANAGEMENT).await);
    org.create_organization()
        .feature_set(OrganizationFeatureSet::All)
        .send()
        .await
        .expect("organisation");
    let roots = org.list_roots().send().await.expect("roots");
    let root = roots.roots()[0].id().expect("root id").to_string();
    let ou = org
        .create_organizational_unit()
        .parent_id(&root)
        .name("build")
        .send()
        .await
        .expect("OU")
        .organizational_unit
        .and_then(|o| o.id)
        .expect("OU id");
    let member = org
        .create_account()
        .account_name("builds")
        .email("builds@example.com")
        .send()
        .await
        .expect("account")
        .create_account_status
        .and_then(|s| s.account_id)
        .expect("account id");
    org.move_account()
        .account_id(&member)
        .source_parent_id(&root)
        .destination_parent_id(&ou)
        .send()
        .await
        .expect("move");
    let deny = json!({"Version": "2012-10-17", "Statement": [{"Sid": "BlockPulls", "Effect": "Deny",
        "Action": "ecr:BatchGetImage", "Resource": "*",
        "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/scp-blocked-*"}}}]});
    let policy = org
        .create_policy()
        .name("block-pulls")
        .description("crossdock test")
        .r#type(PolicyType::ServiceControlPolicy)
        .content(deny.to_string())
        .send()
        .await
        .expect("policy")
        .policy
        .and_then(|p| p.policy_summary)
        .and_then(|s| s.id)
        .expect("policy id");
    org.attach_policy()
        .policy_id(&policy)
        .target_id(&ou)
        .send()
        .await
        .expect("attach");
    (member, policy)
}

/// Role `scp-blocked-builder` in `member`, allowed to pull `app` from the registry, whose
/// repository policy grants `member`.
async fn seed(member: &str) {
    let iam = aws_sdk_iam::Client::new(&moto().sdk_config(member).await);
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    let pull = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
            "ecr:BatchCheckLayerAvailability"],
         "Resource": format!("arn:aws:ecr:*:{REGISTRY}:repository/app")}]});
    iam.create_role()
        .role_name("scp-blocked-builder")
        .assume_role_policy_document(trust.to_string())
        .send()
        .await
        .expect("role");
    iam.put_role_policy()
        .role_name("scp-blocked-builder")
        .policy_name("pull")
        .policy_document(pull.to_string())
        .send()
        .await
        .expect("inline policy");
    let ecr = aws_sdk_ecr::Client::new(&moto().sdk_config(REGISTRY).await);
    ecr.create_repository()
        .repository_name("app")
        .send()
        .await
        .expect("repository");
    let grant = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{member}:root")},
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]}]});
    ecr.set_repository_policy()
        .repository_name("app")
        .policy_text(grant.to_string())
        .send()
        .await
        .expect("repository policy");
}

#[test]
fn the_console_reads_scps_through_the_org_profile() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (member, policy) = runtime.block_on(async {
        let (member, policy) = organisation().await;
        seed(&member).await;
        (member, policy)
    });
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("tui-org-profile-{}", std::process::id()));
    let paths = moto().write_profiles(
        &dir,
        &[
            ("builds", &member),
            ("registry", REGISTRY),
            ("org", MANAGEMENT),
        ],
    );
    paths.export_to_this_process();
    let options = AppOptions {
        source: DataSource::Profiles {
            a: Some("builds".into()),
            b: Some("registry".into()),
        },
        theme: Theme::monochrome(),
        keymap: Keymap::default_keymap(),
        presenter: false,
        deep_link: DeepLink::default(),
    };
    let mut h = Harness::with(options, Arc::new(AwsAccounts::default()), 160, 48);
    h.connect_org("org").expect("--org-profile org opens");

    h.act(Action::Filter)
        .type_text("scp-blocked-builder")
        .act(Action::Confirm);
    h.act(Action::TabRepositories)
        .act(Action::NextPane)
        .act(Action::NextPane);
    h.act(Action::Filter).type_text("app").act(Action::Confirm);
    h.act(Action::Explain).act(Action::Confirm);
    let diagnosis = h
        .app
        .explain
        .as_ref()
        .and_then(|e| e.diagnosis())
        .unwrap_or_else(|| panic!("a diagnosis: {}", h.screen()))
        .clone();
    let scp = diagnosis
        .check(CheckId::OrgScpAllows)
        .unwrap_or_else(|| panic!("no org-scp-allows: {}", h.screen()));
    assert_eq!(scp.status, Status::Fail, "{}", scp.message);
    assert!(
        scp.message.contains(&policy) && scp.message.contains("arn:aws:organizations::"),
        "the SCP's ARN: {}",
        scp.message
    );
    assert!(scp.message.contains("OU "), "its level: {}", scp.message);
    assert_eq!(scp.evidence[0].sid.as_deref(), Some("BlockPulls"));
    let rcp = diagnosis
        .check(CheckId::OrgRcpAllows)
        .expect("org-rcp-allows");
    assert_eq!(rcp.status, Status::NotApplicable, "{}", rcp.message);
    let screen = h.screen();
    assert!(screen.contains("organisation SCPs allow"), "{screen}");
}
