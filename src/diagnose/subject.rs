//! The caller of a question, resolved against the inventory: its identity policies,
//! permissions boundary, and whatever could not be read (the gaps that make a check Unknown).

use serde_json::Value;

use super::model::PolicyLocation;
use crate::inventory::{Account, Accounts, Field, PolicyStore, Role, Unreadable, User};
use crate::policy::arn::UnknownPrincipal;
use crate::policy::{Caller, PolicyDocument};

/// A parsed policy with where it lives.
#[derive(Debug, Clone)]
pub struct LoadedPolicy {
    /// Where the policy lives.
    pub location: PolicyLocation,
    /// The account it lives in.
    pub account: String,
    /// The parsed document, shared with the accounts' policy store.
    pub document: std::sync::Arc<PolicyDocument>,
    /// The document as stored, so fixes can edit the statements as written.
    pub raw: Value,
}

impl LoadedPolicy {
    /// Statement `index` as written (a single-object `Statement` is index 0).
    pub fn raw_statement(&self, index: usize) -> Option<&Value> {
        match self.raw.get("Statement")? {
            Value::Array(items) => items.get(index),
            single @ Value::Object(_) if index == 0 => Some(single),
            _ => None,
        }
    }
}

/// Evidence that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// The account the missing evidence lives in.
    pub account: Option<String>,
    /// What is missing and why, with what to do next.
    pub reason: String,
    /// The same in one short clause for a check's message: for a failed read, the
    /// operation, the account, the error code and the fix.
    pub cause: String,
}

impl Gap {
    /// A gap whose short form is its reason.
    pub fn new(account: Option<String>, reason: String) -> Self {
        Gap {
            account,
            cause: reason.clone(),
            reason,
        }
    }

    /// A gap for `what` in `account`, from a field that is not loaded.
    pub fn from_field<T>(account: &str, what: &str, field: Field<T>) -> Self {
        let cause = match &field {
            Field::Unreadable(u) => unreadable_cause(u, Some(account)),
            _ => String::new(),
        };
        let reason = field_gap(what, field);
        Gap {
            account: Some(account.to_string()),
            cause: if cause.is_empty() {
                reason.clone()
            } else {
                cause
            },
            reason,
        }
    }
}

/// "cannot read ecr:GetRepositoryPolicy in 222222222222: AccessDeniedException — add …".
pub fn unreadable_cause(u: &Unreadable, account: Option<&str>) -> String {
    let place = account.map(|a| format!(" in {a}")).unwrap_or_default();
    let hint = u.hint.clone().unwrap_or_else(|| {
        format!(
            "add {} to the operator role crossdock reads with",
            u.operation
        )
    });
    format!("cannot read {}{place}: {} — {hint}", u.operation, u.code)
}

/// The causes of `gaps` in one clause: the first, and how many more there are.
pub fn gaps_cause(gaps: &[Gap]) -> String {
    match gaps {
        [] => String::new(),
        [one] => one.cause.clone(),
        [first, rest @ ..] => format!("{} (and {} more)", first.cause, rest.len()),
    }
}

/// The caller with everything known about its permissions.
#[derive(Debug, Clone)]
pub struct Subject<'p> {
    /// The caller as the evaluator sees it.
    pub caller: Caller,
    /// The role behind the caller, when loaded.
    pub role: Option<&'p Role>,
    /// The IAM user that calls, when the caller is a loaded user.
    pub user: Option<&'p User>,
    /// Identity-based policies (inline and managed).
    pub policies: Vec<LoadedPolicy>,
    /// The permissions boundary, if the role has one.
    pub boundary: Option<LoadedPolicy>,
    /// What could not be read about the caller's permissions.
    pub gaps: Vec<Gap>,
    /// The accounts' parsed policies (every document is parsed once).
    pub store: &'p PolicyStore,
    /// The caller's organisation (`aws:PrincipalOrgID`): `Loaded` with its id, `Absent` when
    /// the account is in none, otherwise unknown (a condition on it is then undecided).
    pub org_id: Field<String>,
    /// Session tags the session was given at AssumeRole, from a loaded CloudTrail record
    /// (they win over the role's tags as `aws:PrincipalTag/*`).
    pub session_tags: Vec<(String, String)>,
    /// The organisation id of every loaded account whose organisation was read (account id,
    /// organisation id): `aws:ResourceOrgID` of the resource's account.
    pub account_orgs: Vec<(String, String)>,
}

