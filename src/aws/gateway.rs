//! The one door to AWS: every SDK call the loader makes goes through a [`Gateway`] method,
//! which bounds concurrency, counts calls per operation and classifies failures.
//!
//! One method per read operation, nothing else: there is no way to send a mutating request
//! through this type, and `tests/read_only.rs` checks the rest of `src/` never calls the SDK
//! around it with anything off the allowlist.

mod users;
mod workloads;

use std::collections::BTreeMap;
use std::error::Error as StdError;
use std::fmt::Debug;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::SdkConfig;
use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use tokio::sync::Semaphore;

use super::errors;
use crate::inventory::Unreadable;

/// How many calls may be in flight at once per gateway (per account).
pub const DEFAULT_CONCURRENCY: usize = 8;
/// Attempts per call under the SDK's standard retry mode (throttling, 5xx, network).
pub const MAX_ATTEMPTS: u32 = 5;

/// How hard a gateway tries: concurrency, retries and timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Calls in flight at once (at least 1).
    pub concurrency: usize,
    /// Attempts per call, first one included (at least 1).
    pub max_attempts: u32,
    /// Longest one attempt may take before it counts as timed out (and is retried).
    pub attempt_timeout: Duration,
    /// First retry delay of the standard mode's jittered exponential backoff.
    pub initial_backoff: Duration,
    /// Longest one call may take, all its attempts and backoffs together: an unreachable
    /// endpoint fails after this, not after `max_attempts` × `attempt_timeout`.
    pub operation_timeout: Duration,
}

/// The environment variable that sets [`Limits::operation_timeout`] in seconds.
pub const DEADLINE_ENV: &str = "CROSSDOCK_CALL_DEADLINE";

/// [`Limits::operation_timeout`] unless [`DEADLINE_ENV`] says otherwise.
const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(45);

fn operation_timeout_from_env() -> Duration {
    std::env::var(DEADLINE_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&secs| secs > 0)
        .map_or(DEFAULT_OPERATION_TIMEOUT, Duration::from_secs)
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            concurrency: DEFAULT_CONCURRENCY,
            max_attempts: MAX_ATTEMPTS,
            attempt_timeout: Duration::from_secs(30),
            initial_backoff: Duration::from_secs(1),
            operation_timeout: operation_timeout_from_env(),
        }
    }
}

macro_rules! operations {
    ($( $variant:ident => $action:literal, )+) => {
        /// Every operation the gateway can send, by IAM action name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Operation {
            $(
                #[doc = concat!("`", $action, "`")]
                $variant,
            )+
        }

        impl Operation {
            /// Every operation, in declaration order.
            pub const ALL: &'static [Operation] = &[$(Operation::$variant,)+];

            /// The IAM action, e.g. `ecr:GetRepositoryPolicy`.
            pub fn action(self) -> &'static str {
                match self {
                    $(Operation::$variant => $action,)+
                }
            }
        }
    };
}

