//! Parser of pasted AWS failure texts.
//!
//! [`parse`] takes whatever an operator pasted — a docker push log, an ECS stopped reason, a
//! CodeBuild phase message, a CodePipeline action's JSON, a kubelet event, a terraform or CDK
//! diagnostic, an SDK exception — strips colour codes, timestamps and log prefixes, and
//! recognises the failure in it: the IAM sentence
//!
//! `User: <principal> is not authorized to perform: <action> [on resource: <resource>]
//! [because no <type> policy allows the <action> action | with an explicit deny in a <type>
//! policy[: <policy ARN>]]`
//!
//! or one of the other message families of FAILURE-CATALOG ([`Family`]; `docs/errors.md`
//! lists them all), plus what the wrappers around it tell (error code, operation, image URI,
//! request ID). A field the text does not contain stays `None`: the parser never fills one in
//! by guessing (the one derived value, a repository ARN built from an image URI, is flagged as
//! such); a field that holds a placeholder (`<USER>`, `***`, `[IAMID]`, `xxx`) is kept as
//! written and listed in `redacted`.
//!
//! Every family maps to the question it raises ([`Question`]): pull, push, registry token,
//! assume, KMS, artifact or access when a policy decides, or network path / configuration
//! when no policy is involved. [`parse_all`] splits a long log into its distinct failures.
//! A bare `Access Denied` with nothing around it, an encoded authorization message and text
//! with no failure in it are rejected with an [`UnrecognisedError`] that says what was looked
//! for and what to paste instead, and never echoes control characters.
//!
//! Pure: no IO. Never panics, whatever the input (fuzzed by `fuzz/fuzz_targets/error_text.rs`).

mod catalog;
pub mod family;
mod image;
mod meta;
mod redact;
mod sentence;
mod split;
mod text;

use serde::Serialize;

pub use family::{Cause, Family, FamilyInfo};
pub use image::RepositoryRef;
pub use redact::Redacted;
pub use split::parse_all;
use text::Text;

use crate::policy::arn::{account_of, is_account_id, Arn};

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
    /// CodePipeline action details (`PermissionError`, `Insufficient permissions`, artifact replication).
    Codepipeline,
    /// CDK deploy output (`❌ Stack failed`, `failed to deploy`).
    Cdk,
    /// CloudFormation events (`Resource handler returned message`, `CREATE_FAILED`).
    Cloudformation,
    /// Lambda (`Lambda does not have permission to access the ECR image`).
    Lambda,
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
    /// AWS SDK for Python (`botocore.exceptions.ClientError`, a traceback).
    SdkPython,
    /// AWS SDK for JavaScript v3 (`$metadata`, `httpStatusCode`).
    SdkJs,
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
            Wrapper::Codepipeline => "codepipeline",
            Wrapper::Cdk => "cdk",
            Wrapper::Cloudformation => "cloudformation",
            Wrapper::Lambda => "lambda",
            Wrapper::Ecs => "ecs",
            Wrapper::Codebuild => "codebuild",
            Wrapper::Kubelet => "kubelet",
            Wrapper::AwsCli => "aws-cli",
            Wrapper::SdkGo => "sdk-go",
            Wrapper::SdkJava => "sdk-java",
            Wrapper::SdkPython => "sdk-python",
            Wrapper::SdkJs => "sdk-js",
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
    /// A pipeline action and its artifacts (S3 bucket, KMS key, action role).
    Artifact,
    /// Any other action on a resource: the open access question.
    Access,
    /// Not a policy question: the request never reached AWS (endpoints, routes, DNS).
    NetworkPath,
    /// Not a policy question: a setting, a stale login, a missing image or bad credentials.
    Configuration,
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
            Question::Artifact => "artifact",
            Question::Access => "access",
            Question::NetworkPath => "network-path",
            Question::Configuration => "configuration",
        }
    }

    /// True when a policy decides the answer (crossdock can evaluate it on loaded accounts).
    pub fn is_policy(self) -> bool {
        !matches!(self, Question::NetworkPath | Question::Configuration)
    }
}

