//! One CloudTrail write event turned into the documents ("slots") it sets and what it set
//! them to — or why it cannot be: the record lacks its parameters (CloudTrail omits them when
//! too large), a policy in it does not parse (truncated), or it names a resource that is not
//! loaded.

use serde_json::{json, Value};

use crate::inventory::{Account, Accounts};
use crate::trail::management::ManagementEvent;

/// One document a write event sets.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Slot {
    RepositoryPolicy {
        account: String,
        arn: String,
    },
    TrustPolicy {
        account: String,
        role: String,
    },
    InlinePolicy {
        account: String,
        role: String,
        name: String,
    },
    Attachment {
        account: String,
        role: String,
        policy: String,
    },
    KeyPolicy {
        account: String,
        key: String,
    },
    EventPattern {
        account: String,
        rule: String,
    },
    RuleState {
        account: String,
        rule: String,
    },
    RuleTarget {
        account: String,
        rule: String,
        id: String,
    },
}

/// What a slot holds.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Content {
    Present(Value),
    Absent,
    Unknown,
}

impl Content {
    pub(super) fn value(&self) -> Option<&Value> {
        match self {
            Self::Present(value) => Some(value),
            _ => None,
        }
    }
}

/// An event as the slots it sets.
pub(super) struct Change {
    pub(super) sets: Vec<(Slot, Content)>,
}

/// Why an event cannot be rebuilt; the walk stops claiming anything before it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unrebuildable {
    /// No `requestParameters` in the record.
    #[error("{event} has no requestParameters (CloudTrail omits them when too large); read the document's version at that time from AWS Config or a snapshot")]
    NoParameters {
        /// The event name.
        event: String,
    },
    /// A parameter the event always has is missing.
    #[error("{event} has no {key} in its requestParameters")]
    MissingParameter {
        /// The event name.
        event: String,
        /// The parameter.
        key: &'static str,
    },
    /// A document parameter is not a JSON document.
    #[error("the {key} of {event} is not a JSON document (truncated?)")]
    NotADocument {
        /// The event name.
        event: String,
        /// The parameter.
        key: &'static str,
    },
    /// The record names no account.
    #[error("the {event} record names no account")]
    NoAccount {
        /// The event name.
        event: String,
    },
    /// The event's account or resource is not in the loaded accounts.
    #[error("{what} is not in the loaded accounts; load its account (snapshot or profile) too")]
    NotLoaded {
        /// What was looked for.
        what: String,
    },
}

/// The event's parameters, with the lookups every event kind needs.
struct Params<'a> {
    event: &'a ManagementEvent,
    params: &'a Value,
    account: &'a Account,
}

impl Params<'_> {
    fn text(&self, key: &'static str) -> Result<String, Unrebuildable> {
        self.params
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| Unrebuildable::MissingParameter {
                event: self.event.event_name.clone(),
                key,
            })
    }

    fn document(&self, key: &'static str) -> Result<Content, Unrebuildable> {
        parse_document(&self.text(key)?)
            .map(Content::Present)
            .ok_or_else(|| Unrebuildable::NotADocument {
                event: self.event.event_name.clone(),
                key,
            })
    }

    fn not_loaded(&self, kind: &str, name: &str) -> Unrebuildable {
        Unrebuildable::NotLoaded {
            what: format!("{kind} {name} of account {}", self.account.id()),
        }
    }

    fn role(&self) -> Result<String, Unrebuildable> {
        let name = self.text("roleName")?;
        let role = self.account.role(&name);
        role.map(|r| r.arn.clone())
            .ok_or_else(|| self.not_loaded("role", &name))
    }

    fn rule(&self, key: &'static str) -> Result<String, Unrebuildable> {
        let name = self.text(key)?;
        let rules = self.account.rules_named(&name);
        rules
            .first()
            .map(|r| r.arn.clone())
            .ok_or_else(|| self.not_loaded("rule", &name))
    }

    fn account_id(&self) -> String {
        self.account.id().to_string()
    }

    fn is(&self, name: &str) -> bool {
        self.event.event_name == name
    }
}

/// The slots an event sets, or why it cannot be rebuilt.
pub(super) fn change_of(
    accounts: &Accounts,
    event: &ManagementEvent,
) -> Result<Change, Unrebuildable> {
    let params = event
        .request_parameters
        .as_ref()
        .ok_or_else(|| Unrebuildable::NoParameters {
            event: event.event_name.clone(),
        })?;
    let account_id = event.account.as_deref().ok_or(Unrebuildable::NoAccount {
        event: event.event_name.clone(),
    })?;
    let account = accounts
        .account(account_id)
        .ok_or_else(|| Unrebuildable::NotLoaded {
            what: format!("account {account_id}"),
        })?;
    let p = Params {
        event,
        params,
        account,
    };
    let sets = match event.event_name.as_str() {
        "SetRepositoryPolicy" | "DeleteRepositoryPolicy" => repository(&p)?,
        "PutRolePolicy"
        | "DeleteRolePolicy"
        | "UpdateAssumeRolePolicy"
        | "AttachRolePolicy"
        | "DetachRolePolicy" => role(&p)?,
        "PutKeyPolicy" => key(&p)?,
        "PutRule" | "DisableRule" | "EnableRule" => rule(&p)?,
        _ => targets(&p)?,
    };
    Ok(Change { sets })
}

