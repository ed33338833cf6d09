//! The trigger question: does a push of `repository:tag` start the pipeline? Rules that
//! target it, their state and pattern (native `ECR Image Action` or legacy CloudTrail
//! `PutImage`), the watched tag, cross-account pushes seen in CloudTrail, the target role.

use super::check_id::CheckId;
use serde_json::{json, Value};

use super::access::{check_access, gap_evidence, note, Access, ResourceSide};
use super::event_pattern;
use super::model::{
    Check, Diagnosis, Evidence, Fix, FixAction, PolicyLocation, QuestionSummary, Status,
};
use super::subject::{field_gap, parse_field, Subject};
use super::DiagnoseError;
use crate::inventory::{Account, Accounts, Field, Pipeline, Role, Rule, TrailRecords};
use crate::policy::RequestContext;
use crate::trail::{classify, parse_record_str};

/// How a rule listens for pushes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RuleKind {
    /// `detail-type: ECR Image Action`, emitted by ECR in the repository's account.
    Native,
    /// `AWS API Call via CloudTrail` + `PutImage`: never sees pushes made from another account.
    CloudTrail,
}

/// What one candidate rule looks like for this push.
struct Candidate<'p> {
    rule: &'p Rule,
    enabled: Field<bool>,
    kind: Option<RuleKind>,
    /// `Ok` when source, detail-type and repository match (the tag aside).
    pattern: Result<(), RuleMismatch>,
    /// `Ok` when the pattern also accepts the pushed tag.
    tag: Result<(), RuleMismatch>,
}

/// Why a candidate rule may not match a push.
#[derive(Debug, Clone, thiserror::Error)]
enum RuleMismatch {
    /// The rule's pattern could not be read (the gap says what to do).
    #[error("{0}")]
    Unread(String),
    /// The pattern was read and does not accept the push.
    #[error(transparent)]
    Pattern(#[from] event_pattern::Mismatch),
}

impl Candidate<'_> {
    fn score(&self) -> u8 {
        u8::from(self.pattern.is_ok()) * 4
            + u8::from(self.enabled == Field::Loaded(true)) * 2
            + u8::from(self.tag.is_ok())
    }
}

/// Does a push of `repository:tag` by `pusher` start `pipeline`?
pub fn trigger(
    pair: &Accounts,
    pipeline: &str,
    repository: &str,
    tag: &str,
    pusher: Option<&str>,
) -> Result<Diagnosis, DiagnoseError> {
    let (account, pipeline) = resolve_pipeline(pair, pipeline)?;
    let repo_name = repository
        .split_once(":repository/")
        .map_or(repository, |(_, n)| n);
    let repo_account = crate::policy::arn::account_of(repository)
        .unwrap_or(account.id())
        .to_string();
    let region = crate::policy::Arn::parse(&pipeline.arn)
        .map_or(account.region().to_string(), |a| a.region.to_string());
    let question = QuestionSummary {
        kind: "trigger".into(),
        text: format!(
            "does a push of {repo_name}:{tag} start pipeline {}?",
            pipeline.name
        ),
        principal: pusher.map(str::to_string),
        resource: Some(pipeline.arn.clone()),
    };
    let pipeline_account = Some(account.id());
    let (source_check, watched_tag) = source_action(pipeline, repo_name, pipeline_account);
    let mut checks = vec![source_check];
    let Some(watched_tag) = watched_tag else {
        return Ok(Diagnosis::new(question, checks));
    };

    // Rules in the pipeline's account that target it.
    let candidates = match account.rules.listing() {
        crate::inventory::Listing::Complete => account.rules_targeting(&pipeline.arn),
        _ => {
            checks.push(Check::new(
                CheckId::TriggerRuleExists,
                Status::Unknown,
                pipeline_account,
                format!(
                    "the EventBridge rules of {} are not loaded (or could not be listed)",
                    account.id()
                ),
            ));
            return Ok(Diagnosis::new(question, checks));
        }
    };
    let forwarding = cross_account_forwarding(pair, &repo_account, account.id(), &region);
    let evaluated: Vec<Candidate<'_>> = candidates
        .into_iter()
        .map(|rule| evaluate_rule(rule, repo_name, tag, &repo_account, &region))
        .collect();
    let best = evaluated.iter().max_by_key(|c| c.score());
    let tag_check = tag_check(best, &watched_tag, tag, pipeline, pipeline_account);
    let Some(best) = best else {
        checks.push(no_rule(account, pipeline, repo_name, &watched_tag));
        checks.push(tag_check);
        return Ok(Diagnosis::new(question, checks));
    };
    let rule_account = Some(account.id());
    checks.push(rule_exists(best, pipeline, rule_account, forwarding));
    checks.push(enabled_check(best, rule_account));
    checks.push(pattern_check(best, repo_name, &watched_tag, rule_account));
    checks.push(tag_check);
    checks.push(cross_account_push(
        pair,
        best,
        repo_name,
        &repo_account,
        pusher,
        &watched_tag,
    ));
    checks.push(target_role(pair, best.rule, pipeline, rule_account));
    Ok(Diagnosis::new(question, checks))
}

