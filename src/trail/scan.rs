//! A non-recursive JSON structure scanner: where values start and end, nothing more.
//!
//! It lets one broken record be reported on its own while the records around it still
//! parse: containers (`Records`, `Events`, top-level arrays) are split into per-record
//! byte ranges here, and only those ranges go to serde. Depth is a counter, not a call
//! stack, so 100,000 nested brackets cost nothing but time.

/// Why a value's extent could not be found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScanError {
    /// The input ends inside the value.
    Truncated,
    /// This byte cannot start or continue a value here.
    Unexpected(u8),
    /// The problem was already reported for an inner record; report nothing more.
    AlreadyReported,
}

/// Skips JSON whitespace from `i`.
pub(crate) fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(c) = b.get(i) {
        if !matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
            break;
        }
        i += 1;
    }
    i
}

/// End (exclusive) of the string whose opening quote is at `start`.
///
/// Jumps from quote to quote and counts the backslashes before each: an odd count means
/// the quote is escaped. Escaped newlines and the like never stop the search, which
/// matters for pretty-printed `imageManifest`s, escapes every few bytes.
pub(crate) fn string_end(b: &[u8], start: usize) -> Result<usize, ScanError> {
    let mut i = start + 1;
    loop {
        let rest = b.get(i..).ok_or(ScanError::Truncated)?;
        let quote = i + memchr::memchr(b'"', rest).ok_or(ScanError::Truncated)?;
        let backslashes = b[i..quote]
            .iter()
            .rev()
            .take_while(|c| **c == b'\\')
            .count();
        if backslashes % 2 == 0 {
            return Ok(quote + 1);
        }
        i = quote + 1;
    }
}

/// End (exclusive) of the value starting at `start` (which must not be whitespace).
pub(crate) fn value_end(b: &[u8], start: usize) -> Result<usize, ScanError> {
    match b.get(start) {
        None => Err(ScanError::Truncated),
        Some(b'"') => string_end(b, start),
        Some(b'{' | b'[') => nested_end(b, start),
        Some(c @ (b'}' | b']' | b',' | b':')) => Err(ScanError::Unexpected(*c)),
        Some(_) => Ok(scalar_end(b, start)),
    }
}

/// End of a bare token (number, `true`, garbage); always at least one byte long.
fn scalar_end(b: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while let Some(c) = b.get(i) {
        if matches!(
            c,
            b',' | b']' | b'}' | b'{' | b'[' | b'"' | b':' | b' ' | b'\t' | b'\n' | b'\r'
        ) {
            break;
        }
        i += 1;
    }
    i
}

