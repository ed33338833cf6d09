//! `--redact` and presenter mode: the one masking table. Account ids are replaced
//! consistently, access key ids and unique principal ids (`ASIA…`, `AKIA…`, `AROA…`) get
//! consistent fakes too (each resolves to its account), session tokens and secrets are
//! removed, and tags are dropped from redacted snapshots. The console's screen, its copies and
//! exports, and headless renderings all mask through this table.
//!
//! Every 12-digit number standing alone in any string (ARNs, principals inside policies,
//! `A.dkr.ecr…` URIs, bucket names, trail records, bare ids) is an account id for this
//! purpose. Digits glued to letters (inside a `sha256:` digest, say) are left alone; a UUID
//! whose last group happens to be 12 decimal digits is rewritten too, consistently, which
//! keeps key ids and key ARNs matching each other.

use std::collections::BTreeMap;

use serde_json::Value;

use super::account::Account;
use super::accounts::{Accounts, AccountsError};
use super::field::Field;
use super::secrets::{self, Found};

/// Maps real account ids to fake ones. Pass the same redactor to every account and file
/// of one session so the same real id always becomes the same fake id.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    fakes: BTreeMap<String, String>,
    /// Unique ids (access keys, principals), real → fake.
    unique_ids: BTreeMap<String, String>,
    /// IAM user names (people, often), real → fake (`user-1`, `user-2`, …).
    user_names: BTreeMap<String, String>,
}

