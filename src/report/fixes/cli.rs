//! The exact `aws` CLI commands that apply a change: the document written to a file by a
//! quoted heredoc (no shell expansion inside), then the one call that replaces it. `PROFILE`
//! is the placeholder for the profile of the account that holds the resource.

use serde_json::Value;

use super::{label, values, Proposed};
use crate::diagnose::change::{ChangeLocation, DocumentKind};

/// The commands for `proposed`.
pub fn render(proposed: Proposed<'_>) -> String {
    let location = proposed.location;
    // Names come from the data (a snapshot may hold anything): each is one shell word.
    let name = &shell_word(location.resource_name());
    let file = format!(
        "crossdock-{}.json",
        label(&format!("{}-{name}", kind_slug(&location.document)))
    );
    let write_file = || {
        format!(
            "cat > {file} <<'EOF'\n{}\nEOF\n",
            values::pretty(proposed.document)
        )
    };
    let profile = format!("--profile PROFILE  # account {}", location.account);
    let region = region_arg(location);
    let text = setting_text(proposed.document);
    match &location.document {
        DocumentKind::RepositoryPolicy => format!(
            "{}aws ecr set-repository-policy{region} --registry-id {} --repository-name {name} --policy-text file://{file} {profile}\n",
            write_file(), shell_word(&location.account)
        ),
        DocumentKind::TrustPolicy => format!(
            "{}aws iam update-assume-role-policy --role-name {name} --policy-document file://{file} {profile}\n",
            write_file()
        ),
        DocumentKind::InlinePolicy(policy) => format!(
            "{}aws iam put-{owner}-policy --{owner}-name {name} --policy-name {} --policy-document file://{file} {profile}\n",
            write_file(), shell_word(policy), owner = owner_kind(&location.resource_arn)
        ),
        DocumentKind::ManagedPolicy => format!(
            "{}aws iam create-policy-version --policy-arn {} --policy-document file://{file} --set-as-default {profile}\n",
            write_file(), shell_word(&location.resource_arn)
        ),
        DocumentKind::KeyPolicy => format!(
            "{}aws kms put-key-policy{region} --key-id {} --policy-name default --policy file://{file} {profile}\n",
            write_file(), shell_word(&location.resource_arn)
        ),
        DocumentKind::BucketPolicy => format!(
            "{}aws s3api put-bucket-policy --bucket {name} --policy file://{file} {profile}\n",
            write_file()
        ),
        DocumentKind::EventPattern => format!(
            "{}aws events put-rule{region} --name {name}{} --event-pattern file://{file} {profile}\n",
            write_file(), bus_arg(location)
        ),
        DocumentKind::RuleState => {
            let verb = if text.eq_ignore_ascii_case("DISABLED") { "disable-rule" } else { "enable-rule" };
            format!("aws events {verb}{region} --name {name}{} {profile}\n", bus_arg(location))
        }
        DocumentKind::Setting(path) => setting(proposed, path, &region, &profile),
    }
}

/// Commands for the modelled settings.
fn setting(proposed: Proposed<'_>, path: &str, region: &str, profile: &str) -> String {
    let location = proposed.location;
    let name = &shell_word(location.resource_name());
    let key = shell_word(&location.resource_arn);
    let text = setting_text(proposed.document);
    // Inside the single-quoted jq program: a quote in the value closes and reopens it.
    let jq_value = values::pretty(&Value::String(text.clone())).replace('\'', "'\\''");
    match path {
        "environment.imagePullCredentialsType" => format!(
            "# the environment as it is, with only imagePullCredentialsType changed:\n\
             aws codebuild batch-get-projects{region} --names {name} --query 'projects[0].environment' --output json --profile PROFILE | jq '.imagePullCredentialsType = {jq_value}' > crossdock-environment-{file}.json\n\
             aws codebuild update-project{region} --name {name} --environment file://crossdock-environment-{file}.json {profile}\n",
            file = label(name)
        ),
        "imageTagMutability" => format!(
            "aws ecr put-image-tag-mutability{region} --registry-id {} --repository-name {name} --image-tag-mutability {} {profile}\n",
            shell_word(&location.account), shell_word(&text)
        ),
        "KeyState" => {
            let cancel = match proposed.current.and_then(Value::as_str) {
                Some("PendingDeletion") => {
                    format!("aws kms cancel-key-deletion{region} --key-id {key} {profile}\n")
                }
                _ => String::new(),
            };
            format!("{cancel}aws kms enable-key{region} --key-id {key} {profile}\n")
        }
        "artifactStore.encryptionKey.id" => format!(
            "aws codepipeline get-pipeline{region} --name {name} --profile PROFILE | jq '.pipeline | .artifactStore.encryptionKey = {{\"id\": {jq_value}, \"type\": \"KMS\"}}' > crossdock-pipeline-{file}.json\n\
             aws codepipeline update-pipeline{region} --pipeline file://crossdock-pipeline-{file}.json {profile}\n",
            file = label(name)
        ),
        other => format!(
            "# no single CLI command sets `{other}`: set it to {} on {}\n",
            values::pretty(proposed.document),
            location.resource_arn
        ),
    }
}

/// ` --region R` for regional resources.
fn region_arg(location: &ChangeLocation) -> String {
    match location.region() {
        "" => String::new(),
        region => format!(" --region {}", shell_word(region)),
    }
}

/// ` --event-bus-name BUS` for a rule on a custom bus (`…:rule/BUS/NAME`).
fn bus_arg(location: &ChangeLocation) -> String {
    let path = location
        .resource_arn
        .split(":rule/")
        .nth(1)
        .unwrap_or_default();
    match path.rsplit_once('/') {
        Some((bus, _)) => format!(" --event-bus-name {}", shell_word(bus)),
        None => String::new(),
    }
}

/// A setting value as text.
fn setting_text(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_string)
}

/// A word the shell reads as is: quoted when it holds anything but safe characters.
fn shell_word(text: &str) -> String {
    let safe = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.,+=@/:".contains(c));
    match safe {
        true => text.to_string(),
        false => format!("'{}'", text.replace('\'', "'\\''")),
    }
}

fn kind_slug(kind: &DocumentKind) -> &'static str {
    match kind {
        DocumentKind::RepositoryPolicy => "repository-policy",
        DocumentKind::TrustPolicy => "trust-policy",
        DocumentKind::InlinePolicy(_) => "inline-policy",
        DocumentKind::ManagedPolicy => "managed-policy",
        DocumentKind::KeyPolicy => "key-policy",
        DocumentKind::BucketPolicy => "bucket-policy",
        DocumentKind::EventPattern => "event-pattern",
        DocumentKind::RuleState => "rule-state",
        DocumentKind::Setting(_) => "setting",
    }
}

/// `role`, `user` or `group`: whose inline policy an ARN names (IAM's commands say which).
pub(super) fn owner_kind(arn: &str) -> &'static str {
    if arn.contains(":user/") {
        "user"
    } else if arn.contains(":group/") {
        "group"
    } else {
        "role"
    }
}
