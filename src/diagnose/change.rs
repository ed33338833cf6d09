//! A complete change: where a document lives (account, resource ARN, which document) and the
//! whole new document (or setting value). Fixes, what-if overlays and `--what-if` files all
//! speak this one shape, because the AWS APIs that apply a policy replace the whole document.
//!
//! A new kind of document (a check of another issue that fixes, say, an SCP or a registry
//! setting) is one more [`DocumentKind`] variant with its name, its current value and how it
//! is applied; renderings match on the same enum.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::apply::{apply_setting, set_policy, ApplyError};
use super::model::PolicyLocation;
use crate::inventory::{Accounts, Field};

/// Which document of a resource a change replaces.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocumentKind {
    /// An ECR repository policy (`ecr set-repository-policy`).
    RepositoryPolicy,
    /// A role's trust policy (`iam update-assume-role-policy`).
    TrustPolicy,
    /// A role's inline policy, by name (`iam put-role-policy`).
    InlinePolicy(String),
    /// A customer-managed policy's default version (`iam create-policy-version`).
    ManagedPolicy,
    /// A KMS key policy; KMS keys have one policy, named `default`.
    KeyPolicy,
    /// An S3 bucket policy.
    BucketPolicy,
    /// An EventBridge rule's event pattern.
    EventPattern,
    /// An EventBridge rule's state (`ENABLED`, `DISABLED`).
    RuleState,
    /// Any other resource setting, by its path (e.g. `environment.imagePullCredentialsType`
    /// of a CodeBuild project, `imageTagMutability` of a repository, `KeyState` of a key).
    Setting(String),
}

impl DocumentKind {
    /// Whether the document is an IAM policy (statements), as opposed to a setting value.
    pub fn is_policy(&self) -> bool {
        matches!(
            self,
            Self::RepositoryPolicy
                | Self::TrustPolicy
                | Self::InlinePolicy(_)
                | Self::ManagedPolicy
                | Self::KeyPolicy
                | Self::BucketPolicy
        )
    }

    /// Whether the policy is an identity policy (its principal is the role it belongs to).
    pub fn is_identity_policy(&self) -> bool {
        matches!(self, Self::InlinePolicy(_) | Self::ManagedPolicy)
    }

    /// The document a setting fix (`FixAction::Setting`) changes.
    pub fn of_setting(setting: &str) -> Self {
        match setting {
            "EventPattern" => Self::EventPattern,
            "State" => Self::RuleState,
            other => Self::Setting(other.to_string()),
        }
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RepositoryPolicy => f.write_str("repository policy"),
            Self::TrustPolicy => f.write_str("trust policy"),
            Self::InlinePolicy(name) => write!(f, "inline policy {name}"),
            Self::ManagedPolicy => f.write_str("managed policy"),
            Self::KeyPolicy => f.write_str("key policy default"),
            Self::BucketPolicy => f.write_str("bucket policy"),
            Self::EventPattern => f.write_str("event pattern"),
            Self::RuleState => f.write_str("rule state"),
            Self::Setting(path) => write!(f, "setting {path}"),
        }
    }
}

/// A document name that is none of [`DocumentKind`]'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown document `{0}`: use `repository policy`, `trust policy`, `inline policy NAME`, `managed policy`, `key policy default`, `bucket policy`, `event pattern`, `rule state` or `setting PATH`")]
pub struct UnknownDocument(pub String);

impl FromStr for DocumentKind {
    type Err = UnknownDocument;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let named = |prefix: &str| {
            text.strip_prefix(prefix)
                .map(str::trim)
                .filter(|rest| !rest.is_empty())
                .map(str::to_string)
        };
        Ok(match text {
            "repository policy" => Self::RepositoryPolicy,
            "trust policy" => Self::TrustPolicy,
            "managed policy" => Self::ManagedPolicy,
            "key policy" | "key policy default" => Self::KeyPolicy,
            "bucket policy" => Self::BucketPolicy,
            "event pattern" => Self::EventPattern,
            "rule state" => Self::RuleState,
            _ => {
                if let Some(name) = named("inline policy ") {
                    Self::InlinePolicy(name)
                } else if let Some(path) = named("setting ") {
                    Self::Setting(path)
                } else {
                    return Err(UnknownDocument(text.to_string()));
                }
            }
        })
    }
}

