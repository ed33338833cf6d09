//! Filling an [`Account`] from AWS, read-only: cheap listings first, details on demand.
//!
//! Every `ensure_*` method is a no-op when the detail is already loaded, so the inventory
//! itself is the per-run cache. Each service lives in its own file; they share the policy
//! decoding and the bounded concurrent join below.

mod codebuild;
mod ec2;
mod ecr;
mod ecs;
mod events;
mod iam;
mod iam_users;
mod kms;
mod lambda;
mod pages;
mod pipeline;
mod s3;

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use serde_json::Value;

use super::gateway::Gateway;
use crate::inventory::{Account, Field, Identity, KeyKind, Listing, Unreadable};

/// Reads one account through one [`Gateway`].
#[derive(Debug, Clone)]
pub struct Loader {
    gateway: Gateway,
}

impl Loader {
    /// A loader over this gateway.
    pub fn new(gateway: Gateway) -> Self {
        Self { gateway }
    }

    /// The gateway (for call counts).
    pub fn gateway(&self) -> &Gateway {
        &self.gateway
    }

    /// An empty account for `identity`.
    pub fn account(&self, identity: Identity) -> Account {
        Account::new(identity)
    }

    /// Lists every resource kind by name (roles, users, repositories, keys with aliases, projects,
    /// pipelines, rules); details stay `NotLoaded`. A few calls per kind, one per page.
    pub async fn load_listing(&self, account: &mut Account) {
        iam::list_roles(&self.gateway, account).await;
        iam_users::list_users(&self.gateway, account).await;
        ecr::list_repositories(&self.gateway, account).await;
        kms::list_keys(&self.gateway, account).await;
        codebuild::list_projects(&self.gateway, account).await;
        pipeline::list_pipelines(&self.gateway, account).await;
        events::list_rules(&self.gateway, account).await;
    }

    /// Loads everything (for snapshots): the listing plus every detail of every resource,
    /// the registry's policy and replication rules, the policies of the buckets the
    /// pipelines use as artifact stores, whether the account is in an organisation, and
    /// its ECS services and Lambda functions (within their search budgets).
    pub async fn load_all(&self, account: &mut Account) {
        self.load_listing(account).await;
        iam::load_all_roles(&self.gateway, account).await;
        iam_users::load_all_users(&self.gateway, account).await;
        ecr::load_all_repositories(&self.gateway, account).await;
        ecr::ensure_registry_policy(&self.gateway, account).await;
        ecr::ensure_replication(&self.gateway, &mut account.replication).await;
        ecr::ensure_pull_through_rules(&self.gateway, &mut account.pull_through_rules).await;
        ecr::ensure_creation_templates(&self.gateway, &mut account.creation_templates).await;
        kms::load_all_keys(&self.gateway, account).await;
        codebuild::load_all_projects(&self.gateway, account).await;
        pipeline::load_all_pipelines(&self.gateway, account).await;
        events::load_all_targets(&self.gateway, account).await;
        let buckets: Vec<String> = account
            .pipelines
            .iter()
            .filter_map(|p| p.artifact_store.loaded().map(|s| s.location.clone()))
            .collect();
        for bucket in buckets {
            s3::ensure_bucket(&self.gateway, account, &bucket).await;
        }
        // Where roles run (ECS services, Lambda functions), within their call budgets:
        // a snapshot then places a service's or function's role in its VPC offline too.
        ecs::find_services(&self.gateway, account).await;
        lambda::find_functions(&self.gateway, account).await;
        // Whether the account is in an organisation: snapshots answer the guardrail
        // checks like the live account (n/a outside one, unknown inside one).
        super::guardrails::ensure_membership(&self.gateway, account).await;
    }

    /// A role with its trust policy, inline and attached policies (documents of managed
    /// policies stored once per account), boundary, session duration and tags. Takes a
    /// name, role ARN or session ARN; a role that does not exist is proven absent.
    pub async fn ensure_role(&self, account: &mut Account, name_or_arn: &str) {
        iam::ensure_role(&self.gateway, account, name_or_arn).await;
    }

    /// An IAM user (by name or user ARN) with its inline and attached policies, boundary,
    /// tags and groups (with the groups' policies); a user that does not exist is proven
    /// absent.
    pub async fn ensure_user(&self, account: &mut Account, name_or_arn: &str) {
        iam_users::ensure_user(&self.gateway, account, name_or_arn).await;
    }

    /// A repository (by name, ARN or URI) with its policy, and its images when `images`.
    pub async fn ensure_repository(&self, account: &mut Account, reference: &str, images: bool) {
        ecr::ensure_repository(&self.gateway, account, reference, images).await;
    }

