//! Turning SDK failures into [`Unreadable`] reasons with a hint, and the errors that stop a
//! whole load (no profile, no credentials).
//!
//! Nothing here holds credentials: errors carry profile names, codes and messages only, so
//! neither `Display` nor `Debug` can leak a key or session token.

use std::error::Error as StdError;

use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};

use crate::inventory::Unreadable;

/// Why crossdock could not start reading an account.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AwsError {
    /// The shared config or credentials file could not be read or parsed.
    #[error("cannot read the AWS config files: {0}; fix the file or point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at a valid one")]
    ProfileFiles(String),
    /// No profile of that name.
    #[error("no profile `{profile}` in the AWS config files (known: {}); check the name or run `aws configure --profile {profile}`", known_list(.known))]
    UnknownProfile {
        /// The profile asked for.
        profile: String,
        /// The profiles that exist.
        known: Vec<String>,
    },
    /// Neither the profile nor the command line gives a region.
    #[error("profile `{profile}` has no region: add `region = …` to it in the AWS config file, or pass --region")]
    NoRegion {
        /// The profile.
        profile: String,
    },
    /// An SSO profile whose token is missing or expired.
    #[error("profile `{profile}` has no valid credentials: run `aws sso login --profile {profile}` ({detail})")]
    SsoLogin {
        /// The profile.
        profile: String,
        /// What the SDK reported, without secrets.
        detail: String,
    },
    /// No credentials could be found or resolved for the profile.
    #[error("profile `{profile}` has no valid credentials: {advice} ({detail})")]
    NoCredentials {
        /// The profile (`default` when none was named).
        profile: String,
        /// What to configure.
        advice: String,
        /// What the SDK reported, without secrets.
        detail: String,
    },
    /// The profile's `credential_process` failed; its output is not shown (helpers print
    /// tokens on stderr).
    #[error("credential_process for profile `{profile}` failed{}; run it by hand to see its message", exit_text(*.exit))]
    CredentialProcess {
        /// The profile.
        profile: String,
        /// The process's exit code, when it exited with one (none: it printed nothing usable).
        exit: Option<i32>,
    },
    /// `sts:GetCallerIdentity` failed for another reason (network, endpoint, …).
    #[error("profile `{profile}`: {reason}")]
    Identity {
        /// The profile.
        profile: String,
        /// The classified failure.
        reason: Unreadable,
    },
}

impl AwsError {
    /// Whether the operator's input is at fault (a mistyped profile, a profile without a
    /// region, unreadable config files) rather than AWS or the credentials: such errors exit
    /// 2 ("bad input"), the others 3 or 4 ("could not read").
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            AwsError::UnknownProfile { .. } | AwsError::NoRegion { .. } | AwsError::ProfileFiles(_)
        )
    }
}

fn exit_text(exit: Option<i32>) -> String {
    match exit {
        Some(code) => format!(" (exit {code})"),
        None => " (it printed no usable credentials)".to_string(),
    }
}

fn known_list(known: &[String]) -> String {
    if known.is_empty() {
        "none".to_string()
    } else {
        known.join(", ")
    }
}

/// Error codes AWS uses when the caller lacks permission.
const DENIED: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedException",
    "AuthorizationError",
];

/// Error codes AWS uses when the caller is throttled.
const THROTTLED: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "SlowDown",
    "RequestThrottled",
    "RequestThrottledException",
];

/// Error codes AWS uses when the credentials themselves are bad or expired.
const BAD_CREDENTIALS: &[&str] = &[
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
    "InvalidToken",
];

/// Error codes of AWS-side failures that the retries did not get past.
const SERVER_ERRORS: &[&str] = &[
    "InternalFailure",
    "InternalError",
    "InternalServerError",
    "InternalServerException",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "ServerException",
];

/// Code used when no credentials could be resolved before sending.
pub const CREDENTIALS_CODE: &str = "CredentialsError";
/// Code used for network failures (DNS, connect, TLS, reset).
pub const NETWORK_CODE: &str = "NetworkError";
/// Code used when a call timed out.
pub const TIMEOUT_CODE: &str = "Timeout";

/// The one classification of failed AWS calls, shared by the loader and the trail poller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// AWS asked to slow down.
    Throttled,
    /// The credentials are missing, expired or not recognised.
    Credentials,
    /// The caller lacks a permission.
    Denied,
    /// The resource does not exist.
    NotFound,
    /// No answer: DNS, connection, TLS, reset or timeout.
    Network,
    /// AWS answered with a server error.
    Server,
    /// Any other refusal (bad parameter, invalid response, …): the code and message say.
    Other,
}

