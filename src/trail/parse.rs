//! Entry points: bytes in, events and per-record errors out. Never panics, never drops.

use std::fmt;

use serde::Serialize;

use super::convert::{parse_item, Item, RecordParseError};
use super::fast;
use super::input::{
    bom_len, decompress_within, is_gzip, layout, Layout, MAX_DECOMPRESSED, MAX_TOTAL_INPUT,
};
use super::model::{SourceFormat, TrailEvent};
use super::scan::{self, ScanError};

/// At most this many errors are kept per outcome; the rest are only counted.
pub const MAX_STORED_ERRORS: usize = 10_000;

/// Inputs at least this large are parsed on two threads when two cores are there.
const PARALLEL_MIN_BYTES: usize = 1 << 20;

/// A record (or a stretch of input) that could not be turned into an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{input}: {location}: {reason}")]
pub struct RecordError {
    /// Name of the input (file name, `stdin`, `LookupEvents page 3`…).
    pub input: String,
    /// Where in the input.
    pub location: Location,
    /// Short reason, without serde's own position.
    pub reason: String,
}

/// Position of a `RecordError`: 1-based line, and the container slot when there is one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Location {
    /// 1-based line of the record's first byte (or of the damage).
    pub line: Option<usize>,
    /// `Records`, `Events` or `[]` for a top-level array.
    pub container: Option<&'static str>,
    /// 0-based index in that container.
    pub index: Option<usize>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(line) = self.line {
            parts.push(format!("line {line}"));
        }
        match (self.container, self.index) {
            (Some("[]"), Some(i)) => parts.push(format!("[{i}]")),
            (Some(c), Some(i)) => parts.push(format!("{c}[{i}]")),
            _ => {}
        }
        if parts.is_empty() {
            f.write_str("input")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

/// What was learnt about one input as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputInfo {
    /// Name given by the caller.
    pub name: String,
    /// Whether it was gzip-compressed.
    pub gzip: bool,
    /// One document or JSON lines.
    pub layout: Layout,
    /// Events read from it.
    pub events: usize,
    /// Records of it that could not be read.
    pub errors: usize,
}

/// Everything read from one or more inputs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ParseOutcome {
    /// Events in input order.
    pub events: Vec<TrailEvent>,
    /// The first `MAX_STORED_ERRORS` errors, in input order.
    pub errors: Vec<RecordError>,
    /// Errors beyond `MAX_STORED_ERRORS`: counted, not kept.
    pub errors_omitted: usize,
    /// One entry per input.
    pub inputs: Vec<InputInfo>,
}

impl ParseOutcome {
    /// Number of records (or stretches of input) that could not be read.
    pub fn error_count(&self) -> usize {
        self.errors.len() + self.errors_omitted
    }

    /// Appends another outcome, keeping the error cap.
    pub fn merge(&mut self, other: ParseOutcome) {
        self.events.extend(other.events);
        self.inputs.extend(other.inputs);
        self.errors_omitted += other.errors_omitted;
        for error in other.errors {
            self.push_error(error);
        }
    }

    fn push_error(&mut self, error: RecordError) {
        if self.errors.len() < MAX_STORED_ERRORS {
            self.errors.push(error);
        } else {
            self.errors_omitted += 1;
        }
    }
}

/// Parses one input of any supported shape (detected from content, gzip included).
pub fn parse_bytes(name: &str, bytes: &[u8]) -> ParseOutcome {
    parse_within(name, bytes, MAX_DECOMPRESSED).0
}

/// [`parse_bytes`] reading at most `budget` (decompressed) bytes; also returns how many it
/// used. An input that does not fit is not read at all (plain text) or read up to the budget
/// (gzip, whose records before the cut are whole), with an error saying so.
fn parse_within(name: &str, bytes: &[u8], budget: u64) -> (ParseOutcome, u64) {
    if budget == 0 || (!is_gzip(bytes) && bytes.len() as u64 > budget) {
        let mut parser = Parser::new(name, &[]);
        parser.error(
            Location::default(),
            format!(
                "not read: the inputs together exceed {} MiB, the most one command reads; pass fewer files",
                MAX_TOTAL_INPUT / (1024 * 1024)
            ),
        );
        let mut out = parser.out;
        out.inputs.push(InputInfo {
            name: name.to_owned(),
            gzip: is_gzip(bytes),
            layout: Layout::Empty,
            events: 0,
            errors: out.error_count(),
        });
        return (out, 0);
    }
    let (text, gzip, gzip_problem) = decompress_within(bytes, budget);
    let used = text.len() as u64;
    let layout = layout(&text);
    let mut parser = Parser::new(name, &text);
    match layout {
        Layout::Empty => {}
        Layout::Document => parser.document(),
        Layout::JsonLines => parser.json_lines_split(),
    }
    if let Some(reason) = gzip_problem {
        parser.error(Location::default(), reason);
    }
    let mut out = parser.out;
    out.inputs.push(InputInfo {
        name: name.to_owned(),
        gzip,
        layout,
        events: out.events.len(),
        errors: out.error_count(),
    });
    (out, used)
}

