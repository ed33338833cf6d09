//! The optimistic path: one serde pass over a whole well-formed container.
//!
//! Almost every real input is intact, so it is parsed first as one document, records
//! converted as they stream by. If anything at all is off (a syntax error, a record that
//! is not an event, trailing data), the result is thrown away and the careful per-record
//! path in `parse` runs instead, which can say where each problem is.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::convert::from_raw;
use super::model::{SourceFormat, TrailEvent};
use super::raw::RawItem;

/// Events of a whole `{"Records"|"Events": […]}` object or top-level array, if all is well.
pub(crate) fn whole_container(bytes: &[u8]) -> Option<Vec<TrailEvent>> {
    let mut events = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    Top {
        events: &mut events,
    }
    .deserialize(&mut de)
    .ok()?;
    de.end().ok()?;
    Some(events)
}

/// Marker error meaning "leave it to the careful path".
fn bail<E: de::Error>() -> E {
    E::custom("not a clean container")
}

struct Top<'v> {
    events: &'v mut Vec<TrailEvent>,
}

impl<'de> DeserializeSeed<'de> for Top<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a CloudTrail container")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        Records {
            events: self.events,
            bare: SourceFormat::Record,
            _de: PhantomData,
        }
        .visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut containers = 0;
        #[derive(serde::Deserialize)]
        #[serde(field_identifier)]
        enum Key {
            Records,
            Events,
            #[serde(other)]
            Other,
        }
        while let Some(key) = map.next_key::<Key>()? {
            let bare = match key {
                Key::Records => SourceFormat::CloudTrailLog,
                Key::Events => SourceFormat::Record,
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            containers += 1;
            map.next_value_seed(Records {
                events: &mut *self.events,
                bare,
                _de: PhantomData,
            })?;
        }
        // A lone record is not a container; the careful path handles it.
        if containers == 0 {
            return Err(bail());
        }
        Ok(())
    }
}

struct Records<'v, 'de> {
    events: &'v mut Vec<TrailEvent>,
    bare: SourceFormat,
    _de: PhantomData<&'de ()>,
}

impl<'de> DeserializeSeed<'de> for Records<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Records<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<RawItem<'de>>()? {
            if raw.records.is_some() || raw.events.is_some() {
                return Err(bail());
            }
            match from_raw(raw, self.bare) {
                Ok(event) => self.events.push(event),
                Err(_) => return Err(bail()),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_containers_pass_and_anything_odd_bails() {
        let ok = br#"{"Records":[{"eventName":"A"},{"eventName":"B"}]}"#;
        assert_eq!(whole_container(ok).map(|e| e.len()), Some(2));
        let ok = br#"[{"eventName":"A"}]"#;
        assert_eq!(whole_container(ok).map(|e| e.len()), Some(1));
        for bad in [
            &br#"{"Records":[{"eventName":"A"},{}]}"#[..],
            br#"{"Records":[{"eventName":"A"}]} {"Records":[]}"#,
            br#"{"Records":[{"eventName":"A"}"#,
            br#"{"eventName":"A"}"#,
            br#"{"Records":[{"Records":[]}]}"#,
        ] {
            assert_eq!(
                whole_container(bad),
                None,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
