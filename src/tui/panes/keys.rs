//! The Keys tab: KMS keys, and a key's manager, state, aliases and key policy.

use crate::inventory::{Account, Bucket, Key};
use crate::tui::source::ItemRef;
use crate::tui::widgets::list::Row;

use super::section::{describe, Anchor, Section};

/// One row per key: first alias (or id) and manager.
pub fn rows(account: &Account) -> Vec<Row> {
    account
        .keys
        .iter()
        .map(|key| Row {
            item: ItemRef::Key(key.arn.clone()),
            tag: "",
            name: key
                .aliases
                .loaded()
                .and_then(|a| a.first().cloned())
                .unwrap_or_else(|| key.key_id.clone()),
            extra: describe(&key.manager, |m| format!("{m:?}").to_lowercase()),
        })
        .collect()
}

/// Whether a live loader still has to fetch the key's policy or state.
pub fn needs_detail(key: &Key) -> bool {
    key.policy.is_not_loaded() || key.state.is_not_loaded()
}

/// The key's sections: settings and key policy.
pub fn sections(key: &Key) -> Vec<Section> {
    vec![
        Section::fields(
            "Key",
            vec![
                ("ARN", key.arn.clone()),
                ("Aliases", describe(&key.aliases, |a| a.join(", "))),
                ("Manager", describe(&key.manager, |m| format!("{m:?}"))),
                ("State", describe(&key.state, |s| format!("{s:?}"))),
                ("Description", key.description.clone().unwrap_or_default()),
            ],
        ),
        Section::json("Key policy", Some(Anchor::KeyPolicy), key.policy.as_ref()),
    ]
}

/// A bucket's sections (buckets have no tab; evidence can point at their policy).
pub fn bucket_sections(bucket: &Bucket) -> Vec<Section> {
    vec![
        Section::fields(
            "Bucket",
            vec![
                ("ARN", bucket.arn.clone()),
                (
                    "Encryption",
                    describe(&bucket.encryption, |e| {
                        format!(
                            "{} {}",
                            e.sse_algorithm,
                            e.kms_key_id.as_deref().unwrap_or("(aws/s3)")
                        )
                    }),
                ),
            ],
        ),
        Section::json(
            "Bucket policy",
            Some(Anchor::BucketPolicy),
            bucket.policy.as_ref(),
        ),
    ]
}
