//! Parser of pasted AWS authorization error texts.
//!
//! [`parse`] takes whatever an SRE pasted — a docker push log, an ECS stopped reason, a
//! CodeBuild phase message, a kubelet event, a terraform diagnostic, an SDK exception — and
//! pulls out the IAM sentence inside it:
//!
//! `User: <principal> is not authorized to perform: <action> [on resource: <resource>]
//! [because no <type> policy allows the <action> action | with an explicit deny in a <type>
//! policy[: <policy ARN>]]`
//!
//! plus what the wrappers around it tell (error code, operation, image URI, request ID).
//! A field the text does not contain stays `None`: the parser never fills one in by guessing
//! (the one derived value, a repository ARN built from an image URI, is flagged as such).
//!
//! Decision on texts with no IAM sentence: a recognisable denial that still names an
//! operation, an error code with an SDK or CLI tail, or an image (`An error occurred
//! (AccessDenied) when calling the GetObject operation: Access Denied`, ECS `403
//! Forbidden`, docker `pull access denied for …`, `no basic auth credentials`) is accepted
//! with [`Symptom`] saying what kind of failure it is and `reason_kind = unspecified`, so
//! the diagnosis can fall back to CloudTrail and policy evaluation. A bare `Access Denied`
//! with nothing around it, encoded authorization messages, authentication failures and
//! anything else are rejected with an [`UnrecognisedError`] that says what to paste instead.
//!
//! Pure: no IO. Never panics, whatever the input (fuzzed by `fuzz/fuzz_targets/error_text.rs`).

mod image;
mod text;

use serde::Serialize;

pub use image::RepositoryRef;
use text::Text;

use crate::policy::arn::{is_account_id, Arn};

/// Why AWS refused, as the message's reason clause says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonKind {
    /// `because no identity-based policy allows …`
    NoIdentityPolicy,
    /// `because no resource-based policy allows …`
    NoResourcePolicy,
    /// `with an explicit deny in an identity-based policy`
    ExplicitDenyIdentity,
    /// `with an explicit deny in a resource-based policy`
    ExplicitDenyResource,
    /// `because no permissions boundary allows …`
    NoPermissionsBoundary,
    /// `with an explicit deny in a permissions boundary`
    ExplicitDenyPermissionsBoundary,
    /// `because no session policy allows …`
    NoSessionPolicy,
    /// `with an explicit deny in a session policy`
    ExplicitDenySessionPolicy,
    /// `with an explicit deny in a service control policy` (AWS says "explicit" for SCPs
    /// even when the denial is implicit).
    ExplicitDenyScp,
    /// `because no service control policy allows …`
    NoScp,
    /// `because no VPC endpoint policy allows …`
    VpcEndpoint,
    /// `with an explicit deny in a VPC endpoint policy`
    ExplicitDenyVpcEndpoint,
    /// A resource control policy (RCP), implicit or explicit.
    Rcp,
    /// A role trust policy, implicit or explicit.
    RoleTrust,
    /// `with an explicit deny` with no policy type (older CLI output).
    ExplicitDenyUnspecified,
    /// The KMS ciphertext form: the key does not exist, no key policy allows, or one denies.
    KmsCiphertext,
    /// No reason given: the legacy form, or a denial with no IAM sentence.
    Unspecified,
}

/// The outermost tool that wrapped the AWS message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Wrapper {
    /// Docker daemon or CLI (`denied: …`, `pull access denied for …`).
    Docker,
    /// ECS (`CannotPullContainerError`, `ResourceInitializationError`).
    Ecs,
    /// CodeBuild (`BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE`).
    Codebuild,
    /// kubelet (`Failed to pull image …: rpc error: …`).
    Kubelet,
    /// AWS CLI or botocore (`An error occurred (X) when calling the Y operation:`).
    AwsCli,
    /// AWS SDK for Go (`status code: 403, request id: …`, `https response error StatusCode`).
    SdkGo,
    /// AWS SDK for Java (`(Service: X; Status Code: N; Error Code: Y; Request ID: Z)`).
    SdkJava,
    /// Terraform (`│` box-drawing prefixes).
    Terraform,
    /// The bare AWS message.
    None,
}

impl Wrapper {
    /// The kebab-case name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            Wrapper::Docker => "docker",
            Wrapper::Ecs => "ecs",
            Wrapper::Codebuild => "codebuild",
            Wrapper::Kubelet => "kubelet",
            Wrapper::AwsCli => "aws-cli",
            Wrapper::SdkGo => "sdk-go",
            Wrapper::SdkJava => "sdk-java",
            Wrapper::Terraform => "terraform",
            Wrapper::None => "plain",
        }
    }
}

