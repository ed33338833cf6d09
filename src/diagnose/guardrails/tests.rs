//! Tests of the organisation guardrail checks (SCPs, RCPs, org conditions).

use super::*;
use crate::inventory::{LevelKind, OrgPolicy};

const CALLER: &str =
    "arn:aws:sts::111111111111:assumed-role/codebuild-service-role/AWSCodeBuild-7f3a2c1e";
const REPO: &str = "arn:aws:ecr:ap-northeast-1:222222222222:repository/base-image-repo";
const FULL: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"FullAWSAccess","Effect":"Allow","Action":"*","Resource":"*"}]}"#;
const RCP_FULL: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

fn org(id: &str) -> Organization {
    Organization {
        id: id.into(),
        management_account: "999999999999".into(),
    }
}

fn policy(name: &str, content: &str) -> OrgPolicy {
    OrgPolicy {
        arn: format!(
            "arn:aws:organizations::999999999999:policy/o-demo/service_control_policy/p-{name}"
        ),
        name: name.into(),
        content: content.into(),
    }
}

fn level(kind: LevelKind, target: &str, policies: Vec<OrgPolicy>) -> OrgLevel {
    OrgLevel {
        kind,
        target: target.into(),
        policies,
    }
}

/// Root and account with full access; the OU with `ou_policies`.
fn chain(account: &str, ou_policies: Vec<OrgPolicy>) -> Vec<OrgLevel> {
    vec![
        level(
            LevelKind::Root,
            "r-demo",
            vec![policy("FullAWSAccess", FULL)],
        ),
        level(LevelKind::Ou, "ou-demo-build", ou_policies),
        level(
            LevelKind::Account,
            account,
            vec![policy("FullAWSAccess", FULL)],
        ),
    ]
}

fn accounts_with(
    caller_org: Field<Guardrails>,
    registry_org: Field<Guardrails>,
    membership: Field<Organization>,
) -> Accounts {
    let mut accounts = crate::inventory::demo::load().expect("demo");
    for (id, guardrails) in [("111111111111", caller_org), ("222222222222", registry_org)] {
        let account = accounts.account_mut(id).expect("demo account");
        account.org.membership = membership.clone();
        account.org.guardrails = guardrails;
    }
    accounts
}

fn loaded(scps: Vec<OrgLevel>, rcps: Field<Vec<OrgLevel>>) -> Field<Guardrails> {
    Field::Loaded(Guardrails {
        organization: org("o-demo"),
        scps: Field::Loaded(scps),
        rcps,
    })
}

fn pull(principal: &str) -> Question {
    Question::Pull {
        principal: principal.into(),
        repository: REPO.into(),
        tag: "latest".into(),
        project: None,
        source_arn: None,
        vpc_endpoint: None,
        runs_in: None,
    }
}

fn ask(accounts: &Accounts, principal: &str) -> Diagnosis {
    crate::diagnose::diagnose(accounts, &pull(principal)).expect("answer")
}

fn status(d: &Diagnosis, id: CheckId) -> Option<Status> {
    d.check(id).map(|c| c.status)
}

#[test]
fn nothing_known_about_the_organisation_adds_no_check_but_lists_it_as_unseen() {
    let accounts = accounts_with(Field::NotLoaded, Field::NotLoaded, Field::NotLoaded);
    let d = ask(&accounts, CALLER);
    assert_eq!(d.verdict, Verdict::Works, "{}", d.summary);
    assert_eq!(status(&d, CheckId::OrgScpAllows), None);
    let ids: Vec<&str> = d.unseen.iter().map(|u| u.id.as_str()).collect();
    assert!(
        ids.contains(&"org-scps") && ids.contains(&"org-rcps"),
        "{ids:?}"
    );
    assert!(ids.contains(&"session-policy") && ids.contains(&"network-path"));
}

