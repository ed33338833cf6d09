//! Every write the history rebuilds, one kind at a time: realistic CloudTrail records (as
//! the services write them, `responseElements` included) over the demo accounts, walked
//! back from a current state, the flip found, and — where a `--what-if` change can say it —
//! the revert offered as a verified fix that makes the question work again.

use crossdock::diagnose::change::DocumentKind;
use crossdock::diagnose::history::{
    apply_revert, reconstruct, reconstruct_with_versions, revert_fixes, HistoryEntry,
    PolicyVersions, Timeline,
};
use crossdock::diagnose::model::Verdict;
use crossdock::diagnose::scenario::scenarios;
use crossdock::diagnose::snapshot_diff::{outcome, Outcome};
use crossdock::diagnose::QuestionDraft;
use crossdock::inventory::{demo, Accounts, AttachedPolicy, Field, ManagedPolicy};
use crossdock::trail::management::{from_records, ManagementEvent};
use serde_json::{json, Value};

const A: &str = "111111111111";
const B: &str = "222222222222";

fn draft(id: &str) -> QuestionDraft {
    let scenario = scenarios()
        .unwrap()
        .into_iter()
        .find(|s| s.id == id)
        .unwrap();
    QuestionDraft::from(scenario.question)
}

/// One CloudTrail record as the service writes it.
struct Record {
    id: &'static str,
    time: &'static str,
    source: &'static str,
    name: &'static str,
    account: &'static str,
    params: Value,
    response: Value,
    resources: Vec<&'static str>,
}

impl Record {
    fn new(
        id: &'static str,
        time: &'static str,
        name: &'static str,
        account: &'static str,
    ) -> Self {
        let source = match name {
            "CreateGrant"
            | "RevokeGrant"
            | "RetireGrant"
            | "DisableKey"
            | "EnableKey"
            | "ScheduleKeyDeletion"
            | "CancelKeyDeletion"
            | "PutKeyPolicy" => "kms.amazonaws.com",
            "PutRule" | "DisableRule" | "EnableRule" | "PutTargets" | "RemoveTargets" => {
                "events.amazonaws.com"
            }
            "UpdatePipeline" => "codepipeline.amazonaws.com",
            "UpdateProject" => "codebuild.amazonaws.com",
            "PutRegistryPolicy" | "DeleteRegistryPolicy" | "PutImageTagMutability" => {
                "ecr.amazonaws.com"
            }
            _ => "iam.amazonaws.com",
        };
        Self {
            id,
            time,
            source,
            name,
            account,
            params: json!({}),
            response: Value::Null,
            resources: Vec::new(),
        }
    }

    fn params(mut self, params: Value) -> Self {
        self.params = params;
        self
    }

    fn response(mut self, response: Value) -> Self {
        self.response = response;
        self
    }

    fn resource(mut self, arn: &'static str) -> Self {
        self.resources.push(arn);
        self
    }

    fn json(&self) -> Value {
        let region = if self.source == "iam.amazonaws.com" {
            "us-east-1"
        } else {
            "ap-northeast-1"
        };
        json!({
            "eventVersion": "1.09",
            "userIdentity": {"type": "AssumedRole",
                "arn": format!("arn:aws:sts::{}:assumed-role/platform-admin/{}", self.account, self.id),
                "accountId": self.account,
                "sessionContext": {"sessionIssuer": {"type": "Role",
                    "arn": format!("arn:aws:iam::{}:role/platform-admin", self.account),
                    "accountId": self.account}}},
            "eventTime": self.time,
            "eventSource": self.source,
            "eventName": self.name,
            "awsRegion": region,
            "sourceIPAddress": "198.51.100.7",
            "userAgent": "aws-cli/2.22.1",
            "requestParameters": self.params,
            "responseElements": self.response,
            "requestID": format!("req-{}", self.id),
            "eventID": self.id,
            "readOnly": false,
            "resources": self.resources.iter()
                .map(|arn| json!({"accountId": self.account, "ARN": arn}))
                .collect::<Vec<_>>(),
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        })
    }
}

fn events(records: &[Record]) -> Vec<ManagementEvent> {
    let json: Vec<Value> = records.iter().map(Record::json).collect();
    from_records("test", &json).unwrap()
}