impl FailureKind {
    /// The kind of a failure code: AWS's, or [`CREDENTIALS_CODE`], [`NETWORK_CODE`] or
    /// [`TIMEOUT_CODE`].
    pub fn of(code: &str) -> Self {
        if THROTTLED.contains(&code) {
            FailureKind::Throttled
        } else if BAD_CREDENTIALS.contains(&code) || code == CREDENTIALS_CODE {
            FailureKind::Credentials
        } else if DENIED.contains(&code) {
            FailureKind::Denied
        } else if code.ends_with("NotFoundException") || code.starts_with("NoSuch") {
            FailureKind::NotFound
        } else if SERVER_ERRORS.contains(&code) {
            FailureKind::Server
        } else if code == NETWORK_CODE || code == TIMEOUT_CODE {
            FailureKind::Network
        } else {
            FailureKind::Other
        }
    }
}

/// A failed SDK call: AWS's error code (or one of crossdock's for failures before an
/// answer), the message without credentials, and its [`FailureKind`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The code, e.g. `AccessDeniedException`, [`NETWORK_CODE`].
    pub code: String,
    /// What AWS or the SDK said, scrubbed of anything shaped like a credential.
    pub message: String,
    /// The class of the code.
    pub kind: FailureKind,
    /// Whether AWS answered (a service error) rather than the request failing before.
    pub answered: bool,
}

/// Classifies a failed SDK call.
pub fn classify<E>(err: &SdkError<E, HttpResponse>) -> Failure
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    let (code, message) = match err {
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let code = service
                .err()
                .code()
                .map_or_else(|| format!("HTTP {status}"), str::to_string);
            // A 429 is "slow down" whatever code a service or proxy puts on it.
            let code = if status == 429 && FailureKind::of(&code) != FailureKind::Throttled {
                "TooManyRequestsException".to_string()
            } else {
                code
            };
            let message = service
                .err()
                .message()
                .map(str::to_string)
                .unwrap_or_else(|| causes(service.err()));
            (code, message)
        }
        SdkError::TimeoutError(_) => (TIMEOUT_CODE.to_string(), context(err)),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            (TIMEOUT_CODE.to_string(), context(err))
        }
        SdkError::DispatchFailure(failure) if failure.is_io() => {
            (NETWORK_CODE.to_string(), context(err))
        }
        _ if mentions_credentials(err) => (CREDENTIALS_CODE.to_string(), context(err)),
        SdkError::DispatchFailure(_) => (NETWORK_CODE.to_string(), context(err)),
        SdkError::ResponseError(_) => ("InvalidResponse".to_string(), context(err)),
        _ => ("RequestFailed".to_string(), context(err)),
    };
    Failure {
        kind: FailureKind::of(&code),
        answered: matches!(err, SdkError::ServiceError(_)),
        code,
        message: scrub(&message),
    }
}

/// Classifies a failed SDK call of `action` (e.g. `ecr:GetRepositoryPolicy`).
pub fn unreadable<E>(action: &str, err: &SdkError<E, HttpResponse>) -> Unreadable
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    let failure = classify(err);
    let hint = hint_for(action, &failure.code);
    Unreadable::new(action, failure.code, failure.message).with_hint(hint)
}

/// The operator's next step for a failure code.
pub fn hint_for(action: &str, code: &str) -> String {
    match FailureKind::of(code) {
        FailureKind::Denied => format!("add {action} to the operator role crossdock reads with (docs/iam-policy.json lists every permission)"),
        FailureKind::Throttled => "AWS throttled the call even after retries; wait a minute and reload".to_string(),
        FailureKind::Credentials => credentials_hint(None),
        FailureKind::Server => "AWS answered with a server error even after retries; reload in a minute (check the AWS Health Dashboard if it persists)".to_string(),
        FailureKind::Network => "check the network path to the AWS endpoint (proxy, VPC endpoint, AWS_ENDPOINT_URL) and reload".to_string(),
        FailureKind::NotFound | FailureKind::Other => format!("{action} failed; reload, and check the resource and region if it persists"),
    }
}

/// What to do when the credentials of `profile` are missing or expired mid-session.
pub fn credentials_hint(profile: Option<&str>) -> String {
    let profile = profile.unwrap_or("…");
    format!(
        "the credentials of profile `{profile}` are missing or expired; refresh them \
         (`aws sso login --profile {profile}` for an SSO profile) and reload"
    )
}

