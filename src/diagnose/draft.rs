//! From what a user gave to the question the engine answers. Every front end (CLI arguments,
//! the console's selection, a CloudTrail record, a pasted error) builds a [`QuestionDraft`];
//! [`resolve`] alone turns it into a [`Question`], with the same rules everywhere:
//! names resolve within the loaded accounts, missing inputs are looked up in evidence (the
//! pipeline's source action, the pusher's copy of a CloudTrail record), and whatever is
//! still missing becomes a visible [`Assumption`] — never a silent guess.

use serde::Serialize;
use serde_json::Value;

use super::question::Question;
pub use super::runs_in::RunsIn;
use super::scenario;
use super::DiagnoseError;
use crate::inventory::arn::{self, account_of};
use crate::inventory::{Account, Accounts, Pipeline};

/// A question as a front end knows it: names may be short, inputs may be missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuestionDraft {
    /// Can `principal` pull `repository`?
    Pull {
        /// Role name or ARN, session ARN, or service principal.
        principal: String,
        /// Repository name, ARN or URI.
        repository: String,
        /// The tag; `None` = not given.
        tag: Option<String>,
        /// The CodeBuild project whose environment image this is.
        project: Option<String>,
        /// `aws:SourceArn` of a service-principal pull.
        source_arn: Option<String>,
        /// The VPC endpoint the pull goes through.
        vpc_endpoint: Option<String>,
        /// The ECS service or Lambda function the caller runs in.
        runs_in: Option<RunsIn>,
    },
    /// Can `principal` push to `repository`?
    Push {
        /// Role name or ARN, or session ARN.
        principal: String,
        /// Repository name, ARN or URI.
        repository: String,
        /// The tag; `None` = not given.
        tag: Option<String>,
    },
    /// Can `principal` assume `role`?
    Assume {
        /// The caller.
        principal: String,
        /// Role name or ARN.
        role: String,
        /// The ExternalId the caller sends; `None` = not given.
        external_id: Option<String>,
    },
    /// Does a push start `pipeline`?
    Trigger {
        /// Pipeline name or ARN.
        pipeline: String,
        /// The repository pushed to; `None` = the pipeline's ECR source.
        repository: Option<String>,
        /// The tag pushed; `None` = the tag the pipeline watches.
        tag: Option<String>,
        /// Who pushed; `None` = look for the push in CloudTrail, else unknown.
        pusher: Option<String>,
        /// The `sharedEventID` of the push's CloudTrail record, when asked from a record:
        /// the pusher's own copy of the record names the session.
        push_event: Option<String>,
    },
    /// Can a pipeline action use the pipeline's artifacts?
    Artifact {
        /// Pipeline name or ARN.
        pipeline: String,
        /// The action; `None` = the first action whose role is in another account.
        action: Option<String>,
    },
    /// Can `principal` perform `action` on `resource`?
    Access {
        /// The caller.
        principal: String,
        /// The IAM action.
        action: String,
        /// The resource ARN (or a role/repository/key name).
        resource: String,
    },
    /// Can `source`'s registry replicate into `destination`'s?
    Replicate {
        /// The source registry (account id).
        source: String,
        /// The destination registry (account id).
        destination: String,
        /// The repository replicated; `None`: any.
        repository: Option<String>,
    },
    /// Can `principal` fill `repository` through a pull-through cache rule?
    PullThrough {
        /// The caller.
        principal: String,
        /// The cache repository: ARN, URI, or name (`PREFIX/NAME`).
        repository: String,
        /// The cache registry (account id) when `repository` is a bare name; default: the
        /// registry that has the repository, else the caller's account.
        registry: Option<String>,
    },
    /// A pasted error text.
    Error {
        /// The text as pasted.
        text: String,
    },
    /// A demo scenario by id (its question is stored complete).
    Scenario {
        /// The scenario id.
        id: String,
    },
}

