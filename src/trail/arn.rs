//! ARN helpers for trail records; parsing itself is `crate::policy::arn`'s.

/// Splits an ARN into its six parts (the one ARN parser of the crate).
pub fn split(arn: &str) -> Option<crate::policy::Arn<'_>> {
    crate::policy::Arn::parse(arn)
}

/// The account field of an ARN, if not empty.
///
/// Not restricted to 12 digits: shared records are often redacted (`XXXXXXXX4623`), and
/// comparing redacted IDs for equality is still meaningful.
pub fn account_of(arn: &str) -> Option<&str> {
    split(arn).map(|p| p.account).filter(|a| !a.is_empty())
}

/// The partition implied by a region name (`cn-…` → `aws-cn`, `us-gov-…` → `aws-us-gov`).
pub fn partition_for_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// Builds `arn:<partition>:ecr:<region>:<registry>:repository/<name>`.
pub fn repository_arn(region: &str, registry_id: &str, repository: &str) -> String {
    format!(
        "arn:{}:ecr:{region}:{registry_id}:repository/{repository}",
        partition_for_region(region)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_session_arn() {
        let p = split("arn:aws:sts::111111111111:assumed-role/r/s").unwrap();
        assert_eq!(p.service, "sts");
        assert_eq!(p.region, "");
        assert_eq!(p.account, "111111111111");
        assert_eq!(p.resource, "assumed-role/r/s");
    }

    #[test]
    fn rejects_non_arns_and_odd_accounts() {
        assert_eq!(split("not-an-arn"), None);
        assert_eq!(split("arn:aws:s3"), None);
        assert_eq!(account_of("arn:aws:s3:::bucket"), None);
        assert_eq!(account_of("arn:aws:iam::XXXX4623:role/r"), Some("XXXX4623"));
    }

    #[test]
    fn builds_repository_arns_per_partition() {
        assert_eq!(
            repository_arn("ap-northeast-1", "222222222222", "source-repo"),
            "arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo"
        );
        assert!(repository_arn("cn-north-1", "222222222222", "r").starts_with("arn:aws-cn:"));
    }
}
