//! Looking at raw input bytes: gzip, byte-order mark, one document or JSON lines.

use std::borrow::Cow;
use std::io::Read;

use serde::Serialize;

use super::scan;

/// Largest decompressed size accepted from one gzip input (a zip bomb stops here).
pub const MAX_DECOMPRESSED: u64 = 512 * 1024 * 1024;

/// Largest size all inputs of one command may hold together, decompressed: four zip bombs
/// just under the per-input cap must not take four times the memory.
pub const MAX_TOTAL_INPUT: u64 = MAX_DECOMPRESSED;

/// How the (decompressed) text of one input is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// Nothing but whitespace.
    Empty,
    /// One JSON value (or several, concatenated), possibly spanning many lines.
    Document,
    /// One JSON value per line.
    JsonLines,
}

/// Decompresses gzip input (detected by its magic bytes); other input is borrowed as is.
///
/// Returns what could be decoded plus a reason when the stream was corrupt, truncated
/// or too large: the records decoded before the damage are still worth reading.
#[cfg(test)]
fn decompress(bytes: &[u8]) -> (Cow<'_, [u8]>, bool, Option<String>) {
    decompress_within(bytes, MAX_DECOMPRESSED)
}

/// Whether `bytes` are gzip.
pub(crate) fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// [`decompress`] with at most `cap` bytes decompressed (what is left of the budget all
/// inputs share; never more than [`MAX_DECOMPRESSED`]). Decompression streams, so a bomb
/// never takes more than the cap.
pub(crate) fn decompress_within(bytes: &[u8], cap: u64) -> (Cow<'_, [u8]>, bool, Option<String>) {
    if !is_gzip(bytes) {
        return (Cow::Borrowed(bytes), false, None);
    }
    let cap = cap.min(MAX_DECOMPRESSED);
    let mut out = Vec::new();
    let decoder = flate2::read::MultiGzDecoder::new(bytes);
    let mut limited = decoder.take(cap + 1);
    let problem = match limited.read_to_end(&mut out) {
        Ok(_) if out.len() as u64 > cap => {
            out.truncate(cap as usize);
            Some(if cap == MAX_DECOMPRESSED {
                format!(
                    "gzip: decompressed size exceeds {} MiB; only the first part was read",
                    MAX_DECOMPRESSED / (1024 * 1024)
                )
            } else {
                format!(
                    "gzip: the inputs together exceed {} MiB decompressed, the most one command reads; only the first part of this one was read",
                    MAX_TOTAL_INPUT / (1024 * 1024)
                )
            })
        }
        Ok(_) => None,
        Err(e) => Some(format!("gzip: {e}; records after the damage are missing")),
    };
    (Cow::Owned(out), true, problem)
}

/// Length of a UTF-8 byte-order mark at the start, if any.
pub(crate) fn bom_len(bytes: &[u8]) -> usize {
    if bytes.starts_with(&[0xef, 0xbb, 0xbf]) {
        3
    } else {
        0
    }
}

/// How many leading non-empty lines `layout` looks at.
const SNIFF_LINES: usize = 8;

/// Decides between one document and JSON lines from the content.
///
/// JSON lines when there are at least two non-empty lines and at least half of the first
/// few stand alone as complete objects or arrays; a pretty-printed document almost never
/// has such lines, and a JSON-lines file with one broken line still has many.
pub fn layout(bytes: &[u8]) -> Layout {
    let start = scan::skip_ws(bytes, bom_len(bytes));
    if start >= bytes.len() {
        return Layout::Empty;
    }
    // One line only (every S3 log file): no need to scan it to know it is no JSON lines.
    let single_line = match memchr::memchr(b'\n', &bytes[start..]) {
        None => true,
        Some(off) => scan::skip_ws(bytes, start + off) >= bytes.len(),
    };
    if single_line {
        return Layout::Document;
    }
    let mut lines = 0;
    let mut complete = 0;
    for line in bytes[start..].split(|c| *c == b'\n') {
        let first = scan::skip_ws(line, 0);
        if first >= line.len() {
            continue;
        }
        lines += 1;
        if lines > SNIFF_LINES {
            break;
        }
        if matches!(line[first], b'{' | b'[') {
            if let Ok(end) = scan::value_end(line, first) {
                if scan::skip_ws(line, end) == line.len() {
                    complete += 1;
                }
            }
        }
    }
    let sniffed = lines.min(SNIFF_LINES);
    if lines >= 2 && complete * 2 >= sniffed {
        Layout::JsonLines
    } else {
        Layout::Document
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_documents_from_json_lines() {
        assert_eq!(layout(b"  \n "), Layout::Empty);
        assert_eq!(layout(b"{\"Records\":[]}\n"), Layout::Document);
        assert_eq!(
            layout(b"{\n  \"Records\": [\n  {}\n  ]\n}\n"),
            Layout::Document
        );
        assert_eq!(layout(b"{\"a\":1}\n{\"b\":2}\n"), Layout::JsonLines);
        assert_eq!(
            layout(b"{\"a\":\n{\"b\":2}\n{\"c\":3}\n"),
            Layout::JsonLines
        );
        assert_eq!(layout(b"\xef\xbb\xbf[1]\n[2]"), Layout::JsonLines);
    }

    #[test]
    fn passes_plain_bytes_through_and_flags_broken_gzip() {
        let (out, gz, problem) = decompress(b"{}");
        assert_eq!((&*out, gz, problem), (&b"{}"[..], false, None));

        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut enc, b"{\"Records\":[]}").unwrap();
        let gz_bytes = enc.finish().unwrap();
        let (out, gz, problem) = decompress(&gz_bytes);
        assert_eq!((&*out, gz, problem), (&b"{\"Records\":[]}"[..], true, None));

        let (_, gz, problem) = decompress(&gz_bytes[..gz_bytes.len() - 5]);
        assert!(gz);
        assert!(problem.unwrap().starts_with("gzip:"));
    }
}