/// Which `explain` question the error maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Question {
    /// Pulling an image (`BatchGetImage`, `GetDownloadUrlForLayer`, `BatchCheckLayerAvailability`).
    Pull,
    /// Pushing an image (`PutImage`, `InitiateLayerUpload`, `UploadLayerPart`, `CompleteLayerUpload`).
    Push,
    /// `ecr:GetAuthorizationToken`, the prerequisite of both.
    AuthToken,
    /// `sts:AssumeRole`.
    Assume,
    /// Any `kms:` action.
    Kms,
    /// Anything else.
    Other,
}

/// What kind of failure the text shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Symptom {
    /// The IAM sentence `… is not authorized to perform …`.
    NotAuthorized,
    /// A denial with no IAM sentence (`Access Denied`, `403 Forbidden`, docker `denied`).
    AccessDenied,
    /// The client sent no registry credentials (`no basic auth credentials`, `401 Unauthorized`).
    NoCredentials,
    /// The ECR login token expired (`Your authorization token has expired`).
    TokenExpired,
}

/// The fields found in a pasted authorization error. Absent means "the text does not say".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedError {
    /// The denied principal's ARN (`arn:aws:sts::A:assumed-role/R/S`), as written.
    pub principal_arn: Option<String>,
    /// The principal as written when it is not an ARN (a placeholder such as `<USER>`).
    pub principal_text: Option<String>,
    /// The denied action, e.g. `ecr:BatchGetImage`, as written (case kept).
    pub action: Option<String>,
    /// The resource ARN, or `*`.
    pub resource_arn: Option<String>,
    /// The resource as written when it is not an ARN (`role XPTO`, `my-bucket`).
    pub resource_text: Option<String>,
    /// Why access was denied.
    pub reason_kind: ReasonKind,
    /// The reason clause as written, whitespace collapsed.
    pub reason_text: Option<String>,
    /// The denying policy's ARN (the 2025 suffix), when given.
    pub policy_arn: Option<String>,
    /// What kind of failure this is.
    pub symptom: Symptom,
    /// The outermost wrapper.
    pub wrapper: Wrapper,
    /// Every wrapper seen, outermost first.
    pub wrappers: Vec<Wrapper>,
    /// AWS error code (`AccessDenied`, `AccessDeniedException`, …).
    pub error_code: Option<String>,
    /// API operation named by the CLI or SDK (`GetAuthorizationToken`).
    pub operation: Option<String>,
    /// HTTP status code, when given.
    pub status_code: Option<u16>,
    /// AWS request ID, when given (to find the call in CloudTrail).
    pub request_id: Option<String>,
    /// The repository the error is about, from the resource ARN or an image reference.
    pub repository: Option<RepositoryRef>,
    /// True when a placeholder (`***`, `<ACCID>`, `XXXX`, `[account-id]`) hides an account.
    pub account_redacted: bool,
    /// The `explain` question this maps to.
    pub question: Question,
}

/// Why a text was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RejectKind {
    /// Nothing but whitespace.
    Empty,
    /// No IAM sentence, no denial code, no image-pull failure.
    NoDenial,
    /// A denial with nothing to explain it by (a bare `Access Denied`).
    NoDetail,
    /// An encoded authorization failure message.
    Encoded,
    /// Bad or expired credentials: authentication, not authorization.
    Authentication,
}

/// The text is not an authorization error the parser recognises.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("not an authorization error I recognise ({}); hint: {hint}", kind.describe())]
pub struct UnrecognisedError {
    /// What was missing.
    pub kind: RejectKind,
    /// What to paste instead.
    pub hint: &'static str,
}

impl RejectKind {
    fn describe(self) -> &'static str {
        match self {
            RejectKind::Empty => "the text is empty",
            RejectKind::NoDenial => "no `is not authorized to perform` sentence, access-denied code or image-pull failure in it",
            RejectKind::NoDetail => "it says access was denied but names no principal, action, operation or image",
            RejectKind::Encoded => "the AWS message is encoded",
            RejectKind::Authentication => "it is an authentication failure (bad or expired credentials), not a denial by a policy",
        }
    }

    fn hint(self) -> &'static str {
        match self {
            RejectKind::Empty | RejectKind::NoDenial => {
                "paste the whole line that contains `is not authorized to perform` (or the full command output around the failure)"
            }
            RejectKind::NoDetail => {
                "paste the full command output including `An error occurred (…) when calling the … operation`; cross-account S3 denials carry no detail, so look the request up in CloudTrail"
            }
            RejectKind::Encoded => {
                "decode it with `aws sts decode-authorization-message --encoded-message …` and paste the principal, action and resource it shows"
            }
            RejectKind::Authentication => {
                "check the credentials in use (`aws sts get-caller-identity`) and that AWS_SESSION_TOKEN is set for temporary keys"
            }
        }
    }
}

