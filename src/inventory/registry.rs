//! An ECR registry's own settings: replication rules (`ecr:DescribeRegistry`), pull-through
//! cache rules (`ecr:DescribePullThroughCacheRules`) and repository creation templates
//! (`ecr:DescribeRepositoryCreationTemplates`). The registry policy
//! (`ecr:GetRegistryPolicy`) is `Account::registry_policy`.

use serde::{Deserialize, Serialize};

/// One replication rule: where matching repositories are copied to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicationRule {
    /// The registries (account and region) images are replicated to.
    pub destinations: Vec<ReplicationDestination>,
    /// Repository-name prefixes (`PREFIX_MATCH`); empty means every repository.
    #[serde(default)]
    pub repository_filters: Vec<String>,
}

/// A replication destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicationDestination {
    /// The destination region.
    pub region: String,
    /// The destination registry (account id).
    pub registry_id: String,
}

impl ReplicationRule {
    /// Whether the rule replicates `repository` (any repository when `None`).
    pub fn covers(&self, repository: Option<&str>) -> bool {
        match repository {
            Some(name) => {
                self.repository_filters.is_empty()
                    || self
                        .repository_filters
                        .iter()
                        .any(|f| name.starts_with(f.as_str()))
            }
            None => true,
        }
    }

    /// Whether the rule sends to `registry` in `region`.
    pub fn sends_to(&self, registry: &str, region: &str) -> bool {
        self.destinations
            .iter()
            .any(|d| d.registry_id == registry && d.region == region)
    }
}

/// One pull-through cache rule: repositories under `prefix/` cache an upstream registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullThroughRule {
    /// The ECR repository prefix (`ecrRepositoryPrefix`); `ROOT` matches every repository.
    pub prefix: String,
    /// The upstream registry's URL (`upstreamRegistryUrl`), e.g. `registry-1.docker.io` or
    /// `444455556666.dkr.ecr.eu-west-1.amazonaws.com`.
    pub upstream_url: String,
    /// The upstream registry kind (`upstreamRegistry`: `ecr`, `docker-hub`, …), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream_kind: Option<String>,
    /// The Secrets Manager secret holding the upstream credentials, when the upstream needs one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_arn: Option<String>,
    /// The IAM role ECR assumes to read an ECR upstream (`customRoleArn`), when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_role_arn: Option<String>,
    /// The upstream repository prefix (`upstreamRepositoryPrefix`), when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream_prefix: Option<String>,
}

impl PullThroughRule {
    /// Whether the rule serves `repository` (its name starts with `prefix/`, or the rule is `ROOT`).
    pub fn serves(&self, repository: &str) -> bool {
        self.prefix == "ROOT"
            || repository
                .strip_prefix(self.prefix.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
    }

    /// The upstream repository `repository` caches: the name after the prefix, under the
    /// upstream prefix when one is set.
    pub fn upstream_repository(&self, repository: &str) -> String {
        let rest = if self.prefix == "ROOT" {
            repository
        } else {
            repository
                .strip_prefix(self.prefix.as_str())
                .map_or(repository, |r| r.trim_start_matches('/'))
        };
        match self.upstream_prefix.as_deref() {
            Some(prefix) if prefix != "ROOT" && !prefix.is_empty() => format!("{prefix}/{rest}"),
            _ => rest.to_string(),
        }
    }

    /// The upstream ECR registry (account id, region), when the upstream is a private ECR
    /// registry (`ACCOUNT.dkr.ecr.REGION.amazonaws.com`).
    pub fn upstream_ecr(&self) -> Option<(&str, &str)> {
        let mut parts = self.upstream_url.split('.');
        let account = parts.next()?;
        let (dkr, ecr, region) = (parts.next()?, parts.next()?, parts.next()?);
        let is_account = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
        (is_account && dkr == "dkr" && ecr == "ecr").then_some((account, region))
    }
}

/// What a repository creation template is applied for (`appliedFor`).
pub const APPLIED_FOR_REPLICATION: &str = "REPLICATION";

/// One repository creation template: settings of repositories ECR creates under `prefix/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreationTemplate {
    /// The repository prefix; `ROOT` matches every repository.
    pub prefix: String,
    /// What the template is applied for: `REPLICATION`, `PULL_THROUGH_CACHE`, `CREATE_ON_PUSH`.
    #[serde(default)]
    pub applied_for: Vec<String>,
    /// `AES256`, `KMS` or `KMS_DSSE`; `None`: ECR's default (AES256).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_type: Option<String>,
    /// The KMS key new repositories are encrypted with, when the type is KMS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key: Option<String>,
    /// The repository policy new repositories get, as JSON text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_policy: Option<String>,
}

