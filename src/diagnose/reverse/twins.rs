//! Principals that must get the same answer: same account, same identity documents (shared
//! parses, compared by pointer), same boundary, path and tags, and nothing in any document
//! that tells them apart (their ARN named, a variable, a condition on who exactly calls).
//! A reverse question evaluates one of them and gives the others the same answer with
//! their own ARN in it — cloned roles (a thousand CI roles from one template) cost one
//! evaluation, not a thousand.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use crate::diagnose::model::{Evidence, PolicyLocation};
use crate::inventory::{Accounts, Tags};
use crate::policy::document::PolicyDocument;

use super::candidates::Member;
use super::Principal;

/// Condition keys whose value differs between two principals with the same policies.
const WHO_EXACTLY: [&str; 6] = [
    "aws:principalarn",
    "aws:username",
    "aws:userid",
    "aws:sourceidentity",
    "aws:rolesessionname",
    "aws:federatedprovider",
];

/// What makes two principals answer alike (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Likeness {
    account: String,
    user: bool,
    path: String,
    documents: Vec<usize>,
    boundary: Option<usize>,
    tags: Option<Tags>,
}

impl Likeness {
    /// The likeness of `member`, whose identity documents are `documents` and boundary
    /// `boundary`; `None` when one of them tells principals apart.
    pub(super) fn of(
        account: &str,
        member: Member<'_>,
        documents: &[Arc<PolicyDocument>],
        boundary: Option<&Arc<PolicyDocument>>,
    ) -> Option<Likeness> {
        if documents.iter().chain(boundary).any(|d| tells_apart(d)) {
            return None;
        }
        let (user, path, tags) = match member {
            Member::Role(role) => (false, role.path.clone(), role.tags.loaded().cloned()),
            Member::User(user) => (true, user.path.clone(), user.tags.loaded().cloned()),
        };
        let mut pointers: Vec<usize> = documents.iter().map(|d| Arc::as_ptr(d) as usize).collect();
        pointers.sort_unstable();
        Some(Likeness {
            account: account.to_string(),
            user,
            path,
            documents: pointers,
            boundary: boundary.map(|d| Arc::as_ptr(d) as usize),
            tags,
        })
    }
}

/// Whether a document can answer two principals differently although both hold it.
pub(super) fn tells_apart(document: &PolicyDocument) -> bool {
    document.statements.iter().any(|s| {
        s.conditions.iter().any(|c| {
            let key = c.key.to_ascii_lowercase();
            WHO_EXACTLY.iter().any(|k| key == *k) || c.values.iter().any(|v| v.raw.contains("${"))
        }) || s
            .resource
            .as_ref()
            .is_some_and(|r| r.patterns.iter().any(|p| p.has_variables()))
    })
}

/// Whether the documents every principal meets in this question (the resource's policy,
/// the organisations' guardrails) could tell principals with the same policies apart: then
/// no answer is shared.
pub(super) fn question_tells_apart(accounts: &Accounts, documents: &[&Value]) -> bool {
    documents_tell_apart(documents) || guardrails_tell_apart(accounts)
}

/// Whether one of `documents` names who exactly calls, or uses a policy variable.
pub(super) fn documents_tell_apart(documents: &[&Value]) -> bool {
    documents.iter().any(|p| mentions_who(&p.to_string()))
}

/// Whether the organisations' guardrails above any loaded account name who exactly calls.
pub(super) fn guardrails_tell_apart(accounts: &Accounts) -> bool {
    accounts.accounts().any(|account| {
        !account.org.is_empty()
            && serde_json::to_string(&account.org).is_ok_and(|text| mentions_who(&text))
    })
}

fn mentions_who(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    WHO_EXACTLY.iter().any(|k| text.contains(k)) || text.contains("${")
}

/// Answers already given, by likeness, with the ARN of the principal that got each.
#[derive(Debug, Default)]
pub(super) struct Twins {
    answers: HashMap<Likeness, (String, Principal)>,
}

impl Twins {
    /// The answer for `arn` from a twin's, when a twin was answered.
    pub(super) fn answer_for(&self, likeness: &Likeness, arn: &str) -> Option<Principal> {
        let (twin, answer) = self.answers.get(likeness)?;
        Some(retarget(answer, twin, arn))
    }

