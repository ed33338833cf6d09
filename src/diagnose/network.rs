//! The network path of a caller in a VPC (FAILURE-CATALOG §2.1, §2.3): the interface
//! endpoints a request goes through (`ecr.api`, `ecr.dkr`, `sts`, `kms`) must allow it, and
//! a pull must reach the S3 bucket ECR keeps layers in (the S3 gateway endpoint's policy and
//! routes, or a way out through NAT). An endpoint policy is a gate of its own, on top of the
//! identity and resource policies: it must allow (no document = the default full-access
//! policy) and an explicit Deny in it refuses.

use serde_json::json;

use super::access::note;
use super::check_id::CheckId;
pub use super::gate::Gate;
use super::model::{Check, Evidence, Fix, FixAction, PolicyLocation, Status};
use super::runs_in::Workload;
use super::subject::{field_gap, parse_field, Subject};
use crate::inventory::network::layer_bucket_object_arn;
use crate::inventory::{Account, Accounts, Field, Vpc, VpcConfig, VpcEndpoint};
use crate::policy::{ContextValue, RequestContext};

/// What says where a request comes from, network-wise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin<'q> {
    /// Nothing: the caller's network is not known.
    Unknown,
    /// A CodeBuild project (ARN) whose `vpcConfig` places its builds.
    Project(&'q str),
    /// A VPC endpoint the request went through (`--vpc-endpoint`, a CloudTrail record's
    /// `vpcEndpointId`).
    Endpoint(&'q str),
    /// An ECS service or Lambda function (ARN) the user says the caller runs in.
    RunsIn(&'q str),
    /// The caller (principal ARN): the ECS services and Lambda functions that run as its
    /// role place it.
    Caller(&'q str),
    /// The Lambda service pulling a container-image function's image (`aws:SourceArn`):
    /// it pulls from its own network, never from the function's VPC.
    LambdaService,
}

/// One AWS call a question makes: its action and resource.
#[derive(Debug, Clone, Copy)]
pub struct Call<'q> {
    /// The IAM action.
    pub action: &'q str,
    /// The resource ARN (or `*`).
    pub resource: &'q str,
}

/// Where the caller runs, as far as the loaded accounts tell.
enum Path<'a> {
    /// Not in a VPC, or no VPC known: the checks do not apply, with the reason.
    Outside(String),
    /// The VPC is known but what is in it could not be read.
    Unread(Option<String>, String),
    /// In a VPC (read), from these subnets (empty: unknown), maybe through a named endpoint.
    Vpc {
        account: &'a Account,
        vpc: Option<&'a Vpc>,
        subnets: Vec<String>,
        named: Option<&'a VpcEndpoint>,
    },
}

/// The parts of a path in a VPC a check reads.
type VpcParts<'p, 'a> = (
    &'a Account,
    Option<&'a Vpc>,
    &'p [String],
    Option<&'a VpcEndpoint>,
);

impl<'a> Path<'a> {
    /// The VPC's parts, or check `id`'s answer when there is no readable VPC (`n/a` outside
    /// one, `unknown` when it could not be read).
    fn in_vpc(&self, id: CheckId) -> Result<VpcParts<'_, 'a>, Box<Check>> {
        match self {
            Path::Outside(reason) => Err(Box::new(Check::new(
                id,
                Status::NotApplicable,
                None,
                reason.clone(),
            ))),
            Path::Unread(account, reason) => Err(Box::new(Check::new(
                id,
                Status::Unknown,
                account.as_deref(),
                reason.clone(),
            ))),
            Path::Vpc {
                account,
                vpc,
                subnets,
                named,
            } => Ok((*account, *vpc, subnets.as_slice(), *named)),
        }
    }
}

/// A path with what placed the caller on it: the service or function it runs in.
struct Located<'a> {
    /// `ECS service prod/web`, …; `None` when the question itself gave the path.
    label: Option<String>,
    /// The evidence line that places the caller.
    placed: Option<Evidence>,
    path: Path<'a>,
}

impl<'a> From<Path<'a>> for Located<'a> {
    fn from(path: Path<'a>) -> Self {
        Located {
            label: None,
            placed: None,
            path,
        }
    }
}