fn reject(kind: RejectKind) -> UnrecognisedError {
    UnrecognisedError {
        kind,
        hint: kind.hint(),
    }
}

impl ReasonKind {
    /// The kebab-case name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonKind::NoIdentityPolicy => "no-identity-policy",
            ReasonKind::NoResourcePolicy => "no-resource-policy",
            ReasonKind::ExplicitDenyIdentity => "explicit-deny-identity",
            ReasonKind::ExplicitDenyResource => "explicit-deny-resource",
            ReasonKind::NoPermissionsBoundary => "no-permissions-boundary",
            ReasonKind::ExplicitDenyPermissionsBoundary => "explicit-deny-permissions-boundary",
            ReasonKind::NoSessionPolicy => "no-session-policy",
            ReasonKind::ExplicitDenySessionPolicy => "explicit-deny-session-policy",
            ReasonKind::ExplicitDenyScp => "explicit-deny-scp",
            ReasonKind::NoScp => "no-scp",
            ReasonKind::VpcEndpoint => "vpc-endpoint",
            ReasonKind::ExplicitDenyVpcEndpoint => "explicit-deny-vpc-endpoint",
            ReasonKind::Rcp => "rcp",
            ReasonKind::RoleTrust => "role-trust",
            ReasonKind::ExplicitDenyUnspecified => "explicit-deny-unspecified",
            ReasonKind::KmsCiphertext => "kms-ciphertext",
            ReasonKind::Unspecified => "unspecified",
        }
    }
}

impl Question {
    /// The kebab-case name used in JSON output and by `explain`.
    pub fn as_str(self) -> &'static str {
        match self {
            Question::Pull => "pull",
            Question::Push => "push",
            Question::AuthToken => "auth-token",
            Question::Assume => "assume",
            Question::Kms => "kms",
            Question::Other => "other",
        }
    }
}

/// Phrases that may follow the action (the grammar's next clause).
const AFTER_ACTION: [&str; 6] = [
    "on resource",
    "on the resource",
    "because no",
    "because the resource",
    "with an explicit deny",
    "due to an explicit deny",
];

/// Phrases that may follow the resource.
const AFTER_RESOURCE: [&str; 4] = [
    "because no",
    "because the resource",
    "with an explicit deny",
    "due to an explicit deny",
];

/// Parses a pasted error text. See the module documentation for what is accepted.
pub fn parse(text: &str) -> Result<ParsedError, UnrecognisedError> {
    let t = Text::new(text);
    if t.s.trim().is_empty() {
        return Err(reject(RejectKind::Empty));
    }
    let wrappers = detect_wrappers(&t);
    let mut p = ParsedError {
        principal_arn: None,
        principal_text: None,
        action: None,
        resource_arn: None,
        resource_text: None,
        reason_kind: ReasonKind::Unspecified,
        reason_text: None,
        policy_arn: None,
        symptom: Symptom::AccessDenied,
        wrapper: wrappers.first().copied().unwrap_or(Wrapper::None),
        wrappers,
        error_code: None,
        operation: None,
        status_code: None,
        request_id: None,
        repository: None,
        account_redacted: false,
        question: Question::Other,
    };
    let sentence = parse_sentence(&t, &mut p);
    extract_meta(&t, &mut p, sentence);

    let found = image::find(&t, p.resource_arn.as_deref());
    p.repository = found.repository;
    p.account_redacted = found.redacted
        || [&p.principal_arn, &p.resource_arn, &p.policy_arn]
            .into_iter()
            .flatten()
            .any(|arn| arn_account_hidden(arn));

    p.symptom = classify(&t, &p, sentence)?;
    p.question = question(&t, &p);
    Ok(p)
}

