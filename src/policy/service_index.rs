//! The evaluator's per-document pre-filter: which statements can match an action of a given
//! service. Worked out once when a document is parsed, so a request for `kms:Decrypt` skips
//! the pattern matching of every statement that names only `ecr:` actions.

use super::document::{ActionPattern, Statement};

/// Services past the first 63 of a document share this bit, as do actions of services the
/// document never names: a statement with it is matched pattern by pattern, as before.
const SHARED_BIT: u64 = 1 << 63;

/// How many services get a bit of their own.
const OWN_BITS: usize = 63;

/// The services a document's action patterns name literally, and per statement the bits of
/// the services it can match (all bits for a pattern such as `*` or `*:Describe*`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceIndex {
    /// Lower-cased service prefixes, in order of first appearance.
    services: Vec<Box<str>>,
    /// One mask per statement, by statement index.
    masks: Vec<u64>,
}

/// The bit(s) of one request action's service within one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceBits(u64);

impl ServiceIndex {
    /// Indexes `statements` (in document order, each at its `index`).
    pub fn build(statements: &[Statement]) -> Self {
        let mut index = ServiceIndex::default();
        index.masks = statements
            .iter()
            .map(|statement| {
                statement
                    .action
                    .patterns
                    .iter()
                    .fold(0, |mask, pattern| mask | index.bit_for_pattern(pattern))
            })
            .collect();
        index
    }

    fn bit_for_pattern(&mut self, pattern: &ActionPattern) -> u64 {
        let Some(service) = pattern.literal_service() else {
            return u64::MAX;
        };
        let position = match self.position(service) {
            Some(position) => position,
            None => {
                self.services.push(service.into());
                self.services.len() - 1
            }
        };
        bit_at(position)
    }

    fn position(&self, service: &str) -> Option<usize> {
        self.services
            .iter()
            .position(|s| s.eq_ignore_ascii_case(service))
    }

    /// The bits that `action` (e.g. `ecr:BatchGetImage`) can match in this document.
    pub fn bits(&self, action: &str) -> ServiceBits {
        match action.split_once(':') {
            // Not `service:name`: let every statement's patterns decide.
            None => ServiceBits(u64::MAX),
            Some((service, _)) => ServiceBits(self.position(service).map_or(SHARED_BIT, bit_at)),
        }
    }

    /// False when statement `index` certainly has no Action pattern matching an action with
    /// `bits` (so Action misses and NotAction covers it); true when its patterns must decide.
    pub fn may_match(&self, index: usize, bits: ServiceBits) -> bool {
        self.masks.get(index).is_none_or(|mask| mask & bits.0 != 0)
    }
}

fn bit_at(position: usize) -> u64 {
    if position < OWN_BITS {
        1 << position
    } else {
        SHARED_BIT
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::PolicyDocument;
    use serde_json::json;

    fn document(actions: &[serde_json::Value]) -> PolicyDocument {
        let statements: Vec<_> = actions
            .iter()
            .map(|a| json!({"Effect": "Allow", "Action": a, "Resource": "*"}))
            .collect();
        PolicyDocument::from_value(&json!({"Version": "2012-10-17", "Statement": statements}))
            .unwrap()
    }

    #[test]
    fn statements_of_other_services_are_skipped() {
        let doc = document(&[
            json!("ecr:BatchGetImage"),
            json!(["kms:Decrypt", "KMS:Encrypt"]),
            json!("*"),
            json!("ec*:Get*"),
        ]);
        let index = doc.service_index();
        let kms = index.bits("Kms:Decrypt");
        assert!(!index.may_match(0, kms));
        assert!(index.may_match(1, kms));
        assert!(index.may_match(2, kms), "`*` matches every service");
        assert!(
            index.may_match(3, kms),
            "a wildcard in the service matches any"
        );
        let s3 = index.bits("s3:GetObject");
        assert!(!index.may_match(0, s3) && !index.may_match(1, s3));
        assert!(index.may_match(2, s3));
        assert!(index.may_match(0, index.bits("no-colon")));
        assert!(
            index.may_match(9, s3),
            "unknown statements are never skipped"
        );
    }

    #[test]
    fn services_past_the_own_bits_share_one() {
        let actions: Vec<_> = (0..70).map(|i| json!(format!("svc{i}:Get"))).collect();
        let doc = document(&actions);
        let index = doc.service_index();
        let late = index.bits("svc69:Get");
        assert!(index.may_match(69, late));
        assert!(index.may_match(65, late), "shared bit: patterns decide");
        assert!(!index.may_match(0, late));
        assert!(index.may_match(65, index.bits("other:Get")));
        assert!(!index.may_match(1, index.bits("svc0:Get")));
    }
}