/// The two network checks of a question: `vpc-endpoint-policy-allows`, and for pulls
/// (`layers`) `vpc-s3-layer-access`. A caller that runs in several services or functions
/// gets each one's path, and the worst answer.
pub fn checks(
    accounts: &Accounts,
    subject: &Subject<'_>,
    origin: Origin<'_>,
    calls: &[Call<'_>],
    layers: bool,
) -> Vec<Check> {
    let located = located(accounts, origin, layers);
    let region = calls
        .iter()
        .find_map(|c| crate::policy::Arn::parse(c.resource).map(|a| a.region.to_string()))
        .unwrap_or_default();
    let mut endpoint = Vec::new();
    let mut layer = Vec::new();
    for place in &located {
        endpoint.push(endpoint_check(accounts, subject, &place.path, calls));
        if layers {
            layer.push(layer_check(accounts, subject, &place.path, &region));
        }
    }
    let mut checks = vec![merge_places(&located, endpoint)];
    if layers {
        checks.push(merge_places(&located, layer));
    }
    checks
}

/// The network checks of the calls a caller makes from where it runs (an ECS service or
/// Lambda function found from its role); none when it is not known to run in one.
pub fn caller_checks(
    accounts: &Accounts,
    subject: &Subject<'_>,
    principal: &str,
    calls: &[Call<'_>],
) -> Vec<Check> {
    // S3 calls go through the gateway endpoint, which only a pull's layer check reads.
    let through_interfaces = calls.iter().any(|c| endpoint_service(c.action) != "s3");
    let placement = super::runs_in::of_caller(accounts, principal);
    if !through_interfaces || (placement.found.is_empty() && placement.unread.is_empty()) {
        return Vec::new();
    }
    checks(accounts, subject, Origin::Caller(principal), calls, false)
}

/// One check per place folded into one: each place's answer named, the worst one leads.
fn merge_places(located: &[Located<'_>], checks: Vec<Check>) -> Check {
    let mut labelled: Vec<(&Located<'_>, Check)> = located.iter().zip(checks).collect();
    if labelled.len() == 1 {
        let (place, mut check) = labelled.remove(0);
        if let Some(label) = &place.label {
            check.message = format!("{label}: {}", check.message);
        }
        if let Some(placed) = &place.placed {
            check.evidence.insert(0, placed.clone());
        }
        return check;
    }
    labelled.sort_by_key(|(_, c)| std::cmp::Reverse(rank(c.status)));
    let (_, first) = &labelled[0];
    let mut merged = Check::new(
        first.id,
        first.status,
        first.account.as_deref(),
        String::new(),
    );
    let mut lines = Vec::new();
    for (place, check) in labelled {
        let label = place.label.as_deref().unwrap_or("the caller");
        lines.push(format!("{label}: {}", check.message));
        merged.evidence.extend(place.placed.clone());
        for evidence in check.evidence {
            if !merged.evidence.contains(&evidence) {
                merged.evidence.push(evidence);
            }
        }
        if merged.fix.is_none() && check.status == Status::Fail {
            merged.fix = check.fix;
        }
    }
    merged.message = lines.join(" | ");
    merged
}

/// What crossdock checks the network path from, said when it knows none of them.
const NO_VPC: &str = "no VPC known for the caller: crossdock checks the network path when the question names a CodeBuild project with a vpcConfig, an ECS service (--ecs-service) or a Lambda function (--lambda-function) in a VPC, --vpc-endpoint vpce-…, or a CloudTrail record with a vpcEndpointId, and when the caller is an ECS service's execution or task role or a Lambda function's execution role";

fn located<'a>(accounts: &'a Accounts, origin: Origin<'_>, layers: bool) -> Vec<Located<'a>> {
    match origin {
        Origin::Unknown => vec![Path::Outside(NO_VPC.into()).into()],
        Origin::Project(arn) => vec![project_path(accounts, arn).into()],
        Origin::Endpoint(id) => vec![endpoint_path(accounts, id).into()],
        Origin::RunsIn(arn) => match super::runs_in::named(accounts, arn) {
            Ok(workload) => vec![workload_located(&workload, layers)],
            Err(Field::Unreadable(reason)) => vec![Path::Unread(
                crate::policy::arn::account_of(arn).map(str::to_string),
                field_gap(arn, Field::<()>::Unreadable(reason)),
            )
            .into()],
            Err(Field::Absent) => vec![Path::Unread(
                crate::policy::arn::account_of(arn).map(str::to_string),
                format!("{arn} does not exist: check the cluster, service or function name and the region"),
            )
            .into()],
            Err(_) => vec![Path::Outside(format!(
                "{arn} is not in this data (its account is not loaded, or a snapshot from before crossdock read ECS services and Lambda functions): its VPC is not known"
            ))
            .into()],
        },
        Origin::Caller(principal) => caller_located(accounts, principal, layers),
        Origin::LambdaService => vec![Path::Outside(
            "the Lambda service pulls a container-image function's image itself, from its own network and never from the function's VPC: no VPC endpoint policy applies to this pull (the calls the function's code makes do go through its VPC — ask about its execution role)".into(),
        )
        .into()],
    }
}

/// The places the caller's role runs in, or why none is known.
fn caller_located<'a>(accounts: &'a Accounts, principal: &str, layers: bool) -> Vec<Located<'a>> {
    let placement = super::runs_in::of_caller(accounts, principal);
    if !placement.found.is_empty() {
        return placement
            .found
            .iter()
            .map(|w| workload_located(w, layers))
            .collect();
    }
    let account = crate::policy::arn::account_of(principal).map(str::to_string);
    if !placement.unread.is_empty() {
        return vec![Path::Unread(
            account,
            format!(
                "whether the caller runs in a VPC is not known: its role may be assumed by ECS tasks or Lambda, and {} — name where it runs with --ecs-service CLUSTER/SERVICE or --lambda-function NAME",
                placement.unread.join("; ")
            ),
        )
        .into()];
    }
    let mut reason = NO_VPC.to_string();
    if placement.candidate {
        reason = format!(
            "no VPC known for the caller: its role may be assumed by ECS tasks or Lambda, and {} (name where it runs with --ecs-service CLUSTER/SERVICE or --lambda-function NAME)",
            placement.searched.join("; ")
        );
    }
    vec![Path::Outside(reason).into()]
}

/// The path of a service's or function's calls, and the evidence that places the caller.
fn workload_located<'a>(workload: &Workload<'a>, layers: bool) -> Located<'a> {
    let label = workload.label();
    let (account, config, outside, detail) = match workload {
        Workload::Service {
            account,
            service,
            role,
        } => {
            let how = role.map_or(String::new(), |r| format!("the caller is its {r}; "));
            let outside = if service.launch_type.as_deref() == Some("EXTERNAL") {
                Path::Outside(format!("{label} runs on external instances (ECS Anywhere), outside any VPC: no VPC endpoint policy applies"))
            } else {
                Path::Unread(
                    Some(account.id().to_string()),
                    format!("{label} does not use awsvpc networking: its tasks share the network of their container instances, whose VPC crossdock does not read — pass --vpc-endpoint vpce-… to check one endpoint"),
                )
            };
            let detail = format!(
                "{how}task definition {}, launch type {}",
                service.task_definition,
                service
                    .launch_type
                    .as_deref()
                    .unwrap_or("capacity provider")
            );
            (*account, &service.network, outside, detail)
        }
        Workload::Function { account, function } => {
            let outside = Path::Outside(format!("{label} is not attached to a VPC: its calls reach AWS over Lambda's own network, where no VPC endpoint policy applies"));
            let mut detail = format!("the caller is its execution role {}", function.role);
            if layers && function.is_image() {
                detail.push_str("; the function's own image is pulled by the Lambda service, not from this VPC (ask with --principal lambda.amazonaws.com --source-arn FUNCTION_ARN): this path is the one of the calls the function's code makes");
            }
            (*account, &function.vpc_config, outside, detail)
        }
    };
    let path = match config {
        Field::Loaded(config) => vpc_path(account, config),
        Field::Absent => outside,
        Field::NotLoaded => Path::Outside(format!(
            "the network of {label} is not in this data: its VPC is not known"
        )),
        other @ Field::Unreadable(_) => Path::Unread(
            Some(account.id().to_string()),
            field_gap(&format!("the network of {label}"), other.as_ref()),
        ),
    };
    let placed = match config {
        Field::Loaded(config) => format!(
            "runs in {label} ({vpc}, subnets {subnets}): {detail}",
            vpc = config.vpc_id,
            subnets = if config.subnets.is_empty() {
                "not known".to_string()
            } else {
                config.subnets.join(", ")
            },
        ),
        _ => format!("runs in {label}: {detail}"),
    };
    Located {
        label: Some(label),
        placed: Some(note(Some(account.id()), placed)),
        path,
    }
}