/// End of an object or array; brackets are counted, not matched by kind (serde checks that).
fn nested_end(b: &[u8], start: usize) -> Result<usize, ScanError> {
    let mut depth: usize = 0;
    let mut i = start;
    while let Some(&c) = b.get(i) {
        match c {
            b'"' => {
                i = string_end(b, i)?;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Ok(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    Err(ScanError::Truncated)
}

/// One element of an array as seen by `array_elements`.
pub(crate) type Element = Result<(usize, usize), (usize, ScanError)>;

/// Calls `f(index, element)` for each element of the array opening at `open`.
///
/// Returns the end of the array. A truncated element is handed to `f` and then
/// `AlreadyReported` is returned; a missing separator or a stray byte is handed to `f`
/// as an error and scanning goes on, so one bad spot never hides the records after it.
pub(crate) fn array_elements(
    b: &[u8],
    open: usize,
    mut f: impl FnMut(usize, Element),
) -> Result<usize, (usize, ScanError)> {
    let mut i = open + 1;
    let mut index = 0;
    loop {
        i = skip_ws(b, i);
        match b.get(i) {
            None => return Err((i, ScanError::Truncated)),
            Some(b']') => return Ok(i + 1),
            Some(_) => {}
        }
        match value_end(b, i) {
            Ok(end) => {
                f(index, Ok((i, end)));
                i = end;
            }
            Err(ScanError::Truncated) => {
                f(index, Err((i, ScanError::Truncated)));
                return Err((i, ScanError::AlreadyReported));
            }
            Err(e) => {
                f(index, Err((i, e)));
                i += 1;
            }
        }
        index += 1;
        i = skip_ws(b, i);
        match b.get(i) {
            None => return Err((i, ScanError::Truncated)),
            Some(b',') => i += 1,
            Some(b']') => return Ok(i + 1),
            // Treat the bad spot as a separator; the next element starts here.
            Some(&c) => f(index, Err((i, ScanError::Unexpected(c)))),
        }
    }
}

/// Walks the members of the object opening at `open`.
///
/// `f(key, value_start)` may take over a member's value and return its end (or the
/// error it hit); when it returns `None`, the value is skipped here. Keys are raw
/// bytes between the quotes (escapes are not decoded: container keys never have any).
pub(crate) fn object_members(
    b: &[u8],
    open: usize,
    mut f: impl FnMut(&[u8], usize) -> Option<Result<usize, (usize, ScanError)>>,
) -> Result<usize, (usize, ScanError)> {
    let mut i = open + 1;
    loop {
        i = skip_ws(b, i);
        match b.get(i) {
            None => return Err((i, ScanError::Truncated)),
            Some(b'}') => return Ok(i + 1),
            Some(b'"') => {}
            Some(&c) => return Err((i, ScanError::Unexpected(c))),
        }
        let key_end = string_end(b, i).map_err(|e| (i, e))?;
        let key = &b[i + 1..key_end - 1];
        i = skip_ws(b, key_end);
        match b.get(i) {
            None => return Err((i, ScanError::Truncated)),
            Some(b':') => i = skip_ws(b, i + 1),
            Some(&c) => return Err((i, ScanError::Unexpected(c))),
        }
        if i >= b.len() {
            return Err((i, ScanError::Truncated));
        }
        let end = match f(key, i) {
            Some(result) => result?,
            None => value_end(b, i).map_err(|e| (i, e))?,
        };
        i = skip_ws(b, end);
        match b.get(i) {
            None => return Err((i, ScanError::Truncated)),
            Some(b',') => i += 1,
            Some(b'}') => return Ok(i + 1),
            Some(&c) => return Err((i, ScanError::Unexpected(c))),
        }
    }
}

/// The raw key of the first member of the object opening at `open`, if there is one.
pub(crate) fn first_key(b: &[u8], open: usize) -> Option<&[u8]> {
    let i = skip_ws(b, open + 1);
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let end = string_end(b, i).ok()?;
    Some(&b[i + 1..end - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn elements(s: &str) -> (Vec<Element>, Result<usize, (usize, ScanError)>) {
        let mut out = Vec::new();
        let end = array_elements(s.as_bytes(), 0, |_, e| out.push(e));
        (out, end)
    }

    #[test]
    fn finds_value_ends() {
        let b = br#"{"a":"x\"}","b":[1,{"c":"]"}]} tail"#;
        assert_eq!(value_end(b, 0), Ok(30));
        assert_eq!(value_end(b"123,", 0), Ok(3));
        assert_eq!(value_end(b"\"abc", 0), Err(ScanError::Truncated));
        assert_eq!(value_end(b"\"ab\\", 0), Err(ScanError::Truncated));
        assert_eq!(value_end(b"}", 0), Err(ScanError::Unexpected(b'}')));
    }

    #[test]
    fn deep_nesting_is_not_recursive() {
        let depth = 100_000;
        let s = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert_eq!(value_end(s.as_bytes(), 0), Ok(2 * depth));
        assert_eq!(
            value_end(&s.as_bytes()[..depth], 0),
            Err(ScanError::Truncated)
        );
    }

    #[test]
    fn splits_arrays_and_survives_bad_separators() {
        let (els, end) = elements(r#"[ {"a":1} , {"b":2} ]"#);
        assert_eq!(els, vec![Ok((2, 9)), Ok((12, 19))]);
        assert_eq!(end, Ok(21));

        let (els, end) = elements(r#"[{"a":1} {"b":2}]"#);
        assert_eq!(els.len(), 3);
        assert_eq!(els[1], Err((9, ScanError::Unexpected(b'{'))));
        assert_eq!(els[2], Ok((9, 16)));
        assert_eq!(end, Ok(17));

        let (els, end) = elements(r#"[{"a":1},{"b":"#);
        assert_eq!(els[1], Err((9, ScanError::Truncated)));
        assert_eq!(end, Err((9, ScanError::AlreadyReported)));

        let (els, end) = elements(r#"[{"a":1},"#);
        assert_eq!(els.len(), 1);
        assert_eq!(end, Err((9, ScanError::Truncated)));
    }

    #[test]
    fn walks_members_and_lets_the_caller_take_one() {
        let b = br#"{"x":{"y":[1]},"Records":[1,2],"z":null}"#;
        let mut keys = Vec::new();
        let end = object_members(b, 0, |k, start| {
            keys.push(String::from_utf8_lossy(k).into_owned());
            (k == b"Records").then(|| array_elements(b, start, |_, _| {}))
        });
        assert_eq!(end, Ok(b.len()));
        assert_eq!(keys, ["x", "Records", "z"]);
        assert_eq!(first_key(b, 0), Some(&b"x"[..]));
        assert_eq!(first_key(b"{}", 0), None);
    }
}