fn only_flip(timeline: &Timeline) -> &HistoryEntry {
    let flips: Vec<_> = timeline.flips().collect();
    assert_eq!(flips.len(), 1, "{timeline:#?}");
    flips[0]
}

/// The one flip into `fails` (a timeline that made it work first has two flips).
fn the_break(timeline: &Timeline) -> &HistoryEntry {
    let breaks: Vec<_> = timeline
        .flips()
        .filter(|e| e.verdict_after == Verdict::Fails)
        .collect();
    assert_eq!(breaks.len(), 1, "{timeline:#?}");
    breaks[0]
}

fn verdicts(entry: &HistoryEntry) -> (Verdict, Verdict) {
    (entry.verdict_before, entry.verdict_after)
}

fn verdict(accounts: &Accounts, draft: &QuestionDraft) -> Outcome {
    outcome(accounts, draft)
}

fn question(accounts: &Accounts, draft: &QuestionDraft) -> crossdock::diagnose::Question {
    crossdock::diagnose::resolve(draft, accounts)
        .unwrap()
        .question
}

/// The revert of the flip, offered as a `fixes` entry, verified as making it work.
fn assert_revert_fix(
    accounts: &Accounts,
    draft: &QuestionDraft,
    timeline: &Timeline,
    document: DocumentKind,
    value: Value,
) {
    let fixes = revert_fixes(accounts, &question(accounts, draft), timeline);
    assert_eq!(fixes.len(), 1, "{fixes:#?}");
    let fix = &fixes[0];
    assert_eq!(fix.location.document, document);
    assert_eq!(fix.document, value);
    assert_eq!(
        fix.verified_verdict,
        Verdict::Works,
        "{:?}",
        fix.still_failing
    );
    let entry = serde_json::to_value(fix).unwrap();
    assert_eq!(entry["kind"], "revert");
    assert_eq!(entry["event_id"], only_flip(timeline).event_id);
}

const GRANTED_KEY: &str =
    "arn:aws:kms:ap-northeast-1:222222222222:key/0a07692f-3408-5b92-a392-528ece7b1b7a";
const GRANT_ID: &str = "5245aeab8092eb6bf9af40e31ba842fbe3b9146f5e1d7527f245e44d55f5bd48";
const DISABLED_KEY: &str =
    "arn:aws:kms:ap-northeast-1:222222222222:key/068a2133-68d5-5b98-8115-e0fa0e0aeab8";

#[test]
fn disabling_the_key_is_the_flip_and_its_revert_enables_it() {
    let accounts = demo::load().unwrap();
    let draft = draft("ext-kms-access-disabled-broken");
    let records = [
        Record::new("enable", "2026-12-01T08:00:00Z", "EnableKey", B)
            .params(json!({"keyId": "068a2133-68d5-5b98-8115-e0fa0e0aeab8"}))
            .resource(DISABLED_KEY),
        Record::new("disable", "2026-12-04T16:20:00Z", "DisableKey", B)
            .params(json!({"keyId": DISABLED_KEY}))
            .resource(DISABLED_KEY),
    ];
    let timeline = reconstruct(&accounts, &draft, &events(&records), None).unwrap();
    let flip = only_flip(&timeline);
    assert_eq!(flip.event_id, "disable");
    assert_eq!(verdicts(flip), (Verdict::Works, Verdict::Fails));
    assert_eq!(flip.location.document, "key state");
    assert_revert_fix(
        &accounts,
        &draft,
        &timeline,
        DocumentKind::Setting("KeyState".into()),
        json!("Enabled"),
    );
}

#[test]
fn a_cancelled_deletion_leaves_the_key_disabled_until_it_is_enabled() {
    let accounts = demo::load().unwrap();
    let draft = draft("ext-kms-access-fixed");
    let records = [
        Record::new("schedule", "2026-12-01T08:00:00Z", "ScheduleKeyDeletion", B)
            .params(json!({"keyId": GRANTED_KEY, "pendingWindowInDays": 7}))
            .resource(GRANTED_KEY),
        Record::new("cancel", "2026-12-02T08:00:00Z", "CancelKeyDeletion", B)
            .params(json!({"keyId": GRANTED_KEY}))
            .resource(GRANTED_KEY),
        Record::new("enable", "2026-12-03T08:00:00Z", "EnableKey", B)
            .params(json!({"keyId": GRANTED_KEY}))
            .resource(GRANTED_KEY),
    ];
    let timeline = reconstruct(&accounts, &draft, &events(&records), None).unwrap();
    let flip = only_flip(&timeline);
    assert_eq!(flip.event_id, "enable");
    assert_eq!(verdicts(flip), (Verdict::Fails, Verdict::Works));
    // Before the cancel the key was pending deletion (CancelKeyDeletion implies it).
    let cancel = &timeline.history[1];
    assert!(cancel.before_known);
    assert_eq!(verdicts(cancel), (Verdict::Fails, Verdict::Fails));
}

