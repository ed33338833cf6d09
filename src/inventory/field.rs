//! `Field<T>`: one value read from AWS, with the four states a reader can be in.
//!
//! Principle 2 of the design ("three outcomes, never two") starts here: a repository
//! policy that could not be read must never look like a repository without a policy.

use serde::{Deserialize, Serialize};

/// One piece of account data and how far reading it got.
///
/// Serialized externally tagged, so snapshots stay readable:
/// `"not_loaded"`, `"absent"`, `{"loaded": …}`, `{"unreadable": {…}}`.
/// A field missing from a snapshot file deserializes as `NotLoaded` (the file does not know it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Field<T> {
    /// Not read yet: the loader lists names cheaply and fetches details on demand.
    #[default]
    NotLoaded,
    /// Read successfully.
    Loaded(T),
    /// Read successfully, and AWS says there is none (e.g. `RepositoryPolicyNotFoundException`).
    Absent,
    /// The read failed; the reason says why, so a check can report *Unknown* with evidence.
    Unreadable(Unreadable),
}

/// Why a value could not be read: the AWS operation, its error code and message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unreadable {
    /// The IAM action of the failed call, e.g. `ecr:GetRepositoryPolicy`.
    pub operation: String,
    /// The AWS error code, e.g. `AccessDeniedException`, `ThrottlingException`.
    pub code: String,
    /// The error message as AWS returned it.
    pub message: String,
    /// What the operator can do about it, e.g. which permission the reading role lacks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Unreadable {
    /// A reason without a hint.
    pub fn new(
        operation: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            operation: operation.into(),
            code: code.into(),
            message: message.into(),
            hint: None,
        }
    }

    /// The same reason with a hint for the operator.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Whether AWS refused the read (as opposed to throttling or a network failure).
    pub fn is_access_denied(&self) -> bool {
        // CloudTrail and the SDKs spell it both ways; see FAILURE-CATALOG §1.
        matches!(
            self.code.as_str(),
            "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation"
        )
    }
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} failed: {}: {}",
            self.operation, self.code, self.message
        )?;
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

impl<T> Field<T> {
    /// The value if it was loaded.
    pub fn loaded(&self) -> Option<&T> {
        match self {
            Field::Loaded(value) => Some(value),
            _ => None,
        }
    }

    /// The value if it was loaded, by value.
    pub fn into_loaded(self) -> Option<T> {
        match self {
            Field::Loaded(value) => Some(value),
            _ => None,
        }
    }

    /// The failure reason if the read failed.
    pub fn unreadable(&self) -> Option<&Unreadable> {
        match self {
            Field::Unreadable(reason) => Some(reason),
            _ => None,
        }
    }

    /// Whether the value was read.
    pub fn is_loaded(&self) -> bool {
        matches!(self, Field::Loaded(_))
    }

    /// Whether AWS confirmed there is no value.
    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }

    /// Whether the read has not happened yet.
    pub fn is_not_loaded(&self) -> bool {
        matches!(self, Field::NotLoaded)
    }

    /// Whether the outcome is settled (loaded or absent): a check can decide on it.
    pub fn is_known(&self) -> bool {
        matches!(self, Field::Loaded(_) | Field::Absent)
    }

    /// Borrows the value, keeping the state.
    pub fn as_ref(&self) -> Field<&T> {
        match self {
            Field::NotLoaded => Field::NotLoaded,
            Field::Loaded(value) => Field::Loaded(value),
            Field::Absent => Field::Absent,
            Field::Unreadable(reason) => Field::Unreadable(reason.clone()),
        }
    }

    /// Transforms a loaded value, keeping every other state.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Field<U> {
        match self {
            Field::NotLoaded => Field::NotLoaded,
            Field::Loaded(value) => Field::Loaded(f(value)),
            Field::Absent => Field::Absent,
            Field::Unreadable(reason) => Field::Unreadable(reason),
        }
    }

    /// Chains a lookup that can itself be absent or unknown (e.g. a role's boundary document).
    pub fn and_then<U>(self, f: impl FnOnce(T) -> Field<U>) -> Field<U> {
        match self {
            Field::NotLoaded => Field::NotLoaded,
            Field::Loaded(value) => f(value),
            Field::Absent => Field::Absent,
            Field::Unreadable(reason) => Field::Unreadable(reason),
        }
    }

    /// The state's name as used in snapshots (`loaded`, `absent`, …), for display.
    pub fn state_name(&self) -> &'static str {
        match self {
            Field::NotLoaded => "not_loaded",
            Field::Loaded(_) => "loaded",
            Field::Absent => "absent",
            Field::Unreadable(_) => "unreadable",
        }
    }
}