#[test]
fn outside_an_organisation_the_checks_do_not_apply() {
    let accounts = accounts_with(Field::NotLoaded, Field::NotLoaded, Field::Absent);
    let d = ask(&accounts, CALLER);
    assert_eq!(d.verdict, Verdict::Works);
    assert_eq!(
        status(&d, CheckId::OrgScpAllows),
        Some(Status::NotApplicable)
    );
    assert_eq!(
        status(&d, CheckId::OrgRcpAllows),
        Some(Status::NotApplicable)
    );
    assert!(d.unseen.iter().all(|u| !u.id.starts_with("org-")));
}

#[test]
fn inside_an_organisation_without_the_chains_the_answer_is_unknown() {
    let accounts = accounts_with(
        Field::NotLoaded,
        Field::NotLoaded,
        Field::Loaded(org("o-demo")),
    );
    let d = ask(&accounts, CALLER);
    assert_eq!(d.verdict, Verdict::Unknown);
    assert!(
        d.summary.contains("everything crossdock can read allows this; unread: the organisation's SCPs and the organisation's RCPs (pass --org-profile)"),
        "{}",
        d.summary
    );
    let scp = d.check(CheckId::OrgScpAllows).expect("scp check");
    assert!(scp.message.contains("--org-profile") && scp.message.contains("ListPoliciesForTarget"));
}

#[test]
fn full_access_on_every_level_passes() {
    let rcps = Field::Loaded(vec![level(
        LevelKind::Root,
        "r-demo",
        vec![policy("RCPFullAWSAccess", RCP_FULL)],
    )]);
    let accounts = accounts_with(
        loaded(
            chain("111111111111", vec![policy("FullAWSAccess", FULL)]),
            Field::Absent,
        ),
        loaded(
            chain("222222222222", vec![policy("FullAWSAccess", FULL)]),
            rcps,
        ),
        Field::Loaded(org("o-demo")),
    );
    let d = ask(&accounts, CALLER);
    assert_eq!(d.verdict, Verdict::Works, "{}", d.summary);
    assert_eq!(status(&d, CheckId::OrgScpAllows), Some(Status::Pass));
    assert_eq!(status(&d, CheckId::OrgRcpAllows), Some(Status::Pass));
}

#[test]
fn an_ou_deny_fails_naming_the_policy_statement_and_level() {
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"NoCrossAccountPulls","Effect":"Deny","Action":"ecr:BatchGetImage","Resource":"arn:aws:ecr:*:222222222222:repository/*"}]}"#;
    let accounts = accounts_with(
        loaded(
            chain("111111111111", vec![policy("deny-pulls", deny)]),
            Field::Absent,
        ),
        Field::Absent,
        Field::Loaded(org("o-demo")),
    );
    let d = ask(&accounts, CALLER);
    assert_eq!(d.verdict, Verdict::Fails);
    let scp = d.check(CheckId::OrgScpAllows).expect("scp check");
    assert_eq!(scp.status, Status::Fail);
    assert!(
        scp.message.contains("p-deny-pulls") && scp.message.contains("OU ou-demo-build"),
        "{}",
        scp.message
    );
    assert_eq!(scp.evidence[0].statement, Some(1));
    assert_eq!(scp.evidence[0].sid.as_deref(), Some("NoCrossAccountPulls"));
    assert!(scp.fix.is_some());
}

#[test]
fn a_level_without_an_allow_fails() {
    let s3_only = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
    let accounts = accounts_with(
        loaded(
            chain("111111111111", vec![policy("s3-only", s3_only)]),
            Field::Absent,
        ),
        Field::Absent,
        Field::Loaded(org("o-demo")),
    );
    let scp = ask(&accounts, CALLER)
        .check(CheckId::OrgScpAllows)
        .cloned()
        .expect("check");
    assert_eq!(scp.status, Status::Fail);
    assert!(
        scp.message.contains("every level must allow"),
        "{}",
        scp.message
    );
}

