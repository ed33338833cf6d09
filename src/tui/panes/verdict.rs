//! How the console reads a `Diagnosis` in two seconds: a one-line headline (verdict, the
//! account to change, the resource, the deciding statement), check rows failures first with
//! human labels, lints folded into the check they explain, and one fix per problem.

use std::collections::HashMap;

use crate::diagnose::model::{Check, CheckId, Diagnosis, Fix, FixAction, Status, Verdict};

/// The display order and grouping of one diagnosis's checks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct View {
    /// Check indices in display order: failures, unknowns, warnings, passes, n/a.
    pub rows: Vec<usize>,
    /// Per check index: the lint checks folded into it (shown as its notes).
    pub folded: Vec<Vec<usize>>,
    /// Per check index: the earlier check whose fix is the same change, when there is one.
    pub same_fix_as: Vec<Option<usize>>,
}

impl View {
    /// Orders, folds and de-duplicates the checks of `diagnosis`.
    pub fn of(diagnosis: &Diagnosis) -> View {
        let checks = &diagnosis.checks;
        let mut folded = vec![Vec::new(); checks.len()];
        let mut hidden = vec![false; checks.len()];
        for (lint, check) in checks.iter().enumerate().filter(|(_, c)| is_lint(c.id)) {
            let host = checks
                .iter()
                .position(|c| !is_lint(c.id) && shares_statement(c, check));
            if let Some(host) = host {
                folded[host].push(lint);
                hidden[lint] = true;
            }
        }
        let mut rows: Vec<usize> = (0..checks.len()).filter(|i| !hidden[*i]).collect();
        rows.sort_by_key(|i| rank(checks[*i].status));
        let mut same_fix_as = vec![None; checks.len()];
        let mut owners: HashMap<String, usize> = HashMap::new();
        for &i in &rows {
            let Some(key) = checks[i].fix.as_ref().and_then(fix_target) else {
                continue;
            };
            match owners.get(&key) {
                Some(owner) => same_fix_as[i] = Some(*owner),
                None => {
                    owners.insert(key, i);
                }
            }
        }
        View {
            rows,
            folded,
            same_fix_as,
        }
    }

    /// The fix to show and copy for a check: its own, or the one it shares.
    pub fn fix_for<'a>(&self, diagnosis: &'a Diagnosis, index: usize) -> Option<&'a Fix> {
        let owner = self
            .same_fix_as
            .get(index)
            .copied()
            .flatten()
            .unwrap_or(index);
        diagnosis.checks.get(owner)?.fix.as_ref()
    }
}

fn is_lint(id: CheckId) -> bool {
    id.as_str().starts_with("lint-")
}

fn shares_statement(check: &Check, lint: &Check) -> bool {
    lint.evidence.iter().any(|l| {
        l.policy.is_some()
            && check
                .evidence
                .iter()
                .any(|c| c.policy == l.policy && c.statement == l.statement)
    })
}

fn rank(status: Status) -> u8 {
    match status {
        Status::Fail => 0,
        Status::Unknown => 1,
        Status::Warn => 2,
        Status::Pass => 3,
        Status::NotApplicable => 4,
    }
}

/// Two fixes are one change when they edit the same policy or the same setting.
fn fix_target(fix: &Fix) -> Option<String> {
    match &fix.action {
        FixAction::AddStatement { target, .. }
        | FixAction::AddStatements { target, .. }
        | FixAction::ReplaceStatement { target, .. } => Some(format!("policy {target}")),
        FixAction::Setting {
            resource, setting, ..
        } => Some(format!("setting {resource} {setting}")),
        FixAction::Procedure { .. } => None,
    }
}