impl CreationTemplate {
    /// Whether the template shapes `repository` (name under `prefix/`, or `ROOT`).
    pub fn serves(&self, repository: &str) -> bool {
        self.prefix == "ROOT"
            || repository
                .strip_prefix(self.prefix.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
    }

    /// Whether the template is applied for `purpose` (`REPLICATION`, `PULL_THROUGH_CACHE`).
    pub fn applies_for(&self, purpose: &str) -> bool {
        self.applied_for.iter().any(|a| a == purpose)
    }
}

/// The template ECR uses for `repository` and `purpose`: the longest matching prefix wins,
/// `ROOT` last.
pub fn template_for<'t>(
    templates: &'t [CreationTemplate],
    repository: &str,
    purpose: &str,
) -> Option<&'t CreationTemplate> {
    templates
        .iter()
        .filter(|t| t.applies_for(purpose) && t.serves(repository))
        .max_by_key(|t| {
            if t.prefix == "ROOT" {
                0
            } else {
                t.prefix.len() + 1
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_filters_decide_which_repositories_replicate() {
        let rule = ReplicationRule {
            destinations: vec![ReplicationDestination {
                region: "eu-west-1".into(),
                registry_id: "222222222222".into(),
            }],
            repository_filters: vec!["prod/".into()],
        };
        assert!(rule.covers(Some("prod/api")));
        assert!(!rule.covers(Some("dev/api")));
        assert!(rule.sends_to("222222222222", "eu-west-1"));
        assert!(!rule.sends_to("222222222222", "us-east-1"));
    }

    fn rule(prefix: &str, url: &str) -> PullThroughRule {
        PullThroughRule {
            prefix: prefix.into(),
            upstream_url: url.into(),
            upstream_kind: None,
            credential_arn: None,
            custom_role_arn: None,
            upstream_prefix: None,
        }
    }

    #[test]
    fn a_pull_through_rule_serves_its_prefix_and_names_the_upstream_repository() {
        let hub = rule("docker-hub", "registry-1.docker.io");
        assert!(hub.serves("docker-hub/library/nginx"));
        assert!(!hub.serves("docker-hubx/library/nginx"));
        assert!(!hub.serves("docker-hub"));
        assert_eq!(
            hub.upstream_repository("docker-hub/library/nginx"),
            "library/nginx"
        );
        assert_eq!(hub.upstream_ecr(), None);
        let mut ecr = rule("shared", "444455556666.dkr.ecr.eu-west-1.amazonaws.com");
        ecr.upstream_prefix = Some("base".into());
        assert_eq!(ecr.upstream_ecr(), Some(("444455556666", "eu-west-1")));
        assert_eq!(ecr.upstream_repository("shared/python"), "base/python");
        assert!(rule("ROOT", "public.ecr.aws").serves("anything/at/all"));
    }

    #[test]
    fn the_longest_template_prefix_for_the_purpose_wins() {
        let template = |prefix: &str, applied: &[&str]| CreationTemplate {
            prefix: prefix.into(),
            applied_for: applied.iter().map(|a| a.to_string()).collect(),
            encryption_type: None,
            kms_key: None,
            repository_policy: None,
        };
        let templates = vec![
            template("ROOT", &["REPLICATION"]),
            template("prod", &["REPLICATION"]),
            template("prod/api", &["PULL_THROUGH_CACHE"]),
        ];
        let found = template_for(&templates, "prod/api/v1", "REPLICATION").expect("a template");
        assert_eq!(found.prefix, "prod");
        let root = template_for(&templates, "dev/api", "REPLICATION").expect("ROOT");
        assert_eq!(root.prefix, "ROOT");
        assert!(template_for(&templates, "dev/api", "PULL_THROUGH_CACHE").is_none());
    }
}
