//! The AWS profiles as the console shows them (name, region, kind), for the profile picker
//! and for choosing between the demo and real profiles at start.
//!
//! The profiles come from [`crate::aws::profiles`], i.e. from `aws-config`'s own parsing of
//! the shared files, so the picker lists exactly what the SDK will resolve. Credentials are
//! never read here. Without the `aws` feature there is no live access and the list is empty.

#[cfg(feature = "aws")]
use crate::aws::profiles as aws;

/// How a profile gets its credentials, as shown in the picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProfileKind {
    /// IAM Identity Center (`sso_session` or `sso_start_url`).
    Sso,
    /// Assumes a role (`role_arn` with `source_profile` or `credential_source`).
    Role,
    /// Static keys (`aws_access_key_id`, usually in the credentials file).
    Static,
    /// An external `credential_process`.
    Process,
    /// Only settings such as a region; credentials come from elsewhere.
    Other,
}

impl ProfileKind {
    /// The label shown in the picker.
    pub fn label(self) -> &'static str {
        match self {
            ProfileKind::Sso => "SSO",
            ProfileKind::Role => "role",
            ProfileKind::Static => "static",
            ProfileKind::Process => "process",
            ProfileKind::Other => "other",
        }
    }

    /// The command that refreshes this kind of credentials, for error hints.
    pub fn login_hint(self, profile: &str) -> String {
        match self {
            ProfileKind::Sso => format!("aws sso login --profile {profile}"),
            ProfileKind::Static => format!("aws configure --profile {profile}"),
            ProfileKind::Role => format!(
                "aws sts get-caller-identity --profile {profile}   # check its source_profile's credentials"
            ),
            ProfileKind::Process => format!(
                "aws configure get credential_process --profile {profile}   # then run it by hand"
            ),
            ProfileKind::Other => format!("aws configure --profile {profile}"),
        }
    }
}

/// One profile of the shared config files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileInfo {
    /// The profile name (`default` included).
    pub name: String,
    /// Its `region`, if set.
    pub region: Option<String>,
    /// How it gets credentials.
    pub kind: ProfileKind,
}

#[cfg(feature = "aws")]
impl From<&aws::ProfileKind> for ProfileKind {
    fn from(kind: &aws::ProfileKind) -> Self {
        match kind {
            aws::ProfileKind::Sso { .. } => ProfileKind::Sso,
            aws::ProfileKind::Role { .. } | aws::ProfileKind::WebIdentity { .. } => {
                ProfileKind::Role
            }
            aws::ProfileKind::CredentialProcess => ProfileKind::Process,
            aws::ProfileKind::StaticKeys => ProfileKind::Static,
            aws::ProfileKind::NoCredentials => ProfileKind::Other,
        }
    }
}

#[cfg(feature = "aws")]
impl From<aws::ProfileInfo> for ProfileInfo {
    fn from(profile: aws::ProfileInfo) -> Self {
        ProfileInfo {
            kind: ProfileKind::from(&profile.kind),
            name: profile.name,
            region: profile.region,
        }
    }
}

/// Whether the environment points at real AWS credentials: a profile in the shared files,
/// or `AWS_PROFILE` / `AWS_ACCESS_KEY_ID` set.
pub fn aws_configured() -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    set("AWS_PROFILE") || set("AWS_ACCESS_KEY_ID") || !list().is_empty()
}

/// Every profile of the shared files (`AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`,
/// else `~/.aws/`), sorted by name; empty when they cannot be parsed (the reason is logged;
/// [`try_list`] returns it).
pub fn list() -> Vec<ProfileInfo> {
    try_list().unwrap_or_else(|error| {
        tracing::warn!(%error, "cannot list AWS profiles");
        Vec::new()
    })
}

/// Every profile of the shared files, or why `aws-config` could not read them.
#[cfg(feature = "aws")]
pub fn try_list() -> Result<Vec<ProfileInfo>, crate::aws::AwsError> {
    list_in(&aws_types::os_shim_internal::Env::real())
}

/// Built without the `aws` feature: no live access, so no profiles.
#[cfg(not(feature = "aws"))]
pub fn try_list() -> Result<Vec<ProfileInfo>, std::convert::Infallible> {
    Ok(Vec::new())
}

/// [`try_list`] with `env` standing in for the process environment (tests).
#[cfg(feature = "aws")]
pub fn list_in(
    env: &aws_types::os_shim_internal::Env,
) -> Result<Vec<ProfileInfo>, crate::aws::AwsError> {
    let profiles = aws::list_profiles_blocking(&aws::ProfileSource::from_env(), env)?;
    Ok(profiles.into_iter().map(ProfileInfo::from).collect())
}

/// A profile's info by name from a list (for `--profile-a` without the picker).
pub fn find<'a>(profiles: &'a [ProfileInfo], name: &str) -> Option<&'a ProfileInfo> {
    profiles.iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_labels_and_hints() {
        assert_eq!(ProfileKind::Sso.label(), "SSO");
        assert!(ProfileKind::Sso
            .login_hint("x")
            .starts_with("aws sso login"));
        let profiles = [ProfileInfo {
            name: "dev".into(),
            region: None,
            kind: ProfileKind::Other,
        }];
        assert!(find(&profiles, "dev").is_some());
        assert!(find(&profiles, "prod").is_none());
    }
}