/// A resolved question is a draft with every input given.
impl From<Question> for QuestionDraft {
    fn from(question: Question) -> Self {
        match question {
            Question::Pull {
                principal,
                repository,
                tag,
                project,
                source_arn,
                vpc_endpoint,
                runs_in,
            } => QuestionDraft::Pull {
                principal,
                repository,
                tag: Some(tag),
                project,
                source_arn,
                vpc_endpoint,
                runs_in: runs_in.as_deref().map(RunsIn::from_arn),
            },
            Question::Push {
                principal,
                repository,
                tag,
            } => QuestionDraft::Push {
                principal,
                repository,
                tag: Some(tag),
            },
            Question::Assume {
                principal,
                role,
                external_id,
            } => QuestionDraft::Assume {
                principal,
                role,
                external_id,
            },
            Question::Trigger {
                pipeline,
                repository,
                tag,
                pusher,
            } => QuestionDraft::Trigger {
                pipeline,
                repository: Some(repository),
                tag: Some(tag),
                pusher: Some(pusher).filter(|p| !p.is_empty()),
                push_event: None,
            },
            Question::Artifact { pipeline, action } => QuestionDraft::Artifact {
                pipeline,
                action: Some(action),
            },
            Question::Access {
                principal,
                action,
                resource,
            } => QuestionDraft::Access {
                principal,
                action,
                resource,
            },
            Question::Error { text } => QuestionDraft::Error { text },
            Question::Replicate {
                source,
                destination,
                repository,
            } => QuestionDraft::Replicate {
                source,
                destination,
                repository,
            },
            Question::PullThrough {
                principal,
                repository,
            } => QuestionDraft::PullThrough {
                principal,
                repository,
                registry: None,
            },
        }
    }
}

/// An input nobody gave and no evidence names: the value the answer assumes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assumption {
    /// The input (`external_id`, `tag`, `pusher`, `source_arn`, `session`).
    pub input: String,
    /// The value assumed, as the answer uses it.
    pub value: String,
    /// Why this is assumed.
    pub why: String,
    /// How to give the real value (`--external-id VALUE`; `i` in the console).
    pub change: String,
}

/// An input nobody gave that evidence supplies, and which evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    /// The input.
    pub input: String,
    /// The value.
    pub value: String,
    /// Where it was found.
    pub from: String,
}

/// A resolved question with the provenance of its inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The question the engine answers.
    pub question: Question,
    /// Inputs taken from evidence.
    pub found: Vec<Found>,
    /// Inputs assumed.
    pub assumptions: Vec<Assumption>,
}

impl Resolved {
    fn given(question: Question) -> Self {
        Self {
            question,
            found: Vec::new(),
            assumptions: Vec::new(),
        }
    }

    fn assume(&mut self, input: &str, value: &str, why: &str, change: &str) {
        self.assumptions.push(Assumption {
            input: input.into(),
            value: value.into(),
            why: why.into(),
            change: change.into(),
        });
    }

    fn find(&mut self, input: &str, value: &str, from: String) {
        self.found.push(Found {
            input: input.into(),
            value: value.into(),
            from,
        });
    }
}

/// The tag a pull or push uses when none is given.
const DEFAULT_TAG: &str = "latest";

/// Turns a draft into the question, resolving names within `accounts`.
pub fn resolve(draft: &QuestionDraft, accounts: &Accounts) -> Result<Resolved, DiagnoseError> {
    match draft {
        QuestionDraft::Pull {
            principal,
            repository,
            tag,
            project,
            source_arn,
            vpc_endpoint,
            runs_in,
        } => resolve_pull(
            accounts,
            principal,
            repository,
            tag.as_deref(),
            project.as_deref(),
            (
                source_arn.as_deref(),
                vpc_endpoint.as_deref(),
                runs_in.as_ref(),
            ),
        ),
        QuestionDraft::Push {
            principal,
            repository,
            tag,
        } => resolve_push(accounts, principal, repository, tag.as_deref()),
        QuestionDraft::Assume {
            principal,
            role,
            external_id,
        } => resolve_assume(accounts, principal, role, external_id.as_deref()),
        QuestionDraft::Trigger {
            pipeline,
            repository,
            tag,
            pusher,
            push_event,
        } => resolve_trigger(
            accounts,
            pipeline,
            repository.as_deref(),
            tag.as_deref(),
            pusher.as_deref(),
            push_event.as_deref(),
        ),
        QuestionDraft::Artifact { pipeline, action } => {
            resolve_artifact(accounts, pipeline, action.as_deref())
        }
        QuestionDraft::Access {
            principal,
            action,
            resource,
        } => Ok(Resolved::given(Question::Access {
            principal: resolve_principal(accounts, principal)?,
            action: action.clone(),
            resource: resolve_resource(accounts, resource)?,
        })),
        QuestionDraft::Error { text } => {
            Ok(Resolved::given(Question::Error { text: text.clone() }))
        }
        QuestionDraft::Replicate {
            source,
            destination,
            repository,
        } => resolve_replicate(source, destination, repository.as_deref()),
        QuestionDraft::PullThrough {
            principal,
            repository,
            registry,
        } => resolve_pull_through(accounts, principal, repository, registry.as_deref()),
        QuestionDraft::Scenario { id } => resolve_scenario(id),
    }
}