    /// The ECR registry policy.
    pub async fn ensure_registry_policy(&self, account: &mut Account) {
        ecr::ensure_registry_policy(&self.gateway, account).await;
    }

    /// The ECR registry's replication rules and registry policy.
    pub async fn ensure_registry(&self, account: &mut Account) {
        tokio::join!(
            ecr::ensure_replication(&self.gateway, &mut account.replication),
            ecr::ensure_registry_policy_field(&self.gateway, &mut account.registry_policy),
        );
    }

    /// The ECR registry's pull-through cache rules and registry policy.
    pub async fn ensure_pull_through(&self, account: &mut Account) {
        tokio::join!(
            ecr::ensure_pull_through_rules(&self.gateway, &mut account.pull_through_rules),
            ecr::ensure_registry_policy_field(&self.gateway, &mut account.registry_policy),
        );
    }

    /// The ECR registry's repository creation templates.
    pub async fn ensure_creation_templates(&self, account: &mut Account) {
        ecr::ensure_creation_templates(&self.gateway, &mut account.creation_templates).await;
    }

    /// A KMS key (by key id, key ARN, alias name or alias ARN) with manager, state,
    /// deletion date, aliases and key policy.
    pub async fn ensure_key(&self, account: &mut Account, reference: &str) {
        kms::ensure_key(&self.gateway, account, reference).await;
    }

    /// A KMS key (as [`Loader::ensure_key`]) and its grants.
    pub async fn ensure_key_grants(&self, account: &mut Account, reference: &str) {
        kms::ensure_grants(&self.gateway, account, reference).await;
    }

    /// A CodeBuild project (by name or ARN) with service role and environment.
    pub async fn ensure_project(&self, account: &mut Account, name_or_arn: &str) {
        codebuild::ensure_project(&self.gateway, account, name_or_arn).await;
    }

    /// A pipeline (by name or ARN) with stages, action roles and artifact store.
    pub async fn ensure_pipeline(&self, account: &mut Account, name_or_arn: &str) {
        pipeline::ensure_pipeline(&self.gateway, account, name_or_arn).await;
    }

    /// Every EventBridge rule (default bus) that targets `target_arn`, with pattern,
    /// state and targets.
    pub async fn ensure_rules_targeting(&self, account: &mut Account, target_arn: &str) {
        events::ensure_rules_targeting(&self.gateway, account, target_arn).await;
    }

    /// One EventBridge rule of the default bus, by name, with pattern, state and targets.
    pub async fn ensure_rule(&self, account: &mut Account, name: &str) {
        events::ensure_rule(&self.gateway, account, name).await;
    }

    /// A VPC's endpoints (with policies) and route tables.
    pub async fn ensure_vpc(&self, account: &mut Account, vpc_id: &str) {
        ec2::ensure_vpc(&self.gateway, account, vpc_id).await;
    }

    /// One VPC endpoint by id, with its policy.
    pub async fn ensure_vpc_endpoint(&self, account: &mut Account, id: &str) {
        ec2::ensure_vpc_endpoint(&self.gateway, account, id).await;
    }

    /// One ECS service (ARN or `CLUSTER/NAME`) with its task definition's roles and its
    /// awsvpc subnets' VPC.
    pub async fn ensure_ecs_service(&self, account: &mut Account, reference: &str) {
        ecs::ensure_service(&self.gateway, account, reference).await;
    }

    /// The account's ECS services within a call budget (`ecs::SEARCH_BUDGET`), to find
    /// the service a role runs in.
    pub async fn find_ecs_services(&self, account: &mut Account) {
        ecs::find_services(&self.gateway, account).await;
    }

    /// One Lambda function (name or ARN) with its execution role and `VpcConfig`.
    pub async fn ensure_function(&self, account: &mut Account, reference: &str) {
        lambda::ensure_function(&self.gateway, account, reference).await;
    }

    /// The account's Lambda functions, at most `lambda::SEARCH_PAGES` pages.
    pub async fn find_functions(&self, account: &mut Account) {
        lambda::find_functions(&self.gateway, account).await;
    }

    /// An S3 bucket's policy.
    pub async fn ensure_bucket(&self, account: &mut Account, name: &str) {
        s3::ensure_bucket(&self.gateway, account, name).await;
    }
}

