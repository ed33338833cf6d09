//! The decision for one request across identity, resource, boundary, session and SCP
//! policies, following AWS's evaluation logic (see IAM-RULES.md in the shared folder).

use serde::Serialize;

use super::arn::Caller;
use super::document::{Effect, Statement};
use super::principal::PrincipalMatch;
use super::request::{LabeledPolicy, Request, ResourceKind};
use super::sentence::sentence;

// The outcome types live below both the evaluator and `explain`, which reads them; re-exported
// here because they are part of an evaluation's public shape.
pub use super::outcome::{PrincipalOutcome, StatementOutcome};

/// The three possible decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Decision {
    /// Allowed.
    Allow,
    /// A Deny statement matched.
    ExplicitDeny,
    /// Nothing (or not everything needed) allowed.
    ImplicitDeny,
}

/// Which role a policy plays in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicySide {
    /// An identity-based policy of the caller.
    Identity,
    /// The resource-based policy (repository, key, trust policy).
    Resource,
    /// The caller's permissions boundary.
    Boundary,
    /// The session policy.
    Session,
    /// A service control policy level.
    Scp,
    /// A resource control policy level (over the resource's account).
    Rcp,
    /// The policy of the VPC endpoint the request passes through.
    VpcEndpoint,
}

impl PolicySide {
    fn describe(self) -> &'static str {
        match self {
            PolicySide::Identity => "identity-based policy",
            PolicySide::Resource => "resource-based policy",
            PolicySide::Boundary => "permissions boundary",
            PolicySide::Session => "session policy",
            PolicySide::Scp => "service control policy",
            PolicySide::Rcp => "resource control policy",
            PolicySide::VpcEndpoint => "VPC endpoint policy",
        }
    }
}

/// What one policy did for this request.
#[derive(Debug, Clone)]
pub struct PolicyOutcome {
    /// Index into [`Evaluation`]'s view of the request's policies (see [`policy_at`]).
    pub side: PolicySide,
    /// Position within its side (identity policy number, SCP level).
    pub position: usize,
    /// Whether the policy took part, and if not, why.
    pub skipped: Option<&'static str>,
    /// Per-statement results, in document order.
    pub statements: Vec<StatementOutcome>,
}

impl PolicyOutcome {
    /// Statements that apply with `effect`.
    pub fn applying(&self, effect: Effect) -> impl Iterator<Item = &StatementOutcome> {
        self.statements
            .iter()
            .filter(move |s| s.effect == effect && s.applies())
    }

    /// True when an Allow applies.
    pub fn allows(&self) -> bool {
        self.skipped.is_none() && self.applying(Effect::Allow).next().is_some()
    }

    /// The strongest principal grant among applying Allows (resource policies).
    fn best_grant(&self) -> Option<(PrincipalMatch, usize)> {
        self.applying(Effect::Allow)
            .filter_map(|s| match s.principal {
                PrincipalOutcome::Matched(m) => Some((m, s.index)),
                _ => None,
            })
            .max_by_key(|(m, _)| *m)
    }
}

/// A statement that decided the outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecidingStatement {
    /// The policy's label.
    pub policy: String,
    /// Statement index.
    pub statement: usize,
    /// Its Sid, if any.
    pub sid: Option<String>,
    /// Its effect.
    pub effect: Effect,
    /// Whether it applied (false for the near misses listed with an implicit deny).
    pub applied: bool,
}

/// The evaluator's answer.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// Allow, ExplicitDeny or ImplicitDeny.
    pub decision: Decision,
    /// A stable kebab-case name of the rule that decided.
    pub rule: &'static str,
    /// One sentence naming the deciding rule and the evidence.
    pub reason: String,
    /// The statements that decided (for an implicit deny: the near misses).
    pub deciding: Vec<DecidingStatement>,
    /// Caller and resource in different accounts.
    pub cross_account: bool,
    /// The kind of resource policy.
    pub resource_kind: ResourceKind,
    /// The identity side allows: an identity-based Allow that the permissions boundary and
    /// session policy let through (always true for the root user, false for services).
    pub identity_allows: bool,
    /// The strongest way an applying resource-policy Allow names the caller, with the
    /// statement index.
    pub resource_grant: Option<(PrincipalMatch, usize)>,
    /// What each policy did.
    pub policies: Vec<PolicyOutcome>,
}