fn resolve_replicate(
    source: &str,
    destination: &str,
    repository: Option<&str>,
) -> Result<Resolved, DiagnoseError> {
    for registry in [source, destination] {
        if registry.len() != 12 || !registry.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DiagnoseError::Unsupported(format!(
                "registry `{registry}` is not an account id: pass the 12-digit account id of each registry"
            )));
        }
    }
    Ok(Resolved::given(Question::Replicate {
        source: source.to_string(),
        destination: destination.to_string(),
        repository: repository.map(str::to_string),
    }))
}

fn resolve_pull_through(
    accounts: &Accounts,
    principal: &str,
    repository: &str,
    registry: Option<&str>,
) -> Result<Resolved, DiagnoseError> {
    let principal = resolve_principal(accounts, principal)?;
    let repository = if repository.starts_with("arn:") || arn::ImageRef::parse(repository).is_some()
    {
        resolve_repository(accounts, repository)?
    } else {
        let existing = accounts
            .resolve_repository(repository)
            .ok()
            .filter(|(account, _)| registry.is_none_or(|r| account.id() == r));
        match existing {
            Some((_, found)) => found.arn.clone(),
            None => {
                // The cache repository may not exist yet: the first pull creates it.
                let registry = registry
                    .or_else(|| account_of(&principal))
                    .unwrap_or_default();
                let Some(account) = accounts.account(registry) else {
                    return Err(DiagnoseError::Unsupported(format!(
                        "the cache registry of `{repository}` is not loaded: pass --registry ACCOUNT (a loaded account) or the repository's ARN"
                    )));
                };
                account.repository_arn(repository)
            }
        }
    };
    Ok(Resolved::given(Question::PullThrough {
        principal,
        repository,
    }))
}

fn resolve_pull(
    accounts: &Accounts,
    principal: &str,
    repository: &str,
    tag: Option<&str>,
    project: Option<&str>,
    (source_arn, vpc_endpoint, runs_in): (Option<&str>, Option<&str>, Option<&RunsIn>),
) -> Result<Resolved, DiagnoseError> {
    let principal = resolve_principal(accounts, principal)?;
    let repository = resolve_repository(accounts, repository)?;
    let project = match project {
        Some(p) => Some(accounts.resolve_project(p).map(|(_, p)| p.arn.clone())?),
        None => None,
    };
    let runs_in = match runs_in {
        Some(given) => Some(super::runs_in::resolve(accounts, &principal, given)?),
        None => None,
    };
    let mut resolved = Resolved::given(Question::Pull {
        principal: principal.clone(),
        repository,
        tag: tag.unwrap_or(DEFAULT_TAG).to_string(),
        project,
        source_arn: source_arn.map(str::to_string),
        vpc_endpoint: vpc_endpoint.map(str::to_string),
        runs_in,
    });
    if tag.is_none() {
        assume_tag(&mut resolved);
    }
    if principal.ends_with(".amazonaws.com") && source_arn.is_none() {
        resolved.assume(
            "source_arn",
            "none",
            "a service principal's request carries aws:SourceArn, and none was given",
            "--source-arn ARN (the function, task or project that pulls)",
        );
    }
    assume_session(&mut resolved, &principal);
    Ok(resolved)
}

fn resolve_push(
    accounts: &Accounts,
    principal: &str,
    repository: &str,
    tag: Option<&str>,
) -> Result<Resolved, DiagnoseError> {
    let principal = resolve_principal(accounts, principal)?;
    let mut resolved = Resolved::given(Question::Push {
        principal: principal.clone(),
        repository: resolve_repository(accounts, repository)?,
        tag: tag.unwrap_or(DEFAULT_TAG).to_string(),
    });
    if tag.is_none() {
        assume_tag(&mut resolved);
    }
    assume_session(&mut resolved, &principal);
    Ok(resolved)
}

