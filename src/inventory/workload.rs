//! Where a caller's code runs, for its network path: ECS services (`ecs:DescribeServices`,
//! the task definition's roles from `ecs:DescribeTaskDefinition`, the awsvpc subnets' VPC
//! from `ec2:DescribeSubnets`) and Lambda functions (`lambda:GetFunctionConfiguration`,
//! `lambda:ListFunctions`: execution role and `VpcConfig`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::collection::{IndexKey, KeyKind, Keyed};
use super::field::Field;
use super::network::VpcConfig;

/// The roles of an ECS task definition.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TaskRoles {
    /// `executionRoleArn`: the role ECS uses to pull the image and fetch secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_role: Option<String>,
    /// `taskRoleArn`: the role the application's own AWS calls are signed with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_role: Option<String>,
}

/// An ECS service, with what decides where its tasks' calls come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EcsService {
    /// `arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME`.
    pub arn: String,
    /// The service name.
    pub name: String,
    /// The cluster name.
    pub cluster: String,
    /// `FARGATE`, `EC2`, `EXTERNAL`; `None` with a capacity provider strategy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<String>,
    /// The task definition ARN the service runs.
    pub task_definition: String,
    /// The task definition's roles; `NotLoaded` until `DescribeTaskDefinition` ran.
    #[serde(default)]
    pub roles: Field<TaskRoles>,
    /// The awsvpc network (subnets, security groups, and the subnets' VPC); `Absent`: the
    /// tasks do not use awsvpc networking (bridge or host mode), so no VPC is known.
    #[serde(default)]
    pub network: Field<VpcConfig>,
}

impl EcsService {
    /// `CLUSTER/NAME`, how the console and `--ecs-service` name a service.
    pub fn label(&self) -> String {
        format!("{}/{}", self.cluster, self.name)
    }

    /// Which of the service's roles `role_arn` is (`execution role`, `task role`), if any.
    pub fn role_kind(&self, role_arn: &str) -> Option<&'static str> {
        let roles = self.roles.loaded()?;
        if roles
            .execution_role
            .as_deref()
            .is_some_and(|r| same_role(r, role_arn))
        {
            return Some("execution role");
        }
        roles
            .task_role
            .as_deref()
            .is_some_and(|r| same_role(r, role_arn))
            .then_some("task role")
    }
}

impl Keyed for EcsService {
    fn id(&self) -> &str {
        &self.arn
    }

    fn index_keys(&self) -> Vec<IndexKey> {
        vec![
            IndexKey::new(KeyKind::Arn, &self.arn),
            IndexKey::new(KeyKind::Name, self.label()),
        ]
    }
}

/// A Lambda function, with its execution role and VPC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LambdaFunction {
    /// `arn:aws:lambda:REGION:ACCOUNT:function:NAME`.
    pub arn: String,
    /// The function name.
    pub name: String,
    /// The execution role ARN.
    pub role: String,
    /// `Zip` or `Image` (a container image the Lambda service pulls itself).
    #[serde(default = "zip")]
    pub package_type: String,
    /// The VPC the function's network interfaces live in; `Absent`: not attached to a VPC.
    #[serde(default)]
    pub vpc_config: Field<VpcConfig>,
}

fn zip() -> String {
    "Zip".to_string()
}

impl LambdaFunction {
    /// Whether the function is a container image (pulled by the Lambda service).
    pub fn is_image(&self) -> bool {
        self.package_type.eq_ignore_ascii_case("Image")
    }
}

impl Keyed for LambdaFunction {
    fn id(&self) -> &str {
        &self.arn
    }

    fn index_keys(&self) -> Vec<IndexKey> {
        vec![
            IndexKey::new(KeyKind::Arn, &self.arn),
            IndexKey::new(KeyKind::Name, &self.name),
        ]
    }
}

/// Whether two role references name the same role: ECS accepts a bare role name, and role
/// ARNs may or may not carry the role's path, so the account and the name decide.
pub fn same_role(a: &str, b: &str) -> bool {
    let name = |r: &str| r.rsplit('/').next().unwrap_or(r).to_string();
    let account = |r: &str| super::arn::account_of(r).map(str::to_string);
    let accounts_agree = match (account(a), account(b)) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    };
    accounts_agree && name(a) == name(b)
}

/// The service principals a trust policy lets assume the role (`Principal.Service`).
pub fn trusted_services(trust: &Value) -> Vec<String> {
    let statements = match trust.get("Statement") {
        Some(Value::Array(all)) => all.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    let mut services = Vec::new();
    for statement in statements {
        let allows = statement.get("Effect").and_then(Value::as_str) == Some("Allow");
        let service = statement.get("Principal").and_then(|p| p.get("Service"));
        match (allows, service) {
            (true, Some(Value::String(one))) => services.push(one.clone()),
            (true, Some(Value::Array(many))) => {
                services.extend(many.iter().filter_map(Value::as_str).map(str::to_string))
            }
            _ => {}
        }
    }
    services
}

/// The service principal ECS tasks assume their roles through.
pub const ECS_TASKS: &str = "ecs-tasks.amazonaws.com";
/// The service principal Lambda assumes execution roles through.
pub const LAMBDA: &str = "lambda.amazonaws.com";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn service(execution: Option<&str>, task: Option<&str>) -> EcsService {
        EcsService {
            arn: "arn:aws:ecs:eu-west-1:111111111111:service/prod/web".into(),
            name: "web".into(),
            cluster: "prod".into(),
            launch_type: Some("FARGATE".into()),
            task_definition: "arn:aws:ecs:eu-west-1:111111111111:task-definition/web:3".into(),
            roles: Field::Loaded(TaskRoles {
                execution_role: execution.map(str::to_string),
                task_role: task.map(str::to_string),
            }),
            network: Field::Absent,
        }
    }

    #[test]
    fn a_service_knows_which_of_its_roles_a_caller_is() {
        let web = service(
            Some("arn:aws:iam::111111111111:role/ecsTaskExecutionRole"),
            Some("web-task"),
        );
        let execution = "arn:aws:iam::111111111111:role/ecsTaskExecutionRole";
        assert_eq!(web.role_kind(execution), Some("execution role"));
        assert_eq!(
            web.role_kind("arn:aws:iam::111111111111:role/app/web-task"),
            Some("task role")
        );
        assert_eq!(
            web.role_kind("arn:aws:iam::222222222222:role/ecsTaskExecutionRole"),
            None
        );
        assert_eq!(web.label(), "prod/web");
    }

    #[test]
    fn accounts_saved_before_services_and_functions_were_read_still_load() {
        let old = json!({"identity": {"account_id": "111111111111",
            "caller_arn": "arn:aws:sts::111111111111:assumed-role/r/s", "region": "eu-west-1"}});
        let account: crate::inventory::Account = serde_json::from_value(old).expect("loads");
        assert!(account.ecs_services.is_unlisted() && account.functions.is_unlisted());
        let saved = serde_json::to_value(&account).expect("saves");
        assert!(saved.get("ecs_services").is_none() && saved.get("functions").is_none());
    }

    #[test]
    fn trusted_services_reads_strings_and_lists() {
        let trust = json!({"Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com", "edgelambda.amazonaws.com"]}, "Action": "sts:AssumeRole"},
            {"Effect": "Deny", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ]});
        assert_eq!(
            trusted_services(&trust),
            [ECS_TASKS, LAMBDA, "edgelambda.amazonaws.com"]
        );
        assert!(trusted_services(&json!({})).is_empty());
    }
}