#[test]
fn a_new_grant_is_the_change_that_made_decrypt_work() {
    let accounts = demo::load().unwrap();
    let draft = draft("ext-kms-access-fixed");
    let records = [
        Record::new("grant", "2026-12-02T10:00:00Z", "CreateGrant", B)
            .params(
                json!({"keyId": GRANTED_KEY, "name": "shared-secrets-reader",
            "granteePrincipal": "arn:aws:iam::111111111111:role/secrets-reader-task-role",
            "operations": ["Decrypt", "DescribeKey"]}),
            )
            .response(json!({"grantId": GRANT_ID, "keyId": GRANTED_KEY}))
            .resource(GRANTED_KEY),
    ];
    let timeline = reconstruct(&accounts, &draft, &events(&records), None).unwrap();
    let flip = only_flip(&timeline);
    assert!(flip.before_known, "a grant id is new when it is created");
    assert_eq!(verdicts(flip), (Verdict::Fails, Verdict::Works));
    assert_eq!(flip.location.document, format!("grant {GRANT_ID}"));
}

#[test]
fn a_revoked_grant_is_the_flip_and_putting_it_back_works() {
    let mut accounts = demo::load().unwrap();
    let draft = draft("ext-kms-access-fixed");
    accounts
        .account_mut(B)
        .unwrap()
        .keys
        .update(GRANTED_KEY, |k| k.grants = Field::Loaded(Vec::new()));
    let records = [
        Record::new("grant", "2026-12-02T10:00:00Z", "CreateGrant", B)
            .params(
                json!({"keyId": GRANTED_KEY, "name": "shared-secrets-reader",
                "granteePrincipal": "arn:aws:iam::111111111111:role/secrets-reader-task-role",
                "operations": ["Decrypt", "DescribeKey"]}),
            )
            .response(json!({"grantId": GRANT_ID, "keyId": GRANTED_KEY}))
            .resource(GRANTED_KEY),
        Record::new("revoke", "2026-12-06T09:30:00Z", "RevokeGrant", B)
            .params(json!({"keyId": GRANTED_KEY, "grantId": GRANT_ID}))
            .resource(GRANTED_KEY),
    ];
    let timeline = reconstruct(&accounts, &draft, &events(&records), None).unwrap();
    let flip = the_break(&timeline);
    assert_eq!(flip.event_id, "revoke");
    assert_eq!(verdicts(flip), (Verdict::Works, Verdict::Fails));
    // A grant is not a document `--what-if` can set: the revert stays in the history.
    assert!(revert_fixes(&accounts, &question(&accounts, &draft), &timeline).is_empty());
    let revert = flip.revert.clone().expect("the grant before is known");
    assert_eq!(revert.document.as_ref().unwrap()["grant_id"], GRANT_ID);
    apply_revert(&mut accounts, &revert);
    assert_eq!(verdict(&accounts, &draft), Outcome::Verdict(Verdict::Works));
}

#[test]
fn a_grant_retired_by_token_alone_ends_the_certainty() {
    let accounts = demo::load().unwrap();
    let draft = draft("ext-kms-access-fixed");
    let records = [
        Record::new("retire", "2026-12-05T00:00:00Z", "RetireGrant", B)
            .params(json!({"keyId": GRANTED_KEY, "grantToken": "AQpAM2RhZTk1MGMyNTk2ZmZmMzEyYWVhOWViN2I1MWM4Mzc0MWFiYjc0ZDE1ODkyNGFlNTIzODZhMzgyZjBlNGY3NiKIAgEBAgB4Pa6VDCWW__"}))
            .resource(GRANTED_KEY),
    ];
    let timeline = reconstruct(&accounts, &draft, &events(&records), None).unwrap();
    let entry = &timeline.history[0];
    assert!(
        entry.uncertain.as_deref().unwrap().contains("grantId"),
        "{entry:#?}"
    );
    assert_eq!(
        timeline.reconstructed_from.as_deref(),
        Some("2026-12-05T00:00:00Z")
    );
}

