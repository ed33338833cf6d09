//! The parsed policy store: every policy document is parsed once, kept by its location
//! (account and where it lives: a repository's policy, a role's inline policy NAME, a managed
//! policy version, a key policy…) and reused by every check and every question until the
//! accounts change. Any change to the accounts (a load, a reload, a what-if edit) bumps the
//! generation and empties the store, so a stale parse can never be read.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::policy::PolicyDocument;

/// A parsed document (shared), or why it is not a valid policy.
pub type Parsed = Result<Arc<PolicyDocument>, Arc<str>>;

/// Parsed documents by location, valid for one generation of the accounts.
#[derive(Default)]
pub struct PolicyStore {
    generation: u64,
    parsed: Mutex<HashMap<String, Parsed>>,
    parses: Mutex<u64>,
    /// Valid documents by a hash of their text: two locations holding the same document
    /// share one `Arc`, so callers can tell identical policy sets apart by pointer (a
    /// reverse question evaluates each distinct set of a thousand cloned roles once).
    by_content: Mutex<HashMap<u64, Vec<Arc<PolicyDocument>>>>,
}

impl PolicyStore {
    /// The document at `location` (e.g. `222222222222 repository policy of arn:…`), parsed
    /// from `raw` the first time it is asked for in this generation.
    pub fn parsed(&self, location: &str, raw: &Value) -> Parsed {
        let mut parsed = self.parsed.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = parsed.get(location) {
            return found.clone();
        }
        let document: Parsed = PolicyDocument::from_value(raw)
            .map(|document| self.shared(raw, document))
            .map_err(|e| Arc::from(e.to_string()));
        *self.parses.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        parsed.insert(location.to_string(), document.clone());
        document
    }

    /// The one shared copy of `document` (parsed from `raw`) among the documents parsed in
    /// this generation.
    fn shared(&self, raw: &Value, document: PolicyDocument) -> Arc<PolicyDocument> {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        hash_value(raw, &mut hasher);
        let key = std::hash::Hasher::finish(&hasher);
        let mut by_content = self.by_content.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = by_content.entry(key).or_default();
        if let Some(same) = bucket.iter().find(|d| ***d == document) {
            return same.clone();
        }
        let document = Arc::new(document);
        bucket.push(document.clone());
        document
    }

    /// The generation: bumped by every change to the accounts.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// How many documents were parsed in this generation (each location at most once).
    pub fn parses(&self) -> u64 {
        *self.parses.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets every parse: the accounts are about to change.
    pub fn invalidate(&mut self) {
        self.generation += 1;
        self.parsed
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        *self.parses.get_mut().unwrap_or_else(|e| e.into_inner()) = 0;
        self.by_content
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

/// Hashes a JSON value structurally (object keys in their stored order, which serde_json
/// keeps sorted).
fn hash_value(value: &Value, hasher: &mut impl std::hash::Hasher) {
    use std::hash::Hash;
    match value {
        Value::Null => 0u8.hash(hasher),
        Value::Bool(b) => (1u8, b).hash(hasher),
        Value::Number(n) => (2u8, n.to_string()).hash(hasher),
        Value::String(s) => (3u8, s).hash(hasher),
        Value::Array(items) => {
            (4u8, items.len()).hash(hasher);
            for item in items {
                hash_value(item, hasher);
            }
        }
        Value::Object(map) => {
            (5u8, map.len()).hash(hasher);
            for (key, item) in map {
                key.hash(hasher);
                hash_value(item, hasher);
            }
        }
    }
}

/// A copy of the accounts starts with the same generation and parses again on demand.
impl Clone for PolicyStore {
    fn clone(&self) -> Self {
        Self {
            generation: self.generation,
            parsed: Mutex::default(),
            parses: Mutex::default(),
            by_content: Mutex::default(),
        }
    }
}

/// The store is a cache of the accounts' documents, not data of its own.
impl PartialEq for PolicyStore {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for PolicyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicyStore")
            .field("generation", &self.generation)
            .field("parses", &self.parses())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_location_is_parsed_once_per_generation() {
        let mut store = PolicyStore::default();
        let raw = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]});
        let first = store.parsed("p", &raw);
        let again = store.parsed("p", &raw);
        assert!(Arc::ptr_eq(&first.expect("valid"), &again.expect("valid")));
        assert_eq!(store.parses(), 1);
        store.invalidate();
        assert_eq!(store.generation(), 1);
        assert!(store.parsed("p", &raw).is_ok());
        assert_eq!(store.parses(), 1);
        let bad = store.parsed("q", &json!({"Statement": 3}));
        assert!(bad.is_err());
    }

    #[test]
    fn identical_documents_at_two_locations_share_one_parse() {
        let store = PolicyStore::default();
        let raw = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]});
        let other = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "ecr:*", "Resource": "*"}]});
        let one = store.parsed("role/a inline x", &raw).expect("valid");
        let two = store.parsed("role/b inline x", &raw).expect("valid");
        let three = store.parsed("role/c inline x", &other).expect("valid");
        assert!(Arc::ptr_eq(&one, &two));
        assert!(!Arc::ptr_eq(&one, &three));
        assert_eq!(store.parses(), 3);
    }
}
