//! The organisation's doors to AWS, read-only: Organizations listings for discovery
//! ([`OrgClient`]) and the organisation trail's objects in S3 ([`TrailBucket`]).
//!
//! Like [`super::Gateway`], one method per allowlisted read, calls counted per operation,
//! failures classified into [`Unreadable`] with a hint; both retry in the SDK's adaptive
//! mode, which slows the whole client down when AWS throttles (Organizations allows a few
//! requests per second per organisation; S3 a few thousand per prefix).

use std::collections::BTreeMap;
use std::error::Error as StdError;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::SdkConfig;
use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};

use super::errors;
use super::gateway::{CallCounts, MAX_ATTEMPTS};
use crate::inventory::Unreadable;

/// `config` with adaptive retries (a client-side rate limiter that backs off on
/// throttling) and the gateway's timeouts.
pub fn adaptive(config: &SdkConfig) -> SdkConfig {
    config
        .to_builder()
        .retry_config(RetryConfig::adaptive().with_max_attempts(MAX_ATTEMPTS))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(Duration::from_secs(30))
                .operation_timeout(Duration::from_secs(90))
                .build(),
        )
        .build()
}

/// Calls made, per IAM action; shared by clones.
#[derive(Debug, Clone, Default)]
struct Counter(Arc<Mutex<BTreeMap<&'static str, u64>>>);

impl Counter {
    async fn call<T, E>(
        &self,
        action: &'static str,
        request: impl Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    ) -> Result<T, Unreadable>
    where
        E: ProvideErrorMetadata + StdError + 'static,
    {
        if let Ok(mut calls) = self.0.lock() {
            *calls.entry(action).or_default() += 1;
        }
        request.await.map_err(|e| errors::unreadable(action, &e))
    }

    fn counts(&self) -> CallCounts {
        CallCounts(self.0.lock().map(|c| c.clone()).unwrap_or_default())
    }
}

/// Organizations, read-only, from the management account or a delegated administrator.
#[derive(Clone)]
pub struct OrgClient {
    client: aws_sdk_organizations::Client,
    counter: Counter,
}

impl std::fmt::Debug for OrgClient {
    // Not derived: the client's config holds the credentials provider.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrgClient").finish_non_exhaustive()
    }
}

type Orgs<T> = Result<T, Unreadable>;
use aws_sdk_organizations::operation as org_op;

impl OrgClient {
    /// A client signing with `config`'s credentials.
    pub fn open(config: &SdkConfig) -> Self {
        Self {
            client: aws_sdk_organizations::Client::new(&adaptive(config)),
            counter: Counter::default(),
        }
    }

    /// Calls sent so far.
    pub fn calls(&self) -> CallCounts {
        self.counter.counts()
    }

    /// `organizations:DescribeOrganization`.
    pub async fn describe_organization(
        &self,
    ) -> Orgs<org_op::describe_organization::DescribeOrganizationOutput> {
        let request = self.client.describe_organization().send();
        self.counter
            .call("organizations:DescribeOrganization", request)
            .await
    }

    /// `organizations:ListAccounts`, one page.
    pub async fn list_accounts(
        &self,
        token: Option<String>,
    ) -> Orgs<org_op::list_accounts::ListAccountsOutput> {
        let request = self.client.list_accounts().set_next_token(token).send();
        self.counter
            .call("organizations:ListAccounts", request)
            .await
    }

    /// `organizations:ListRoots`, one page.
    pub async fn list_roots(
        &self,
        token: Option<String>,
    ) -> Orgs<org_op::list_roots::ListRootsOutput> {
        let request = self.client.list_roots().set_next_token(token).send();
        self.counter.call("organizations:ListRoots", request).await
    }

    /// `organizations:ListOrganizationalUnitsForParent`, one page.
    pub async fn list_organizational_units_for_parent(
        &self,
        parent: &str,
        token: Option<String>,
    ) -> Orgs<org_op::list_organizational_units_for_parent::ListOrganizationalUnitsForParentOutput>
    {
        let request = self
            .client
            .list_organizational_units_for_parent()
            .parent_id(parent)
            .set_next_token(token)
            .send();
        self.counter
            .call("organizations:ListOrganizationalUnitsForParent", request)
            .await
    }

    /// `organizations:ListAccountsForParent`, one page.
    pub async fn list_accounts_for_parent(
        &self,
        parent: &str,
        token: Option<String>,
    ) -> Orgs<org_op::list_accounts_for_parent::ListAccountsForParentOutput> {
        let request = self
            .client
            .list_accounts_for_parent()
            .parent_id(parent)
            .set_next_token(token)
            .send();
        self.counter
            .call("organizations:ListAccountsForParent", request)
            .await
    }
}

/// The organisation trail's bucket, read-only: object listings and object bodies.
#[derive(Clone)]
pub struct TrailBucket {
    client: aws_sdk_s3::Client,
    bucket: String,
    counter: Counter,
}

impl std::fmt::Debug for TrailBucket {
    // Not derived: the client's config holds the credentials provider.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrailBucket")
            .field("bucket", &self.bucket)
            .finish_non_exhaustive()
    }
}

/// One page of a listing: keys with their sizes, and the token of the next page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectPage {
    /// `(key, size in bytes)`.
    pub objects: Vec<(String, u64)>,
    /// Common prefixes (with a delimiter): the "folders" one level down.
    pub prefixes: Vec<String>,
    /// Set when there are more.
    pub next: Option<String>,
}

impl TrailBucket {
    /// A reader of `bucket` signing with `config`'s credentials.
    pub fn new(config: &SdkConfig, bucket: &str) -> Self {
        let config = adaptive(config);
        // A custom endpoint (moto, LocalStack, a proxy) cannot serve virtual-hosted names.
        let s3_config = aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(config.endpoint_url().is_some())
            .build();
        Self {
            client: aws_sdk_s3::Client::from_conf(s3_config),
            bucket: bucket.to_string(),
            counter: Counter::default(),
        }
    }

    /// The bucket's name.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// Calls sent so far.
    pub fn calls(&self) -> CallCounts {
        self.counter.counts()
    }

    /// `s3:ListBucket` (ListObjectsV2), one page under `prefix`, split at `delimiter`.
    pub async fn list(
        &self,
        prefix: &str,
        delimiter: Option<&str>,
        token: Option<String>,
    ) -> Result<ObjectPage, Unreadable> {
        let request = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .set_delimiter(delimiter.map(str::to_string))
            .set_continuation_token(token)
            .send();
        let out = self.counter.call("s3:ListObjectsV2", request).await?;
        Ok(ObjectPage {
            objects: out
                .contents()
                .iter()
                .filter_map(|o| Some((o.key()?.to_string(), o.size().unwrap_or(0).max(0) as u64)))
                .collect(),
            prefixes: out
                .common_prefixes()
                .iter()
                .filter_map(|p| p.prefix().map(str::to_string))
                .collect(),
            next: out
                .next_continuation_token()
                .filter(|_| out.is_truncated().unwrap_or(false))
                .map(str::to_string),
        })
    }

    /// `s3:GetObject`: the object's bytes (as stored; CloudTrail gzips its log files).
    pub async fn get(&self, key: &str) -> Result<Vec<u8>, Unreadable> {
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send();
        let out = self.counter.call("s3:GetObject", request).await?;
        let body = out.body.collect().await.map_err(|e| {
            Unreadable::new("s3:GetObject", "NetworkError", e.to_string()).with_hint(format!(
                "the body of s3://{}/{key} broke off; try again",
                self.bucket
            ))
        })?;
        Ok(body.into_bytes().to_vec())
    }
}
