//! Checks that a fix rendering parses in its tool's syntax: shell words for the CLI (with
//! only real `aws` operations, each with a profile), HCL for Terraform, YAML for
//! CloudFormation.
#![allow(dead_code)]

/// Every `aws SERVICE OPERATION` a CLI rendering may use: real operations of the AWS CLI.
pub const AWS_OPERATIONS: &[(&str, &str)] = &[
    ("ecr", "set-repository-policy"),
    ("ecr", "put-image-tag-mutability"),
    ("iam", "update-assume-role-policy"),
    ("iam", "put-role-policy"),
    ("iam", "create-policy-version"),
    ("kms", "put-key-policy"),
    ("kms", "enable-key"),
    ("kms", "cancel-key-deletion"),
    ("s3api", "put-bucket-policy"),
    ("events", "put-rule"),
    ("events", "enable-rule"),
    ("events", "disable-rule"),
    ("codebuild", "batch-get-projects"),
    ("codebuild", "update-project"),
    ("codepipeline", "get-pipeline"),
    ("codepipeline", "update-pipeline"),
];

/// The commands of a CLI rendering (heredoc bodies skipped, trailing comments dropped),
/// each split in shell words, pipelines and redirections split into their commands.
pub fn commands(cli: &str, context: &str) -> Vec<Vec<String>> {
    let mut all = Vec::new();
    let mut heredoc: Option<String> = None;
    for line in cli.lines() {
        if let Some(end) = &heredoc {
            if line.trim() == end {
                heredoc = None;
            }
            continue;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let mut words = shlex::split(trimmed)
            .unwrap_or_else(|| panic!("{context}: not shell words: {trimmed}"));
        if let Some(at) = words.iter().position(|w| w.starts_with('#')) {
            words.truncate(at);
        }
        if let Some(at) = words.iter().position(|w| w == "<<EOF") {
            heredoc = Some("EOF".into());
            words.truncate(at);
        }
        let mut current = Vec::new();
        let mut redirect = false;
        for word in words {
            match word.as_str() {
                "|" => all.push(std::mem::take(&mut current)),
                ">" => redirect = true,
                _ if redirect => redirect = false,
                _ => current.push(word),
            }
        }
        all.push(current);
    }
    assert!(heredoc.is_none(), "{context}: a heredoc is not closed");
    all
}

/// Checks a CLI rendering: shell words, real operations, a profile on every call.
pub fn check_cli(cli: &str, context: &str) {
    let commands = commands(cli, context);
    assert!(
        commands
            .iter()
            .any(|c| c.first().map(String::as_str) == Some("aws")),
        "{context}: no aws command in {cli}"
    );
    for command in commands {
        match command.first().map(String::as_str) {
            Some("aws") => {
                let (service, operation) = (command[1].as_str(), command[2].as_str());
                assert!(
                    AWS_OPERATIONS.contains(&(service, operation)),
                    "{context}: aws {service} {operation} is not a known operation"
                );
                assert!(
                    command.windows(2).any(|w| w[0] == "--profile"),
                    "{context}: no --profile in {command:?}"
                );
            }
            Some("cat") | Some("jq") => {}
            other => panic!("{context}: unexpected command {other:?} in {cli}"),
        }
    }
}

/// Checks a Terraform rendering parses as HCL and declares a resource.
pub fn check_terraform(text: &str, context: &str) {
    let body = hcl::parse(text).unwrap_or_else(|e| panic!("{context}: not HCL: {e}\n{text}"));
    let has_resource = body.blocks().any(|b| b.identifier() == "resource");
    let only_comment = text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim().starts_with('#'));
    assert!(
        has_resource || only_comment,
        "{context}: no resource in {text}"
    );
}

/// Checks a CloudFormation rendering parses as YAML with a `Type` and `Properties`.
pub fn check_yaml(text: &str, context: &str) {
    let value: serde_norway::Value =
        serde_norway::from_str(text).unwrap_or_else(|e| panic!("{context}: not YAML: {e}\n{text}"));
    if value.is_null() {
        return;
    }
    let mapping = value
        .as_mapping()
        .unwrap_or_else(|| panic!("{context}: not a mapping"));
    for (_, resource) in mapping {
        assert!(
            resource.get("Type").is_some(),
            "{context}: no Type in {text}"
        );
        assert!(
            resource.get("Properties").is_some(),
            "{context}: no Properties in {text}"
        );
    }
}