/// Decides the symptom, or rejects the text.
fn classify(
    t: &Text,
    p: &ParsedError,
    sentence: Option<usize>,
) -> Result<Symptom, UnrecognisedError> {
    if sentence.is_some()
        && (p.principal_arn.is_some() || p.principal_text.is_some() || p.action.is_some())
    {
        return Ok(Symptom::NotAuthorized);
    }
    if t.contains("encoded authorization failure message") {
        return Err(reject(RejectKind::Encoded));
    }
    if t.contains("authorization token has expired") {
        return Ok(Symptom::TokenExpired);
    }
    let ecr_context = p.repository.is_some() || t.contains("ecr");
    if ecr_context && (t.contains("no basic auth credentials") || t.contains("401 unauthorized")) {
        return Ok(Symptom::NoCredentials);
    }
    let pull_wrapper = p.wrappers.iter().any(|w| {
        matches!(
            w,
            Wrapper::Docker | Wrapper::Ecs | Wrapper::Codebuild | Wrapper::Kubelet
        )
    });
    let ecr_denial = (t.contains("403 forbidden")
        || t.contains("requested access to the resource is denied")
        || t.find_word("denied:"))
        && (t.contains(".dkr.ecr.") || t.contains("ecr"));
    if t.contains("pull access denied for")
        || (ecr_denial && (p.repository.is_some() || pull_wrapper))
    {
        return Ok(Symptom::AccessDenied);
    }
    let denial_code = p.error_code.as_deref().is_some_and(|c| {
        let c = c.to_ascii_lowercase();
        c.contains("accessdenied") || c.contains("forbidden") || c.contains("unauthorizedoperation")
    });
    if denial_code && (p.operation.is_some() || p.status_code.is_some() || p.request_id.is_some()) {
        return Ok(Symptom::AccessDenied);
    }
    if t.contains("security token included in the request is invalid")
        || t.contains("unrecognizedclientexception")
        || t.contains("expiredtoken")
        || t.contains("invalidclienttokenid")
    {
        return Err(reject(RejectKind::Authentication));
    }
    if denial_code || t.contains("access denied") || t.contains("accessdenied") {
        return Err(reject(RejectKind::NoDetail));
    }
    Err(reject(RejectKind::NoDenial))
}

/// Finds and parses the IAM sentence; fills principal, action, resource, reason, policy ARN.
/// Returns the byte offset where the principal (or the anchor) starts.
fn parse_sentence(t: &Text, p: &mut ParsedError) -> Option<usize> {
    // The first sentence that names a principal or an action wins; earlier prose such as
    // `You are not authorized to perform this operation.` is skipped.
    let mut from = 0;
    let mut first = None;
    for _ in 0..16 {
        let (anchor, anchor_end) = t.find(from, t.len(), "not authorized to perform")?;
        let mut candidate = blank_like(p);
        let start = parse_anchor(t, anchor, anchor_end, &mut candidate);
        first.get_or_insert(start);
        if candidate.principal_arn.is_some()
            || candidate.principal_text.is_some()
            || candidate.action.is_some()
        {
            adopt(p, candidate);
            return Some(start);
        }
        from = anchor_end;
    }
    first
}

/// A copy of `p` with the sentence fields cleared.
fn blank_like(p: &ParsedError) -> ParsedError {
    ParsedError {
        repository: None,
        wrappers: Vec::new(),
        ..p.clone()
    }
}

/// Moves the sentence fields of `from` into `p`.
fn adopt(p: &mut ParsedError, from: ParsedError) {
    p.principal_arn = from.principal_arn;
    p.principal_text = from.principal_text;
    p.action = from.action;
    p.resource_arn = from.resource_arn;
    p.resource_text = from.resource_text;
    p.reason_kind = from.reason_kind;
    p.reason_text = from.reason_text;
    p.policy_arn = from.policy_arn;
}

/// Parses the sentence around one anchor; returns where it starts.
fn parse_anchor(t: &Text, anchor: usize, anchor_end: usize, p: &mut ParsedError) -> usize {
    // `is` before the anchor, possibly glued to the principal (`…abcd1234is not`).
    let mut principal_end = anchor;
    let before = skip_ws_back(t, anchor);
    if before >= 2 && t.lc.get(before - 2..before) == Some(b"is") {
        principal_end = before - 2;
    }
    let sentence_start = parse_principal(t, principal_end, p).unwrap_or(anchor);

    // The action: `perform: ecr:X`, `perform:ecr:X`, `perform ecr:X`.
    let mut pos = t.skip_ws(anchor_end);
    pos = t.skip_bytes(pos, b":");
    pos = t.skip_ws(pos);
    let limit = t.find_first_of(pos, &AFTER_ACTION).unwrap_or(t.len());
    let (token, end) = t.read_token(pos, limit, &AFTER_ACTION);
    let action = token.trim_end_matches(['.', ',', ':']);
    if is_action(action) {
        p.action = Some(action.to_string());
    }
    // Step over placeholders (`<AWS_SERVICES:ACTION>`) too, so the resource is still read.
    if !token.is_empty() {
        pos = end;
    }

    // The resource.
    pos = t.skip_ws(pos);
    if let Some(end) = t.match_at(pos, "on the resource associated with this ciphertext") {
        pos = end;
    } else if let Some(end) = t
        .match_at(pos, "on resources")
        .or_else(|| t.match_at(pos, "on resource"))
    {
        pos = t.skip_ws(t.skip_bytes(t.skip_ws(end), b":"));
        pos = parse_resource(t, pos, p);
    }

    parse_reason(t, pos, p);
    sentence_start
}