operations! {
    GetCallerIdentity => "sts:GetCallerIdentity",
    ListRoles => "iam:ListRoles",
    GetRole => "iam:GetRole",
    ListRolePolicies => "iam:ListRolePolicies",
    GetRolePolicy => "iam:GetRolePolicy",
    ListAttachedRolePolicies => "iam:ListAttachedRolePolicies",
    GetPolicy => "iam:GetPolicy",
    GetPolicyVersion => "iam:GetPolicyVersion",
    ListUsers => "iam:ListUsers",
    GetUser => "iam:GetUser",
    ListUserPolicies => "iam:ListUserPolicies",
    GetUserPolicy => "iam:GetUserPolicy",
    ListAttachedUserPolicies => "iam:ListAttachedUserPolicies",
    ListUserTags => "iam:ListUserTags",
    ListGroupsForUser => "iam:ListGroupsForUser",
    ListGroupPolicies => "iam:ListGroupPolicies",
    GetGroupPolicy => "iam:GetGroupPolicy",
    ListAttachedGroupPolicies => "iam:ListAttachedGroupPolicies",
    DescribeRepositories => "ecr:DescribeRepositories",
    GetRepositoryPolicy => "ecr:GetRepositoryPolicy",
    GetRegistryPolicy => "ecr:GetRegistryPolicy",
    DescribeImages => "ecr:DescribeImages",
    ListKeys => "kms:ListKeys",
    DescribeKey => "kms:DescribeKey",
    ListAliases => "kms:ListAliases",
    GetKeyPolicy => "kms:GetKeyPolicy",
    ListProjects => "codebuild:ListProjects",
    BatchGetProjects => "codebuild:BatchGetProjects",
    ListPipelines => "codepipeline:ListPipelines",
    GetPipeline => "codepipeline:GetPipeline",
    ListRules => "events:ListRules",
    DescribeRule => "events:DescribeRule",
    ListTargetsByRule => "events:ListTargetsByRule",
    ListRuleNamesByTarget => "events:ListRuleNamesByTarget",
    GetBucketPolicy => "s3:GetBucketPolicy",
    DescribeOrganization => "organizations:DescribeOrganization",
    ListParents => "organizations:ListParents",
    ListPoliciesForTarget => "organizations:ListPoliciesForTarget",
    DescribePolicy => "organizations:DescribePolicy",
    DescribeVpcEndpoints => "ec2:DescribeVpcEndpoints",
    DescribeRouteTables => "ec2:DescribeRouteTables",
    ListGrants => "kms:ListGrants",
    DescribeRegistry => "ecr:DescribeRegistry",
    DescribePullThroughCacheRules => "ecr:DescribePullThroughCacheRules",
    DescribeRepositoryCreationTemplates => "ecr:DescribeRepositoryCreationTemplates",
    DescribeSubnets => "ec2:DescribeSubnets",
    ListClusters => "ecs:ListClusters",
    ListServices => "ecs:ListServices",
    DescribeServices => "ecs:DescribeServices",
    DescribeTaskDefinition => "ecs:DescribeTaskDefinition",
    ListFunctions => "lambda:ListFunctions",
    GetFunctionConfiguration => "lambda:GetFunctionConfiguration",
}

/// Calls made so far, per IAM action (only actions called at least once).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallCounts(pub BTreeMap<&'static str, u64>);

impl CallCounts {
    /// All calls together.
    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }

    /// Calls of one action (`iam:GetRole`).
    pub fn get(&self, action: &str) -> u64 {
        self.0.get(action).copied().unwrap_or(0)
    }
}

impl std::fmt::Display for CallCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} calls", self.total())?;
        for (action, count) in &self.0 {
            write!(f, ", {action}×{count}")?;
        }
        Ok(())
    }
}

/// Read-only AWS clients for one account and region, with a concurrency bound and counters.
/// Cheap to clone; clones share clients, bound and counters.
#[derive(Clone)]
pub struct Gateway {
    inner: Arc<Inner>,
}

struct Inner {
    sts: aws_sdk_sts::Client,
    iam: aws_sdk_iam::Client,
    ecr: aws_sdk_ecr::Client,
    kms: aws_sdk_kms::Client,
    codebuild: aws_sdk_codebuild::Client,
    codepipeline: aws_sdk_codepipeline::Client,
    events: aws_sdk_eventbridge::Client,
    s3: aws_sdk_s3::Client,
    organizations: aws_sdk_organizations::Client,
    ec2: aws_sdk_ec2::Client,
    ecs: aws_sdk_ecs::Client,
    lambda: aws_sdk_lambda::Client,
    permits: Semaphore,
    calls: Vec<AtomicU64>,
    region: Option<String>,
    /// The profile the credentials come from, named in credential hints.
    profile: OnceLock<String>,
    /// The account read, once `sts:GetCallerIdentity` told it; for the log.
    account: OnceLock<String>,
}

