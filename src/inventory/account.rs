//! `Account`: everything known about one AWS account, and lookups by the names users type.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::arn::{self, Arn, ImageRef};
use super::build::Project;
use super::collection::{Collection, KeyKind};
use super::ecr::Repository;
use super::events::Rule;
use super::field::Field;
use super::iam::{ManagedPolicy, Role};
use super::iam_users::{Group, User};
use super::kms::Key;
use super::network::{Vpc, VpcEndpoint};
use super::pipeline::Pipeline;
use super::s3::Bucket;
use super::trail_records::TrailRecords;
use super::workload::{EcsService, LambdaFunction};

/// Who read the account, and where (`sts:GetCallerIdentity` plus the chosen profile and region).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The 12-digit account id.
    pub account_id: String,
    /// The ARN of the principal that read the account.
    pub caller_arn: String,
    /// The AWS profile used, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// The region the regional resources were read in.
    pub region: String,
    /// The partition (`aws`, `aws-cn`, `aws-us-gov`).
    #[serde(default = "default_partition")]
    pub partition: String,
}

fn default_partition() -> String {
    "aws".to_string()
}

/// One account's inventory. Plain data: the live loader and snapshot files fill it, the
/// diagnosis layer reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    /// Which account this is.
    pub identity: Identity,
    /// IAM roles.
    #[serde(default)]
    pub roles: Collection<Role>,
    /// IAM users (callers only: nobody assumes a user).
    #[serde(default, skip_serializing_if = "Collection::is_unlisted")]
    pub users: Collection<User>,
    /// IAM groups of the users, with their policies.
    #[serde(default, skip_serializing_if = "Collection::is_unlisted")]
    pub groups: Collection<Group>,
    /// Managed policies attached to the roles (customer and AWS managed), with documents.
    #[serde(default)]
    pub managed_policies: Collection<ManagedPolicy>,
    /// ECR repositories.
    #[serde(default)]
    pub repositories: Collection<Repository>,
    /// The ECR registry policy (`ecr:GetRegistryPolicy`), used for replication and pull-through cache.
    #[serde(default)]
    pub registry_policy: Field<Value>,
    /// The registry's replication rules (`ecr:DescribeRegistry`); `Absent`: none configured.
    #[serde(default, skip_serializing_if = "Field::is_not_loaded")]
    pub replication: Field<Vec<super::registry::ReplicationRule>>,
    /// The registry's pull-through cache rules (`ecr:DescribePullThroughCacheRules`); `Absent`: none.
    #[serde(default, skip_serializing_if = "Field::is_not_loaded")]
    pub pull_through_rules: Field<Vec<super::registry::PullThroughRule>>,
    /// The registry's repository creation templates (`ecr:DescribeRepositoryCreationTemplates`);
    /// `Absent`: none.
    #[serde(default, skip_serializing_if = "Field::is_not_loaded")]
    pub creation_templates: Field<Vec<super::registry::CreationTemplate>>,
    /// KMS keys.
    #[serde(default)]
    pub keys: Collection<Key>,
    /// CodeBuild projects.
    #[serde(default)]
    pub projects: Collection<Project>,
    /// CodePipeline pipelines.
    #[serde(default)]
    pub pipelines: Collection<Pipeline>,
    /// EventBridge rules.
    #[serde(default)]
    pub rules: Collection<Rule>,
    /// S3 buckets (artifact stores).
    #[serde(default)]
    pub buckets: Collection<Bucket>,
    /// Raw CloudTrail records, each the JSON of one event as CloudTrail delivers it
    /// (`LookupEvents`' `CloudTrailEvent`, decoded), held compactly; `crate::trail` parses them.
    #[serde(default)]
    pub trail: Field<TrailRecords>,
    /// The account's organisation and the guardrails (SCPs, RCPs) above it.
    #[serde(default, skip_serializing_if = "super::org::OrgKnowledge::is_empty")]
    pub org: super::org::OrgKnowledge,
    /// VPCs read for the network path of a caller (endpoints and route tables).
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub vpcs: Collection<Vpc>,
    /// VPC endpoints read, by id (those of the VPCs above, and single endpoints asked about).
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub vpc_endpoints: Collection<VpcEndpoint>,
    /// ECS services read for the network path of their tasks' roles.
    #[serde(default, skip_serializing_if = "Collection::is_unlisted")]
    pub ecs_services: Collection<EcsService>,
    /// Lambda functions read for the network path of their execution roles.
    #[serde(default, skip_serializing_if = "Collection::is_unlisted")]
    pub functions: Collection<LambdaFunction>,
}