/// The pipeline's ECR source action for the repository: its check, and the tag it watches
/// (`None` when there is no such action, or the stages are not loaded).
fn source_action(
    pipeline: &Pipeline,
    repo_name: &str,
    pipeline_account: Option<&str>,
) -> (Check, Option<String>) {
    let watched_tag = match &pipeline.stages {
        Field::Loaded(_) => pipeline.ecr_sources().find_map(|a| {
            a.ecr_source()
                .filter(|s| s.repository_name == repo_name)
                .map(|s| s.image_tag.to_string())
        }),
        other => {
            let c = Check::new(
                CheckId::TriggerSourceAction,
                Status::Unknown,
                pipeline_account,
                field_gap(&format!("the stages of {}", pipeline.name), other.as_ref()),
            );
            return (c, None);
        }
    };
    let Some(watched_tag) = watched_tag else {
        let mut c = Check::new(
            CheckId::TriggerSourceAction,
            Status::Fail,
            pipeline_account,
            format!("{} has no ECR source action for repository {repo_name}, so no push to it can start the pipeline", pipeline.name),
        );
        c.fix = Some(Fix::procedure(pipeline_account, "add an ECR source action for the repository", vec![format!("aws codepipeline get-pipeline --name {} and add a Source action with provider ECR and RepositoryName {repo_name}", pipeline.name)]));
        return (c, None);
    };
    let c = Check::new(
        CheckId::TriggerSourceAction,
        Status::Pass,
        pipeline_account,
        format!(
            "{} has an ECR source action for {repo_name} watching tag `{watched_tag}`",
            pipeline.name
        ),
    );
    (c, Some(watched_tag))
}

/// No rule targets the pipeline: the failing check, with the rule CodePipeline would create.
fn no_rule(account: &Account, pipeline: &Pipeline, repo_name: &str, watched_tag: &str) -> Check {
    let pipeline_account = Some(account.id());
    let mut c = Check::new(
        CheckId::TriggerRuleExists,
        Status::Fail,
        pipeline_account,
        format!(
            "no EventBridge rule in {} targets {}: pushes never start it",
            account.id(),
            pipeline.name
        ),
    );
    c.fix = Some(Fix::procedure(
        pipeline_account,
        "create the rule CodePipeline creates for an ECR source (native ECR Image Action pattern) targeting the pipeline",
        vec![
            format!("aws events put-rule --name {}-ecr-push --event-pattern '{}'", pipeline.name, native_pattern(repo_name, watched_tag)),
            format!("aws events put-targets --rule {}-ecr-push --targets Id=codepipeline,Arn={},RoleArn=<role trusted by events.amazonaws.com>", pipeline.name, pipeline.arn),
        ],
    ));
    c
}

/// The best rule targets the pipeline; a failing cross-account forwarding check replaces it.
fn rule_exists(
    best: &Candidate<'_>,
    pipeline: &Pipeline,
    rule_account: Option<&str>,
    forwarding: Option<Check>,
) -> Check {
    let mut exists = Check::new(
        CheckId::TriggerRuleExists,
        Status::Pass,
        rule_account,
        format!("rule {} targets {}", best.rule.name, pipeline.name),
    );
    exists.evidence.push(note(
        rule_account,
        format!("rule {} on bus {}", best.rule.arn, best.rule.event_bus_name),
    ));
    match forwarding {
        Some(forwarding) if forwarding.status != Status::Pass => forwarding,
        _ => exists,
    }
}