impl Debug for Gateway {
    // Deliberately not derived: client configs hold the credentials provider.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("region", &self.inner.region)
            .field("calls", &self.calls().total())
            .finish_non_exhaustive()
    }
}

impl Gateway {
    /// Clients for `config` with the standard retry mode and [`DEFAULT_CONCURRENCY`].
    pub fn new(config: &SdkConfig) -> Self {
        Self::with_concurrency(config, DEFAULT_CONCURRENCY)
    }

    /// Clients for `config` allowing at most `concurrency` calls in flight (at least 1).
    pub fn with_concurrency(config: &SdkConfig, concurrency: usize) -> Self {
        Self::with_limits(config, concurrency, MAX_ATTEMPTS)
    }

    /// Clients with a concurrency bound and `max_attempts` per call (standard retry mode).
    pub fn with_limits(config: &SdkConfig, concurrency: usize, max_attempts: u32) -> Self {
        Self::with(
            config,
            Limits {
                concurrency,
                max_attempts,
                ..Limits::default()
            },
        )
    }

    /// Clients under `limits` (standard retry mode).
    pub fn with(config: &SdkConfig, limits: Limits) -> Self {
        Self::with_retry(config, limits, RetryConfig::standard())
    }

    /// Clients under `limits` in the adaptive retry mode: on throttling, a client-side rate
    /// limiter slows every later call of this gateway too, not only the retried one (for
    /// reading many accounts at once, `aws::org_load`).
    pub fn adaptive(config: &SdkConfig, limits: Limits) -> Self {
        Self::with_retry(config, limits, RetryConfig::adaptive())
    }