/// Why redaction failed; both cases are crossdock bugs, not bad input.
#[derive(Debug, thiserror::Error)]
pub enum RedactError {
    /// The redacted account no longer deserializes.
    #[error("redacting account data produced an invalid inventory ({0}); please report this with the unredacted shape")]
    Json(#[from] serde_json::Error),
    /// The two redacted accounts collided.
    #[error("redacting made both accounts the same ({0}); please report this")]
    Pair(#[from] AccountsError),
}

impl Redactor {
    /// A redactor with no ids seen yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The fake id for a real one, assigned in first-seen order: `000000000001`, `000000000002`, …
    pub fn fake_id(&mut self, real: &str) -> String {
        // Masking masked text changes nothing: a fake id stays itself (also one handed out
        // by another redactor: eight leading zeros never occur in a real account id).
        if !self.fakes.contains_key(real)
            && (real.starts_with("00000000") || self.fakes.values().any(|fake| fake == real))
        {
            return real.to_string();
        }
        let next = self.fakes.len() + 1;
        self.fakes
            .entry(real.to_string())
            .or_insert_with(|| format!("{next:012}"))
            .clone()
    }

    /// The mapping so far, real id → fake id (for a private legend; never print it with the data).
    pub fn mapping(&self) -> &BTreeMap<String, String> {
        &self.fakes
    }

    /// The fake for a unique id: same prefix and length, a counter for the body.
    fn fake_unique_id(&mut self, real: &str) -> String {
        let looks_fake =
            real[4..].starts_with("00000000") && real[4..].bytes().all(|b| b.is_ascii_digit());
        if !self.unique_ids.contains_key(real)
            && (looks_fake || self.unique_ids.values().any(|f| f == real))
        {
            return real.to_string();
        }
        let next = self.unique_ids.len() + 1;
        let (prefix, body) = real.split_at(4);
        let width = body.len();
        self.unique_ids
            .entry(real.to_string())
            .or_insert_with(|| format!("{prefix}{next:0>width$}"))
            .clone()
    }

    /// A string with every account id, access key id and principal id replaced, the name
    /// of every IAM user ARN replaced, and every session token removed.
    pub fn redact_str(&mut self, text: &str) -> String {
        let text = &self.redact_user_names(text);
        let found = secrets::find(text);
        if found.is_empty() {
            return self.redact_account_ids(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        for item in found {
            let (start, end, replacement) = match item {
                Found::UniqueId { start, end } => {
                    (start, end, self.fake_unique_id(&text[start..end]))
                }
                Found::Token { start, end } => (start, end, secrets::REMOVED.to_string()),
            };
            out.push_str(&text[copied..start]);
            out.push_str(&replacement);
            copied = end;
        }
        out.push_str(&text[copied..]);
        self.redact_account_ids(&out)
    }

    /// The fake for an IAM user name: `user-1`, `user-2`, … in first-seen order (a fake
    /// stays itself).
    pub fn fake_user_name(&mut self, real: &str) -> String {
        if !self.user_names.contains_key(real) && self.user_names.values().any(|f| f == real) {
            return real.to_string();
        }
        let next = self.user_names.len() + 1;
        self.user_names
            .entry(real.to_string())
            .or_insert_with(|| format!("user-{next}"))
            .clone()
    }

    /// Replaces the name (the path stays) of every IAM user ARN in `text`
    /// (`arn:aws:iam::A:user/ci/alice` → `…:user/ci/user-1`); wildcards and policy
    /// variables (`user/*`, `user/${aws:username}`) are patterns, not people, and stay.
    fn redact_user_names(&mut self, text: &str) -> String {
        const MARK: &str = ":user/";
        if !text.contains(MARK) {
            return text.to_string();
        }
        let name_char = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-/".contains(c);
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find(MARK) {
            let (before, after) = rest.split_at(at + MARK.len());
            out.push_str(before);
            let end = after.find(|c: char| !name_char(c)).unwrap_or(after.len());
            let (path_and_name, tail) = after.split_at(end);
            let iam_arn = before
                .rsplit(|c: char| c.is_whitespace() || "\"'`(,[{".contains(c))
                .next()
                .is_some_and(|arn| arn.starts_with("arn:") && arn.contains(":iam::"));
            let (path, name) = match path_and_name.rfind('/') {
                Some(slash) => path_and_name.split_at(slash + 1),
                None => ("", path_and_name),
            };
            let pattern = name.is_empty() || tail.starts_with(['*', '?', '$']);
            out.push_str(path);
            if iam_arn && !pattern {
                out.push_str(&self.fake_user_name(name));
            } else {
                out.push_str(name);
            }
            rest = tail;
        }
        out.push_str(rest);
        out
    }

    fn redact_account_ids(&mut self, text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        let mut i = 0;
        while i < bytes.len() {
            if !bytes[i].is_ascii_digit() {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let glued_before = start > 0 && bytes[start - 1].is_ascii_alphabetic();
            let glued_after = i < bytes.len() && bytes[i].is_ascii_alphabetic();
            if i - start == 12 && !glued_before && !glued_after {
                out.push_str(&text[copied..start]);
                out.push_str(&self.fake_id(&text[start..i]));
                copied = i;
            }
        }
        out.push_str(&text[copied..]);
        out
    }

    /// Replaces account ids in every string and object key of a JSON value, in place.
    pub fn redact_value(&mut self, value: &mut Value) {
        match value {
            Value::String(text) => *text = self.redact_str(text),
            Value::Array(items) => items.iter_mut().for_each(|item| self.redact_value(item)),
            Value::Object(map) => {
                let entries = std::mem::take(map);
                for (key, mut item) in entries {
                    if secrets::SECRET_KEYS.contains(&key.as_str()) {
                        item = Value::String(secrets::REMOVED.into());
                    }
                    self.redact_value(&mut item);
                    map.insert(self.redact_str(&key), item);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }

    /// A redacted copy of one account: ids replaced everywhere, tags dropped (not loaded).
    pub fn redact_account(&mut self, account: &Account) -> Result<Account, RedactError> {
        // Give the account's own id the first free fake, so A stays "1" when redacted first.
        self.fake_id(account.id());
        let mut copy = account.clone();
        drop_tags(&mut copy);
        copy.identity.caller_arn = without_session_name(&copy.identity.caller_arn);
        if let Field::Loaded(records) = &mut copy.trail {
            *records = records
                .iter()
                .map(|mut record| {
                    forget_people(&mut record);
                    record
                })
                .collect();
        }
        let mut value = serde_json::to_value(&copy)?;
        self.redact_value(&mut value);
        let mut redacted: Account = serde_json::from_value(value)?;
        // A user's name is the last part of its (now masked) ARN.
        redacted.users.update_all(|user| {
            if let Some(name) = user.arn.rsplit('/').next() {
                user.name = name.to_string();
            }
        });
        Ok(redacted)
    }

    /// A redacted copy of every account (ids are registered in order, so the first stays "1").
    pub fn redact_pair(&mut self, accounts: &Accounts) -> Result<Accounts, RedactError> {
        for account in accounts.accounts() {
            self.fake_id(account.id());
        }
        let redacted: Result<Vec<Account>, RedactError> = accounts
            .accounts()
            .map(|account| self.redact_account(account))
            .collect();
        Ok(Accounts::new(redacted?)?)
    }
}

/// The caller's ARN without its session name: for SSO and most federated sessions that is
/// the person's e-mail address or user name
/// (`assumed-role/AWSReservedSSO_Admin_…/alice@example.com`).
fn without_session_name(caller_arn: &str) -> String {
    match caller_arn.split_once(":assumed-role/") {
        Some((head, rest)) => match rest.split_once('/') {
            Some((role, _session)) => format!("{head}:assumed-role/{role}/redacted"),
            None => caller_arn.to_string(),
        },
        None => caller_arn.to_string(),
    }
}

/// In a CloudTrail record, what names a person: session names in ARNs and principal ids
/// (`AROA…:alice@example.com`), and the caller's IP address.
fn forget_people(value: &mut Value) {
    match value {
        Value::String(text) if text.contains(":assumed-role/") => {
            *text = without_session_name(text);
        }
        Value::Array(items) => items.iter_mut().for_each(forget_people),
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                match (key.as_str(), &mut *item) {
                    ("principalId", Value::String(id)) => {
                        if let Some((role_id, _session)) = id.split_once(':') {
                            *id = format!("{role_id}:redacted");
                        }
                    }
                    ("sourceIPAddress", Value::String(ip)) if !ip.ends_with(".amazonaws.com") => {
                        *ip = "redacted".to_string();
                    }
                    _ => forget_people(item),
                }
            }
        }
        _ => {}
    }
}

/// Tags name teams, customers and cost centres; a redacted snapshot does not carry them.
fn drop_tags(account: &mut Account) {
    account.roles.update_all(|r| r.tags = Field::NotLoaded);
    account.users.update_all(|u| u.tags = Field::NotLoaded);
    account
        .repositories
        .update_all(|r| r.tags = Field::NotLoaded);
    account.keys.update_all(|k| k.tags = Field::NotLoaded);
    account.projects.update_all(|p| p.tags = Field::NotLoaded);
    account.pipelines.update_all(|p| p.tags = Field::NotLoaded);
    account.buckets.update_all(|b| b.tags = Field::NotLoaded);
}

#[cfg(test)]
mod session_tests {
    use super::*;
    use crate::inventory::account::Identity;

    #[test]
    fn the_callers_session_name_is_redacted_too() {
        let mut account = Account::new(Identity {
            account_id: "123456789012".into(),
            caller_arn:
                "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0a1b/alice@example.com"
                    .into(),
            profile: None,
            region: "eu-west-1".into(),
            partition: "aws".into(),
        });
        let redacted = Redactor::new().redact_account(&account).expect("redact");
        assert_eq!(
            redacted.identity.caller_arn,
            "arn:aws:sts::000000000001:assumed-role/AWSReservedSSO_Admin_0a1b/redacted"
        );
        account.trail = Field::Loaded(vec![serde_json::json!({
            "eventName": "PutImage",
            "sourceIPAddress": "203.0.113.7",
            "userIdentity": {
                "principalId": "AROAEXAMPLEID:alice@example.com",
                "arn": "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0a1b/alice@example.com",
                "sessionContext": {"sessionIssuer": {"arn": "arn:aws:iam::123456789012:role/x"}}
            }
        })].into());
        let redacted = Redactor::new().redact_account(&account).expect("redact");
        let text = serde_json::to_string(&redacted.trail).expect("JSON");
        assert!(
            !text.contains("alice") && !text.contains("203.0.113.7"),
            "{text}"
        );
        assert!(text.contains("AROAEXAMPLEID:redacted"), "{text}");
        account.identity.caller_arn = "arn:aws:iam::123456789012:user/ci".into();
        let redacted = Redactor::new().redact_account(&account).expect("redact");
        assert_eq!(
            redacted.identity.caller_arn,
            "arn:aws:iam::000000000001:user/user-1"
        );
    }

    #[test]
    fn user_names_are_masked_consistently_but_patterns_stay() {
        let mut redactor = Redactor::new();
        assert_eq!(
            redactor.redact_str(
                "arn:aws:iam::123456789012:user/ops/alice@example.com may; \
                 \"arn:aws:iam::123456789012:user/bob\", again user/ops/alice@example.com"
            ),
            "arn:aws:iam::000000000001:user/ops/user-1 may; \
             \"arn:aws:iam::000000000001:user/user-2\", again user/ops/alice@example.com"
        );
        assert_eq!(
            redactor.redact_str("arn:aws:iam::123456789012:user/bob"),
            "arn:aws:iam::000000000001:user/user-2"
        );
        for pattern in [
            "arn:aws:iam::000000000001:user/*",
            "arn:aws:iam::000000000001:user/ops/*",
            "arn:aws:iam::000000000001:user/${aws:username}",
            "arn:aws:iam::000000000001:user/user-1",
        ] {
            assert_eq!(redactor.redact_str(pattern), pattern);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::account::Identity;
    use crate::inventory::collection::Collection;
    use crate::inventory::ecr::{Repository, RepositoryEncryption, TagMutability};
    use crate::inventory::iam::Role;
    use serde_json::json;

    fn account(id: &str, other: &str) -> Account {
        let mut account = Account::new(Identity {
            account_id: id.into(),
            caller_arn: format!("arn:aws:sts::{id}:assumed-role/reader/s"),
            profile: Some(format!("prod-{id}")),
            region: "ap-northeast-1".into(),
            partition: "aws".into(),
        });
        let mut role = Role::listed(format!("arn:aws:iam::{id}:role/r"), "r", "/");
        role.trust_policy = Field::Loaded(json!({
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{other}:root")},
                           "Action": "sts:AssumeRole"}]
        }));
        role.tags = Field::Loaded([("team".to_string(), "payments".to_string())].into());
        account.roles = Collection::complete([role]);
        account.repositories = Collection::complete([Repository {
            arn: format!("arn:aws:ecr:ap-northeast-1:{id}:repository/app"),
            name: "app".into(),
            uri: format!("{id}.dkr.ecr.ap-northeast-1.amazonaws.com/app"),
            registry_id: id.into(),
            encryption: RepositoryEncryption::aes256(),
            tag_mutability: TagMutability::Mutable,
            policy: Field::Absent,
            images: Field::Loaded(vec![crate::inventory::ecr::Image {
                digest: "sha256:ab123456789012cd".into(),
                tags: vec!["latest".into()],
                pushed_at: None,
            }]),
            tags: Field::Loaded(Default::default()),
        }]);
        account.trail = Field::Loaded(
            vec![json!({
                "userIdentity": {"type": "AWSAccount", "accountId": other},
                "recipientAccountId": id,
            })]
            .into(),
        );
        account
    }

    #[test]
    fn replaces_ids_consistently_across_accounts() {
        let pair = Accounts::new([
            account("111111111111", "222222222222"),
            account("222222222222", "111111111111"),
        ])
        .expect("pair");
        let mut redactor = Redactor::new();
        let redacted = redactor.redact_pair(&pair).expect("redact");
        let text = serde_json::to_string(&redacted.into_accounts()).expect("text");
        assert!(!text.contains("111111111111") && !text.contains("222222222222"));
        let a = "000000000001";
        let b = "000000000002";
        for expected in [
            format!("arn:aws:iam::{b}:root"), // principal inside A's trust policy
            format!("arn:aws:iam::{a}:root"), // principal inside B's trust policy
            format!("{a}.dkr.ecr.ap-northeast-1.amazonaws.com/app"), // URI
            format!("\"registry_id\":\"{b}\""), // bare id
            format!("\"accountId\":\"{b}\""), // trail record
            format!("prod-{a}"),              // profile name
        ] {
            assert!(text.contains(&expected), "missing {expected}");
        }
        assert!(
            text.contains("sha256:ab123456789012cd"),
            "digests stay intact"
        );
        assert!(!text.contains("payments"), "tags dropped");
    }

    #[test]
    fn same_redactor_keeps_mapping_across_files() {
        let mut redactor = Redactor::new();
        let first = redactor
            .redact_account(&account("333333333333", "444444444444"))
            .expect("first");
        let second = redactor
            .redact_account(&account("444444444444", "333333333333"))
            .expect("second");
        assert_eq!(first.id(), "000000000001");
        assert_eq!(second.id(), "000000000002");
        assert!(
            first.role("arn:aws:iam::000000000001:role/r").is_some(),
            "index rebuilt"
        );
    }

    proptest::proptest! {
        #[test]
        fn redaction_is_consistent_and_complete(id in "[1-9][0-9]{11}", prefix in "([a-z]{0,6}[:/.-])?") {
            let mut r = Redactor::new();
            let text = format!("{prefix}{id}:x {id}.dkr arn:aws:iam::{id}:root");
            let once = r.redact_str(&text);
            proptest::prop_assert!(!once.contains(&id) || r.fake_id(&id) == id);
            proptest::prop_assert_eq!(r.redact_str(&text), once.clone());
            proptest::prop_assert_eq!(once.matches(&r.fake_id(&id)).count(), 3);
        }
    }

    #[test]
    fn key_ids_principal_ids_and_tokens_are_masked_consistently_and_idempotently() {
        let mut r = Redactor::new();
        r.fake_id("111111111111");
        let text = "ASIAS1EXAMPLE0000001 AROA729577E9DB7FF1CFE:build 111111111111 IQoJb3JpZ2luX2VjEXAMPLETOKEN";
        let once = r.redact_str(text);
        assert_eq!(
            once,
            "ASIA0000000000000001 AROA00000000000000002:build 000000000001 <removed>"
        );
        assert_eq!(
            r.redact_str(&once),
            once,
            "masking masked text changes nothing"
        );
        assert_eq!(r.redact_str(text), once, "the same fakes every time");
        assert_eq!(
            Redactor::new().redact_str(&once),
            once,
            "another table keeps them too"
        );
        let mut record = json!({"accessKeyId": "ASIAS1EXAMPLE0000001", "sessionToken": "abc"});
        r.redact_value(&mut record);
        assert_eq!(
            record,
            json!({"accessKeyId": "ASIA0000000000000001", "sessionToken": "<removed>"})
        );
    }

    #[test]
    fn only_standalone_twelve_digit_runs_change() {
        let mut r = Redactor::new();
        assert_eq!(
            r.redact_str("1234567890123 x123456789012 123456789012-ap 12345678901"),
            "1234567890123 x123456789012 000000000001-ap 12345678901"
        );
    }
}