#[test]
fn service_linked_roles_and_services_are_exempt() {
    let deny_all =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;
    let accounts = accounts_with(
        loaded(
            chain("111111111111", vec![policy("deny-all", deny_all)]),
            Field::Absent,
        ),
        Field::Absent,
        Field::Loaded(org("o-demo")),
    );
    let slr = "arn:aws:sts::111111111111:assumed-role/AWSServiceRoleForECS/ecs";
    let requests = guarded_requests(&pull(slr));
    let check = guardrail_check(&accounts, Kind::Scp, &requests).expect("check");
    assert_eq!(check.status, Status::NotApplicable, "{}", check.message);
    assert!(check.message.contains("service-linked"));
    let service = guarded_requests(&pull("codebuild.amazonaws.com"));
    let check = guardrail_check(&accounts, Kind::Scp, &service).expect("check");
    assert_eq!(check.status, Status::NotApplicable);
}

#[test]
fn an_rcp_deny_on_an_unknown_organisation_id_is_unknown_never_false() {
    let perimeter = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"ecr:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-demo"}}}]}"#;
    let rcps = Field::Loaded(vec![level(
        LevelKind::Root,
        "r-demo",
        vec![policy("perimeter", perimeter)],
    )]);
    let registry = loaded(
        chain("222222222222", vec![policy("FullAWSAccess", FULL)]),
        rcps,
    );
    // The caller's organisation is unknown: the Deny hinges on it.
    let mut accounts = accounts_with(Field::NotLoaded, registry.clone(), Field::NotLoaded);
    accounts
        .account_mut("222222222222")
        .expect("b")
        .org
        .membership = Field::Loaded(org("o-demo"));
    let d = ask(&accounts, CALLER);
    assert_eq!(
        status(&d, CheckId::OrgRcpAllows),
        Some(Status::Unknown),
        "{:?}",
        d.check(CheckId::OrgRcpAllows)
    );
    // In another organisation: the perimeter denies.
    accounts
        .account_mut("111111111111")
        .expect("a")
        .org
        .membership = Field::Loaded(org("o-other"));
    assert_eq!(
        status(&ask(&accounts, CALLER), CheckId::OrgRcpAllows),
        Some(Status::Fail)
    );
    // In the same organisation: it allows.
    accounts
        .account_mut("111111111111")
        .expect("a")
        .org
        .membership = Field::Loaded(org("o-demo"));
    assert_eq!(
        status(&ask(&accounts, CALLER), CheckId::OrgRcpAllows),
        Some(Status::Pass)
    );
}

const KMS_CALLER: &str =
    "arn:aws:sts::111111111111:assumed-role/secrets-reader-task-role/ecs-task-5a1f";
const KMS_KEY: &str =
    "arn:aws:kms:ap-northeast-1:222222222222:key/0a07692f-3408-5b92-a392-528ece7b1b7a";

fn kms_access() -> Question {
    Question::Access {
        principal: KMS_CALLER.into(),
        action: "kms:Decrypt".into(),
        resource: KMS_KEY.into(),
    }
}

#[test]
fn a_kms_access_question_is_guarded_by_the_caller_s_scps_and_the_key_account_s_rcps() {
    let no_decrypt = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Sid":"NoOutsideDecrypt","Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"222222222222"}}}]}"#;
    let rcps = Field::Loaded(vec![level(
        LevelKind::Root,
        "r-demo",
        vec![policy("no-outside-decrypt", no_decrypt)],
    )]);
    let full = |account: &str| chain(account, vec![policy("FullAWSAccess", FULL)]);
    let accounts = accounts_with(
        loaded(full("111111111111"), Field::Absent),
        loaded(full("222222222222"), rcps),
        Field::Loaded(org("o-demo")),
    );
    let d = crate::diagnose::diagnose(&accounts, &kms_access()).expect("answer");
    assert_eq!(status(&d, CheckId::OrgScpAllows), Some(Status::Pass));
    let rcp = d.check(CheckId::OrgRcpAllows).expect("rcp check");
    assert_eq!(rcp.status, Status::Fail, "{}", rcp.message);
    assert!(
        rcp.message.contains("p-no-outside-decrypt"),
        "{}",
        rcp.message
    );
    assert_eq!(d.verdict, Verdict::Fails);

    let no_kms = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"NoKms","Effect":"Deny","Action":"kms:*","Resource":"*"}]}"#;
    let accounts = accounts_with(
        loaded(
            chain("111111111111", vec![policy("no-kms", no_kms)]),
            Field::Absent,
        ),
        loaded(full("222222222222"), Field::Absent),
        Field::Loaded(org("o-demo")),
    );
    let d = crate::diagnose::diagnose(&accounts, &kms_access()).expect("answer");
    let scp = d.check(CheckId::OrgScpAllows).expect("scp check");
    assert_eq!(scp.status, Status::Fail, "{}", scp.message);
    assert_eq!(scp.evidence[0].sid.as_deref(), Some("NoKms"));
}