/// A label that reads right beside ✓ and ✗ (`✓ no explicit deny`).
pub fn label(id: CheckId) -> &'static str {
    match id {
        CheckId::IdentityAllows => "identity policy allows",
        CheckId::ResourcePolicyAllows => "resource policy allows",
        CheckId::ExplicitDeny => "no explicit deny",
        CheckId::AuthToken => "login token allowed",
        CheckId::ServicePrincipalOnly => "not a service-only grant",
        CheckId::CodebuildImagePullCredentials => "image pull credentials fit",
        CheckId::RepositoryExists => "repository exists",
        CheckId::KmsKeyState => "KMS key usable",
        CheckId::PushActions => "every push action allowed",
        CheckId::TagImmutability => "tag can be written",
        CheckId::RoleExists => "role exists",
        CheckId::TrustPolicyAllows => "trust policy allows",
        CheckId::CallerAllowsAssume => "caller may AssumeRole",
        CheckId::TrustCondition => "trust conditions met",
        CheckId::TriggerSourceAction => "pipeline has the ECR source",
        CheckId::TriggerRuleExists => "a rule targets the pipeline",
        CheckId::TriggerRuleEnabled => "rule enabled",
        CheckId::TriggerRulePattern => "rule pattern matches",
        CheckId::TriggerTagMatch => "tag matches",
        CheckId::TriggerCrossAccountPush => "push visible to the rule",
        CheckId::TriggerRuleTargetRole => "rule's role starts pipeline",
        CheckId::ArtifactKeyCustomerManaged => "artifact key customer managed",
        CheckId::ArtifactKeyAlias => "artifact key named by ARN",
        CheckId::ArtifactKeyPolicyAllows => "artifact key policy allows",
        CheckId::ArtifactBucketPolicyAllows => "artifact bucket policy allows",
        CheckId::ActionRoleAssumable => "action role assumable",
        CheckId::ErrorText => "error text recognised",
        CheckId::ErrorCause => "probable causes checked",
        CheckId::LintConditionKeyNeverPresent => "lint: condition key never present",
        CheckId::LintAuthTokenScoped => "lint: login token scoped",
        CheckId::LintKmsAdminWildcard => "lint: key admins get every action",
        CheckId::LintServicePrincipalOnly => "lint: service principals only",
        CheckId::OrgScpAllows => "organisation SCPs allow",
        CheckId::OrgRcpAllows => "organisation RCPs allow",
        CheckId::VpcEndpointPolicyAllows => "VPC endpoint policies allow",
        CheckId::VpcS3LayerAccess => "layers reachable from the VPC",
        CheckId::KmsGrantAllows => "KMS grant allows",
        CheckId::ReplicationRuleMatches => "replication rule matches",
        CheckId::RegistryPolicyAllows => "registry policy allows",
        CheckId::PullThroughRuleMatches => "cache rule matches",
        CheckId::PullThroughRoleTrusts => "cache role trusts ECR",
        CheckId::PullThroughRoleAllows => "cache role reads upstream",
        CheckId::PullThroughPullerAllows => "puller may import",
        CheckId::CreationTemplateMatches => "creation template matches",
        CheckId::DestinationKeyUsable => "destination key usable",
    }
}

/// The verdict word shown in the headline badge.
pub fn word(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Works => "WORKS",
        Verdict::Fails => "FAILS",
        Verdict::Unknown => "UNKNOWN",
    }
}

/// "A 111111111111" for an account shown on a side, else the bare id.
pub fn side_account(account: &str, sides: &[Option<String>; 2]) -> String {
    match sides.iter().position(|s| s.as_deref() == Some(account)) {
        Some(0) => format!("A {account}"),
        Some(_) => format!("B {account}"),
        None => account.to_string(),
    }
}

/// The last name of an ARN (`arn:…:repository/source-repo` → `source-repo`).
pub fn short_name(arn: &str) -> &str {
    if !arn.starts_with("arn:") {
        return arn;
    }
    // A role session reads as its role: the session name is a random build id.
    if let Some((_, rest)) = arn.split_once(":assumed-role/") {
        return rest.split('/').next().unwrap_or(rest);
    }
    arn.rsplit(['/', ':'])
        .find(|s| !s.is_empty())
        .unwrap_or(arn)
}