const BOUNDARY: &str = "arn:aws:iam::111111111111:policy/boundaries/ci-boundary";
const SHARED_PULL: &str = "arn:aws:iam::111111111111:policy/shared-ecr-pull";

/// Account A with two customer-managed policies: a boundary that allows only S3, and a
/// pull policy attached to `codebuild-service-role` whose default version is `default`.
fn with_managed_policies(default: Value) -> Accounts {
    let mut accounts = demo::load().unwrap();
    let account = accounts.account_mut(A).unwrap();
    account.managed_policies.upsert(ManagedPolicy {
        arn: BOUNDARY.into(),
        name: "ci-boundary".into(),
        default_version_id: Field::Loaded("v1".into()),
        document: Field::Loaded(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})),
    });
    account.managed_policies.upsert(ManagedPolicy {
        arn: SHARED_PULL.into(),
        name: "shared-ecr-pull".into(),
        default_version_id: Field::Loaded("v3".into()),
        document: Field::Loaded(default),
    });
    account.roles.update(
        "arn:aws:iam::111111111111:role/codebuild-service-role",
        |r| {
            if let Field::Loaded(list) = &mut r.attached_policies {
                list.push(AttachedPolicy {
                    arn: SHARED_PULL.into(),
                    name: "shared-ecr-pull".into(),
                });
            }
        },
    );
    accounts
}

fn deny_pull() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Sid": "FreezeBaseImages", "Effect": "Deny",
        "Action": "ecr:BatchGetImage", "Resource": "*"}]})
}

fn logs_only() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Sid": "Logs", "Effect": "Allow",
        "Action": "logs:PutLogEvents", "Resource": "*"}]})
}

#[test]
fn making_a_denying_version_default_is_the_flip_and_the_old_version_is_the_revert() {
    let accounts = with_managed_policies(deny_pull());
    let draft = draft("s1-fixed");
    let records = [
        Record::new("v2", "2026-12-01T09:00:00Z", "CreatePolicyVersion", A)
            .params(
                json!({"policyArn": SHARED_PULL, "policyDocument": logs_only().to_string(),
                "setAsDefault": true}),
            )
            .response(
                json!({"policyVersion": {"versionId": "v2", "isDefaultVersion": true,
                "createDate": "Dec 1, 2026, 9:00:00 AM"}}),
            ),
        Record::new("v3", "2026-12-03T09:00:00Z", "CreatePolicyVersion", A)
            .params(
                json!({"policyArn": SHARED_PULL, "policyDocument": deny_pull().to_string(),
                "setAsDefault": false}),
            )
            .response(json!({"policyVersion": {"versionId": "v3", "isDefaultVersion": false}})),
        Record::new(
            "default-v3",
            "2026-12-04T12:00:00Z",
            "SetDefaultPolicyVersion",
            A,
        )
        .params(json!({"policyArn": SHARED_PULL, "versionId": "v3"})),
    ];
    let timeline = reconstruct(&accounts, &draft, &events(&records), None).unwrap();
    // The non-default version changed nothing the question reads.
    let names: Vec<&str> = timeline
        .history
        .iter()
        .map(|e| e.event_id.as_str())
        .collect();
    assert_eq!(names, ["v2", "default-v3"]);
    let flip = only_flip(&timeline);
    assert_eq!(flip.event_id, "default-v3");
    assert_eq!(verdicts(flip), (Verdict::Works, Verdict::Fails));
    assert_eq!(flip.location.document, "managed policy");
    assert_revert_fix(
        &accounts,
        &draft,
        &timeline,
        DocumentKind::ManagedPolicy,
        logs_only(),
    );
}

