//! What the wrappers around an AWS message tell: which tools wrapped it, the error code, the
//! API operation, the HTTP status and the request ID.

use super::text::{self, Text};
use super::{Family, ParsedError, Wrapper};

/// Lower-case phrases that show a wrapper, outermost wrapper first.
const WRAPPER_PHRASES: &[(Wrapper, &[&str])] = &[
    (
        Wrapper::Codebuild,
        &[
            "build_container_unable_to_pull_image",
            "unable to pull customer's container image",
        ],
    ),
    (
        Wrapper::Codepipeline,
        &[
            "\"errordetails\"",
            "permissionerror",
            "insufficient permissions",
            "replication of artifact",
        ],
    ),
    (Wrapper::Cdk, &["cdk deploy", "failed to deploy", "❌"]),
    (
        Wrapper::Cloudformation,
        &[
            "resource handler returned message",
            "create_failed",
            "update_failed",
            "update_rollback",
        ],
    ),
    (
        Wrapper::Lambda,
        &[
            "lambda does not have permission",
            "(service: lambda",
            "imageaccessdenied",
        ],
    ),
    (
        Wrapper::Ecs,
        &[
            "cannotpullcontainererror",
            "cannotpullecrcontainererror",
            "resourceinitializationerror",
            "the task can't pull the image",
        ],
    ),
    (
        Wrapper::Kubelet,
        &[
            "failed to pull image",
            "errimagepull",
            "imagepullbackoff",
            "rpc error: code =",
        ],
    ),
    (
        Wrapper::Docker,
        &[
            "error response from daemon",
            "pull access denied for",
            "may require 'docker login'",
            "the push refers to repository",
            "no basic auth credentials",
            "denied: requested access",
            "authorization token has expired",
        ],
    ),
    (
        Wrapper::SdkPython,
        &[
            "botocore.exceptions",
            "boto3",
            "traceback (most recent call last)",
        ],
    ),
    (Wrapper::SdkJs, &["$metadata", "httpstatuscode", "$fault"]),
];

/// The wrappers present, outermost first.
pub(super) fn detect_wrappers(t: &Text) -> Vec<Wrapper> {
    let exact = |needle: &str| text::find_bytes(t.s.as_bytes(), needle.as_bytes(), 0).is_some();
    let shown = |wrapper: Wrapper| -> bool {
        match wrapper {
            // Terraform boxes look like CDK's ❌ lines: the box decides.
            Wrapper::Cdk if t.boxed => false,
            Wrapper::Docker if t.find_word("denied: user:") => true,
            Wrapper::Terraform => t.boxed,
            Wrapper::AwsCli => t.contains("an error occurred (") && t.contains("when calling the"),
            Wrapper::SdkJava => t.contains("(service: ") && t.contains("status code:"),
            Wrapper::SdkGo => {
                (exact("status code: ") && exact("request id: "))
                    || exact("https response error StatusCode")
            }
            _ => WRAPPER_PHRASES
                .iter()
                .find(|(w, _)| *w == wrapper)
                .is_some_and(|(_, phrases)| phrases.iter().any(|p| t.contains(p))),
        }
    };
    WRAPPER_ORDER.into_iter().filter(|w| shown(*w)).collect()
}

/// Every wrapper, outermost first.
const WRAPPER_ORDER: [Wrapper; 14] = [
    Wrapper::Codebuild,
    Wrapper::Codepipeline,
    Wrapper::Cdk,
    Wrapper::Cloudformation,
    Wrapper::Lambda,
    Wrapper::Ecs,
    Wrapper::Kubelet,
    Wrapper::Terraform,
    Wrapper::Docker,
    Wrapper::AwsCli,
    Wrapper::SdkJava,
    Wrapper::SdkGo,
    Wrapper::SdkPython,
    Wrapper::SdkJs,
];

/// Error code, operation, status code and request ID from the wrappers.
pub(super) fn extract_meta(t: &Text, p: &mut ParsedError, sentence: Option<usize>) {
    p.error_code = error_code(t, sentence).filter(|c| is_code(c));
    p.operation = operation(t);
    p.status_code = status_code(t);
    p.request_id = request_id(t);
}

