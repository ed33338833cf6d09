//! Resources that must give one principal the same answer, so `what-can` evaluates one of
//! them and gives the others that answer with their own ARN in it: 2,000 repositories
//! cloned from a handful of templates cost a handful of evaluations, not 4,000.
//!
//! Two resources are alike for a principal when they are of the same kind in the same
//! account and region, their resource policies are the same parsed document (the policy
//! store gives identical documents one shared parse, so this is a pointer comparison) and
//! every `Resource` / `NotResource` pattern of every document the question can meet — the
//! principal's identity policies and boundary, the resource policy, the registry policies,
//! the organisations' guardrails — matches both or neither. Nothing is shared when one of
//! those documents reads the resource in a condition (`aws:ResourceTag/…`,
//! `aws:ResourceAccount`, …) or holds a policy variable, or for kinds whose answer depends
//! on more than policies (a key's state and grants, a pipeline's source).

use std::collections::HashMap;
use std::sync::Arc;

use crate::diagnose::model::{Evidence, PolicyLocation};
use crate::inventory::Accounts;
use crate::policy::arn::Arn;
use crate::policy::document::PolicyDocument;
use crate::policy::RequestContext;

use super::targets::ResourcePolicy;
use super::twins::replace_arn;
use super::{Kind, Reachable};

/// What makes two resources answer one principal alike (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Likeness {
    kind: String,
    account: String,
    region: String,
    /// The resource policy's shared parse ([`ABSENT`], [`NOT_LOADED`]).
    policy: usize,
    /// Which resource patterns of the documents the question meets match the resource.
    matches: Vec<bool>,
}

/// The answers of one `what-can` question so far, by likeness, with the resource each was
/// given for.
pub(super) struct ResourceTwins {
    /// The documents every target meets (identity, boundary, registries, guardrails);
    /// `None` when one of them reads the resource in a condition or holds a variable.
    documents: Option<Vec<Arc<PolicyDocument>>>,
    answers: HashMap<Likeness, (String, Reachable)>,
}

impl ResourceTwins {
    /// For a principal whose identity documents and boundary are `principal` (`None` when
    /// they could not all be read: then nothing is shared).
    pub(super) fn new(accounts: &Accounts, principal: Option<Vec<Arc<PolicyDocument>>>) -> Self {
        let documents = principal.and_then(|mut documents| {
            documents.extend(question_documents(accounts)?);
            documents
                .iter()
                .all(|d| !reads_the_resource(d))
                .then_some(documents)
        });
        ResourceTwins {
            documents,
            answers: HashMap::new(),
        }
    }

    /// The answer for `resource`, whose policy is `policy`, from an alike resource's, when
    /// one was answered.
    pub(super) fn answer_for(&self, kind: &Kind, resource: &str, policy: &ResourcePolicy) -> Found {
        let Some(likeness) = self.likeness(kind, resource, policy) else {
            return Found::Alone;
        };
        match self.answers.get(&likeness) {
            Some((twin, answer)) => Found::Shared(retarget(answer, twin, resource)),
            None => Found::First(Box::new(likeness)),
        }
    }

    /// Keeps `answer` for the resources alike to the one `found` was asked for.
    pub(super) fn keep(&mut self, found: Found, answer: &Reachable) {
        if let Found::First(likeness) = found {
            self.answers
                .insert(*likeness, (answer.resource.clone(), answer.clone()));
        }
    }

    fn likeness(&self, kind: &Kind, resource: &str, policy: &ResourcePolicy) -> Option<Likeness> {
        if !matches!(kind, Kind::Pull | Kind::Push | Kind::Assume) {
            return None;
        }
        let documents = self.documents.as_ref()?;
        let arn = Arn::parse(resource)?;
        let (pointer, document) = match policy {
            ResourcePolicy::Parsed(document) if reads_the_resource(document) => return None,
            ResourcePolicy::Parsed(document) => (Arc::as_ptr(document) as usize, Some(document)),
            ResourcePolicy::Absent => (ABSENT, None),
            // Not read yet: every such resource is unknown for the same reason (which names
            // the resource by ARN, so the retargeted answer names its own).
            ResourcePolicy::NotLoaded => (NOT_LOADED, None),
            // Unreadable or invalid: the reason is the resource's own; evaluate it alone.
            ResourcePolicy::Unusable => return None,
        };
        Some(likeness_of(
            kind, resource, &arn, pointer, documents, document,
        ))
    }
}

/// The likeness of `resource` (parsed: `arn`), whose policy is `pointer` (and `policy`,
/// when loaded), for a principal meeting `documents`.
fn likeness_of(
    kind: &Kind,
    resource: &str,
    arn: &Arn<'_>,
    pointer: usize,
    documents: &[Arc<PolicyDocument>],
    policy: Option<&Arc<PolicyDocument>>,
) -> Likeness {
    let context = RequestContext::default();
    let matches = documents
        .iter()
        .chain(policy)
        .flat_map(|d| &d.statements)
        .filter_map(|s| s.resource.as_ref())
        .flat_map(|spec| &spec.patterns)
        .map(|p| p.matches(resource, &context))
        .collect();
    Likeness {
        kind: kind.name().to_string(),
        account: arn.account.to_string(),
        region: arn.region.to_string(),
        policy: pointer,
        matches,
    }
}

/// [`Likeness::policy`] of a resource without a policy.
const ABSENT: usize = 0;
/// [`Likeness::policy`] of a resource whose policy is not read yet (no pointer is 1).
const NOT_LOADED: usize = 1;

/// What [`ResourceTwins::answer_for`] found.
pub(super) enum Found {
    /// An alike resource was answered: this is its answer, retargeted.
    Shared(Reachable),
    /// The first of its likeness: evaluate it and keep the answer.
    First(Box<Likeness>),
    /// Nothing may be shared for this resource: evaluate it on its own.
    Alone,
}