    fn with_retry(config: &SdkConfig, limits: Limits, retry: RetryConfig) -> Self {
        let Limits {
            concurrency,
            max_attempts,
            attempt_timeout,
            initial_backoff,
            operation_timeout,
        } = limits;
        let config = config
            .to_builder()
            .retry_config(
                retry
                    .with_max_attempts(max_attempts.max(1))
                    .with_initial_backoff(initial_backoff),
            )
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .operation_attempt_timeout(attempt_timeout)
                    .operation_timeout(operation_timeout)
                    .build(),
            )
            .build();
        // A custom endpoint (moto, LocalStack, a proxy) cannot serve virtual-hosted bucket
        // names like `bucket.127.0.0.1`; path style works everywhere.
        let s3_config = aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(config.endpoint_url().is_some())
            .build();
        Self {
            inner: Arc::new(Inner {
                sts: aws_sdk_sts::Client::new(&config),
                iam: aws_sdk_iam::Client::new(&config),
                ecr: aws_sdk_ecr::Client::new(&config),
                kms: aws_sdk_kms::Client::new(&config),
                codebuild: aws_sdk_codebuild::Client::new(&config),
                codepipeline: aws_sdk_codepipeline::Client::new(&config),
                events: aws_sdk_eventbridge::Client::new(&config),
                s3: aws_sdk_s3::Client::from_conf(s3_config),
                organizations: aws_sdk_organizations::Client::new(&config),
                ec2: aws_sdk_ec2::Client::new(&config),
                ecs: aws_sdk_ecs::Client::new(&config),
                lambda: aws_sdk_lambda::Client::new(&config),
                permits: Semaphore::new(concurrency.max(1)),
                calls: Operation::ALL.iter().map(|_| AtomicU64::new(0)).collect(),
                region: config.region().map(|r| r.to_string()),
                profile: OnceLock::new(),
                account: OnceLock::new(),
            }),
        }
    }

    /// Names the profile the credentials come from (first call wins; clones share it), so
    /// a credentials failure tells the operator which profile to refresh.
    pub fn set_profile(&self, profile: &str) {
        let _ = self.inner.profile.set(profile.to_string());
    }

    /// Records the account these clients read (first call wins; clones share it).
    pub fn set_account(&self, account: &str) {
        let _ = self.inner.account.set(account.to_string());
    }

    /// The profile named with [`Gateway::set_profile`].
    pub fn profile(&self) -> Option<&str> {
        self.inner.profile.get().map(String::as_str)
    }

    /// The region the clients use, if the config has one.
    pub fn region(&self) -> Option<&str> {
        self.inner.region.as_deref()
    }

    /// Calls sent so far (retries of one call count once).
    pub fn calls(&self) -> CallCounts {
        CallCounts(
            Operation::ALL
                .iter()
                .zip(&self.inner.calls)
                .map(|(op, n)| (op.action(), n.load(Ordering::Relaxed)))
                .filter(|(_, n)| *n > 0)
                .collect(),
        )
    }

    /// Sets every counter back to zero.
    pub fn reset_calls(&self) {
        self.inner
            .calls
            .iter()
            .for_each(|n| n.store(0, Ordering::Relaxed));
    }

    async fn call<T, E>(
        &self,
        op: Operation,
        request: impl Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    ) -> Result<T, Unreadable>
    where
        E: ProvideErrorMetadata + StdError + 'static,
    {
        // The semaphore is never closed, so acquire only fails in theory; go ahead unbounded then.
        let _permit = self.inner.permits.acquire().await.ok();
        if let Some(counter) = self.inner.calls.get(op as usize) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        let started = Instant::now();
        let result = request.await.map_err(|e| {
            let reason = errors::unreadable(op.action(), &e);
            if errors::is_credentials_failure(&reason) {
                let hint = errors::credentials_hint(self.profile());
                reason.with_hint(hint)
            } else {
                reason
            }
        });
        // Only chosen fields: never the request, the response, the error or the config,
        // whose Debug output could hold credentials or a session token.
        let outcome = result.as_ref().map_or_else(|u| u.code.as_str(), |_| "ok");
        tracing::info!(
            operation = op.action(),
            account = self.inner.account.get().map_or("?", String::as_str),
            region = self.region().unwrap_or("?"),
            duration_ms = started.elapsed().as_millis() as u64,
            outcome,
            "aws call"
        );
        result
    }

    /// `sts:GetCallerIdentity`.
    pub async fn get_caller_identity(
        &self,
    ) -> Result<aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput, Unreadable>
    {
        self.call(
            Operation::GetCallerIdentity,
            self.inner.sts.get_caller_identity().send(),
        )
        .await
    }

    /// `iam:ListRoles`, one page.
    pub async fn list_roles(
        &self,
        marker: Option<String>,
    ) -> Result<aws_sdk_iam::operation::list_roles::ListRolesOutput, Unreadable> {
        self.call(
            Operation::ListRoles,
            self.inner
                .iam
                .list_roles()
                .max_items(1000)
                .set_marker(marker)
                .send(),
        )
        .await
    }

    /// `iam:GetRole`.
    pub async fn get_role(
        &self,
        name: &str,
    ) -> Result<aws_sdk_iam::operation::get_role::GetRoleOutput, Unreadable> {
        self.call(
            Operation::GetRole,
            self.inner.iam.get_role().role_name(name).send(),
        )
        .await
    }

    /// `iam:ListRolePolicies`, one page.
    pub async fn list_role_policies(
        &self,
        role: &str,
        marker: Option<String>,
    ) -> Result<aws_sdk_iam::operation::list_role_policies::ListRolePoliciesOutput, Unreadable>
    {
        self.call(
            Operation::ListRolePolicies,
            self.inner
                .iam
                .list_role_policies()
                .role_name(role)
                .set_marker(marker)
                .send(),
        )
        .await
    }

    /// `iam:GetRolePolicy`.
    pub async fn get_role_policy(
        &self,
        role: &str,
        policy: &str,
    ) -> Result<aws_sdk_iam::operation::get_role_policy::GetRolePolicyOutput, Unreadable> {
        self.call(
            Operation::GetRolePolicy,
            self.inner
                .iam
                .get_role_policy()
                .role_name(role)
                .policy_name(policy)
                .send(),
        )
        .await
    }

    /// `iam:ListAttachedRolePolicies`, one page.
    pub async fn list_attached_role_policies(
        &self,
        role: &str,
        marker: Option<String>,
    ) -> Result<
        aws_sdk_iam::operation::list_attached_role_policies::ListAttachedRolePoliciesOutput,
        Unreadable,
    > {
        self.call(
            Operation::ListAttachedRolePolicies,
            self.inner
                .iam
                .list_attached_role_policies()
                .role_name(role)
                .set_marker(marker)
                .send(),
        )
        .await
    }

    /// `iam:GetPolicy`.
    pub async fn get_policy(
        &self,
        arn: &str,
    ) -> Result<aws_sdk_iam::operation::get_policy::GetPolicyOutput, Unreadable> {
        self.call(
            Operation::GetPolicy,
            self.inner.iam.get_policy().policy_arn(arn).send(),
        )
        .await
    }

    /// `iam:GetPolicyVersion`.
    pub async fn get_policy_version(
        &self,
        arn: &str,
        version: &str,
    ) -> Result<aws_sdk_iam::operation::get_policy_version::GetPolicyVersionOutput, Unreadable>
    {
        self.call(
            Operation::GetPolicyVersion,
            self.inner
                .iam
                .get_policy_version()
                .policy_arn(arn)
                .version_id(version)
                .send(),
        )
        .await
    }

    /// `ecr:DescribeRepositories`, one page; `names` limits it to those repositories.
    pub async fn describe_repositories(
        &self,
        names: Option<Vec<String>>,
        token: Option<String>,
    ) -> Result<aws_sdk_ecr::operation::describe_repositories::DescribeRepositoriesOutput, Unreadable>
    {
        let max = if names.is_some() { None } else { Some(1000) };
        self.call(
            Operation::DescribeRepositories,
            self.inner
                .ecr
                .describe_repositories()
                .set_repository_names(names)
                .set_max_results(max)
                .set_next_token(token)
                .send(),
        )
        .await
    }

    /// `ecr:GetRepositoryPolicy`.
    pub async fn get_repository_policy(
        &self,
        name: &str,
    ) -> Result<aws_sdk_ecr::operation::get_repository_policy::GetRepositoryPolicyOutput, Unreadable>
    {
        self.call(
            Operation::GetRepositoryPolicy,
            self.inner
                .ecr
                .get_repository_policy()
                .repository_name(name)
                .send(),
        )
        .await
    }

    /// `ecr:GetRegistryPolicy`.
    pub async fn get_registry_policy(
        &self,
    ) -> Result<aws_sdk_ecr::operation::get_registry_policy::GetRegistryPolicyOutput, Unreadable>
    {
        self.call(
            Operation::GetRegistryPolicy,
            self.inner.ecr.get_registry_policy().send(),
        )
        .await
    }

    /// `ecr:DescribeRegistry` (replication configuration).
    pub async fn describe_registry(
        &self,
    ) -> Result<aws_sdk_ecr::operation::describe_registry::DescribeRegistryOutput, Unreadable> {
        self.call(
            Operation::DescribeRegistry,
            self.inner.ecr.describe_registry().send(),
        )
        .await
    }

    /// `ecr:DescribePullThroughCacheRules`, one page.
    pub async fn describe_pull_through_cache_rules(
        &self,
        token: Option<String>,
    ) -> Result<
        aws_sdk_ecr::operation::describe_pull_through_cache_rules::DescribePullThroughCacheRulesOutput,
        Unreadable,
    >{
        self.call(
            Operation::DescribePullThroughCacheRules,
            self.inner
                .ecr
                .describe_pull_through_cache_rules()
                .max_results(1000)
                .set_next_token(token)
                .send(),
        )
        .await
    }

    /// `ecr:DescribeRepositoryCreationTemplates`, one page.
    pub async fn describe_repository_creation_templates(
        &self,
        token: Option<String>,
    ) -> Result<
        aws_sdk_ecr::operation::describe_repository_creation_templates::DescribeRepositoryCreationTemplatesOutput,
        Unreadable,
    >{
        self.call(
            Operation::DescribeRepositoryCreationTemplates,
            self.inner
                .ecr
                .describe_repository_creation_templates()
                .max_results(1000)
                .set_next_token(token)
                .send(),
        )
        .await
    }

    /// `ecr:DescribeImages`, one page.
    pub async fn describe_images(
        &self,
        repository: &str,
        token: Option<String>,
    ) -> Result<aws_sdk_ecr::operation::describe_images::DescribeImagesOutput, Unreadable> {
        self.call(
            Operation::DescribeImages,
            self.inner
                .ecr
                .describe_images()
                .repository_name(repository)
                .max_results(1000)
                .set_next_token(token)
                .send(),
        )
        .await
    }

    /// `kms:ListKeys`, one page.
    pub async fn list_keys(
        &self,
        marker: Option<String>,
    ) -> Result<aws_sdk_kms::operation::list_keys::ListKeysOutput, Unreadable> {
        self.call(
            Operation::ListKeys,
            self.inner
                .kms
                .list_keys()
                .limit(1000)
                .set_marker(marker)
                .send(),
        )
        .await
    }

    /// `kms:DescribeKey` (a key id, key ARN, alias name or alias ARN).
    pub async fn describe_key(
        &self,
        key: &str,
    ) -> Result<aws_sdk_kms::operation::describe_key::DescribeKeyOutput, Unreadable> {
        self.call(
            Operation::DescribeKey,
            self.inner.kms.describe_key().key_id(key).send(),
        )
        .await
    }

    /// `kms:ListAliases`, one page; `key` limits it to one key's aliases.
    pub async fn list_aliases(
        &self,
        key: Option<String>,
        marker: Option<String>,
    ) -> Result<aws_sdk_kms::operation::list_aliases::ListAliasesOutput, Unreadable> {
        self.call(
            Operation::ListAliases,
            self.inner
                .kms
                .list_aliases()
                .set_key_id(key)
                .limit(100)
                .set_marker(marker)
                .send(),
        )
        .await
    }

    /// `kms:GetKeyPolicy` for the `default` policy (the only one KMS has; moto requires the name).
    pub async fn get_key_policy(
        &self,
        key: &str,
    ) -> Result<aws_sdk_kms::operation::get_key_policy::GetKeyPolicyOutput, Unreadable> {
        self.call(
            Operation::GetKeyPolicy,
            self.inner
                .kms
                .get_key_policy()
                .key_id(key)
                .policy_name("default")
                .send(),
        )
        .await
    }

    /// `codebuild:ListProjects`, one page.
    pub async fn list_projects(
        &self,
        token: Option<String>,
    ) -> Result<aws_sdk_codebuild::operation::list_projects::ListProjectsOutput, Unreadable> {
        self.call(
            Operation::ListProjects,
            self.inner
                .codebuild
                .list_projects()
                .set_next_token(token)
                .send(),
        )
        .await
    }

    /// `codebuild:BatchGetProjects` for up to 100 names or ARNs.
    pub async fn batch_get_projects(
        &self,
        names: Vec<String>,
    ) -> Result<aws_sdk_codebuild::operation::batch_get_projects::BatchGetProjectsOutput, Unreadable>
    {
        self.call(
            Operation::BatchGetProjects,
            self.inner
                .codebuild
                .batch_get_projects()
                .set_names(Some(names))
                .send(),
        )
        .await
    }

    /// `codepipeline:ListPipelines`, one page.
    pub async fn list_pipelines(
        &self,
        token: Option<String>,
    ) -> Result<aws_sdk_codepipeline::operation::list_pipelines::ListPipelinesOutput, Unreadable>
    {
        self.call(
            Operation::ListPipelines,
            self.inner
                .codepipeline
                .list_pipelines()
                .set_next_token(token)
                .send(),
        )
        .await
    }

    /// `codepipeline:GetPipeline`.
    pub async fn get_pipeline(
        &self,
        name: &str,
    ) -> Result<aws_sdk_codepipeline::operation::get_pipeline::GetPipelineOutput, Unreadable> {
        self.call(
            Operation::GetPipeline,
            self.inner.codepipeline.get_pipeline().name(name).send(),
        )
        .await
    }

    /// `events:ListRules` on the default bus, one page.
    pub async fn list_rules(
        &self,
        token: Option<String>,
    ) -> Result<aws_sdk_eventbridge::operation::list_rules::ListRulesOutput, Unreadable> {
        self.call(
            Operation::ListRules,
            self.inner
                .events
                .list_rules()
                .limit(100)
                .set_next_token(token)
                .send(),
        )
        .await
    }

    /// `events:DescribeRule` on the default bus.
    pub async fn describe_rule(
        &self,
        name: &str,
    ) -> Result<aws_sdk_eventbridge::operation::describe_rule::DescribeRuleOutput, Unreadable> {
        self.call(
            Operation::DescribeRule,
            self.inner.events.describe_rule().name(name).send(),
        )
        .await
    }

    /// `events:ListTargetsByRule`, one page.
    pub async fn list_targets_by_rule(
        &self,
        rule: &str,
        bus: &str,
        token: Option<String>,
    ) -> Result<
        aws_sdk_eventbridge::operation::list_targets_by_rule::ListTargetsByRuleOutput,
        Unreadable,
    > {
        self.call(
            Operation::ListTargetsByRule,
            self.inner
                .events
                .list_targets_by_rule()
                .rule(rule)
                .event_bus_name(bus)
                .set_next_token(token)
                .send(),
        )
        .await
    }

    /// `events:ListRuleNamesByTarget` on the default bus, one page.
    pub async fn list_rule_names_by_target(
        &self,
        target_arn: &str,
        token: Option<String>,
    ) -> Result<
        aws_sdk_eventbridge::operation::list_rule_names_by_target::ListRuleNamesByTargetOutput,
        Unreadable,
    > {
        self.call(
            Operation::ListRuleNamesByTarget,
            self.inner
                .events
                .list_rule_names_by_target()
                .target_arn(target_arn)
                .set_next_token(token)
                .send(),
        )
        .await
    }

    /// `s3:GetBucketPolicy`.
    pub async fn get_bucket_policy(
        &self,
        bucket: &str,
    ) -> Result<aws_sdk_s3::operation::get_bucket_policy::GetBucketPolicyOutput, Unreadable> {
        self.call(
            Operation::GetBucketPolicy,
            self.inner.s3.get_bucket_policy().bucket(bucket).send(),
        )
        .await
    }

    /// `ec2:DescribeVpcEndpoints`, one page: the endpoints of a VPC (`vpc`) or the ones
    /// named (`ids`).
    pub async fn describe_vpc_endpoints(
        &self,
        vpc: Option<&str>,
        ids: &[String],
        token: Option<String>,
    ) -> Result<
        aws_sdk_ec2::operation::describe_vpc_endpoints::DescribeVpcEndpointsOutput,
        Unreadable,
    > {
        let filter = vpc.map(|vpc| {
            aws_sdk_ec2::types::Filter::builder()
                .name("vpc-id")
                .values(vpc)
                .build()
        });
        self.call(
            Operation::DescribeVpcEndpoints,
            self.inner
                .ec2
                .describe_vpc_endpoints()
                .set_filters(filter.map(|f| vec![f]))
                .set_vpc_endpoint_ids((!ids.is_empty()).then(|| ids.to_vec()))
                .set_next_token(token)
                .send(),
        )
        .await
    }

    /// `ec2:DescribeRouteTables` of one VPC, one page.
    pub async fn describe_route_tables(
        &self,
        vpc: &str,
        token: Option<String>,
    ) -> Result<aws_sdk_ec2::operation::describe_route_tables::DescribeRouteTablesOutput, Unreadable>
    {
        let filter = aws_sdk_ec2::types::Filter::builder()
            .name("vpc-id")
            .values(vpc)
            .build();
        self.call(
            Operation::DescribeRouteTables,
            self.inner
                .ec2
                .describe_route_tables()
                .filters(filter)
                .set_next_token(token)
                .send(),
        )
        .await
    }

    /// `kms:ListGrants` of one key, one page.
    pub async fn list_grants(
        &self,
        key: &str,
        marker: Option<String>,
    ) -> Result<aws_sdk_kms::operation::list_grants::ListGrantsOutput, Unreadable> {
        self.call(
            Operation::ListGrants,
            self.inner
                .kms
                .list_grants()
                .key_id(key)
                .limit(100)
                .set_marker(marker)
                .send(),
        )
        .await
    }
}