impl<T> From<Option<T>> for Field<T> {
    /// `Some` is loaded, `None` is absent: for API results where "none" is an answer.
    fn from(value: Option<T>) -> Self {
        match value {
            Some(value) => Field::Loaded(value),
            None => Field::Absent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn denied() -> Unreadable {
        Unreadable::new(
            "ecr:GetRepositoryPolicy",
            "AccessDeniedException",
            "User: arn:aws:sts::111111111111:assumed-role/reader/s is not authorized",
        )
        .with_hint("grant ecr:GetRepositoryPolicy to the reading role")
    }

    #[test]
    fn states_are_distinguished() {
        let loaded: Field<u32> = Field::Loaded(3);
        assert!(loaded.is_loaded() && loaded.is_known());
        assert_eq!(loaded.loaded(), Some(&3));
        assert!(Field::<u32>::Absent.is_known());
        assert!(!Field::<u32>::NotLoaded.is_known());
        let unreadable: Field<u32> = Field::Unreadable(denied());
        assert!(!unreadable.is_known());
        assert!(unreadable
            .unreadable()
            .is_some_and(Unreadable::is_access_denied));
        assert_eq!(unreadable.state_name(), "unreadable");
    }

    #[test]
    fn serde_round_trips_every_state() {
        let fields: Vec<Field<serde_json::Value>> = vec![
            Field::NotLoaded,
            Field::Loaded(json!({"Version": "2012-10-17", "Statement": []})),
            Field::Absent,
            Field::Unreadable(denied()),
        ];
        let text = serde_json::to_string(&fields).expect("serialize");
        assert!(text.starts_with(r#"["not_loaded",{"loaded":{"Version""#));
        let back: Vec<Field<serde_json::Value>> = serde_json::from_str(&text).expect("parse");
        assert_eq!(back, fields);
    }

    proptest::proptest! {
        #[test]
        fn serde_round_trips_any_loaded_string(value in ".*", state in 0u8..4) {
            let field = match state {
                0 => Field::NotLoaded,
                1 => Field::Loaded(value),
                2 => Field::Absent,
                _ => Field::Unreadable(Unreadable::new("op", "Code", value)),
            };
            let text = serde_json::to_string(&field).expect("serialize");
            let back: Field<String> = serde_json::from_str(&text).expect("parse");
            proptest::prop_assert_eq!(back, field);
        }
    }

    #[test]
    fn unreadable_display_names_operation_and_hint() {
        let text = denied().to_string();
        assert!(text.starts_with("ecr:GetRepositoryPolicy failed: AccessDeniedException"));
        assert!(text.ends_with("(grant ecr:GetRepositoryPolicy to the reading role)"));
    }

    #[test]
    fn map_and_and_then_keep_states() {
        let f: Field<u32> = Field::Unreadable(denied());
        assert_eq!(f.clone().map(|v| v + 1), Field::Unreadable(denied()));
        assert_eq!(
            Field::Loaded(1).and_then(|_| Field::<u8>::Absent),
            Field::Absent
        );
        assert_eq!(Field::from(Some(2)), Field::Loaded(2));
        assert_eq!(Field::<u8>::from(None), Field::Absent);
    }
}