impl Serialize for DocumentKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DocumentKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Where a document lives: the account, the resource it belongs to and which document.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ChangeLocation {
    /// The account id that holds the resource.
    pub account: String,
    /// The resource: role, repository, key, bucket (`arn:aws:s3:::NAME`), rule, project,
    /// pipeline or managed policy ARN.
    pub resource_arn: String,
    /// Which document of the resource.
    pub document: DocumentKind,
}

impl fmt::Display for ChangeLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {} (account {})",
            self.document, self.resource_arn, self.account
        )
    }
}

impl ChangeLocation {
    /// The location of a policy named by a [`PolicyLocation`] (`account` when the ARN has
    /// none, as for buckets).
    pub fn of_policy(target: &PolicyLocation, account: Option<&str>) -> Self {
        let (resource_arn, document) = match target {
            PolicyLocation::RepositoryPolicy { repository } => {
                (repository.clone(), DocumentKind::RepositoryPolicy)
            }
            PolicyLocation::TrustPolicy { role } => (role.clone(), DocumentKind::TrustPolicy),
            PolicyLocation::InlinePolicy { role, name } => {
                (role.clone(), DocumentKind::InlinePolicy(name.clone()))
            }
            PolicyLocation::ManagedPolicy { policy, .. }
            | PolicyLocation::PermissionsBoundary { policy, .. } => {
                (policy.clone(), DocumentKind::ManagedPolicy)
            }
            PolicyLocation::KeyPolicy { key } => (key.clone(), DocumentKind::KeyPolicy),
            PolicyLocation::BucketPolicy { bucket } => {
                (format!("arn:aws:s3:::{bucket}"), DocumentKind::BucketPolicy)
            }
            // Endpoint and registry policies have no rendering of their own yet: they are
            // shown as the setting their API takes (`ec2 modify-vpc-endpoint
            // --policy-document`, `ecr put-registry-policy --policy-text`).
            PolicyLocation::VpcEndpointPolicy { endpoint } => (
                endpoint.clone(),
                DocumentKind::Setting("PolicyDocument".to_string()),
            ),
            PolicyLocation::RegistryPolicy { registry } => (
                format!("arn:aws:ecr:::registry/{registry}"),
                DocumentKind::Setting("policyText".to_string()),
            ),
        };
        let account = crate::policy::arn::account_of(&resource_arn)
            .filter(|a| !a.is_empty() && *a != "aws")
            .or(account)
            .unwrap_or_default()
            .to_string();
        Self {
            account,
            resource_arn,
            document,
        }
    }

    /// The last part of the resource ARN: the role, repository, rule or project name.
    pub fn resource_name(&self) -> &str {
        let arn = &self.resource_arn;
        let tail = arn.rsplit(':').next().unwrap_or(arn);
        tail.rsplit('/').next().unwrap_or(tail)
    }

    /// The region of the resource ARN (empty for IAM and S3).
    pub fn region(&self) -> &str {
        self.resource_arn.split(':').nth(3).unwrap_or_default()
    }

    /// The policy location, for policy documents.
    pub fn policy_location(&self) -> Option<PolicyLocation> {
        let arn = self.resource_arn.clone();
        Some(match &self.document {
            DocumentKind::RepositoryPolicy => PolicyLocation::RepositoryPolicy { repository: arn },
            DocumentKind::TrustPolicy => PolicyLocation::TrustPolicy { role: arn },
            DocumentKind::InlinePolicy(name) => PolicyLocation::InlinePolicy {
                role: arn,
                name: name.clone(),
            },
            DocumentKind::ManagedPolicy => PolicyLocation::ManagedPolicy {
                role: String::new(),
                policy: arn,
            },
            DocumentKind::KeyPolicy => PolicyLocation::KeyPolicy { key: arn },
            DocumentKind::BucketPolicy => PolicyLocation::BucketPolicy {
                bucket: self.resource_name().to_string(),
            },
            DocumentKind::EventPattern | DocumentKind::RuleState | DocumentKind::Setting(_) => {
                return None
            }
        })
    }

