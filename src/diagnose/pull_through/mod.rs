//! The pull-through cache path (FAILURE-CATALOG §2.11): a pull of `PREFIX/NAME` from a cache
//! registry fills the repository from the upstream of the rule for `PREFIX`. ECR needs the
//! rule, the puller's `ecr:BatchImportUpstreamImage` (and `ecr:CreateRepository` on the
//! first pull, which creates the repository), and for an ECR upstream the rule's custom
//! role — trusted by `pullthroughcache.ecr.amazonaws.com`, allowed to read the upstream —
//! let in by the upstream registry's policy.

mod puller;
mod role;
mod rule;
mod upstream;

use super::model::{Diagnosis, QuestionSummary};
use super::subject::Subject;
use super::DiagnoseError;
use crate::inventory::{Accounts, PullThroughRule};
use crate::policy::arn::account_of;

/// What the puller calls on the cache repository: the import, and the creation of the
/// repository on the first pull.
pub const PULLER_ACTIONS: [&str; 2] = ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"];

/// What the rule's custom role needs on the upstream ECR repository.
const UPSTREAM_ACTIONS: [&str; 2] = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];

/// The service principal that assumes a pull-through cache rule's custom role.
const PTC_SERVICE: &str = "pullthroughcache.ecr.amazonaws.com";

/// The prefix Secrets Manager secret names of pull-through credentials must have.
const SECRET_PREFIX: &str = "ecr-pullthroughcache/";

/// Can `principal` fill `repository` (the cache repository ARN) from its rule's upstream?
pub fn pull_through(
    accounts: &Accounts,
    principal: &str,
    repository: &str,
) -> Result<Diagnosis, DiagnoseError> {
    let subject = Subject::resolve(accounts, principal).map_err(DiagnoseError::Principal)?;
    let registry = account_of(repository).unwrap_or_default().to_string();
    let name = repository
        .rsplit_once(":repository/")
        .map_or(repository, |(_, n)| n)
        .to_string();
    let question = QuestionSummary {
        kind: "pull-through".into(),
        text: format!(
            "can {principal} fill `{name}` of registry {registry} from its pull-through upstream?"
        ),
        principal: Some(principal.to_string()),
        resource: Some(repository.to_string()),
    };
    let account = accounts.account(&registry);
    let (rule_check, rule) = rule::rule_check(account, &registry, &name);
    let mut checks = vec![
        rule_check,
        puller::puller_check(accounts, &subject, account, repository, &name),
    ];
    if let Some(rule) = rule {
        let upstream = Upstream::of(rule, &name);
        checks.push(role::role_trust_check(accounts, rule, &registry, &upstream));
        checks.push(role::role_allows_check(
            accounts, rule, &registry, &upstream,
        ));
        checks.push(upstream::upstream_policy_check(
            accounts, rule, &registry, &upstream,
        ));
    }
    Ok(Diagnosis::new(question, checks))
}

/// The upstream repository a cache repository fills from.
struct Upstream {
    /// The upstream ECR registry's account, when the upstream is a private ECR registry.
    ecr_account: Option<String>,
    /// The upstream repository's ARN (ECR upstream) or `URL/NAME` (other registries).
    repository: String,
}

impl Upstream {
    fn of(rule: &PullThroughRule, name: &str) -> Self {
        let upstream_name = rule.upstream_repository(name);
        match rule.upstream_ecr() {
            Some((account, upstream_region)) => Upstream {
                ecr_account: Some(account.to_string()),
                repository: crate::inventory::arn::repository_arn(
                    crate::policy::arn::partition_for_region(upstream_region),
                    upstream_region,
                    account,
                    &upstream_name,
                ),
            },
            None => Upstream {
                ecr_account: None,
                repository: format!("{}/{upstream_name}", rule.upstream_url),
            },
        }
    }
}