#[test]
fn an_artifact_question_is_guarded_on_the_key_and_the_bucket() {
    let question = Question::Artifact {
        pipeline: "arn:aws:codepipeline:ap-northeast-1:222222222222:api-server-release".into(),
        action: "ContainerImageDefinition".into(),
    };
    let accounts = crate::inventory::demo::load().expect("demo");
    let requests = guarded_requests_in(&accounts, &question);
    let actions: Vec<&str> = requests.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "kms:Decrypt",
            "kms:GenerateDataKey",
            "s3:GetObject",
            "s3:PutObject"
        ]
    );
    // The key comes first: its account is the one whose RCPs govern the artifact store.
    assert!(requests[0]
        .resource
        .starts_with("arn:aws:kms:ap-northeast-1:222222222222:key/"));
    assert!(guarded_requests(&question).is_empty());

    let no_artifacts = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"NoArtifactWrites","Effect":"Deny","Action":"s3:PutObject","Resource":"*"}]}"#;
    let caller_account = account_of(&requests[0].principal)
        .expect("role account")
        .to_string();
    let mut accounts = accounts_with(Field::Absent, Field::Absent, Field::Loaded(org("o-demo")));
    accounts
        .account_mut(&caller_account)
        .expect("the action role's account")
        .org
        .guardrails = loaded(
        chain(&caller_account, vec![policy("no-artifacts", no_artifacts)]),
        Field::Absent,
    );
    let d = crate::diagnose::diagnose(&accounts, &question).expect("answer");
    let scp = d.check(CheckId::OrgScpAllows).expect("scp check");
    assert_eq!(scp.status, Status::Fail, "{}", scp.message);
    assert_eq!(d.verdict, Verdict::Fails);
}

#[test]
fn the_management_account_is_not_restricted() {
    let mut membership = org("o-demo");
    membership.management_account = "111111111111".into();
    let accounts = accounts_with(
        Field::NotLoaded,
        Field::NotLoaded,
        Field::Loaded(membership),
    );
    let d = ask(&accounts, CALLER);
    assert_eq!(
        status(&d, CheckId::OrgScpAllows),
        Some(Status::NotApplicable)
    );
}

#[test]
fn a_cited_refusal_replaces_an_unknown_check() {
    let mut checks = vec![Check::new(
        CheckId::OrgScpAllows,
        Status::Unknown,
        None,
        "unread",
    )];
    cite_refusal(
        &mut checks,
        Kind::Scp,
        Some("arn:aws:organizations::9:policy/o-x/service_control_policy/p-1"),
    );
    assert_eq!(checks.len(), 1);
    assert_eq!(checks[0].status, Status::Fail);
    assert!(checks[0].message.contains("p-1"));
    cite_refusal(&mut checks, Kind::Rcp, None);
    assert_eq!(checks[1].id, CheckId::OrgRcpAllows);
}

mod principal_org_tests {
    use crate::diagnose::model::{CheckId, FixAction, PolicyLocation, Status};
    use crate::diagnose::Question;
    use crate::inventory::{Field, Organization};
    use serde_json::json;

    const REPO: &str = "arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo";
    const CALLER: &str =
        "arn:aws:sts::111111111111:assumed-role/codebuild-service-role/AWSCodeBuild-7f3a2c1e";

