//! The `Diagnosis`: a verdict, ordered checks with evidence, and concrete fixes. The TUI,
//! `crossdock explain` and the JSON output are all renderings of this one value.

use serde::{Deserialize, Serialize};

pub use super::check_id::CheckId;
use serde_json::Value;

/// The answer to a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every check passed (warnings allowed).
    Works,
    /// At least one check failed.
    Fails,
    /// Evidence is missing: no check failed, but at least one could not be decided.
    Unknown,
}

/// The status of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Proven fine.
    Pass,
    /// Proven broken.
    Fail,
    /// Works, but something is risky or will break soon.
    Warn,
    /// Could not be decided; the message says what evidence is missing.
    Unknown,
    /// Does not apply to this request (nothing to check); never counts as a pass.
    #[serde(rename = "n/a")]
    NotApplicable,
}

impl Status {
    /// The mark the text and TUI renderings use.
    pub fn mark(self) -> &'static str {
        match self {
            Status::Pass => "✓",
            Status::Fail => "✗",
            Status::Warn => "!",
            Status::Unknown => "?",
            Status::NotApplicable => "–",
        }
    }
}

/// Where a piece of evidence lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum PolicyLocation {
    /// A repository policy.
    RepositoryPolicy {
        /// Repository ARN.
        repository: String,
    },
    /// A role's trust policy.
    TrustPolicy {
        /// Role ARN.
        role: String,
    },
    /// An inline policy of a role, user or group.
    InlinePolicy {
        /// The role, user or group ARN that holds it.
        role: String,
        /// Policy name.
        name: String,
    },
    /// A managed policy attached to a role, user or group.
    ManagedPolicy {
        /// The role, user or group ARN it is attached to.
        role: String,
        /// Policy ARN.
        policy: String,
    },
    /// The permissions boundary of a role or user.
    PermissionsBoundary {
        /// The role or user ARN.
        role: String,
        /// Policy ARN.
        policy: String,
    },
    /// A KMS key policy.
    KeyPolicy {
        /// Key ARN.
        key: String,
    },
    /// An S3 bucket policy.
    BucketPolicy {
        /// Bucket name.
        bucket: String,
    },
    /// A VPC endpoint's policy.
    VpcEndpointPolicy {
        /// The endpoint id, `vpce-…`.
        endpoint: String,
    },
    /// An ECR registry policy.
    RegistryPolicy {
        /// The registry (account id).
        registry: String,
    },
}

impl std::fmt::Display for PolicyLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PolicyLocation::RepositoryPolicy { repository } => {
                write!(f, "repository policy of {repository}")
            }
            PolicyLocation::TrustPolicy { role } => write!(f, "trust policy of {role}"),
            PolicyLocation::InlinePolicy { role, name } => {
                write!(f, "inline policy `{name}` of {role}")
            }
            PolicyLocation::ManagedPolicy { role, policy } => {
                write!(f, "managed policy {policy} attached to {role}")
            }
            PolicyLocation::PermissionsBoundary { role, policy } => {
                write!(f, "permissions boundary {policy} of {role}")
            }
            PolicyLocation::KeyPolicy { key } => write!(f, "key policy of {key}"),
            PolicyLocation::BucketPolicy { bucket } => write!(f, "bucket policy of s3://{bucket}"),
            PolicyLocation::VpcEndpointPolicy { endpoint } => {
                write!(f, "endpoint policy of {endpoint}")
            }
            PolicyLocation::RegistryPolicy { registry } => {
                write!(f, "registry policy of {registry}")
            }
        }
    }
}

/// One piece of evidence behind a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The account the evidence lives in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The policy, when the evidence is a policy statement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyLocation>,
    /// The statement index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<usize>,
    /// The statement's Sid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// What the evidence shows, e.g. the condition and the values compared.
    pub detail: String,
}

/// A change that fixes a failed check.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FixAction {
    /// Add this statement to the policy (creating the policy if there is none).
    AddStatement {
        /// Where.
        target: PolicyLocation,
        /// The statement JSON.
        statement: Value,
    },
    /// Add several statements to the policy (e.g. a key's use and grant statements).
    AddStatements {
        /// Where.
        target: PolicyLocation,
        /// The statements JSON.
        statements: Vec<Value>,
    },
    /// Replace statement `index` of the policy by this one.
    ReplaceStatement {
        /// Where.
        target: PolicyLocation,
        /// Which statement.
        index: usize,
        /// The new statement JSON.
        statement: Value,
    },
    /// Change a resource setting.
    Setting {
        /// The resource ARN or name.
        resource: String,
        /// The setting, e.g. `environment.imagePullCredentialsType`.
        setting: String,
        /// The value to set.
        value: Value,
    },
    /// A change crossdock cannot express as data (e.g. "assume a role in B, then push").
    Procedure {
        /// The steps.
        steps: Vec<String>,
    },
}

/// A fix for one failed check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fix {
    /// One line: what to change and where.
    pub summary: String,
    /// The account to change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The change.
    pub action: FixAction,
}

impl Fix {
    /// A fix that is a procedure for a person to follow.
    pub fn procedure(account: Option<&str>, summary: &str, steps: Vec<String>) -> Self {
        Self {
            summary: summary.into(),
            account: account.map(str::to_string),
            action: FixAction::Procedure { steps },
        }
    }
}

/// One check of a diagnosis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// Stable id, serialised kebab-case (documented in `docs/checks.md`).
    pub id: CheckId,
    /// Pass, fail, warn or unknown.
    pub status: Status,
    /// The account the check is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// One line.
    pub message: String,
    /// The evidence.
    pub evidence: Vec<Evidence>,
    /// The fix, for failures (and warnings where one exists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