/// The documents every target of a what-can question may meet besides the principal's and
/// the resource's own: each account's registry policy and the guardrails above each
/// account; `None` when one cannot be parsed.
fn question_documents(accounts: &Accounts) -> Option<Vec<Arc<PolicyDocument>>> {
    let mut documents = Vec::new();
    for account in accounts.accounts() {
        if let Some(registry) = account.registry_policy.loaded() {
            let location = PolicyLocation::RegistryPolicy {
                registry: account.id().to_string(),
            };
            let key = format!("{} {location}", account.id());
            documents.push(accounts.policies().parsed(&key, registry).ok()?);
        }
        let Some(guardrails) = account.org.guardrails.loaded() else {
            continue;
        };
        for levels in [&guardrails.scps, &guardrails.rcps] {
            for policy in levels
                .loaded()
                .into_iter()
                .flatten()
                .flat_map(|l| &l.policies)
            {
                documents.push(Arc::new(PolicyDocument::parse_str(&policy.content).ok()?));
            }
        }
    }
    Some(documents)
}

/// Whether `document` can answer two resources differently beyond its Resource patterns: a
/// condition reading the resource (its tags, account, organisation) or a policy variable.
fn reads_the_resource(document: &PolicyDocument) -> bool {
    document.statements.iter().any(|s| {
        s.resource
            .as_ref()
            .is_some_and(|r| r.patterns.iter().any(|p| p.has_variables()))
            || s.conditions.iter().any(|c| {
                c.key.to_ascii_lowercase().contains("resource")
                    || c.values.iter().any(|v| {
                        let raw = v.raw.to_ascii_lowercase();
                        raw.contains("${") || raw.contains("resource")
                    })
            })
    })
}

/// `answer`, given for resource `from`, as the answer for `to`: the resource, and every
/// mention of `from` in the evidence's locations and details.
fn retarget(answer: &Reachable, from: &str, to: &str) -> Reachable {
    let swap = |text: &str| replace_arn(text, from, to);
    Reachable {
        resource: to.to_string(),
        kind: answer.kind.clone(),
        verdict: answer.verdict,
        via: answer.via.iter().map(|v| swap(v)).collect(),
        evidence: answer
            .evidence
            .iter()
            .map(|e| Evidence {
                account: e.account.clone(),
                policy: e.policy.as_ref().map(|p| retarget_location(p, &swap)),
                statement: e.statement,
                sid: e.sid.clone(),
                detail: swap(&e.detail),
            })
            .collect(),
    }
}

fn retarget_location(location: &PolicyLocation, swap: &dyn Fn(&str) -> String) -> PolicyLocation {
    match location {
        PolicyLocation::RepositoryPolicy { repository } => PolicyLocation::RepositoryPolicy {
            repository: swap(repository),
        },
        PolicyLocation::TrustPolicy { role } => PolicyLocation::TrustPolicy { role: swap(role) },
        PolicyLocation::KeyPolicy { key } => PolicyLocation::KeyPolicy { key: swap(key) },
        PolicyLocation::InlinePolicy { role, name } => PolicyLocation::InlinePolicy {
            role: swap(role),
            name: name.clone(),
        },
        PolicyLocation::ManagedPolicy { role, policy } => PolicyLocation::ManagedPolicy {
            role: swap(role),
            policy: swap(policy),
        },
        PolicyLocation::PermissionsBoundary { role, policy } => {
            PolicyLocation::PermissionsBoundary {
                role: swap(role),
                policy: swap(policy),
            }
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::reverse::Standing;

    fn document(statement: serde_json::Value) -> PolicyDocument {
        PolicyDocument::from_value(&serde_json::json!({
            "Version": "2012-10-17", "Statement": [statement]
        }))
        .expect("valid")
    }

    #[test]
    fn resource_conditions_and_variables_keep_resources_apart() {
        assert!(reads_the_resource(&document(serde_json::json!(
            {"Effect": "Allow", "Action": "ecr:*", "Resource": "*",
             "Condition": {"StringEquals": {"aws:ResourceTag/team": "build"}}}
        ))));
        assert!(reads_the_resource(&document(serde_json::json!(
            {"Effect": "Allow", "Action": "ecr:*",
             "Resource": "arn:aws:ecr:*:*:repository/${aws:PrincipalTag/team}-*"}
        ))));
        assert!(!reads_the_resource(&document(serde_json::json!(
            {"Effect": "Allow", "Action": "ecr:*", "Resource": "arn:aws:ecr:*:*:repository/app-*",
             "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}}
        ))));
    }

    #[test]
    fn a_shared_answer_names_its_own_resource_but_not_longer_arns() {
        let from = "arn:aws:ecr:eu-west-1:222222222222:repository/app";
        let to = "arn:aws:ecr:eu-west-1:222222222222:repository/app-2";
        let answer = Reachable {
            resource: from.into(),
            kind: "pull".into(),
            verdict: Standing::Works,
            via: Vec::new(),
            evidence: vec![Evidence {
                account: Some("222222222222".into()),
                policy: Some(PolicyLocation::RepositoryPolicy {
                    repository: from.into(),
                }),
                statement: Some(0),
                sid: None,
                detail: format!("allows ecr:BatchGetImage on {from} (not {from}-old)"),
            }],
        };
        let twin = retarget(&answer, from, to);
        assert_eq!(twin.resource, to);
        assert_eq!(
            twin.evidence[0].policy,
            Some(PolicyLocation::RepositoryPolicy {
                repository: to.into()
            })
        );
        assert_eq!(
            twin.evidence[0].detail,
            format!("allows ecr:BatchGetImage on {to} (not {from}-old)")
        );
    }
}