    /// s1-broken's repository, granting pulls to the caller's organisation, with the caller's
    /// membership as given.
    fn resource_check(membership: Field<Organization>) -> Status {
        let mut accounts = crate::inventory::demo::load().expect("demo");
        let grant = FixAction::AddStatement {
            target: PolicyLocation::RepositoryPolicy {
                repository: REPO.into(),
            },
            statement: json!({"Sid": "OrgPulls", "Effect": "Allow", "Principal": "*",
                "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-demo"}}}),
        };
        crate::diagnose::apply::apply(&mut accounts, &grant).expect("applied");
        let caller_account = accounts.account_mut("111111111111").expect("a");
        caller_account.org.membership = membership;
        caller_account.org.guardrails = Field::NotLoaded;
        let question = Question::Pull {
            principal: CALLER.into(),
            repository: REPO.into(),
            tag: "latest".into(),
            project: None,
            source_arn: None,
            vpc_endpoint: None,
            runs_in: None,
        };
        let d = crate::diagnose::diagnose(&accounts, &question).expect("answer");
        d.check(CheckId::ResourcePolicyAllows)
            .expect("check")
            .status
    }

    #[test]
    fn principal_org_id_comes_from_the_organisation_or_is_unknown_never_false() {
        let org = |id: &str| Organization {
            id: id.into(),
            management_account: "999999999999".into(),
        };
        assert_eq!(resource_check(Field::Loaded(org("o-demo"))), Status::Pass);
        assert_eq!(resource_check(Field::Loaded(org("o-other"))), Status::Fail);
        assert_eq!(resource_check(Field::Absent), Status::Fail);
        assert_eq!(resource_check(Field::NotLoaded), Status::Unknown);
    }
}

mod trail_record_tests {
    use crate::diagnose::model::{CheckId, Status};
    use serde_json::json;

    #[test]
    fn a_cloudtrail_record_naming_an_scp_fails_the_check_citing_it() {
        let session =
            "arn:aws:sts::111111111111:assumed-role/codebuild-service-role/AWSCodeBuild-7f3a2c1e";
        let repo = "arn:aws:ecr:ap-northeast-1:222222222222:repository/base-image-repo";
        let scp = "arn:aws:organizations::999999999999:policy/o-demo7f3a2c1e/service_control_policy/p-regionlock";
        let record = json!({
            "eventVersion": "1.08",
            "userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLE:AWSCodeBuild-7f3a2c1e",
                "arn": session, "accountId": "111111111111",
                "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLE",
                    "arn": "arn:aws:iam::111111111111:role/codebuild-service-role",
                    "accountId": "111111111111", "userName": "codebuild-service-role"}}},
            "eventTime": "2026-11-20T02:03:41Z",
            "eventSource": "ecr.amazonaws.com",
            "eventName": "BatchGetImage",
            "awsRegion": "ap-northeast-1",
            "errorCode": "AccessDenied",
            "errorMessage": format!("User: {session} is not authorized to perform: ecr:BatchGetImage on resource: {repo} with an explicit deny in a service control policy: {scp}"),
            "requestParameters": {"imageIds": [{"imageTag": "latest"}], "registryId": "222222222222",
                "repositoryName": "base-image-repo"},
            "eventID": "0f1e2d3c-4b5a-6978-8899-aabbccddeeff",
            "eventType": "AwsApiCall",
            "recipientAccountId": "111111111111"
        });
        let drafts = crate::diagnose::draft::from_trail(&record);
        let draft = drafts.first().expect("a draft");
        let accounts = crate::inventory::demo::load().expect("demo");
        let resolved = crate::diagnose::resolve(draft, &accounts).expect("resolved");
        let d = crate::diagnose::answer(&accounts, &resolved).expect("answer");
        let check = d.check(CheckId::OrgScpAllows).expect("guardrail check");
        assert_eq!(check.status, Status::Fail, "{}", check.message);
        assert!(check.message.contains("p-regionlock"), "{}", check.message);
    }
}

