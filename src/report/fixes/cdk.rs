//! CDK for a change, in TypeScript and Python: policy statements added to the construct that
//! owns the document (`addToResourcePolicy`, `assumeRolePolicy.addStatements`, …, each
//! statement through `PolicyStatement.fromJson`), inline policies as a whole named policy,
//! settings as a property override on the L1 resource.

use serde_json::Value;

use super::{changed_statements, label, values, Proposed};
use crate::diagnose::change::DocumentKind;

/// The construct variable and how it adds one statement, per language.
struct Target {
    comment: String,
    ts: &'static str,
    py: &'static str,
}

fn target(proposed: Proposed<'_>) -> Option<Target> {
    let name = proposed.location.resource_name();
    let (what, ts, py) = match &proposed.location.document {
        DocumentKind::RepositoryPolicy => (
            "ecr.Repository",
            "repository.addToResourcePolicy",
            "repository.add_to_resource_policy",
        ),
        DocumentKind::TrustPolicy => (
            "iam.Role",
            "role.assumeRolePolicy?.addStatements",
            "role.assume_role_policy.add_statements",
        ),
        DocumentKind::ManagedPolicy => (
            "iam.ManagedPolicy",
            "managedPolicy.addStatements",
            "managed_policy.add_statements",
        ),
        DocumentKind::KeyPolicy => (
            "kms.Key",
            "key.addToResourcePolicy",
            "key.add_to_resource_policy",
        ),
        DocumentKind::BucketPolicy => (
            "s3.Bucket",
            "bucket.addToResourcePolicy",
            "bucket.add_to_resource_policy",
        ),
        _ => return None,
    };
    Some(Target {
        comment: format!("the {what} construct of {name}"),
        ts,
        py,
    })
}

/// The L1 property path and value of a setting or rule document.
fn override_of(proposed: Proposed<'_>) -> Option<(&'static str, &'static str, String, Value)> {
    let value = proposed.document.clone();
    Some(match &proposed.location.document {
        DocumentKind::EventPattern => ("rule", "events.Rule", "EventPattern".into(), value),
        DocumentKind::RuleState => ("rule", "events.Rule", "State".into(), value),
        DocumentKind::Setting(path) => match path.as_str() {
            "environment.imagePullCredentialsType" => (
                "project",
                "codebuild.Project",
                "Environment.ImagePullCredentialsType".into(),
                value,
            ),
            "imageTagMutability" => (
                "repository",
                "ecr.Repository",
                "ImageTagMutability".into(),
                value,
            ),
            "KeyState" => ("key", "kms.Key", "Enabled".into(), Value::Bool(true)),
            "artifactStore.encryptionKey.id" => (
                "pipeline",
                "codepipeline.Pipeline",
                "ArtifactStore.EncryptionKey".into(),
                serde_json::json!({"Id": value, "Type": "KMS"}),
            ),
            _ => return None,
        },
        _ => return None,
    })
}

/// Statement lines, `replaced` noting a statement that replaces one with the same Sid.
fn statements<'v>(proposed: Proposed<'v>) -> Vec<(&'v Value, bool)> {
    let before = proposed
        .current
        .map(crate::diagnose::edit::statements)
        .unwrap_or_default();
    changed_statements(proposed.current, proposed.document)
        .into_iter()
        .map(|s| {
            let sid = s.get("Sid");
            let replaces = sid.is_some() && before.iter().any(|b| b.get("Sid") == sid);
            (
                s,
                replaces
                    || (sid.is_none()
                        && !before.is_empty()
                        && before.len()
                            == crate::diagnose::edit::statements(proposed.document).len()),
            )
        })
        .collect()
}

/// CDK TypeScript.
pub fn typescript(proposed: Proposed<'_>) -> String {
    let name = proposed.location.resource_name();
    if let DocumentKind::InlinePolicy(policy) = &proposed.location.document {
        return format!(
            "// role: the iam.Role construct of {name}\nrole.attachInlinePolicy(new iam.Policy(this, '{}', {{\n  policyName: '{policy}',\n  document: iam.PolicyDocument.fromJson({}),\n}}));\n",
            label(policy), values::typescript(proposed.document, 2)
        );
    }
    if let Some((var, construct, path, value)) = override_of(proposed) {
        return format!(
            "// {var}: the {construct} construct of {name}\n({var}.node.defaultChild as cdk.CfnResource).addPropertyOverride('{path}', {});\n",
            values::typescript(&value, 0)
        );
    }
    let Some(target) = target(proposed) else {
        return "// no CDK rendering for this document\n".into();
    };
    let mut out = format!("// {}\n", target.comment);
    for (statement, replaces) in statements(proposed) {
        if replaces {
            out.push_str(
                "// replaces the statement with the same Sid: remove the old one from your code\n",
            );
        }
        out.push_str(&format!(
            "{}(iam.PolicyStatement.fromJson({}));\n",
            target.ts,
            values::typescript(statement, 0)
        ));
    }
    out
}

/// CDK Python.
pub fn python(proposed: Proposed<'_>) -> String {
    let name = proposed.location.resource_name();
    if let DocumentKind::InlinePolicy(policy) = &proposed.location.document {
        return format!(
            "# role: the iam.Role construct of {name}\nrole.attach_inline_policy(iam.Policy(\n    self,\n    \"{}\",\n    policy_name=\"{policy}\",\n    document=iam.PolicyDocument.from_json({}),\n))\n",
            label(policy), values::python(proposed.document, 4)
        );
    }
    if let Some((var, construct, path, value)) = override_of(proposed) {
        return format!(
            "# {var}: the {construct} construct of {name}\n{var}.node.default_child.add_property_override(\"{path}\", {})\n",
            values::python(&value, 0)
        );
    }
    let Some(target) = target(proposed) else {
        return "# no CDK rendering for this document\n".into();
    };
    let mut out = format!("# {}\n", target.comment);
    for (statement, replaces) in statements(proposed) {
        if replaces {
            out.push_str(
                "# replaces the statement with the same Sid: remove the old one from your code\n",
            );
        }
        out.push_str(&format!(
            "{}(iam.PolicyStatement.from_json({}))\n",
            target.py,
            values::python(statement, 0)
        ));
    }
    out
}
