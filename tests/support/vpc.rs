//! What the network tests on the emulator share: a private VPC (no NAT) whose callers reach
//! ECR through interface endpoints and the layer bucket through an S3 gateway endpoint.

// Each test binary compiles its own copy and uses only part of it.
#![allow(dead_code)]

use aws_sdk_ec2::types::VpcEndpointType;
use serde_json::json;

use crate::moto::{moto, REGION};

/// The objects of the bucket ECR keeps image layers in, in the test region.
pub const LAYERS: &str = "arn:aws:s3:::prod-ap-northeast-1-starport-layer-bucket/*";

/// The endpoints of one private VPC, as seeded.
pub struct PrivateVpc {
    /// The VPC id.
    pub vpc: String,
    /// Its one subnet.
    pub subnet: String,
    /// The ecr.dkr endpoint's id.
    pub dkr: String,
}

/// A VPC without NAT: one subnet on its own route table, ecr.api (default policy) and
/// ecr.dkr interface endpoints with private DNS, and an S3 gateway endpoint on the table
/// that allows the layer bucket.
pub async fn seed_vpc(account: &str, dkr_policy: &serde_json::Value) -> PrivateVpc {
    let ec2 = aws_sdk_ec2::Client::new(&moto().sdk_config(account).await);
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.8.0.0/16")
        .send()
        .await
        .expect("vpc");
    let vpc = vpc
        .vpc()
        .and_then(|v| v.vpc_id())
        .expect("vpc id")
        .to_string();
    let subnet = ec2
        .create_subnet()
        .vpc_id(&vpc)
        .cidr_block("10.8.1.0/24")
        .send()
        .await
        .expect("subnet");
    let subnet = subnet
        .subnet()
        .and_then(|s| s.subnet_id())
        .expect("subnet id")
        .to_string();
    let table = ec2
        .create_route_table()
        .vpc_id(&vpc)
        .send()
        .await
        .expect("table");
    let table = table
        .route_table()
        .and_then(|t| t.route_table_id())
        .expect("table id")
        .to_string();
    ec2.associate_route_table()
        .route_table_id(&table)
        .subnet_id(&subnet)
        .send()
        .await
        .expect("associate");
    let endpoint = |service: &str, kind: VpcEndpointType, policy: Option<String>| {
        let mut request = ec2
            .create_vpc_endpoint()
            .vpc_id(&vpc)
            .service_name(format!("com.amazonaws.{REGION}.{service}"))
            .vpc_endpoint_type(kind.clone())
            .set_policy_document(policy);
        request = if kind == VpcEndpointType::Gateway {
            request.route_table_ids(&table)
        } else {
            request.subnet_ids(&subnet).private_dns_enabled(true)
        };
        async move {
            let out = request.send().await.expect("endpoint");
            out.vpc_endpoint()
                .and_then(|e| e.vpc_endpoint_id())
                .expect("endpoint id")
                .to_string()
        }
    };
    endpoint("ecr.api", VpcEndpointType::Interface, None).await;
    let dkr = endpoint(
        "ecr.dkr",
        VpcEndpointType::Interface,
        Some(dkr_policy.to_string()),
    )
    .await;
    let layers = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
        "Action": "s3:GetObject", "Resource": LAYERS}]});
    endpoint("s3", VpcEndpointType::Gateway, Some(layers.to_string())).await;
    PrivateVpc { vpc, subnet, dkr }
}

/// Adds an interface endpoint with private DNS for `service` (`kms`, `sts`, …) to the
/// VPC's subnet, with `policy` (none: the default full access); returns its id.
pub async fn add_interface_endpoint(
    account: &str,
    vpc: &PrivateVpc,
    service: &str,
    policy: Option<&serde_json::Value>,
) -> String {
    let ec2 = aws_sdk_ec2::Client::new(&moto().sdk_config(account).await);
    let out = ec2
        .create_vpc_endpoint()
        .vpc_id(&vpc.vpc)
        .service_name(format!("com.amazonaws.{REGION}.{service}"))
        .vpc_endpoint_type(VpcEndpointType::Interface)
        .subnet_ids(&vpc.subnet)
        .private_dns_enabled(true)
        .set_policy_document(policy.map(|p| p.to_string()))
        .send()
        .await
        .expect("interface endpoint");
    out.vpc_endpoint()
        .and_then(|e| e.vpc_endpoint_id())
        .expect("endpoint id")
        .to_string()
}

/// A security group in the VPC (ECS checks that a service's groups exist).
pub async fn security_group(account: &str, vpc: &PrivateVpc) -> String {
    let ec2 = aws_sdk_ec2::Client::new(&moto().sdk_config(account).await);
    let out = ec2
        .create_security_group()
        .group_name(format!("tasks-{}", vpc.subnet))
        .description("tasks")
        .vpc_id(&vpc.vpc)
        .send()
        .await
        .expect("security group");
    out.group_id().expect("group id").to_string()
}

/// Replaces an endpoint's policy with one that allows every `service:*` call to anyone: the
/// fix a test applies before asking again.
pub async fn open_endpoint(account: &str, endpoint: &str, service: &str) {
    let ec2 = aws_sdk_ec2::Client::new(&moto().sdk_config(account).await);
    let any = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
        "Action": format!("{service}:*"), "Resource": "*"}]});
    ec2.modify_vpc_endpoint()
        .vpc_endpoint_id(endpoint)
        .policy_document(any.to_string())
        .send()
        .await
        .expect("modify endpoint");
}
