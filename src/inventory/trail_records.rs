//! `TrailRecords`: an account's CloudTrail records held compactly — the records' compact JSON
//! in text blocks of about 1 MiB, and where each record sits — instead of one
//! `serde_json::Value` tree per record (about 5 KiB each with their maps: 100,000 records held
//! half a gigabyte). Fixed-size blocks, not one growing string, so loading never holds a
//! doubled copy. A record is parsed again only when someone looks at it.

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, SerializeSeq, Serializer};
use serde_json::Value;

/// The size of one text block (a record longer than this gets a block of its own).
const BLOCK: usize = 1 << 20;

/// CloudTrail records in arrival order, each kept as its compact JSON text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrailRecords {
    blocks: Vec<String>,
    /// Per record: its block, and where it starts and ends in the block.
    places: Vec<(u32, u32, u32)>,
}

impl TrailRecords {
    /// No records.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one record (stored as its compact JSON).
    pub fn push(&mut self, record: &Value) {
        // Writing a `Value` into a `String` cannot fail: its keys are strings.
        let compact = serde_json::to_string(record).unwrap_or_default();
        let fits = self
            .blocks
            .last()
            .is_some_and(|b| b.capacity() - b.len() >= compact.len());
        if !fits {
            self.blocks
                .push(String::with_capacity(BLOCK.max(compact.len())));
        }
        let index = self.blocks.len() - 1;
        let block = &mut self.blocks[index];
        let start = block.len();
        block.push_str(&compact);
        // Blocks stay far below 4 GiB; a record larger than that is not a CloudTrail record.
        let place = (
            u32::try_from(index).unwrap_or(u32::MAX),
            u32::try_from(start).unwrap_or(u32::MAX),
            u32::try_from(block.len()).unwrap_or(u32::MAX),
        );
        self.places.push(place);
    }

    /// How many records are held.
    pub fn len(&self) -> usize {
        self.places.len()
    }

    /// Whether no record is held.
    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    /// Record `index` as the compact JSON text it was stored as.
    pub fn raw(&self, index: usize) -> Option<&str> {
        let &(block, start, end) = self.places.get(index)?;
        self.blocks
            .get(block as usize)?
            .get(start as usize..end as usize)
    }

    /// Record `index`, parsed.
    pub fn get(&self, index: usize) -> Option<Value> {
        self.raw(index)
            .and_then(|text| serde_json::from_str(text).ok())
    }

    /// Every record's text, in order.
    pub fn iter_raw(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.raw(i).unwrap_or("null"))
    }

    /// Every record, parsed, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Value> + '_ {
        self.iter_raw()
            .map(|text| serde_json::from_str(text).unwrap_or(Value::Null))
    }

    /// Bytes held (the text and the index), for memory figures.
    pub fn heap_bytes(&self) -> usize {
        self.blocks.iter().map(String::capacity).sum::<usize>()
            + self.places.capacity() * std::mem::size_of::<(u32, u32, u32)>()
    }
}

impl Extend<Value> for TrailRecords {
    fn extend<I: IntoIterator<Item = Value>>(&mut self, records: I) {
        for record in records {
            self.push(&record);
        }
    }
}

impl FromIterator<Value> for TrailRecords {
    fn from_iter<I: IntoIterator<Item = Value>>(records: I) -> Self {
        let mut held = Self::new();
        held.extend(records);
        held
    }
}

impl From<Vec<Value>> for TrailRecords {
    fn from(records: Vec<Value>) -> Self {
        records.into_iter().collect()
    }
}

/// Written as the JSON array of records snapshots always had.
impl Serialize for TrailRecords {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for record in self.iter() {
            seq.serialize_element(&record)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for TrailRecords {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<Value>::deserialize(deserializer).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn records_come_back_as_they_went_in() {
        let records = vec![
            json!({"eventName": "PutImage", "eventTime": "2026-12-01T00:00:00Z"}),
            json!({"eventName": "AssumeRole", "errorCode": "AccessDenied", "n": [1, 2]}),
            json!({}),
        ];
        let held = TrailRecords::from(records.clone());
        assert_eq!(held.len(), 3);
        assert_eq!(held.iter().collect::<Vec<_>>(), records);
        assert_eq!(held.get(1), Some(records[1].clone()));
        assert_eq!(held.raw(2), Some("{}"));
        assert_eq!(held.get(3), None);
    }

    #[test]
    fn serialises_as_the_plain_array_snapshots_hold() {
        let records = vec![json!({"eventName": "PutImage"}), json!({"b": 1})];
        let held = TrailRecords::from(records.clone());
        let text = serde_json::to_string(&held).expect("JSON");
        assert_eq!(text, serde_json::to_string(&records).expect("JSON"));
        let back: TrailRecords = serde_json::from_str(&text).expect("read back");
        assert_eq!(back, held);
    }

    #[test]
    fn a_record_costs_its_text_not_a_tree() {
        let pad = "x".repeat(500);
        let record = json!({"eventName": "PutImage", "requestParameters": {"pad": pad}});
        let count = 10_000;
        let held: TrailRecords = std::iter::repeat_n(record.clone(), count).collect();
        let text = serde_json::to_string(&record).expect("JSON").len();
        // The text, one partly filled block and the index: never a doubled copy.
        let bound = count * (text + 16) + BLOCK;
        assert!(
            held.heap_bytes() <= bound,
            "{} > {bound}",
            held.heap_bytes()
        );
        assert_eq!(held.get(count - 1), Some(record));
    }

    #[test]
    fn records_larger_than_a_block_get_their_own() {
        let big = json!({"blob": "y".repeat(BLOCK + 10)});
        let small = json!({"eventName": "PutImage"});
        let held = TrailRecords::from(vec![small.clone(), big.clone(), small.clone()]);
        assert_eq!(held.iter().collect::<Vec<_>>(), [small.clone(), big, small]);
    }
}
