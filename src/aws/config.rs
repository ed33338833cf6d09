//! Building an `SdkConfig` for a profile through the normal `aws-config` chain (SSO,
//! `credential_process`, `role_arn` + `source_profile`/`credential_source`, web identity,
//! static keys; `AWS_ENDPOINT_URL` and `endpoint_url` honoured), and asking who it is.

use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::SharedCredentialsProvider;

use super::errors::{is_credentials_failure, AwsError};
use super::gateway::Gateway;
use super::profiles::{self, ProfileKind, ProfileSource, RoleSource};
use crate::inventory::{Identity, Unreadable};

/// The config for `profile` (`None`: the default chain, `AWS_PROFILE` included), with
/// `region` overriding the profile's. Fails when the profile does not exist or has no region.
///
/// A named profile that holds credentials of its own (SSO, a role, a `credential_process`,
/// keys, web identity) signs with them, whatever `AWS_ACCESS_KEY_ID` says: aws-config's
/// default chain puts the environment first, so the provider is built from the profile alone,
/// as the AWS CLI does. [`credential_source`] says which source that is.
pub async fn sdk_config(
    source: &ProfileSource,
    profile: Option<&str>,
    region: Option<&str>,
) -> Result<SdkConfig, AwsError> {
    let kind = match profile {
        Some(name) => Some(profiles::profile(source, name).await?.kind),
        None => None,
    };
    let http_client = super::http::client();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client.clone())
        .profile_files(source.profile_files());
    if let Some(name) = profile {
        loader = loader.profile_name(name);
    }
    if let Some(region) = region {
        loader = loader.region(Region::new(region.to_string()));
    }
    let config = loader.load().await;
    if config.region().is_none() {
        return Err(AwsError::NoRegion {
            profile: profile.unwrap_or("default").to_string(),
        });
    }
    match (profile, kind) {
        (Some(name), Some(kind)) if kind != ProfileKind::NoCredentials => {
            let provider_config = ProviderConfig::default()
                .with_region(config.region().cloned())
                .with_http_client(http_client);
            let provider = ProfileFileCredentialsProvider::builder()
                .configure(&provider_config)
                .profile_files(source.profile_files())
                .profile_name(name)
                .build();
            Ok(config
                .into_builder()
                .credentials_provider(SharedCredentialsProvider::new(provider))
                .build())
        }
        _ => Ok(config),
    }
}

/// Where `profile`'s credentials come from, in words for the operator: the profile itself
/// (and how), or — for a profile holding none, or no profile — the default chain
/// (environment, container or instance credentials). Never the credentials themselves.
pub fn credential_source(profile: Option<&str>, kind: Option<&ProfileKind>) -> String {
    let name = profile.unwrap_or("default");
    let how = match kind {
        Some(ProfileKind::Sso { .. }) => "IAM Identity Center (SSO)".to_string(),
        Some(ProfileKind::Role { source, .. }) => match source {
            RoleSource::Profile(base) => format!("role_arn via source_profile `{base}`"),
            RoleSource::CredentialSource(from) => format!("role_arn via credential_source {from}"),
            RoleSource::Missing => "role_arn without a source".to_string(),
        },
        Some(ProfileKind::WebIdentity { .. }) => "web identity token".to_string(),
        Some(ProfileKind::CredentialProcess) => "credential_process".to_string(),
        Some(ProfileKind::StaticKeys) => "access keys in the profile".to_string(),
        Some(ProfileKind::NoCredentials) | None => {
            let environment = std::env::var_os("AWS_ACCESS_KEY_ID").is_some();
            return if environment {
                format!("environment variables (profile `{name}` holds no credentials)")
            } else {
                format!("the default chain: container or instance credentials (profile `{name}` holds none)")
            };
        }
    };
    // `credential_source = Environment` assumes its role from the environment's keys.
    let uses_environment = matches!(
        kind,
        Some(ProfileKind::Role { source: RoleSource::CredentialSource(from), .. }) if from == "Environment"
    );
    let ignored = if std::env::var_os("AWS_ACCESS_KEY_ID").is_some() && !uses_environment {
        "; AWS_ACCESS_KEY_ID in the environment is ignored"
    } else {
        ""
    };
    format!("profile `{name}` ({how}{ignored})")
}

/// [`credential_source`] of a profile looked up in `source` (the default chain when it is
/// unknown).
pub async fn describe_credentials(source: &ProfileSource, profile: &str) -> String {
    let kind = profiles::profile(source, profile)
        .await
        .ok()
        .map(|p| p.kind);
    credential_source(Some(profile), kind.as_ref())
}