fn resolve_assume(
    accounts: &Accounts,
    principal: &str,
    role: &str,
    external_id: Option<&str>,
) -> Result<Resolved, DiagnoseError> {
    let principal = resolve_principal(accounts, principal)?;
    let role = if role.starts_with("arn:") {
        role.to_string()
    } else {
        accounts.resolve_role(role).map(|(_, r)| r.arn.clone())?
    };
    let mut resolved = Resolved::given(Question::Assume {
        principal: principal.clone(),
        role,
        external_id: external_id.map(str::to_string),
    });
    if external_id.is_none() {
        resolved.assume(
            "external_id",
            "none sent",
            "no ExternalId was given",
            "--external-id VALUE (i in the console)",
        );
    }
    assume_session(&mut resolved, &principal);
    Ok(resolved)
}

fn resolve_scenario(id: &str) -> Result<Resolved, DiagnoseError> {
    match scenario::scenario(id) {
        Ok(Some(s)) => Ok(Resolved::given(s.question)),
        Ok(None) => Err(DiagnoseError::Unsupported(format!(
            "no demo scenario `{id}`: run `crossdock demo list`"
        ))),
        Err(e) => Err(DiagnoseError::Unsupported(e.to_string())),
    }
}

fn assume_tag(resolved: &mut Resolved) {
    resolved.assume(
        "tag",
        DEFAULT_TAG,
        "no tag was given",
        "--tag TAG (i in the console)",
    );
}

/// A role ARN names every session of the role: say so, since a condition on the session
/// name or a grant to one session would decide differently.
fn assume_session(resolved: &mut Resolved, principal: &str) {
    if arn::role_name(principal).is_some() {
        resolved.assume(
            "session",
            &format!("any session of {principal}"),
            "a role ARN was given, not the session that calls",
            "pass the session ARN arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION",
        );
    }
}

/// Turns a role name into its ARN; ARNs and service principals pass through.
fn resolve_principal(accounts: &Accounts, text: &str) -> Result<String, DiagnoseError> {
    if text.starts_with("arn:") || text.ends_with(".amazonaws.com") {
        return Ok(text.to_string());
    }
    Ok(accounts
        .resolve_role(text)
        .map(|(_, role)| role.arn.clone())?)
}

/// A repository name, URI or ARN as its ARN (an ARN or URI of an account that is not
/// loaded stays as given: the checks that need it say which account is missing).
fn resolve_repository(accounts: &Accounts, text: &str) -> Result<String, DiagnoseError> {
    if text.starts_with("arn:") {
        return Ok(text.to_string());
    }
    if let Some(image) = arn::ImageRef::parse(text) {
        if accounts.account(image.account).is_none() {
            return Ok(arn::repository_arn(
                crate::policy::arn::partition_for_region(image.region),
                image.region,
                image.account,
                image.repository,
            ));
        }
    }
    Ok(accounts
        .resolve_repository(text)
        .map(|(_, repo)| repo.arn.clone())?)
}

/// A resource of the open access kind: ARNs pass through; a name is a role, repository or
/// key of the loaded accounts.
fn resolve_resource(accounts: &Accounts, text: &str) -> Result<String, DiagnoseError> {
    if text.starts_with("arn:") || text == "*" {
        return Ok(text.to_string());
    }
    if let Ok((_, role)) = accounts.resolve_role(text) {
        return Ok(role.arn.clone());
    }
    if let Ok((_, repo)) = accounts.resolve_repository(text) {
        return Ok(repo.arn.clone());
    }
    Ok(accounts.resolve_key(text).map(|(_, key)| key.arn.clone())?)
}

