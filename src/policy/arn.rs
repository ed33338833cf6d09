//! Amazon Resource Names: parsing, and the identities of callers (sessions, roles, users, root).

use std::fmt;

/// A parsed ARN: `arn:partition:service:region:account:resource`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`…
    pub partition: &'a str,
    /// Service namespace, e.g. `ecr`.
    pub service: &'a str,
    /// Region, empty for global services.
    pub region: &'a str,
    /// Account ID, empty for S3 buckets and AWS-managed policies.
    pub account: &'a str,
    /// Everything after the fifth colon, e.g. `repository/source-repo`.
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Parses `text`, or returns `None` when it is not an ARN.
    pub fn parse(text: &'a str) -> Option<Self> {
        // A byte scan for the first four colons after `arn:`: the evaluator parses the
        // resource ARN of every request, and `splitn`'s searcher cost more than the rest.
        let mut rest = text.strip_prefix("arn:")?;
        let mut fields = [""; 4];
        for field in &mut fields {
            let colon = rest.bytes().position(|b| b == b':')?;
            *field = &rest[..colon];
            rest = &rest[colon + 1..];
        }
        let [partition, service, region, account] = fields;
        let resource = rest;
        if partition.is_empty() || service.is_empty() {
            return None;
        }
        Some(Self {
            partition,
            service,
            region,
            account,
            resource,
        })
    }

    /// The resource type (`repository`, `role`, `key`…) and the rest after the first `/` or `:`.
    pub fn resource_type(&self) -> (&'a str, &'a str) {
        match self.resource.find(['/', ':']) {
            Some(pos) => (&self.resource[..pos], &self.resource[pos + 1..]),
            None => (self.resource, ""),
        }
    }
}

/// True for a 12-digit AWS account ID.
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// The account ID inside an ARN, if it has one (S3 buckets and AWS managed policies do not).
pub fn account_of(arn: &str) -> Option<&str> {
    Arn::parse(arn)
        .map(|a| a.account)
        .filter(|a| is_account_id(a))
}

/// The account field of an ARN, whatever its form: shared records are often redacted
/// (`XXXXXXXX4623`), and comparing redacted ids for equality is still meaningful.
/// [`account_of`] is the strict form (12 digits) that evaluation uses.
pub fn account_field(arn: &str) -> Option<&str> {
    Arn::parse(arn).map(|a| a.account).filter(|a| !a.is_empty())
}

/// The partition of an ARN (`aws` when it cannot be read).
pub fn partition_of(arn: &str) -> &str {
    arn.split(':')
        .nth(1)
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
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

/// The ARN of an ECR repository.
pub fn repository_arn(partition: &str, region: &str, account: &str, name: &str) -> String {
    format!("arn:{partition}:ecr:{region}:{account}:repository/{name}")
}

/// Who makes a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// An assumed-role session `arn:aws:sts::A:assumed-role/ROLE/SESSION`.
    Session {
        /// The session ARN.
        arn: String,
        /// The role behind it, with its path when known.
        role_arn: String,
        /// The account of both.
        account: String,
    },
    /// A role ARN used directly as the caller (treated as a session of that role).
    Role {
        /// The role ARN.
        arn: String,
        /// Its account.
        account: String,
    },
    /// An IAM user.
    User {
        /// The user ARN.
        arn: String,
        /// Its account.
        account: String,
    },
    /// The account root user.
    Root {
        /// The account.
        account: String,
    },
    /// An AWS service principal such as `codebuild.amazonaws.com`.
    Service {
        /// The service principal name.
        name: String,
    },
    /// Any other ARN (federated users, …): matched only by exact ARN or account.
    Other {
        /// The ARN.
        arn: String,
        /// Its account.
        account: String,
    },
    /// An unsigned (anonymous) request: no account, no identity policies; only a
    /// resource-based grant to `"*"` can allow it.
    Anonymous,
}

/// The words a request file may use for an anonymous caller.
pub const ANONYMOUS_NAMES: [&str; 2] = ["anonymous", "*"];

/// Why a principal string could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a principal ARN, an account ID or a service principal name")]
pub struct UnknownPrincipal(pub String);

impl Caller {
    /// Reads a caller from a principal ARN (or service name), with the optional role ARN
    /// behind a session (which carries the role's path, absent from session ARNs).
    pub fn parse(principal: &str, role_arn: Option<&str>) -> Result<Self, UnknownPrincipal> {
        let unknown = || UnknownPrincipal(principal.to_string());
        if ANONYMOUS_NAMES.contains(&principal) {
            return Ok(Caller::Anonymous);
        }
        if is_account_id(principal) {
            return Ok(Caller::Root {
                account: principal.to_string(),
            });
        }
        let Some(arn) = Arn::parse(principal) else {
            if principal.ends_with(".amazonaws.com") || principal.ends_with(".amazonaws.com.cn") {
                return Ok(Caller::Service {
                    name: principal.to_string(),
                });
            }
            return Err(unknown());
        };
        if !is_account_id(arn.account) {
            return Err(unknown());
        }
        let account = arn.account.to_string();
        let (kind, rest) = arn.resource_type();
        match (arn.service, kind) {
            ("iam", "root") => Ok(Caller::Root { account }),
            ("sts", "assumed-role") => {
                let role_name = rest.split('/').next().filter(|r| !r.is_empty());
                let role_name = role_name.ok_or_else(unknown)?;
                let role_arn = role_arn.map(str::to_string).unwrap_or_else(|| {
                    format!("arn:{}:iam::{}:role/{}", arn.partition, account, role_name)
                });
                Ok(Caller::Session {
                    arn: principal.to_string(),
                    role_arn,
                    account,
                })
            }
            ("iam", "role") => Ok(Caller::Role {
                arn: principal.to_string(),
                account,
            }),
            ("iam", "user") => Ok(Caller::User {
                arn: principal.to_string(),
                account,
            }),
            _ => Ok(Caller::Other {
                arn: principal.to_string(),
                account,
            }),
        }
    }

