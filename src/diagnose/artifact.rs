//! The artifact question: can a pipeline action whose role lives in another account read
//! and write the pipeline's artifact store (S3 bucket + KMS key)?

use super::check_id::CheckId;
use serde_json::{json, Value};

use super::access::{check_access, fix_inline_policy, gap_evidence, note, Access, ResourceSide};
use super::model::{Check, Diagnosis, Fix, FixAction, PolicyLocation, QuestionSummary, Status};
use super::subject::{field_gap, parse_field, Subject};
use super::{add_lints, DiagnoseError};
use crate::inventory::{
    Account, Accounts, Action, ArtifactStore, Field, Key, KeyManager, Pipeline,
};
use crate::policy::{ContextValue, RequestContext};

/// What an action role does with the artifact key.
const KEY_USE_ACTIONS: [&str; 5] = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:GenerateDataKey",
    "kms:DescribeKey",
];

/// What AWS services do for the action role with grants on the key.
const KEY_GRANT_ACTIONS: [&str; 3] = ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"];

/// What the action role does in the artifact bucket.
const BUCKET_ACTIONS: [&str; 2] = ["s3:GetObject", "s3:PutObject"];

/// Can `action` of `pipeline` use the pipeline's artifact store?
pub fn artifact(
    pair: &Accounts,
    pipeline: &str,
    action_name: &str,
) -> Result<Diagnosis, DiagnoseError> {
    let (account, pipeline) = super::trigger::resolve_pipeline(pair, pipeline)?;
    let question = QuestionSummary {
        kind: "artifact".into(),
        text: format!(
            "can action {action_name} of {} use the pipeline's artifact store?",
            pipeline.name
        ),
        principal: None,
        resource: Some(pipeline.arn.clone()),
    };
    let home = Some(account.id());
    let action = match &pipeline.stages {
        Field::Loaded(_) => pipeline.action(action_name),
        other => {
            let c = Check::new(
                CheckId::ActionRoleAssumable,
                Status::Unknown,
                home,
                field_gap(&format!("the stages of {}", pipeline.name), other.as_ref()),
            );
            return Ok(Diagnosis::new(question, vec![c]));
        }
    };
    let Some(action) = action else {
        let names: Vec<&str> = pipeline.actions().map(|(_, a)| a.name.as_str()).collect();
        return Err(DiagnoseError::Unsupported(format!(
            "{} has no action `{action_name}` (actions: {})",
            pipeline.name,
            names.join(", ")
        )));
    };
    let store = match &pipeline.artifact_store {
        Field::Loaded(store) => store,
        other => {
            let c = Check::new(
                CheckId::ArtifactKeyCustomerManaged,
                Status::Unknown,
                home,
                field_gap(
                    &format!("the artifact store of {}", pipeline.name),
                    other.as_ref(),
                ),
            );
            return Ok(Diagnosis::new(question, vec![c]));
        }
    };
    let checks = artifact_checks(pair, account, pipeline, action, store)?;
    Ok(Diagnosis::new(question, checks))
}

/// The checks of an action whose pipeline, action and artifact store are loaded.
fn artifact_checks(
    pair: &Accounts,
    account: &Account,
    pipeline: &Pipeline,
    action: &Action,
    store: &ArtifactStore,
) -> Result<Vec<Check>, DiagnoseError> {
    let home = Some(account.id());
    let pipeline_role = pipeline.role_arn.loaded().cloned();
    // Without its own role the action runs as the pipeline role, in the pipeline's account.
    let role_arn = action.role_arn.clone().or_else(|| pipeline_role.clone());
    let mut checks = vec![action_role_assumable(
        pair,
        pipeline,
        pipeline_role.as_deref(),
        action.role_arn.as_deref(),
        home,
    )];
    let Some(role_arn) = role_arn else {
        checks.push(Check::new(
            CheckId::ArtifactKeyPolicyAllows,
            Status::Unknown,
            home,
            format!("neither the action nor {} names a role", pipeline.name),
        ));
        return Ok(checks);
    };
    let subject = Subject::resolve(pair, &role_arn).map_err(DiagnoseError::Principal)?;
    let cross = crate::policy::arn::account_of(&role_arn) != home;
    let key_ref = store.encryption_key.as_ref().map(|k| k.id.clone());
    let key = key_ref.as_deref().map(|r| lookup_key(pair, account, r));
    checks.push(customer_managed(
        key_ref.as_deref(),
        key.as_ref(),
        cross,
        home,
        &pipeline.name,
    ));
    checks.push(alias_check(
        key_ref.as_deref(),
        key.as_ref(),
        pipeline,
        home,
    ));
    checks.push(key_policy(&subject, key.as_ref(), home));
    checks.push(bucket_policy(account, &store.location, &subject, home));
    if let Some(Field::Loaded(key)) = &key {
        // The same key-state rule as a KMS access question: only an Enabled key serves.
        checks.push(super::kms::key_state_check(pair, &key.arn, "kms:Decrypt"));
        add_key_lints(pair, key, home, &mut checks);
    }
    Ok(checks)
}

