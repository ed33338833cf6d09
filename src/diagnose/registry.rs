//! The registry paths (FAILURE-CATALOG §2.11): can account A's registry replicate into
//! account B's? A replication rule of A must send the repository to B's registry in B's
//! region, and B's registry policy must allow A's account `ecr:ReplicateImage` — and
//! `ecr:CreateRepository` unless the repository already exists in B. A repository ECR
//! creates in B takes its settings from B's creation template applied for `REPLICATION`
//! (`ecr:DescribeRepositoryCreationTemplates`); its KMS key (or the existing repository's)
//! must let ECR's replication use it.

use serde_json::json;

use super::access::note;
use super::check_id::CheckId;
use super::gate::{policy_gate, Gate};
use super::model::{
    Check, Diagnosis, Evidence, Fix, FixAction, PolicyLocation, QuestionSummary, Status,
};
use super::subject::{field_gap, parse_field};
use crate::inventory::{Account, Accounts, Field};
use crate::policy::{Caller, RequestContext};

/// Can `source`'s registry replicate `repository` (any when `None`) into `destination`'s?
pub fn replicate(
    accounts: &Accounts,
    source: &str,
    destination: &str,
    repository: Option<&str>,
) -> Diagnosis {
    let what = repository.map_or("its repositories".to_string(), |r| format!("`{r}`"));
    let question = QuestionSummary {
        kind: "replicate".into(),
        text: format!("can registry {source} replicate {what} into registry {destination}?"),
        principal: Some(format!("arn:aws:iam::{source}:root")),
        resource: Some(destination.to_string()),
    };
    // Replication goes to the destination's region as loaded, else the source's.
    let region = accounts
        .account(destination)
        .or_else(|| accounts.account(source))
        .map(|a| a.region().to_string())
        .unwrap_or_default();
    let mut checks = vec![
        rule_check(
            accounts.account(source),
            source,
            destination,
            &region,
            repository,
        ),
        policy_check(accounts, source, destination, &region, repository),
    ];
    let template = super::creation_template::template_check(accounts, destination, repository);
    checks.push(template.check);
    checks.push(super::creation_template::key_check(
        accounts,
        destination,
        template.encryption.as_ref(),
    ));
    Diagnosis::new(question, checks)
}

fn rule_check(
    source: Option<&Account>,
    source_id: &str,
    destination: &str,
    region: &str,
    repository: Option<&str>,
) -> Check {
    let id = CheckId::ReplicationRuleMatches;
    let Some(account) = source else {
        let message = format!("account {source_id} is not loaded: open a profile or snapshot for it to read its replication rules");
        return Check::new(id, Status::Unknown, Some(source_id), message);
    };
    let rules = match &account.replication {
        Field::Loaded(rules) => rules.as_slice(),
        Field::Absent => &[],
        other => {
            let reason = field_gap(
                &format!("the replication configuration of {source_id}"),
                other.as_ref(),
            );
            return Check::new(id, Status::Unknown, Some(source_id), reason);
        }
    };
    let target = format!("{destination} in {region}");
    let matching = rules
        .iter()
        .position(|r| r.sends_to(destination, region) && r.covers(repository));
    if let Some(index) = matching {
        let rule = &rules[index];
        let filters = if rule.repository_filters.is_empty() {
            "every repository".to_string()
        } else {
            format!(
                "repositories starting with {}",
                rule.repository_filters.join(", ")
            )
        };
        let mut check = Check::new(
            id,
            Status::Pass,
            Some(source_id),
            format!("replication rule {index} of {source_id} sends {filters} to {target}"),
        );
        check
            .evidence
            .push(note(Some(source_id), format!("rule {index}: {rule:?}")));
        return check;
    }
    let to_destination = rules.iter().any(|r| r.sends_to(destination, region));
    let message = match (rules.is_empty(), to_destination, repository) {
        (true, _, _) => format!("registry {source_id} has no replication rules"),
        (false, true, Some(name)) => format!(
            "the rules of {source_id} that send to {target} filter out `{name}` (prefix filters)"
        ),
        _ => format!("no replication rule of {source_id} sends to {target}"),
    };
    let mut check = Check::new(id, Status::Fail, Some(source_id), message);
    let filter = repository
        .map(|r| {
            format!(
                ",\"repositoryFilters\":[{{\"filter\":\"{r}\",\"filterType\":\"PREFIX_MATCH\"}}]"
            )
        })
        .unwrap_or_default();
    check.fix = Some(Fix::procedure(
        Some(source_id),
        &format!("add a replication rule to {target} in registry {source_id} (keeping the existing rules)"),
        vec![format!(
            "aws ecr put-replication-configuration --replication-configuration '{{\"rules\":[{{\"destinations\":[{{\"region\":\"{region}\",\"registryId\":\"{destination}\"}}]{filter}}}]}}'"
        )],
    ));
    check
}