/// True for an error code or operation name: letters, digits and dots, not too long.
fn is_code(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
}

/// The word at `pos`, up to whitespace or one of `stops`.
fn word_at(t: &Text, pos: usize, stops: &[u8]) -> String {
    let mut e = pos;
    while e < t.len() && !stops.contains(&t.lc[e]) && !matches!(t.lc[e], b' ' | b'\n') {
        e += 1;
    }
    t.slice(pos, e).to_string()
}

/// The error code, most explicit form first.
fn error_code(t: &Text, sentence: Option<usize>) -> Option<String> {
    let after = |phrase: &str, stops: &[u8]| {
        t.find(0, t.len(), phrase)
            .map(|(_, e)| word_at(t, e, stops))
    };
    after("an error occurred (", b")")
        .or_else(|| after("api error ", b":"))
        .or_else(|| after("error code: ", b";,)"))
        .or_else(|| after("<code>", b"<"))
        .or_else(|| after("\"code\": \"", b"\""))
        .or_else(|| sentence.and_then(|start| code_before_sentence(t, start)))
        .or_else(|| {
            KNOWN_CODES
                .iter()
                .find(|known| whole_word(&t.s, known))
                .map(|known| known.to_string())
        })
}

/// Codes recognised anywhere as whole words, when no wrapper names the code.
const KNOWN_CODES: [&str; 10] = [
    "AccessDeniedException",
    "AccessDenied",
    "RepositoryNotFoundException",
    "ImageNotFoundException",
    "ImageTagAlreadyExistsException",
    "RegionDisabledException",
    "InvalidInputException",
    "ValidationError",
    "KMSInvalidStateException",
    "InvalidParameterValueException",
];

/// `AccessDeniedException: User: …`, `Sender AccessDenied User: …`: the word before the sentence.
fn code_before_sentence(t: &Text, start: usize) -> Option<String> {
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
    (lower.contains("accessdenied")
        || lower.contains("forbidden")
        || lower.contains("unauthorized"))
    .then(|| last.to_string())
}

/// The API operation named by the CLI (`when calling the X operation`), the Go SDK v2
/// (`operation error ECR: X`) or the PHP SDK (`Error executing "X"`).
fn operation(t: &Text) -> Option<String> {
    if let Some((_, e)) = t.find(0, t.len(), "when calling the ") {
        let op = word_at(t, e, b"(");
        if t.match_at(e + op.len(), " operation").is_some() && is_code(&op) {
            return Some(op);
        }
    }
    if let Some((_, e)) = t.find(0, t.len(), "operation error ") {
        let rest = t.slice(e, (e + 120).min(t.len()));
        let op = rest
            .split_once(": ")
            .and_then(|(_, r)| r.split([',', ' ']).next())
            .unwrap_or("");
        if is_code(op) {
            return Some(op.to_string());
        }
    }
    let (_, e) = t.find(0, t.len(), "error executing \"")?;
    Some(word_at(t, e, b"\"")).filter(|op| is_code(op))
}

/// The HTTP status, from an SDK tail or a status line.
fn status_code(t: &Text) -> Option<u16> {
    let number_at = |pos: usize| -> Option<u16> {
        let w = word_at(t, t.skip_ws(pos), b",;)");
        w.parse().ok().filter(|n| (100..600).contains(n))
    };
    [
        "status code:",
        "statuscode:",
        "status code ",
        "httpstatuscode:",
        "api error (",
    ]
    .iter()
    .find_map(|ph| t.find(0, t.len(), ph).and_then(|(_, e)| number_at(e)))
    .or_else(|| {
        ["403 forbidden", "401 unauthorized", "404 not found"]
            .iter()
            .find_map(|ph| {
                t.find(0, t.len(), ph)
                    .and_then(|(a, _)| t.slice(a, a + 3).parse().ok())
            })
    })
}

