//! ECS, for the network path of a task's roles: `DescribeServices` (awsvpc subnets, task
//! definition, launch type), `DescribeTaskDefinition` (execution and task roles), and the
//! subnets' VPC (`ec2:DescribeSubnets`). A named service costs three calls; finding the
//! service a role runs in lists clusters and services within a fixed call budget, so the
//! cost stays bounded whatever the account holds.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ecs::types as ecs;

use super::join_all;
use crate::aws::gateway::Gateway;
use crate::inventory::{
    Account, EcsService, Field, KeyKind, Listing, TaskRoles, Unreadable, VpcConfig,
};

/// The most ECS and EC2 calls one search of an account's services may make.
pub const SEARCH_BUDGET: u32 = 20;

/// `DescribeServices` takes at most this many services.
const DESCRIBE_BATCH: usize = 10;

/// A count of calls still allowed.
struct Budget {
    left: u32,
}

impl Budget {
    /// Takes one call from the budget; false when none is left.
    fn take(&mut self) -> bool {
        if self.left == 0 {
            return false;
        }
        self.left -= 1;
        true
    }
}

/// What a search that ran out of calls says, and what to do instead.
fn exhausted(operation: &str) -> Unreadable {
    Unreadable::new(
        operation,
        "CallBudget",
        format!("crossdock makes at most {SEARCH_BUDGET} ECS calls to find the service a role runs in, and the account has more clusters or services than that reads"),
    )
    .with_hint("name the service with --ecs-service CLUSTER/SERVICE")
}

/// One service (ARN or `CLUSTER/NAME`) with its roles and VPC, unless loaded.
pub(super) async fn ensure_service(gw: &Gateway, account: &mut Account, reference: &str) {
    if let Field::Loaded(service) = account.ecs_service_lookup(reference) {
        if !service.roles.is_not_loaded() {
            return;
        }
    }
    let Some((cluster, name)) = cluster_and_name(reference) else {
        account.ecs_services.mark_absent(KeyKind::Name, reference);
        return;
    };
    match gw.describe_services(&cluster, vec![name.clone()]).await {
        Ok(out) => {
            let found: Vec<EcsService> = out.services().iter().filter_map(service_from).collect();
            if found.is_empty() {
                // Unknown services come back in `failures`: proven absent by name and ARN.
                account
                    .ecs_services
                    .mark_absent(KeyKind::Name, &format!("{cluster}/{name}"));
                if reference.starts_with("arn:") {
                    account.ecs_services.mark_absent(KeyKind::Arn, reference);
                }
            }
            let mut budget = Budget { left: u32::MAX };
            for service in details(gw, found, &mut budget).await {
                account.ecs_services.upsert(service);
            }
        }
        Err(reason) => fail_listing(account, reason),
    }
}

/// The account's services, within [`SEARCH_BUDGET`] calls: every cluster's services,
/// described ten at a time, with the roles and VPC of those that use awsvpc networking.
pub(super) async fn find_services(gw: &Gateway, account: &mut Account) {
    if *account.ecs_services.listing() != Listing::NotLoaded {
        return;
    }
    let mut budget = Budget {
        left: SEARCH_BUDGET,
    };
    let outcome = search(gw, &mut budget).await;
    let (found, outcome) = match outcome {
        Ok(found) => (found, Ok(())),
        Err((found, reason)) => (found, Err(reason)),
    };
    let described = details(gw, found, &mut budget).await;
    let short = described.iter().any(|s| s.roles.is_not_loaded());
    for service in described {
        account.ecs_services.upsert(service);
    }
    match outcome {
        Ok(()) if !short => account.ecs_services.set_listing(Listing::Complete),
        Ok(()) => fail_listing(account, exhausted("ecs:DescribeTaskDefinition")),
        Err(reason) => fail_listing(account, reason),
    }
}

type Partial = (Vec<EcsService>, Unreadable);