/// Parses several named inputs, in order, into one outcome; together they may hold at
/// most [`MAX_TOTAL_INPUT`] bytes (decompressed).
pub fn parse_inputs<'a, I>(inputs: I) -> ParseOutcome
where
    I: IntoIterator<Item = (&'a str, &'a [u8])>,
{
    parse_inputs_within(inputs, MAX_TOTAL_INPUT)
}

/// [`parse_inputs`] with a budget of `total` decompressed bytes shared by all inputs.
pub fn parse_inputs_within<'a, I>(inputs: I, total: u64) -> ParseOutcome
where
    I: IntoIterator<Item = (&'a str, &'a [u8])>,
{
    let mut out = ParseOutcome::default();
    let mut left = total;
    for (name, bytes) in inputs {
        let (outcome, used) = parse_within(name, bytes, left);
        left = left.saturating_sub(used);
        out.merge(outcome);
    }
    out
}

/// Parses one LookupEvents result as the SDK returns it (`EventId`, `CloudTrailEvent`).
pub fn parse_lookup_event(
    event_id: Option<&str>,
    cloud_trail_event: &str,
) -> Result<TrailEvent, RecordParseError> {
    let mut event = super::convert::parse_record_str(cloud_trail_event)?;
    if event.event_id.is_none() {
        event.event_id = event_id.map(str::to_owned);
    }
    Ok(event)
}

/// 1-based line numbers for byte offsets, counted incrementally (errors come in order).
#[derive(Default)]
struct LineIndex {
    offset: usize,
    line: usize,
}

impl LineIndex {
    fn line_at(&mut self, bytes: &[u8], offset: usize) -> usize {
        let offset = offset.min(bytes.len());
        if offset < self.offset {
            *self = LineIndex::default();
        }
        self.line += memchr::memchr_iter(b'\n', &bytes[self.offset..offset]).count();
        self.offset = offset;
        self.line + 1
    }
}

struct Parser<'n, 'b> {
    name: &'n str,
    bytes: &'b [u8],
    lines: LineIndex,
    out: ParseOutcome,
}

impl<'n, 'b> Parser<'n, 'b> {
    fn new(name: &'n str, bytes: &'b [u8]) -> Self {
        Parser {
            name,
            bytes,
            lines: LineIndex::default(),
            out: ParseOutcome::default(),
        }
    }

    fn error(&mut self, location: Location, reason: String) {
        let error = RecordError {
            input: self.name.to_owned(),
            location,
            reason,
        };
        self.out.push_error(error);
    }

