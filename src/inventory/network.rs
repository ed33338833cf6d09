//! The network path of a caller in a VPC: the VPC's endpoints (`ec2:DescribeVpcEndpoints`)
//! with their policies, and its route tables (`ec2:DescribeRouteTables`), which decide
//! whether the S3 gateway endpoint (where ECR keeps image layers) is on a subnet's path.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::collection::{IndexKey, KeyKind, Keyed};
use super::field::Field;

/// Where a caller runs: a VPC, the subnets when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpcConfig {
    /// The VPC id, `vpc-…`.
    pub vpc_id: String,
    /// The subnets the caller's network interfaces live in.
    #[serde(default)]
    pub subnets: Vec<String>,
    /// The security groups of those interfaces.
    #[serde(default)]
    pub security_groups: Vec<String>,
}

/// One VPC endpoint as `ec2:DescribeVpcEndpoints` describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VpcEndpoint {
    /// The endpoint id, `vpce-…`.
    pub id: String,
    /// The VPC it lives in.
    pub vpc_id: String,
    /// `com.amazonaws.REGION.ecr.dkr`, `com.amazonaws.REGION.s3`, …
    pub service_name: String,
    /// `Interface`, `Gateway` or `GatewayLoadBalancer`.
    pub endpoint_type: String,
    /// `available`, `pendingAcceptance`, `deleting`, … (only `available` carries traffic).
    pub state: String,
    /// Whether the service's public host name resolves to the endpoint inside the VPC
    /// (interface endpoints only; without it, calls to the public name bypass the endpoint).
    #[serde(default)]
    pub private_dns: bool,
    /// The endpoint policy; `Absent` means the default policy (full access).
    #[serde(default)]
    pub policy: Field<Value>,
    /// The route tables a gateway endpoint is a target in.
    #[serde(default)]
    pub route_table_ids: Vec<String>,
}

impl VpcEndpoint {
    /// The service's short name: `ecr.dkr`, `ecr.api`, `s3`, `sts`, `kms`.
    pub fn service(&self) -> &str {
        // com.amazonaws.REGION.SERVICE (SERVICE may itself contain dots).
        let mut parts = self.service_name.splitn(4, '.');
        let _ = (parts.next(), parts.next(), parts.next());
        parts.next().unwrap_or(&self.service_name)
    }

    /// Whether the endpoint carries traffic (`available`).
    pub fn is_available(&self) -> bool {
        self.state.eq_ignore_ascii_case("available")
    }

    /// Whether this is a gateway endpoint (S3, DynamoDB).
    pub fn is_gateway(&self) -> bool {
        self.endpoint_type.eq_ignore_ascii_case("Gateway")
    }
}

impl Keyed for VpcEndpoint {
    fn id(&self) -> &str {
        &self.id
    }

    fn index_keys(&self) -> Vec<IndexKey> {
        // The collection keeps items by `Arn` keys; an id is this resource's unique name.
        vec![
            IndexKey::new(KeyKind::Arn, &self.id),
            IndexKey::new(KeyKind::Name, &self.id),
        ]
    }
}

/// A route table of a VPC: which subnets use it and where its default route goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteTable {
    /// The route table id, `rtb-…`.
    pub id: String,
    /// The VPC's main route table serves every subnet without an explicit association.
    #[serde(default)]
    pub main: bool,
    /// Subnets explicitly associated with this table.
    #[serde(default)]
    pub subnets: Vec<String>,
    /// The target of the `0.0.0.0/0` route (`nat-…`, `igw-…`, …), if any: the way out to
    /// public AWS endpoints when no VPC endpoint serves a call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_route: Option<String>,
}

/// What was read of one VPC: every endpoint in it and its route tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vpc {
    /// The VPC id.
    pub id: String,
    /// The ids of every endpoint in the VPC (the endpoints live in
    /// `Account::vpc_endpoints`); `Loaded` means the list is complete.
    #[serde(default)]
    pub endpoints: Field<Vec<String>>,
    /// The VPC's route tables.
    #[serde(default)]
    pub route_tables: Field<Vec<RouteTable>>,
}

impl Vpc {
    /// The route table a subnet uses: its explicit association, else the main table.
    pub fn route_table_of(&self, subnet: &str) -> Field<&RouteTable> {
        self.route_tables.as_ref().and_then(|tables| {
            let explicit = tables
                .iter()
                .find(|t| t.subnets.iter().any(|s| s == subnet));
            explicit.or_else(|| tables.iter().find(|t| t.main)).into()
        })
    }
}

impl Keyed for Vpc {
    fn id(&self) -> &str {
        &self.id
    }

    fn index_keys(&self) -> Vec<IndexKey> {
        // The collection keeps items by `Arn` keys; an id is this resource's unique name.
        vec![
            IndexKey::new(KeyKind::Arn, &self.id),
            IndexKey::new(KeyKind::Name, &self.id),
        ]
    }
}

/// The S3 bucket ECR keeps image layers in, for `region` (what a pull downloads from).
pub fn layer_bucket_object_arn(region: &str) -> String {
    format!("arn:aws:s3:::prod-{region}-starport-layer-bucket/*")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names_keep_their_dots() {
        let endpoint = VpcEndpoint {
            id: "vpce-1".into(),
            vpc_id: "vpc-1".into(),
            service_name: "com.amazonaws.eu-west-1.ecr.dkr".into(),
            endpoint_type: "Interface".into(),
            state: "available".into(),
            private_dns: true,
            policy: Field::Absent,
            route_table_ids: Vec::new(),
        };
        assert_eq!(endpoint.service(), "ecr.dkr");
        assert!(endpoint.is_available());
        assert!(!endpoint.is_gateway());
    }

    #[test]
    fn a_subnet_without_association_uses_the_main_table() {
        let vpc = Vpc {
            id: "vpc-1".into(),
            endpoints: Field::Loaded(Vec::new()),
            route_tables: Field::Loaded(vec![
                RouteTable {
                    id: "rtb-main".into(),
                    main: true,
                    subnets: Vec::new(),
                    default_route: None,
                },
                RouteTable {
                    id: "rtb-private".into(),
                    main: false,
                    subnets: vec!["subnet-a".into()],
                    default_route: Some("nat-1".into()),
                },
            ]),
        };
        assert_eq!(
            vpc.route_table_of("subnet-a").map(|t| t.id.as_str()),
            Field::Loaded("rtb-private")
        );
        assert_eq!(
            vpc.route_table_of("subnet-b").map(|t| t.id.as_str()),
            Field::Loaded("rtb-main")
        );
    }
}