/// What kind of failure the text shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Symptom {
    /// The IAM sentence `… is not authorized to perform …` (or its reason clause alone).
    NotAuthorized,
    /// A denial with no IAM sentence (`Access Denied`, `403 Forbidden`, docker `denied`).
    AccessDenied,
    /// The client sent no registry credentials (`no basic auth credentials`, `401 Unauthorized`).
    NoCredentials,
    /// The ECR login token expired (`Your authorization token has expired`).
    TokenExpired,
    /// The repository or image was not found (which may hide a denial: the 404 form).
    NotFound,
    /// The request never reached AWS (timeouts, retries, no route).
    Network,
    /// AWS refused a setting or a request parameter (validation, state, configuration).
    Invalid,
    /// AWS could not authenticate the caller (bad, expired or incomplete credentials).
    Authentication,
}

/// The fields found in a pasted failure message. Absent means "the text does not say".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedError {
    /// The denied principal's ARN (`arn:aws:sts::A:assumed-role/R/S`), as written.
    pub principal_arn: Option<String>,
    /// The principal as written when it is not an ARN (a placeholder such as `<USER>`).
    pub principal_text: Option<String>,
    /// The AWS service the failure comes from (`ecr`, `sts`, `kms`, `s3`, …), lower case.
    pub service: Option<String>,
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
    /// `true` for an explicit deny, `false` for "no policy allows", `None` when the text has
    /// no reason clause. (AWS calls every SCP refusal explicit, even an implicit one.)
    pub explicit: Option<bool>,
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
    /// Every account ID the text names (principal, resource, registry, policy), in that order:
    /// two or more means a cross-account request.
    pub accounts: Vec<String>,
    /// True when a placeholder (`***`, `<ACCID>`, `XXXX`, `[account-id]`) hides an account.
    pub account_redacted: bool,
    /// The fields that hold a placeholder instead of a value (kept as written).
    pub redacted: Vec<Redacted>,
    /// The message family, i.e. the FAILURE-CATALOG entry it belongs to.
    pub family: Family,
    /// The `explain` question this maps to.
    pub question: Question,
}

/// Why a text was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RejectKind {
    /// Nothing but whitespace.
    Empty,
    /// No IAM sentence, no denial code, no message of a known family.
    NoDenial,
    /// A denial with nothing to explain it by (a bare `Access Denied`).
    NoDetail,
    /// An encoded authorization failure message.
    Encoded,
}

/// The text is not a failure message the parser recognises.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("not a failure message I recognise ({}){}; hint: {hint}", kind.describe(), excerpt_note(excerpt))]
pub struct UnrecognisedError {
    /// What was missing.
    pub kind: RejectKind,
    /// What to paste instead.
    pub hint: &'static str,
    /// The start of the text as read, control characters escaped (never raw terminal input).
    pub excerpt: String,
}

fn excerpt_note(excerpt: &str) -> String {
    if excerpt.is_empty() {
        String::new()
    } else {
        format!("; read: \"{excerpt}\"")
    }
}

impl RejectKind {
    fn describe(self) -> &'static str {
        match self {
            RejectKind::Empty => "the text is empty",
            RejectKind::NoDenial => "looked for an `is not authorized to perform` sentence, an access-denied code with its operation, a registry 401/403/404, and the ECR, ECS, EKS, STS, KMS, CodeBuild, CodePipeline and Lambda messages listed in docs/errors.md, and found none",
            RejectKind::NoDetail => "it says access was denied but names no principal, action, operation or image",
            RejectKind::Encoded => "the AWS message is encoded",
        }
    }

    fn hint(self) -> &'static str {
        match self {
            RejectKind::Empty | RejectKind::NoDenial => {
                "paste the whole line that contains the failure (or the full command output around it); docs/errors.md lists the messages crossdock recognises"
            }
            RejectKind::NoDetail => {
                "paste the full command output including `An error occurred (…) when calling the … operation`; cross-account S3 denials carry no detail, so look the request up in CloudTrail"
            }
            RejectKind::Encoded => {
                "decode it with `aws sts decode-authorization-message --encoded-message …` and paste the principal, action and resource it shows"
            }
        }
    }
}

/// The longest excerpt an error message quotes.
const EXCERPT_CHARS: usize = 80;