    /// The caller's account (none for service principals).
    pub fn account(&self) -> Option<&str> {
        match self {
            Caller::Session { account, .. }
            | Caller::Role { account, .. }
            | Caller::User { account, .. }
            | Caller::Root { account }
            | Caller::Other { account, .. } => Some(account),
            Caller::Service { .. } | Caller::Anonymous => None,
        }
    }

    /// The value of `aws:PrincipalArn`: the role ARN for a session, never the session ARN.
    pub fn principal_arn(&self) -> Option<String> {
        match self {
            Caller::Session { role_arn, .. } => Some(role_arn.clone()),
            Caller::Role { arn, .. } | Caller::User { arn, .. } | Caller::Other { arn, .. } => {
                Some(arn.clone())
            }
            Caller::Root { account } => Some(format!("arn:aws:iam::{account}:root")),
            Caller::Service { .. } | Caller::Anonymous => None,
        }
    }

    /// The role ARN behind a session (or the role itself).
    pub fn role_arn(&self) -> Option<&str> {
        match self {
            Caller::Session { role_arn, .. } => Some(role_arn),
            Caller::Role { arn, .. } => Some(arn),
            _ => None,
        }
    }

    /// True for an AWS service principal.
    pub fn is_service(&self) -> bool {
        matches!(self, Caller::Service { .. })
    }

    /// True for an unsigned request.
    pub fn is_anonymous(&self) -> bool {
        matches!(self, Caller::Anonymous)
    }

    /// True for a service-linked role (or a session of one), which SCPs and RCPs never
    /// restrict: its ARN has the path `/aws-service-role/`. A session ARN carries no path, so
    /// a session whose role is not given counts when the role name has the
    /// `AWSServiceRoleFor` prefix every service-linked role name starts with.
    pub fn is_service_linked_role(&self) -> bool {
        let Some(role_arn) = self.role_arn() else {
            return false;
        };
        let name = role_arn.rsplit('/').next().unwrap_or_default();
        role_arn.contains(":role/aws-service-role/") || name.starts_with("AWSServiceRoleFor")
    }
}

impl Caller {
    /// How messages name the caller (its `Display` text), borrowed where it can be.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Caller::Session { arn, .. }
            | Caller::Role { arn, .. }
            | Caller::User { arn, .. }
            | Caller::Other { arn, .. } => arn.into(),
            Caller::Root { account } => format!("arn:aws:iam::{account}:root").into(),
            Caller::Service { name } => name.into(),
            Caller::Anonymous => "an anonymous caller".into(),
        }
    }
}

impl fmt::Display for Caller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// The role ARN (`arn:aws:iam::A:role/ROLE`, no path) behind a session ARN.
pub fn session_role_arn(session_arn: &str) -> Option<String> {
    match Caller::parse(session_arn, None).ok()? {
        Caller::Session { role_arn, .. } => Some(role_arn),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_arn_segments() {
        let arn =
            Arn::parse("arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo").unwrap();
        assert_eq!(arn.service, "ecr");
        assert_eq!(arn.region, "ap-northeast-1");
        assert_eq!(arn.account, "222222222222");
        assert_eq!(arn.resource_type(), ("repository", "source-repo"));
        let log = Arn::parse("arn:aws:logs:us-east-1:1:log-group:a:b").unwrap();
        assert_eq!(log.resource, "log-group:a:b");
        assert!(Arn::parse("not-an-arn").is_none());
        assert!(Arn::parse("arn:aws:s3").is_none());
        assert_eq!(Arn::parse("arn:aws:s3:::bucket").unwrap().account, "");
    }

    #[test]
    fn session_maps_to_role() {
        let caller = Caller::parse(
            "arn:aws:sts::111111111111:assumed-role/build/AWSCodeBuild-1",
            None,
        )
        .unwrap();
        assert_eq!(
            caller.principal_arn().unwrap(),
            "arn:aws:iam::111111111111:role/build"
        );
        let with_path = Caller::parse(
            "arn:aws:sts::111111111111:assumed-role/build/s",
            Some("arn:aws:iam::111111111111:role/ci/build"),
        )
        .unwrap();
        assert_eq!(
            with_path.role_arn().unwrap(),
            "arn:aws:iam::111111111111:role/ci/build"
        );
        assert_eq!(
            session_role_arn("arn:aws:sts::1:assumed-role/x/y"),
            None,
            "account must be 12 digits"
        );
    }

    #[test]
    fn classifies_callers() {
        assert!(matches!(
            Caller::parse("arn:aws:iam::111111111111:root", None),
            Ok(Caller::Root { .. })
        ));
        assert!(matches!(
            Caller::parse("111111111111", None),
            Ok(Caller::Root { .. })
        ));
        assert!(matches!(
            Caller::parse("codebuild.amazonaws.com", None),
            Ok(Caller::Service { .. })
        ));
        assert!(matches!(
            Caller::parse("arn:aws:iam::111111111111:user/alice", None),
            Ok(Caller::User { .. })
        ));
        assert!(Caller::parse("garbage", None).is_err());
    }
}
