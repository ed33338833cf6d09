//! An ECR registry's own settings: replication rules (`ecr:DescribeRegistry`). The registry
//! policy (`ecr:GetRegistryPolicy`) is `Account::registry_policy`.

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
}