impl<'p> Subject<'p> {
    /// A caller with no identity policies of its own (an account root, a service).
    pub fn bare(caller: Caller, store: &'p PolicyStore) -> Self {
        Subject {
            caller,
            role: None,
            user: None,
            policies: Vec::new(),
            boundary: None,
            gaps: Vec::new(),
            store,
            org_id: Field::NotLoaded,
            session_tags: Vec::new(),
            account_orgs: Vec::new(),
        }
    }

    /// Resolves `principal` (session, role or user ARN, or a service principal name).
    pub fn resolve(pair: &'p Accounts, principal: &str) -> Result<Self, UnknownPrincipal> {
        let bare = Caller::parse(principal, None)?;
        let mut subject = Subject {
            caller: bare.clone(),
            role: None,
            user: None,
            policies: Vec::new(),
            boundary: None,
            gaps: Vec::new(),
            store: pair.policies(),
            org_id: Field::NotLoaded,
            session_tags: Vec::new(),
            account_orgs: pair
                .accounts()
                .filter_map(|a| Some((a.id().to_string(), a.org.organization_id()?.to_string())))
                .collect(),
        };
        let Some(account_id) = bare.account().map(str::to_string) else {
            return Ok(subject); // a service principal has no identity policies
        };
        let Some(account) = pair.account(&account_id) else {
            subject.gaps.push(Gap::new(
                Some(account_id.clone()),
                format!(
                    "account {account_id} of the caller is not loaded: open a profile or snapshot for it to see the caller's policies"
                ),
            ));
            return Ok(subject);
        };
        subject.org_id = match &account.org.membership {
            Field::Loaded(org) => Field::Loaded(org.id.clone()),
            Field::Absent => Field::Absent,
            _ => match account.org.organization_id() {
                Some(id) => Field::Loaded(id.to_string()),
                None => Field::NotLoaded,
            },
        };
        // Only a session carries session tags (a role or user ARN is never the
        // `assumedRoleUser` of an AssumeRole record): the records are not scanned for others.
        if matches!(bare, Caller::Session { .. }) {
            subject.session_tags = session_tags(account, principal);
        }
        match &bare {
            Caller::Session { .. } | Caller::Role { .. } => match account.role_lookup(principal) {
                Field::Loaded(role) => {
                    subject.caller = Caller::parse(principal, Some(&role.arn))?;
                    subject.role = Some(role);
                    subject.load_role_policies(account, role);
                }
                Field::Unreadable(u) => subject.gaps.push(Gap {
                    account: Some(account_id.clone()),
                    reason: format!("the caller's role could not be read: {u}"),
                    cause: unreadable_cause(&u, Some(&account_id)),
                }),
                other => subject.gaps.push(Gap::new(
                    Some(account_id.clone()),
                    match other {
                        Field::Absent => format!("the caller's role does not exist in {account_id}"),
                        _ => format!("the caller's role in {account_id} is not loaded yet"),
                    },
                )),
            },
            Caller::Root { .. } => {}
            Caller::User { .. } => subject.resolve_user(account, principal),
            _ => subject.gaps.push(Gap::new(
                Some(account_id),
                format!(
                    "{principal} is not a role or user: crossdock reads the policies of roles, role sessions and IAM users"
                ),
            )),
        }
        Ok(subject)
    }

    /// Records `gap` for what could not be read about the caller.
    pub(super) fn push_gap(&mut self, gap: Gap) {
        self.gaps.push(gap);
    }

    /// Adds a policy of the caller: an identity policy, or (`identity` false) the boundary.
    pub(super) fn add_policy(
        &mut self,
        location: PolicyLocation,
        account: &str,
        document: Field<&Value>,
        identity: bool,
    ) {
        self.add(location, account, document, identity);
    }

    fn load_role_policies(&mut self, account: &Account, role: &Role) {
        let account_id = account.id().to_string();
        let role_arn = role.arn.clone();
        match &role.inline_policies {
            Field::Loaded(list) => {
                for inline in list {
                    let location = PolicyLocation::InlinePolicy {
                        role: role_arn.clone(),
                        name: inline.name.clone(),
                    };
                    self.add(location, &account_id, inline.document.as_ref(), true);
                }
            }
            Field::Absent => {}
            other => self.gap(&account_id, "inline policies", &role_arn, other.as_ref()),
        }
        match &role.attached_policies {
            Field::Loaded(list) => {
                for attached in list {
                    let location = PolicyLocation::ManagedPolicy {
                        role: role_arn.clone(),
                        policy: attached.arn.clone(),
                    };
                    let document = account.managed_policy_document(&attached.arn);
                    self.add(location, &account_id, document, true);
                }
            }
            Field::Absent => {}
            other => self.gap(&account_id, "attached policies", &role_arn, other.as_ref()),
        }
        match &role.permissions_boundary {
            Field::Loaded(attached) => {
                let location = PolicyLocation::PermissionsBoundary {
                    role: role_arn.clone(),
                    policy: attached.arn.clone(),
                };
                let document = account.managed_policy_document(&attached.arn);
                self.add(location, &account_id, document, false);
            }
            Field::Absent => {}
            other => self.gap(
                &account_id,
                "permissions boundary",
                &role_arn,
                other.as_ref(),
            ),
        }
    }

