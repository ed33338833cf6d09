//! KMS keys: aliases, who manages them, their state and key policy.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::collection::{IndexKey, KeyKind, Keyed};
use super::field::Field;
use super::iam::Tags;
use super::wire::wire_enum;

/// A KMS key as `kms:ListKeys`, `kms:ListAliases`, `kms:DescribeKey` and `kms:GetKeyPolicy` describe it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Key {
    /// The key ARN, `arn:aws:kms:REGION:A:key/ID`.
    pub arn: String,
    /// The key id (a UUID, or `mrk-…` for multi-Region keys).
    pub key_id: String,
    /// Alias names pointing at the key, e.g. `alias/aws/s3`, `alias/codepipeline-artifacts`.
    #[serde(default)]
    pub aliases: Field<Vec<String>>,
    /// Who manages the key: an AWS managed key cannot be shared with another account.
    #[serde(default)]
    pub manager: Field<KeyManager>,
    /// The key state; only `Enabled` keys encrypt or decrypt.
    #[serde(default)]
    pub state: Field<KeyState>,
    /// When a key pending deletion will be deleted (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_date: Option<String>,
    /// The key's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The `default` key policy, decoded JSON.
    #[serde(default)]
    pub policy: Field<Value>,
    /// The key's tags.
    #[serde(default)]
    pub tags: Field<Tags>,
    /// The key's grants (`kms:ListGrants`): permissions given outside the key policy.
    #[serde(default, skip_serializing_if = "Field::is_not_loaded")]
    pub grants: Field<Vec<Grant>>,
}

/// One grant on a key, as `kms:ListGrants` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The grant id.
    pub grant_id: String,
    /// The grant's name, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Who the grant lets use the key: an IAM ARN or a service principal.
    pub grantee_principal: String,
    /// The operations allowed (`Decrypt`, `GenerateDataKey`, …, without the `kms:` prefix).
    #[serde(default)]
    pub operations: Vec<String>,
    /// Whether the grant carries encryption-context constraints (the request must present
    /// a matching context, e.g. ECR's `aws:ecr:arn`).
    #[serde(default)]
    pub constrained: bool,
}

impl Grant {
    /// Whether the grant allows `action` (`kms:Decrypt` or `Decrypt`).
    pub fn allows(&self, action: &str) -> bool {
        let operation = action.strip_prefix("kms:").unwrap_or(action);
        self.operations
            .iter()
            .any(|o| o.eq_ignore_ascii_case(operation))
    }
}

impl Key {
    /// The ARN of one of the key's aliases (`arn:aws:kms:REGION:A:alias/NAME`).
    pub fn alias_arn(&self, alias: &str) -> String {
        match self.arn.split_once(":key/") {
            Some((prefix, _)) => format!("{prefix}:{alias}"),
            None => alias.to_string(),
        }
    }
}

impl Keyed for Key {
    fn id(&self) -> &str {
        &self.arn
    }

    fn index_keys(&self) -> Vec<IndexKey> {
        let mut keys = vec![
            IndexKey::new(KeyKind::Arn, &self.arn),
            IndexKey::new(KeyKind::KeyId, &self.key_id),
        ];
        if let Some(aliases) = self.aliases.loaded() {
            for alias in aliases {
                keys.push(IndexKey::new(KeyKind::Alias, alias));
                keys.push(IndexKey::new(KeyKind::AliasArn, self.alias_arn(alias)));
            }
        }
        keys
    }
}

wire_enum! {
    /// `KeyManager` from `kms:DescribeKey`.
    pub enum KeyManager {
        /// AWS created and manages the key (`alias/aws/…`); its policy cannot be changed.
        Aws => "AWS",
        /// The customer manages the key and its policy.
        Customer => "CUSTOMER",
    }
}

wire_enum! {
    /// `KeyState` from `kms:DescribeKey`.
    pub enum KeyState {
        /// Usable.
        Enabled => "Enabled",
        /// Disabled by its owner; every cryptographic operation fails.
        Disabled => "Disabled",
        /// Scheduled for deletion; every cryptographic operation fails.
        PendingDeletion => "PendingDeletion",
        /// Waiting for imported key material.
        PendingImport => "PendingImport",
        /// A multi-Region replica waiting for deletion.
        PendingReplicaDeletion => "PendingReplicaDeletion",
        /// Being created.
        Creating => "Creating",
        /// Being updated.
        Updating => "Updating",
        /// The custom key store is disconnected.
        Unavailable => "Unavailable",
    }
}

impl KeyState {
    /// Whether the key can be used for encryption and decryption.
    pub fn is_usable(&self) -> bool {
        matches!(self, KeyState::Enabled)
    }
}