#[test]
fn a_default_version_made_before_the_window_is_read_with_get_policy_version() {
    let accounts = with_managed_policies(deny_pull());
    let draft = draft("s1-fixed");
    let records = [
        Record::new(
            "default-v2",
            "2026-12-02T12:00:00Z",
            "SetDefaultPolicyVersion",
            A,
        )
        .params(json!({"policyArn": SHARED_PULL, "versionId": "v2"})),
        Record::new(
            "default-v3",
            "2026-12-04T12:00:00Z",
            "SetDefaultPolicyVersion",
            A,
        )
        .params(json!({"policyArn": SHARED_PULL, "versionId": "v3"})),
    ];
    let events = events(&records);
    let unknown = reconstruct(&accounts, &draft, &events, None).unwrap();
    let why = unknown.history[0].uncertain.as_deref().unwrap();
    assert!(why.contains("get-policy-version"), "{why}");
    let missing = PolicyVersions::from_events(&events).missing(&events);
    assert_eq!(
        missing,
        [
            (SHARED_PULL.to_string(), "v2".to_string()),
            (SHARED_PULL.to_string(), "v3".to_string())
        ]
    );
    let mut read = PolicyVersions::default();
    read.insert(SHARED_PULL, "v2", logs_only());
    read.insert(SHARED_PULL, "v3", deny_pull());
    let timeline = reconstruct_with_versions(&accounts, &draft, &events, None, &read).unwrap();
    assert_eq!(only_flip(&timeline).event_id, "default-v3");
}

#[test]
fn putting_a_narrow_boundary_is_the_flip() {
    let mut accounts = with_managed_policies(logs_only());
    let role = "arn:aws:iam::111111111111:role/codebuild-service-role";
    accounts.account_mut(A).unwrap().roles.update(role, |r| {
        r.permissions_boundary = Field::Loaded(AttachedPolicy {
            arn: BOUNDARY.into(),
            name: "ci-boundary".into(),
        })
    });
    let draft = draft("s1-fixed");
    assert_eq!(verdict(&accounts, &draft), Outcome::Verdict(Verdict::Fails));
    let records = [
        Record::new(
            "drop",
            "2026-12-01T00:00:00Z",
            "DeleteRolePermissionsBoundary",
            A,
        )
        .params(json!({"roleName": "codebuild-service-role"})),
        Record::new(
            "narrow",
            "2026-12-02T00:00:00Z",
            "PutRolePermissionsBoundary",
            A,
        )
        .params(json!({"roleName": "codebuild-service-role", "permissionsBoundary": BOUNDARY})),
    ];
    let timeline = reconstruct(&accounts, &draft, &events(&records), None).unwrap();
    let flip = only_flip(&timeline);
    assert_eq!(flip.event_id, "narrow");
    assert_eq!(verdicts(flip), (Verdict::Works, Verdict::Fails));
    assert_eq!(flip.location.document, "permissions boundary");
    let revert = flip.revert.clone().expect("the boundary before is known");
    assert_eq!(revert.document, None, "revert: remove the boundary");
    apply_revert(&mut accounts, &revert);
    assert_eq!(verdict(&accounts, &draft), Outcome::Verdict(Verdict::Works));
}

#[test]
fn switching_the_project_to_codebuild_credentials_is_the_flip() {
    let mut accounts = demo::load().unwrap();
    let project = "arn:aws:codebuild:ap-northeast-1:111111111111:project/node-build";
    let environment = |credentials: &str| {
        json!({"type": "LINUX_CONTAINER",
            "image": "222222222222.dkr.ecr.ap-northeast-1.amazonaws.com/build-images/node20:latest",
            "computeType": "BUILD_GENERAL1_SMALL", "imagePullCredentialsType": credentials,
            "privilegedMode": false})
    };
    accounts
        .account_mut(A)
        .unwrap()
        .projects
        .update(project, |p| {
            if let Field::Loaded(env) = &mut p.environment {
                env.image_pull_credentials_type = "CODEBUILD".into();
            }
        });
    let draft = draft("s1-env-image-fixed");
    let records = [
        Record::new("service-role", "2026-12-01T00:00:00Z", "UpdateProject", A)
            .params(json!({"name": "node-build", "environment": environment("SERVICE_ROLE")})),
        Record::new("codebuild", "2026-12-03T00:00:00Z", "UpdateProject", A)
            .params(json!({"name": "node-build", "environment": environment("CODEBUILD")})),
    ];
    let timeline = reconstruct(&accounts, &draft, &events(&records), None).unwrap();
    let flip = only_flip(&timeline);
    assert_eq!(flip.event_id, "codebuild");
    assert_eq!(verdicts(flip), (Verdict::Works, Verdict::Fails));
    assert_revert_fix(
        &accounts,
        &draft,
        &timeline,
        DocumentKind::Setting("environment.imagePullCredentialsType".into()),
        json!("SERVICE_ROLE"),
    );
}