    /// The setting path `apply` understands, for settings.
    fn setting_path(&self) -> Option<&str> {
        match &self.document {
            DocumentKind::EventPattern => Some("EventPattern"),
            DocumentKind::RuleState => Some("State"),
            DocumentKind::Setting(path) => Some(path),
            _ => None,
        }
    }
}

/// One complete change: the location and the whole new document (or setting value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Where.
    pub location: ChangeLocation,
    /// The complete new document (`null`: delete the policy), or the new setting value.
    pub document: Value,
}

/// A set of changes, the shape of a `--what-if` file. A file holding the JSON output of
/// `explain` (its `fixes`) is read the same way.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangeSet {
    /// The changes, applied in order.
    #[serde(alias = "fixes")]
    pub changes: Vec<Change>,
}

/// The current document (or setting value) at `location`: `Ok(None)` when the resource has
/// none, `Err` when it is not loaded or could not be read.
pub fn current(
    accounts: &Accounts,
    location: &ChangeLocation,
) -> Result<Option<Value>, ApplyError> {
    let missing = || ApplyError::NotFound(location.to_string());
    let account = accounts
        .account(&location.account)
        .or_else(|| accounts.account_of(&location.resource_arn))
        .ok_or_else(missing)?;
    let arn = location.resource_arn.as_str();
    let field: Field<Value> = match &location.document {
        DocumentKind::RepositoryPolicy => {
            account.repository(arn).ok_or_else(missing)?.policy.clone()
        }
        DocumentKind::TrustPolicy => account.role(arn).ok_or_else(missing)?.trust_policy.clone(),
        DocumentKind::InlinePolicy(name) => {
            // The inline policies of a role, a user or a group, by the owner's ARN.
            let inline = if arn.contains(":user/") {
                &account.user(arn).ok_or_else(missing)?.inline_policies
            } else if arn.contains(":group/") {
                &account
                    .groups
                    .get(crate::inventory::KeyKind::Arn, arn)
                    .ok_or_else(missing)?
                    .inline_policies
            } else {
                &account.role(arn).ok_or_else(missing)?.inline_policies
            };
            match inline {
                Field::Loaded(list) => list
                    .iter()
                    .find(|p| &p.name == name)
                    .map_or(Field::Absent, |p| p.document.clone()),
                Field::Absent => Field::Absent,
                _ => Field::NotLoaded,
            }
        }
        DocumentKind::ManagedPolicy => account.managed_policy_document(arn).map(Value::clone),
        DocumentKind::KeyPolicy => account.key(arn).ok_or_else(missing)?.policy.clone(),
        DocumentKind::BucketPolicy => account
            .bucket(location.resource_name())
            .ok_or_else(missing)?
            .policy
            .clone(),
        DocumentKind::EventPattern => account.rule(arn).ok_or_else(missing)?.event_pattern.clone(),
        DocumentKind::RuleState => account
            .rule(arn)
            .ok_or_else(missing)?
            .state
            .as_ref()
            .map(|s| Value::String(s.to_string())),
        DocumentKind::Setting(path) => setting_value(accounts, location, path)?,
    };
    match field {
        Field::Loaded(value) => Ok(Some(value)),
        Field::Absent => Ok(None),
        _ => Err(ApplyError::PolicyNotLoaded(location.to_string())),
    }
}

