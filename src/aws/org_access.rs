//! How crossdock reads each account of an organisation, and opening it: the org profile
//! for its own account, a role assumed from the org profile's credentials (`--org-role`),
//! or one of the user's profiles that reads that account (matched by `sso_account_id` /
//! `role_arn`).
//!
//! Assuming `--org-role` goes through aws-config's assume-role provider, the same code that
//! serves `role_arn` profiles. `sts:AssumeRole` creates a temporary session and changes no
//! resource; that session can do only what the named role allows, and crossdock sends it
//! only the reads of [`super::allowlist::READ_OPERATIONS`]. It is listed as an opt-in
//! (`allowlist::OPT_IN_OPERATIONS`) and made only under `--org-role`, from this file alone.

use aws_config::SdkConfig;
use aws_sdk_sts::config::SharedCredentialsProvider;

use super::errors::AwsError;
use super::gateway::Gateway;
use super::load::Loader;
use super::profiles::ProfileSource;
use crate::inventory::organization::{OrgAccount, Organization};
use crate::inventory::{Account, Identity, Unreadable};

/// The session name every `--org-role` session carries (CloudTrail shows it).
pub const SESSION_NAME: &str = "crossdock";

/// How one account is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// An AWS profile (the org profile for its own account, or the user's matching one).
    Profile(String),
    /// A role ARN assumed from the org profile's credentials.
    Role(String),
    /// No way: no `--org-role` and no profile reads this account.
    None,
}

impl std::fmt::Display for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Access::Profile(name) => write!(f, "profile {name}"),
            Access::Role(arn) => f.write_str(arn),
            Access::None => f.write_str("none"),
        }
    }
}

/// Why one account could not be opened; the account is then `unknown` with this reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// Nothing to read it with.
    #[error("no profile reads account {0}; pass --org-role NAME (a read-only role every account has) or add a profile with sso_account_id = {0}")]
    NoAccess(String),
    /// The profile could not be opened.
    #[error(transparent)]
    Profile(#[from] AwsError),
    /// The role could not be assumed, or the identity call failed.
    #[error("{}: {} {}{}", .0.operation, .0.code, .0.message, .0.hint.as_deref().map(|h| format!(" — {h}")).unwrap_or_default())]
    Identity(Unreadable),
    /// `--org-role` could not be assumed in this account.
    #[error("cannot assume {role_arn}: {detail}; the role must exist in the account and trust the org profile's principal, which needs sts:AssumeRole on it")]
    Assume {
        /// The role.
        role_arn: String,
        /// What STS said (code and message, no credentials).
        detail: String,
    },
    /// The credentials read another account than the one asked for.
    #[error("{access} reads account {actual}, not {expected}; fix the profile's sso_account_id or role_arn")]
    WrongAccount {
        /// How it was read.
        access: String,
        /// The organisation's account.
        expected: String,
        /// The account the credentials belong to.
        actual: String,
    },
}

/// Where the organisation's accounts are read from: the org profile, its config and
/// account, the role template, and the user's profiles with the accounts they read.
#[derive(Debug, Clone)]
pub struct AccessPlan {
    /// The org profile's name.
    pub org_profile: String,
    /// The account the org profile reads.
    pub org_account: String,
    /// The org profile's partition (`aws`, `aws-cn`, …), for role ARNs.
    pub partition: String,
    /// `--org-role`.
    pub role: Option<String>,
    /// `(profile, account id)` of the user's profiles.
    pub profiles: Vec<(String, String)>,
}

impl AccessPlan {
    /// How `account` is read: the org profile for its own account; else the role template;
    /// else the first of the user's profiles that reads it; else none.
    pub fn access(&self, account: &str) -> Access {
        if account == self.org_account {
            return Access::Profile(self.org_profile.clone());
        }
        if let Some(role) = &self.role {
            let role = role.trim_start_matches('/');
            return Access::Role(format!("arn:{}:iam::{account}:role/{role}", self.partition));
        }
        self.profiles
            .iter()
            .find(|(_, id)| id == account)
            .map_or(Access::None, |(name, _)| Access::Profile(name.clone()))
    }

    /// Every account of `org` with its access.
    pub fn plan<'a>(&self, org: &'a Organization) -> Vec<(&'a OrgAccount, Access)> {
        org.accounts
            .iter()
            .map(|a| (a, self.access(&a.id)))
            .collect()
    }
}

/// An opened account: its loader, the account (identity only) and the SDK config.
pub type Opened = (Loader, Account, SdkConfig);

/// Opens `account` with `access`; the identity must be that account's.
pub async fn open(
    source: &ProfileSource,
    org_config: &SdkConfig,
    account: &str,
    access: &Access,
    region: Option<&str>,
    limits: super::gateway::Limits,
) -> Result<Opened, AccessError> {
    let opened = match access {
        Access::None => return Err(AccessError::NoAccess(account.to_string())),
        Access::Profile(name) => {
            let config = super::sdk_config(source, Some(name), region).await?;
            connect_config(config, Some(name), limits).await?
        }
        Access::Role(arn) => {
            let config = assumed(org_config, arn, region).await;
            connect_config(config, None, limits)
                .await
                .map_err(|e| as_assume_failure(arn, e))?
        }
    };
    let actual = opened.1.id().to_string();
    if actual != account {
        return Err(AccessError::WrongAccount {
            access: access.to_string(),
            expected: account.to_string(),
            actual,
        });
    }
    Ok(opened)
}

