//! Where a caller's code runs: an ECS service or a Lambda function, named by the user
//! (`--ecs-service CLUSTER/SERVICE`, `--lambda-function NAME`) or found from the caller's
//! role (a service's execution or task role, a function's execution role). Its VPC is the
//! network path of the caller's calls. Pure: it reads what the loaded accounts hold, and
//! says which reads would tell more ([`needs`]).

use super::DiagnoseError;
use crate::inventory::arn::{account_of, session_role_name, Arn};
use crate::inventory::reads::{Need, Read};
use crate::inventory::workload::{trusted_services, ECS_TASKS, LAMBDA};
use crate::inventory::{Account, Accounts, EcsService, Field, LambdaFunction, Listing};

/// Where the user says the caller runs, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunsIn {
    /// An ECS service: `CLUSTER/SERVICE` or its ARN.
    EcsService(String),
    /// A Lambda function: its name or ARN.
    Function(String),
}

impl RunsIn {
    /// The draft form of a resolved ARN (an ECS service's or a Lambda function's).
    pub fn from_arn(arn: &str) -> Self {
        match Arn::parse(arn) {
            Some(parts) if parts.service == "lambda" => RunsIn::Function(arn.to_string()),
            _ => RunsIn::EcsService(arn.to_string()),
        }
    }
}

/// The ARN of the service or function the user named; a short name is taken in the
/// caller's account when it is loaded, else in the only (or first) loaded account.
pub fn resolve(
    accounts: &Accounts,
    principal: &str,
    given: &RunsIn,
) -> Result<String, DiagnoseError> {
    let (text, service, option) = match given {
        RunsIn::EcsService(text) => (text, "ecs", "--ecs-service CLUSTER/SERVICE"),
        RunsIn::Function(text) => (text, "lambda", "--lambda-function NAME"),
    };
    if let Some(parts) = Arn::parse(text) {
        let right_kind = parts.service == service
            && (parts.resource.starts_with("service/") || parts.resource.starts_with("function:"));
        return if right_kind {
            Ok(text.clone())
        } else {
            Err(DiagnoseError::Unsupported(format!(
                "`{text}` is not an {} ARN: pass {option} or its ARN",
                if service == "ecs" {
                    "ECS service"
                } else {
                    "Lambda function"
                }
            )))
        };
    }
    let account = account_of(principal)
        .and_then(|id| accounts.account(id))
        .or_else(|| accounts.accounts().next())
        .ok_or_else(|| {
            DiagnoseError::Unsupported(format!(
                "no account is loaded to find `{text}` in: open the profile of the account that runs it"
            ))
        })?;
    let prefix = format!(
        "arn:{}:{service}:{}:{}",
        account.identity.partition,
        account.region(),
        account.id()
    );
    match given {
        RunsIn::EcsService(_) => match text.split_once('/') {
            Some((cluster, name))
                if !cluster.is_empty() && !name.is_empty() && !name.contains('/') =>
            {
                Ok(format!("{prefix}:service/{cluster}/{name}"))
            }
            _ => Err(DiagnoseError::Unsupported(format!(
                "`{text}` does not name an ECS service: pass --ecs-service CLUSTER/SERVICE (e.g. prod/web) or the service's ARN"
            ))),
        },
        RunsIn::Function(_) => Ok(format!("{prefix}:function:{text}")),
    }
}

/// A service or function the caller runs in, and how the caller relates to it.
#[derive(Debug, Clone, Copy)]
pub enum Workload<'a> {
    /// An ECS service; `role` says which of its roles the caller is (if known).
    Service {
        /// The account it runs in.
        account: &'a Account,
        /// The service.
        service: &'a EcsService,
        /// `execution role`, `task role`, or `None` when the user named the service.
        role: Option<&'static str>,
    },
    /// A Lambda function.
    Function {
        /// The account it runs in.
        account: &'a Account,
        /// The function.
        function: &'a LambdaFunction,
    },
}

impl Workload<'_> {
    /// How answers name it: `ECS service prod/web`, `Lambda function resize`.
    pub fn label(&self) -> String {
        match self {
            Workload::Service { service, .. } => format!("ECS service {}", service.label()),
            Workload::Function { function, .. } => format!("Lambda function {}", function.name),
        }
    }
}