fn resolve_trigger(
    accounts: &Accounts,
    pipeline: &str,
    repository: Option<&str>,
    tag: Option<&str>,
    pusher: Option<&str>,
    push_event: Option<&str>,
) -> Result<Resolved, DiagnoseError> {
    let (_, found) = accounts.resolve_pipeline(pipeline)?;
    let mut found_inputs = Vec::new();
    let (repository, tag) = trigger_source(accounts, found, repository, tag, &mut found_inputs)?;
    let mut resolved = Resolved {
        question: Question::Trigger {
            pipeline: found.arn.clone(),
            repository,
            tag,
            pusher: String::new(),
        },
        found: found_inputs,
        assumptions: Vec::new(),
    };
    let pusher = match pusher {
        Some(p) => Some(resolve_principal(accounts, p)?),
        None => trigger_pusher(accounts, push_event, &mut resolved),
    };
    if let (Some(p), Question::Trigger { pusher: slot, .. }) = (pusher, &mut resolved.question) {
        *slot = p;
    }
    Ok(resolved)
}

/// The repository and tag of a trigger question: given, or those of the pipeline's ECR
/// source action (recorded in `found_inputs`).
fn trigger_source(
    accounts: &Accounts,
    found: &Pipeline,
    repository: Option<&str>,
    tag: Option<&str>,
    found_inputs: &mut Vec<Found>,
) -> Result<(String, String), DiagnoseError> {
    let source = found.ecr_sources().find_map(|action| {
        let s = action.ecr_source()?;
        Some((
            found.ecr_source_repository_arn(action)?,
            s.image_tag.to_string(),
            action.name.clone(),
        ))
    });
    let repository = match (repository, &source) {
        (Some(r), _) => resolve_source_repository(accounts, found, r)?,
        (None, Some((arn, _, action))) => {
            found_inputs.push(Found {
                input: "repository".into(),
                value: arn.clone(),
                from: format!("{}'s ECR source action {action}", found.name),
            });
            arn.clone()
        }
        (None, None) => {
            return Err(DiagnoseError::Unsupported(format!(
                "{} has no ECR source action; pass --repo",
                found.name
            )))
        }
    };
    let tag = match (tag, &source) {
        (Some(t), _) => t.to_string(),
        (None, Some((_, watched, action))) => {
            found_inputs.push(Found {
                input: "tag".into(),
                value: watched.clone(),
                from: format!("the tag {}'s source action {action} watches", found.name),
            });
            watched.clone()
        }
        (None, None) => DEFAULT_TAG.into(),
    };
    Ok((repository, tag))
}

/// The pusher nobody named: found in the pusher's own copy of the push record, or an
/// assumption saying why it is unknown.
fn trigger_pusher(
    accounts: &Accounts,
    push_event: Option<&str>,
    resolved: &mut Resolved,
) -> Option<String> {
    if let Some((arn, account)) = push_event.and_then(|id| pusher_of_event(accounts, id)) {
        resolved.find(
            "pusher",
            &arn,
            format!(
                "the pusher's copy of the PutImage record (sharedEventID {}) in account {account}",
                push_event.unwrap_or_default()
            ),
        );
        return Some(arn);
    }
    let why = match push_event.and_then(|id| push_caller_account(accounts, id)) {
        Some(account) => format!(
            "the repository owner's record names only the pusher's account {account}; its own copy is not loaded"
        ),
        None => "no pusher was given".to_string(),
    };
    resolved.assume(
        "pusher",
        "unknown (judged from the repository's recent PutImage records)",
        &why,
        "--pusher SESSION-ARN (i in the console), or open the pusher's account",
    );
    None
}

/// A repository given for a trigger: an ARN as is, a name in the account the pipeline's
/// source action reads from (the action role's account, else the pipeline's).
fn resolve_source_repository(
    accounts: &Accounts,
    pipeline: &Pipeline,
    text: &str,
) -> Result<String, DiagnoseError> {
    if text.starts_with("arn:") || arn::ImageRef::parse(text).is_some() {
        return resolve_repository(accounts, text);
    }
    let by_source = pipeline.ecr_sources().find_map(|action| {
        let arn = pipeline.ecr_source_repository_arn(action)?;
        arn.ends_with(&format!(":repository/{text}")).then_some(arn)
    });
    match by_source {
        Some(arn) => Ok(arn),
        None => resolve_repository(accounts, text),
    }
}