    /// Keeps `answer` (for `arn`) for the twins still to come.
    pub(super) fn keep(&mut self, likeness: Likeness, arn: &str, answer: &Principal) {
        self.answers
            .entry(likeness)
            .or_insert_with(|| (arn.to_string(), answer.clone()));
    }
}

/// `answer`, given for `from`, as the answer for `to`: every mention of `from` in the
/// principal, policy locations, details and reason becomes `to`.
pub(super) fn retarget(answer: &Principal, from: &str, to: &str) -> Principal {
    let swap = |text: &str| replace_arn(text, from, to);
    Principal {
        principal: to.to_string(),
        account: answer.account.clone(),
        verdict: answer.verdict,
        conditions: answer.conditions.clone(),
        via: answer.via.clone(),
        reason: answer.reason.as_deref().map(swap),
        evidence: answer
            .evidence
            .iter()
            .map(|e| Evidence {
                account: e.account.clone(),
                policy: e.policy.as_ref().map(|p| retarget_location(p, from, to)),
                statement: e.statement,
                sid: e.sid.clone(),
                detail: swap(&e.detail),
            })
            .collect(),
    }
}

fn retarget_location(location: &PolicyLocation, from: &str, to: &str) -> PolicyLocation {
    let owner = |arn: &String| {
        if arn == from {
            to.to_string()
        } else {
            arn.clone()
        }
    };
    match location {
        PolicyLocation::InlinePolicy { role, name } => PolicyLocation::InlinePolicy {
            role: owner(role),
            name: name.clone(),
        },
        PolicyLocation::ManagedPolicy { role, policy } => PolicyLocation::ManagedPolicy {
            role: owner(role),
            policy: policy.clone(),
        },
        PolicyLocation::PermissionsBoundary { role, policy } => {
            PolicyLocation::PermissionsBoundary {
                role: owner(role),
                policy: policy.clone(),
            }
        }
        other => other.clone(),
    }
}

/// Replaces `from` in `text` where it stands as a whole ARN (not as the start of a longer
/// one: `role/ci` inside `role/ci-2` stays).
pub(super) fn replace_arn(text: &str, from: &str, to: &str) -> String {
    let arn_char = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-/:".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(from) {
        let after = &rest[at + from.len()..];
        out.push_str(&rest[..at]);
        if after.chars().next().is_some_and(arn_char) {
            out.push_str(from);
        } else {
            out.push_str(to);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::reverse::Standing;

    #[test]
    fn a_twin_answer_names_the_twin_everywhere_but_in_longer_arns() {
        let from = "arn:aws:iam::111111111111:role/ci";
        let to = "arn:aws:iam::111111111111:role/ci-7";
        let answer = Principal {
            principal: from.into(),
            account: Some("111111111111".into()),
            verdict: Standing::Works,
            conditions: Vec::new(),
            via: Vec::new(),
            reason: Some(format!(
                "{from} may; arn:aws:iam::111111111111:role/ci-2 too"
            )),
            evidence: vec![Evidence {
                account: Some("111111111111".into()),
                policy: Some(PolicyLocation::InlinePolicy {
                    role: from.into(),
                    name: "pull".into(),
                }),
                statement: Some(0),
                sid: None,
                detail: "allows ecr:BatchGetImage".into(),
            }],
        };
        let twin = retarget(&answer, from, to);
        assert_eq!(twin.principal, to);
        assert_eq!(
            twin.reason.as_deref(),
            Some(
                "arn:aws:iam::111111111111:role/ci-7 may; arn:aws:iam::111111111111:role/ci-2 too"
            )
        );
        assert_eq!(
            twin.evidence[0].policy,
            Some(PolicyLocation::InlinePolicy {
                role: to.into(),
                name: "pull".into()
            })
        );
    }

    #[test]
    fn conditions_on_who_exactly_calls_keep_principals_apart() {
        let document = |condition: Value| {
            PolicyDocument::from_value(&serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*",
                               "Condition": condition}]
            }))
            .expect("valid")
        };
        assert!(tells_apart(&document(serde_json::json!(
            {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ci"}}
        ))));
        assert!(!tells_apart(&document(serde_json::json!(
            {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}
        ))));
    }
}