/// The path inside a VPC a caller's interfaces live in.
fn vpc_path<'a>(account: &'a Account, config: &VpcConfig) -> Path<'a> {
    match account.vpc_lookup(&config.vpc_id) {
        Field::Loaded(vpc) => Path::Vpc {
            account,
            vpc: Some(vpc),
            subnets: config.subnets.clone(),
            named: None,
        },
        other => Path::Unread(
            Some(account.id().to_string()),
            field_gap(&format!("the endpoints of {}", config.vpc_id), other),
        ),
    }
}

fn project_path<'a>(accounts: &'a Accounts, arn: &str) -> Path<'a> {
    let Some(account) = accounts.account_of(arn) else {
        return Path::Outside(format!(
            "the account of {arn} is not loaded, so its VPC is not known"
        ));
    };
    let Some(project) = account.project(arn) else {
        return Path::Outside(format!(
            "project {arn} is not loaded, so its VPC is not known"
        ));
    };
    match &project.vpc_config {
        Field::Loaded(config) => vpc_path(account, config),
        Field::Absent => Path::Outside(format!(
            "project {} has no vpcConfig: its builds reach AWS over CodeBuild's own network, where no VPC endpoint policy applies",
            project.name
        )),
        Field::NotLoaded => Path::Outside(format!(
            "the vpcConfig of project {} is not in this data (snapshots from before crossdock read it): the VPC is not known",
            project.name
        )),
        other @ Field::Unreadable(_) => Path::Unread(
            Some(account.id().to_string()),
            field_gap(&format!("the vpcConfig of project {}", project.name), other.as_ref()),
        ),
    }
}

