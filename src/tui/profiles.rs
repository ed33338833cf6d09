//! The AWS profiles of the shared config files, for the profile picker and for choosing
//! between the demo and real profiles at start.
//!
//! SEAM: this reads only what the picker shows (name, region, kind) with a small INI reader,
//! because `crossdock::aws` (aws-config based) is not in this build yet. Credentials are
//! never read here: resolving and using a profile belongs to `crossdock::aws`, reached
//! through [`super::source::LiveAccounts`]. When `crossdock::aws` exposes its own profile
//! listing, `FileProfiles` (in `source.rs`) should delegate to it and this file can go.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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

/// The shared config file (`AWS_CONFIG_FILE` or `~/.aws/config`).
pub fn config_path() -> Option<PathBuf> {
    std::env::var_os("AWS_CONFIG_FILE")
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".aws").join("config")))
}

/// The shared credentials file (`AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`).
pub fn credentials_path() -> Option<PathBuf> {
    std::env::var_os("AWS_SHARED_CREDENTIALS_FILE")
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".aws").join("credentials")))
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// Whether the environment points at real AWS credentials: a profile in the shared files,
/// or `AWS_PROFILE` / `AWS_ACCESS_KEY_ID` set.
pub fn aws_configured() -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    set("AWS_PROFILE") || set("AWS_ACCESS_KEY_ID") || !list().is_empty()
}

/// Every profile of the two shared files, sorted by name.
pub fn list() -> Vec<ProfileInfo> {
    let read = |path: Option<PathBuf>| {
        path.and_then(|p| std::fs::read_to_string(p).ok())
            .unwrap_or_default()
    };
    merge(&read(config_path()), &read(credentials_path()))
}

/// Merges the text of a config file and a credentials file.
pub fn merge(config: &str, credentials: &str) -> Vec<ProfileInfo> {
    let mut profiles: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (section, keys) in sections(config) {
        let name = match section.strip_prefix("profile ") {
            Some(name) => name.trim().to_string(),
            None if section == "default" => section,
            // `sso-session x`, `services x` and friends are not profiles.
            None => continue,
        };
        profiles.entry(name).or_default().extend(keys);
    }
    for (section, keys) in sections(credentials) {
        profiles.entry(section).or_default().extend(keys);
    }
    profiles
        .into_iter()
        .map(|(name, keys)| {
            let has = |k: &str| keys.contains_key(k);
            let kind = if has("sso_session") || has("sso_start_url") {
                ProfileKind::Sso
            } else if has("role_arn") {
                ProfileKind::Role
            } else if has("credential_process") {
                ProfileKind::Process
            } else if has("aws_access_key_id") {
                ProfileKind::Static
            } else {
                ProfileKind::Other
            };
            ProfileInfo {
                region: keys.get("region").cloned(),
                name,
                kind,
            }
        })
        .collect()
}

/// `[section]` headers and their `key = value` lines; comments and nested lines skipped.
fn sections(text: &str) -> Vec<(String, BTreeMap<String, String>)> {
    let mut out: Vec<(String, BTreeMap<String, String>)> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if let Some(header) = trimmed.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            out.push((header.trim().to_string(), BTreeMap::new()));
            continue;
        }
        // Indented lines continue a nested block (`s3 =` sub-settings).
        if line.starts_with([' ', '\t']) {
            continue;
        }
        if let (Some((key, value)), Some((_, keys))) = (trimmed.split_once('='), out.last_mut()) {
            keys.insert(key.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    out
}

/// A profile's info by name from a list (for `--profile-a` without the picker).
pub fn find<'a>(profiles: &'a [ProfileInfo], name: &str) -> Option<&'a ProfileInfo> {
    profiles.iter().find(|p| p.name == name)
}

/// Whether a path exists and is a file (for `--print-config`).
pub fn exists(path: &Path) -> bool {
    path.is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_regions() {
        let config = "\
[default]
region = ap-northeast-1

[profile dev-sso]
sso_session = corp
sso_account_id = 111111111111
region = us-east-1

[sso-session corp]
sso_start_url = https://example.awsapps.com/start

[profile deployer]
role_arn = arn:aws:iam::222222222222:role/deployer
source_profile = default
s3 =
  max_concurrent_requests = 20

[profile tool]
credential_process = /usr/bin/tool
";
        let credentials =
            "[default]\naws_access_key_id = AKIAEXAMPLE\n\n[ci]\naws_access_key_id = AKIA2\n";
        let profiles = merge(config, credentials);
        let names: Vec<_> = profiles.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["ci", "default", "deployer", "dev-sso", "tool"]);
        let default = find(&profiles, "default").expect("default");
        assert_eq!(default.kind, ProfileKind::Static);
        assert_eq!(default.region.as_deref(), Some("ap-northeast-1"));
        assert_eq!(
            find(&profiles, "dev-sso").expect("sso").kind,
            ProfileKind::Sso
        );
        assert_eq!(
            find(&profiles, "deployer").expect("role").kind,
            ProfileKind::Role
        );
        assert_eq!(
            find(&profiles, "tool").expect("p").kind,
            ProfileKind::Process
        );
        assert!(ProfileKind::Sso
            .login_hint("x")
            .starts_with("aws sso login"));
    }
}