/// The lint warnings of the artifact key's policy.
fn add_key_lints(pair: &Accounts, key: &Key, home: Option<&str>, checks: &mut Vec<Check>) {
    let location = PolicyLocation::KeyPolicy {
        key: key.arn.clone(),
    };
    let key_account = crate::policy::arn::account_of(&key.arn)
        .or(home)
        .unwrap_or_default();
    if let Ok(Some(policy)) =
        parse_field(pair.policies(), key.policy.as_ref(), &location, key_account)
    {
        add_lints(checks, [&policy]);
    }
}

fn lookup_key<'p>(pair: &'p Accounts, home: &'p Account, reference: &str) -> Field<&'p Key> {
    let owner = crate::policy::arn::account_of(reference)
        .and_then(|a| pair.account(a))
        .unwrap_or(home);
    owner.key_lookup(reference)
}

fn is_alias(reference: &str) -> bool {
    reference.starts_with("alias/") || reference.contains(":alias/")
}

fn action_role_assumable(
    pair: &Accounts,
    pipeline: &Pipeline,
    pipeline_role: Option<&str>,
    action_role: Option<&str>,
    home: Option<&str>,
) -> Check {
    let id = CheckId::ActionRoleAssumable;
    let Some(action_role) = action_role else {
        return Check::new(
            id,
            Status::Pass,
            home,
            "the action has no roleArn: it runs as the pipeline role",
        );
    };
    let Some(pipeline_role) = pipeline_role else {
        return Check::new(
            id,
            Status::Unknown,
            home,
            format!("the role of {} is not loaded", pipeline.name),
        );
    };
    let diagnosis = match super::assume::assume(pair, pipeline_role, action_role, None) {
        Ok(d) => d,
        Err(e) => return Check::new(id, Status::Unknown, home, e.to_string()),
    };
    let failing: Vec<&Check> = diagnosis
        .checks
        .iter()
        .filter(|c| c.status == Status::Fail)
        .collect();
    let account = crate::policy::arn::account_of(action_role);
    if let Some(first) = failing.first() {
        let mut c = Check::new(
            id,
            Status::Fail,
            first.account.as_deref().or(account),
            format!(
                "the pipeline role {pipeline_role} cannot assume the action role {action_role}: {}",
                failing
                    .iter()
                    .map(|c| c.message.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        );
        c.evidence = failing.iter().flat_map(|c| c.evidence.clone()).collect();
        c.fix = first.fix.clone();
        return c;
    }
    if let Some(unknown) = diagnosis
        .checks
        .iter()
        .find(|c| c.status == Status::Unknown)
    {
        let mut c = Check::new(id, Status::Unknown, account, unknown.message.clone());
        c.evidence = unknown.evidence.clone();
        return c;
    }
    Check::new(
        id,
        Status::Pass,
        account,
        format!("the pipeline role may assume {action_role}, and its trust policy allows it"),
    )
}

fn customer_managed(
    reference: Option<&str>,
    key: Option<&Field<&Key>>,
    cross: bool,
    home: Option<&str>,
    pipeline: &str,
) -> Check {
    let id = CheckId::ArtifactKeyCustomerManaged;
    let aws_managed = |msg: String| {
        let mut c = Check::new(id, Status::Fail, home, msg);
        c.fix = Some(Fix {
            summary: format!("create a customer managed key, grant the action role's account in its policy, and set it as {pipeline}'s artifact store key (by ARN)"),
            account: home.map(str::to_string),
            action: FixAction::Procedure {
                steps: vec![
                    "aws kms create-key --description 'codepipeline artifacts'".into(),
                    format!("aws codepipeline get-pipeline --name {pipeline} > p.json; set artifactStore.encryptionKey = {{\"id\": \"<key ARN>\", \"type\": \"KMS\"}}; aws codepipeline update-pipeline --cli-input-json file://p.json"),
                ],
            },
        });
        c
    };
    match (reference, key) {
        (None, _) if cross => aws_managed(format!("{pipeline}'s artifact store uses the default AWS managed key aws/s3, which another account can never use")),
        (None, _) => Check::new(id, Status::Pass, home, "the artifact store uses the default key aws/s3, fine while every action runs in this account"),
        (Some(_), Some(Field::Loaded(key))) => match &key.manager {
            Field::Loaded(KeyManager::Aws) if cross => aws_managed(format!("the artifact key {} is AWS managed: its policy cannot be changed to let another account use it", key.arn)),
            Field::Loaded(KeyManager::Aws) => Check::new(id, Status::Pass, home, "AWS managed key, used only within this account"),
            Field::Loaded(_) => Check::new(id, Status::Pass, home, format!("the artifact key {} is customer managed", key.arn)),
            other => Check::new(id, Status::Unknown, home, field_gap(&format!("the manager of key {}", key.arn), other.as_ref())),
        },
        (Some(r), Some(_)) if r.contains("alias/aws/") && cross => aws_managed(format!("the artifact key {r} is an AWS managed key")),
        (Some(r), other) => Check::new(id, Status::Unknown, home, field_gap(&format!("artifact key {r}"), other.cloned().unwrap_or(Field::NotLoaded))),
    }
}

fn alias_check(
    reference: Option<&str>,
    key: Option<&Field<&Key>>,
    pipeline: &Pipeline,
    home: Option<&str>,
) -> Check {
    let id = CheckId::ArtifactKeyAlias;
    match reference {
        Some(r) if is_alias(r) => {
            let mut c = Check::new(id, Status::Fail, home, format!("the artifact store names its key by alias ({r}); an alias resolves only in the key's own account, so the action role in the other account cannot find it"));
            c.fix = match key {
                Some(Field::Loaded(key)) => Some(Fix {
                    summary: format!(
                        "reference the key by its ARN {} in {}'s artifact store",
                        key.arn, pipeline.name
                    ),
                    account: home.map(str::to_string),
                    action: FixAction::Setting {
                        resource: pipeline.arn.clone(),
                        setting: "artifactStore.encryptionKey.id".into(),
                        value: json!(key.arn),
                    },
                }),
                _ => None,
            };
            c
        }
        Some(r) => Check::new(
            id,
            Status::Pass,
            home,
            format!("the artifact key is referenced by ARN or id ({r})"),
        ),
        None => Check::new(
            id,
            Status::Pass,
            home,
            "no key is named (the default aws/s3 key applies)",
        ),
    }
}

fn key_policy(subject: &Subject<'_>, key: Option<&Field<&Key>>, home: Option<&str>) -> Check {
    let id = CheckId::ArtifactKeyPolicyAllows;
    let key = match key {
        None => return Check::new(id, Status::Fail, home, "the default aws/s3 key's policy only allows principals of its own account (through S3)"),
        Some(Field::Loaded(key)) => *key,
        Some(other) => return Check::new(id, Status::Unknown, home, field_gap("the artifact key", other.clone())),
    };
    let key_account = crate::policy::arn::account_of(&key.arn).or(home);
    let location = PolicyLocation::KeyPolicy {
        key: key.arn.clone(),
    };
    let side = ResourceSide {
        arn: key.arn.clone(),
        account: None,
        policy: parse_field(
            subject.store,
            key.policy.as_ref(),
            &location,
            key_account.unwrap_or_default(),
        ),
    };
    if let Err(gap) = &side.policy {
        let mut c = Check::new(
            id,
            Status::Unknown,
            key_account,
            format!(
                "cannot tell whether the key policy lets the action role use the key: {}",
                gap.cause
            ),
        );
        c.evidence = gap_evidence(std::slice::from_ref(gap));
        return c;
    }
    let access = KeyAccess::check(subject, &side);
    if access.missing_use().is_empty() && access.missing_grant().is_empty() {
        return key_policy_allows(subject, key, key_account, &access);
    }
    let mut c = key_policy_misses(subject, key, key_account, &access);
    c.fix = Some(key_policy_fix(subject, key, key_account, location, &access));
    c
}

/// What the key policy (with the role's own policies) decides for each key action.
struct KeyAccess {
    /// Using the key: encrypt, decrypt, data keys.
    uses: Vec<Access>,
    /// Grants for AWS resources (what services do for the role).
    grants: Vec<Access>,
}

impl KeyAccess {
    fn check(subject: &Subject<'_>, side: &ResourceSide) -> Self {
        let empty = RequestContext::new();
        let mut grant_context = RequestContext::new();
        grant_context.insert(
            "kms:GrantIsForAWSResource",
            ContextValue::Single("true".into()),
        );
        KeyAccess {
            uses: KEY_USE_ACTIONS
                .iter()
                .map(|a| check_access(subject, a, side, &empty))
                .collect(),
            grants: KEY_GRANT_ACTIONS
                .iter()
                .map(|a| check_access(subject, a, side, &grant_context))
                .collect(),
        }
    }

    /// Use actions the key policy does not grant.
    fn missing_use(&self) -> Vec<&str> {
        not_granted(&self.uses)
    }

    /// Grant actions the key policy does not grant.
    fn missing_grant(&self) -> Vec<&str> {
        not_granted(&self.grants)
    }

    fn all(&self) -> impl Iterator<Item = &Access> {
        self.uses.iter().chain(&self.grants)
    }
}

fn not_granted(accesses: &[Access]) -> Vec<&str> {
    accesses
        .iter()
        .filter(|a| a.granted.is_none())
        .map(|a| a.action.as_str())
        .collect()
}

/// The key policy allows every action: pass, unless the role's own policies do not.
fn key_policy_allows(
    subject: &Subject<'_>,
    key: &Key,
    key_account: Option<&str>,
    access: &KeyAccess,
) -> Check {
    let id = CheckId::ArtifactKeyPolicyAllows;
    let role = subject.grant_arn();
    let identity_missing: Vec<&str> = access
        .all()
        .filter(|a| a.decision != crate::policy::Decision::Allow)
        .map(|a| a.action.as_str())
        .collect();
    if identity_missing.is_empty() {
        let mut c = Check::new(
            id,
            Status::Pass,
            key_account,
            format!(
                "the key policy of {} lets {role} use the key and create grants for AWS resources",
                key.arn
            ),
        );
        c.evidence = access.uses[0].resource_evidence.clone();
        return c;
    }
    let mut c = Check::new(
        id,
        Status::Fail,
        subject.caller.account(),
        format!(
            "the key policy allows it, but {role}'s own policies do not allow {}",
            identity_missing.join(", ")
        ),
    );
    c.evidence = access
        .all()
        .flat_map(|a| a.identity_evidence.clone())
        .collect();
    dedup_evidence(&mut c.evidence);
    c.fix = fix_inline_policy(subject, "crossdock-artifact-key").map(|target| Fix {
        summary: format!(
            "allow the artifact key actions on {} in {role}'s policy",
            key.arn
        ),
        account: subject.caller.account().map(str::to_string),
        action: FixAction::AddStatement {
            target,
            statement: json!({"Effect": "Allow", "Action": identity_missing, "Resource": key.arn}),
        },
    });
    c
}

/// The key policy misses some actions: the failing check with the statements that decided.
fn key_policy_misses(
    subject: &Subject<'_>,
    key: &Key,
    key_account: Option<&str>,
    access: &KeyAccess,
) -> Check {
    let (missing_use, missing_grant) = (access.missing_use(), access.missing_grant());
    let role = subject.grant_arn();
    let grantee_account = subject.caller.account().unwrap_or_default();
    let mut parts = Vec::new();
    if !missing_use.is_empty() {
        parts.push(format!("use ({})", missing_use.join(", ")));
    }
    if !missing_grant.is_empty() {
        parts.push(format!(
            "grants for AWS resources ({})",
            missing_grant.join(", ")
        ));
    }
    let mut c = Check::new(
        CheckId::ArtifactKeyPolicyAllows,
        Status::Fail,
        key_account,
        format!(
            "the key policy of {} does not allow {role} (or account {grantee_account}) {}",
            key.arn,
            parts.join(" nor ")
        ),
    );
    c.evidence = access
        .all()
        .filter(|a| a.granted.is_none())
        .flat_map(|a| a.resource_evidence.clone())
        .collect();
    dedup_evidence(&mut c.evidence);
    if c.evidence.is_empty() {
        c.evidence.push(note(
            key_account,
            "no statement of the key policy names the action role or its account",
        ));
    }
    c
}

/// The key policy statements that grant the missing actions to the role's account (or, for
/// an AWS managed key, the advice to use a customer managed one).
fn key_policy_fix(
    subject: &Subject<'_>,
    key: &Key,
    key_account: Option<&str>,
    location: PolicyLocation,
    access: &KeyAccess,
) -> Fix {
    let grantee_account = subject.caller.account().unwrap_or_default();
    // The smallest grant: the action role itself, the actions it uses (no wildcards).
    let principal = json!({"AWS": subject.grant_arn()});
    let mut statements: Vec<Value> = Vec::new();
    if !access.missing_use().is_empty() {
        statements.push(json!({"Sid": "AllowUseOfTheKeyFromActionAccount", "Effect": "Allow", "Principal": principal, "Action": KEY_USE_ACTIONS, "Resource": "*"}));
    }
    if !access.missing_grant().is_empty() {
        statements.push(json!({"Sid": "AllowGrantsForAwsResources", "Effect": "Allow", "Principal": principal, "Action": KEY_GRANT_ACTIONS, "Resource": "*", "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}}));
    }
    let aws_managed = matches!(key.manager, Field::Loaded(KeyManager::Aws));
    if aws_managed {
        // AWS managed key policies cannot be edited: the fix is a customer managed key.
        Fix {
            summary: format!("{} is AWS managed and its policy cannot be changed: use a customer managed key with these statements instead", key.arn),
            account: key_account.map(str::to_string),
            action: FixAction::Procedure {
                steps: statements.iter().map(|s| format!("key policy statement: {s}")).collect(),
            },
        }
    } else {
        Fix {
            summary: format!("add these statements to the key policy of {} for the action role {} (account {grantee_account})", key.arn, subject.grant_arn()),
            account: key_account.map(str::to_string),
            action: FixAction::AddStatements { target: location, statements },
        }
    }
}

/// Drops repeated evidence, keeping the first of each: every action reports the statements
/// it looked at, so the same statement appears once per action otherwise.
fn dedup_evidence(evidence: &mut Vec<crate::diagnose::model::Evidence>) {
    let mut seen: Vec<crate::diagnose::model::Evidence> = Vec::new();
    evidence.retain(|e| {
        let new = !seen.contains(e);
        if new {
            seen.push(e.clone());
        }
        new
    });
}

fn bucket_policy(
    home: &Account,
    bucket: &str,
    subject: &Subject<'_>,
    pipeline_account: Option<&str>,
) -> Check {
    let id = CheckId::ArtifactBucketPolicyAllows;
    let found = home.bucket_lookup(bucket);
    let Field::Loaded(found) = found else {
        return Check::new(
            id,
            Status::Unknown,
            pipeline_account,
            field_gap(&format!("artifact bucket {bucket}"), found),
        );
    };
    let location = PolicyLocation::BucketPolicy {
        bucket: found.name.clone(),
    };
    let side = ResourceSide {
        arn: format!("arn:aws:s3:::{}/*", found.name),
        account: Some(home.id().to_string()),
        policy: parse_field(subject.store, found.policy.as_ref(), &location, home.id()),
    };
    let accesses: Vec<Access> = BUCKET_ACTIONS
        .iter()
        .map(|a| check_access(subject, a, &side, &RequestContext::new()))
        .collect();
    let cross = accesses.iter().any(|a| a.cross_account);
    let missing: Vec<&Access> = accesses.iter().filter(|a| a.granted.is_none()).collect();
    if missing.is_empty() || !cross {
        return Check::new(
            id,
            Status::Pass,
            pipeline_account,
            if cross {
                format!(
                    "the bucket policy of {} lets {} get and put artifacts",
                    found.name,
                    subject.grant_arn()
                )
            } else {
                "same account: the bucket policy need not allow".into()
            },
        );
    }
    if let Err(gap) = &side.policy {
        let mut c = Check::new(
            id,
            Status::Unknown,
            pipeline_account,
            format!(
                "cannot tell whether the bucket policy lets the action role in: {}",
                gap.cause
            ),
        );
        c.evidence = gap_evidence(std::slice::from_ref(gap));
        return c;
    }
    bucket_policy_misses(&found.name, subject, pipeline_account, location, &missing)
}

/// The bucket policy does not let the action role in: the failing check and its statement.
fn bucket_policy_misses(
    bucket: &str,
    subject: &Subject<'_>,
    pipeline_account: Option<&str>,
    location: PolicyLocation,
    missing: &[&Access],
) -> Check {
    let actions: Vec<&str> = missing.iter().map(|a| a.action.as_str()).collect();
    let mut c = Check::new(
        CheckId::ArtifactBucketPolicyAllows,
        Status::Fail,
        pipeline_account,
        format!(
            "the bucket policy of {bucket} does not allow {} for {}",
            actions.join(", "),
            subject.grant_arn()
        ),
    );
    c.evidence = missing
        .iter()
        .flat_map(|a| a.resource_evidence.clone())
        .collect();
    dedup_evidence(&mut c.evidence);
    c.fix = Some(Fix {
        summary: format!("add this statement to the bucket policy of {bucket}"),
        account: pipeline_account.map(str::to_string),
        action: FixAction::AddStatement {
            target: location,
            statement: json!({"Sid": "AllowActionRoleArtifacts", "Effect": "Allow", "Principal": {"AWS": subject.grant_arn()}, "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"], "Resource": format!("arn:aws:s3:::{bucket}/*")}),
        },
    });
    c
}