fn endpoint_path<'a>(accounts: &'a Accounts, id: &str) -> Path<'a> {
    let mut unread = None;
    for account in accounts.accounts() {
        match account.vpc_endpoint_lookup(id) {
            Field::Loaded(endpoint) => {
                return Path::Vpc {
                    account,
                    vpc: account.vpc_lookup(&endpoint.vpc_id).into_loaded(),
                    subnets: Vec::new(),
                    named: Some(endpoint),
                }
            }
            Field::Absent => {}
            other => {
                unread = Some((
                    account.id(),
                    field_gap(&format!("VPC endpoint {id}"), other),
                ))
            }
        }
    }
    match unread {
        Some((account, reason)) => Path::Unread(Some(account.to_string()), reason),
        None => Path::Unread(
            None,
            format!("VPC endpoint {id} is in none of the loaded accounts: open a profile for the account that owns the VPC"),
        ),
    }
}

/// The interface endpoint service a call goes to: the registry API (`ecr.dkr`) serves
/// manifests and layers, `ecr.api` the rest of ECR.
pub fn endpoint_service(action: &str) -> String {
    let (service, name) = action.split_once(':').unwrap_or((action, ""));
    let service = service.to_ascii_lowercase();
    if service == "ecr" {
        let registry = [
            "BatchGetImage",
            "GetDownloadUrlForLayer",
            "BatchCheckLayerAvailability",
            "InitiateLayerUpload",
            "UploadLayerPart",
            "CompleteLayerUpload",
            "PutImage",
        ];
        let dkr = registry.iter().any(|r| r.eq_ignore_ascii_case(name));
        return if dkr { "ecr.dkr" } else { "ecr.api" }.to_string();
    }
    service
}