/// The AWS request ID, to find the call in CloudTrail.
fn request_id(t: &Text) -> Option<String> {
    let id_ok = |s: &str| s.len() >= 8 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    [
        "request id:",
        "requestid:",
        "<requestid>",
        "\"requestid\": \"",
    ]
    .iter()
    .find_map(|ph| {
        t.find(0, t.len(), ph).map(|(_, e)| {
            let w = word_at(t, t.skip_ws(e), b",;)<\"");
            w.trim_end_matches('.').to_string()
        })
    })
    .filter(|s| id_ok(s))
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

/// The service the failure comes from: the action's prefix, an SDK's service name, or the
/// one service a message family belongs to.
pub(super) fn service(t: &Text, p: &ParsedError) -> Option<String> {
    if let Some((service, _)) = p.action.as_deref().and_then(|a| a.split_once(':')) {
        return Some(service.to_ascii_lowercase());
    }
    let named = ["(service: ", "operation error "]
        .iter()
        .find_map(|phrase| {
            let (_, e) = t.find(0, t.len(), phrase)?;
            let end = t.lc[e..(e + 40).min(t.len())]
                .iter()
                .position(|b| b";,:)\n".contains(b))
                .map_or(t.len().min(e + 40), |i| e + i);
            Some(t.slice(e, end).replace(' ', ""))
        });
    if let Some(service) = named.as_deref().and_then(normalise_service) {
        return Some(service.to_string());
    }
    // docker's and containerd's own messages are ECR's only when the text names ECR.
    let generic = matches!(
        p.family,
        Family::PullAccessDenied
            | Family::RequestedAccessDenied
            | Family::Registry403Forbidden
            | Family::RegistryNoCredentials
            | Family::ImageNotFound
            | Family::DockerLoginNonTty
    );
    family_service(p.family)
        .filter(|_| !generic || t.contains("ecr"))
        .map(str::to_string)
}

/// `Amazon S3`'s first word `Amazon` is not a service; `AmazonS3`, `S3`, `ECR`, `Ecr` are.
fn normalise_service(word: &str) -> Option<&'static str> {
    let lower = word.to_ascii_lowercase();
    let lower = lower.trim_start_matches("amazon").trim_start_matches("aws");
    KNOWN_SERVICES.iter().copied().find(|s| *s == lower)
}

/// Services whose names SDKs print.
const KNOWN_SERVICES: [&str; 11] = [
    "ecr",
    "sts",
    "kms",
    "s3",
    "iam",
    "lambda",
    "codebuild",
    "codepipeline",
    "cloudformation",
    "ecs",
    "secretsmanager",
];

/// The service a message family always comes from, if it is one.
fn family_service(family: Family) -> Option<&'static str> {
    use Family as F;
    Some(match family {
        F::Registry403Forbidden
        | F::RepositoryNotFoundOrNoPullAccess
        | F::RepositoryNameUnknown
        | F::RequestedAccessDenied
        | F::PullAccessDenied
        | F::RegistryNoCredentials
        | F::RegistryTokenExpired
        | F::ImageNotFound
        | F::ImageTagAlreadyExists
        | F::DockerLoginNonTty
        | F::RegistryNetworkPath
        | F::PolicyReasonWithoutPrincipal => "ecr",
        F::KmsCiphertext | F::KmsAccessNotAllowed | F::KmsKeyUnusable => "kms",
        F::AssumeDurationExceedsMax | F::StsRegionDisabled => "sts",
        F::CodebuildCuratedImageServiceRole | F::CodebuildCrossAccountImageCodebuildCredentials => {
            "codebuild"
        }
        F::CodepipelinePermissionError
        | F::CodepipelineArtifactAccessDenied
        | F::CodepipelineArtifactReplication
        | F::CdkArtifactBucketNeedsKmsKey => "codepipeline",
        F::CrossAccountPassRole => "cloudformation",
        F::LambdaEcrImageAccessDenied | F::LambdaImageRepositoryElsewhere => "lambda",
        F::NotAuthorized | F::AccessDeniedCode | F::CredentialsInvalid => return None,
    })
}