/// Finds a pipeline by ARN or unambiguous name.
pub(super) fn resolve_pipeline<'p>(
    pair: &'p Accounts,
    reference: &str,
) -> Result<(&'p Account, &'p Pipeline), DiagnoseError> {
    if reference.starts_with("arn:") {
        let account = pair.account_of(reference).ok_or_else(|| {
            DiagnoseError::Unsupported(format!(
                "the account of {reference} is not loaded: open a profile or snapshot for it"
            ))
        })?;
        return match account.pipeline_lookup(reference) {
            Field::Loaded(p) => Ok((account, p)),
            other => Err(DiagnoseError::Unsupported(field_gap(
                &format!("pipeline {reference}"),
                other,
            ))),
        };
    }
    Ok(pair.resolve_pipeline(reference)?)
}

/// The pattern CodePipeline (console, CLI, CDK) creates for an ECR source today.
pub fn native_pattern(repository: &str, tag: &str) -> Value {
    json!({
        "source": ["aws.ecr"],
        "detail-type": ["ECR Image Action"],
        "detail": {"action-type": ["PUSH"], "image-tag": [tag], "repository-name": [repository], "result": ["SUCCESS"]}
    })
}

fn native_event(repository: &str, tag: &str, account: &str, region: &str) -> Value {
    json!({
        "version": "0", "source": "aws.ecr", "detail-type": "ECR Image Action", "account": account, "region": region, "resources": [],
        "detail": {"result": "SUCCESS", "repository-name": repository, "image-digest": "sha256:0", "action-type": "PUSH", "image-tag": tag}
    })
}

fn cloudtrail_event(repository: &str, tag: &str, account: &str, region: &str) -> Value {
    json!({
        "version": "0", "source": "aws.ecr", "detail-type": "AWS API Call via CloudTrail", "account": account, "region": region, "resources": [],
        "detail": {
            "eventSource": "ecr.amazonaws.com", "eventName": "PutImage", "awsRegion": region, "recipientAccountId": account,
            "userIdentity": {"type": "AssumedRole", "accountId": account},
            "requestParameters": {"repositoryName": repository, "imageTag": tag, "registryId": account},
            "responseElements": {"image": {"repositoryName": repository, "registryId": account}}
        }
    })
}

/// The pattern without its tag filters, so the tag can be judged separately.
fn without_tag(pattern: &Value) -> Value {
    let mut pattern = pattern.clone();
    if let Some(detail) = pattern.get_mut("detail").and_then(Value::as_object_mut) {
        detail.remove("image-tag");
        if let Some(params) = detail
            .get_mut("requestParameters")
            .and_then(Value::as_object_mut)
        {
            params.remove("imageTag");
        }
    }
    pattern
}

fn evaluate_rule<'p>(
    rule: &'p Rule,
    repository: &str,
    tag: &str,
    account: &str,
    region: &str,
) -> Candidate<'p> {
    let enabled = rule.state.as_ref().map(|s| s.is_enabled());
    let Field::Loaded(pattern) = &rule.event_pattern else {
        let reason = field_gap(
            &format!("the event pattern of {}", rule.name),
            rule.event_pattern.as_ref(),
        );
        return Candidate {
            rule,
            enabled,
            kind: None,
            pattern: Err(RuleMismatch::Unread(reason.clone())),
            tag: Err(RuleMismatch::Unread(reason)),
        };
    };
    let native = native_event(repository, tag, account, region);
    let legacy = cloudtrail_event(repository, tag, account, region);
    let declared = pattern
        .get("detail-type")
        .map(Value::to_string)
        .unwrap_or_default();
    let kind = if declared.contains("ECR Image Action") {
        Some(RuleKind::Native)
    } else if declared.contains("AWS API Call via CloudTrail") {
        Some(RuleKind::CloudTrail)
    } else if event_pattern::matches(&without_tag(pattern), &native).is_ok() {
        Some(RuleKind::Native)
    } else if event_pattern::matches(&without_tag(pattern), &legacy).is_ok() {
        Some(RuleKind::CloudTrail)
    } else {
        None
    };
    let event = match kind {
        Some(RuleKind::CloudTrail) => legacy,
        _ => native,
    };
    let loose = event_pattern::matches(&without_tag(pattern), &event);
    let full = event_pattern::matches(pattern, &event);
    Candidate {
        rule,
        enabled,
        kind,
        pattern: loose.map_err(RuleMismatch::from),
        tag: full.map_err(RuleMismatch::from),
    }
}