mod session_tag_tests {
    use crate::diagnose::model::{CheckId, Status};
    use crate::diagnose::Question;
    use crate::inventory::Field;
    use serde_json::json;

    const SESSION: &str =
        "arn:aws:sts::111111111111:assumed-role/mirror-build-role/AWSCodeBuild-1c2d";

    fn scp_status(with_record: bool) -> Status {
        let mut accounts = crate::inventory::demo::load().expect("demo");
        if with_record {
            let assume = json!({
                "eventName": "AssumeRole", "eventSource": "sts.amazonaws.com",
                "requestParameters": {"roleArn": "arn:aws:iam::111111111111:role/mirror-build-role",
                    "roleSessionName": "AWSCodeBuild-1c2d",
                    "tags": [{"key": "mirror-access", "value": "approved"}]},
                "responseElements": {"assumedRoleUser": {"arn": SESSION}}
            });
            let account = accounts.account_mut("111111111111").expect("a");
            let mut records = account.trail.loaded().cloned().unwrap_or_default();
            records.push(&assume);
            account.trail = Field::Loaded(records);
        }
        let question = Question::Pull {
            principal: SESSION.into(),
            repository: "arn:aws:ecr:ap-northeast-1:222222222222:repository/mirror/node".into(),
            tag: "22-slim".into(),
            project: None,
            source_arn: None,
            vpc_endpoint: None,
            runs_in: None,
        };
        let d = crate::diagnose::diagnose(&accounts, &question).expect("answer");
        d.check(CheckId::OrgScpAllows).expect("check").status
    }

    #[test]
    fn session_tags_from_the_assume_role_record_feed_principal_tag() {
        // g1-broken: the role is untagged, so the SCP denies ...
        assert_eq!(scp_status(false), Status::Fail);
        // ... unless the session was tagged mirror-access=approved at AssumeRole.
        assert_eq!(scp_status(true), Status::Pass);
    }
}

mod resource_org_tests {
    use crate::diagnose::model::{CheckId, FixAction, PolicyLocation, Status};
    use crate::diagnose::Question;
    use crate::inventory::{Field, Organization};
    use serde_json::json;

    /// g1-fixed with a data-perimeter Deny in the caller's policy: pulls only from resources
    /// of the organisation `o-demo7f3a2c1e`; the registry account's organisation as given.
    fn explicit_deny(registry_org: &str) -> Status {
        let mut accounts = crate::inventory::demo::load().expect("demo");
        let perimeter = FixAction::AddStatement {
            target: PolicyLocation::InlinePolicy {
                role: "arn:aws:iam::111111111111:role/release-build-role".into(),
                name: "mirror-pulls".into(),
            },
            statement: json!({"Sid": "OrgResourcesOnly", "Effect": "Deny", "Action": "ecr:*", "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:ResourceOrgID": "o-demo7f3a2c1e"}}}),
        };
        crate::diagnose::apply::apply(&mut accounts, &perimeter).expect("applied");
        let registry = accounts.account_mut("222222222222").expect("b");
        registry.org.guardrails = Field::NotLoaded;
        registry.org.membership = Field::Loaded(Organization {
            id: registry_org.into(),
            management_account: "999999999999".into(),
        });
        let question = Question::Pull {
            principal:
                "arn:aws:sts::111111111111:assumed-role/release-build-role/AWSCodeBuild-5e6f".into(),
            repository: "arn:aws:ecr:ap-northeast-1:222222222222:repository/mirror/node".into(),
            tag: "22-slim".into(),
            project: None,
            source_arn: None,
            vpc_endpoint: None,
            runs_in: None,
        };
        let d = crate::diagnose::diagnose(&accounts, &question).expect("answer");
        d.check(CheckId::ExplicitDeny).expect("check").status
    }

    #[test]
    fn resource_org_id_comes_from_the_resource_accounts_organisation() {
        assert_eq!(explicit_deny("o-demo7f3a2c1e"), Status::Pass);
        assert_eq!(explicit_deny("o-elsewhere01"), Status::Fail);
    }
}
