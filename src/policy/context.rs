//! The request context: condition keys and their values, looked up case-insensitively.

use serde::Serialize;

/// The value(s) of one context key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ContextValue {
    /// A single-valued key such as `aws:SourceArn`.
    Single(String),
    /// A multi-valued key such as `aws:TagKeys` (may be empty).
    Multi(Vec<String>),
}

impl ContextValue {
    /// The values as a slice.
    pub fn values(&self) -> &[String] {
        match self {
            ContextValue::Single(value) => std::slice::from_ref(value),
            ContextValue::Multi(values) => values,
        }
    }

    /// True for an empty multi-valued key, which IAM treats like a missing one.
    pub fn is_empty(&self) -> bool {
        matches!(self, ContextValue::Multi(values) if values.is_empty())
    }
}

/// Condition keys of one request. Key names compare case-insensitively, as in IAM.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestContext {
    entries: Vec<(String, ContextValue)>,
}

impl RequestContext {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` (replacing any value under the same key in another case).
    pub fn insert(&mut self, key: impl Into<String>, value: ContextValue) {
        let key = key.into();
        match self
            .entries
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(&key))
        {
            Some(entry) => entry.1 = value,
            None => self.entries.push((key, value)),
        }
    }

    /// Sets `key` only when it is not present yet.
    pub fn insert_if_absent(&mut self, key: &str, value: ContextValue) {
        if self.get(key).is_none() {
            self.entries.push((key.to_string(), value));
        }
    }

    /// Looks `key` up, ignoring case.
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        self.entries
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }

    /// The value of a single-valued key; `None` when missing or multi-valued.
    pub fn get_single(&self, key: &str) -> Option<&str> {
        match self.get(key)? {
            ContextValue::Single(value) => Some(value),
            ContextValue::Multi(_) => None,
        }
    }

    /// All entries in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_case_insensitive() {
        let mut ctx = RequestContext::new();
        ctx.insert("aws:SourceArn", ContextValue::Single("x".into()));
        assert_eq!(ctx.get_single("AWS:SOURCEARN"), Some("x"));
        ctx.insert("aws:sourcearn", ContextValue::Single("y".into()));
        assert_eq!(ctx.get_single("aws:SourceArn"), Some("y"));
        ctx.insert_if_absent("AWS:SourceArn", ContextValue::Single("z".into()));
        assert_eq!(ctx.get_single("aws:SourceArn"), Some("y"));
        assert_eq!(ctx.iter().count(), 1);
    }

    #[test]
    fn empty_multi_value_counts_as_empty() {
        assert!(ContextValue::Multi(vec![]).is_empty());
        assert!(!ContextValue::Single(String::new()).is_empty());
    }
}