/// Decodes a policy document: IAM percent-encodes them (GetRole, GetRolePolicy), other
/// services and some emulators do not, so decode only text that starts with `%`.
pub(crate) fn decode_policy(action: &str, text: &str) -> Field<Value> {
    let decoded = if text.starts_with('%') {
        match percent_encoding::percent_decode_str(text).decode_utf8() {
            Ok(decoded) => decoded.into_owned(),
            Err(e) => return Field::Unreadable(malformed(action, &e.to_string())),
        }
    } else {
        text.to_string()
    };
    // A document naming a key twice is not evaluated as last-wins: it is unreadable, so
    // the checks that need it say unknown.
    if let Some(duplicate) = crate::policy::strict_json::find_duplicate_key(&decoded) {
        return Field::Unreadable(
            Unreadable::new(action, "MalformedPolicyDocument", duplicate.to_string()).with_hint(
                "the document names a key twice, which AWS does not evaluate as written; \
                 rewrite it with each key once",
            ),
        );
    }
    match serde_json::from_str(&decoded) {
        Ok(value) => Field::Loaded(value),
        Err(e) => Field::Unreadable(malformed(action, &e.to_string())),
    }
}

fn malformed(action: &str, message: &str) -> Unreadable {
    Unreadable::new(action, "MalformedPolicyDocument", message)
        .with_hint("the document AWS returned is not JSON; view it with the AWS console or CLI")
}

/// A policy field from an optional document (`None` → `Absent`).
pub(crate) fn policy_field(action: &str, text: Option<&str>) -> Field<Value> {
    match text {
        Some(text) => decode_policy(action, text),
        None => Field::Absent,
    }
}

/// Whether the failure means "there is no such thing" (one of `codes`).
pub(crate) fn is_code(reason: &Unreadable, codes: &[&str]) -> bool {
    codes.contains(&reason.code.as_str())
}

/// Merges a complete listing into a collection: listed items are added unless already
/// known (a loaded item keeps its details), and the listing's outcome becomes its state.
pub(crate) fn merge_listed<T: crate::inventory::Keyed>(
    collection: &mut crate::inventory::Collection<T>,
    found: Vec<T>,
    outcome: Result<(), Unreadable>,
) {
    for item in found {
        if collection.get(KeyKind::Arn, item.id()).is_none() {
            collection.upsert(item);
        }
    }
    match outcome {
        Ok(()) => collection.set_listing(Listing::Complete),
        Err(reason) => {
            if let Some(listing) = listing_failed(collection.listing(), reason) {
                collection.set_listing(listing);
            }
        }
    }
}

/// Records a failed listing unless the listing already completed.
pub(crate) fn listing_failed(listing: &Listing, reason: Unreadable) -> Option<Listing> {
    match listing {
        Listing::Complete => None,
        _ => Some(Listing::Unreadable(reason)),
    }
}

/// Runs futures concurrently on the current task and returns their outputs in order.
/// The gateway's semaphore bounds how many calls are actually in flight.
pub(crate) async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut pending: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut waiting = false;
        for (future, output) in pending.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => waiting = true,
                }
            }
        }
        if waiting {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_document_naming_a_key_twice_is_unreadable_not_last_wins() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Effect":"Allow"}]}"#;
        let Field::Unreadable(reason) = decode_policy("ecr:GetRepositoryPolicy", text) else {
            panic!("read as a document");
        };
        assert_eq!(reason.code, "MalformedPolicyDocument");
        assert!(
            reason
                .message
                .contains("Statement[0]: duplicate key `Effect`"),
            "{}",
            reason.message
        );
    }

    #[test]
    fn decodes_only_percent_encoded_text() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert_eq!(
            decode_policy("iam:GetRole", encoded),
            Field::Loaded(json!({"Version": "2012-10-17", "Statement": []}))
        );
        // A plain document with a literal `%` inside must not be decoded.
        let plain = r#"{"Statement":[{"Condition":{"StringLike":{"k":"a%2Fb"}}}]}"#;
        assert_eq!(
            decode_policy("iam:GetPolicyVersion", plain),
            Field::Loaded(json!({"Statement":[{"Condition":{"StringLike":{"k":"a%2Fb"}}}]}))
        );
        let bad = decode_policy("ecr:GetRepositoryPolicy", "not json");
        assert_eq!(
            bad.unreadable().map(|u| u.code.as_str()),
            Some("MalformedPolicyDocument")
        );
        assert_eq!(policy_field("x", None), Field::Absent);
    }

    #[tokio::test]
    async fn join_all_keeps_order() {
        let futures: Vec<_> = (0..5u64)
            .map(|n| async move {
                tokio::time::sleep(std::time::Duration::from_millis(10 * (5 - n))).await;
                n
            })
            .collect();
        assert_eq!(join_all(futures).await, vec![0, 1, 2, 3, 4]);
    }
}