impl Evaluation {
    /// The applying Deny statements as (side, position, statement index).
    pub fn denies(&self) -> impl Iterator<Item = (&PolicyOutcome, &StatementOutcome)> {
        self.policies
            .iter()
            .filter(|p| p.skipped.is_none())
            .flat_map(|p| p.applying(Effect::Deny).map(move |s| (p, s)))
    }

    /// The outcomes of one side's policies.
    pub fn side(&self, side: PolicySide) -> impl Iterator<Item = &PolicyOutcome> {
        self.policies.iter().filter(move |p| p.side == side)
    }
}

/// Returns the labeled policy an outcome refers to.
pub fn policy_at<'r, 'a>(
    request: &'r Request<'a>,
    outcome: &PolicyOutcome,
) -> &'r LabeledPolicy<'a> {
    let found = match outcome.side {
        PolicySide::Identity => request.identity_policies.get(outcome.position),
        PolicySide::Resource => request.resource_policy.as_ref(),
        PolicySide::Boundary => request.permissions_boundary.as_ref(),
        PolicySide::Session => request.session_policy.as_ref(),
        PolicySide::Scp => request.scps.get(outcome.position),
        PolicySide::Rcp => request.rcps.get(outcome.position),
        PolicySide::VpcEndpoint => request.vpc_endpoint_policy.as_ref(),
    };
    found.expect("outcomes are built from the request's own policies")
}

/// Evaluates `request`.
pub fn evaluate(request: &Request<'_>) -> Evaluation {
    let mut policies = Vec::with_capacity(request.identity_policies.len() + request.scps.len() + 4);
    let caller = &request.caller;
    let has_boundary = request.permissions_boundary.is_some();
    let mut push = |side, position, policy: &LabeledPolicy<'_>, skip| {
        policies.push(outcome(request, policy, side, position, skip, has_boundary));
    };
    let identity_skip = match caller {
        Caller::Service { .. } => Some("a service principal has no identity-based policies"),
        Caller::Root { .. } => Some("the root user is not governed by identity-based policies"),
        Caller::Anonymous => Some("an anonymous caller has no identity-based policies"),
        _ => None,
    };
    let scp_skip = super::guardrail::scp_exemption(caller);
    for (i, scp) in request.scps.iter().enumerate() {
        push(PolicySide::Scp, i, scp, scp_skip);
    }
    let rcp_skip = super::guardrail::rcp_exemption(caller, &request.action);
    for (i, rcp) in request.rcps.iter().enumerate() {
        push(PolicySide::Rcp, i, rcp, rcp_skip);
    }
    if let Some(p) = &request.vpc_endpoint_policy {
        let skip = caller
            .is_service()
            .then_some("a service principal's own calls do not pass through the VPC endpoint");
        push(PolicySide::VpcEndpoint, 0, p, skip);
    }
    for (i, p) in request.identity_policies.iter().enumerate() {
        push(PolicySide::Identity, i, p, identity_skip);
    }
    if let Some(p) = &request.resource_policy {
        let skip = (!request.resource_policy_applies())
            .then_some("registry-level action (resource `*`): resource-based policies never apply");
        push(PolicySide::Resource, 0, p, skip);
    }
    if let Some(p) = &request.permissions_boundary {
        push(PolicySide::Boundary, 0, p, identity_skip);
    }
    if let Some(p) = &request.session_policy {
        push(PolicySide::Session, 0, p, identity_skip);
    }
    decide(request, policies)
}

fn outcome(
    request: &Request<'_>,
    policy: &LabeledPolicy<'_>,
    side: PolicySide,
    position: usize,
    skipped: Option<&'static str>,
    has_boundary: bool,
) -> PolicyOutcome {
    let statements = if skipped.is_some() {
        Vec::new()
    } else {
        let index = policy.document.service_index();
        let bits = index.bits(&request.action);
        policy
            .document
            .statements
            .iter()
            .map(|s| {
                // Action patterns of other services cannot match: Action misses, NotAction covers.
                let action = if index.may_match(s.index, bits) {
                    s.action.covers(&request.action)
                } else {
                    s.action.negated
                };
                statement_outcome(request, s, action, side, has_boundary)
            })
            .collect()
    };
    PolicyOutcome {
        side,
        position,
        skipped,
        statements,
    }
}