fn skip_ws_back(t: &Text, mut pos: usize) -> usize {
    while pos > 0 && matches!(t.lc[pos - 1], b' ' | b'\n') {
        pos -= 1;
    }
    pos
}

/// Reads the principal that ends at `end`: after the nearest `User:` before it, or else the
/// ARN token right before it. Returns where the sentence starts.
fn parse_principal(t: &Text, end: usize, p: &mut ParsedError) -> Option<usize> {
    let window = end.saturating_sub(2048);
    let user = t.lc.get(window..end).and_then(|w| {
        w.windows(5)
            .rposition(|x| x == b"user:")
            .map(|i| window + i)
    });
    let (start, raw) = match user {
        Some(u) if !t.slice(u, end).contains("\n\n") => (u, t.joined(u + 5, end)),
        _ => {
            // `User arn:aws:…` or a bare ARN: the token right before the anchor.
            let stop = skip_ws_back(t, end);
            let mut a = stop;
            while a > 0 && !text::is_token_end(t.lc[a - 1]) {
                a -= 1;
            }
            let token = t.slice(a, stop);
            if !token.to_ascii_lowercase().starts_with("arn:") {
                return None;
            }
            (a, token.to_string())
        }
    };
    let cleaned = raw.trim().trim_matches(['`', '"', '\'']).trim();
    if cleaned.is_empty() {
        return None;
    }
    // Same-line words: a placeholder (`<USER>`) is kept; a long run means we grabbed noise
    // and only its last token can be the principal.
    let principal = if cleaned.contains(' ') && cleaned.len() > 80 {
        cleaned.rsplit(' ').next().unwrap_or(cleaned)
    } else {
        cleaned
    };
    if principal.to_ascii_lowercase().starts_with("arn:") {
        p.principal_arn = Some(principal.to_string());
    } else {
        p.principal_text = Some(principal.to_string());
    }
    Some(start)
}

/// True for `service:Action` (wildcards allowed), not for placeholders or prose.
fn is_action(s: &str) -> bool {
    let Some((service, name)) = s.split_once(':') else {
        return false;
    };
    !service.is_empty()
        && !name.is_empty()
        && service
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'*' || b == b'_' || b == b'-')
}

/// Reads the resource at `pos`; returns the position after it.
fn parse_resource(t: &Text, mut pos: usize, p: &mut ParsedError) -> usize {
    let quoted = matches!(t.lc.get(pos), Some(b'"' | b'\'' | b'`'));
    if quoted {
        pos += 1;
    }
    let limit = t.find_first_of(pos, &AFTER_RESOURCE).unwrap_or(t.len());
    let (token, mut end) = t.read_token(pos, limit, &AFTER_RESOURCE);
    let mut resource = token.trim_end_matches(['.', ',']).to_string();
    let is_arn = resource.to_ascii_lowercase().starts_with("arn:");
    if !is_arn && resource != "*" {
        // A resource in words (`role XPTO`): take the rest of the line up to the reason.
        let line_end =
            t.s.get(pos..)
                .and_then(|r| r.find('\n'))
                .map_or(t.len(), |i| pos + i);
        if limit <= line_end && limit - pos <= 80 {
            let words = t.slice(pos, limit).trim();
            if !words.is_empty() && !words.contains(['"', '(', ')', ';']) {
                resource = words.to_string();
                end = limit;
            }
        }
    }
    if resource.is_empty() {
        return pos;
    }
    if is_arn || resource == "*" {
        p.resource_arn = Some(resource);
    } else {
        p.resource_text = Some(resource);
    }
    t.skip_bytes(end, b"\"'`")
}

