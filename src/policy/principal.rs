//! The Principal / NotPrincipal element and how a caller matches it.

use serde::Serialize;
use serde_json::Value;

use super::arn::{is_account_id, Arn, Caller};
use super::error::PolicyError;

/// One entry of a Principal element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalEntry {
    /// `"*"` or `{"AWS": "*"}`: everyone.
    Anyone,
    /// An account: `"111111111111"` or `arn:aws:iam::111111111111:root`.
    Account(String),
    /// An IAM principal ARN (role, user, session, federated user…).
    Arn(String),
    /// `{"Service": "codebuild.amazonaws.com"}`.
    Service(String),
    /// `{"Federated": …}`.
    Federated(String),
    /// `{"CanonicalUser": …}`.
    CanonicalUser(String),
}

/// A parsed Principal or NotPrincipal element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalSpec {
    /// True for NotPrincipal.
    pub negated: bool,
    /// The entries, in document order.
    pub entries: Vec<PrincipalEntry>,
}

/// How a caller matched a Principal element; decides what else must allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrincipalMatch {
    /// The account root: delegation to the account's IAM policies.
    Account,
    /// The role ARN behind the caller's session: limited by boundary and session policy.
    Role,
    /// `"*"` or a NotPrincipal that does not exclude the caller.
    Anyone,
    /// The exact IAM user ARN.
    User,
    /// The exact session ARN.
    Session,
    /// The service principal name.
    Service,
}

impl PrincipalMatch {
    /// A grant that, in the same account, needs no identity-based Allow and is not limited
    /// by a permissions boundary or session policy.
    pub fn bypasses_filters(self) -> bool {
        matches!(
            self,
            PrincipalMatch::Anyone
                | PrincipalMatch::User
                | PrincipalMatch::Session
                | PrincipalMatch::Service
        )
    }

    /// How the match reads in a sentence.
    pub fn describe(self) -> &'static str {
        match self {
            PrincipalMatch::Account => "the caller's account (delegates to its IAM policies)",
            PrincipalMatch::Role => "the caller's role ARN",
            PrincipalMatch::Anyone => "every principal (\"*\")",
            PrincipalMatch::User => "the caller's user ARN",
            PrincipalMatch::Session => "the caller's session ARN",
            PrincipalMatch::Service => "the calling service",
        }
    }
}

impl PrincipalSpec {
    /// Parses the element's value; `path` names it in errors (e.g. `Statement[0].Principal`).
    pub fn parse(value: &Value, negated: bool, path: &str) -> Result<Self, PolicyError> {
        let mut entries = Vec::new();
        match value {
            Value::String(s) if s == "*" => entries.push(PrincipalEntry::Anyone),
            Value::String(s) => {
                return Err(PolicyError::new(
                    path,
                    format!(
                        "`{s}` must be written as {{\"AWS\": \"{s}\"}} (only \"*\" may stand alone)"
                    ),
                ))
            }
            Value::Object(map) => {
                if map.is_empty() {
                    return Err(PolicyError::new(path, "principal object is empty"));
                }
                for (kind, ids) in map {
                    let inner_path = format!("{path}.{kind}");
                    for id in string_list(ids, &inner_path)? {
                        entries.push(match kind.as_str() {
                            "AWS" => aws_entry(&id, &inner_path)?,
                            "Service" => PrincipalEntry::Service(id),
                            "Federated" => PrincipalEntry::Federated(id),
                            "CanonicalUser" => PrincipalEntry::CanonicalUser(id),
                            _ => {
                                return Err(PolicyError::new(
                                    &inner_path,
                                    format!(
                                        "unknown principal type `{kind}` (expected AWS, Service, Federated or CanonicalUser)"
                                    ),
                                ))
                            }
                        });
                    }
                }
            }
            _ => return Err(PolicyError::new(
                path,
                "must be \"*\" or an object such as {\"AWS\": \"arn:aws:iam::111111111111:root\"}",
            )),
        }
        Ok(Self { negated, entries })
    }

    /// The strongest way the caller is named by the (positive) entries, if at all.
    pub fn named(&self, caller: &Caller) -> Option<PrincipalMatch> {
        self.entries
            .iter()
            .filter_map(|entry| entry_matches(entry, caller))
            .max()
    }

    /// True when NotPrincipal lists the caller completely: for a session, the session ARN,
    /// its role ARN and its account must all be listed (IAM-RULES 9).
    pub fn excludes(&self, caller: &Caller) -> bool {
        let lists = |wanted: PrincipalMatch| {
            self.entries
                .iter()
                .any(|e| entry_matches(e, caller) == Some(wanted))
        };
        match caller {
            Caller::Session { .. } => {
                lists(PrincipalMatch::Session)
                    && lists(PrincipalMatch::Role)
                    && lists(PrincipalMatch::Account)
            }
            Caller::Role { .. } => lists(PrincipalMatch::Role) && lists(PrincipalMatch::Account),
            Caller::User { .. } => lists(PrincipalMatch::User) && lists(PrincipalMatch::Account),
            Caller::Root { .. } => lists(PrincipalMatch::Account),
            Caller::Service { .. } => lists(PrincipalMatch::Service),
            Caller::Other { .. } => {
                lists(PrincipalMatch::Session) && lists(PrincipalMatch::Account)
            }
            Caller::Anonymous => lists(PrincipalMatch::Anyone),
        }
    }