/// What `statement` did, given whether its Action/NotAction covers the request's action.
fn statement_outcome(
    request: &Request<'_>,
    statement: &Statement,
    action: bool,
    side: PolicySide,
    has_boundary: bool,
) -> StatementOutcome {
    let resource = action
        && match &statement.resource {
            Some(spec) => spec.covers(&request.resource, &request.context),
            // Repository and trust policies have no Resource: they are about this resource.
            // Identity-type policies without one are invalid in AWS and match nothing.
            None => matches!(
                side,
                PolicySide::Resource | PolicySide::Scp | PolicySide::Rcp | PolicySide::VpcEndpoint
            ),
        };
    let names_principals = matches!(
        side,
        PolicySide::Resource | PolicySide::Rcp | PolicySide::VpcEndpoint
    );
    let principal = if !names_principals {
        PrincipalOutcome::NotApplicable
    } else {
        match &statement.principal {
            // AWS rejects RCP and endpoint statements without one (the placement warnings say
            // so); read as written, they apply to every caller.
            None if side != PolicySide::Resource => {
                PrincipalOutcome::Matched(PrincipalMatch::Anyone)
            }
            None => PrincipalOutcome::NotNamed,
            Some(spec) if !spec.negated => match spec.named(&request.caller) {
                Some(m) => PrincipalOutcome::Matched(m),
                None => PrincipalOutcome::NotNamed,
            },
            Some(spec) => {
                // A caller with a permissions boundary is never exempted by NotPrincipal+Deny.
                let boundary_overrides = statement.effect == Effect::Deny && has_boundary;
                if spec.excludes(&request.caller) && !boundary_overrides {
                    PrincipalOutcome::Excluded
                } else {
                    PrincipalOutcome::Matched(PrincipalMatch::Anyone)
                }
            }
        }
    };
    let conditions = (action && resource).then(|| {
        statement
            .conditions
            .iter()
            .all(|c| c.evaluate(&request.context))
    });
    StatementOutcome {
        index: statement.index,
        effect: statement.effect,
        action,
        resource,
        principal,
        conditions,
    }
}

/// Collects the decision from the per-policy outcomes.
fn decide(request: &Request<'_>, policies: Vec<PolicyOutcome>) -> Evaluation {
    // Both parse the resource ARN: worked out once, not in every phase that asks.
    let resource_account = request.resource_account();
    let d = Decider {
        request,
        policies: &policies,
        cross: request.crosses_into(resource_account),
        kind: request.resource_kind(),
        resource_account,
    };
    let (decision, rule, reason, deciding) = d.run();
    let identity_allows = d.identity_side_allows();
    let (cross, kind) = (d.cross, d.kind);
    let resource_grant = policies
        .iter()
        .find(|p| p.side == PolicySide::Resource && p.skipped.is_none())
        .and_then(PolicyOutcome::best_grant);
    Evaluation {
        identity_allows,
        resource_grant,
        decision,
        rule,
        reason,
        deciding,
        cross_account: cross,
        resource_kind: kind,
        policies,
    }
}

struct Decider<'r, 'a> {
    request: &'r Request<'a>,
    policies: &'r [PolicyOutcome],
    /// Caller and resource in different accounts.
    cross: bool,
    /// The kind of resource policy involved.
    kind: ResourceKind,
    /// The account that owns the resource ([`Request::resource_account`]).
    resource_account: Option<&'r str>,
}

