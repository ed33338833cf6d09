//! The ECR repository an error talks about: from a repository ARN, an image URI
//! (`222222222222.dkr.ecr.ap-northeast-1.amazonaws.com/source-repo:tag`), a registry API
//! URL (`…/v2/<repo>/manifests/<tag>`) or docker's `pull access denied for <repo>`.

use serde::Serialize;

use super::text::Text;
use crate::policy::arn::{is_account_id, Arn};

/// An ECR repository (or docker repository) named by the error text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RepositoryRef {
    /// Repository name, e.g. `source-repo` or `team/app`.
    pub name: Option<String>,
    /// The registry's account, only when the text shows a real 12-digit ID.
    pub registry_account: Option<String>,
    /// The registry's region, only when the text shows a real region name.
    pub region: Option<String>,
    /// Image tag, when the text names one.
    pub tag: Option<String>,
    /// Image digest (`sha256:…`), when the text names one.
    pub digest: Option<String>,
    /// The image reference as the text gives it (registry host, name, tag or digest).
    pub uri: Option<String>,
    /// The repository ARN: quoted from the text, or derived from the image URI.
    pub arn: Option<String>,
    /// True when `arn` was built from the image URI rather than quoted.
    pub arn_derived: bool,
}

/// What [`find`] learnt, and whether a registry account was hidden by a placeholder.
pub(super) struct Found {
    pub repository: Option<RepositoryRef>,
    pub redacted: bool,
}

/// Finds the repository named by the text; `resource_arn` is the sentence's resource.
pub(super) fn find(t: &Text, resource_arn: Option<&str>) -> Found {
    let from_arn = resource_arn.and_then(from_arn);
    // Docker's `pull access denied for X` names the repository but drops the tag; the
    // first ECR host in the text (kubelet's `Failed to pull image "…:tag"`) often keeps it.
    let (docker, docker_redacted) =
        docker_token(t).map_or((None, false), |tok| parse_reference(&tok));
    let (ecr, ecr_redacted) = ecr_token(t).map_or((None, false), |tok| parse_reference(&tok));
    let redacted = docker_redacted || ecr_redacted;
    let from_uri = match (docker, ecr) {
        (Some(mut d), Some(e)) if d.name == e.name => {
            if d.tag.is_none() && d.digest.is_none() {
                d.tag = e.tag;
                d.digest = e.digest;
                d.uri = e.uri;
            }
            Some(d)
        }
        (d, e) => d.or(e),
    };
    let repository = match (from_arn, from_uri) {
        (Some(mut a), Some(u)) => {
            // Tag and digest only belong to the ARN's repository when the names agree.
            if a.name == u.name {
                a.tag = u.tag;
                a.digest = u.digest;
                a.uri = u.uri;
            }
            Some(a)
        }
        (a, u) => a.or(u),
    };
    Found {
        repository,
        redacted,
    }
}

fn from_arn(arn: &str) -> Option<RepositoryRef> {
    let parsed = Arn::parse(arn)?;
    let (kind, name) = parsed.resource_type();
    if parsed.service != "ecr" || kind != "repository" || name.is_empty() {
        return None;
    }
    Some(RepositoryRef {
        name: Some(name.to_string()),
        registry_account: is_account_id(parsed.account).then(|| parsed.account.to_string()),
        region: is_region(parsed.region).then(|| parsed.region.to_string()),
        arn: Some(arn.to_string()),
        ..RepositoryRef::default()
    })
}

/// The repository in docker's `pull access denied for X, …`.
fn docker_token(t: &Text) -> Option<String> {
    let (_, end) = t.find(0, t.len(), "pull access denied for ")?;
    let (token, _) = t.read_token(end, t.len(), &[]);
    (!token.is_empty()).then_some(token)
}

/// The first token holding an ECR registry host.
fn ecr_token(t: &Text) -> Option<String> {
    let (at, _) = t.find(0, t.len(), ".dkr.ecr.")?;
    let mut start = at;
    while start > 0 && is_registry_byte(t.lc[start - 1]) {
        start -= 1;
    }
    let (mut token, _) = t.read_token(start, t.len(), &[]);
    // docker's `The push refers to repository [host/name]` brackets the reference: a `]`
    // after the host closes it, and a `[` with no `]` before the host opens it.
    let host = token.to_ascii_lowercase().find(".dkr.ecr.").unwrap_or(0);
    if let Some(close) = token[host..].find(']') {
        token.truncate(host + close);
        if token.starts_with('[') && !token[..host].contains(']') {
            token.remove(0);
        }
    }
    Some(token)
}

/// Bytes of a registry account as pasted, placeholders included (`[account-id]`, `<ACCID>`,
/// `${ACCOUNT}`, `***`).
fn is_registry_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"*<>[]{}_$-".contains(&b)
}