/// An identity failure of an assumed role is the assumption failing: STS's own words
/// (`AccessDenied … sts:AssumeRole on resource …`) without the SDK's wrapping.
fn as_assume_failure(role_arn: &str, error: AccessError) -> AccessError {
    match error {
        AccessError::Identity(reason) if super::errors::is_credentials_failure(&reason) => {
            let message = &reason.message;
            let detail = message
                .find("code: \"")
                .map(|at| sts_words(&message[at..]))
                .unwrap_or_else(|| message.clone());
            AccessError::Assume {
                role_arn: role_arn.to_string(),
                detail,
            }
        }
        other => other,
    }
}

/// `code: "AccessDenied", message: "User: … not authorized …"` → `AccessDenied: User: …`.
fn sts_words(debug: &str) -> String {
    let field = |name: &str| {
        let start = debug.find(&format!("{name}: \""))? + name.len() + 3;
        let end = debug[start..].find('"')? + start;
        Some(debug[start..end].to_string())
    };
    match (field("code"), field("message")) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code,
        _ => debug.to_string(),
    }
}

/// `org_config` signing as `role_arn`, assumed through aws-config's provider (credentials
/// cached and refreshed by it; never seen by crossdock).
async fn assumed(org_config: &SdkConfig, role_arn: &str, region: Option<&str>) -> SdkConfig {
    let provider = aws_config::sts::AssumeRoleProvider::builder(role_arn)
        .session_name(SESSION_NAME)
        .configure(org_config)
        .build()
        .await;
    let mut builder = org_config
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider));
    if let Some(region) = region {
        builder = builder.region(aws_config::Region::new(region.to_string()));
    }
    builder.build()
}

/// A loader and identity for `config`, the gateway under `limits`.
async fn connect_config(
    config: SdkConfig,
    profile: Option<&str>,
    limits: super::gateway::Limits,
) -> Result<Opened, AccessError> {
    let gateway = Gateway::adaptive(&config, limits);
    if let Some(name) = profile {
        gateway.set_profile(name);
    }
    let out = gateway
        .get_caller_identity()
        .await
        .map_err(AccessError::Identity)?;
    let caller_arn = out.arn().unwrap_or_default().to_string();
    let identity = Identity {
        account_id: out.account().unwrap_or_default().to_string(),
        partition: super::config::partition_of(&caller_arn).to_string(),
        caller_arn,
        profile: profile.map(str::to_string),
        region: gateway.region().unwrap_or_default().to_string(),
    };
    gateway.set_account(&identity.account_id);
    let loader = Loader::new(gateway);
    let account = loader.account(identity);
    Ok((loader, account, config))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(role: Option<&str>) -> AccessPlan {
        AccessPlan {
            org_profile: "mgmt".into(),
            org_account: "111111111111".into(),
            partition: "aws".into(),
            role: role.map(str::to_string),
            profiles: vec![("prod-sso".into(), "222222222222".into())],
        }
    }

    #[test]
    fn the_org_account_reads_with_the_org_profile() {
        assert_eq!(
            plan(Some("Read")).access("111111111111"),
            Access::Profile("mgmt".into())
        );
    }

    #[test]
    fn the_role_template_names_each_account() {
        assert_eq!(
            plan(Some("/audit/Read")).access("222222222222").to_string(),
            "arn:aws:iam::222222222222:role/audit/Read"
        );
    }

    #[test]
    fn a_refused_assumption_says_what_sts_said_and_what_to_check() {
        let reason = Unreadable::new(
            "sts:GetCallerIdentity",
            crate::aws::errors::CREDENTIALS_CODE,
            r#"dispatch failure: unhandled error (AccessDenied): Error { code: "AccessDenied", message: "User: x is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::2:role/R", aws_request_id: "1" }"#,
        );
        let error = as_assume_failure("arn:aws:iam::2:role/R", AccessError::Identity(reason));
        let text = error.to_string();
        assert!(
            text.starts_with(
                "cannot assume arn:aws:iam::2:role/R: AccessDenied: User: x is not authorized"
            ),
            "{text}"
        );
        assert!(text.contains("trust the org profile"), "{text}");
    }

    #[test]
    fn without_a_role_profiles_match_by_account() {
        let plan = plan(None);
        assert_eq!(
            plan.access("222222222222"),
            Access::Profile("prod-sso".into())
        );
        assert_eq!(plan.access("333333333333"), Access::None);
        assert!(AccessError::NoAccess("333333333333".into())
            .to_string()
            .contains("--org-role"));
    }
}
