//! The ARNs and image references the inventory builds and looks up. Parsing ARNs is
//! `crate::policy::arn`'s job; this adds the inventory-specific names and builders.

pub use crate::policy::arn::{account_of, is_account_id, repository_arn, Arn};

/// The role name behind a session ARN `arn:aws:sts::A:assumed-role/ROLE/SESSION`.
pub fn session_role_name(arn: &str) -> Option<&str> {
    let parts = Arn::parse(arn)?;
    if parts.service != "sts" {
        return None;
    }
    let rest = parts.resource.strip_prefix("assumed-role/")?;
    let (role, session) = rest.split_once('/')?;
    (!role.is_empty() && !session.is_empty()).then_some(role)
}

/// The role name of an IAM role ARN `arn:aws:iam::A:role/PATH/NAME` (the last path segment).
pub fn role_name(arn: &str) -> Option<&str> {
    let parts = Arn::parse(arn)?;
    if parts.service != "iam" {
        return None;
    }
    let path_and_name = parts.resource.strip_prefix("role/")?;
    path_and_name.rsplit('/').next().filter(|n| !n.is_empty())
}

/// The user name of an IAM user ARN `arn:aws:iam::A:user/PATH/NAME` (the last path segment).
pub fn user_name(arn: &str) -> Option<&str> {
    let parts = Arn::parse(arn)?;
    if parts.service != "iam" {
        return None;
    }
    let path_and_name = parts.resource.strip_prefix("user/")?;
    path_and_name.rsplit('/').next().filter(|n| !n.is_empty())
}

/// The ARN of an IAM role given its path (`/` or `/a/b/`) and name.
pub fn role_arn(partition: &str, account: &str, path: &str, name: &str) -> String {
    let path = normalize_path(path);
    format!("arn:{partition}:iam::{account}:role{path}{name}")
}

/// The ARN of a pipeline: CodePipeline ARNs have no resource type segment.
pub fn pipeline_arn(partition: &str, region: &str, account: &str, name: &str) -> String {
    format!("arn:{partition}:codepipeline:{region}:{account}:{name}")
}

/// The URI of an ECR repository (`A.dkr.ecr.REGION.amazonaws.com/NAME`).
pub fn repository_uri(region: &str, account: &str, name: &str) -> String {
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("{account}.dkr.ecr.{region}.{suffix}/{name}")
}

/// An image reference split into repository URI, tag and digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// The registry account (from the host name).
    pub account: &'a str,
    /// The region (from the host name).
    pub region: &'a str,
    /// The repository name (may contain `/`).
    pub repository: &'a str,
    /// The tag after `:`, if any.
    pub tag: Option<&'a str>,
    /// The digest after `@`, if any.
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    /// Parses `A.dkr.ecr.REGION.amazonaws.com/NAME[:TAG][@DIGEST]`; `None` for non-ECR references.
    pub fn parse(reference: &'a str) -> Option<Self> {
        let (host, path) = reference.split_once('/')?;
        let mut host_parts = host.split('.');
        let account = host_parts.next()?;
        if !is_account_id(account)
            || host_parts.next()? != "dkr"
            || !host_parts.next()?.starts_with("ecr")
        {
            return None;
        }
        let region = host_parts.next()?;
        let (path, digest) = match path.split_once('@') {
            Some((path, digest)) => (path, Some(digest)),
            None => (path, None),
        };
        // A tag follows the last `:` after the last `/` (repository names never contain `:`).
        let last_segment_start = path.rfind('/').map_or(0, |i| i + 1);
        let (repository, tag) = match path[last_segment_start..].rfind(':') {
            Some(i) => (
                &path[..last_segment_start + i],
                Some(&path[last_segment_start + i + 1..]),
            ),
            None => (path, None),
        };
        if repository.is_empty() || region.is_empty() {
            return None;
        }
        Some(Self {
            account,
            region,
            repository,
            tag,
            digest,
        })
    }

    /// The repository URI without tag or digest.
    pub fn repository_uri(&self) -> String {
        repository_uri(self.region, self.account, self.repository)
    }
}

/// IAM paths always start and end with `/`; tolerate callers that omit either.
fn normalize_path(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        "/".to_string()
    } else {
        format!("/{trimmed}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_finds_account() {
        let arn = "arn:aws:ecr:ap-northeast-1:222222222222:repository/team/app";
        let parts = Arn::parse(arn).expect("arn");
        assert_eq!(parts.resource, "repository/team/app");
        assert_eq!(account_of(arn), Some("222222222222"));
        assert_eq!(account_of("arn:aws:s3:::bucket"), None);
        assert_eq!(account_of("arn:aws:iam::aws:policy/ReadOnlyAccess"), None);
        assert_eq!(Arn::parse("not-an-arn"), None);
        assert_eq!(Arn::parse("arn:aws"), None);
    }

    #[test]
    fn session_and_role_names() {
        assert_eq!(
            session_role_name(
                "arn:aws:sts::111111111111:assumed-role/codebuild-service-role/AWSCodeBuild-1"
            ),
            Some("codebuild-service-role")
        );
        assert_eq!(
            session_role_name("arn:aws:sts::111111111111:assumed-role/x"),
            None
        );
        assert_eq!(
            role_name("arn:aws:iam::111111111111:role/ci/deploy"),
            Some("deploy")
        );
        assert_eq!(role_name("arn:aws:iam::111111111111:user/bob"), None);
        assert_eq!(
            role_arn("aws", "111111111111", "ci", "deploy"),
            "arn:aws:iam::111111111111:role/ci/deploy"
        );
        assert_eq!(
            role_arn("aws", "111111111111", "/", "deploy"),
            "arn:aws:iam::111111111111:role/deploy"
        );
    }

    #[test]
    fn image_references() {
        let r =
            ImageRef::parse("222222222222.dkr.ecr.ap-northeast-1.amazonaws.com/base/python:3.12")
                .expect("ref");
        assert_eq!(
            (r.account, r.region, r.repository, r.tag),
            (
                "222222222222",
                "ap-northeast-1",
                "base/python",
                Some("3.12")
            )
        );
        let r = ImageRef::parse("222222222222.dkr.ecr.ap-northeast-1.amazonaws.com/app@sha256:abc")
            .expect("ref");
        assert_eq!(
            (r.repository, r.tag, r.digest),
            ("app", None, Some("sha256:abc"))
        );
        assert_eq!(
            r.repository_uri(),
            "222222222222.dkr.ecr.ap-northeast-1.amazonaws.com/app"
        );
        assert_eq!(ImageRef::parse("docker.io/library/nginx:latest"), None);
        assert_eq!(ImageRef::parse("aws/codebuild/standard:7.0"), None);
    }
}
