//! The one overall deadline of a live load: a question's identity probes and reads
//! (`explain`), the console's background loads (a profile's listing, a detail, a question,
//! a CloudTrail poll) and each `trail` poll. The per-call deadline of the gateway bounds one
//! call; this bounds everything one load does, so an unreachable endpoint gives an answer
//! within a known time instead of five timed-out attempts per call, call after call.

use std::time::Duration;

/// The environment variable that sets the deadline of one live load, in seconds.
pub const DEADLINE_ENV: &str = "CROSSDOCK_QUESTION_DEADLINE";

/// The deadline when [`DEADLINE_ENV`] is unset or not a positive number of seconds.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(180);

/// How long one live load may take: [`DEADLINE_ENV`] seconds, else [`DEFAULT_DEADLINE`].
pub fn load_deadline() -> Duration {
    parse_deadline(std::env::var(DEADLINE_ENV).ok().as_deref())
}

/// [`load_deadline`] from the variable's value (`None`: unset).
pub fn parse_deadline(value: Option<&str>) -> Duration {
    value
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&secs| secs > 0)
        .map_or(DEFAULT_DEADLINE, Duration::from_secs)
}

/// A live load that did not finish within its deadline.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{who}: no answer within {} s while {what}; {DEADLINE_ENV}=SECONDS allows longer (AWS is slow or unreachable: check the network path and the profile's endpoint_url)",
    deadline.as_secs()
)]
pub struct DeadlinePassed {
    /// Whose load: "profile `dev`", "profiles `a`, `b`".
    pub who: String,
    /// What was being read, as a clause: "listing the account's resources".
    pub what: String,
    /// The deadline that passed.
    pub deadline: Duration,
}

impl DeadlinePassed {
    /// The deadline passed while `profile` read `what`.
    pub fn for_profile(profile: &str, what: impl Into<String>, deadline: Duration) -> Self {
        DeadlinePassed {
            who: format!("profile `{profile}`"),
            what: what.into(),
            deadline,
        }
    }

    /// The deadline passed while several profiles (a question's accounts) read `what`.
    pub fn for_profiles(profiles: &[String], what: impl Into<String>, deadline: Duration) -> Self {
        let who = match profiles {
            [] => "the live accounts".to_string(),
            [one] => format!("profile `{one}`"),
            many => format!(
                "profiles {}",
                many.iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        DeadlinePassed {
            who,
            what: what.into(),
            deadline,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadline_is_configurable_and_falls_back_on_bad_values() {
        assert_eq!(parse_deadline(None), DEFAULT_DEADLINE);
        assert_eq!(parse_deadline(Some(" 7 ")), Duration::from_secs(7));
        assert_eq!(parse_deadline(Some("0")), DEFAULT_DEADLINE);
        assert_eq!(parse_deadline(Some("soon")), DEFAULT_DEADLINE);
    }

    #[test]
    fn the_message_names_who_what_and_how_to_wait_longer() {
        let passed = DeadlinePassed::for_profile(
            "dev",
            "listing the account's resources",
            Duration::from_secs(5),
        );
        let text = passed.to_string();
        assert!(
            text.starts_with(
                "profile `dev`: no answer within 5 s while listing the account's resources"
            ),
            "{text}"
        );
        assert!(
            text.contains("CROSSDOCK_QUESTION_DEADLINE=SECONDS"),
            "{text}"
        );
        let many = DeadlinePassed::for_profiles(
            &["a".into(), "b".into()],
            "answering",
            Duration::from_secs(1),
        );
        assert!(many.to_string().starts_with("profiles `a`, `b`:"));
    }
}