/// The pusher's session ARN and account from the caller's copy of a `PutImage` record.
fn pusher_of_event(accounts: &Accounts, shared_event_id: &str) -> Option<(String, String)> {
    let caller = push_caller_account(accounts, shared_event_id)?;
    let account = accounts.account(&caller)?;
    records_sharing(account, shared_event_id).find_map(|r| {
        let arn = r.pointer("/userIdentity/arn")?.as_str()?;
        (account_of(arn) == Some(caller.as_str())).then(|| (arn.to_string(), caller.clone()))
    })
}

/// The calling account of a `PutImage` record, from any loaded copy of it.
fn push_caller_account(accounts: &Accounts, shared_event_id: &str) -> Option<String> {
    accounts
        .accounts()
        .flat_map(|account| records_sharing(account, shared_event_id))
        .find_map(|r| {
            r.pointer("/userIdentity/accountId")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
}

/// The account's records of the call `shared_event_id` (only those whose text names it
/// are parsed).
fn records_sharing<'a>(
    account: &'a Account,
    shared_event_id: &'a str,
) -> impl Iterator<Item = Value> + 'a {
    account
        .trail
        .loaded()
        .into_iter()
        .flat_map(|records| records.iter_raw())
        .filter(move |raw| raw.contains(shared_event_id))
        .filter_map(|raw| serde_json::from_str::<Value>(raw).ok())
        .filter(move |r| shared_id(r) == Some(shared_event_id))
}

fn shared_id(record: &Value) -> Option<&str> {
    record.get("sharedEventID").and_then(Value::as_str)
}

fn resolve_artifact(
    accounts: &Accounts,
    pipeline: &str,
    action: Option<&str>,
) -> Result<Resolved, DiagnoseError> {
    let (account, found) = accounts.resolve_pipeline(pipeline)?;
    let question = |action: String| Question::Artifact {
        pipeline: found.arn.clone(),
        action,
    };
    if let Some(action) = action {
        return Ok(Resolved::given(question(action.to_string())));
    }
    let other_account = found.actions().find(|(_, a)| {
        a.role_arn
            .as_deref()
            .and_then(account_of)
            .is_some_and(|acc| acc != account.id())
    });
    let (chosen, from) = match other_account {
        Some((_, a)) => (
            a,
            "the first action whose role is in another account".to_string(),
        ),
        None => match found.actions().next() {
            Some((_, a)) => (a, "the pipeline's first action".to_string()),
            None => {
                return Err(DiagnoseError::Unsupported(format!(
                    "{} has no actions loaded",
                    found.name
                )))
            }
        },
    };
    let mut resolved = Resolved::given(question(chosen.name.clone()));
    resolved.find("action", &chosen.name, from);
    Ok(resolved)
}

/// The drafts a denied or notable CloudTrail record raises, from its linked question.
pub fn from_trail(record: &Value) -> Vec<QuestionDraft> {
    use crate::trail::link::link_question;
    use crate::trail::{classify, parse_record_str, Derived, LinkedQuestion};
    let Ok(event) = parse_record_str(&record.to_string()) else {
        return Vec::new();
    };
    let class = classify(&event);
    let value = |d: &Derived| d.value().map(str::to_string);
    // A refusal that names an organisation guardrail is answered as the error it records:
    // the SCP/RCP it names (with its ARN) is then cited by the guardrail checks.
    let names_guardrail =
        |m: &String| m.contains("service control policy") || m.contains("resource control policy");
    if let Some(message) = event
        .error_message
        .as_ref()
        .filter(|m| class.denied && names_guardrail(m))
    {
        return vec![QuestionDraft::Error {
            text: message.clone(),
        }];
    }
    if class.denied {
        let Some(linked) = link_question(&event, class.kind) else {
            return Vec::new();
        };
        let draft =
            match linked {
                LinkedQuestion::Pull {
                    principal_arn,
                    repository_arn,
                    tag,
                    ..
                } => value(&principal_arn).zip(value(&repository_arn)).map(
                    |(principal, repository)| QuestionDraft::Pull {
                        principal,
                        repository,
                        tag: value(&tag),
                        project: None,
                        source_arn: None,
                        // The record names the endpoint the call went through, if any.
                        vpc_endpoint: record
                            .get("vpcEndpointId")
                            .and_then(Value::as_str)
                            .filter(|id| id.starts_with("vpce-"))
                            .map(str::to_string),
                        runs_in: None,
                    },
                ),
                LinkedQuestion::Push {
                    principal_arn,
                    repository_arn,
                    tag,
                    ..
                } => value(&principal_arn).zip(value(&repository_arn)).map(
                    |(principal, repository)| QuestionDraft::Push {
                        principal,
                        repository,
                        tag: value(&tag),
                    },
                ),
                LinkedQuestion::Assume {
                    principal_arn,
                    role_arn,
                    external_id,
                } => value(&principal_arn)
                    .zip(value(&role_arn))
                    .map(|(principal, role)| QuestionDraft::Assume {
                        principal,
                        role,
                        // The record holds the request: no externalId there means none was sent.
                        external_id: Some(value(&external_id).unwrap_or_default())
                            .filter(|x| !x.is_empty()),
                    }),
                LinkedQuestion::Kms {
                    action,
                    principal_arn,
                    key,
                } => value(&principal_arn)
                    .zip(value(&key))
                    .map(|(principal, resource)| QuestionDraft::Access {
                        principal,
                        action,
                        resource,
                    }),
                LinkedQuestion::AuthToken { .. } => None,
            };
        return draft.into_iter().collect();
    }
    Vec::new()
}