type Verdict = (Decision, &'static str, String, Vec<DecidingStatement>);

/// Bytes reserved for a reason that is appended to piece by piece (near misses, the
/// conditions of an explicit deny), so it is allocated once for most requests.
const SENTENCE_ROOM: usize = 256;

/// The resource-based policy as the decision sees it.
struct ResourceSide<'r> {
    /// Its outcome, skipped or not.
    policy: Option<&'r PolicyOutcome>,
    /// Its best Allow for the caller (how the caller was named, statement index).
    grant: Option<(PrincipalMatch, usize)>,
    /// Whether it took part (present and not skipped).
    consulted: bool,
    /// Key and trust policies must allow even within one account.
    must_allow: bool,
    /// "key policy", "trust policy" or "resource-based policy", for the reasons.
    name: &'static str,
}

/// The identity side: an Allow, filtered by boundary and session policy.
struct IdentitySide {
    /// The caller is an account root user (allowed on its own side, never filtered).
    root: bool,
    /// An identity-based policy allows.
    allows: bool,
    /// The permissions boundary, if any, allows.
    boundary_ok: bool,
    /// The session policy, if any, allows.
    session_ok: bool,
}

impl IdentitySide {
    /// Allowed and not filtered out.
    fn effective(&self) -> bool {
        self.allows && self.boundary_ok && self.session_ok
    }
}

impl Decider<'_, '_> {
    fn identity_side_allows(&self) -> bool {
        match self.request.caller {
            Caller::Root { .. } => true,
            Caller::Service { .. } => false,
            _ => {
                self.any_allows(PolicySide::Identity)
                    && self
                        .side(PolicySide::Boundary)
                        .is_none_or(PolicyOutcome::allows)
                    && self
                        .side(PolicySide::Session)
                        .is_none_or(PolicyOutcome::allows)
            }
        }
    }

    /// The decision, phase by phase: explicit deny, service principal, SCP gate, requests
    /// AWS refuses outright, self-assume, then the resource and identity sides.
    fn run(&self) -> Verdict {
        if let Some(verdict) = self.caller_identity() {
            return verdict;
        }
        if let Some(verdict) = self.explicit_deny() {
            return verdict;
        }
        let resource = self.resource_side();
        if let Caller::Service { name } = &self.request.caller {
            return self.service_principal(name, &resource);
        }
        let gates = [PolicySide::Scp, PolicySide::Rcp, PolicySide::VpcEndpoint];
        if let Some(verdict) = gates
            .into_iter()
            .find_map(|side| self.guardrail_gate(side))
            .or_else(|| self.refused_outright())
        {
            return verdict;
        }
        if self.request.caller.is_anonymous() {
            return self.anonymous(&resource);
        }
        let identity = self.identity_side();
        if let Some(verdict) = self.self_assume(&resource) {
            return verdict;
        }
        if self.cross || resource.must_allow {
            return self.resource_must_allow(&resource, identity);
        }
        self.same_account(&resource, identity)
    }

    /// 1. An explicit Deny anywhere wins.
    fn explicit_deny(&self) -> Option<Verdict> {
        let denies: Vec<DecidingStatement> = self
            .policies
            .iter()
            .filter(|p| p.skipped.is_none())
            .flat_map(|p| p.applying(Effect::Deny).map(move |s| (p, s)))
            .map(|(p, s)| self.deciding(p, s.index, true))
            .collect();
        let first = denies.first()?;
        let (p, _) = self.find(first);
        let statement = self.statement(p, first.statement);
        let mut reason = String::with_capacity(SENTENCE_ROOM);
        for piece in [
            "explicit deny in the ",
            p.side.describe(),
            " `",
            &first.policy,
            "` (",
        ] {
            reason.push_str(piece);
        }
        statement.push_label(&mut reason);
        reason.push(')');
        super::explain::push_conditions_held(self.request, statement, &mut reason);
        Some((Decision::ExplicitDeny, "explicit-deny", reason, denies))
    }