/// Lists the clusters and their services and describes them, while the budget lasts.
async fn search(gw: &Gateway, budget: &mut Budget) -> Result<Vec<EcsService>, Partial> {
    let clusters = match pages(budget, "ecs:ListClusters", |token| async move {
        gw.list_clusters(token).await.map(|out| {
            (
                out.cluster_arns().to_vec(),
                out.next_token().map(str::to_string),
            )
        })
    })
    .await
    {
        Ok(clusters) => clusters,
        Err(reason) => return Err((Vec::new(), reason)),
    };
    let mut found = Vec::new();
    for cluster in clusters {
        let arns = pages(budget, "ecs:ListServices", |token| {
            let cluster = cluster.clone();
            async move {
                gw.list_services(&cluster, token).await.map(|out| {
                    (
                        out.service_arns().to_vec(),
                        out.next_token().map(str::to_string),
                    )
                })
            }
        })
        .await;
        let arns = match arns {
            Ok(arns) => arns,
            Err(reason) => return Err((found, reason)),
        };
        for batch in arns.chunks(DESCRIBE_BATCH) {
            if !budget.take() {
                return Err((found, exhausted("ecs:DescribeServices")));
            }
            match gw.describe_services(&cluster, batch.to_vec()).await {
                Ok(out) => found.extend(out.services().iter().filter_map(service_from)),
                Err(reason) => return Err((found, reason)),
            }
        }
    }
    Ok(found)
}

/// Every page of a listing, each page one call from the budget.
async fn pages<F, Fut>(
    budget: &mut Budget,
    operation: &str,
    mut page: F,
) -> Result<Vec<String>, Unreadable>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<String>, Option<String>), Unreadable>>,
{
    let mut items = Vec::new();
    let mut token = None;
    loop {
        if !budget.take() {
            return Err(exhausted(operation));
        }
        let (more, next) = page(token.take()).await?;
        items.extend(more);
        match next.filter(|n| !n.is_empty()) {
            Some(next) => token = Some(next),
            None => return Ok(items),
        }
    }
}

/// The roles (task definitions, concurrently) and VPC (one `DescribeSubnets`) of the
/// services that use awsvpc networking; the others need neither to answer.
async fn details(
    gw: &Gateway,
    mut services: Vec<EcsService>,
    budget: &mut Budget,
) -> Vec<EcsService> {
    let definitions: BTreeSet<String> = services
        .iter()
        .filter(|s| s.network.is_loaded())
        .map(|s| s.task_definition.clone())
        .collect();
    let affordable: Vec<String> = definitions
        .into_iter()
        .take_while(|_| budget.take())
        .collect();
    let roles: BTreeMap<String, Field<TaskRoles>> = join_all(
        affordable
            .into_iter()
            .map(|arn| async move {
                let roles = match gw.describe_task_definition(&arn).await {
                    Ok(out) => Field::Loaded(TaskRoles {
                        execution_role: out
                            .task_definition()
                            .and_then(|t| t.execution_role_arn())
                            .map(str::to_string),
                        task_role: out
                            .task_definition()
                            .and_then(|t| t.task_role_arn())
                            .map(str::to_string),
                    }),
                    Err(reason) => Field::Unreadable(reason),
                };
                (arn, roles)
            })
            .collect(),
    )
    .await
    .into_iter()
    .collect();
    let vpcs = if budget.take() {
        subnet_vpcs(gw, &services).await
    } else {
        Err(exhausted("ec2:DescribeSubnets"))
    };
    for service in &mut services {
        if let Some(found) = roles.get(&service.task_definition) {
            service.roles = found.clone();
        } else if !service.network.is_loaded() {
            // Not in a VPC crossdock can name: which roles it runs is not needed.
            service.roles = Field::Absent;
        }
        if let Field::Loaded(config) = &mut service.network {
            let vpc = config
                .subnets
                .iter()
                .find_map(|s| vpcs.as_ref().ok()?.get(s));
            match (&vpcs, vpc) {
                (_, Some(vpc)) => config.vpc_id = vpc.clone(),
                (Err(reason), None) => service.network = Field::Unreadable(reason.clone()),
                (Ok(_), None) => {
                    service.network = Field::Unreadable(Unreadable::new(
                        "ec2:DescribeSubnets",
                        "InvalidSubnetID.NotFound",
                        "the service's subnets were not found",
                    ))
                }
            }
        }
    }
    services
}