impl Account {
    /// An account with nothing loaded yet.
    pub fn new(identity: Identity) -> Self {
        Self {
            identity,
            roles: Collection::default(),
            users: Collection::default(),
            groups: Collection::default(),
            managed_policies: Collection::default(),
            repositories: Collection::default(),
            registry_policy: Field::NotLoaded,
            replication: Field::NotLoaded,
            pull_through_rules: Field::NotLoaded,
            creation_templates: Field::NotLoaded,
            keys: Collection::default(),
            projects: Collection::default(),
            pipelines: Collection::default(),
            rules: Collection::default(),
            buckets: Collection::default(),
            trail: Field::NotLoaded,
            org: super::org::OrgKnowledge::default(),
            vpcs: Collection::default(),
            vpc_endpoints: Collection::default(),
            ecs_services: Collection::default(),
            functions: Collection::default(),
        }
    }

    /// The 12-digit account id.
    pub fn id(&self) -> &str {
        &self.identity.account_id
    }

    /// The region the inventory was read in.
    pub fn region(&self) -> &str {
        &self.identity.region
    }

    /// Whether an ARN belongs to this account.
    pub fn owns(&self, arn: &str) -> bool {
        arn::account_of(arn) == Some(self.id())
    }

    /// A role by name, role ARN (with path) or session ARN (`assumed-role/ROLE/SESSION`).
    pub fn role(&self, name_or_arn: &str) -> Option<&Role> {
        self.role_lookup(name_or_arn).into_loaded()
    }

    /// Like [`Account::role`], with three outcomes: found, certainly absent, or unknown (and why).
    pub fn role_lookup(&self, name_or_arn: &str) -> Field<&Role> {
        if !name_or_arn.starts_with("arn:") {
            return self.roles.lookup(KeyKind::Name, name_or_arn);
        }
        if !self.owns(name_or_arn) {
            return Field::Absent;
        }
        if let Some(name) = arn::session_role_name(name_or_arn) {
            // Session ARNs carry the role name but never its path.
            return self.roles.lookup(KeyKind::Name, name);
        }
        match self.roles.lookup(KeyKind::Arn, name_or_arn) {
            Field::Loaded(role) => Field::Loaded(role),
            // Principals are sometimes written without the role's path; the name is unique.
            _ => match arn::role_name(name_or_arn) {
                Some(name) => self.roles.lookup(KeyKind::Name, name).and_then(|role| {
                    if role.arn_without_path() == name_or_arn || role.arn == name_or_arn {
                        Field::Loaded(role)
                    } else {
                        Field::Absent
                    }
                }),
                None => Field::Absent,
            },
        }
    }

    /// A user by name or user ARN (with or without its path).
    pub fn user(&self, name_or_arn: &str) -> Option<&User> {
        self.user_lookup(name_or_arn).into_loaded()
    }