fn enabled_check(best: &Candidate<'_>, account: Option<&str>) -> Check {
    let id = CheckId::TriggerRuleEnabled;
    match &best.enabled {
        Field::Loaded(true) => Check::new(
            id,
            Status::Pass,
            account,
            format!("rule {} is enabled", best.rule.name),
        ),
        Field::Loaded(false) => {
            let mut c = Check::new(
                id,
                Status::Fail,
                account,
                format!(
                    "rule {} is disabled: it never starts the pipeline",
                    best.rule.name
                ),
            );
            c.fix = Some(Fix {
                summary: format!(
                    "enable the rule: aws events enable-rule --name {}",
                    best.rule.name
                ),
                account: account.map(str::to_string),
                action: FixAction::Setting {
                    resource: best.rule.arn.clone(),
                    setting: "State".into(),
                    value: json!("ENABLED"),
                },
            });
            c
        }
        other => Check::new(
            id,
            Status::Unknown,
            account,
            field_gap(
                &format!("the state of rule {}", best.rule.name),
                other.as_ref(),
            ),
        ),
    }
}

fn pattern_check(
    best: &Candidate<'_>,
    repository: &str,
    watched_tag: &str,
    account: Option<&str>,
) -> Check {
    let id = CheckId::TriggerRulePattern;
    match &best.pattern {
        Ok(()) => {
            let kind = match best.kind {
                Some(RuleKind::CloudTrail) => "a CloudTrail PutImage pattern (legacy)",
                _ => "the native ECR Image Action pattern",
            };
            Check::new(
                id,
                Status::Pass,
                account,
                format!(
                    "rule {} matches a push to {repository} with {kind}",
                    best.rule.name
                ),
            )
        }
        Err(reason) if best.rule.event_pattern.is_loaded() => {
            let mut c = Check::new(
                id,
                Status::Fail,
                account,
                format!(
                    "rule {}'s pattern does not match a push to {repository}: {reason}",
                    best.rule.name
                ),
            );
            c.evidence.push(note(
                account,
                format!(
                    "pattern {}",
                    best.rule
                        .event_pattern
                        .loaded()
                        .map(Value::to_string)
                        .unwrap_or_default()
                ),
            ));
            c.fix = Some(Fix {
                summary: format!(
                    "use the pattern CodePipeline creates for an ECR source on rule {}",
                    best.rule.name
                ),
                account: account.map(str::to_string),
                action: FixAction::Setting {
                    resource: best.rule.arn.clone(),
                    setting: "EventPattern".into(),
                    value: native_pattern(repository, watched_tag),
                },
            });
            c
        }
        Err(reason) => Check::new(id, Status::Unknown, account, reason.to_string()),
    }
}

fn tag_check(
    best: Option<&Candidate<'_>>,
    watched: &str,
    pushed: &str,
    pipeline: &Pipeline,
    account: Option<&str>,
) -> Check {
    let id = CheckId::TriggerTagMatch;
    let rule_tag = best.filter(|c| c.pattern.is_ok()).map(|c| &c.tag);
    let action_ok = watched == pushed;
    match (action_ok, rule_tag) {
        (true, None | Some(Ok(()))) => Check::new(
            id,
            Status::Pass,
            account,
            format!(
                "the pushed tag `{pushed}` is the tag {} watches",
                pipeline.name
            ),
        ),
        (_, Some(Err(reason)))
            if best.is_some_and(|c| c.rule.event_pattern.is_loaded()) || !action_ok =>
        {
            let detail = if action_ok {
                reason.to_string()
            } else {
                format!("{}'s ECR source watches `{watched}`", pipeline.name)
            };
            let mut c = Check::new(
                id,
                Status::Fail,
                account,
                format!("the pushed tag `{pushed}` is not the watched tag: {detail}"),
            );
            c.fix = Some(Fix::procedure(account, &format!("push the tag the pipeline watches (`{watched}`), or change the source action's ImageTag and the rule's image-tag together"), vec![format!("docker tag IMAGE REPO:{watched} && docker push REPO:{watched}")]));
            c
        }
        (false, _) => {
            let mut c = Check::new(id, Status::Fail, account, format!("the pushed tag `{pushed}` is not the tag `{watched}` that {}'s ECR source watches", pipeline.name));
            c.fix = Some(Fix::procedure(
                account,
                &format!("push `{watched}`, or set the source action's ImageTag to `{pushed}`"),
                vec![format!("docker push REPO:{watched}")],
            ));
            c
        }
        (true, Some(Err(reason))) => Check::new(id, Status::Unknown, account, reason.to_string()),
    }
}