fn repository(p: &Params) -> Result<Vec<(Slot, Content)>, Unrebuildable> {
    let name = p.text("repositoryName")?;
    let repository = p.account.repository(&name);
    let arn = repository
        .map(|r| r.arn.clone())
        .ok_or_else(|| p.not_loaded("repository", &name))?;
    let content = if p.is("SetRepositoryPolicy") {
        p.document("policyText")?
    } else {
        Content::Absent
    };
    let account = p.account_id();
    Ok(vec![(Slot::RepositoryPolicy { account, arn }, content)])
}

fn role(p: &Params) -> Result<Vec<(Slot, Content)>, Unrebuildable> {
    let account = p.account_id();
    let role = p.role()?;
    let set = match p.event.event_name.as_str() {
        "UpdateAssumeRolePolicy" => (
            Slot::TrustPolicy { account, role },
            p.document("policyDocument")?,
        ),
        "AttachRolePolicy" | "DetachRolePolicy" => {
            let policy = p.text("policyArn")?;
            let content = if p.is("AttachRolePolicy") {
                Content::Present(json!(policy))
            } else {
                Content::Absent
            };
            let slot = Slot::Attachment {
                account,
                role,
                policy,
            };
            (slot, content)
        }
        _ => {
            let name = p.text("policyName")?;
            let content = if p.is("PutRolePolicy") {
                p.document("policyDocument")?
            } else {
                Content::Absent
            };
            (
                Slot::InlinePolicy {
                    account,
                    role,
                    name,
                },
                content,
            )
        }
    };
    Ok(vec![set])
}

fn key(p: &Params) -> Result<Vec<(Slot, Content)>, Unrebuildable> {
    let reference = p.text("keyId")?;
    let key = p.account.key(&reference);
    let key = key
        .map(|k| k.arn.clone())
        .ok_or_else(|| p.not_loaded("key", &reference))?;
    let account = p.account_id();
    Ok(vec![(
        Slot::KeyPolicy { account, key },
        p.document("policy")?,
    )])
}

fn rule(p: &Params) -> Result<Vec<(Slot, Content)>, Unrebuildable> {
    let account = p.account_id();
    let rule = p.rule("name")?;
    let state = match p.event.event_name.as_str() {
        "EnableRule" => "ENABLED",
        "DisableRule" => "DISABLED",
        _ => p
            .params
            .get("state")
            .and_then(Value::as_str)
            .unwrap_or("ENABLED"),
    };
    let mut sets = vec![(
        Slot::RuleState {
            account: account.clone(),
            rule: rule.clone(),
        },
        Content::Present(json!(state)),
    )];
    if p.is("PutRule") && p.params.get("eventPattern").is_some() {
        let pattern = p.document("eventPattern")?;
        sets.insert(0, (Slot::EventPattern { account, rule }, pattern));
    }
    Ok(sets)
}

/// `PutTargets` (each target as given) and `RemoveTargets` (each id removed).
fn targets(p: &Params) -> Result<Vec<(Slot, Content)>, Unrebuildable> {
    let rule = p.rule("rule")?;
    let slot = |id: &str| Slot::RuleTarget {
        account: p.account_id(),
        rule: rule.clone(),
        id: id.to_string(),
    };
    let (key, removing) = if p.is("RemoveTargets") {
        ("ids", true)
    } else {
        ("targets", false)
    };
    let items = p.params.get(key).and_then(Value::as_array);
    let items = items.ok_or_else(|| Unrebuildable::MissingParameter {
        event: p.event.event_name.clone(),
        key,
    })?;
    let mut sets = Vec::new();
    for item in items {
        let id = if removing {
            item.as_str()
        } else {
            item.get("id").and_then(Value::as_str)
        };
        let id = id.ok_or_else(|| Unrebuildable::MissingParameter {
            event: p.event.event_name.clone(),
            key: "id",
        })?;
        let content = if removing {
            Content::Absent
        } else {
            Content::Present(item.clone())
        };
        sets.push((slot(id), content));
    }
    Ok(sets)
}

/// A policy as CloudTrail records it: JSON text, sometimes URL-encoded (IAM).
fn parse_document(raw: &str) -> Option<Value> {
    let text = if raw.trim_start().starts_with('%') {
        percent_decode(raw)?
    } else {
        raw.to_string()
    };
    serde_json::from_str::<Value>(&text)
        .ok()
        .filter(Value::is_object)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoded_iam_policies_decode() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert_eq!(
            parse_document(encoded),
            Some(json!({"Version": "2012-10-17", "Statement": []}))
        );
        assert_eq!(parse_document("{\"Version\": \"2012"), None);
    }
}