    fn add(
        &mut self,
        location: PolicyLocation,
        account: &str,
        document: Field<&Value>,
        identity: bool,
    ) {
        match parse_field(self.store, document, &location, account) {
            Ok(Some(loaded)) => {
                if identity {
                    self.policies.push(loaded);
                } else {
                    self.boundary = Some(loaded);
                }
            }
            Ok(None) => {}
            Err(gap) => self.gaps.push(gap),
        }
    }

    fn gap<T>(&mut self, account: &str, what: &str, role: &str, field: Field<&T>) {
        self.gaps.push(Gap::from_field(
            account,
            &format!("the {what} of {role}"),
            field,
        ));
    }

    /// The role ARN to name in grants and fixes (the session's role, or the caller itself).
    pub fn grant_arn(&self) -> String {
        self.caller
            .role_arn()
            .map(str::to_string)
            .unwrap_or_else(|| self.caller.to_string())
    }
}

/// The session tags of `session_arn` from the account's loaded CloudTrail records: the
/// `AssumeRole` record whose `responseElements.assumedRoleUser.arn` is the session carries
/// them in `requestParameters.tags` (the latest such record wins).
pub fn session_tags(account: &Account, session_arn: &str) -> Vec<(String, String)> {
    let Some(records) = account.trail.loaded() else {
        return Vec::new();
    };
    // Only records naming the session are parsed.
    let naming: Vec<serde_json::Value> = records
        .iter_raw()
        .filter(|raw| raw.contains(session_arn))
        .filter_map(|raw| serde_json::from_str(raw).ok())
        .collect();
    naming
        .iter()
        .rev()
        .find(|r| {
            r["eventName"]
                .as_str()
                .is_some_and(|n| n.starts_with("AssumeRole"))
                && r.pointer("/responseElements/assumedRoleUser/arn")
                    .and_then(|a| a.as_str())
                    == Some(session_arn)
        })
        .and_then(|r| r.pointer("/requestParameters/tags"))
        .and_then(|tags| tags.as_array())
        .map(|tags| {
            tags.iter()
                .filter_map(|t| {
                    Some((
                        t["key"].as_str()?.to_string(),
                        t["value"].as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Parses a policy field: `Ok(None)` when absent, a gap when unreadable, unloaded or invalid.
pub fn parse_field(
    store: &PolicyStore,
    field: Field<&Value>,
    location: &PolicyLocation,
    account: &str,
) -> Result<Option<LoadedPolicy>, Gap> {
    let name = location.to_string();
    match field {
        Field::Loaded(value) => match store.parsed(&format!("{account} {name}"), value) {
            Ok(document) => Ok(Some(LoadedPolicy {
                location: location.clone(),
                account: account.to_string(),
                document,
                raw: value.clone(),
            })),
            Err(e) => Err(Gap::new(
                Some(account.to_string()),
                format!("the {name} is not a valid policy ({e}); fix the document, AWS would reject it too"),
            )),
        },
        Field::Absent => Ok(None),
        other => Err(Gap::from_field(account, &format!("the {name}"), other)),
    }
}

/// "X could not be read: …" / "X is not loaded yet".
pub fn field_gap<T>(what: &str, field: Field<T>) -> String {
    match field {
        Field::Unreadable(u) => {
            let hint = u.hint.clone().unwrap_or_else(|| {
                format!(
                    "add {} to the operator role crossdock reads with",
                    u.operation
                )
            });
            format!(
                "{what} could not be read: cannot read {}: {} — {hint} (AWS said: {})",
                u.operation, u.code, u.message
            )
        }
        Field::NotLoaded => {
            format!("{what} is not loaded yet (press r to load it, or snapshot it)")
        }
        Field::Absent => format!("{what} does not exist"),
        Field::Loaded(_) => format!("{what} is loaded"),
    }
}
