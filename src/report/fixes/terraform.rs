//! Terraform for a change: the resource that owns the document with the argument to set,
//! policies through `jsonencode`. Only the arguments the change touches are written; the
//! comment says to keep the resource's other arguments as they are.

use serde_json::Value;

use super::{label, values, Proposed};
use crate::diagnose::change::DocumentKind;

/// The Terraform block for `proposed`.
pub fn render(proposed: Proposed<'_>) -> String {
    let location = proposed.location;
    let name = location.resource_name();
    let id = label(name);
    let text = |s: &str| values::hcl(&Value::String(s.to_string()), 0);
    let policy = || format!("jsonencode({})", values::hcl(proposed.document, 2));
    let keep = "  # keep the resource's other arguments as they are\n";
    match &location.document {
        DocumentKind::RepositoryPolicy => format!(
            "resource \"aws_ecr_repository_policy\" \"{id}\" {{\n  repository = {}\n  policy     = {}\n}}\n",
            text(name), policy()
        ),
        DocumentKind::TrustPolicy => format!(
            "resource \"aws_iam_role\" \"{id}\" {{\n{keep}  name               = {}\n  assume_role_policy = {}\n}}\n",
            text(name), policy()
        ),
        DocumentKind::InlinePolicy(policy_name) => format!(
            "resource \"aws_iam_{owner}_policy\" \"{}\" {{\n  name   = {}\n  {owner:<6} = {}\n  policy = {}\n}}\n",
            label(&format!("{name}_{policy_name}")), text(policy_name), text(name), policy(),
            owner = super::cli::owner_kind(&location.resource_arn)
        ),
        DocumentKind::ManagedPolicy => format!(
            "resource \"aws_iam_policy\" \"{id}\" {{\n{keep}  name   = {}\n  policy = {}\n}}\n",
            text(name), policy()
        ),
        DocumentKind::KeyPolicy => format!(
            "resource \"aws_kms_key_policy\" \"{id}\" {{\n  key_id = {}\n  policy = {}\n}}\n",
            text(&location.resource_arn), policy()
        ),
        DocumentKind::BucketPolicy => format!(
            "resource \"aws_s3_bucket_policy\" \"{id}\" {{\n  bucket = {}\n  policy = {}\n}}\n",
            text(name), policy()
        ),
        DocumentKind::EventPattern => format!(
            "resource \"aws_cloudwatch_event_rule\" \"{id}\" {{\n{keep}  name          = {}\n  event_pattern = {}\n}}\n",
            text(name), policy()
        ),
        DocumentKind::RuleState => format!(
            "resource \"aws_cloudwatch_event_rule\" \"{id}\" {{\n{keep}  name  = {}\n  state = {}\n}}\n",
            text(name), values::hcl(proposed.document, 2)
        ),
        DocumentKind::Setting(path) => setting(proposed, path, &id),
    }
}

fn setting(proposed: Proposed<'_>, path: &str, id: &str) -> String {
    let name = proposed.location.resource_name();
    let value = values::hcl(proposed.document, 4);
    let keep = "  # keep the resource's other arguments as they are\n";
    let name_text = values::hcl(&Value::String(name.to_string()), 0);
    match path {
        "environment.imagePullCredentialsType" => format!(
            "resource \"aws_codebuild_project\" \"{id}\" {{\n{keep}  name = {name_text}\n  environment {{\n    # keep compute_type, image and type\n    image_pull_credentials_type = {value}\n  }}\n}}\n"
        ),
        "imageTagMutability" => format!(
            "resource \"aws_ecr_repository\" \"{id}\" {{\n{keep}  name                 = {name_text}\n  image_tag_mutability = {value}\n}}\n"
        ),
        "KeyState" => format!(
            "resource \"aws_kms_key\" \"{id}\" {{\n{keep}  # a key pending deletion must first be restored: aws kms cancel-key-deletion\n  is_enabled = true\n}}\n"
        ),
        "artifactStore.encryptionKey.id" => format!(
            "resource \"aws_codepipeline\" \"{id}\" {{\n{keep}  name = {name_text}\n  artifact_store {{\n    # keep location and type\n    encryption_key {{\n      id   = {}\n      type = \"KMS\"\n    }}\n  }}\n}}\n",
            values::hcl(proposed.document, 6)
        ),
        other => format!(
            "# no Terraform argument is known for `{other}`: set it to {} on {}\n",
            values::pretty(proposed.document).replace('\n', "\n# "),
            proposed.location.resource_arn
        ),
    }
}