impl Check {
    /// A check with no evidence or fix yet.
    pub fn new(
        id: CheckId,
        status: Status,
        account: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            id,
            status,
            account: account.map(str::to_string),
            message: message.into(),
            evidence: Vec::new(),
            fix: None,
        }
    }
}

/// The question as asked, for headers and reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuestionSummary {
    /// `pull`, `push`, `assume`, `trigger`, `artifact`.
    pub kind: String,
    /// One line, e.g. "can role/codebuild-service-role pull source-repo:latest?".
    pub text: String,
    /// The principal asking, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    /// The resource asked about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
}

/// The full answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnosis {
    /// Works, fails or unknown.
    pub verdict: Verdict,
    /// The question.
    pub question: QuestionSummary,
    /// One sentence: the answer and its main cause.
    pub summary: String,
    /// The checks in the order they were made.
    pub checks: Vec<Check>,
    /// Inputs nobody gave that evidence supplied (e.g. the pusher from CloudTrail).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub found: Vec<super::draft::Found>,
    /// Inputs nobody gave and no evidence names: what the answer assumes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<super::draft::Assumption>,
    /// The failed checks' fixes as complete changes, one per document, verified by asking
    /// the question again with all of them applied (`docs/fixes.md`).
    pub fixes: Vec<super::fixes::FixEntry>,
    /// When the verdict is `works`: what crossdock could not see that could still deny
    /// (unread guardrails, the network path, session policies, session tags).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unseen: Vec<Unseen>,
}

/// Something crossdock could not see that could still deny a request it says works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unseen {
    /// A stable kebab-case id (`org-scps`, `org-rcps`, `network-path`, `session-policy`,
    /// `session-tags`; other layers may add their own).
    pub id: String,
    /// What could deny, e.g. "the organisation's SCPs over account 111111111111".
    pub what: String,
    /// Why crossdock did not see it, and where to look or what to pass to see it.
    pub how_to_see: String,
}

impl Unseen {
    /// An item.
    pub fn new(id: &str, what: impl Into<String>, how_to_see: impl Into<String>) -> Self {
        Self {
            id: id.to_string(),
            what: what.into(),
            how_to_see: how_to_see.into(),
        }
    }
}

impl Diagnosis {
    /// Builds a diagnosis; the verdict follows from the checks.
    pub fn new(question: QuestionSummary, checks: Vec<Check>) -> Self {
        let verdict = if checks.iter().any(|c| c.status == Status::Fail) {
            Verdict::Fails
        } else if checks.iter().any(|c| c.status == Status::Unknown) {
            Verdict::Unknown
        } else {
            Verdict::Works
        };
        let summary = match verdict {
            Verdict::Works => format!("Works: {}", question.text),
            Verdict::Fails => {
                let failed: Vec<&str> = checks
                    .iter()
                    .filter(|c| c.status == Status::Fail)
                    .map(|c| c.message.as_str())
                    .collect();
                format!("Fails: {}", failed.join("; "))
            }
            Verdict::Unknown => {
                let missing: Vec<&str> = checks
                    .iter()
                    .filter(|c| c.status == Status::Unknown)
                    .map(|c| c.message.as_str())
                    .collect();
                format!("Unknown (evidence missing): {}", missing.join("; "))
            }
        };
        Self {
            verdict,
            question,
            summary,
            checks,
            found: Vec::new(),
            assumptions: Vec::new(),
            fixes: Vec::new(),
            unseen: Vec::new(),
        }
    }

    /// Adds an unseen item (once per id and text); only a `works` answer lists them.
    pub fn add_unseen(&mut self, item: Unseen) {
        if self.verdict == Verdict::Works && !self.unseen.contains(&item) {
            self.unseen.push(item);
        }
    }

    /// The checks with a given status.
    pub fn with_status(&self, status: Status) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(move |c| c.status == status)
    }

    /// The entry of `fixes` that carries the fix of check `index`, if any.
    pub fn fix_entry_of(&self, index: usize) -> Option<usize> {
        self.fixes
            .iter()
            .position(|f| f.check_indexes.contains(&index))
    }

    /// The check with `id`, if made.
    pub fn check(&self, id: CheckId) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(id: CheckId, status: Status) -> Check {
        Check {
            id,
            status,
            account: None,
            message: format!("{id} message"),
            evidence: Vec::new(),
            fix: None,
        }
    }

    fn question() -> QuestionSummary {
        QuestionSummary {
            kind: "pull".into(),
            text: "can x pull y?".into(),
            principal: None,
            resource: None,
        }
    }

    #[test]
    fn verdict_follows_checks() {
        let works = Diagnosis::new(
            question(),
            vec![
                check(CheckId::AuthToken, Status::Pass),
                check(CheckId::ExplicitDeny, Status::Warn),
            ],
        );
        assert_eq!(works.verdict, Verdict::Works);
        let unknown = Diagnosis::new(
            question(),
            vec![
                check(CheckId::AuthToken, Status::Pass),
                check(CheckId::ExplicitDeny, Status::Unknown),
            ],
        );
        assert_eq!(unknown.verdict, Verdict::Unknown);
        let fails = Diagnosis::new(
            question(),
            vec![
                check(CheckId::AuthToken, Status::Unknown),
                check(CheckId::ExplicitDeny, Status::Fail),
                check(CheckId::TrustCondition, Status::NotApplicable),
            ],
        );
        assert_eq!(fails.verdict, Verdict::Fails);
        assert!(fails.summary.contains("explicit-deny message"));
        assert_eq!(
            fails.check(CheckId::AuthToken).unwrap().status,
            Status::Unknown
        );
        let not_applicable = Diagnosis::new(
            question(),
            vec![check(CheckId::TrustCondition, Status::NotApplicable)],
        );
        assert_eq!(not_applicable.verdict, Verdict::Works);
    }
}