/// A `PutImage` record made from another account: (repository, tag, sharedEventID).
pub fn cross_account_push(record: &Value) -> Option<(String, String, Option<String>)> {
    use crate::trail::{classify, parse_record_str};
    let event = parse_record_str(&record.to_string()).ok()?;
    let class = classify(&event);
    if event.event_name.as_deref() != Some("PutImage") || class.cross_account != Some(true) {
        return None;
    }
    Some((
        event.request.repository_name.clone()?,
        event
            .request
            .image_tag
            .clone()
            .unwrap_or_else(|| DEFAULT_TAG.into()),
        event.shared_event_id.clone(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::demo;

    fn demo_accounts() -> Accounts {
        demo::load().expect("demo")
    }

    #[test]
    fn assume_without_external_id_is_an_assumption() {
        let resolved = resolve(
            &QuestionDraft::Assume {
                principal: "partner-sync-role".into(),
                role: "arn:aws:iam::222222222222:role/partner-deploy-role".into(),
                external_id: None,
            },
            &demo_accounts(),
        )
        .expect("resolves");
        assert!(resolved
            .assumptions
            .iter()
            .any(|a| a.input == "external_id" && a.value == "none sent"));
    }

    #[test]
    fn trigger_repository_lives_in_the_source_action_roles_account() {
        let resolved = resolve(
            &QuestionDraft::Trigger {
                pipeline: "order-worker-release".into(),
                repository: None,
                tag: None,
                pusher: None,
                push_event: None,
            },
            &demo_accounts(),
        )
        .expect("resolves");
        let Question::Trigger { repository, .. } = &resolved.question else {
            panic!("trigger")
        };
        assert!(
            repository.contains(":111111111111:repository/order-worker"),
            "{repository}"
        );
        assert!(resolved.assumptions.iter().any(|a| a.input == "pusher"));
        assert!(resolved.found.iter().any(|f| f.input == "repository"));
    }
}

#[cfg(test)]
mod trail_endpoint_tests {
    use super::*;

    #[test]
    fn a_denied_pull_through_an_endpoint_asks_about_that_endpoint() {
        let accounts = crate::inventory::demo::load().expect("demo");
        let mut record = accounts
            .account("111111111111")
            .and_then(|a| a.trail.loaded())
            .and_then(|records| {
                records
                    .iter()
                    .find(|r| r["eventName"] == "BatchGetImage" && r.get("errorCode").is_some())
            })
            .expect("the demo's denied BatchGetImage record");
        let endpoint = |drafts: Vec<QuestionDraft>| match drafts.first() {
            Some(QuestionDraft::Pull { vpc_endpoint, .. }) => vpc_endpoint.clone(),
            other => panic!("not a pull: {other:?}"),
        };
        assert_eq!(endpoint(from_trail(&record)), None);
        record["vpcEndpointId"] = Value::String("vpce-0a1b2c3d4e5f60718".into());
        assert_eq!(
            endpoint(from_trail(&record)),
            Some("vpce-0a1b2c3d4e5f60718".to_string())
        );
    }
}
