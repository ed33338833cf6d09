//! Facts about organisation guardrails that the evaluator and the checks share: which
//! services resource control policies (RCPs) apply to, and which callers SCPs and RCPs never
//! restrict.

use super::arn::Caller;

/// The service prefixes of the actions RCPs apply to, from the AWS Organizations User Guide
/// ("Resource control policies (RCPs)", "List of AWS services that support RCPs"): Amazon S3,
/// AWS STS, AWS KMS, Amazon SQS and AWS Secrets Manager since RCPs launched (November 2024);
/// Amazon ECR and Amazon OpenSearch Serverless since AWS's June 2025 announcement ("AWS
/// Organizations resource control policies now support Amazon ECR and Amazon OpenSearch
/// Serverless"). Checked with the `search` tool against that guide and the announcement.
/// Kept as data: when AWS adds a service, add its prefix here.
pub const RCP_SERVICES: [&str; 7] = ["s3", "sts", "kms", "sqs", "secretsmanager", "ecr", "aoss"];

/// The service prefix of an action as written (`ecr` for `ecr:BatchGetImage`); compare it
/// ignoring ASCII case.
pub fn service_of(action: &str) -> &str {
    action
        .split_once(':')
        .map(|(service, _)| service)
        .unwrap_or(action)
}

/// True when RCPs can restrict `action` (its service supports RCPs). Asked for every
/// request, so it compares in place rather than lower-casing a copy.
pub fn rcp_covers_action(action: &str) -> bool {
    let service = service_of(action);
    RCP_SERVICES.iter().any(|s| s.eq_ignore_ascii_case(service))
}

/// Why SCPs do not restrict `caller`, if they do not.
pub fn scp_exemption(caller: &Caller) -> Option<&'static str> {
    match caller {
        Caller::Service { .. } => Some("SCPs do not apply to service principals"),
        Caller::Anonymous => Some(
            "SCPs restrict principals of the organisation's accounts; an anonymous caller has none",
        ),
        c if c.is_service_linked_role() => Some("SCPs do not restrict service-linked roles"),
        _ => None,
    }
}

/// Why RCPs do not restrict a request by `caller` for `action`, if they do not.
pub fn rcp_exemption(caller: &Caller, action: &str) -> Option<&'static str> {
    match caller {
        Caller::Service { .. } => Some("RCPs do not apply to requests by AWS service principals"),
        c if c.is_service_linked_role() => Some("RCPs do not restrict service-linked roles"),
        _ if !rcp_covers_action(action) => Some(
            "RCPs apply only to the services the Organizations user guide lists (S3, STS, KMS, SQS, Secrets Manager, ECR, OpenSearch Serverless)",
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rcps_cover_the_listed_services_only() {
        assert!(rcp_covers_action("ecr:BatchGetImage"));
        assert!(rcp_covers_action("KMS:Decrypt"));
        assert!(rcp_covers_action("sts:AssumeRole"));
        assert!(!rcp_covers_action("codebuild:StartBuild"));
        assert!(!rcp_covers_action("iam:GetRole"));
    }

    #[test]
    fn service_linked_roles_are_exempt_from_both() {
        let slr = Caller::parse(
            "arn:aws:iam::111111111111:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
            None,
        )
        .unwrap();
        assert!(scp_exemption(&slr).is_some());
        assert!(rcp_exemption(&slr, "kms:Decrypt").is_some());
        let session = Caller::parse(
            "arn:aws:sts::111111111111:assumed-role/AWSServiceRoleForECS/ecs",
            None,
        )
        .unwrap();
        assert!(scp_exemption(&session).is_some());
        let role = Caller::parse("arn:aws:iam::111111111111:role/build", None).unwrap();
        assert_eq!(scp_exemption(&role), None);
        assert_eq!(rcp_exemption(&role, "kms:Decrypt"), None);
        assert!(rcp_exemption(&role, "codebuild:StartBuild").is_some());
    }
}
