//! Just enough ARN handling for trail records; the full ARN model lives in `policy`.

/// The six colon-separated parts of an ARN, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArnParts<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: &'a str,
    /// `ecr`, `sts`, `iam`, `kms`…
    pub service: &'a str,
    /// Empty for global services.
    pub region: &'a str,
    /// Empty for S3 buckets.
    pub account: &'a str,
    /// Everything after the fifth colon (may itself contain colons).
    pub resource: &'a str,
}

/// Splits an ARN; `None` if it does not start with `arn:` or has fewer than six parts.
pub fn split(arn: &str) -> Option<ArnParts<'_>> {
    let rest = arn.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let partition = parts.next()?;
    let service = parts.next()?;
    let region = parts.next()?;
    let account = parts.next()?;
    let resource = parts.next()?;
    Some(ArnParts {
        partition,
        service,
        region,
        account,
        resource,
    })
}

/// The account field of an ARN, if not empty.
///
/// Not restricted to 12 digits: shared records are often redacted (`XXXXXXXX4623`), and
/// comparing redacted IDs for equality is still meaningful.
pub fn account_of(arn: &str) -> Option<&str> {
    split(arn).map(|p| p.account).filter(|a| !a.is_empty())
}

/// True for a 12-digit AWS account ID.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
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
        assert!(is_account_id("222222222222"));
        assert!(!is_account_id("XXXX4623"));
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
