//! What can go wrong while polling, as values the pane and the headless command can show.

use std::error::Error;

use aws_sdk_cloudtrail::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudtrail::operation::lookup_events::LookupEventsError;

/// Error codes AWS uses for "slow down".
const THROTTLING_CODES: &[&str] = &[
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "RequestLimitExceeded",
];

/// A failed `LookupEvents` request (or poll); never contains credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TailError {
    /// AWS kept answering "slow down" after every backoff of one poll.
    #[error("LookupEvents throttled {attempts} times in a row; backing off")]
    Throttled {
        /// Consecutive throttled answers.
        attempts: u32,
    },
    /// AWS refused the request (access denied, invalid token, bad parameter…).
    #[error("{code}: {message}")]
    Service {
        /// The AWS error code.
        code: String,
        /// AWS's message.
        message: String,
    },
    /// No credentials could be resolved for the profile.
    #[error("no usable credentials: {0}")]
    Credentials(String),
    /// The request did not get an answer (DNS, connection, timeout).
    #[error("could not reach CloudTrail: {0}")]
    Network(String),
    /// Anything else the SDK reported.
    #[error("LookupEvents failed: {0}")]
    Other(String),
}

impl TailError {
    /// True for "slow down" answers, which are retried after a backoff.
    pub fn is_throttling(&self) -> bool {
        matches!(self, TailError::Throttled { .. })
            || matches!(self, TailError::Service { code, .. } if THROTTLING_CODES.contains(&code.as_str()))
    }

    /// Classifies an SDK error.
    pub fn from_sdk(err: &SdkError<LookupEventsError>) -> Self {
        // Shown in the pane and printed: never let a credential echoed by a service through.
        let context = crate::aws::errors::scrub(&causes(err));
        match err {
            SdkError::ServiceError(service) => {
                let status = service.raw().status().as_u16();
                let code = err
                    .code()
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("HTTP {status}"));
                let code = if status == 429 && !THROTTLING_CODES.contains(&code.as_str()) {
                    "TooManyRequestsException".to_owned()
                } else {
                    code
                };
                let message = err.message().map_or(context, crate::aws::errors::scrub);
                TailError::Service { code, message }
            }
            SdkError::TimeoutError(_) => TailError::Network(context),
            SdkError::DispatchFailure(failure) if failure.is_io() || failure.is_timeout() => {
                TailError::Network(context)
            }
            // Identity resolution fails before anything is sent; the SDK says "credentials".
            _ if context.to_ascii_lowercase().contains("credentials") => {
                TailError::Credentials(context)
            }
            _ => TailError::Other(context),
        }
    }
}

/// The error's message and its causes, `: `-joined, without the SDK's debug dump (which
/// repeats raw responses and is unreadable in a pane).
fn causes(err: &dyn Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        // Wrappers often repeat their source's text.
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer: {0}")]
    struct Outer(#[source] Inner);

    #[derive(Debug, thiserror::Error)]
    #[error("inner")]
    struct Inner;

    #[test]
    fn throttling_codes_are_recognised() {
        let service = |code: &str| TailError::Service {
            code: code.into(),
            message: String::new(),
        };
        assert!(service("ThrottlingException").is_throttling());
        assert!(service("TooManyRequestsException").is_throttling());
        assert!(TailError::Throttled { attempts: 1 }.is_throttling());
        assert!(!service("AccessDeniedException").is_throttling());
        assert!(!TailError::Network("reset".into()).is_throttling());
    }

    #[test]
    fn causes_skip_repeated_text() {
        assert_eq!(causes(&Outer(Inner)), "outer: inner");
    }
}