/// For CloudTrail-pattern rules: pushes from another account never reach the rule.
fn cross_account_push(
    pair: &Accounts,
    best: &Candidate<'_>,
    repository: &str,
    repo_account: &str,
    pusher: Option<&str>,
    watched_tag: &str,
) -> Check {
    let id = CheckId::TriggerCrossAccountPush;
    let account = Some(repo_account);
    if best.kind != Some(RuleKind::CloudTrail) {
        return Check::new(id, Status::Pass, account, "the rule uses ECR's native event, which reaches the repository's account whoever pushes");
    }
    let trail = pair.account(repo_account).map(|a| &a.trail);
    let mut seen = match trail {
        Some(Field::Loaded(records)) => PushesSeen::in_trail(records, repository, account),
        _ => PushesSeen::default(),
    };
    let pusher_account = pusher.and_then(crate::policy::arn::account_of);
    let pusher_foreign = pusher_account.is_some_and(|a| a != repo_account);
    if seen.foreign == 0 && !pusher_foreign {
        return no_foreign_push(best, trail, pusher_account, seen.own, account);
    }
    if pusher_foreign {
        seen.evidence.insert(
            0,
            note(
                pusher_account,
                format!(
                    "the pusher {} is in account {}",
                    pusher.unwrap_or_default(),
                    pusher_account.unwrap_or_default()
                ),
            ),
        );
    }
    let mut c = Check::new(
        id,
        Status::Fail,
        account,
        format!(
            "rule {} listens for CloudTrail PutImage events, and the push came from another account: that PutImage is recorded in {repo_account} as userIdentity.type AWSAccount and never reaches the rule",
            best.rule.name
        ),
    );
    c.evidence = seen.evidence;
    c.fix = Some(Fix {
        summary: format!(
            "switch rule {} to ECR's native `ECR Image Action` event (or, inside the build, assume a role in {repo_account} before pushing)",
            best.rule.name
        ),
        account: account.map(str::to_string),
        action: FixAction::Setting { resource: best.rule.arn.clone(), setting: "EventPattern".into(), value: native_pattern(repository, watched_tag) },
    });
    c
}

/// The repository's PutImage events in the loaded CloudTrail records.
#[derive(Default)]
struct PushesSeen {
    /// Pushes from another account.
    foreign: usize,
    /// Pushes from the repository's own account.
    own: usize,
    /// One note per foreign push.
    evidence: Vec<Evidence>,
}

impl PushesSeen {
    fn in_trail(records: &TrailRecords, repository: &str, account: Option<&str>) -> Self {
        let mut seen = PushesSeen::default();
        for record in records.iter_raw() {
            let Ok(event) = parse_record_str(record) else {
                continue;
            };
            if event.event_name.as_deref() != Some("PutImage")
                || event.request.repository_name.as_deref() != Some(repository)
            {
                continue;
            }
            let class = classify(&event);
            if class.cross_account == Some(false) {
                seen.own += 1;
            }
            if class.cross_account == Some(true) {
                seen.foreign += 1;
                seen.evidence.push(note(
                    account,
                    format!(
                        "CloudTrail {}: PutImage of {repository}:{} by account {} (userIdentity.type {}, recipientAccountId {}, sharedEventID {})",
                        event.event_time.as_deref().unwrap_or("?"),
                        event.request.image_tag.as_deref().unwrap_or("?"),
                        class.caller_account.as_deref().unwrap_or("?"),
                        event.user_identity.as_ref().and_then(|u| u.identity_type.as_deref()).unwrap_or("?"),
                        event.recipient_account_id.as_deref().unwrap_or("?"),
                        event.shared_event_id.as_deref().unwrap_or("-"),
                    ),
                ));
            }
        }
        seen
    }
}

