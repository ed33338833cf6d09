//! The profiles of the shared AWS config and credentials files, as `aws-config` parses them.
//!
//! Only names, regions and the kind of credentials are read; key material never leaves
//! `aws-config` (a static-keys profile is reported as [`ProfileKind::StaticKeys`], nothing more).

use std::borrow::Cow;
use std::future::Future;
use std::path::PathBuf;

#[allow(deprecated)]
use aws_config::profile::profile_file::{ProfileFileKind, ProfileFiles};
use aws_config::profile::Profile;
use aws_types::os_shim_internal::{Env, Fs};

use super::errors::AwsError;

/// Where the shared files are: the defaults (`~/.aws/config`, `~/.aws/credentials`, or
/// `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE` when set), or explicit paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileSource {
    /// An explicit config file instead of the default one.
    pub config_file: Option<PathBuf>,
    /// An explicit credentials file instead of the default one.
    pub credentials_file: Option<PathBuf>,
}

impl ProfileSource {
    /// The default locations, honouring `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE`.
    pub fn from_env() -> Self {
        Self::default()
    }

    /// These two files only.
    pub fn files(config: impl Into<PathBuf>, credentials: impl Into<PathBuf>) -> Self {
        Self {
            config_file: Some(config.into()),
            credentials_file: Some(credentials.into()),
        }
    }

    /// The files in `aws-config`'s terms.
    #[allow(deprecated)]
    pub fn profile_files(&self) -> ProfileFiles {
        let mut builder = ProfileFiles::builder();
        builder = match &self.config_file {
            Some(path) => builder.with_file(ProfileFileKind::Config, path),
            None => builder.include_default_config_file(true),
        };
        builder = match &self.credentials_file {
            Some(path) => builder.with_file(ProfileFileKind::Credentials, path),
            None => builder.include_default_credentials_file(true),
        };
        builder.build()
    }
}

/// How a profile gets its credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileKind {
    /// IAM Identity Center (`sso_session` or legacy `sso_start_url`); needs `aws sso login`.
    Sso {
        /// The `sso_session` section name, for the newer format.
        session: Option<String>,
    },
    /// `role_arn` assumed from another profile or a `credential_source`.
    Role {
        /// The role assumed.
        role_arn: String,
        /// Where the source credentials come from.
        source: RoleSource,
    },
    /// `role_arn` with `web_identity_token_file`.
    WebIdentity {
        /// The role assumed.
        role_arn: String,
    },
    /// `credential_process`: an external command prints the credentials.
    CredentialProcess,
    /// `aws_access_key_id` / `aws_secret_access_key` in the files.
    StaticKeys,
    /// None of the above (e.g. only a region); credentials come from the environment, if anywhere.
    NoCredentials,
}

impl ProfileKind {
    /// A short label for lists: `sso`, `role`, `web-identity`, `process`, `keys`, `none`.
    pub fn label(&self) -> &'static str {
        match self {
            ProfileKind::Sso { .. } => "sso",
            ProfileKind::Role { .. } => "role",
            ProfileKind::WebIdentity { .. } => "web-identity",
            ProfileKind::CredentialProcess => "process",
            ProfileKind::StaticKeys => "keys",
            ProfileKind::NoCredentials => "none",
        }
    }
}

/// The source of a role profile's base credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleSource {
    /// `source_profile = NAME`.
    Profile(String),
    /// `credential_source = Environment | Ec2InstanceMetadata | EcsContainer`.
    CredentialSource(String),
    /// Neither is set; `aws-config` will refuse the profile.
    Missing,
}

/// One profile: name, region and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileInfo {
    /// The profile name (`default` for the default profile).
    pub name: String,
    /// The profile's `region`, if set.
    pub region: Option<String>,
    /// How it gets credentials.
    pub kind: ProfileKind,
}

impl ProfileInfo {
    fn from_profile(profile: &Profile) -> Self {
        Self {
            name: profile.name().to_string(),
            region: profile.get("region").map(str::to_string),
            kind: kind_of(profile),
        }
    }
}

fn kind_of(profile: &Profile) -> ProfileKind {
    let get = |key: &str| profile.get(key).map(str::to_string);
    if let Some(role_arn) = get("role_arn") {
        if get("web_identity_token_file").is_some() {
            return ProfileKind::WebIdentity { role_arn };
        }
        let source = match (get("source_profile"), get("credential_source")) {
            (Some(name), _) => RoleSource::Profile(name),
            (None, Some(source)) => RoleSource::CredentialSource(source),
            (None, None) => RoleSource::Missing,
        };
        return ProfileKind::Role { role_arn, source };
    }
    if get("sso_session").is_some() || get("sso_start_url").is_some() {
        return ProfileKind::Sso {
            session: get("sso_session"),
        };
    }
    if get("credential_process").is_some() {
        return ProfileKind::CredentialProcess;
    }
    if get("aws_access_key_id").is_some() {
        return ProfileKind::StaticKeys;
    }
    ProfileKind::NoCredentials
}

/// Every profile of both files, sorted by name (a profile in both files appears once).
pub async fn list_profiles(source: &ProfileSource) -> Result<Vec<ProfileInfo>, AwsError> {
    list_profiles_in(source, &Env::real()).await
}

/// [`list_profiles`] with `env` standing in for the process environment (where
/// `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE` and `HOME` are looked up), so tests
/// running in parallel need not change the real one.
pub async fn list_profiles_in(
    source: &ProfileSource,
    env: &Env,
) -> Result<Vec<ProfileInfo>, AwsError> {
    let set = load_set(source, env, None).await?;
    let mut profiles: Vec<ProfileInfo> = set
        .profiles()
        .filter_map(|name| set.get_profile(name))
        .map(ProfileInfo::from_profile)
        .collect();
    profiles.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(profiles)
}