/// What the loaded accounts tell about where a caller runs.
#[derive(Debug, Default)]
pub struct Placement<'a> {
    /// The services and functions it runs in.
    pub found: Vec<Workload<'a>>,
    /// Why the search is incomplete (a listing that failed or hit its call budget).
    pub unread: Vec<String>,
    /// What was searched and found empty, or not read at all, in words.
    pub searched: Vec<String>,
    /// Whether the role's trust lets ECS tasks or Lambda assume it: only then is it searched.
    pub candidate: bool,
}

/// The named service or function (an ARN from [`resolve`]).
pub fn named<'a>(accounts: &'a Accounts, arn: &str) -> Result<Workload<'a>, Field<()>> {
    let account = accounts.account_of(arn).ok_or(Field::NotLoaded)?;
    let is_function = Arn::parse(arn).is_some_and(|a| a.service == "lambda");
    if is_function {
        return match account.function_lookup(arn) {
            Field::Loaded(function) => Ok(Workload::Function { account, function }),
            other => Err(other.map(|_| ())),
        };
    }
    match account.ecs_service_lookup(arn) {
        Field::Loaded(service) => Ok(Workload::Service {
            account,
            service,
            role: None,
        }),
        other => Err(other.map(|_| ())),
    }
}

/// Where the role behind `principal` runs, from its trust policy and the services and
/// functions read in its account.
pub fn of_caller<'a>(accounts: &'a Accounts, principal: &str) -> Placement<'a> {
    let mut placement = Placement::default();
    let Some((account, role_arn, trusts)) = trusting_role(accounts, principal) else {
        return placement;
    };
    placement.candidate = trusts.ecs || trusts.lambda;
    if trusts.ecs {
        let services = &account.ecs_services;
        placement
            .found
            .extend(services.iter().filter_map(|service| {
                let role = service.role_kind(&role_arn)?;
                Some(Workload::Service {
                    account,
                    service,
                    role: Some(role),
                })
            }));
        let none = format!(
            "none of the {} ECS services of the account runs it in awsvpc networking",
            services.len()
        );
        note_listing(&mut placement, services.listing(), "ECS services", none);
    }
    if trusts.lambda {
        let functions = &account.functions;
        placement.found.extend(
            functions
                .iter()
                .filter(|f| crate::inventory::workload::same_role(&f.role, &role_arn))
                .map(|function| Workload::Function { account, function }),
        );
        let none = format!(
            "none of the {} Lambda functions of the account runs as it",
            functions.len()
        );
        note_listing(
            &mut placement,
            functions.listing(),
            "Lambda functions",
            none,
        );
    }
    placement
}

fn note_listing(placement: &mut Placement<'_>, listing: &Listing, what: &str, none: String) {
    match listing {
        Listing::Complete => placement.searched.push(none),
        Listing::NotLoaded => placement
            .searched
            .push(format!("the account's {what} are not in this data")),
        Listing::Unreadable(reason) => {
            let mut text = format!("the account's {what} could not all be read: {reason}");
            if let Some(hint) = &reason.hint {
                text.push_str(&format!(" — {hint}"));
            }
            placement.unread.push(text);
        }
    }
}

/// Which services may assume a role.
struct Trusts {
    ecs: bool,
    lambda: bool,
}

/// The loaded role behind `principal`, its ARN and which compute services its trust names.
fn trusting_role<'a>(
    accounts: &'a Accounts,
    principal: &str,
) -> Option<(&'a Account, String, Trusts)> {
    let account = accounts.account_of(principal)?;
    let role = account.role(principal)?;
    let services = role.trust_policy.loaded().map(trusted_services)?;
    let trusts = Trusts {
        ecs: services.iter().any(|s| s == ECS_TASKS),
        lambda: services.iter().any(|s| s == LAMBDA),
    };
    Some((account, role.arn.clone(), trusts))
}