/// The current value of a modelled setting.
fn setting_value(
    accounts: &Accounts,
    location: &ChangeLocation,
    path: &str,
) -> Result<Field<Value>, ApplyError> {
    let missing = || ApplyError::NotFound(location.to_string());
    let account = accounts.account(&location.account).ok_or_else(missing)?;
    let arn = location.resource_arn.as_str();
    let text = |s: String| Field::Loaded(Value::String(s));
    Ok(match path {
        "environment.imagePullCredentialsType" => {
            match &account.project(arn).ok_or_else(missing)?.environment {
                Field::Loaded(env) => text(env.image_pull_credentials_type.to_string()),
                other => other.as_ref().map(|_| Value::Null),
            }
        }
        "imageTagMutability" => text(
            account
                .repository(arn)
                .ok_or_else(missing)?
                .tag_mutability
                .to_string(),
        ),
        "KeyState" => account
            .key(arn)
            .ok_or_else(missing)?
            .state
            .as_ref()
            .map(|s| Value::String(s.to_string())),
        "artifactStore.encryptionKey.id" => {
            match &account.pipeline(arn).ok_or_else(missing)?.artifact_store {
                Field::Loaded(store) => store
                    .encryption_key
                    .as_ref()
                    .map_or(Field::Absent, |k| text(k.id.clone())),
                other => other.as_ref().map(|_| Value::Null),
            }
        }
        other => return Err(ApplyError::UnknownSetting(other.to_string())),
    })
}

/// Replaces the document at the change's location by the change's document.
pub fn apply_change(accounts: &mut Accounts, change: &Change) -> Result<(), ApplyError> {
    let location = &change.location;
    if let Some(target) = location.policy_location() {
        let document = Some(change.document.clone()).filter(|d| !d.is_null());
        if let Some(document) = &document {
            crate::policy::PolicyDocument::from_value(document)
                .map_err(|e| ApplyError::InvalidDocument(format!("{location}: {e}")))?;
        }
        return set_policy(accounts, &target, document);
    }
    let path = location.setting_path().unwrap_or_default();
    apply_setting(accounts, &location.resource_arn, path, &change.document)
}

/// Applies every change in order, after the accounts' copy is made (a what-if never edits
/// what was read from AWS).
pub fn apply_all(accounts: &Accounts, changes: &[Change]) -> Result<Accounts, ApplyError> {
    let mut changed = accounts.clone();
    for change in changes {
        apply_change(&mut changed, change)?;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_names_round_trip() {
        for kind in [
            DocumentKind::RepositoryPolicy,
            DocumentKind::TrustPolicy,
            DocumentKind::InlinePolicy("crossdock-pull".into()),
            DocumentKind::ManagedPolicy,
            DocumentKind::KeyPolicy,
            DocumentKind::BucketPolicy,
            DocumentKind::EventPattern,
            DocumentKind::RuleState,
            DocumentKind::Setting("environment.imagePullCredentialsType".into()),
        ] {
            assert_eq!(kind.to_string().parse::<DocumentKind>(), Ok(kind));
        }
        assert!("policy of doom".parse::<DocumentKind>().is_err());
        assert!("inline policy ".parse::<DocumentKind>().is_err());
    }

    #[test]
    fn a_change_replaces_the_whole_document_and_reads_back() {
        let accounts = crate::inventory::demo::load().expect("demo");
        let location = ChangeLocation {
            account: "222222222222".into(),
            resource_arn: "arn:aws:iam::222222222222:role/partner-deploy-role".into(),
            document: DocumentKind::TrustPolicy,
        };
        let before = current(&accounts, &location)
            .expect("loaded")
            .expect("present");
        let new = serde_json::json!({"Version": "2012-10-17", "Statement": []});
        let changed = apply_all(
            &accounts,
            &[Change {
                location: location.clone(),
                document: new.clone(),
            }],
        )
        .expect("applies");
        assert_eq!(current(&changed, &location).expect("loaded"), Some(new));
        assert_eq!(current(&accounts, &location).expect("loaded"), Some(before));
        let bad = Change {
            location,
            document: serde_json::json!({"Statement": 3}),
        };
        assert!(matches!(
            apply_all(&accounts, &[bad]),
            Err(ApplyError::InvalidDocument(_))
        ));
    }
}