/// Parses an image reference or registry URL; returns it and whether the account was hidden.
fn parse_reference(token: &str) -> (Option<RepositoryRef>, bool) {
    let token = token
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches([':', '.', ',', ';']);
    // `The push refers to repository [host/name]`: drop the brackets, but keep a bracketed
    // placeholder account (`[account-id].dkr.ecr…`).
    let token = match token.strip_prefix('[') {
        Some(inner) if !inner.split(".dkr.ecr.").next().unwrap_or("").contains(']') => {
            inner.trim_end_matches(']')
        }
        _ => token,
    };
    let lower = token.to_ascii_lowercase();
    let Some(at) = lower.find(".dkr.ecr.") else {
        // A plain docker repository name (`pull access denied for myimage`).
        let name = token.split(['@', ':']).next().unwrap_or("");
        if name.is_empty() {
            return (None, false);
        }
        let repo = RepositoryRef {
            name: Some(name.to_string()),
            uri: Some(token.to_string()),
            ..RepositoryRef::default()
        };
        return (Some(repo), false);
    };
    let account = &token[..at];
    let rest = &token[at + ".dkr.ecr.".len()..];
    let (host_rest, path) = match rest.find('/') {
        Some(slash) => (&rest[..slash], Some(&rest[slash + 1..])),
        None => (rest, None),
    };
    let region = host_rest.split('.').next().unwrap_or("");
    let china = host_rest.ends_with(".amazonaws.com.cn");
    let redacted = !account.is_empty() && !is_account_id(account);
    let mut repo = RepositoryRef {
        registry_account: is_account_id(account).then(|| account.to_string()),
        region: is_region(region).then(|| region.to_string()),
        ..RepositoryRef::default()
    };
    let host = &token[..at + ".dkr.ecr.".len() + host_rest.len()];
    if let Some(path) = path.filter(|p| !p.is_empty()) {
        let (name, reference) = split_path(path);
        if !name.is_empty() {
            repo.name = Some(name.to_string());
        }
        match reference {
            Some(Reference::Tag(tag)) => repo.tag = Some(tag.to_string()),
            Some(Reference::Digest(d)) => repo.digest = Some(d.to_string()),
            None => {}
        }
        let mut uri = format!("{host}/{name}");
        if let Some(tag) = &repo.tag {
            uri = format!("{uri}:{tag}");
        } else if let Some(digest) = &repo.digest {
            uri = format!("{uri}@{digest}");
        }
        repo.uri = Some(uri);
    } else {
        repo.uri = Some(host.to_string());
    }
    if let (Some(account), Some(region), Some(name)) =
        (&repo.registry_account, &repo.region, &repo.name)
    {
        let partition = if china {
            "aws-cn"
        } else if region.starts_with("us-gov-") {
            "aws-us-gov"
        } else {
            "aws"
        };
        repo.arn = Some(format!(
            "arn:{partition}:ecr:{region}:{account}:repository/{name}"
        ));
        repo.arn_derived = true;
    }
    (Some(repo), redacted)
}

enum Reference<'a> {
    Tag(&'a str),
    Digest(&'a str),
}

/// Splits `name[:tag|@digest]`, or the registry API path `v2/<name>/manifests/<ref>`.
fn split_path(path: &str) -> (&str, Option<Reference<'_>>) {
    if let Some(api) = path.strip_prefix("v2/") {
        for marker in ["/manifests/", "/blobs/"] {
            if let Some(pos) = api.find(marker) {
                let reference = &api[pos + marker.len()..];
                let reference = if reference.starts_with("sha256:") {
                    Reference::Digest(reference)
                } else {
                    Reference::Tag(reference)
                };
                return (
                    &api[..pos],
                    Some(reference).filter(|_| !api[pos + marker.len()..].is_empty()),
                );
            }
        }
        return (api.trim_end_matches('/'), None);
    }
    if let Some(pos) = path.find('@') {
        let name = &path[..pos];
        let name = name.split(':').next().unwrap_or(name);
        return (name, Some(Reference::Digest(&path[pos + 1..])));
    }
    let last_slash = path.rfind('/').map_or(0, |p| p + 1);
    match path[last_slash..].find(':') {
        Some(colon) => {
            let colon = last_slash + colon;
            let tag = &path[colon + 1..];
            (
                &path[..colon],
                (!tag.is_empty()).then_some(Reference::Tag(tag)),
            )
        }
        None => (path, None),
    }
}

/// True for a region name such as `ap-northeast-1` or `us-gov-west-1` (not a placeholder).
pub(super) fn is_region(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(token: &str) -> RepositoryRef {
        parse_reference(token).0.unwrap()
    }

    #[test]
    fn image_uri_gives_account_region_name_tag_and_derived_arn() {
        let r = parse("222222222222.dkr.ecr.ap-northeast-1.amazonaws.com/source-repo:tag");
        assert_eq!(r.registry_account.as_deref(), Some("222222222222"));
        assert_eq!(r.region.as_deref(), Some("ap-northeast-1"));
        assert_eq!(r.name.as_deref(), Some("source-repo"));
        assert_eq!(r.tag.as_deref(), Some("tag"));
        assert_eq!(
            r.arn.as_deref(),
            Some("arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo")
        );
        assert!(r.arn_derived);
    }

    #[test]
    fn registry_api_urls_and_digests() {
        let r = parse("https://1234.dkr.ecr.us-west-2.amazonaws.com/v2/team/app/manifests/v1");
        assert_eq!(r.name.as_deref(), Some("team/app"));
        assert_eq!(r.tag.as_deref(), Some("v1"));
        assert_eq!(r.arn, None, "a 4-digit account is not an account");
        let r = parse("111111111111.dkr.ecr.eu-west-1.amazonaws.com/k8s/pause@sha256:abc");
        assert_eq!(r.name.as_deref(), Some("k8s/pause"));
        assert_eq!(r.digest.as_deref(), Some("sha256:abc"));
    }

    #[test]
    fn placeholders_are_redactions_not_accounts() {
        let (r, redacted) =
            parse_reference("[account-id].dkr.ecr.ap-northeast-1.amazonaws.com/fa-084");
        assert!(redacted);
        let r = r.unwrap();
        assert_eq!(r.registry_account, None);
        assert_eq!(r.name.as_deref(), Some("fa-084"));
        assert_eq!(r.arn, None);
        assert!(!is_region("<REGION>"));
        assert!(is_region("us-gov-west-1"));
    }
}
