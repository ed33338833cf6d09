//! S3: the policies of artifact buckets (`GetBucketPolicy`), never a listing of buckets.

use super::{decode_policy, is_code};
use crate::aws::gateway::Gateway;
use crate::inventory::{Account, Bucket, Field, KeyKind};

const NO_POLICY: &[&str] = &["NoSuchBucketPolicy"];

/// One bucket's policy, unless loaded. A bucket that does not exist, or lives in another
/// account, is recorded with the failure as its policy.
pub(super) async fn ensure_bucket(gw: &Gateway, account: &mut Account, name: &str) {
    let name = name.strip_prefix("arn:aws:s3:::").unwrap_or(name);
    if let Some(bucket) = account.buckets.get(KeyKind::Name, name) {
        if !bucket.policy.is_not_loaded() {
            return;
        }
    }
    let policy = match gw.get_bucket_policy(name).await {
        Ok(out) => match out.policy() {
            Some(text) => decode_policy("s3:GetBucketPolicy", text),
            None => Field::Absent,
        },
        Err(reason) if is_code(&reason, NO_POLICY) => Field::Absent,
        Err(reason) => Field::Unreadable(reason),
    };
    let mut bucket = account
        .buckets
        .get(KeyKind::Name, name)
        .cloned()
        .unwrap_or_else(|| Bucket {
            arn: format!("arn:{}:s3:::{name}", account.identity.partition),
            name: name.to_string(),
            policy: Field::NotLoaded,
            encryption: Field::NotLoaded,
            tags: Field::NotLoaded,
        });
    bucket.policy = policy;
    account.buckets.upsert(bucket);
}