/// Reads the reason clause at `pos`, if there is one.
fn parse_reason(t: &Text, pos: usize, p: &mut ParsedError) {
    let start = t.skip_ws(t.skip_bytes(t.skip_ws(pos), b"\"'`."));
    let clause_end;
    if let Some(end) = t.match_at(start, "because the resource does not exist") {
        p.reason_kind = ReasonKind::KmsCiphertext;
        let stop = t
            .find(end, (end + 200).min(t.len()), "explicitly denies access")
            .map_or(end, |(_, e)| e);
        clause_end = stop;
    } else if let Some(end) = t.match_at(start, "because no ") {
        let Some((allow, allow_end)) = t.find(end, (end + 80).min(t.len()), " allow") else {
            return;
        };
        let kind = policy_type(&t.lc[end..allow]);
        p.reason_kind = match kind {
            PolicyType::Identity => ReasonKind::NoIdentityPolicy,
            PolicyType::Resource => ReasonKind::NoResourcePolicy,
            PolicyType::Boundary => ReasonKind::NoPermissionsBoundary,
            PolicyType::Session => ReasonKind::NoSessionPolicy,
            PolicyType::Scp => ReasonKind::NoScp,
            PolicyType::Rcp => ReasonKind::Rcp,
            PolicyType::VpcEndpoint => ReasonKind::VpcEndpoint,
            PolicyType::RoleTrust => ReasonKind::RoleTrust,
            PolicyType::Unknown => ReasonKind::Unspecified,
        };
        // `allows the ecr:X action[: arn:…]`
        let mut e = t.skip_bytes(allow_end, b"s");
        if let Some(the) = t.match_at(e, " the ") {
            let (_, after_action) = t.read_token(the, t.len(), &["action"]);
            if let Some(a) = t.match_at(after_action, " action") {
                e = a;
            }
        }
        clause_end = policy_suffix(t, e, p);
    } else if let Some(end) = t
        .match_at(start, "with an explicit deny")
        .or_else(|| t.match_at(start, "due to an explicit deny"))
    {
        let mut e = end;
        let mut kind = PolicyType::Unknown;
        if let Some(in_end) = t.match_at(end, " in ") {
            let window = (in_end + 80).min(t.len());
            let policy = t.find(in_end, window, "polic");
            // `permissions boundary` has no "policy" word; the next one may be in the ARN.
            let boundary = t.find(in_end, window, "boundary");
            match (policy, boundary) {
                (_, Some((b, b_end))) if policy.is_none_or(|(pa, _)| b < pa) => {
                    kind = PolicyType::Boundary;
                    e = b_end;
                }
                (Some((_, policy_end)), _) => {
                    kind = policy_type(&t.lc[in_end..policy_end]);
                    e = t.skip_bytes(policy_end, b"yies");
                    if let Some(tr) =
                        t.match_at(e, " transitively through a service control policy")
                    {
                        e = tr;
                    }
                }
                _ => {}
            }
        }
        p.reason_kind = match kind {
            PolicyType::Identity => ReasonKind::ExplicitDenyIdentity,
            PolicyType::Resource => ReasonKind::ExplicitDenyResource,
            PolicyType::Boundary => ReasonKind::ExplicitDenyPermissionsBoundary,
            PolicyType::Session => ReasonKind::ExplicitDenySessionPolicy,
            PolicyType::Scp => ReasonKind::ExplicitDenyScp,
            PolicyType::Rcp => ReasonKind::Rcp,
            PolicyType::VpcEndpoint => ReasonKind::ExplicitDenyVpcEndpoint,
            PolicyType::RoleTrust => ReasonKind::RoleTrust,
            PolicyType::Unknown => ReasonKind::ExplicitDenyUnspecified,
        };
        clause_end = policy_suffix(t, e, p);
    } else {
        return;
    }
    let clause = t.unwrapped(start, clause_end.min(t.len()));
    let collapsed: Vec<&str> = clause.split_whitespace().collect();
    p.reason_text =
        Some(collapsed.join(" ").trim_end_matches('.').to_string()).filter(|s| !s.is_empty());
}

/// Reads the 2025 `: arn:…` suffix naming the denying policy; returns the clause end.
fn policy_suffix(t: &Text, pos: usize, p: &mut ParsedError) -> usize {
    let colon = t.skip_bytes(pos, b" ");
    if t.lc.get(colon) != Some(&b':') {
        return pos;
    }
    let start = t.skip_ws(colon + 1);
    if t.match_at(start, "arn:").is_none() {
        return pos;
    }
    let (token, end) = t.read_token(start, t.len(), &[]);
    let arn = token.trim_end_matches(['.', ',']);
    if arn.is_empty() {
        return pos;
    }
    p.policy_arn = Some(arn.to_string());
    end
}

enum PolicyType {
    Identity,
    Resource,
    Boundary,
    Session,
    Scp,
    Rcp,
    VpcEndpoint,
    RoleTrust,
    Unknown,
}

