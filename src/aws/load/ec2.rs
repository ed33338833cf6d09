//! EC2, for the network path of a caller in a VPC: `DescribeVpcEndpoints` (filtered by VPC,
//! or by endpoint id) and `DescribeRouteTables` (filtered by VPC). A few calls per VPC,
//! whatever the account's size.

use aws_sdk_ec2::types as ec2;

use super::pages::{next_token, whole_listing};
use super::{is_code, policy_field};
use crate::aws::gateway::Gateway;
use crate::inventory::{Account, Field, KeyKind, Listing, RouteTable, Vpc, VpcEndpoint};

/// What EC2 answers for an endpoint id that does not exist.
const ENDPOINT_NOT_FOUND: &[&str] = &[
    "InvalidVpcEndpointId.NotFound",
    "InvalidVpcEndpointId.Malformed",
];

/// Every endpoint of `vpc_id` with its policy, and the VPC's route tables.
pub(super) async fn ensure_vpc(gw: &Gateway, account: &mut Account, vpc_id: &str) {
    if account.vpc_lookup(vpc_id).is_loaded() {
        return;
    }
    let (endpoints, route_tables) =
        tokio::join!(endpoints(gw, Some(vpc_id), &[]), route_tables(gw, vpc_id));
    let ids = endpoints
        .as_ref()
        .map(|found| found.iter().map(|e| e.id.clone()).collect::<Vec<_>>());
    for endpoint in endpoints.into_loaded().into_iter().flatten() {
        account.vpc_endpoints.upsert(endpoint);
    }
    account.vpcs.upsert(Vpc {
        id: vpc_id.to_string(),
        endpoints: ids,
        route_tables,
    });
}

/// One endpoint by id (`vpce-…`), with its policy; proven absent when EC2 says so.
pub(super) async fn ensure_vpc_endpoint(gw: &Gateway, account: &mut Account, id: &str) {
    if account.vpc_endpoint_lookup(id).is_known() {
        return;
    }
    match endpoints(gw, None, &[id.to_string()]).await {
        Field::Loaded(found) if !found.is_empty() => {
            for endpoint in found {
                account.vpc_endpoints.upsert(endpoint);
            }
        }
        Field::Unreadable(reason) if !is_code(&reason, ENDPOINT_NOT_FOUND) => {
            // Endpoints are never listed: a failed read makes unknown endpoints unreadable.
            if *account.vpc_endpoints.listing() == Listing::NotLoaded {
                account
                    .vpc_endpoints
                    .set_listing(Listing::Unreadable(reason));
            }
        }
        _ => account.vpc_endpoints.mark_absent(KeyKind::Name, id),
    }
}

async fn endpoints(gw: &Gateway, vpc: Option<&str>, ids: &[String]) -> Field<Vec<VpcEndpoint>> {
    let listed = whole_listing(|token| async move {
        let page = gw.describe_vpc_endpoints(vpc, ids, token).await?;
        let found = page
            .vpc_endpoints()
            .iter()
            .filter_map(endpoint_from)
            .collect();
        Ok((found, next_token(page.next_token())))
    })
    .await;
    listed.map_or_else(Field::Unreadable, Field::Loaded)
}

fn endpoint_from(found: &ec2::VpcEndpoint) -> Option<VpcEndpoint> {
    Some(VpcEndpoint {
        id: found.vpc_endpoint_id()?.to_string(),
        vpc_id: found.vpc_id().unwrap_or_default().to_string(),
        service_name: found.service_name()?.to_string(),
        endpoint_type: found
            .vpc_endpoint_type()
            .map_or("Interface", |t| t.as_str())
            .to_string(),
        state: found
            .state()
            .map_or("available", |s| s.as_str())
            .to_string(),
        private_dns: found.private_dns_enabled().unwrap_or(false),
        // An endpoint without a policy document uses the default: full access.
        policy: policy_field("ec2:DescribeVpcEndpoints", found.policy_document()),
        route_table_ids: found.route_table_ids().to_vec(),
    })
}

async fn route_tables(gw: &Gateway, vpc: &str) -> Field<Vec<RouteTable>> {
    let listed = whole_listing(|token| async move {
        let page = gw.describe_route_tables(vpc, token).await?;
        let found = page
            .route_tables()
            .iter()
            .filter_map(route_table_from)
            .collect();
        Ok((found, next_token(page.next_token())))
    })
    .await;
    listed.map_or_else(Field::Unreadable, Field::Loaded)
}

fn route_table_from(found: &ec2::RouteTable) -> Option<RouteTable> {
    let associations = found.associations();
    let default_route = found
        .routes()
        .iter()
        .find(|r| r.destination_cidr_block() == Some("0.0.0.0/0"))
        .and_then(|r| {
            r.nat_gateway_id()
                .or(r.gateway_id())
                .or(r.transit_gateway_id())
                .or(r.network_interface_id())
                .or(r.instance_id())
                .or(r.vpc_peering_connection_id())
                .map(str::to_string)
        });
    Some(RouteTable {
        id: found.route_table_id()?.to_string(),
        main: associations.iter().any(|a| a.main() == Some(true)),
        subnets: associations
            .iter()
            .filter_map(|a| a.subnet_id().map(str::to_string))
            .collect(),
        default_route,
    })
}
