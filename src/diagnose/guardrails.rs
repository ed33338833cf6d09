//! The organisation's guardrails over a question: `org-scp-allows` (every SCP level above the
//! caller's account allows each action) and `org-rcp-allows` (every RCP level above the
//! resource's account allows it), evaluated with the policy evaluator level by level. Without
//! the chains (no `--org-profile`) the checks say what is unread and who can read it; a pasted
//! error that names an SCP or RCP makes them fail citing it.

use super::model::{Check, CheckId, Diagnosis, Evidence, Status, Verdict};
use super::question::Question;
use super::{PULL_ACTIONS, PUSH_ACTIONS};
use crate::inventory::org::{OrgLevel, ORG_PROFILE_PERMISSIONS};
use crate::inventory::{Accounts, Field, Guardrails, Organization};
use crate::policy::arn::{account_of, Caller};
use crate::policy::evaluate::{evaluate, Decision};
use crate::policy::guardrail::{rcp_exemption, scp_exemption};
use crate::policy::{ContextValue, LabeledPolicy, PolicyDocument, Request, RequestContext};

/// The headline of a verdict that only unread guardrails keep from `works`.
pub const UNREAD_HEADLINE: &str = "everything crossdock can read allows this; unread:";

/// One request the organisation's guardrails must let through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guarded {
    /// The caller (ARN or service principal).
    pub principal: String,
    /// The action.
    pub action: String,
    /// The resource ARN (`*` for registry-level actions).
    pub resource: String,
}

/// The requests a question makes that guardrails can refuse.
pub fn guarded_requests(question: &Question) -> Vec<Guarded> {
    let each = |principal: &str, actions: &[&str], resource: &str| -> Vec<Guarded> {
        actions
            .iter()
            .map(|action| Guarded {
                principal: principal.to_string(),
                action: action.to_string(),
                resource: resource.to_string(),
            })
            .collect()
    };
    match question {
        Question::Pull {
            principal,
            repository,
            ..
        } => {
            let mut requests = each(principal, &["ecr:GetAuthorizationToken"], "*");
            requests.extend(each(principal, &PULL_ACTIONS, repository));
            requests
        }
        Question::Push {
            principal,
            repository,
            ..
        } => each(principal, &PUSH_ACTIONS, repository),
        Question::Assume {
            principal, role, ..
        } => each(principal, &["sts:AssumeRole"], role),
        Question::Access {
            principal,
            action,
            resource,
        } => each(principal, &[action.as_str()], resource),
        Question::PullThrough {
            principal,
            repository,
        } => each(principal, &super::pull_through::PULLER_ACTIONS, repository),
        // Replication is ECR's own service call between registries, not a principal's request.
        Question::Trigger { .. }
        | Question::Artifact { .. }
        | Question::Error { .. }
        | Question::Replicate { .. } => Vec::new(),
    }
}

/// The requests of `question` guardrails can refuse, with what only the loaded accounts
/// say: an artifact question's action role, artifact key and bucket.
pub fn guarded_requests_in(accounts: &Accounts, question: &Question) -> Vec<Guarded> {
    match question {
        Question::Artifact { pipeline, action } => artifact_requests(accounts, pipeline, action),
        other => guarded_requests(other),
    }
}

/// The action role's calls on the artifact store: `kms:Decrypt`/`kms:GenerateDataKey` on the
/// artifact key first (its ARN names the account whose RCPs govern the store), then
/// `s3:GetObject`/`s3:PutObject` in the bucket.
fn artifact_requests(accounts: &Accounts, pipeline: &str, action: &str) -> Vec<Guarded> {
    let Some((account, found)) = accounts
        .accounts()
        .find_map(|a| Some((a, a.pipeline_lookup(pipeline).into_loaded()?)))
    else {
        return Vec::new();
    };
    let role = found
        .action(action)
        .and_then(|a| a.role_arn.clone())
        .or_else(|| found.role_arn.loaded().cloned());
    let (Some(role), Some(store)) = (role, found.artifact_store.loaded()) else {
        return Vec::new();
    };
    let request = |action: &str, resource: &str| Guarded {
        principal: role.clone(),
        action: action.to_string(),
        resource: resource.to_string(),
    };
    let key = store
        .encryption_key
        .as_ref()
        .and_then(|k| {
            account
                .key_lookup(&k.id)
                .into_loaded()
                .map(|key| key.arn.clone())
        })
        .or_else(|| {
            store
                .encryption_key
                .as_ref()
                .map(|k| k.id.clone())
                .filter(|id| id.starts_with("arn:aws:kms:") && id.contains(":key/"))
        });
    let mut requests = Vec::new();
    if let Some(key) = &key {
        requests.extend(["kms:Decrypt", "kms:GenerateDataKey"].map(|a| request(a, key)));
    }
    // An S3 ARN names no account: without the key's ARN first, the bucket's account (the
    // pipeline's) is only known to be the role's when both are one account.
    if key.is_some() || account_of(&role) == Some(account.id()) {
        let objects = format!("arn:aws:s3:::{}/*", store.location);
        requests.extend(["s3:GetObject", "s3:PutObject"].map(|a| request(a, &objects)));
    }
    requests
}