/// `sts:GetCallerIdentity` as an [`Identity`]; failures say what to do for this profile.
pub async fn identity(
    gateway: &Gateway,
    source: &ProfileSource,
    profile: Option<&str>,
) -> Result<Identity, AwsError> {
    let name = profile.unwrap_or("default").to_string();
    match gateway.get_caller_identity().await {
        Ok(out) => {
            let caller_arn = out.arn().unwrap_or_default().to_string();
            Ok(Identity {
                account_id: out.account().unwrap_or_default().to_string(),
                partition: partition_of(&caller_arn).to_string(),
                caller_arn,
                profile: profile.map(str::to_string),
                region: gateway.region().unwrap_or_default().to_string(),
            })
        }
        Err(reason) => {
            let kind = profiles::profile(source, &name).await.ok().map(|p| p.kind);
            // A role profile on top of an SSO profile is the common setup; its fix is the
            // base profile's login.
            let base = match &kind {
                Some(ProfileKind::Role {
                    source: RoleSource::Profile(base),
                    ..
                }) => profiles::profile(source, base).await.ok().map(|p| p.kind),
                _ => None,
            };
            Err(explain(name, kind.as_ref(), base.as_ref(), reason))
        }
    }
}

pub use crate::policy::arn::partition_of;

/// Turns a failed identity call into advice for the profile's kind (and, for a role
/// profile, the kind of its `source_profile`).
fn explain(
    profile: String,
    kind: Option<&ProfileKind>,
    base_kind: Option<&ProfileKind>,
    reason: Unreadable,
) -> AwsError {
    if !is_credentials_failure(&reason) {
        return AwsError::Identity { profile, reason };
    }
    let detail = format!("{}: {}", reason.code, reason.message);
    let expired = reason.code.starts_with("ExpiredToken");
    let advice = match kind {
        Some(ProfileKind::Sso { .. }) => return AwsError::SsoLogin { profile, detail },
        Some(ProfileKind::Role { role_arn, source }) => match source {
            RoleSource::Profile(base) if matches!(base_kind, Some(ProfileKind::Sso { .. })) => {
                format!("run `aws sso login --profile {base}` (the source_profile of {role_arn}) and try again")
            }
            RoleSource::Profile(base) => format!(
                "check that profile `{base}` has working credentials and may call sts:AssumeRole on {role_arn}"
            ),
            RoleSource::CredentialSource(from) => format!(
                "credential_source = {from} gave no usable credentials to assume {role_arn}"
            ),
            RoleSource::Missing => format!(
                "add `source_profile = …` or `credential_source = …` next to role_arn = {role_arn}"
            ),
        },
        Some(ProfileKind::WebIdentity { role_arn }) => format!(
            "check web_identity_token_file (it must hold a current token) and that {role_arn} trusts it"
        ),
        Some(ProfileKind::CredentialProcess) => {
            // Its message is never echoed: helpers print tokens on stderr.
            return AwsError::CredentialProcess {
                exit: process_exit(&reason.message),
                profile,
            };
        }
        Some(ProfileKind::StaticKeys) if expired => format!(
            "its session credentials expired; write fresh ones into the profile (or make it an SSO profile: `aws configure sso --profile {profile}`, then `aws sso login --profile {profile}`)"
        ),
        Some(ProfileKind::StaticKeys) => format!(
            "the access keys are invalid or expired; replace them with `aws configure --profile {profile}`"
        ),
        Some(ProfileKind::NoCredentials) | None => format!(
            "configure credentials for it: `aws configure sso --profile {profile}`, `aws configure --profile {profile}`, or role_arn + source_profile"
        ),
    };
    AwsError::NoCredentials {
        profile,
        advice,
        detail,
    }
}

/// The exit code in aws-config's "external process exited with code exit status: N".
fn process_exit(message: &str) -> Option<i32> {
    let (_, rest) = message.split_once("exit status: ")?;
    let digits: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::errors::CREDENTIALS_CODE;

    #[test]
    fn sso_profiles_are_told_to_log_in() {
        let reason = Unreadable::new("sts:GetCallerIdentity", CREDENTIALS_CODE, "token expired");
        let err = explain(
            "dev".into(),
            Some(&ProfileKind::Sso { session: None }),
            None,
            reason.clone(),
        );
        assert!(err.to_string().starts_with(
            "profile `dev` has no valid credentials: run `aws sso login --profile dev`"
        ));
        let role = ProfileKind::Role {
            role_arn: "arn:aws:iam::222222222222:role/read".into(),
            source: RoleSource::Profile("sso-base".into()),
        };
        let sso = ProfileKind::Sso { session: None };
        let err = explain("b".into(), Some(&role), Some(&sso), reason.clone());
        assert!(
            err.to_string().contains("aws sso login --profile sso-base"),
            "{err}"
        );
        let err = explain(
            "bare".into(),
            Some(&ProfileKind::NoCredentials),
            None,
            reason,
        );
        assert!(
            err.to_string().contains("aws configure --profile bare"),
            "{err}"
        );
    }

    #[test]
    fn other_failures_keep_their_reason() {
        let reason = Unreadable::new(
            "sts:GetCallerIdentity",
            "NetworkError",
            "connection refused",
        );
        assert!(matches!(
            explain("p".into(), None, None, reason),
            AwsError::Identity { .. }
        ));
        assert_eq!(partition_of("arn:aws-cn:sts::1:assumed-role/r/s"), "aws-cn");
        assert_eq!(partition_of(""), "aws");
    }
}