/// Evaluates an endpoint's policy for one call, as a separate "must allow" layer on top of
/// the identity and resource policies: statement by statement with the policy language's
/// own matchers (Action, Resource, Principal, conditions), with the request context the
/// endpoint adds (`aws:SourceVpce`, `aws:SourceVpc`). Not through the resource-policy
/// slot of the evaluator: that slot skips registry-level calls such as
/// `ecr:GetAuthorizationToken` on `*`, which an endpoint policy does govern.
pub fn endpoint_gate(
    accounts: &Accounts,
    subject: &Subject<'_>,
    endpoint: &VpcEndpoint,
    account: &str,
    call: Call<'_>,
) -> Gate {
    let location = PolicyLocation::VpcEndpointPolicy {
        endpoint: endpoint.id.clone(),
    };
    let policy = match parse_field(
        accounts.policies(),
        endpoint.policy.as_ref(),
        &location,
        account,
    ) {
        Ok(Some(policy)) => policy,
        Ok(None) => {
            return Gate::Allows(vec![note(
                Some(account),
                format!("{} has the default policy (full access)", endpoint.id),
            )])
        }
        Err(gap) => return Gate::Unknown(gap.reason),
    };
    let mut context = RequestContext::new();
    context.insert("aws:SourceVpce", ContextValue::Single(endpoint.id.clone()));
    context.insert(
        "aws:SourceVpc",
        ContextValue::Single(endpoint.vpc_id.clone()),
    );
    super::gate::policy_gate(
        &policy,
        &subject.caller,
        call.action,
        call.resource,
        &context,
    )
}

/// One line of a network check: its status, what it says, its evidence and fix.
struct Finding {
    status: Status,
    message: String,
    evidence: Vec<Evidence>,
    fix: Option<Fix>,
}

impl Finding {
    fn new(status: Status, message: String) -> Self {
        Finding {
            status,
            message,
            evidence: Vec::new(),
            fix: None,
        }
    }
}

/// Folds findings into one check: the worst status wins, every line is kept.
/// How bad a status is, for folding: the worst wins.
fn rank(status: Status) -> u8 {
    match status {
        Status::Fail => 4,
        Status::Unknown => 3,
        Status::Warn => 2,
        Status::Pass => 1,
        Status::NotApplicable => 0,
    }
}