/// Which guardrail a check is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Service control policies, over the caller's account.
    Scp,
    /// Resource control policies, over the resource's account.
    Rcp,
}

impl Kind {
    fn id(self) -> CheckId {
        match self {
            Kind::Scp => CheckId::OrgScpAllows,
            Kind::Rcp => CheckId::OrgRcpAllows,
        }
    }

    /// `SCP` or `RCP`.
    pub fn short(self) -> &'static str {
        match self {
            Kind::Scp => "SCP",
            Kind::Rcp => "RCP",
        }
    }

    fn plural(self) -> &'static str {
        match self {
            Kind::Scp => "the organisation's SCPs",
            Kind::Rcp => "the organisation's RCPs",
        }
    }

    fn chain(self, guardrails: &Guardrails) -> &Field<Vec<OrgLevel>> {
        match self {
            Kind::Scp => &guardrails.scps,
            Kind::Rcp => &guardrails.rcps,
        }
    }
}

/// Adds `org-scp-allows` and `org-rcp-allows` to `diagnosis` where they can be said, and
/// lets them decide the verdict with the other checks.
pub fn add_checks(accounts: &Accounts, question: &Question, diagnosis: &mut Diagnosis) {
    let requests = guarded_requests_in(accounts, question);
    if requests.is_empty() {
        return;
    }
    let checks: Vec<Check> = [Kind::Scp, Kind::Rcp]
        .into_iter()
        .filter_map(|kind| guardrail_check(accounts, kind, &requests))
        .collect();
    add_to_verdict(diagnosis, checks);
}

/// Appends guardrail checks and recomputes the verdict: a failure fails the answer; an
/// unknown guardrail turns `works` into `unknown` with the "everything crossdock can read
/// allows this" headline.
pub fn add_to_verdict(diagnosis: &mut Diagnosis, checks: Vec<Check>) {
    let failed = checks.iter().any(|c| c.status == Status::Fail);
    let unknown: Vec<&'static str> = checks
        .iter()
        .filter(|c| c.status == Status::Unknown)
        .map(|c| match c.id {
            CheckId::OrgRcpAllows => "the organisation's RCPs",
            _ => "the organisation's SCPs",
        })
        .collect();
    let was = diagnosis.verdict;
    let headline = (was == Verdict::Works && !failed && !unknown.is_empty()).then(|| {
        format!(
            "Unknown: {UNREAD_HEADLINE} {} (pass --org-profile)",
            unknown.join(" and ")
        )
    });
    diagnosis.checks.extend(checks);
    if failed && was != Verdict::Fails {
        let rebuilt = Diagnosis::new(diagnosis.question.clone(), diagnosis.checks.clone());
        diagnosis.verdict = rebuilt.verdict;
        diagnosis.summary = rebuilt.summary;
    } else if let Some(headline) = headline {
        diagnosis.verdict = Verdict::Unknown;
        diagnosis.summary = headline;
    }
}

/// The account a guardrail kind is about: the caller's for SCPs, the resource's for RCPs.
fn governed_account(kind: Kind, request: &Guarded) -> Option<String> {
    let caller_account = || {
        Caller::parse(&request.principal, None)
            .ok()?
            .account()
            .map(str::to_string)
    };
    match kind {
        Kind::Scp => caller_account(),
        Kind::Rcp => account_of(&request.resource)
            .map(str::to_string)
            .or_else(caller_account),
    }
}