fn reject(kind: RejectKind, t: &Text) -> UnrecognisedError {
    let first = t.s.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut excerpt: String = first
        .chars()
        .take(EXCERPT_CHARS)
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect();
    if first.chars().count() > EXCERPT_CHARS {
        excerpt.push('…');
    }
    UnrecognisedError {
        kind,
        hint: kind.hint(),
        excerpt,
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

/// Parses a pasted error text: the first failure in it. See the module documentation.
pub fn parse(text: &str) -> Result<ParsedError, UnrecognisedError> {
    parse_text(&Text::new(text))
}

/// Parses an already normalised text.
fn parse_text(t: &Text) -> Result<ParsedError, UnrecognisedError> {
    if t.s.trim().is_empty() {
        return Err(reject(RejectKind::Empty, t));
    }
    let wrappers = meta::detect_wrappers(t);
    let mut p = ParsedError {
        principal_arn: None,
        principal_text: None,
        service: None,
        action: None,
        resource_arn: None,
        resource_text: None,
        reason_kind: ReasonKind::Unspecified,
        reason_text: None,
        explicit: None,
        policy_arn: None,
        symptom: Symptom::AccessDenied,
        wrapper: wrappers.first().copied().unwrap_or(Wrapper::None),
        wrappers,
        error_code: None,
        operation: None,
        status_code: None,
        request_id: None,
        repository: None,
        accounts: Vec::new(),
        account_redacted: false,
        redacted: Vec::new(),
        family: Family::NotAuthorized,
        question: Question::Access,
    };
    let sentence = sentence::parse_sentence(t, &mut p);
    let named = sentence.is_some()
        && (p.principal_arn.is_some() || p.principal_text.is_some() || p.action.is_some());
    let bare = !named && sentence::parse_bare_reason(t, &mut p).is_some();
    meta::extract_meta(t, &mut p, sentence);

    let found = image::find(t, p.resource_arn.as_deref());
    p.repository = found.repository;
    p.family = family_of(t, &p, named, bare)?;
    p.symptom = symptom_of(p.family);
    p.question = question(t, &p);
    p.explicit = p.reason_text.as_deref().and_then(explicitness);
    p.service = meta::service(t, &p);
    p.accounts = accounts(&p);
    p.redacted = redact::fields(&p, found.redacted);
    p.account_redacted = p.redacted.contains(&Redacted::Account);
    Ok(p)
}

/// Decides the family of the failure, or rejects the text.
fn family_of(
    t: &Text,
    p: &ParsedError,
    named: bool,
    bare: bool,
) -> Result<Family, UnrecognisedError> {
    if named || bare {
        let kms = p.reason_kind == ReasonKind::KmsCiphertext || t.contains("ciphertext refers to");
        return Ok(match (kms, named) {
            (true, _) => Family::KmsCiphertext,
            (false, true) => Family::NotAuthorized,
            (false, false) => Family::PolicyReasonWithoutPrincipal,
        });
    }
    if t.contains("encoded authorization failure message") {
        return Err(reject(RejectKind::Encoded, t));
    }
    if let Some((family, _)) = family::detect(t) {
        return Ok(family);
    }
    registry_family(t, p)
}

/// The registry and bare-denial families, whose phrases need context to mean a failure.
fn registry_family(t: &Text, p: &ParsedError) -> Result<Family, UnrecognisedError> {
    let ecr_context = p.repository.is_some() || t.contains("ecr");
    if ecr_context && (t.contains("no basic auth credentials") || t.contains("401 unauthorized")) {
        return Ok(Family::RegistryNoCredentials);
    }
    if t.contains("pull access denied for") {
        return Ok(Family::PullAccessDenied);
    }
    let pull_wrapper = p.wrappers.iter().any(|w| {
        matches!(
            w,
            Wrapper::Docker | Wrapper::Ecs | Wrapper::Codebuild | Wrapper::Kubelet
        )
    });
    let ecr = t.contains(".dkr.ecr.") || t.contains("ecr");
    let located = ecr && (p.repository.is_some() || pull_wrapper);
    if located && t.contains("requested access to the resource is denied") {
        return Ok(Family::RequestedAccessDenied);
    }
    if located && (t.contains("403 forbidden") || t.find_word("denied:")) {
        return Ok(Family::Registry403Forbidden);
    }
    let denial_code = p.error_code.as_deref().is_some_and(|c| {
        let c = c.to_ascii_lowercase();
        c.contains("accessdenied") || c.contains("forbidden") || c.contains("unauthorizedoperation")
    });
    if denial_code && (p.operation.is_some() || p.status_code.is_some() || p.request_id.is_some()) {
        return Ok(Family::AccessDeniedCode);
    }
    if denial_code || t.contains("access denied") || t.contains("accessdenied") {
        return Err(reject(RejectKind::NoDetail, t));
    }
    Err(reject(RejectKind::NoDenial, t))
}

/// The kind of failure a family shows.
fn symptom_of(family: Family) -> Symptom {
    use Family as F;
    match family {
        F::NotAuthorized | F::KmsCiphertext | F::PolicyReasonWithoutPrincipal => {
            Symptom::NotAuthorized
        }
        F::RegistryNoCredentials | F::DockerLoginNonTty => Symptom::NoCredentials,
        F::RegistryTokenExpired => Symptom::TokenExpired,
        F::RepositoryNotFoundOrNoPullAccess | F::RepositoryNameUnknown | F::ImageNotFound => {
            Symptom::NotFound
        }
        F::RegistryNetworkPath => Symptom::Network,
        F::CredentialsInvalid | F::StsRegionDisabled => Symptom::Authentication,
        F::ImageTagAlreadyExists
        | F::KmsKeyUnusable
        | F::AssumeDurationExceedsMax
        | F::CodebuildCuratedImageServiceRole
        | F::CodebuildCrossAccountImageCodebuildCredentials
        | F::CdkArtifactBucketNeedsKmsKey
        | F::CrossAccountPassRole
        | F::LambdaImageRepositoryElsewhere => Symptom::Invalid,
        F::AccessDeniedCode
        | F::Registry403Forbidden
        | F::RequestedAccessDenied
        | F::PullAccessDenied
        | F::KmsAccessNotAllowed
        | F::CodepipelinePermissionError
        | F::CodepipelineArtifactAccessDenied
        | F::CodepipelineArtifactReplication
        | F::LambdaEcrImageAccessDenied => Symptom::AccessDenied,
    }
}

/// Whether a reason clause is an explicit deny (`with an explicit deny …`) or an implicit one
/// (`because no … allows`).
fn explicitness(reason: &str) -> Option<bool> {
    let lower = reason.to_ascii_lowercase();
    if lower.starts_with("because the resource") {
        // The KMS ciphertext form lists both: the key is missing, not allowed, or denied.
        None
    } else if lower.contains("explicit deny") {
        Some(true)
    } else if lower.starts_with("because no") || lower.starts_with("no ") {
        Some(false)
    } else {
        None
    }
}

/// The account IDs named by the principal, resource, repository and policy ARNs, once each.
fn accounts(p: &ParsedError) -> Vec<String> {
    let registry = p
        .repository
        .as_ref()
        .and_then(|r| r.registry_account.as_deref());
    let named = [&p.principal_arn, &p.resource_arn, &p.policy_arn]
        .into_iter()
        .flatten()
        .filter_map(|arn| account_of(arn))
        .chain(registry)
        .filter(|a| is_account_id(a));
    let mut out: Vec<String> = Vec::new();
    for account in named {
        if !out.iter().any(|a| a == account) {
            out.push(account.to_string());
        }
    }
    out
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

/// The question an action or operation name raises, when it is one crossdock knows.
fn question_of_name(s: &str) -> Option<Question> {
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
        "putimage" | "initiatelayerupload" | "uploadlayerpart" | "completelayerupload" if ecr => {
            Some(Question::Push)
        }
        "getauthorizationtoken" if ecr => Some(Question::AuthToken),
        o if sts && o.starts_with("assumerole") => Some(Question::Assume),
        "decrypt" | "encrypt" | "generatedatakey" | "reencrypt" | "creategrant" | "describekey"
            if service.is_none() =>
        {
            Some(Question::Kms)
        }
        _ => None,
    }
}

/// Maps the action (or operation, or what the wrappers did) to an `explain` question.
fn question(t: &Text, p: &ParsedError) -> Question {
    let default = p.family.info().question;
    // A family that is not a policy question, or names its question, keeps it.
    if !matches!(
        default,
        Question::Access | Question::Pull | Question::Push | Question::Kms
    ) || p.family == Family::LambdaEcrImageAccessDenied
    {
        return default;
    }
    if let Some(action) = &p.action {
        return question_of_name(action).unwrap_or(default);
    }
    if let Some(q) = p.operation.as_deref().and_then(question_of_name) {
        return q;
    }
    // What the wrappers were doing decides between pull and push, never for KMS.
    if default == Question::Kms {
        return default;
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
    default
}

#[cfg(test)]
mod tests;