    /// Like [`Account::user`], with three outcomes: found, certainly absent, or unknown.
    pub fn user_lookup(&self, name_or_arn: &str) -> Field<&User> {
        if !name_or_arn.starts_with("arn:") {
            return self.users.lookup(KeyKind::Name, name_or_arn);
        }
        if !self.owns(name_or_arn) {
            return Field::Absent;
        }
        match self.users.lookup(KeyKind::Arn, name_or_arn) {
            Field::Loaded(user) => Field::Loaded(user),
            // Principals are sometimes written without the path; the name is unique.
            _ => match arn::user_name(name_or_arn) {
                Some(name) => self.users.lookup(KeyKind::Name, name).and_then(|user| {
                    let prefix = user.arn.split(":user/").next().unwrap_or_default();
                    if format!("{prefix}:user/{}", user.name) == name_or_arn
                        || user.arn == name_or_arn
                    {
                        Field::Loaded(user)
                    } else {
                        Field::Absent
                    }
                }),
                None => Field::Absent,
            },
        }
    }

    /// A group by name.
    pub fn group(&self, name: &str) -> Option<&Group> {
        self.groups.get(KeyKind::Name, name)
    }

    /// A managed policy by ARN.
    pub fn managed_policy(&self, arn: &str) -> Option<&ManagedPolicy> {
        self.managed_policies.get(KeyKind::Arn, arn)
    }

    /// The default-version document of a managed policy, with the reason when it is unknown.
    pub fn managed_policy_document(&self, arn: &str) -> Field<&Value> {
        self.managed_policies
            .lookup(KeyKind::Arn, arn)
            .and_then(|policy| policy.document.as_ref())
    }

    /// A repository by name, ARN or URI (a tag or digest on the URI is ignored).
    pub fn repository(&self, reference: &str) -> Option<&Repository> {
        self.repository_lookup(reference).into_loaded()
    }

    /// Like [`Account::repository`], with three outcomes.
    pub fn repository_lookup(&self, reference: &str) -> Field<&Repository> {
        if reference.starts_with("arn:") {
            if !self.owns(reference) {
                return Field::Absent;
            }
            return self.repositories.lookup(KeyKind::Arn, reference);
        }
        if let Some(image) = ImageRef::parse(reference) {
            if image.account != self.id() {
                return Field::Absent;
            }
            return self
                .repositories
                .lookup(KeyKind::Uri, &image.repository_uri());
        }
        self.repositories.lookup(KeyKind::Name, reference)
    }

    /// A KMS key by key ARN, key id, alias name (`alias/x`) or alias ARN.
    pub fn key(&self, reference: &str) -> Option<&Key> {
        self.key_lookup(reference).into_loaded()
    }

    /// Like [`Account::key`], with three outcomes.
    pub fn key_lookup(&self, reference: &str) -> Field<&Key> {
        match self.key_kind(reference) {
            Some(kind) => self.keys.lookup(kind, reference),
            None => Field::Absent,
        }
    }

    /// What a key reference is (key ARN, alias ARN, alias name or key id); `None` for an
    /// ARN of another account.
    pub fn key_kind(&self, reference: &str) -> Option<KeyKind> {
        if let Some(parts) = Arn::parse(reference) {
            if parts.account != self.id() {
                return None;
            }
            if parts.resource.starts_with("alias/") {
                return Some(KeyKind::AliasArn);
            }
            return Some(KeyKind::Arn);
        }
        if reference.starts_with("alias/") {
            return Some(KeyKind::Alias);
        }
        Some(KeyKind::KeyId)
    }

    /// A CodeBuild project by name or ARN.
    pub fn project(&self, name_or_arn: &str) -> Option<&Project> {
        self.project_lookup(name_or_arn).into_loaded()
    }

    /// Like [`Account::project`], with three outcomes.
    pub fn project_lookup(&self, name_or_arn: &str) -> Field<&Project> {
        self.by_name_or_arn(&self.projects, name_or_arn)
    }

    /// A pipeline by name or ARN.
    pub fn pipeline(&self, name_or_arn: &str) -> Option<&Pipeline> {
        self.pipeline_lookup(name_or_arn).into_loaded()
    }

    /// Like [`Account::pipeline`], with three outcomes.
    pub fn pipeline_lookup(&self, name_or_arn: &str) -> Field<&Pipeline> {
        self.by_name_or_arn(&self.pipelines, name_or_arn)
    }