/// One guardrail check over the question's requests, or `None` when nothing is known about
/// the account's organisation (an account crossdock did not read; an older snapshot).
fn guardrail_check(accounts: &Accounts, kind: Kind, requests: &[Guarded]) -> Option<Check> {
    let first = requests.first()?;
    let caller = Caller::parse(&first.principal, None).ok()?;
    // A registry-level request (resource `*`) has no resource account for an RCP to govern.
    let in_scope: Vec<&Guarded> = requests
        .iter()
        .filter(|r| kind == Kind::Scp || r.resource != "*")
        .collect();
    let applying: Vec<&Guarded> = in_scope
        .iter()
        .copied()
        .filter(|r| exemption(kind, &caller, &r.action).is_none())
        .collect();
    let id = kind.id();
    let Some(governing) = applying.first().copied() else {
        let action = in_scope
            .first()
            .map_or(first.action.as_str(), |r| r.action.as_str());
        let why = exemption(kind, &caller, action).unwrap_or("does not apply");
        return Some(Check::new(
            id,
            Status::NotApplicable,
            None,
            format!("{why} ({caller})"),
        ));
    };
    let account_id = governed_account(kind, governing)?;
    let account = accounts.account(&account_id)?;
    let org = &account.org;
    let status_of_membership = || membership_check(kind, &account_id, &org.membership);
    match &org.guardrails {
        Field::Loaded(guardrails) => Some(evaluate_chain(
            kind,
            &account_id,
            guardrails,
            &applying,
            &context_for(accounts, governing),
        )),
        Field::Absent => Some(Check::new(
            id,
            Status::NotApplicable,
            Some(&account_id),
            format!("no {} apply to account {account_id} (not in an organisation, or the policy type is not enabled)", kind.short()),
        )),
        // The org profile cannot see an account of no organisation; its own profile said so.
        Field::Unreadable(_) if matches!(org.membership, Field::Absent) => status_of_membership(),
        Field::Unreadable(reason) => Some(Check::new(
            id,
            Status::Unknown,
            Some(&account_id),
            format!("{} above account {account_id} could not be read: {reason}", kind.plural()),
        )),
        Field::NotLoaded => status_of_membership(),
    }
}

fn exemption(kind: Kind, caller: &Caller, action: &str) -> Option<&'static str> {
    match kind {
        Kind::Scp => scp_exemption(caller),
        Kind::Rcp => rcp_exemption(caller, action),
    }
}

/// Without the chains: `n/a` outside an organisation, `unknown` inside one.
fn membership_check(
    kind: Kind,
    account_id: &str,
    membership: &Field<Organization>,
) -> Option<Check> {
    let id = kind.id();
    let (status, message) = match membership {
        Field::NotLoaded => return None,
        Field::Absent => (
            Status::NotApplicable,
            format!("account {account_id} is not in an organisation: no {}s apply", kind.short()),
        ),
        Field::Loaded(org) if org.management_account == account_id => (
            Status::NotApplicable,
            format!("account {account_id} is the management account of {}: {}s do not restrict it", org.id, kind.short()),
        ),
        Field::Loaded(org) => (
            Status::Unknown,
            format!(
                "account {account_id} is in organisation {}: {} were not read; pass --org-profile PROFILE (the management account or a delegated administrator, with {ORG_PROFILE_PERMISSIONS})",
                org.id,
                kind.plural()
            ),
        ),
        Field::Unreadable(reason) => (
            Status::Unknown,
            format!("whether account {account_id} is in an organisation could not be read: {reason}"),
        ),
    };
    Some(Check::new(id, status, Some(account_id), message))
}

/// The request context the guardrails see: the organisation ids crossdock knows, the
/// role's tags as `aws:PrincipalTag/*`, and the region the request goes to.
fn context_for(accounts: &Accounts, request: &Guarded) -> RequestContext {
    let mut context = RequestContext::new();
    if let Ok((account, role)) = accounts.resolve_role(&request.principal) {
        // Session tags (from the AssumeRole record) win over the role's tags.
        let session = super::subject::session_tags(account, &request.principal);
        let role_tags = role.tags.loaded().into_iter().flatten();
        for (key, value) in session.iter().map(|(k, v)| (k, v)).chain(role_tags) {
            context.insert_if_absent(
                &format!("aws:PrincipalTag/{key}"),
                ContextValue::Single(value.clone()),
            );
        }
        let region = crate::policy::Arn::parse(&request.resource)
            .map(|arn| arn.region)
            .filter(|region| !region.is_empty())
            .unwrap_or(account.region());
        context.insert(
            "aws:RequestedRegion".to_string(),
            ContextValue::Single(region.to_string()),
        );
    }
    let org_of = |account: Option<String>| {
        account
            .and_then(|id| accounts.account(&id))
            .and_then(|a| a.org.organization_id().map(str::to_string))
    };
    if let Some(org) = org_of(governed_account(Kind::Scp, request)) {
        context.insert("aws:PrincipalOrgID".to_string(), ContextValue::Single(org));
    }
    if let Some(org) = org_of(governed_account(Kind::Rcp, request)) {
        context.insert("aws:ResourceOrgID".to_string(), ContextValue::Single(org));
    }
    context
}