    /// The entries as text, for traces.
    pub fn describe(&self) -> Vec<String> {
        self.entries
            .iter()
            .map(|e| match e {
                PrincipalEntry::Anyone => "*".to_string(),
                PrincipalEntry::Account(a) => format!("AWS:arn:aws:iam::{a}:root"),
                PrincipalEntry::Arn(a) => format!("AWS:{a}"),
                PrincipalEntry::Service(s) => format!("Service:{s}"),
                PrincipalEntry::Federated(s) => format!("Federated:{s}"),
                PrincipalEntry::CanonicalUser(s) => format!("CanonicalUser:{s}"),
            })
            .collect()
    }
}

fn aws_entry(id: &str, path: &str) -> Result<PrincipalEntry, PolicyError> {
    if id == "*" {
        return Ok(PrincipalEntry::Anyone);
    }
    if is_account_id(id) {
        return Ok(PrincipalEntry::Account(id.to_string()));
    }
    match Arn::parse(id) {
        Some(arn) if arn.service == "iam" && arn.resource == "root" => {
            Ok(PrincipalEntry::Account(arn.account.to_string()))
        }
        Some(_) => Ok(PrincipalEntry::Arn(id.to_string())),
        // IAM replaces principals of deleted roles by their unique IDs (AROA…/AIDA…): keep
        // them; they simply never match a caller.
        None if id.starts_with("AROA") || id.starts_with("AIDA") => {
            Ok(PrincipalEntry::Arn(id.to_string()))
        }
        None => Err(PolicyError::new(
            path,
            format!("`{id}` is not an account ID or an IAM principal ARN"),
        )),
    }
}

fn entry_matches(entry: &PrincipalEntry, caller: &Caller) -> Option<PrincipalMatch> {
    match (entry, caller) {
        (PrincipalEntry::Anyone, _) => Some(PrincipalMatch::Anyone),
        (PrincipalEntry::Account(account), caller) => {
            (caller.account() == Some(account.as_str())).then_some(PrincipalMatch::Account)
        }
        (PrincipalEntry::Service(name), Caller::Service { name: caller_name }) => {
            (name == caller_name).then_some(PrincipalMatch::Service)
        }
        (
            PrincipalEntry::Arn(arn),
            Caller::Session {
                arn: session,
                role_arn,
                ..
            },
        ) => {
            if arn == session {
                Some(PrincipalMatch::Session)
            } else {
                (arn == role_arn).then_some(PrincipalMatch::Role)
            }
        }
        (PrincipalEntry::Arn(arn), Caller::Role { arn: role, .. }) => {
            (arn == role).then_some(PrincipalMatch::Role)
        }
        (PrincipalEntry::Arn(arn), Caller::User { arn: user, .. }) => {
            (arn == user).then_some(PrincipalMatch::User)
        }
        (PrincipalEntry::Arn(arn), Caller::Other { arn: other, .. }) => {
            (arn == other).then_some(PrincipalMatch::Session)
        }
        (PrincipalEntry::Federated(id), Caller::Other { arn, .. }) => {
            (id == arn).then_some(PrincipalMatch::Session)
        }
        _ => None,
    }
}

/// Reads a string or a list of strings (IAM accepts both almost everywhere).
pub fn string_list(value: &Value, path: &str) -> Result<Vec<String>, PolicyError> {
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok(s.clone()),
                _ => Err(PolicyError::new(format!("{path}[{i}]"), "must be a string")),
            })
            .collect(),
        _ => Err(PolicyError::new(
            path,
            "must be a string or a list of strings",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn session() -> Caller {
        Caller::parse(
            "arn:aws:sts::111111111111:assumed-role/build/s1",
            Some("arn:aws:iam::111111111111:role/ci/build"),
        )
        .unwrap()
    }

    #[test]
    fn role_session_matching() {
        let spec = PrincipalSpec::parse(
            &json!({"AWS": ["arn:aws:iam::111111111111:role/ci/build"]}),
            false,
            "Principal",
        )
        .unwrap();
        assert_eq!(spec.named(&session()), Some(PrincipalMatch::Role));
        let spec = PrincipalSpec::parse(&json!({"AWS": "111111111111"}), false, "P").unwrap();
        assert_eq!(spec.named(&session()), Some(PrincipalMatch::Account));
        let spec = PrincipalSpec::parse(&json!("*"), false, "P").unwrap();
        assert_eq!(spec.named(&session()), Some(PrincipalMatch::Anyone));
        let spec = PrincipalSpec::parse(&json!({"Service": "codebuild.amazonaws.com"}), false, "P")
            .unwrap();
        assert_eq!(spec.named(&session()), None);
    }

    #[test]
    fn not_principal_needs_all_three() {
        let partial = PrincipalSpec::parse(
            &json!({"AWS": ["arn:aws:iam::111111111111:role/ci/build", "111111111111"]}),
            true,
            "NotPrincipal",
        )
        .unwrap();
        assert!(!partial.excludes(&session()));
        let full = PrincipalSpec::parse(
            &json!({"AWS": [
                "arn:aws:iam::111111111111:role/ci/build",
                "arn:aws:sts::111111111111:assumed-role/build/s1",
                "arn:aws:iam::111111111111:root"]}),
            true,
            "NotPrincipal",
        )
        .unwrap();
        assert!(full.excludes(&session()));
    }

    #[test]
    fn rejects_bad_forms() {
        let err = PrincipalSpec::parse(
            &json!("arn:aws:iam::1:root"),
            false,
            "Statement[0].Principal",
        )
        .unwrap_err();
        assert_eq!(err.path, "Statement[0].Principal");
        let err = PrincipalSpec::parse(&json!({"Users": "x"}), false, "P").unwrap_err();
        assert_eq!(err.path, "P.Users");
        assert!(PrincipalSpec::parse(&json!({"AWS": "bob"}), false, "P").is_err());
    }
}