/// Error text with anything shaped like an access key id (`AKIA…`, `ASIA…`) or a long
/// base64 run (a secret key or session token) replaced: AWS and SDK messages are shown,
/// logged and saved, and must never carry a credential, even one echoed back by a service.
pub fn scrub(text: &str) -> String {
    // aws-config quotes a failed credential_process's stderr; helpers print tokens there.
    let (text, withheld) = match text.find("Stderr:") {
        Some(at) => (&text[..at], true),
        None => (text, false),
    };
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if is_key_id(run) || looks_secret(run) {
            out.push_str("[redacted]");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=') {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    if withheld {
        out.push_str("(its stderr is not shown; run the credential_process by hand to see it)");
    }
    out
}

/// A secret access key or session token: 40+ base64 characters mixing upper and lower
/// case and digits (hex digests and paths, all lower case, stay readable).
fn looks_secret(run: &str) -> bool {
    run.len() >= 40
        && run.bytes().any(|b| b.is_ascii_digit())
        && run.bytes().any(|b| b.is_ascii_uppercase())
        && run.bytes().any(|b| b.is_ascii_lowercase())
}

/// `AKIA`/`ASIA` followed by 16 upper-case letters or digits.
fn is_key_id(word: &str) -> bool {
    word.len() == 20
        && (word.starts_with("AKIA") || word.starts_with("ASIA"))
        && word
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Whether a classified failure is about credentials rather than the call itself.
pub fn is_credentials_failure(reason: &Unreadable) -> bool {
    FailureKind::of(&reason.code) == FailureKind::Credentials
}

/// The error and its sources on one line, `: `-joined. Display only: the SDK's
/// `DisplayErrorContext` appends a `Debug` dump of the whole error, which is unreadable in
/// a pane and could carry whatever a credential provider put in it.
fn context<E>(err: &SdkError<E, HttpResponse>) -> String
where
    E: StdError + 'static,
{
    causes(err)
}

/// An error's message and its sources' messages, skipping text a wrapper repeats.
pub fn causes(err: &dyn StdError) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

/// Identity resolution failures surface as construction or dispatch failures whose source
/// chain names credentials; there is no typed variant for them.
fn mentions_credentials<E>(err: &SdkError<E, HttpResponse>) -> bool
where
    E: StdError + 'static,
{
    let text = context(err).to_ascii_lowercase();
    text.contains("credential") || text.contains("sso") || text.contains("token")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_name_the_permission_to_add() {
        let hint = hint_for("ecr:GetRepositoryPolicy", "AccessDeniedException");
        assert!(hint.starts_with("add ecr:GetRepositoryPolicy to the operator role"));
        assert!(hint_for("ecr:GetRepositoryPolicy", "InternalFailure").contains("server error"));
        assert!(credentials_hint(Some("prod")).contains("aws sso login --profile prod"));
        assert!(hint_for("iam:GetRole", "Throttling").contains("throttled"));
        assert!(hint_for("iam:GetRole", NETWORK_CODE).contains("network"));
    }

    #[test]
    fn scrub_hides_key_ids_and_long_secrets_only() {
        let text =
            "key AKIAIOSFODNN7EXAMPLE, secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY1234; \
                    arn:aws:iam::222222222222:role/ci/deploy-role failed";
        let clean = scrub(text);
        assert!(!clean.contains("AKIAIOSFODNN7EXAMPLE"), "{clean}");
        assert!(!clean.contains("wJalrXUtnFEMI"), "{clean}");
        assert!(clean.contains("arn:aws:iam::222222222222:role/ci/deploy-role failed"));
        assert_eq!(
            scrub("User: x is not authorized"),
            "User: x is not authorized"
        );
        let path = "failed to read `/home/me/.aws/sso/cache/0f1e2d3c4b5a69788796a5b4c3d2e1f001234567.json`";
        assert_eq!(scrub(path), path);
    }

    #[test]
    fn errors_say_what_to_do() {
        let sso = AwsError::SsoLogin {
            profile: "prod".into(),
            detail: "the SSO token expired".into(),
        };
        assert!(sso.to_string().starts_with(
            "profile `prod` has no valid credentials: run `aws sso login --profile prod`"
        ));
        let unknown = AwsError::UnknownProfile {
            profile: "x".into(),
            known: vec!["a".into(), "b".into()],
        };
        assert!(unknown.to_string().contains("known: a, b"));
    }
}