/// [`list_profiles_in`] for callers that are not async (the console's picker and its
/// start-up choice between the demo and real profiles), from any thread or runtime.
pub fn list_profiles_blocking(
    source: &ProfileSource,
    env: &Env,
) -> Result<Vec<ProfileInfo>, AwsError> {
    let mut listing = std::pin::pin!(list_profiles_in(source, env));
    // aws-config reads the files with blocking `std::fs` inside its async fn (its TODO,
    // aws-sdk-rust#867), so the future is ready on its first poll.
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    if let std::task::Poll::Ready(result) = listing.as_mut().poll(&mut context) {
        return result;
    }
    // Should aws-config ever read asynchronously: finish on a thread of its own, which
    // works whether or not the caller is inside a tokio runtime.
    std::thread::scope(|scope| {
        scope
            .spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| AwsError::ProfileFiles(e.to_string()))?
                    .block_on(listing)
            })
            .join()
            .unwrap_or_else(|_| Err(AwsError::ProfileFiles("profile listing panicked".into())))
    })
}

/// One profile, or [`AwsError::UnknownProfile`] naming the ones that exist.
pub async fn profile(source: &ProfileSource, name: &str) -> Result<ProfileInfo, AwsError> {
    let profiles = list_profiles(source).await?;
    match profiles.iter().find(|p| p.name == name) {
        Some(found) => Ok(found.clone()),
        None => Err(AwsError::UnknownProfile {
            profile: name.to_string(),
            known: profiles.into_iter().map(|p| p.name).collect(),
        }),
    }
}

/// The account each profile reads, where the files say so: `sso_account_id`, or the account
/// of `role_arn`. Sorted by profile name; profiles that name no account are left out. The
/// organisation commands match member accounts to the user's existing profiles with it.
pub async fn profile_accounts(source: &ProfileSource) -> Result<Vec<(String, String)>, AwsError> {
    let set = load_set(source, &Env::real(), None).await?;
    let mut pairs: Vec<(String, String)> = set
        .profiles()
        .filter_map(|name| set.get_profile(name))
        .filter_map(|profile| {
            let account = profile
                .get("sso_account_id")
                .map(str::to_string)
                .or_else(|| {
                    profile
                        .get("role_arn")
                        .and_then(crate::policy::arn::account_of)
                        .map(str::to_string)
                })?;
            Some((profile.name().to_string(), account))
        })
        .collect();
    pairs.sort();
    Ok(pairs)
}

async fn load_set(
    source: &ProfileSource,
    env: &Env,
    selected: Option<Cow<'static, str>>,
) -> Result<aws_config::profile::ProfileSet, AwsError> {
    aws_config::profile::load(&Fs::real(), env, &source.profile_files(), selected)
        .await
        .map_err(|e| AwsError::ProfileFiles(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &std::path::Path, config: &str, credentials: &str) -> ProfileSource {
        std::fs::create_dir_all(dir).expect("dir");
        std::fs::write(dir.join("config"), config).expect("config");
        std::fs::write(dir.join("credentials"), credentials).expect("credentials");
        ProfileSource::files(dir.join("config"), dir.join("credentials"))
    }

    #[tokio::test]
    async fn lists_every_kind_with_regions() {
        let dir = std::env::temp_dir().join(format!("crossdock-profiles-{}", std::process::id()));
        let source = write(
            &dir,
            "[default]\nregion = us-east-1\n\
             [profile sso-dev]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = ReadOnly\nregion = eu-west-1\n\
             [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\
             [profile legacy-sso]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = r\n\
             [profile prod]\nrole_arn = arn:aws:iam::222222222222:role/reader\nsource_profile = default\nregion = ap-northeast-1\n\
             [profile ec2]\nrole_arn = arn:aws:iam::222222222222:role/reader\ncredential_source = Ec2InstanceMetadata\n\
             [profile ci]\nrole_arn = arn:aws:iam::222222222222:role/ci\nweb_identity_token_file = /tmp/token\n\
             [profile vault]\ncredential_process = vault-aws-creds\n",
            "[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = SECRETEXAMPLE\n\
             [keys-only]\naws_access_key_id = AKIDEXAMPLE2\naws_secret_access_key = SECRETEXAMPLE2\n",
        );
        let profiles = list_profiles(&source).await.expect("profiles");
        let by_name = |n: &str| profiles.iter().find(|p| p.name == n).expect(n).clone();
        assert_eq!(by_name("default").kind, ProfileKind::StaticKeys);
        assert_eq!(by_name("default").region.as_deref(), Some("us-east-1"));
        assert_eq!(
            by_name("sso-dev").kind,
            ProfileKind::Sso {
                session: Some("corp".into())
            }
        );
        assert_eq!(by_name("legacy-sso").kind.label(), "sso");
        assert_eq!(
            by_name("prod").kind,
            ProfileKind::Role {
                role_arn: "arn:aws:iam::222222222222:role/reader".into(),
                source: RoleSource::Profile("default".into())
            }
        );
        assert!(matches!(
            by_name("ec2").kind,
            ProfileKind::Role {
                source: RoleSource::CredentialSource(_),
                ..
            }
        ));
        assert_eq!(by_name("ci").kind.label(), "web-identity");
        assert_eq!(by_name("vault").kind, ProfileKind::CredentialProcess);
        assert_eq!(by_name("keys-only").kind, ProfileKind::StaticKeys);
        // Nothing about keys is kept, not even in Debug output.
        let debug = format!("{profiles:?}");
        assert!(!debug.contains("EXAMPLE"), "{debug}");
        let err = profile(&source, "nope").await.expect_err("unknown");
        assert!(err.to_string().contains("known: ci, default, ec2"), "{err}");
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