    /// The resource-based policy's outcome and best grant, and what it is called.
    fn resource_side(&self) -> ResourceSide<'_> {
        let policy = self.side(PolicySide::Resource);
        let kind = self.kind;
        ResourceSide {
            policy,
            grant: policy
                .filter(|p| p.skipped.is_none())
                .and_then(PolicyOutcome::best_grant),
            consulted: policy.is_some_and(|p| p.skipped.is_none()),
            must_allow: kind != ResourceKind::Standard,
            name: match kind {
                ResourceKind::KmsKey => "key policy",
                ResourceKind::RoleTrust => "trust policy",
                ResourceKind::Standard => "resource-based policy",
            },
        }
    }

    /// The grant statement of the resource policy, if any, as a deciding statement.
    fn grant_refs(&self, resource: &ResourceSide<'_>) -> Vec<DecidingStatement> {
        match (resource.policy, resource.grant) {
            (Some(p), Some((_, index))) => vec![self.deciding(p, index, true)],
            _ => Vec::new(),
        }
    }

    /// 2. A service principal: only the resource policy decides.
    fn service_principal(&self, name: &str, resource: &ResourceSide<'_>) -> Verdict {
        let action = &self.request.action;
        match resource.grant {
            Some((m, _)) => (
                Decision::Allow,
                "service-principal-resource-policy",
                format!(
                    "the resource-based policy allows {action} for {}: service principals need nothing else",
                    m.describe()
                ),
                self.grant_refs(resource),
            ),
            None => {
                let (detail, near) = self.near_misses(PolicySide::Resource);
                (
                    Decision::ImplicitDeny,
                    "service-principal-resource-policy",
                    format!(
                        "no statement in the resource-based policy allows {action} for service principal {name} (only the resource policy can){detail}"
                    ),
                    near,
                )
            }
        }
    }

    /// Phase 0: `sts:GetCallerIdentity` needs no permission; AWS answers it for every
    /// signed request, even when a policy explicitly denies it (STS API reference).
    fn caller_identity(&self) -> Option<Verdict> {
        let request = self.request;
        let asked = request.action.eq_ignore_ascii_case("sts:GetCallerIdentity");
        (asked && !request.caller.is_anonymous()).then(|| {
            (
                Decision::Allow,
                "get-caller-identity",
                "sts:GetCallerIdentity needs no permission: AWS answers it for every signed request, even when a policy explicitly denies it".to_string(),
                Vec::new(),
            )
        })
    }

    /// Phase 3: every SCP level (over the caller's account) and every RCP level (over
    /// the resource's account) must allow, and so must a VPC endpoint policy on the path.
    fn guardrail_gate(&self, side: PolicySide) -> Option<Verdict> {
        let request = self.request;
        let action = &request.action;
        let p = self
            .policies
            .iter()
            .filter(|p| p.side == side && p.skipped.is_none())
            .find(|p| !p.allows())?;
        let label = &policy_at(request, p).label;
        let (rule, reason) = match side {
            PolicySide::Scp => (
                "scp-implicit-deny",
                format!(
                    "no statement in service control policy `{label}` (level {}) allows {action} for account {}; every level must allow (AWS's error text still says \"explicit deny in a service control policy\")",
                    p.position,
                    request.caller.account().unwrap_or("unknown")
                ),
            ),
            PolicySide::Rcp => (
                "rcp-implicit-deny",
                format!(
                    "no statement in resource control policy `{label}` (level {}) allows {action} on resources of account {}; every level must allow",
                    p.position,
                    self.resource_account.unwrap_or("unknown")
                ),
            ),
            _ => (
                "vpc-endpoint-policy",
                format!(
                    "no statement in the VPC endpoint policy `{label}` allows {action} on {} for {}; a request through an endpoint needs its policy to allow",
                    request.resource, request.caller
                ),
            ),
        };
        let (detail, near) = self.near_misses(side);
        Some((
            Decision::ImplicitDeny,
            rule,
            format!("{reason}{detail}"),
            near,
        ))
    }

    /// An anonymous caller: only a resource-based grant to everyone (`"*"`) allows.
    fn anonymous(&self, resource: &ResourceSide<'_>) -> Verdict {
        let action = &self.request.action;
        if let Some((PrincipalMatch::Anyone, _)) = resource.grant {
            return (
                Decision::Allow,
                "anonymous-resource-grant",
                format!(
                    "the {} allows {action} for every principal (\"*\"), which includes anonymous callers",
                    resource.name
                ),
                self.grant_refs(resource),
            );
        }
        let (detail, near) = self.near_misses(PolicySide::Resource);
        (
            Decision::ImplicitDeny,
            "anonymous-caller",
            format!(
                "an anonymous caller has no identity-based policies: only a {} statement allowing {action} for \"*\" could allow it, and none does{detail}",
                resource.name
            ),
            near,
        )
    }

    /// Requests AWS refuses whatever the policies say: root assuming a role, and KMS
    /// actions that do not work across accounts.
    fn refused_outright(&self) -> Option<Verdict> {
        let request = self.request;
        let action = &request.action;
        let kind = self.kind;
        if matches!(request.caller, Caller::Root { .. }) && kind == ResourceKind::RoleTrust {
            return Some((
                Decision::ImplicitDeny,
                "root-cannot-assume-role",
                "the account root user cannot assume roles: call sts:AssumeRole with an IAM user or role".to_string(),
                Vec::new(),
            ));
        }
        if kind == ResourceKind::KmsKey && self.cross && !request.is_kms_cross_account_action() {
            return Some((
                Decision::ImplicitDeny,
                "kms-cross-account-action",
                format!(
                    "{action} cannot be used across accounts: only cryptographic operations, CreateGrant, DescribeKey, GetKeyRotationStatus, GetPublicKey, ListGrants, RetireGrant and RevokeGrant work on another account's key"
                ),
                Vec::new(),
            ));
        }
        None
    }

    /// 4. The identity side: an Allow, filtered by boundary and session policy.
    fn identity_side(&self) -> IdentitySide {
        let root = matches!(self.request.caller, Caller::Root { .. });
        let filter_ok = |side| root || self.side(side).is_none_or(PolicyOutcome::allows);
        IdentitySide {
            root,
            allows: root || self.any_allows(PolicySide::Identity),
            boundary_ok: filter_ok(PolicySide::Boundary),
            session_ok: filter_ok(PolicySide::Session),
        }
    }

    /// The Allow statements of identity policies, boundary and session policy, as deciding
    /// statements (built only for the verdicts that list them).
    fn identity_refs(&self) -> Vec<DecidingStatement> {
        self.allow_refs(&[
            PolicySide::Identity,
            PolicySide::Boundary,
            PolicySide::Session,
        ])
    }

    /// Why the identity side does not allow, after `prefix`.
    fn identity_failure(&self, identity: &IdentitySide, prefix: &str) -> Verdict {
        let request = self.request;
        let action = &request.action;
        let caller = &request.caller;
        let (rule, side) = if !identity.allows {
            ("identity-policy", PolicySide::Identity)
        } else if !identity.boundary_ok {
            ("permissions-boundary", PolicySide::Boundary)
        } else {
            ("session-policy", PolicySide::Session)
        };
        let (detail, near) = self.near_misses(side);
        let reason = match side {
            PolicySide::Identity => sentence!(
                prefix,
                "no identity-based policy of ",
                caller.text(),
                " allows ",
                action,
                " on ",
                request.resource,
                detail
            ),
            PolicySide::Boundary => sentence!(
                prefix,
                "the permissions boundary does not allow ",
                action,
                " (it only filters: the boundary must allow too)",
                detail
            ),
            _ => sentence!(
                prefix,
                "the session policy does not allow ",
                action,
                " (it only filters: the session policy must allow too)",
                detail
            ),
        };
        (Decision::ImplicitDeny, rule, reason, near)
    }

    /// Role assuming itself: only an explicit trust of its own ARN counts.
    fn self_assume(&self, resource: &ResourceSide<'_>) -> Option<Verdict> {
        let request = self.request;
        if self.kind != ResourceKind::RoleTrust
            || request.caller.role_arn() != Some(request.resource.as_str())
        {
            return None;
        }
        let explicit = matches!(
            resource.grant,
            Some((PrincipalMatch::Role | PrincipalMatch::Session, _))
        );
        (!explicit).then(|| {
            (
                Decision::ImplicitDeny,
                "self-assume-explicit-trust",
                format!(
                    "a role assuming itself must be named explicitly by its own ARN in its trust policy; {} does not",
                    request.resource
                ),
                self.grant_refs(resource),
            )
        })
    }

    /// 5. The resource side, when it must allow (cross-account, or a key or trust policy).
    fn resource_must_allow(&self, resource: &ResourceSide<'_>, identity: IdentitySide) -> Verdict {
        let request = self.request;
        let action = &request.action;
        let cross = self.cross;
        let resource_name = resource.name;
        let resource_account = self.resource_account.unwrap_or("unknown");
        let caller_account = request.caller.account().unwrap_or("the service");
        let Some((m, _)) = resource.grant else {
            return self.no_resource_grant(resource);
        };
        if cross || m == PrincipalMatch::Account {
            // Both sides must allow (the account grant delegates to IAM).
            if !identity.effective() {
                let prefix = if cross {
                    format!(
                        "cross-account: the {resource_name} of {resource_account} allows it, but "
                    )
                } else {
                    format!("the {resource_name} names only the account (delegation to IAM), but ")
                };
                let mut verdict = self.identity_failure(&identity, &prefix);
                verdict.1 = if cross && verdict.1 == "identity-policy" {
                    "cross-account-identity-policy"
                } else {
                    verdict.1
                };
                verdict.3.extend(self.grant_refs(resource));
                return verdict;
            }
            let mut deciding = self.identity_refs();
            deciding.extend(self.grant_refs(resource));
            let why = if cross {
                sentence!(
                    "cross-account: the identity-based policies in ",
                    caller_account,
                    " and the ",
                    resource_name,
                    " of ",
                    resource_account,
                    " both allow ",
                    action
                )
            } else {
                sentence!(
                    "the ",
                    resource_name,
                    " delegates to the account and an identity-based policy allows ",
                    action
                )
            };
            return (
                Decision::Allow,
                if cross {
                    "cross-account-both-allow"
                } else {
                    "account-delegation"
                },
                why,
                deciding,
            );
        }
        self.same_account_direct_grant(
            m,
            identity.boundary_ok,
            identity.session_ok,
            resource_name,
            self.grant_refs(resource),
        )
    }

    /// The resource side must allow and nothing in it does.
    fn no_resource_grant(&self, resource: &ResourceSide<'_>) -> Verdict {
        let request = self.request;
        let action = &request.action;
        let caller = &request.caller;
        let resource_name = resource.name;
        let resource_account = self.resource_account.unwrap_or("unknown");
        let (detail, near) = if resource.consulted {
            self.near_misses(PolicySide::Resource)
        } else {
            (String::new(), Vec::new())
        };
        let (rule, prefix) = match self.kind {
            ResourceKind::KmsKey => (
                "kms-key-policy",
                "the key policy must allow (IAM policies alone never grant KMS access): ",
            ),
            ResourceKind::RoleTrust => ("trust-policy", "the trust policy must allow: "),
            ResourceKind::Standard => ("cross-account-resource-policy", "cross-account: "),
        };
        let what = if resource.consulted {
            format!(
                "no statement in the {resource_name} of {resource_account} allows {action} for {caller}"
            )
        } else if request.resource_policy.is_some() {
            format!("the {resource_name} does not apply to this action")
        } else {
            format!(
                "{} has no {resource_name}, so nothing in {resource_account} allows {action}",
                request.resource
            )
        };
        (
            Decision::ImplicitDeny,
            rule,
            format!("{prefix}{what}{detail}"),
            near,
        )
    }

    /// 6. Same account, standard resource: either side may allow.
    fn same_account(&self, resource: &ResourceSide<'_>, identity: IdentitySide) -> Verdict {
        let action = &self.request.action;
        let caller_account = self.request.caller.account().unwrap_or("the service");
        if let Some((m, _)) = resource.grant {
            if m != PrincipalMatch::Account && !identity.effective() {
                return self.same_account_direct_grant(
                    m,
                    identity.boundary_ok,
                    identity.session_ok,
                    resource.name,
                    self.grant_refs(resource),
                );
            }
        }
        if identity.effective() {
            let root = identity.root;
            let why = if root {
                sentence!(
                    "the root user of ",
                    caller_account,
                    " has full access to its own account's resources"
                )
            } else {
                sentence!(
                    "same account: an identity-based policy allows ",
                    action,
                    " (no resource-based grant is needed)"
                )
            };
            return (
                Decision::Allow,
                if root { "root-user" } else { "identity-policy" },
                why,
                self.identity_refs(),
            );
        }
        self.identity_failure(&identity, "same account: ")
    }

    fn same_account_direct_grant(
        &self,
        m: PrincipalMatch,
        boundary_ok: bool,
        session_ok: bool,
        resource_name: &str,
        grant: Vec<DecidingStatement>,
    ) -> Verdict {
        let action = &self.request.action;
        if m.bypasses_filters() {
            return (
                Decision::Allow,
                "same-account-resource-grant",
                format!(
                    "same account: the {resource_name} allows {action} for {}, which needs no identity-based Allow and is not limited by a permissions boundary or session policy",
                    m.describe()
                ),
                grant,
            );
        }
        // A grant to the role ARN is still filtered by boundary and session policy.
        if boundary_ok && session_ok {
            let mut deciding = grant;
            deciding.extend(self.identity_refs());
            return (
                Decision::Allow,
                "same-account-resource-grant",
                format!(
                    "same account: the {resource_name} allows {action} for the caller's role ARN"
                ),
                deciding,
            );
        }
        let which = if boundary_ok {
            PolicySide::Session
        } else {
            PolicySide::Boundary
        };
        let (detail, near) = self.near_misses(which);
        (
            Decision::ImplicitDeny,
            if boundary_ok { "session-policy" } else { "permissions-boundary" },
            format!(
                "the {resource_name} grants the caller's role ARN, but such a grant is still limited by the {}, which does not allow {action}{detail}",
                which.describe()
            ),
            near,
        )
    }

    fn side(&self, side: PolicySide) -> Option<&PolicyOutcome> {
        self.policies.iter().find(|p| p.side == side)
    }

    fn any_allows(&self, side: PolicySide) -> bool {
        self.policies.iter().any(|p| p.side == side && p.allows())
    }

    fn allow_refs(&self, sides: &[PolicySide]) -> Vec<DecidingStatement> {
        self.policies
            .iter()
            .filter(|p| sides.contains(&p.side) && p.skipped.is_none())
            .filter_map(|p| {
                p.applying(Effect::Allow)
                    .next()
                    .map(|s| self.deciding(p, s.index, true))
            })
            .collect()
    }

    fn deciding(&self, p: &PolicyOutcome, index: usize, applied: bool) -> DecidingStatement {
        let statement = self.statement(p, index);
        DecidingStatement {
            policy: policy_at(self.request, p).label.to_string(),
            statement: index,
            sid: statement.sid.clone(),
            effect: statement.effect,
            applied,
        }
    }

    fn find(&self, d: &DecidingStatement) -> (&PolicyOutcome, usize) {
        let p = self
            .policies
            .iter()
            .find(|p| policy_at(self.request, p).label == d.policy)
            .expect("deciding statements come from outcomes");
        (p, d.statement)
    }

    fn statement(&self, p: &PolicyOutcome, index: usize) -> &Statement {
        &policy_at(self.request, p).document.statements[index]
    }

    /// Explains the Allow statements of `side` that covered the action but did not apply:
    /// ` (statement 0 covers the action but …; statement 2 …)`, built in one string.
    fn near_misses(&self, side: PolicySide) -> (String, Vec<DecidingStatement>) {
        let mut detail = String::new();
        let mut refs = Vec::new();
        for p in self
            .policies
            .iter()
            .filter(|p| p.side == side && p.skipped.is_none())
        {
            for s in p.statements.iter().filter(|s| s.is_near_miss()) {
                let statement = self.statement(p, s.index);
                if refs.is_empty() {
                    // Room for a typical sentence or two: growing the string costs a copy.
                    detail.reserve(SENTENCE_ROOM);
                    detail.push_str(" (");
                } else {
                    detail.push_str("; ");
                }
                statement.push_label(&mut detail);
                detail.push(' ');
                super::explain::push_miss_reason(self.request, statement, s, &mut detail);
                refs.push(self.deciding(p, s.index, false));
            }
        }
        if !refs.is_empty() {
            detail.push(')');
        }
        (detail, refs)
    }
}