/// The reads that tell where the caller runs: the named service or function, else the
/// services and functions of the role's account (once its trust says ECS or Lambda may
/// assume it; a Lambda session named like a function is read by that name first), then
/// the VPCs of what was found.
pub fn needs(accounts: &Accounts, principal: &str, named: Option<&str>, wants: &mut Vec<Read>) {
    let want = |wants: &mut Vec<Read>, account: &str, need: Need| {
        wants.push(Read {
            account: account.to_string(),
            need,
        })
    };
    if let Some(arn) = named {
        if let Some(account) = account_of(arn) {
            let is_function = Arn::parse(arn).is_some_and(|a| a.service == "lambda");
            let need = if is_function {
                Need::Function(arn.to_string())
            } else {
                Need::EcsService(arn.to_string())
            };
            want(wants, account, need);
        }
        if let Ok(workload) = self::named(accounts, arn) {
            vpc_needs(&[workload], wants);
        }
        return;
    }
    let Some((account, role_arn, trusts)) = trusting_role(accounts, principal) else {
        return;
    };
    if trusts.ecs {
        want(wants, account.id(), Need::EcsServices);
    }
    if trusts.lambda {
        // Lambda names the execution role's session after the function: one direct read.
        let session = session_role_name(principal).and_then(|_| principal.rsplit('/').next());
        let by_session = session.map(|name| (name, account.function_lookup(name)));
        match by_session {
            Some((name, Field::NotLoaded)) => {
                want(wants, account.id(), Need::Function(name.to_string()))
            }
            Some((_, Field::Loaded(f)))
                if crate::inventory::workload::same_role(&f.role, &role_arn) => {}
            _ => want(wants, account.id(), Need::Functions),
        }
    }
    vpc_needs(&of_caller(accounts, principal).found, wants);
}