/// Organisations reads: membership through any account's profile, the policy chain through
/// the management (or delegated-administrator) account's.
impl Gateway {
    /// `organizations:DescribeOrganization`.
    pub async fn describe_organization(
        &self,
    ) -> Result<
        aws_sdk_organizations::operation::describe_organization::DescribeOrganizationOutput,
        Unreadable,
    > {
        self.call(
            Operation::DescribeOrganization,
            self.inner.organizations.describe_organization().send(),
        )
        .await
    }

    /// `organizations:ListParents`, one page.
    pub async fn list_parents(
        &self,
        child: &str,
        token: Option<String>,
    ) -> Result<aws_sdk_organizations::operation::list_parents::ListParentsOutput, Unreadable> {
        self.call(
            Operation::ListParents,
            self.inner
                .organizations
                .list_parents()
                .child_id(child)
                .set_next_token(token)
                .send(),
        )
        .await
    }

    /// `organizations:ListPoliciesForTarget`, one page.
    pub async fn list_policies_for_target(
        &self,
        target: &str,
        filter: aws_sdk_organizations::types::PolicyType,
        token: Option<String>,
    ) -> Result<
        aws_sdk_organizations::operation::list_policies_for_target::ListPoliciesForTargetOutput,
        Unreadable,
    > {
        self.call(
            Operation::ListPoliciesForTarget,
            self.inner
                .organizations
                .list_policies_for_target()
                .target_id(target)
                .filter(filter)
                .set_next_token(token)
                .send(),
        )
        .await
    }

    /// `organizations:DescribePolicy`.
    pub async fn describe_policy(
        &self,
        policy_id: &str,
    ) -> Result<aws_sdk_organizations::operation::describe_policy::DescribePolicyOutput, Unreadable>
    {
        self.call(
            Operation::DescribePolicy,
            self.inner
                .organizations
                .describe_policy()
                .policy_id(policy_id)
                .send(),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::allowlist;

    #[test]
    fn every_gateway_operation_is_allowlisted() {
        for op in Operation::ALL {
            assert!(
                allowlist::READ_OPERATIONS
                    .iter()
                    .any(|a| a.action == op.action()),
                "{} is not on the allowlist",
                op.action()
            );
        }
    }

    #[test]
    fn counts_display_per_action() {
        let mut counts = CallCounts::default();
        counts.0.insert("iam:GetRole", 2);
        counts.0.insert("ecr:GetRepositoryPolicy", 1);
        assert_eq!(counts.total(), 3);
        assert_eq!(
            counts.to_string(),
            "3 calls, ecr:GetRepositoryPolicy×1, iam:GetRole×2"
        );
    }
}