/// The VPC of every awsvpc subnet of the services, in one call.
async fn subnet_vpcs(
    gw: &Gateway,
    services: &[EcsService],
) -> Result<BTreeMap<String, String>, Unreadable> {
    let subnets: BTreeSet<String> = services
        .iter()
        .filter_map(|s| s.network.loaded())
        .flat_map(|c| c.subnets.iter().cloned())
        .collect();
    if subnets.is_empty() {
        return Ok(BTreeMap::new());
    }
    let out = gw.describe_subnets(subnets.into_iter().collect()).await?;
    Ok(out
        .subnets()
        .iter()
        .filter_map(|s| Some((s.subnet_id()?.to_string(), s.vpc_id()?.to_string())))
        .collect())
}

/// A described service; its roles are read next, its VPC id filled from its subnets.
fn service_from(found: &ecs::Service) -> Option<EcsService> {
    let arn = found.service_arn()?.to_string();
    let cluster = found
        .cluster_arn()
        .and_then(|c| c.rsplit('/').next())
        .unwrap_or("default")
        .to_string();
    let network = match found
        .network_configuration()
        .and_then(|n| n.awsvpc_configuration())
    {
        Some(config) => Field::Loaded(VpcConfig {
            vpc_id: String::new(),
            subnets: config.subnets().to_vec(),
            security_groups: config.security_groups().to_vec(),
        }),
        None => Field::Absent,
    };
    Some(EcsService {
        name: found
            .service_name()
            .map(str::to_string)
            .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or_default().to_string()),
        arn,
        cluster,
        launch_type: found.launch_type().map(|t| t.as_str().to_string()),
        task_definition: found.task_definition().unwrap_or_default().to_string(),
        roles: Field::NotLoaded,
        network,
    })
}

/// `(cluster, service)` of `CLUSTER/NAME` or a service ARN (`service/CLUSTER/NAME`, or the
/// old `service/NAME` of the default cluster).
fn cluster_and_name(reference: &str) -> Option<(String, String)> {
    let path = match reference.split_once(":service/") {
        Some((_, path)) => path,
        None if !reference.starts_with("arn:") => reference,
        None => return None,
    };
    match path.split_once('/') {
        Some((cluster, name)) if !cluster.is_empty() && !name.is_empty() => {
            Some((cluster.to_string(), name.to_string()))
        }
        None if reference.starts_with("arn:") && !path.is_empty() => {
            Some(("default".to_string(), path.to_string()))
        }
        _ => None,
    }
}

fn fail_listing(account: &mut Account, reason: Unreadable) {
    if let Some(listing) = super::listing_failed(account.ecs_services.listing(), reason) {
        account.ecs_services.set_listing(listing);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_are_named_by_cluster_and_name() {
        assert_eq!(
            cluster_and_name("prod/web"),
            Some(("prod".into(), "web".into()))
        );
        assert_eq!(
            cluster_and_name("arn:aws:ecs:eu-west-1:111111111111:service/prod/web"),
            Some(("prod".into(), "web".into()))
        );
        assert_eq!(
            cluster_and_name("arn:aws:ecs:eu-west-1:111111111111:service/web"),
            Some(("default".into(), "web".into()))
        );
        assert_eq!(cluster_and_name("web"), None);
        assert_eq!(
            cluster_and_name("arn:aws:ecs:eu-west-1:1:cluster/prod"),
            None
        );
    }

    #[test]
    fn a_budget_runs_out() {
        let mut budget = Budget { left: 2 };
        assert!(budget.take() && budget.take());
        assert!(!budget.take());
    }
}