/// `api-server-release` as `UpdatePipeline` records it; `key` is its artifact key.
fn api_server_release(key: Option<&str>) -> Value {
    let mut store = json!({"type": "S3", "location": "api-server-release-artifacts-222222222222"});
    if let Some(key) = key {
        store["encryptionKey"] = json!({"id": key, "type": "KMS"});
    }
    json!({"name": "api-server-release",
        "roleArn": "arn:aws:iam::222222222222:role/service-role/codepipeline-cross-account-service-role",
        "artifactStore": store,
        "stages": [
            {"name": "Source", "actions": [{"name": "ContainerImageDefinition",
                "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "ECR", "version": "1"},
                "roleArn": "arn:aws:iam::111111111111:role/cross-account-codepipeline-access",
                "runOrder": 2, "configuration": {"RepositoryName": "api-server", "ImageTag": "latest"},
                "outputArtifacts": [{"name": "ImageArtifact"}], "inputArtifacts": []}]},
            {"name": "Deploy", "actions": [{"name": "DeployToEcs",
                "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "ECS", "version": "1"},
                "runOrder": 1, "configuration": {"ClusterName": "prod-apps", "ServiceName": "api-server",
                    "FileName": "imagedefinitions.json"},
                "inputArtifacts": [{"name": "ImageArtifact"}], "outputArtifacts": []}]}],
        "version": 4})
}

#[test]
fn a_pipeline_update_that_drops_the_artifact_key_is_the_flip() {
    let mut accounts = demo::load().unwrap();
    let arn = "arn:aws:codepipeline:ap-northeast-1:222222222222:api-server-release";
    accounts.account_mut(B).unwrap().pipelines.update(arn, |p| {
        if let Field::Loaded(store) = &mut p.artifact_store {
            store.encryption_key = None;
        }
    });
    let draft = draft("s4-fixed");
    let key = "arn:aws:kms:ap-northeast-1:222222222222:key/1367010e-374d-5215-8541-94ed8fa08999";
    let records = [
        Record::new("with-key", "2026-12-01T00:00:00Z", "UpdatePipeline", B)
            .params(json!({"pipeline": api_server_release(Some(key))})),
        Record::new("without-key", "2026-12-02T00:00:00Z", "UpdatePipeline", B)
            .params(json!({"pipeline": api_server_release(None)})),
    ];
    let timeline = reconstruct(&accounts, &draft, &events(&records), None).unwrap();
    let flip = only_flip(&timeline);
    assert_eq!(flip.event_id, "without-key");
    assert_eq!(verdicts(flip), (Verdict::Works, Verdict::Fails));
    assert_eq!(flip.location.document, "pipeline declaration");
    let mut reverted = accounts.clone();
    apply_revert(&mut reverted, flip.revert.as_ref().unwrap());
    assert_eq!(verdict(&reverted, &draft), Outcome::Verdict(Verdict::Works));
}

#[test]
fn deleting_the_registry_policy_stops_replication() {
    let mut accounts = demo::load().unwrap();
    let draft = draft("ext-replicate-fixed");
    let policy = accounts
        .account(B)
        .unwrap()
        .registry_policy
        .loaded()
        .unwrap()
        .clone();
    accounts.account_mut(B).unwrap().registry_policy = Field::Absent;
    let records = [
        Record::new("put", "2026-12-01T00:00:00Z", "PutRegistryPolicy", B)
            .params(json!({"policyText": policy.to_string()})),
        Record::new("delete", "2026-12-05T00:00:00Z", "DeleteRegistryPolicy", B),
    ];
    let timeline = reconstruct(&accounts, &draft, &events(&records), None).unwrap();
    let flip = only_flip(&timeline);
    assert_eq!(flip.event_id, "delete");
    assert_eq!(verdicts(flip), (Verdict::Works, Verdict::Fails));
    assert_eq!(flip.location.document, "registry policy");
    apply_revert(&mut accounts, flip.revert.as_ref().unwrap());
    assert_eq!(verdict(&accounts, &draft), Outcome::Verdict(Verdict::Works));
}