    fn error_at(&mut self, offset: usize, slot: Option<(&'static str, usize)>, reason: String) {
        let line = self.lines.line_at(self.bytes, offset);
        let location = Location {
            line: Some(line),
            container: slot.map(|s| s.0),
            index: slot.map(|s| s.1),
        };
        self.error(location, reason);
    }

    /// One or more concatenated JSON values spanning lines.
    fn document(&mut self) {
        let b = self.bytes;
        let mut i = scan::skip_ws(b, bom_len(b));
        let container = b.get(i) == Some(&b'[')
            || matches!(scan::first_key(b, i), Some(b"Records" | b"Events"));
        if container {
            let events =
                fast::records_in_parallel(&b[i..]).or_else(|| fast::whole_container(&b[i..]));
            if let Some(events) = events {
                self.out.events.extend(events);
                return;
            }
        }
        while i < b.len() {
            match self.value(b, i) {
                Some(end) => i = scan::skip_ws(b, end),
                // After a truncated value nothing can be re-synchronised.
                None => break,
            }
        }
    }

    /// JSON lines, in two halves on two threads when the input is large.
    ///
    /// A newline is always a record boundary here, so the split is exact; each half
    /// keeps absolute offsets, so line numbers stay right, and the halves are joined in
    /// order, so the result is the same as on one thread.
    fn json_lines_split(&mut self) {
        let b = self.bytes;
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let split = memchr::memchr(b'\n', &b[b.len() / 2..]).map(|off| b.len() / 2 + off + 1);
        let Some(split) = split.filter(|_| b.len() >= PARALLEL_MIN_BYTES && cores >= 2) else {
            self.json_lines(0, b.len());
            return;
        };
        let name = self.name;
        let second = std::thread::scope(|scope| {
            let handle = std::thread::Builder::new()
                .spawn_scoped(scope, move || {
                    let mut half = Parser::new(name, b);
                    half.json_lines(split, b.len());
                    half.out
                })
                .ok();
            self.json_lines(0, split);
            handle.map(|h| h.join())
        });
        match second {
            Some(Ok(out)) => self.out.merge(out),
            // No thread could be started (or it died): do the second half here.
            _ => self.json_lines(split, b.len()),
        }
    }

    /// One JSON value per line in `from..to`; a bad line costs only itself.
    fn json_lines(&mut self, from: usize, to: usize) {
        let b = &self.bytes[..to];
        let mut start = if from == 0 { bom_len(b) } else { from };
        while start < b.len() {
            let end = memchr::memchr(b'\n', &b[start..]).map_or(b.len(), |off| start + off);
            let line = &b[..end];
            let i = scan::skip_ws(line, start);
            if i < end {
                self.line(line, i);
            }
            start = end + 1;
        }
    }

    /// One non-empty line of JSON lines, starting at `i` of `line` (which ends the slice).
    fn line(&mut self, line: &[u8], i: usize) {
        if line[i] == b'[' {
            self.value(line, i);
            return;
        }
        match parse_item(&line[i..], SourceFormat::Record) {
            Ok(Item::Event(event)) => self.out.events.push(*event),
            Ok(Item::Container) => {
                self.container(line, i);
            }
            // A log file squeezed onto one line may still hold good records.
            Err(_) if line[i] == b'{' && has_container_key(line, i) => {
                self.container(line, i);
            }
            Err(reason) => self.error_at(i, None, reason.to_string()),
        }
    }

    /// Handles the top-level value at `i` of `b`; returns its end, or `None` if truncated.
    fn value(&mut self, b: &[u8], i: usize) -> Option<usize> {
        match b[i] {
            b'[' => {
                let result = scan::array_elements(b, i, |index, element| {
                    self.element(b, element, ("[]", index), SourceFormat::Record)
                });
                self.finish_container(result, "top-level array")
            }
            b'{' => self.object(b, i),
            _ => match scan::value_end(b, i) {
                Ok(end) => {
                    let reason = match parse_item(&b[i..end], SourceFormat::Record) {
                        Err(reason) => reason.to_string(),
                        Ok(_) => "unexpected value".to_owned(),
                    };
                    self.error_at(i, None, reason);
                    Some(end)
                }
                Err(e) => {
                    self.error_at(i, None, scan_reason(e, "value"));
                    Some(i + 1)
                }
            },
        }
    }

    /// A top-level object: a container to split, or a single record.
    fn object(&mut self, b: &[u8], i: usize) -> Option<usize> {
        if matches!(scan::first_key(b, i), Some(b"Records" | b"Events")) {
            return self.container(b, i);
        }
        match scan::value_end(b, i) {
            Ok(end) => match parse_item(&b[i..end], SourceFormat::Record) {
                Ok(Item::Event(event)) => {
                    self.out.events.push(*event);
                    Some(end)
                }
                Ok(Item::Container) => self.container(b, i),
                // A container whose key is not first may still hold good records.
                Err(_) if has_container_key(b, i) => self.container(b, i),
                Err(reason) => {
                    self.error_at(i, None, reason.to_string());
                    Some(end)
                }
            },
            Err(_) if has_container_key(b, i) => self.container(b, i),
            Err(e) => {
                self.error_at(i, None, scan_reason(e, "record"));
                None
            }
        }
    }

    /// Splits `{"Records": [...]}` / `{"Events": [...]}` into records.
    fn container(&mut self, b: &[u8], i: usize) -> Option<usize> {
        let result = scan::object_members(b, i, |key, start| {
            let (name, bare) = match key {
                b"Records" => ("Records", SourceFormat::CloudTrailLog),
                b"Events" => ("Events", SourceFormat::Record),
                _ => return None,
            };
            if b[start] != b'[' {
                self.error_at(start, None, format!("`{name}` is not an array"));
                return None;
            }
            Some(scan::array_elements(b, start, |index, element| {
                self.element(b, element, (name, index), bare)
            }))
        });
        self.finish_container(result, "container object")
    }

    fn finish_container(
        &mut self,
        result: Result<usize, (usize, ScanError)>,
        what: &str,
    ) -> Option<usize> {
        match result {
            Ok(end) => Some(end),
            Err((_, ScanError::AlreadyReported)) => None,
            Err((pos, ScanError::Truncated)) => {
                self.error_at(
                    pos,
                    None,
                    format!("truncated: input ends inside the {what}"),
                );
                None
            }
            Err((pos, e)) => {
                self.error_at(pos, None, scan_reason(e, what));
                None
            }
        }
    }

    fn element(
        &mut self,
        b: &[u8],
        element: scan::Element,
        slot: (&'static str, usize),
        bare: SourceFormat,
    ) {
        match element {
            Ok((start, end)) => match parse_item(&b[start..end], bare) {
                Ok(Item::Event(event)) => self.out.events.push(*event),
                Ok(Item::Container) => self.error_at(
                    start,
                    Some(slot),
                    "container nested in a record list".into(),
                ),
                Err(reason) => self.error_at(start, Some(slot), reason.to_string()),
            },
            Err((pos, e)) => self.error_at(pos, Some(slot), scan_reason(e, "record")),
        }
    }
}

/// Whether the object at `i` has a `Records` or `Events` member before any damage.
fn has_container_key(b: &[u8], i: usize) -> bool {
    let mut found = false;
    let _ = scan::object_members(b, i, |key, _| {
        found |= key == b"Records" || key == b"Events";
        None
    });
    found
}

fn scan_reason(e: ScanError, what: &str) -> String {
    match e {
        ScanError::Truncated => format!("truncated: input ends inside the {what}"),
        ScanError::Unexpected(c) if c.is_ascii() => {
            format!("unexpected `{}` where a {what} should be", c.escape_ascii())
        }
        ScanError::Unexpected(c) => format!("unexpected byte 0x{c:02x} where a {what} should be"),
        ScanError::AlreadyReported => format!("{what} is damaged"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(out: &ParseOutcome) -> Vec<String> {
        out.errors.iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn one_bad_record_does_not_hide_the_others() {
        let text = "{\"Records\":[\n{\"eventName\":\"A\"},\n[1],\n{\"eventName\":7},\n{\"eventName\":\"B\"}\n]}";
        let out = parse_bytes("f", text.as_bytes());
        let names: Vec<_> = out
            .events
            .iter()
            .map(|e| e.event_name.clone().unwrap())
            .collect();
        assert_eq!(names, ["A", "B"]);
        assert_eq!(out.error_count(), 2, "{:?}", reasons(&out));
        assert_eq!(out.errors[0].location.index, Some(1));
        assert_eq!(out.errors[0].location.line, Some(3));
        assert_eq!(
            out.errors[1].to_string().split(':').nth(1),
            Some(" line 4, Records[2]")
        );
        assert!(out
            .events
            .iter()
            .all(|e| e.source_format == SourceFormat::CloudTrailLog));
    }

    #[test]
    fn truncation_keeps_complete_records() {
        let text = br#"{"Records":[{"eventName":"A"},{"eventName":"B","userIdentity":{"ty"#;
        let out = parse_bytes("f", text);
        assert_eq!(out.events.len(), 1);
        assert_eq!(out.error_count(), 1);
        assert!(out.errors[0].reason.starts_with("truncated"));
        assert_eq!(out.errors[0].location.index, Some(1));

        let out = parse_bytes("f", br#"{"Records":[{"eventName":"A"},"#);
        assert_eq!((out.events.len(), out.error_count()), (1, 1));
    }

    #[test]
    fn container_key_need_not_come_first() {
        let text = br#"{"NextToken":"x","Events":[{"EventId":"1","CloudTrailEvent":"{\"eventName\":\"PutImage\"}"},{"EventId":"2","CloudTrailEvent":"{bad"}]}"#;
        let out = parse_bytes("f", text);
        assert_eq!(out.events.len(), 1);
        assert_eq!(out.events[0].event_id.as_deref(), Some("1"));
        assert_eq!(out.error_count(), 1);
        assert!(
            out.errors[0].reason.starts_with("CloudTrailEvent:"),
            "{:?}",
            out.errors
        );
    }

    #[test]
    fn json_lines_errors_carry_line_numbers() {
        let text = b"{\"eventName\":\"A\"}\n\n{\"eventName\":\n\xff\xfe\n{\"eventName\":\"B\"}\r\n";
        let out = parse_bytes("f", text);
        assert_eq!(out.inputs[0].layout, Layout::JsonLines);
        assert_eq!(out.events.len(), 2);
        let lines: Vec<_> = out.errors.iter().map(|e| e.location.line).collect();
        assert_eq!(lines, [Some(3), Some(4)], "{:?}", reasons(&out));
    }

    #[test]
    fn concatenated_documents_and_scalars() {
        let out = parse_bytes("f", b"{\"eventName\":\"A\"} 42 {\"eventName\":\"B\"}");
        assert_eq!(out.events.len(), 2);
        assert_eq!(out.error_count(), 1);
        assert!(out.errors[0].reason.contains("a number"));
    }

    #[test]
    fn large_json_lines_split_in_two_keep_order_and_lines() {
        let mut text = String::new();
        for i in 0..40_000 {
            if i % 1000 == 7 {
                text.push_str("{\"eventName\":\n");
            } else {
                text.push_str(&format!("{{\"eventName\":\"E\",\"eventID\":\"{i}\"}}\n"));
            }
        }
        assert!(text.len() >= PARALLEL_MIN_BYTES);
        let out = parse_bytes("f", text.as_bytes());
        let mut serial = Parser::new("f", text.as_bytes());
        serial.json_lines(0, text.len());
        assert_eq!(out.events, serial.out.events);
        assert_eq!(out.errors, serial.out.errors);
        assert_eq!(out.error_count(), 40);
        assert_eq!(out.errors[39].location.line, Some(39_008));
        assert_eq!(out.events[38_999].event_id.as_deref(), Some("39039"));
    }

    #[test]
    fn the_size_budget_is_shared_by_all_inputs() {
        use std::io::Write as _;
        let record = r#"{"Records":[{"eventName":"PutImage","eventSource":"ecr.amazonaws.com","eventID":"e"}]}"#;
        let padded = format!("{record}{}", " ".repeat(4000));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(padded.as_bytes()).expect("gzip");
        let gz = gz.finish().expect("gzip");
        let inputs = [
            ("a.gz", gz.as_slice()),
            ("b.gz", gz.as_slice()),
            ("c.gz", gz.as_slice()),
            ("d.json", padded.as_bytes()),
        ];
        // Two and a half inputs fit: the third is cut after its (leading) record.
        let out = parse_inputs_within(inputs, (padded.len() * 5 / 2) as u64);
        assert_eq!(out.events.len(), 3, "{:?}", out.errors);
        let read: Vec<usize> = out.inputs.iter().map(|i| i.events).collect();
        assert_eq!(read, [1, 1, 1, 0]);
        let messages: Vec<String> = out.errors.iter().map(|e| e.to_string()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("c.gz") && m.contains("inputs together exceed")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("d.json") && m.contains("not read")),
            "{messages:?}"
        );
        // Each alone fits the same budget.
        for (name, bytes) in inputs {
            let out = parse_inputs_within([(name, bytes)], (padded.len() * 5 / 2) as u64);
            assert_eq!(out.events.len(), 1, "{name}: {:?}", out.errors);
        }
    }

    #[test]
    fn errors_beyond_the_cap_are_counted() {
        let text = "[1]\n".repeat(MAX_STORED_ERRORS + 5);
        let out = parse_bytes("f", text.as_bytes());
        assert_eq!(out.errors.len(), MAX_STORED_ERRORS);
        assert_eq!(out.errors_omitted, 5);
        assert_eq!(out.inputs[0].errors, MAX_STORED_ERRORS + 5);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let depth = 100_000;
        let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        for text in [
            nested.clone(),
            format!("{{\"Records\":[{nested},{{\"eventName\":\"A\"}}]}}"),
            format!("{{\"eventName\":\"A\",\"requestParameters\":{{\"x\":{nested}}}}}"),
            "[".repeat(depth),
            "{\"a\":".repeat(depth),
        ] {
            let out = parse_bytes("f", text.as_bytes());
            assert!(out.events.len() + out.error_count() >= 1);
        }
    }

    #[test]
    fn lookup_event_from_sdk_fields() {
        let e = parse_lookup_event(Some("id-1"), r#"{"eventName":"PutImage"}"#).unwrap();
        assert_eq!(e.event_id.as_deref(), Some("id-1"));
        assert_eq!(e.source_format, SourceFormat::LookupEvents);
        assert!(parse_lookup_event(None, "{").is_err());
    }
}