/// Classifies the words between `because no`/`explicit deny in a` and `policy`.
fn policy_type(words: &[u8]) -> PolicyType {
    // Compare without whitespace: a wrap may have cut the words anywhere.
    let words: Vec<u8> = words
        .iter()
        .copied()
        .filter(|b| !matches!(b, b' ' | b'\n'))
        .collect();
    let has = |needle: &str| text::find_bytes(&words, needle.as_bytes(), 0).is_some();
    if has("identity") {
        PolicyType::Identity
    } else if has("resourcecontrol") {
        PolicyType::Rcp
    } else if has("resource") {
        PolicyType::Resource
    } else if has("boundar") {
        PolicyType::Boundary
    } else if has("session") {
        PolicyType::Session
    } else if has("servicecontrol") {
        PolicyType::Scp
    } else if has("vpc") || has("endpoint") {
        PolicyType::VpcEndpoint
    } else if has("trust") {
        PolicyType::RoleTrust
    } else {
        PolicyType::Unknown
    }
}

/// The wrappers present, outermost first.
fn detect_wrappers(t: &Text) -> Vec<Wrapper> {
    let any = |needles: &[&str]| needles.iter().any(|n| t.contains(n));
    let exact = |needle: &str| text::find_bytes(t.s.as_bytes(), needle.as_bytes(), 0).is_some();
    let mut out = Vec::new();
    if any(&[
        "build_container_unable_to_pull_image",
        "unable to pull customer's container image",
    ]) {
        out.push(Wrapper::Codebuild);
    }
    if any(&[
        "cannotpullcontainererror",
        "cannotpullecrcontainererror",
        "resourceinitializationerror",
        "the task can't pull the image",
    ]) {
        out.push(Wrapper::Ecs);
    }
    if any(&[
        "failed to pull image",
        "errimagepull",
        "imagepullbackoff",
        "rpc error: code =",
    ]) {
        out.push(Wrapper::Kubelet);
    }
    if t.boxed {
        out.push(Wrapper::Terraform);
    }
    if any(&[
        "error response from daemon",
        "pull access denied for",
        "may require 'docker login'",
        "the push refers to repository",
        "no basic auth credentials",
        "denied: requested access",
        "authorization token has expired",
    ]) || t.find_word("denied: user:")
    {
        out.push(Wrapper::Docker);
    }
    if t.contains("an error occurred (") && t.contains("when calling the") {
        out.push(Wrapper::AwsCli);
    }
    if t.contains("(service: ") && t.contains("status code:") {
        out.push(Wrapper::SdkJava);
    }
    if (exact("status code: ") && exact("request id: ")) || exact("https response error StatusCode")
    {
        out.push(Wrapper::SdkGo);
    }
    out
}

/// Error code, operation, status code and request ID from the wrappers.
fn extract_meta(t: &Text, p: &mut ParsedError, sentence: Option<usize>) {
    let word_at = |pos: usize, stops: &[u8]| -> String {
        let mut e = pos;
        while e < t.len() && !stops.contains(&t.lc[e]) && !matches!(t.lc[e], b' ' | b'\n') {
            e += 1;
        }
        t.slice(pos, e).to_string()
    };
    let is_code = |s: &str| {
        !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
    };

    // Error code, most explicit form first.
    let mut code = None;
    if let Some((_, e)) = t.find(0, t.len(), "an error occurred (") {
        code = Some(word_at(e, b")"));
    }
    if code.is_none() {
        if let Some((_, e)) = t.find(0, t.len(), "api error ") {
            code = Some(word_at(e, b":"));
        }
    }
    if code.is_none() {
        if let Some((_, e)) = t.find(0, t.len(), "error code: ") {
            code = Some(word_at(e, b";,)"));
        }
    }
    if code.is_none() {
        if let Some((_, e)) = t.find(0, t.len(), "<code>") {
            code = Some(word_at(e, b"<"));
        }
    }
    if code.is_none() {
        // `AccessDeniedException: User: …`, `Sender AccessDenied User: …`.
        if let Some(start) = sentence {
            let mut b = start;
            while b > 0 && matches!(t.lc[b - 1], b' ' | b':' | b'\n') {
                b -= 1;
            }
            let mut a = b;
            while a > 0 && (t.lc[a - 1].is_ascii_alphanumeric() || t.lc[a - 1] == b'.') {
                a -= 1;
            }
            let word = t.slice(a, b);
            let last = word.rsplit('.').next().unwrap_or(word);
            let lower = last.to_ascii_lowercase();
            if lower.contains("accessdenied")
                || lower.contains("forbidden")
                || lower.contains("unauthorized")
            {
                code = Some(last.to_string());
            }
        }
    }
    if code.is_none() {
        for known in ["AccessDeniedException", "AccessDenied"] {
            if whole_word(&t.s, known) {
                code = Some(known.to_string());
                break;
            }
        }
    }
    p.error_code = code.filter(|c| is_code(c));

    // Operation.
    if let Some((_, e)) = t.find(0, t.len(), "when calling the ") {
        let op = word_at(e, b"(");
        if t.match_at(e + op.len(), " operation").is_some() && is_code(&op) {
            p.operation = Some(op);
        }
    }
    if p.operation.is_none() {
        if let Some((_, e)) = t.find(0, t.len(), "operation error ") {
            let rest = t.slice(e, (e + 120).min(t.len()));
            let op = rest
                .split_once(": ")
                .and_then(|(_, r)| r.split([',', ' ']).next())
                .unwrap_or("");
            if is_code(op) {
                p.operation = Some(op.to_string());
            }
        }
    }
    if p.operation.is_none() {
        if let Some((_, e)) = t.find(0, t.len(), "error executing \"") {
            let op = word_at(e, b"\"");
            if is_code(&op) {
                p.operation = Some(op);
            }
        }
    }

    // Status code.
    let number_at = |pos: usize| -> Option<u16> {
        let w = word_at(t.skip_ws(pos), b",;)");
        w.parse().ok().filter(|n| (100..600).contains(n))
    };
    p.status_code = ["status code:", "statuscode:", "status code "]
        .iter()
        .find_map(|ph| t.find(0, t.len(), ph).and_then(|(_, e)| number_at(e)))
        .or_else(|| {
            ["403 forbidden", "401 unauthorized"].iter().find_map(|ph| {
                t.find(0, t.len(), ph)
                    .and_then(|(a, _)| t.slice(a, a + 3).parse().ok())
            })
        });

    // Request ID.
    let id_ok = |s: &str| s.len() >= 8 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    p.request_id = ["request id:", "requestid:", "<requestid>"]
        .iter()
        .find_map(|ph| {
            t.find(0, t.len(), ph).map(|(_, e)| {
                let w = word_at(t.skip_ws(e), b",;)<");
                w.trim_end_matches('.').to_string()
            })
        })
        .filter(|s| id_ok(s));
}