/// The VPC of each workload that runs in one.
fn vpc_needs(found: &[Workload<'_>], wants: &mut Vec<Read>) {
    for workload in found {
        let (account, config) = match workload {
            Workload::Service {
                account, service, ..
            } => (account, service.network.loaded()),
            Workload::Function { account, function } => (account, function.vpc_config.loaded()),
        };
        if let Some(config) = config {
            wants.push(Read {
                account: account.id().to_string(),
                need: Need::Vpc(config.vpc_id.clone()),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::model::Status;
    use crate::diagnose::{diagnose, CheckId, Question};
    use crate::inventory::{demo, TaskRoles, Unreadable};

    const A: &str = "111111111111";
    const ORDERS: &str = "arn:aws:iam::111111111111:role/orders-api-execution";

    fn pull(principal: &str, repository: &str, source_arn: Option<&str>) -> Question {
        Question::Pull {
            principal: principal.into(),
            repository: format!("arn:aws:ecr:ap-northeast-1:222222222222:repository/{repository}"),
            tag: "latest".into(),
            project: None,
            source_arn: source_arn.map(str::to_string),
            vpc_endpoint: None,
            runs_in: None,
        }
    }

    fn endpoint_check(accounts: &Accounts, question: &Question) -> (Status, String) {
        let diagnosis = diagnose(accounts, question).expect("answer");
        let check = diagnosis
            .check(CheckId::VpcEndpointPolicyAllows)
            .expect("the network check");
        (check.status, check.message.clone())
    }

    #[test]
    fn short_names_resolve_in_the_callers_account() {
        let accounts = demo::load().expect("demo");
        let service = resolve(
            &accounts,
            ORDERS,
            &RunsIn::EcsService("payments/orders-api".into()),
        );
        assert_eq!(
            service.expect("service"),
            "arn:aws:ecs:ap-northeast-1:111111111111:service/payments/orders-api"
        );
        let function = resolve(&accounts, ORDERS, &RunsIn::Function("resize".into()));
        assert_eq!(
            function.expect("function"),
            "arn:aws:lambda:ap-northeast-1:111111111111:function:resize"
        );
        let bare = resolve(&accounts, ORDERS, &RunsIn::EcsService("orders-api".into()));
        assert!(bare
            .expect_err("no cluster")
            .to_string()
            .contains("CLUSTER/SERVICE"));
        let wrong = resolve(&accounts, ORDERS, &RunsIn::Function(ORDERS.into()));
        assert!(wrong
            .expect_err("a role")
            .to_string()
            .contains("--lambda-function"));
    }

    #[test]
    fn a_role_is_placed_only_by_the_services_that_run_it() {
        let accounts = demo::load().expect("demo");
        let orders = of_caller(&accounts, ORDERS);
        assert!(orders.candidate);
        assert_eq!(orders.found.len(), 1);
        assert_eq!(orders.found[0].label(), "ECS service payments/orders-api");
        // Trusted by ECS tasks, run by no service of the (complete) listing.
        let idle = of_caller(
            &accounts,
            "arn:aws:iam::111111111111:role/secrets-reader-task-role",
        );
        assert!(idle.candidate && idle.found.is_empty() && idle.unread.is_empty());
        assert!(
            idle.searched[0].contains("ECS services"),
            "{:?}",
            idle.searched
        );
        // CodeBuild's role: nothing to search.
        let build = of_caller(
            &accounts,
            "arn:aws:iam::111111111111:role/codebuild-service-role",
        );
        assert!(!build.candidate);
    }

    #[test]
    fn the_plan_searches_where_the_trust_says_and_reads_a_lambda_session_by_name() {
        let accounts = demo::load().expect("demo");
        let mut wants = Vec::new();
        needs(&accounts, ORDERS, None, &mut wants);
        assert!(wants
            .iter()
            .any(|r| r.need == Need::EcsServices && r.account == A));
        assert!(wants.iter().any(|r| matches!(&r.need, Need::Vpc(_))));
        let mut lambda = Vec::new();
        let session = "arn:aws:sts::111111111111:assumed-role/image-resize-role/resize";
        needs(&accounts, session, None, &mut lambda);
        assert_eq!(lambda.len(), 1, "{lambda:?}");
        assert_eq!(lambda[0].need, Need::Function("resize".into()));
    }

    #[test]
    fn several_services_give_each_path_worst_first() {
        let mut accounts = demo::load().expect("demo");
        let account = accounts.account_mut(A).expect("a");
        let billing = account
            .ecs_service_lookup("payments/billing-api")
            .into_loaded()
            .cloned()
            .expect("billing");
        let mut shared = billing;
        shared.arn = shared.arn.replace("billing-api", "orders-worker");
        shared.name = "orders-worker".into();
        shared.roles = Field::Loaded(TaskRoles {
            execution_role: Some(ORDERS.into()),
            task_role: None,
        });
        account.ecs_services.upsert(shared);
        let (status, message) =
            endpoint_check(&accounts, &pull(ORDERS, "services/orders-api", None));
        assert_eq!(status, Status::Fail);
        assert!(
            message.starts_with("ECS service payments/orders-api: ")
                && message.contains(" | ECS service payments/orders-worker: "),
            "{message}"
        );
    }

    #[test]
    fn without_awsvpc_or_a_readable_listing_the_path_is_unknown() {
        let mut accounts = demo::load().expect("demo");
        let account = accounts.account_mut(A).expect("a");
        account.ecs_services.update(
            "arn:aws:ecs:ap-northeast-1:111111111111:service/payments/orders-api",
            |s| s.network = Field::Absent,
        );
        let question = pull(ORDERS, "services/orders-api", None);
        let (status, message) = endpoint_check(&accounts, &question);
        assert_eq!(status, Status::Unknown);
        assert!(
            message.contains("does not use awsvpc networking"),
            "{message}"
        );

        let mut accounts = demo::load().expect("demo");
        let account = accounts.account_mut(A).expect("a");
        account.ecs_services = Default::default();
        account
            .ecs_services
            .set_listing(Listing::Unreadable(Unreadable::new(
                "ecs:ListClusters",
                "AccessDeniedException",
                "not authorized",
            )));
        let (status, message) = endpoint_check(&accounts, &question);
        assert_eq!(status, Status::Unknown);
        assert!(message.contains("--ecs-service"), "{message}");
    }

    #[test]
    fn the_lambda_service_pull_and_a_function_outside_a_vpc_do_not_apply() {
        let accounts = demo::load().expect("demo");
        let service_pull = pull(
            LAMBDA,
            "services/orders-api",
            Some("arn:aws:lambda:ap-northeast-1:111111111111:function:resize"),
        );
        let (status, message) = endpoint_check(&accounts, &service_pull);
        assert_eq!(status, Status::NotApplicable);
        assert!(message.contains("Lambda service pulls"), "{message}");

        let mut accounts = demo::load().expect("demo");
        let account = accounts.account_mut(A).expect("a");
        account.functions = crate::inventory::Collection::complete([LambdaFunction {
            arn: "arn:aws:lambda:ap-northeast-1:111111111111:function:resize".into(),
            name: "resize".into(),
            role: "arn:aws:iam::111111111111:role/image-resize-role".into(),
            package_type: "Image".into(),
            vpc_config: Field::Absent,
        }]);
        let role_pull = pull(
            "arn:aws:iam::111111111111:role/image-resize-role",
            "services/orders-api",
            None,
        );
        let (status, message) = endpoint_check(&accounts, &role_pull);
        assert_eq!(status, Status::NotApplicable);
        assert!(message.contains("not attached to a VPC"), "{message}");
    }
}