/// How one level of the chain treats one request.
enum LevelOutcome {
    /// A policy at the level allows and none denies.
    Allows,
    /// A Deny statement applies: the policy, the statement.
    Denies(usize, usize),
    /// A deny that hinges on an organisation id crossdock does not know.
    Undecided(String),
    /// No policy at the level allows.
    NoAllow,
    /// A policy document that does not parse (its index, the error).
    Malformed(usize, String),
}

/// Evaluates every applying request against the chain, level by level, root first.
fn evaluate_chain(
    kind: Kind,
    account_id: &str,
    guardrails: &Guardrails,
    applying: &[&Guarded],
    context: &RequestContext,
) -> Check {
    let id = kind.id();
    let levels = match kind.chain(guardrails) {
        Field::Loaded(levels) => levels,
        Field::Unreadable(reason) => {
            return Check::new(
                id,
                Status::Unknown,
                Some(account_id),
                format!(
                    "{} above account {account_id} could not be read: {reason}",
                    kind.plural()
                ),
            )
        }
        _ => {
            return Check::new(
                id,
                Status::NotApplicable,
                Some(account_id),
                format!(
                    "{}s are not enabled in organisation {}",
                    kind.short(),
                    guardrails.organization.id
                ),
            )
        }
    };
    for request in applying {
        for level in levels {
            let outcome = level_outcome(kind, level, request, context);
            if let Some(check) = level_check(kind, account_id, level, request, outcome) {
                return check;
            }
        }
    }
    let actions: Vec<&str> = applying.iter().map(|r| r.action.as_str()).collect();
    let mut check = Check::new(
        id,
        Status::Pass,
        Some(account_id),
        format!(
            "every {} level above account {account_id} ({} levels, organisation {}) allows {}",
            kind.short(),
            levels.len(),
            guardrails.organization.id,
            actions.join(", ")
        ),
    );
    check.evidence = levels
        .iter()
        .map(|l| {
            evidence(
                account_id,
                format!("{} {}: {}", l.kind.label(), l.target, names(l)),
            )
        })
        .collect();
    check
}

fn names(level: &OrgLevel) -> String {
    let names: Vec<&str> = level.policies.iter().map(|p| p.name.as_str()).collect();
    if names.is_empty() {
        "no policy attached".to_string()
    } else {
        names.join(", ")
    }
}

fn evidence(account_id: &str, detail: String) -> Evidence {
    Evidence {
        account: Some(account_id.to_string()),
        policy: None,
        statement: None,
        sid: None,
        detail,
    }
}

/// The check a level decides (a deny, a missing Allow, an unknown), or `None` when it allows.
fn level_check(
    kind: Kind,
    account_id: &str,
    level: &OrgLevel,
    request: &Guarded,
    outcome: LevelOutcome,
) -> Option<Check> {
    let where_ = format!("{} {}", level.kind.label(), level.target);
    let action = &request.action;
    let id = kind.id();
    // The policy a fix should change: the denying one, else the level's first.
    let deciding = match outcome {
        LevelOutcome::Denies(p, _) => p,
        _ => 0,
    };
    let (status, message, mut evidence_list) = match outcome {
        LevelOutcome::Allows => return None,
        LevelOutcome::Denies(p, statement) => {
            let policy = &level.policies[p];
            let doc = PolicyDocument::parse_str(&policy.content).ok();
            let sid = doc.as_ref().and_then(|d| d.statements.get(statement)).and_then(|s| s.sid.clone());
            let mut e = evidence(account_id, format!("{} `{}` ({}) attached to the {where_}, statement {statement}{}", kind.short(), policy.name, policy.arn, sid.as_deref().map(|s| format!(" \"{s}\"")).unwrap_or_default()));
            e.statement = Some(statement);
            e.sid = sid;
            (Status::Fail, format!("an explicit Deny in {} `{}` ({}, attached to the {where_}) refuses {action} for {}", kind.short(), policy.name, policy.arn, request.principal), vec![e])
        }
        LevelOutcome::NoAllow => (
            Status::Fail,
            format!("no {} attached to the {where_} allows {action}: every level must allow (AWS's message still says \"explicit deny\")", kind.short()),
            vec![evidence(account_id, format!("{where_}: {}", names(level)))],
        ),
        LevelOutcome::Undecided(why) => (Status::Unknown, why, Vec::new()),
        LevelOutcome::Malformed(p, error) => (
            Status::Unknown,
            format!("{} `{}` at the {where_} does not parse: {error}", kind.short(), level.policies[p].name),
            Vec::new(),
        ),
    };
    let mut check = Check::new(id, status, Some(account_id), message);
    check.evidence.append(&mut evidence_list);
    if status == Status::Fail {
        check.fix = Some(super::model::Fix::procedure(
            None,
            &format!(
                "change the {} (or exempt {}) in the organisation's management account",
                kind.short(),
                request.principal
            ),
            vec![format!(
                "read it: aws organizations describe-policy --policy-id {}",
                level
                    .policies
                    .get(deciding)
                    .map(|p| p.arn.rsplit('/').next().unwrap_or_default())
                    .unwrap_or("POLICY-ID")
            )],
        ));
    }
    Some(check)
}