fn fold(id: CheckId, account: Option<&str>, findings: Vec<Finding>) -> Check {
    let status = findings
        .iter()
        .map(|f| f.status)
        .max_by_key(|s| rank(*s))
        .unwrap_or(Status::NotApplicable);
    // The worst lines first, so the message leads with what breaks.
    let mut findings = findings;
    findings.sort_by_key(|f| std::cmp::Reverse(rank(f.status)));
    let message = findings
        .iter()
        .map(|f| f.message.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let mut check = Check::new(id, status, account, message);
    for finding in findings {
        for evidence in finding.evidence {
            // Two calls refused by the same statement show it once.
            if !check.evidence.contains(&evidence) {
                check.evidence.push(evidence);
            }
        }
        if check.fix.is_none() && matches!(finding.status, Status::Fail) {
            check.fix = finding.fix;
        }
    }
    check
}

fn endpoint_check(
    accounts: &Accounts,
    subject: &Subject<'_>,
    path: &Path<'_>,
    calls: &[Call<'_>],
) -> Check {
    let id = CheckId::VpcEndpointPolicyAllows;
    let (account, vpc, subnets, named) = match path.in_vpc(id) {
        Ok(parts) => parts,
        Err(check) => return *check,
    };
    let mut services: Vec<String> = calls
        .iter()
        .map(|c| endpoint_service(c.action))
        .filter(|s| s != "s3")
        .collect();
    services.dedup();
    let findings = services
        .iter()
        .map(|service| {
            let service_calls: Vec<Call<'_>> = calls
                .iter()
                .copied()
                .filter(|c| endpoint_service(c.action) == *service)
                .collect();
            let route = Route {
                account,
                vpc,
                subnets,
            };
            service_finding(accounts, subject, &route, named, service, &service_calls)
        })
        .collect();
    fold(id, Some(account.id()), findings)
}

/// The VPC a path runs in, and the subnets when known.
struct Route<'a, 'p> {
    account: &'a Account,
    vpc: Option<&'a Vpc>,
    subnets: &'p [String],
}

impl Route<'_, '_> {
    /// The endpoints of the VPC that serve `service` for these subnets.
    fn endpoints(&self, service: &str) -> Field<Vec<&VpcEndpoint>> {
        let Some(vpc) = self.vpc else {
            return Field::NotLoaded;
        };
        vpc.endpoints.as_ref().map(|ids| {
            ids.iter()
                .filter_map(|id| self.account.vpc_endpoint_lookup(id).into_loaded())
                .filter(|e| e.service() == service)
                .collect()
        })
    }

    /// Where the subnets' default routes lead (`nat-…`, `igw-…`): `Loaded(None)` when a
    /// subnet has none; `NotLoaded` when the subnets or the route tables are unknown.
    fn way_out(&self) -> Field<Option<String>> {
        let Some(vpc) = self.vpc else {
            return Field::NotLoaded;
        };
        if self.subnets.is_empty() {
            return Field::NotLoaded;
        }
        let mut target = None;
        for subnet in self.subnets {
            match vpc.route_table_of(subnet) {
                Field::Loaded(table) => match &table.default_route {
                    Some(route) => target = Some(route.clone()),
                    None => return Field::Loaded(None),
                },
                other => return other.map(|_| None),
            }
        }
        Field::Loaded(target)
    }

    /// Whether a gateway endpoint is on the route table of every subnet.
    fn routes_through(&self, endpoint: &VpcEndpoint) -> Option<bool> {
        let vpc = self.vpc?;
        if self.subnets.is_empty() {
            return None;
        }
        self.subnets
            .iter()
            .map(|subnet| {
                vpc.route_table_of(subnet)
                    .into_loaded()
                    .map(|t| endpoint.route_table_ids.contains(&t.id))
            })
            .try_fold(true, |all, routed| routed.map(|r| all && r))
    }
}

fn service_finding(
    accounts: &Accounts,
    subject: &Subject<'_>,
    route: &Route<'_, '_>,
    named: Option<&VpcEndpoint>,
    service: &str,
    calls: &[Call<'_>],
) -> Finding {
    let on_path: Vec<&VpcEndpoint> = match named.filter(|e| e.service() == service) {
        // The caller demonstrably went through this endpoint.
        Some(endpoint) => vec![endpoint],
        None => match route.endpoints(service) {
            Field::Loaded(found) => found
                .into_iter()
                .filter(|e| e.is_available() && (e.private_dns || e.is_gateway()))
                .collect(),
            Field::NotLoaded if named.is_some() => {
                return Finding::new(
                    Status::Pass,
                    format!(
                        "{service}: not evaluated — only {} was named, and its VPC's other endpoints are not read",
                        named.map_or("", |e| e.id.as_str())
                    ),
                )
            }
            other => {
                return Finding::new(
                    Status::Unknown,
                    field_gap(&format!("the {service} endpoints of the VPC"), other.map(|_| ())),
                )
            }
        },
    };
    if on_path.is_empty() {
        return no_endpoint(route, service);
    }
    let findings = on_path
        .into_iter()
        .flat_map(|endpoint| {
            endpoint_findings(accounts, subject, route.account.id(), endpoint, calls)
        })
        .collect();
    let worst = fold(CheckId::VpcEndpointPolicyAllows, None, findings);
    Finding {
        status: worst.status,
        message: worst.message,
        evidence: worst.evidence,
        fix: worst.fix,
    }
}

/// No endpoint of `service` serves the subnets: the call goes out through NAT, or fails.
fn no_endpoint(route: &Route<'_, '_>, service: &str) -> Finding {
    let vpc = route.vpc.map_or("the VPC", |v| v.id.as_str());
    match route.way_out() {
        Field::Loaded(Some(target)) => Finding::new(
            Status::Pass,
            format!("{service}: no endpoint with private DNS in {vpc} — not evaluated; the call goes out through {target} to the public endpoint, where no endpoint policy applies"),
        ),
        Field::Loaded(None) => {
            let mut finding = Finding::new(
                Status::Fail,
                format!("{service}: no endpoint with private DNS in {vpc} and no default route from the caller's subnets — the call fails on the network (a timeout, `request canceled while waiting for connection`)"),
            );
            finding.fix = Some(Fix::procedure(
                Some(route.account.id()),
                &format!("add a {service} interface endpoint with private DNS to {vpc}, or a route to a NAT gateway"),
                vec![format!(
                    "aws ec2 create-vpc-endpoint --vpc-id {vpc} --vpc-endpoint-type Interface --service-name com.amazonaws.{}.{service} --private-dns-enabled --subnet-ids …",
                    route.account.region()
                )],
            ));
            finding
        }
        _ => Finding::new(
            Status::Pass,
            format!("{service}: no endpoint with private DNS in {vpc} — not evaluated; the call goes over NAT if the caller's subnets have a default route, and fails on the network if not (subnets not known)"),
        ),
    }
}

/// What one endpoint's policy says about the calls that go through it: a line per call,
/// and one statement that allows every call it does not.
fn endpoint_findings(
    accounts: &Accounts,
    subject: &Subject<'_>,
    account: &str,
    endpoint: &VpcEndpoint,
    calls: &[Call<'_>],
) -> Vec<Finding> {
    let what = format!("{} ({})", endpoint.id, endpoint.service());
    let mut findings = Vec::new();
    let mut refused: Vec<Call<'_>> = Vec::new();
    let mut refused_evidence = Vec::new();
    for call in calls {
        match endpoint_gate(accounts, subject, endpoint, account, *call) {
            Gate::Allows(evidence) => findings.push(Finding {
                evidence,
                ..Finding::new(Status::Pass, format!("{what} allows {}", call.action))
            }),
            Gate::Denies(evidence) => findings.push(Finding {
                evidence,
                fix: Some(Fix::procedure(
                    Some(account),
                    &format!("narrow the Deny in the endpoint policy of {} so it does not match {}", endpoint.id, call.action),
                    vec![format!("aws ec2 describe-vpc-endpoints --vpc-endpoint-ids {}", endpoint.id)],
                )),
                ..Finding::new(
                    Status::Fail,
                    format!("{what}: an explicit Deny in the endpoint policy refuses {} — AWS says \"with an explicit deny in a VPC endpoint policy\"", call.action),
                )
            }),
            Gate::NoAllow(evidence) => {
                refused.push(*call);
                refused_evidence.extend(evidence);
            }
            Gate::Unknown(reason) => {
                findings.push(Finding::new(Status::Unknown, format!("{what}: {reason}")))
            }
        }
    }
    if !refused.is_empty() {
        findings.push(refused_finding(
            account,
            endpoint,
            &refused,
            refused_evidence,
        ));
    }
    findings
}

/// Calls no statement of the endpoint policy allows, with the statement that allows them.
fn refused_finding(
    account: &str,
    endpoint: &VpcEndpoint,
    refused: &[Call<'_>],
    evidence: Vec<Evidence>,
) -> Finding {
    let actions: Vec<&str> = refused.iter().map(|c| c.action).collect();
    let mut resources: Vec<&str> = refused.iter().map(|c| c.resource).collect();
    resources.dedup();
    let statement = json!({
        "Effect": "Allow",
        "Principal": "*",
        "Action": actions,
        "Resource": if resources.len() == 1 { json!(resources[0]) } else { json!(resources) },
    });
    Finding {
        evidence,
        fix: Some(Fix {
            summary: format!(
                "allow {} on {} in the endpoint policy of {}",
                actions.join(", "),
                resources.join(", "),
                endpoint.id
            ),
            account: Some(account.to_string()),
            action: FixAction::AddStatement {
                target: PolicyLocation::VpcEndpointPolicy {
                    endpoint: endpoint.id.clone(),
                },
                statement,
            },
        }),
        ..Finding::new(
            Status::Fail,
            format!(
                "{} ({}): no statement of the endpoint policy allows {} on {} — AWS says \"because no VPC endpoint policy allows the {} action\"",
                endpoint.id,
                endpoint.service(),
                actions.join(", "),
                resources.join(", "),
                actions[0]
            ),
        )
    }
}

fn layer_check(accounts: &Accounts, subject: &Subject<'_>, path: &Path<'_>, region: &str) -> Check {
    let id = CheckId::VpcS3LayerAccess;
    let (account, vpc, subnets, named) = match path.in_vpc(id) {
        Ok(parts) => parts,
        Err(check) => return *check,
    };
    let route = Route {
        account,
        vpc,
        subnets,
    };
    let bucket = layer_bucket_object_arn(if region.is_empty() {
        account.region()
    } else {
        region
    });
    let call = Call {
        action: "s3:GetObject",
        resource: &bucket,
    };
    let gateways: Vec<&VpcEndpoint> =
        match (named.filter(|e| e.service() == "s3"), route.endpoints("s3")) {
            (Some(endpoint), _) => vec![endpoint],
            (None, Field::Loaded(found)) => {
                found.into_iter().filter(|e| e.is_available()).collect()
            }
            (None, other) => {
                let reason = field_gap("the S3 endpoints of the VPC", other.map(|_| ()));
                return Check::new(id, Status::Unknown, Some(account.id()), reason);
            }
        };
    let routed: Vec<&VpcEndpoint> = match named.filter(|e| e.service() == "s3") {
        Some(endpoint) => vec![endpoint],
        None => gateways
            .iter()
            .copied()
            .filter(|e| {
                if e.is_gateway() {
                    route.routes_through(e) != Some(false)
                } else {
                    e.private_dns
                }
            })
            .collect(),
    };
    if routed.is_empty() {
        return fold(
            id,
            Some(account.id()),
            vec![no_s3_route(&route, &gateways, &bucket)],
        );
    }
    let mut findings: Vec<Finding> = routed
        .iter()
        .flat_map(|e| endpoint_findings(accounts, subject, account.id(), e, &[call]))
        .collect();
    if subnets.is_empty() {
        findings.push(Finding::new(
            Status::Pass,
            "the caller's subnets are not known: the S3 endpoint's route tables were not compared with them".into(),
        ));
    }
    fold(id, Some(account.id()), findings)
}

/// No S3 endpoint on the subnets' route tables: layers go out through NAT, or cannot be fetched.
fn no_s3_route(route: &Route<'_, '_>, gateways: &[&VpcEndpoint], bucket: &str) -> Finding {
    let vpc = route.vpc.map_or("the VPC", |v| v.id.as_str());
    let missing = if gateways.is_empty() {
        format!("no S3 gateway endpoint in {vpc}")
    } else {
        let ids: Vec<&str> = gateways.iter().map(|e| e.id.as_str()).collect();
        format!(
            "the S3 gateway endpoint {} is not on the route table of the caller's subnets",
            ids.join(", ")
        )
    };
    match route.way_out() {
        Field::Loaded(Some(target)) => Finding::new(
            Status::Pass,
            format!("{missing}: layers download from {bucket} through {target}"),
        ),
        Field::Loaded(None) => Finding {
            fix: Some(Fix::procedure(
                Some(route.account.id()),
                &format!("add an S3 gateway endpoint to {vpc} on the subnets' route tables (its policy must allow s3:GetObject on {bucket})"),
                vec![format!(
                    "aws ec2 create-vpc-endpoint --vpc-id {vpc} --vpc-endpoint-type Gateway --service-name com.amazonaws.{}.s3 --route-table-ids …",
                    route.account.region()
                )],
            )),
            ..Finding::new(
                Status::Fail,
                format!("{missing} and no default route: the pull fetches the manifest but cannot download layers from {bucket} (a timeout on the layer download)"),
            )
        },
        _ => Finding::new(
            Status::Warn,
            format!("{missing}; layers reach {bucket} only if the caller's subnets route to NAT, and they are not known"),
        ),
    }
}