    /// An S3 bucket by name or ARN.
    pub fn bucket(&self, name_or_arn: &str) -> Option<&Bucket> {
        self.bucket_lookup(name_or_arn).into_loaded()
    }

    /// Like [`Account::bucket`], with three outcomes (bucket ARNs carry no account).
    pub fn bucket_lookup(&self, name_or_arn: &str) -> Field<&Bucket> {
        let kind = if name_or_arn.starts_with("arn:") {
            KeyKind::Arn
        } else {
            KeyKind::Name
        };
        self.buckets.lookup(kind, name_or_arn)
    }

    /// A VPC read for a network path, by id.
    pub fn vpc_lookup(&self, id: &str) -> Field<&Vpc> {
        self.vpcs.lookup(KeyKind::Name, id)
    }

    /// A VPC endpoint by id (`vpce-…`).
    pub fn vpc_endpoint_lookup(&self, id: &str) -> Field<&VpcEndpoint> {
        self.vpc_endpoints.lookup(KeyKind::Name, id)
    }

    /// An ECS service by ARN or `CLUSTER/NAME`.
    pub fn ecs_service_lookup(&self, arn_or_label: &str) -> Field<&EcsService> {
        self.by_name_or_arn(&self.ecs_services, arn_or_label)
    }

    /// A Lambda function by name or ARN.
    pub fn function_lookup(&self, name_or_arn: &str) -> Field<&LambdaFunction> {
        self.by_name_or_arn(&self.functions, name_or_arn)
    }

    /// EventBridge rules with this name (one per event bus at most).
    pub fn rules_named(&self, name: &str) -> Vec<&Rule> {
        self.rules.get_all(KeyKind::Name, name)
    }

    /// An EventBridge rule by ARN.
    pub fn rule(&self, arn: &str) -> Option<&Rule> {
        self.rules.get(KeyKind::Arn, arn)
    }

    /// Every rule in this account with a target of this ARN (e.g. a pipeline ARN).
    pub fn rules_targeting(&self, target_arn: &str) -> Vec<&Rule> {
        self.rules.get_all(KeyKind::Target, target_arn)
    }

    /// The ARN a pipeline of this name has in this account and region.
    pub fn pipeline_arn(&self, name: &str) -> String {
        arn::pipeline_arn(&self.identity.partition, self.region(), self.id(), name)
    }

    /// The ARN a repository of this name has in this account and region.
    pub fn repository_arn(&self, name: &str) -> String {
        arn::repository_arn(&self.identity.partition, self.region(), self.id(), name)
    }

