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
use super::scan;

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

/// Below this size a second thread costs more than it saves.
const PARALLEL_MIN_BYTES: usize = 1 << 20;

/// A plain `{"Records": […]}` document parsed by two threads, each taking one half.
///
/// The second thread starts at a guessed record boundary past the middle; the first one
/// parses up to there and confirms the guess by landing on it exactly. A wrong guess, a
/// damaged record, or anything but `{"Records": […]}` returns `None`, and the caller
/// falls back to the one-thread path, so the result never depends on the guess.
pub(crate) fn records_in_parallel(b: &[u8]) -> Option<Vec<TrailEvent>> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if b.len() < PARALLEL_MIN_BYTES || cores < 2 {
        return None;
    }
    let open = records_array_open(b)?;
    let split = guess_boundary(b, b.len() / 2)?;
    std::thread::scope(|scope| {
        let second = std::thread::Builder::new()
            .spawn_scoped(scope, || parse_run(b, split, None))
            .ok()?;
        let first = parse_run(b, open + 1, Some(split));
        let second = second.join().ok()?;
        let (mut events, _) = first?;
        let (rest, end) = second?;
        // Only `}` may follow the array: other members go to the one-thread path.
        let close = scan::skip_ws(b, end);
        if b.get(close) != Some(&b'}') || scan::skip_ws(b, close + 1) != b.len() {
            return None;
        }
        events.extend(rest);
        Some(events)
    })
}

/// Position of `[` in a document that starts `{"Records": [`.
fn records_array_open(b: &[u8]) -> Option<usize> {
    let open = scan::skip_ws(b, 0);
    if scan::first_key(b, open)? != b"Records" {
        return None;
    }
    let key_end = scan::string_end(b, scan::skip_ws(b, open + 1)).ok()?;
    let colon = scan::skip_ws(b, key_end);
    (b.get(colon) == Some(&b':')).then_some(())?;
    let bracket = scan::skip_ws(b, colon + 1);
    (b.get(bracket) == Some(&b'[')).then_some(bracket)
}

/// The first place after `from` that looks like the start of a record in a log file.
fn guess_boundary(b: &[u8], from: usize) -> Option<usize> {
    let tail = b.get(from..)?;
    let at = memchr::memmem::find(tail, b",{\"eventVersion\"")
        .or_else(|| memchr::memmem::find(tail, b"},{"))?;
    let brace = from + at + memchr::memchr(b'{', &tail[at..])?;
    Some(brace)
}

/// Parses records from `i` up to exactly `stop` (or, without one, to the closing `]`).
///
/// Returns the events and the position after the last one (after `]` without `stop`).
fn parse_run(b: &[u8], mut i: usize, stop: Option<usize>) -> Option<(Vec<TrailEvent>, usize)> {
    let mut events = Vec::new();
    i = scan::skip_ws(b, i);
    if stop.is_none() || b.get(i) != Some(&b']') {
        loop {
            if let Some(stop) = stop {
                if i == stop {
                    return Some((events, i));
                }
                if i > stop {
                    return None;
                }
            }
            if b.get(i) != Some(&b'{') {
                return None;
            }
            let mut stream = serde_json::Deserializer::from_slice(&b[i..]).into_iter::<RawItem>();
            let raw = stream.next()?.ok()?;
            if raw.records.is_some() || raw.events.is_some() {
                return None;
            }
            events.push(from_raw(raw, SourceFormat::CloudTrailLog).ok()?);
            i = scan::skip_ws(b, i + stream.byte_offset());
            match b.get(i) {
                Some(b',') => i = scan::skip_ws(b, i + 1),
                Some(b']') => break,
                _ => return None,
            }
        }
    }
    // Reaching `]` before `stop` means the guessed boundary was inside a record.
    match stop {
        Some(_) => None,
        None => Some((events, i + 1)),
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

    fn log(records: &[String], tail: &str) -> Vec<u8> {
        format!("{{\"Records\": [{}]{tail}", records.join(",")).into_bytes()
    }

    fn records(with_version: bool) -> Vec<String> {
        let padding = "p".repeat(4096);
        let version = if with_version {
            r#""eventVersion":"1.08","#
        } else {
            ""
        };
        (0..600)
            .map(|i| {
                format!(r#"{{{version}"eventID":"e{i}","x":"{padding}","resources":[{{"ARN":"a"}},{{"ARN":"b"}}]}}"#)
            })
            .collect()
    }

    #[test]
    fn two_threads_agree_with_one() {
        let b = log(&records(true), "}\n");
        let parallel = records_in_parallel(&b).expect("clean log parses in parallel");
        assert_eq!(parallel.len(), 600);
        assert_eq!(Some(parallel), whole_container(&b));
    }

    #[test]
    fn a_wrong_guess_or_anything_odd_falls_back() {
        // Without `eventVersion` the guess lands on `},{` inside `resources`.
        let b = log(&records(false), "}");
        let guess = guess_boundary(&b, b.len() / 2).unwrap();
        assert_eq!(&b[guess..guess + 6], br#"{"ARN""#);
        assert_eq!(records_in_parallel(&b), None);
        assert_eq!(whole_container(&b).map(|e| e.len()), Some(600));

        assert_eq!(
            records_in_parallel(&log(&records(true), r#","x":1}"#)),
            None
        );
        let mut damaged = records(true);
        damaged[500] = r#"{"eventName":7}"#.into();
        assert_eq!(records_in_parallel(&log(&damaged, "}")), None);
    }
}