#[test]
fn making_tags_immutable_is_the_flip_of_a_re_push() {
    let accounts = demo::load().unwrap();
    let draft = draft("ext-tag-immutable-broken");
    let repository = "arn:aws:ecr:ap-northeast-1:111111111111:repository/payments-ledger";
    let records = [
        Record::new(
            "mutable",
            "2026-12-01T00:00:00Z",
            "PutImageTagMutability",
            A,
        )
        .params(json!({"repositoryName": "payments-ledger", "imageTagMutability": "MUTABLE"}))
        .resource(repository),
        Record::new(
            "immutable",
            "2026-12-06T00:00:00Z",
            "PutImageTagMutability",
            A,
        )
        .params(json!({"repositoryName": "payments-ledger", "imageTagMutability": "IMMUTABLE"}))
        .resource(repository),
    ];
    let timeline = reconstruct(&accounts, &draft, &events(&records), None).unwrap();
    let flip = only_flip(&timeline);
    assert_eq!(flip.event_id, "immutable");
    assert_eq!(verdicts(flip), (Verdict::Works, Verdict::Fails));
    assert_revert_fix(
        &accounts,
        &draft,
        &timeline,
        DocumentKind::Setting("imageTagMutability".into()),
        json!("MUTABLE"),
    );
}

#[test]
fn removing_the_pipeline_target_is_the_flip_even_though_the_rule_no_longer_targets_it() {
    let mut accounts = demo::load().unwrap();
    let rule = "arn:aws:events:ap-northeast-1:222222222222:rule/payment-service-ecr-image-action";
    accounts
        .account_mut(B)
        .unwrap()
        .rules
        .update(rule, |r| r.targets = Field::Loaded(Vec::new()));
    let draft = draft("s3-fixed");
    assert_eq!(verdict(&accounts, &draft), Outcome::Verdict(Verdict::Fails));
    let target = json!({"id": "codepipeline-payment-service-deploy",
        "arn": "arn:aws:codepipeline:ap-northeast-1:222222222222:payment-service-deploy",
        "roleArn": "arn:aws:iam::222222222222:role/service-role/cwe-role-ap-northeast-1-payment-service-deploy"});
    let records = [
        Record::new("put", "2026-12-01T00:00:00Z", "PutTargets", B)
            .params(json!({"rule": "payment-service-ecr-image-action", "targets": [target]})),
        Record::new("remove", "2026-12-02T00:00:00Z", "RemoveTargets", B).params(json!({
            "rule": "payment-service-ecr-image-action",
            "ids": ["codepipeline-payment-service-deploy"]})),
    ];
    let timeline = reconstruct(&accounts, &draft, &events(&records), None).unwrap();
    let flip = the_break(&timeline);
    assert_eq!(flip.event_id, "remove");
    assert_eq!(verdicts(flip), (Verdict::Works, Verdict::Fails));
    apply_revert(&mut accounts, flip.revert.as_ref().unwrap());
    assert_eq!(verdict(&accounts, &draft), Outcome::Verdict(Verdict::Works));
}

#[test]
fn disabling_the_rule_is_the_flip_and_the_revert_enables_it() {
    let accounts = demo::load().unwrap();
    let draft = draft("ext-trigger-disabled-broken");
    let records = [
        Record::new("enable", "2026-12-01T00:00:00Z", "EnableRule", B)
            .params(json!({"name": "notification-service-ecr-image-action"})),
        Record::new("disable", "2026-12-02T00:00:00Z", "DisableRule", B)
            .params(json!({"name": "notification-service-ecr-image-action"})),
    ];
    let timeline = reconstruct(&accounts, &draft, &events(&records), None).unwrap();
    let flip = only_flip(&timeline);
    assert_eq!(flip.event_id, "disable");
    assert_eq!(verdicts(flip), (Verdict::Works, Verdict::Fails));
    assert_revert_fix(
        &accounts,
        &draft,
        &timeline,
        DocumentKind::RuleState,
        json!("ENABLED"),
    );
}
