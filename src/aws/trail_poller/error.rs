//! What can go wrong while polling, as values the pane and the headless command can show.

use aws_sdk_cloudtrail::error::SdkError;
use aws_sdk_cloudtrail::operation::lookup_events::LookupEventsError;

use crate::aws::errors::{self, Failure, FailureKind};

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
    /// The poll did not finish within its deadline ([`crate::deadline`]).
    #[error(
        "no answer from CloudTrail LookupEvents within {} s; {}=SECONDS allows longer (AWS is slow or unreachable: check the network path and the profile's endpoint_url)",
        deadline.as_secs(),
        crate::deadline::DEADLINE_ENV
    )]
    Deadline {
        /// The deadline that passed.
        deadline: std::time::Duration,
    },
}

impl TailError {
    /// True for "slow down" answers, which are retried after a backoff.
    pub fn is_throttling(&self) -> bool {
        self.kind() == FailureKind::Throttled
    }

    /// The class of this error in the loader's taxonomy ([`crate::aws::errors`]).
    pub fn kind(&self) -> FailureKind {
        match self {
            TailError::Throttled { .. } => FailureKind::Throttled,
            TailError::Service { code, .. } => FailureKind::of(code),
            TailError::Credentials(_) => FailureKind::Credentials,
            TailError::Network(_) | TailError::Deadline { .. } => FailureKind::Network,
            TailError::Other(_) => FailureKind::Other,
        }
    }

    /// Classifies an SDK error the way the loader does ([`errors::classify`]): AWS's answers
    /// keep their code and message; failures before an answer are credentials, network or other.
    pub fn from_sdk(err: &SdkError<LookupEventsError>) -> Self {
        let Failure {
            code,
            message,
            kind,
            answered,
        } = errors::classify(err);
        match kind {
            _ if answered => TailError::Service { code, message },
            FailureKind::Credentials => TailError::Credentials(message),
            FailureKind::Network => TailError::Network(message),
            _ => TailError::Other(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // One taxonomy: what the loader calls throttling, the poller retries.
        assert!(service("SlowDown").is_throttling());
        assert_eq!(
            service("ExpiredTokenException").kind(),
            FailureKind::Credentials
        );
        assert_eq!(service("AccessDeniedException").kind(), FailureKind::Denied);
    }
}