/// No push from another account is known: pass when the pusher or the trail says so,
/// unknown when nothing tells who pushes.
fn no_foreign_push(
    best: &Candidate<'_>,
    trail: Option<&Field<TrailRecords>>,
    pusher_account: Option<&str>,
    own_pushes: usize,
    account: Option<&str>,
) -> Check {
    let id = CheckId::TriggerCrossAccountPush;
    match (trail, pusher_account) {
        (Some(Field::Loaded(_)), _) if own_pushes > 0 => Check::new(id, Status::Pass, account, format!("the {own_pushes} recent PutImage events for the repository came from its own account")),
        (_, Some(_)) => Check::new(id, Status::Pass, account, "the pusher is in the repository's account (no CloudTrail records loaded to confirm)"),
        (trail, None) => {
            let why = match trail {
                Some(Field::Unreadable(u)) => format!("CloudTrail could not be read ({u})"),
                Some(Field::Loaded(_)) => "the loaded CloudTrail records hold no PutImage for the repository".to_string(),
                _ => "no CloudTrail records are loaded".to_string(),
            };
            Check::new(
                id,
                Status::Unknown,
                account,
                format!("rule {} listens for CloudTrail PutImage events, which never see pushes from another account; who pushes is unknown: {why} — pass --pusher, or load the trail", best.rule.name),
            )
        }
    }
}

/// A repository in another account needs a forwarding rule there to the pipeline's bus.
fn cross_account_forwarding(
    pair: &Accounts,
    repo_account: &str,
    pipeline_account: &str,
    region: &str,
) -> Option<Check> {
    if repo_account == pipeline_account {
        return None;
    }
    let bus = format!("arn:aws:events:{region}:{pipeline_account}:event-bus/default");
    let account = Some(repo_account);
    Some(match pair.account(repo_account) {
        None => Check::new(CheckId::TriggerRuleExists, Status::Unknown, account, format!("the repository's account {repo_account} is not loaded: cannot see whether it forwards push events to {pipeline_account}")),
        Some(acc) if acc.rules_targeting(&bus).is_empty() => Check::new(
            CheckId::TriggerRuleExists,
            Status::Fail,
            account,
            format!("the repository is in {repo_account} but the pipeline in {pipeline_account}: EventBridge cannot target another account's pipeline, and no rule in {repo_account} forwards to {bus}"),
        ),
        Some(_) => Check::new(CheckId::TriggerRuleExists, Status::Pass, account, format!("{repo_account} forwards push events to {bus}")),
    })
}

/// The rule's target role must trust EventBridge and be allowed to start the pipeline.
fn target_role(pair: &Accounts, rule: &Rule, pipeline: &Pipeline, account: Option<&str>) -> Check {
    let id = CheckId::TriggerRuleTargetRole;
    let (subject, role) = match target_subject(pair, rule, pipeline, account) {
        Ok(found) => found,
        Err(check) => return *check,
    };
    let location = PolicyLocation::TrustPolicy {
        role: role.arn.clone(),
    };
    let trust_side = ResourceSide {
        account: None,
        arn: role.arn.clone(),
        policy: parse_field(
            pair.policies(),
            role.trust_policy.as_ref(),
            &location,
            account.unwrap_or_default(),
        ),
    };
    let events = Subject::bare(
        crate::policy::Caller::Service {
            name: "events.amazonaws.com".into(),
        },
        pair.policies(),
    );
    let trust = check_access(
        &events,
        "sts:AssumeRole",
        &trust_side,
        &RequestContext::new(),
    );
    let start_side = ResourceSide {
        account: None,
        arn: pipeline.arn.clone(),
        policy: Ok(None),
    };
    let start = check_access(
        &subject,
        "codepipeline:StartPipelineExecution",
        &start_side,
        &RequestContext::new(),
    );
    if trust.granted.is_none() {
        let unread = trust_side.policy.is_err();
        return events_not_trusted(role, trust, unread, location, account);
    }
    if !start.identity_allows || !start.deny_evidence.is_empty() {
        return may_not_start(&subject, role, pipeline, start, account);
    }
    let mut c = Check::new(
        id,
        Status::Pass,
        account,
        format!(
            "target role {} trusts events.amazonaws.com and may start {}",
            role.name, pipeline.name
        ),
    );
    c.evidence = start.identity_evidence;
    c
}

