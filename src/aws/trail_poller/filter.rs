//! Which events a poller asks CloudTrail for.
//!
//! `LookupEvents` takes one lookup attribute per request, so each event name is its own
//! request stream; every stream shares the account's rate limiter.

use std::fmt;

/// The event names the console knows by heart (the `--events` help lists them).
pub const KNOWN_EVENT_NAMES: &[&str] = &[
    "PutImage",
    "BatchGetImage",
    "GetDownloadUrlForLayer",
    "InitiateLayerUpload",
    "AssumeRole",
    "GetAuthorizationToken",
];

/// Words that mean "every event, unfiltered".
const ANY: &[&str] = &["any", "all", "*"];

/// The event names to follow, or every event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventFilter {
    /// One request stream per name, in the given order, without repeats.
    Names(Vec<String>),
    /// One unfiltered request stream.
    Any,
}

/// A `--events` value that is not a list of event names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid event name {name:?}: expected names like {} or `any`", KNOWN_EVENT_NAMES.join(", "))]
pub struct FilterError {
    /// The offending item.
    pub name: String,
}

impl Default for EventFilter {
    /// `PutImage`: the event scenario S3 is about.
    fn default() -> Self {
        EventFilter::Names(vec!["PutImage".to_owned()])
    }
}

impl EventFilter {
    /// Parses items such as `["PutImage", "AssumeRole"]`, each possibly comma-separated.
    ///
    /// Known names are matched case-insensitively and spelled as CloudTrail does (its
    /// lookup is case-sensitive); other alphanumeric names pass as given; `any`, `all`
    /// or `*` anywhere means every event. No items means the default, `PutImage`.
    pub fn parse<S: AsRef<str>>(items: &[S]) -> Result<Self, FilterError> {
        let mut names: Vec<String> = Vec::new();
        for item in items.iter().flat_map(|s| s.as_ref().split(',')) {
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            if ANY.iter().any(|a| a.eq_ignore_ascii_case(item)) {
                return Ok(EventFilter::Any);
            }
            if !item.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(FilterError {
                    name: item.to_owned(),
                });
            }
            let name = KNOWN_EVENT_NAMES
                .iter()
                .find(|k| k.eq_ignore_ascii_case(item))
                .map_or_else(|| item.to_owned(), |k| (*k).to_owned());
            if !names.contains(&name) {
                names.push(name);
            }
        }
        Ok(if names.is_empty() {
            EventFilter::default()
        } else {
            EventFilter::Names(names)
        })
    }

    /// The lookup value of each request stream (`None`: unfiltered).
    pub fn streams(&self) -> Vec<Option<String>> {
        match self {
            EventFilter::Names(names) => names.iter().cloned().map(Some).collect(),
            EventFilter::Any => vec![None],
        }
    }
}

impl fmt::Display for EventFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventFilter::Names(names) => f.write_str(&names.join(",")),
            EventFilter::Any => f.write_str("any"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lists_canonical_names_and_any() {
        assert_eq!(EventFilter::parse::<&str>(&[]), Ok(EventFilter::default()));
        assert_eq!(
            EventFilter::parse(&["putimage,BatchGetImage", "PutImage", "MyEvent"]),
            Ok(EventFilter::Names(vec![
                "PutImage".into(),
                "BatchGetImage".into(),
                "MyEvent".into()
            ]))
        );
        assert_eq!(EventFilter::parse(&["PutImage,ANY"]), Ok(EventFilter::Any));
        assert_eq!(EventFilter::Any.streams(), vec![None]);
        assert!(EventFilter::parse(&["Put Image"]).is_err());
        assert_eq!(
            EventFilter::parse(&["AssumeRole", "GetAuthorizationToken"])
                .unwrap()
                .to_string(),
            "AssumeRole,GetAuthorizationToken"
        );
    }
}