/// Evaluates each policy of one level on its own (a level allows when one of its policies
/// allows; any Deny denies).
fn level_outcome(
    kind: Kind,
    level: &OrgLevel,
    request: &Guarded,
    context: &RequestContext,
) -> LevelOutcome {
    let Ok(caller) = Caller::parse(&request.principal, None) else {
        return LevelOutcome::Allows;
    };
    let mut allows = false;
    for (p, policy) in level.policies.iter().enumerate() {
        let document = match PolicyDocument::parse_str(&policy.content) {
            Ok(document) => document,
            Err(e) => return LevelOutcome::Malformed(p, e.to_string()),
        };
        let mut asked = Request::new(caller.clone(), &request.action, &request.resource)
            .with_context(context.clone());
        let labeled = vec![LabeledPolicy::new(policy.arn.as_str(), &document)];
        match kind {
            Kind::Scp => asked.scps = labeled,
            Kind::Rcp => asked.rcps = labeled,
        }
        let evaluation = evaluate(&asked);
        match evaluation.decision {
            Decision::ExplicitDeny => {
                let statement = evaluation.deciding.first().map_or(0, |d| d.statement);
                if let Some(key) = unknown_org_key(&document, statement, context) {
                    return LevelOutcome::Undecided(format!(
                        "{} `{}` denies {} unless {key} matches, and {key} is unknown (the organisation was not read): pass --org-profile",
                        kind.short(), policy.name, request.action
                    ));
                }
                return LevelOutcome::Denies(p, statement);
            }
            _ if !evaluation.rule.ends_with("-implicit-deny") => allows = true,
            _ => {}
        }
    }
    if allows {
        LevelOutcome::Allows
    } else {
        LevelOutcome::NoAllow
    }
}

/// The organisation condition key a statement tests that the context lacks: such a deny is
/// `unknown`, never decided on a missing value.
fn unknown_org_key(
    document: &PolicyDocument,
    statement: usize,
    context: &RequestContext,
) -> Option<&'static str> {
    let statement = document.statements.get(statement)?;
    ["aws:PrincipalOrgID", "aws:ResourceOrgID"]
        .into_iter()
        .find(|key| {
            statement
                .conditions
                .iter()
                .any(|c| c.key.eq_ignore_ascii_case(key))
                && context.get(key).is_none()
        })
}

/// A pasted error (or CloudTrail record) that names an SCP or RCP refusal: the check fails
/// citing the policy AWS named, whatever crossdock could read.
pub fn cite_refusal(checks: &mut Vec<Check>, kind: Kind, policy_arn: Option<&str>) {
    let id = kind.id();
    let named = policy_arn.map(|arn| format!(" {arn}")).unwrap_or_default();
    let message = format!(
        "AWS's refusal names a {}{named}: an organisation guardrail denies this request",
        kind.short()
    );
    let mut cited = Check::new(id, Status::Fail, None, message);
    cited.evidence.push(Evidence {
        account: None,
        policy: None,
        statement: None,
        sid: None,
        detail: format!(
            "named by the error text{}",
            if named.is_empty() {
                " (without the policy ARN)".to_string()
            } else {
                format!(":{named}")
            }
        ),
    });
    cited.fix = Some(super::model::Fix::procedure(
        None,
        &format!(
            "change the {}, or exempt the principal, in the organisation's management account",
            kind.short()
        ),
        Vec::new(),
    ));
    match checks.iter_mut().find(|c| c.id == id) {
        Some(existing) if existing.status != Status::Fail => *existing = cited,
        Some(_) => {}
        None => checks.push(cited),
    }
}

#[cfg(test)]
mod tests;