/// The destination's registry policy: `ecr:ReplicateImage`, and `ecr:CreateRepository`
/// unless the repository exists there, for the source account.
fn policy_check(
    accounts: &Accounts,
    source: &str,
    destination: &str,
    region: &str,
    repository: Option<&str>,
) -> Check {
    let id = CheckId::RegistryPolicyAllows;
    let Some(account) = accounts.account(destination) else {
        let message = format!("account {destination} is not loaded: open a profile or snapshot for it to read its registry policy");
        return Check::new(id, Status::Unknown, Some(destination), message);
    };
    let resource = format!(
        "arn:aws:ecr:{region}:{destination}:repository/{}",
        repository.unwrap_or("*")
    );
    let exists = repository.map(|r| account.repository_lookup(r));
    let mut actions = vec!["ecr:ReplicateImage"];
    if !matches!(exists, Some(Field::Loaded(_))) {
        actions.push("ecr:CreateRepository");
    }
    let location = PolicyLocation::RegistryPolicy {
        registry: destination.to_string(),
    };
    let policy = match parse_field(
        accounts.policies(),
        account.registry_policy.as_ref(),
        &location,
        destination,
    ) {
        Ok(policy) => policy,
        Err(gap) => return Check::new(id, Status::Unknown, Some(destination), gap.reason),
    };
    let caller = Caller::parse(&format!("arn:aws:iam::{source}:root"), None).ok();
    let (Some(policy), Some(caller)) = (policy, caller) else {
        return refused(
            destination,
            source,
            &actions,
            &resource,
            Vec::new(),
            "there is no registry policy, so it refuses replication from other accounts",
        );
    };
    let mut allowed = Vec::new();
    let mut missing = Vec::new();
    let mut evidence = Vec::new();
    for action in &actions {
        match policy_gate(&policy, &caller, action, &resource, &RequestContext::new()) {
            Gate::Allows(found) => {
                allowed.push(*action);
                evidence.extend(found);
            }
            Gate::Denies(found) | Gate::NoAllow(found) => {
                missing.push(*action);
                evidence.extend(found);
            }
            Gate::Unknown(_) => missing.push(*action),
        }
    }
    if missing.is_empty() {
        let mut check = Check::new(
            id,
            Status::Pass,
            Some(destination),
            format!(
                "the registry policy of {destination} allows {} for {source} on {resource}",
                allowed.join(", ")
            ),
        );
        check.evidence = evidence;
        return check;
    }
    let why = if missing.contains(&"ecr:CreateRepository") && exists.is_some() {
        "the repository does not exist there yet, so replication must create it"
    } else {
        "no statement names the source account for it"
    };
    refused(destination, source, &missing, &resource, evidence, why)
}

/// The failing `registry-policy-allows`, with the statement that lets `source` in.
fn refused(
    destination: &str,
    source: &str,
    actions: &[&str],
    resource: &str,
    evidence: Vec<Evidence>,
    why: &str,
) -> Check {
    let mut check = Check::new(
        CheckId::RegistryPolicyAllows,
        Status::Fail,
        Some(destination),
        format!(
            "the registry policy of {destination} does not allow {} for {source} on {resource}: {why}",
            actions.join(", ")
        ),
    );
    check.evidence = evidence;
    let all = resource
        .rsplit_once("repository/")
        .map_or(resource.to_string(), |(prefix, _)| {
            format!("{prefix}repository/*")
        });
    check.fix = Some(Fix {
        summary: format!(
            "allow {} for account {source} in the registry policy of {destination}",
            actions.join(", ")
        ),
        account: Some(destination.to_string()),
        action: FixAction::AddStatement {
            target: PolicyLocation::RegistryPolicy {
                registry: destination.to_string(),
            },
            statement: json!({
                "Sid": "CrossdockReplication",
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{source}:root")},
                "Action": ["ecr:ReplicateImage", "ecr:CreateRepository"],
                "Resource": all,
            }),
        },
    });
    check
}
