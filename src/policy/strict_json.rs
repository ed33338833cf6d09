//! JSON with duplicate object keys refused. serde_json keeps the last of two equal keys, so
//! `{"Effect":"Deny","Effect":"Allow"}` would read as an Allow; AWS does not evaluate such a
//! document as written, and neither may crossdock. Every policy text (request files, live
//! documents) and snapshot file is checked before it is parsed.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// A duplicate key, with the path of the object holding it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: duplicate key `{key}`; a JSON object may name each key once (which one would count is ambiguous)", if .path.is_empty() { "the top-level object" } else { .path.as_str() })]
pub struct DuplicateKey {
    /// Where the object is, e.g. `request.resource_policy.Statement[2]` (empty: the root).
    pub path: String,
    /// The key named twice.
    pub key: String,
}

/// The first duplicate key in `text`, if any. Text that is not JSON has none here: the
/// caller's own parse reports that, with its line and column.
pub fn find_duplicate_key(text: &str) -> Option<DuplicateKey> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let mut found = None;
    let _ = Seed {
        path: String::new(),
        found: &mut found,
    }
    .deserialize(&mut deserializer);
    found
}

struct Seed<'a> {
    path: String,
    found: &'a mut Option<DuplicateKey>,
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        loop {
            let seed = Seed {
                path: format!("{}[{index}]", self.path),
                found: &mut *self.found,
            };
            if seq.next_element_seed(seed)?.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                *self.found = Some(DuplicateKey {
                    path: self.path.clone(),
                    key,
                });
                // Stop at the first: the error unwinds the whole parse.
                return Err(de::Error::custom("duplicate key"));
            }
            let path = if self.path.is_empty() {
                key
            } else {
                format!("{}.{key}", self.path)
            };
            map.next_value_seed(Seed {
                path,
                found: &mut *self.found,
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_duplicate_with_its_path() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow"},
            {"Effect":"Deny","Action":"*","Effect":"Allow"}]}"#;
        let found = find_duplicate_key(text).expect("duplicate");
        assert_eq!(found.path, "Statement[1]");
        assert_eq!(found.key, "Effect");
        assert!(found
            .to_string()
            .starts_with("Statement[1]: duplicate key `Effect`"));
        let root = find_duplicate_key(r#"{"a":1,"a":2}"#).expect("duplicate");
        assert!(
            root.to_string().starts_with("the top-level object"),
            "{root}"
        );
    }

    #[test]
    fn distinct_keys_and_non_json_pass() {
        assert_eq!(
            find_duplicate_key(r#"{"a":{"a":1},"b":[{"a":1},{"a":2}]}"#),
            None
        );
        assert_eq!(find_duplicate_key("{oops"), None);
        assert_eq!(find_duplicate_key(""), None);
    }
}