/// The role the rule's pipeline target runs as, or the check saying why it is not known
/// (boxed, it is large).
fn target_subject<'p>(
    pair: &'p Accounts,
    rule: &Rule,
    pipeline: &Pipeline,
    account: Option<&str>,
) -> Result<(Subject<'p>, &'p Role), Box<Check>> {
    let id = CheckId::TriggerRuleTargetRole;
    let target = match &rule.targets {
        Field::Loaded(targets) => targets.iter().find(|t| t.arn == pipeline.arn),
        other => {
            return Err(Box::new(Check::new(
                id,
                Status::Unknown,
                account,
                field_gap(&format!("the targets of {}", rule.name), other.as_ref()),
            )))
        }
    };
    let Some(role_arn) = target.and_then(|t| t.role_arn.clone()) else {
        return Err(Box::new(Check::new(id, Status::Fail, account, format!("rule {}'s pipeline target has no role: EventBridge needs one to call codepipeline:StartPipelineExecution", rule.name))));
    };
    let subject = match Subject::resolve(pair, &role_arn) {
        Ok(s) => s,
        Err(e) => {
            return Err(Box::new(Check::new(
                id,
                Status::Unknown,
                account,
                e.to_string(),
            )))
        }
    };
    let Some(role) = subject.role else {
        let mut c = Check::new(
            id,
            Status::Fail,
            account,
            format!("target role {role_arn} could not be found"),
        );
        c.evidence = gap_evidence(&subject.gaps);
        if subject
            .gaps
            .iter()
            .any(|g| !g.reason.contains("does not exist"))
        {
            c.status = Status::Unknown;
        }
        return Err(Box::new(c));
    };
    Ok((subject, role))
}

/// The target role's trust policy does not let EventBridge assume it.
fn events_not_trusted(
    role: &Role,
    trust: Access,
    trust_policy_unread: bool,
    location: PolicyLocation,
    account: Option<&str>,
) -> Check {
    let status = if trust_policy_unread {
        Status::Unknown
    } else {
        Status::Fail
    };
    let mut c = Check::new(
        CheckId::TriggerRuleTargetRole,
        status,
        account,
        format!(
            "target role {} does not trust events.amazonaws.com",
            role.name
        ),
    );
    c.evidence = trust.resource_evidence;
    c.fix = Some(Fix {
        summary: format!(
            "trust events.amazonaws.com in the trust policy of {}",
            role.arn
        ),
        account: account.map(str::to_string),
        action: FixAction::AddStatement {
            target: location,
            statement: json!({"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}),
        },
    });
    c
}

/// The target role's own policies do not let it start the pipeline.
fn may_not_start(
    subject: &Subject<'_>,
    role: &Role,
    pipeline: &Pipeline,
    start: Access,
    account: Option<&str>,
) -> Check {
    let status = if subject.gaps.is_empty() {
        Status::Fail
    } else {
        Status::Unknown
    };
    let mut c = Check::new(
        CheckId::TriggerRuleTargetRole,
        status,
        account,
        format!(
            "target role {} may not call codepipeline:StartPipelineExecution on {}",
            role.name, pipeline.arn
        ),
    );
    c.evidence = if start.deny_evidence.is_empty() {
        start.identity_evidence
    } else {
        start.deny_evidence
    };
    c.evidence.extend(gap_evidence(&subject.gaps));
    c.fix = super::access::fix_inline_policy(subject, "crossdock-start-pipeline").map(|target| Fix {
        summary: format!("allow codepipeline:StartPipelineExecution on {} for {}", pipeline.arn, role.name),
        account: account.map(str::to_string),
        action: FixAction::AddStatement { target, statement: json!({"Effect": "Allow", "Action": "codepipeline:StartPipelineExecution", "Resource": pipeline.arn}) },
    });
    c
}