/// True when `word` occurs in `s` not glued to other letters or digits.
fn whole_word(s: &str, word: &str) -> bool {
    let bytes = s.as_bytes();
    let mut from = 0;
    while let Some(i) = text::find_bytes(bytes, word.as_bytes(), from) {
        let before = i.checked_sub(1).and_then(|j| bytes.get(j));
        let after = bytes.get(i + word.len());
        let glued = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric());
        if !glued(before) && !glued(after) {
            return true;
        }
        from = i + 1;
    }
    false
}

/// True when the ARN's account field is a placeholder rather than an account ID.
fn arn_account_hidden(arn: &str) -> bool {
    if arn == "*" {
        return false;
    }
    match Arn::parse(arn) {
        Some(a) => !a.account.is_empty() && a.account != "aws" && !is_account_id(a.account),
        None => true,
    }
}

/// Maps the action (or operation, or wrapper) to an `explain` question.
fn question(t: &Text, p: &ParsedError) -> Question {
    let name = |s: &str| -> Option<Question> {
        let (service, op) = match s.split_once(':') {
            Some((service, op)) => (Some(service.to_ascii_lowercase()), op),
            None => (None, s),
        };
        if service.as_deref() == Some("kms") {
            return Some(Question::Kms);
        }
        let op = op.to_ascii_lowercase();
        let ecr = service.is_none() || service.as_deref() == Some("ecr");
        let sts = service.is_none() || service.as_deref() == Some("sts");
        match op.as_str() {
            "batchgetimage" | "getdownloadurlforlayer" | "batchchecklayeravailability" if ecr => {
                Some(Question::Pull)
            }
            "putimage" | "initiatelayerupload" | "uploadlayerpart" | "completelayerupload"
                if ecr =>
            {
                Some(Question::Push)
            }
            "getauthorizationtoken" if ecr => Some(Question::AuthToken),
            o if sts && o.starts_with("assumerole") => Some(Question::Assume),
            "decrypt" | "encrypt" | "generatedatakey" | "reencrypt" | "creategrant"
            | "describekey"
                if service.is_none() =>
            {
                Some(Question::Kms)
            }
            _ => None,
        }
    };
    if let Some(action) = &p.action {
        return name(action).unwrap_or(Question::Other);
    }
    if let Some(q) = p.operation.as_deref().and_then(name) {
        return q;
    }
    if t.contains("the push refers to repository")
        || t.contains("push access denied")
        || t.contains("docker push")
    {
        return Question::Push;
    }
    if t.contains("pull access denied")
        || t.contains("failed to pull")
        || t.contains("pull image")
        || t.contains("cannotpull")
        || t.contains("unable to pull")
        || t.contains("docker pull")
    {
        return Question::Pull;
    }
    Question::Other
}

#[cfg(test)]
mod tests;