/// Shortens every ARN in a text to its last name.
fn shorten_arns(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            let trimmed = word.trim_end_matches([',', ':', ';', ')']);
            if trimmed.starts_with("arn:") {
                word.replacen(trimmed, short_name(trimmed), 1)
            } else {
                word.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One line naming the verdict, the account to change, the resource and the deciding
/// statement: `FAILS · change B 222222222222 · repository policy of source-repo · statement 0 …`.
pub fn headline(diagnosis: &Diagnosis, view: &View, sides: &[Option<String>; 2]) -> String {
    let verdict = word(diagnosis.verdict);
    let deciding = view
        .rows
        .first()
        .and_then(|i| diagnosis.checks.get(*i))
        .filter(|c| matches!(c.status, Status::Fail | Status::Unknown));
    let Some(check) = deciding else {
        return format!("{verdict} · {}", diagnosis.question.text);
    };
    let mut parts = vec![verdict.to_string()];
    let account = check
        .fix
        .as_ref()
        .and_then(|f| f.account.clone())
        .or_else(|| check.account.clone());
    if let Some(account) = account {
        let verb = if check.status == Status::Fail {
            "change"
        } else {
            "read"
        };
        parts.push(format!("{verb} {}", side_account(&account, sides)));
    }
    let evidence = check.evidence.iter().find(|e| e.policy.is_some());
    match evidence {
        Some(evidence) => {
            if let Some(policy) = &evidence.policy {
                parts.push(shorten_arns(&policy.to_string()));
            }
            let statement = match (evidence.statement, &evidence.sid) {
                (Some(i), Some(sid)) => format!("statement {i} \"{sid}\" "),
                (Some(i), None) => format!("statement {i} "),
                _ => String::new(),
            };
            parts.push(format!("{statement}{}", shorten_arns(&evidence.detail)));
        }
        None => parts.push(format!(
            "{}: {}",
            label(check.id),
            shorten_arns(&check.message)
        )),
    }
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::scenario;

    fn s1() -> Diagnosis {
        let accounts = crate::inventory::demo::load().expect("demo");
        let scenario = scenario::scenarios()
            .expect("scenarios")
            .into_iter()
            .find(|s| s.id == "s1-broken")
            .expect("s1");
        crate::diagnose::diagnose(&accounts, &scenario.question).expect("s1 diagnoses")
    }

    #[test]
    fn s1_reads_in_one_line_with_failures_first_and_one_fix() {
        let diagnosis = s1();
        let view = View::of(&diagnosis);
        let sides = [
            Some("111111111111".to_string()),
            Some("222222222222".to_string()),
        ];
        let line = headline(&diagnosis, &view, &sides);
        assert!(
            line.starts_with(
                "FAILS · change B 222222222222 · repository policy of source-repo · statement 0 \"CodeBuildAccessPrincipal\""
            ),
            "{line}"
        );
        let first = &diagnosis.checks[view.rows[0]];
        assert_eq!(first.status, Status::Fail);
        // The lint about the same statement is a note of its check, not a row of its own.
        assert!(view
            .rows
            .iter()
            .all(|i| diagnosis.checks[*i].id != CheckId::LintServicePrincipalOnly));
        // Two failing checks about one statement share one fix.
        let fixes: Vec<_> = view
            .rows
            .iter()
            .filter(|i| diagnosis.checks[**i].fix.is_some() && view.same_fix_as[**i].is_none())
            .collect();
        assert_eq!(fixes.len(), 1, "{view:?}");
    }

    #[test]
    fn short_names_and_labels() {
        assert_eq!(
            short_name("arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo"),
            "source-repo"
        );
        assert_eq!(short_name("source-repo"), "source-repo");
        assert_eq!(label(CheckId::ExplicitDeny), "no explicit deny");
    }
}