    fn by_name_or_arn<'a, T: super::collection::Keyed>(
        &self,
        collection: &'a Collection<T>,
        name_or_arn: &str,
    ) -> Field<&'a T> {
        if name_or_arn.starts_with("arn:") {
            if !self.owns(name_or_arn) {
                return Field::Absent;
            }
            return collection.lookup(KeyKind::Arn, name_or_arn);
        }
        collection.lookup(KeyKind::Name, name_or_arn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::collection::Listing;
    use crate::inventory::ecr::{RepositoryEncryption, TagMutability};
    use crate::inventory::events::Target;
    use crate::inventory::kms::Key;

    fn identity(id: &str) -> Identity {
        Identity {
            account_id: id.into(),
            caller_arn: format!("arn:aws:sts::{id}:assumed-role/reader/s"),
            profile: None,
            region: "ap-northeast-1".into(),
            partition: "aws".into(),
        }
    }

    fn sample() -> Account {
        let mut account = Account::new(identity("111111111111"));
        account.roles = Collection::complete([
            Role::listed("arn:aws:iam::111111111111:role/ci/deploy", "deploy", "/ci/"),
            Role::listed(
                "arn:aws:iam::111111111111:role/codebuild-service-role",
                "codebuild-service-role",
                "/",
            ),
        ]);
        account.repositories = Collection::complete([Repository {
            arn: account.repository_arn("team/app"),
            name: "team/app".into(),
            uri: "111111111111.dkr.ecr.ap-northeast-1.amazonaws.com/team/app".into(),
            registry_id: "111111111111".into(),
            encryption: RepositoryEncryption::aes256(),
            tag_mutability: TagMutability::Mutable,
            policy: Field::Absent,
            images: Field::NotLoaded,
            tags: Field::NotLoaded,
        }]);
        account.keys = Collection::complete([Key {
            arn: "arn:aws:kms:ap-northeast-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
                .into(),
            key_id: "1234abcd-12ab-34cd-56ef-1234567890ab".into(),
            aliases: Field::Loaded(vec!["alias/artifacts".into()]),
            manager: Field::NotLoaded,
            state: Field::NotLoaded,
            deletion_date: None,
            description: None,
            policy: Field::NotLoaded,
            tags: Field::NotLoaded,
            grants: Field::NotLoaded,
        }]);
        let pipeline_arn = account.pipeline_arn("deploy");
        account.rules = Collection::complete(["a", "b"].map(|name| Rule {
            arn: format!("arn:aws:events:ap-northeast-1:111111111111:rule/{name}"),
            name: name.into(),
            event_bus_name: "default".into(),
            state: Field::NotLoaded,
            event_pattern: Field::NotLoaded,
            schedule_expression: None,
            targets: Field::Loaded(vec![Target {
                id: "1".into(),
                arn: pipeline_arn.clone(),
                role_arn: None,
            }]),
        }));
        account
    }

    #[test]
    fn roles_by_name_arn_and_session() {
        let account = sample();
        assert!(account.role("deploy").is_some());
        assert!(account
            .role("arn:aws:iam::111111111111:role/ci/deploy")
            .is_some());
        // The same role written without its path, as session ARNs and some principals do.
        assert!(account
            .role("arn:aws:iam::111111111111:role/deploy")
            .is_some());
        assert!(account
            .role("arn:aws:sts::111111111111:assumed-role/deploy/session-1")
            .is_some());
        assert!(account
            .role("arn:aws:iam::222222222222:role/ci/deploy")
            .is_none());
        assert!(account
            .role("arn:aws:iam::111111111111:role/other/deploy")
            .is_none());
        assert!(account.role_lookup("missing").is_absent());
    }

    #[test]
    fn repositories_by_name_arn_and_uri() {
        let account = sample();
        let arn = "arn:aws:ecr:ap-northeast-1:111111111111:repository/team/app";
        assert!(account.repository("team/app").is_some());
        assert!(account.repository(arn).is_some());
        assert!(account
            .repository("111111111111.dkr.ecr.ap-northeast-1.amazonaws.com/team/app:1.2")
            .is_some());
        assert!(account
            .repository("222222222222.dkr.ecr.ap-northeast-1.amazonaws.com/team/app")
            .is_none());
    }

    #[test]
    fn keys_by_id_alias_and_arns() {
        let account = sample();
        for reference in [
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "alias/artifacts",
            "arn:aws:kms:ap-northeast-1:111111111111:alias/artifacts",
            "arn:aws:kms:ap-northeast-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ] {
            assert!(account.key(reference).is_some(), "{reference}");
        }
        assert!(account.key("alias/other").is_none());
    }

    #[test]
    fn rules_targeting_a_pipeline() {
        let account = sample();
        let arn = account.pipeline_arn("deploy");
        assert_eq!(
            arn,
            "arn:aws:codepipeline:ap-northeast-1:111111111111:deploy"
        );
        assert_eq!(account.rules_targeting(&arn).len(), 2);
        assert!(account.rules_targeting("arn:aws:codepipeline:x").is_empty());
    }

    #[test]
    fn unlisted_collections_report_unknown() {
        let mut account = sample();
        account.projects.set_listing(Listing::NotLoaded);
        assert!(account.project_lookup("anything").is_not_loaded());
    }
}
