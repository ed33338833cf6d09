//! CloudFormation YAML property snippets: the resource that owns the document, with the
//! property to set. The logical id is a placeholder named after the resource.

use serde_json::{json, Value};

use super::{label, values, Proposed};
use crate::diagnose::change::DocumentKind;

/// The YAML snippet for `proposed`.
pub fn render(proposed: Proposed<'_>) -> String {
    let location = proposed.location;
    let name = location.resource_name();
    let doc = proposed.document.clone();
    let (resource_type, properties) = match &location.document {
        DocumentKind::RepositoryPolicy => (
            "AWS::ECR::Repository",
            json!({"RepositoryName": name, "RepositoryPolicyText": doc}),
        ),
        DocumentKind::TrustPolicy => (
            "AWS::IAM::Role",
            json!({"RoleName": name, "AssumeRolePolicyDocument": doc}),
        ),
        DocumentKind::InlinePolicy(policy) => (
            "AWS::IAM::RolePolicy",
            json!({"RoleName": name, "PolicyName": policy, "PolicyDocument": doc}),
        ),
        DocumentKind::ManagedPolicy => (
            "AWS::IAM::ManagedPolicy",
            json!({"ManagedPolicyName": name, "PolicyDocument": doc}),
        ),
        DocumentKind::KeyPolicy => ("AWS::KMS::Key", json!({"KeyPolicy": doc})),
        DocumentKind::BucketPolicy => (
            "AWS::S3::BucketPolicy",
            json!({"Bucket": name, "PolicyDocument": doc}),
        ),
        DocumentKind::EventPattern => (
            "AWS::Events::Rule",
            json!({"Name": name, "EventPattern": doc}),
        ),
        DocumentKind::RuleState => ("AWS::Events::Rule", json!({"Name": name, "State": doc})),
        DocumentKind::Setting(path) => match setting(path, doc) {
            Some(found) => found,
            None => {
                return format!(
                    "# no CloudFormation property is known for `{path}` of {}\n",
                    location.resource_arn
                )
            }
        },
    };
    let logical = label(name).replace(['-', '_'], "");
    let body = json!({ logical: {"Type": resource_type, "Properties": properties} });
    let text = values::yaml(&body, 0);
    let yaml: Vec<&str> = text
        .lines()
        .filter(|line| !line.is_empty())
        .map(|line| line.strip_prefix("  ").unwrap_or(line))
        .collect();
    format!(
        "# keep the resource's other properties as they are\n{}\n",
        yaml.join("\n")
    )
}

fn setting(path: &str, value: Value) -> Option<(&'static str, Value)> {
    Some(match path {
        "environment.imagePullCredentialsType" => (
            "AWS::CodeBuild::Project",
            json!({"Environment": {"ImagePullCredentialsType": value}}),
        ),
        "imageTagMutability" => ("AWS::ECR::Repository", json!({"ImageTagMutability": value})),
        "KeyState" => ("AWS::KMS::Key", json!({"Enabled": true})),
        "artifactStore.encryptionKey.id" => (
            "AWS::CodePipeline::Pipeline",
            json!({"ArtifactStore": {"EncryptionKey": {"Id": value, "Type": "KMS"}}}),
        ),
        _ => return None,
    })
}
