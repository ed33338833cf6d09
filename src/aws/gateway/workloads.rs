//! The gateway's reads of where a caller's code runs: ECS clusters, services and task
//! definitions, Lambda functions, and the subnets (their VPC) both place their network
//! interfaces in. Read-only like the rest.

use aws_sdk_ec2::operation::describe_subnets::DescribeSubnetsOutput;
use aws_sdk_ecs::operation as ecs;
use aws_sdk_lambda::operation as lambda;

use super::{Gateway, Operation};
use crate::inventory::Unreadable;

impl Gateway {
    /// `ecs:ListClusters`, one page (up to 100 cluster ARNs).
    pub async fn list_clusters(
        &self,
        token: Option<String>,
    ) -> Result<ecs::list_clusters::ListClustersOutput, Unreadable> {
        self.call(
            Operation::ListClusters,
            self.inner
                .ecs
                .list_clusters()
                .max_results(100)
                .set_next_token(token)
                .send(),
        )
        .await
    }

    /// `ecs:ListServices` of one cluster, one page (up to 100 service ARNs).
    pub async fn list_services(
        &self,
        cluster: &str,
        token: Option<String>,
    ) -> Result<ecs::list_services::ListServicesOutput, Unreadable> {
        self.call(
            Operation::ListServices,
            self.inner
                .ecs
                .list_services()
                .cluster(cluster)
                .max_results(100)
                .set_next_token(token)
                .send(),
        )
        .await
    }

    /// `ecs:DescribeServices`: up to 10 services of one cluster.
    pub async fn describe_services(
        &self,
        cluster: &str,
        services: Vec<String>,
    ) -> Result<ecs::describe_services::DescribeServicesOutput, Unreadable> {
        self.call(
            Operation::DescribeServices,
            self.inner
                .ecs
                .describe_services()
                .cluster(cluster)
                .set_services(Some(services))
                .send(),
        )
        .await
    }

    /// `ecs:DescribeTaskDefinition` (ARN or `family:revision`).
    pub async fn describe_task_definition(
        &self,
        task_definition: &str,
    ) -> Result<ecs::describe_task_definition::DescribeTaskDefinitionOutput, Unreadable> {
        self.call(
            Operation::DescribeTaskDefinition,
            self.inner
                .ecs
                .describe_task_definition()
                .task_definition(task_definition)
                .send(),
        )
        .await
    }

    /// `ec2:DescribeSubnets` of the subnets named (their VPC).
    pub async fn describe_subnets(
        &self,
        ids: Vec<String>,
    ) -> Result<DescribeSubnetsOutput, Unreadable> {
        self.call(
            Operation::DescribeSubnets,
            self.inner
                .ec2
                .describe_subnets()
                .set_subnet_ids(Some(ids))
                .send(),
        )
        .await
    }

    /// `lambda:ListFunctions`, one page (up to 50 functions with their configuration).
    pub async fn list_functions(
        &self,
        marker: Option<String>,
    ) -> Result<lambda::list_functions::ListFunctionsOutput, Unreadable> {
        self.call(
            Operation::ListFunctions,
            self.inner
                .lambda
                .list_functions()
                .max_items(50)
                .set_marker(marker)
                .send(),
        )
        .await
    }

    /// `lambda:GetFunctionConfiguration` (name or ARN).
    pub async fn get_function_configuration(
        &self,
        function: &str,
    ) -> Result<lambda::get_function_configuration::GetFunctionConfigurationOutput, Unreadable>
    {
        self.call(
            Operation::GetFunctionConfiguration,
            self.inner
                .lambda
                .get_function_configuration()
                .function_name(function)
                .send(),
        )
        .await
    }
}
