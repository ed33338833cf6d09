//! Normalised view of a pasted error text, and the small scanners the parser is built on.
//!
//! Pasted errors arrive JSON-escaped, ANSI-coloured, CRLF-terminated, boxed by terraform,
//! quoted by markdown and hard-wrapped by terminals. Everything here reduces that to plain
//! lines so the grammar in the parent module only has to deal with words and tokens.

/// Inputs longer than this are cut: a pasted error is a few KiB at most, and the bound keeps
/// every scan linear in a size we control.
const MAX_INPUT: usize = 1 << 20;

/// Terminal widths whose full lines are taken as hard wraps even without a neighbour of the
/// same width (a two-line wrap has only one full line).
const COMMON_WIDTHS: [usize; 7] = [80, 100, 120, 132, 160, 200, 240];

/// One line of the normalised text.
#[derive(Debug, Clone, Copy)]
pub(super) struct Line {
    /// Byte offset of the first content byte in [`Text::s`].
    pub start: usize,
    /// Width in characters as the terminal showed it, prefixes and indentation included.
    pub width: usize,
    /// The line ended in a space before it was trimmed (a soft wrap at a word boundary).
    pub trailing_space: bool,
}

/// The normalised text: one `\n` between lines, prefixes and indentation removed.
#[derive(Debug)]
pub(super) struct Text {
    /// The text itself.
    pub s: String,
    /// ASCII-lower-cased bytes of `s`, same offsets.
    pub lc: Vec<u8>,
    /// Its lines in order.
    pub lines: Vec<Line>,
    /// Terraform's `│` box-drawing prefix was seen.
    pub boxed: bool,
}

/// True for the bytes that end a token: whitespace, quotes, brackets that never occur in
/// ARNs or actions, and separators used by SDK tails.
pub(super) fn is_token_end(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\n' | b'"' | b'\'' | b'`' | b'(' | b')' | b'|' | b'\\' | b';' | b','
    )
}

fn is_ws(b: u8) -> bool {
    b == b' ' || b == b'\n'
}

impl Text {
    /// Normalises `input`: see the module documentation for what is undone.
    pub fn new(input: &str) -> Self {
        let mut cut = input.len().min(MAX_INPUT);
        while !input.is_char_boundary(cut) {
            cut -= 1;
        }
        let decoded = decode(&input[..cut]);
        let mut s = String::with_capacity(decoded.len());
        let mut lines = Vec::new();
        let mut boxed = false;
        for raw in decoded.split('\n') {
            let width = raw.chars().count();
            let trailing_space = raw.ends_with(' ');
            let mut content = raw.trim_start_matches(' ');
            // Terraform boxes its diagnostics; markdown quotes pasted logs with `> `.
            if let Some(rest) = content
                .strip_prefix('│')
                .or_else(|| content.strip_prefix('┃'))
                .or_else(|| content.strip_prefix('╷'))
                .or_else(|| content.strip_prefix('╵'))
            {
                boxed = true;
                content = rest;
            } else if content == ">" || content.starts_with("> ") {
                content = &content[1..];
            }
            let content = strip_log_prefixes(content.trim_matches(' ')).trim_matches(' ');
            if !s.is_empty() || !lines.is_empty() {
                s.push('\n');
            }
            let start = s.len();
            s.push_str(content);
            lines.push(Line {
                start,
                width,
                trailing_space,
            });
        }
        let lc = s.bytes().map(|b| b.to_ascii_lowercase()).collect();
        Text {
            s,
            lc,
            lines,
            boxed,
        }
    }

    /// The lines `first..end` as a text of their own (widths kept, so wraps still read).
    pub fn sub(&self, first: usize, end: usize) -> Text {
        let end = end.min(self.lines.len());
        let mut s = String::new();
        let mut lines = Vec::new();
        for (i, line) in self.lines.get(first..end).unwrap_or(&[]).iter().enumerate() {
            let stop = self
                .lines
                .get(first + i + 1)
                .map_or(self.s.len(), |next| next.start.saturating_sub(1));
            if i > 0 {
                s.push('\n');
            }
            let start = s.len();
            s.push_str(self.slice(line.start, stop));
            lines.push(Line { start, ..*line });
        }
        let lc = s.bytes().map(|b| b.to_ascii_lowercase()).collect();
        Text {
            s,
            lc,
            lines,
            boxed: self.boxed,
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.lc.len()
    }

    /// `s[a..b]`, or empty when the range is not valid (never panics).
    pub fn slice(&self, a: usize, b: usize) -> &str {
        self.s.get(a..b).unwrap_or("")
    }

    /// True when the lower-cased text contains `needle` verbatim.
    pub fn contains(&self, needle: &str) -> bool {
        self.find(0, self.len(), needle).is_some()
    }

    /// True when `phrase` occurs not glued to a preceding letter or digit
    /// (`denied:` but not `AccessDenied:`).
    pub fn find_word(&self, phrase: &str) -> bool {
        let mut from = 0;
        while let Some((a, _)) = self.find(from, self.len(), phrase) {
            if a == 0 || !self.lc[a - 1].is_ascii_alphanumeric() {
                return true;
            }
            from = a + 1;
        }
        false
    }

    /// Matches `phrase` (lower-case ASCII, words separated by single spaces) at `pos`. A space
    /// in the phrase matches any run of whitespace, line breaks included, or none at all, so
    /// soft wraps and missing spaces (`perform:ecr:…`, `…1234is not`) both match. Returns
    /// the end of the match.
    pub fn match_at(&self, pos: usize, phrase: &str) -> Option<usize> {
        let mut k = pos;
        for (n, &p) in phrase.as_bytes().iter().enumerate() {
            // A terminal may cut a keyword anywhere; indentation is already trimmed, so a
            // wrap inside a word is a bare `\n`.
            if n > 0 && p != b' ' && self.lc.get(k) == Some(&b'\n') {
                k += 1;
            }
            if p == b' ' {
                while k < self.lc.len() && is_ws(self.lc[k]) {
                    k += 1;
                }
            } else if self.lc.get(k) == Some(&p) {
                k += 1;
            } else {
                return None;
            }
        }
        Some(k)
    }

    /// First match of `phrase` starting in `from..to`, as `(start, end)`.
    pub fn find(&self, from: usize, to: usize, phrase: &str) -> Option<(usize, usize)> {
        let first = *phrase.as_bytes().first()?;
        let to = to.min(self.lc.len());
        let mut i = from;
        while i < to {
            let off = memchr::memchr(first, self.lc.get(i..to)?)?;
            i += off;
            if let Some(end) = self.match_at(i, phrase) {
                return Some((i, end));
            }
            i += 1;
        }
        None
    }

    /// The earliest match of any of `phrases` in `from..`, as its start.
    pub fn find_first_of(&self, from: usize, phrases: &[&str]) -> Option<usize> {
        phrases
            .iter()
            .filter_map(|p| self.find(from, self.len(), p).map(|(a, _)| a))
            .min()
    }

    /// Skips spaces and line breaks.
    pub fn skip_ws(&self, mut pos: usize) -> usize {
        while pos < self.lc.len() && is_ws(self.lc[pos]) {
            pos += 1;
        }
        pos
    }

    /// Skips the given bytes.
    pub fn skip_bytes(&self, mut pos: usize, set: &[u8]) -> usize {
        while pos < self.lc.len() && set.contains(&self.lc[pos]) {
            pos += 1;
        }
        pos
    }

    /// The index of the line holding byte `pos`.
    pub fn line_of(&self, pos: usize) -> usize {
        self.lines
            .partition_point(|l| l.start <= pos)
            .saturating_sub(1)
    }

    /// True when the line ending at `pos` looks cut by a terminal rather than by its author:
    /// it fills a common terminal width, or has the width of a neighbouring line.
    pub fn is_hard_wrap(&self, line: usize) -> bool {
        let Some(l) = self.lines.get(line) else {
            return false;
        };
        if l.trailing_space || l.width < 40 {
            return false;
        }
        let same = |other: Option<&Line>| other.is_some_and(|o| o.width == l.width);
        COMMON_WIDTHS.contains(&l.width)
            || same(line.checked_sub(1).and_then(|i| self.lines.get(i)))
            || same(self.lines.get(line + 1))
    }

    /// Reads a token (ARN, action, image reference) at `pos`, stopping at a token end, at
    /// `limit`, or at a line break — unless the break is judged to be a wrap inside the
    /// token. `next` are the phrases the grammar expects after the token: a following line
    /// that starts with one of them is never glued on, and a following line whose first
    /// token is followed by one of them is. Returns the token and its end.
    pub fn read_token(&self, pos: usize, limit: usize, next: &[&str]) -> (String, usize) {
        let limit = limit.min(self.lc.len());
        let mut out = String::new();
        let mut i = pos;
        loop {
            let start = i;
            while i < limit && !is_token_end(self.lc[i]) && !self.lc[i..].starts_with(b"</") {
                i += 1;
            }
            out.push_str(self.slice(start, i));
            if i >= limit || self.lc[i] != b'\n' || out.is_empty() {
                break;
            }
            let next_start = i + 1;
            let mut next_end = next_start;
            while next_end < limit && !is_token_end(self.lc[next_end]) {
                next_end += 1;
            }
            if next_end == next_start || next.iter().any(|p| self.match_at(next_start, p).is_some())
            {
                break;
            }
            let after = self.skip_bytes(next_end, b" ");
            let glue = looks_incomplete(&out)
                || next.iter().any(|p| self.match_at(after, p).is_some())
                || self.is_hard_wrap(self.line_of(i.saturating_sub(1)));
            if !glue {
                break;
            }
            i = next_start;
        }
        (out, i)
    }

    /// The text between `a` and `b` on one line: a hard wrap is removed, any other line
    /// break becomes a space.
    pub fn unwrapped(&self, a: usize, b: usize) -> String {
        let mut out = String::new();
        let first = self.line_of(a);
        for (n, part) in self.slice(a, b).split('\n').enumerate() {
            if n > 0 && !self.is_hard_wrap(first + n - 1) {
                out.push(' ');
            }
            out.push_str(part);
        }
        out
    }

    /// The text between `a` and `b` with line breaks (and the indentation already trimmed
    /// around them) removed, for fields whose both ends are fixed by keywords: a break
    /// inside such a field can only be a wrap.
    pub fn joined(&self, a: usize, b: usize) -> String {
        self.slice(a, b).split('\n').collect::<String>()
    }
}

/// Removes what loggers put before a message: CodeBuild's `[Container]`, timestamps
/// (`2024-05-01T12:00:00.123Z`, `2024/05/01 12:00:00.123456`), syslog headers
/// (`May  1 12:00:00 host dockerd[812]:`), bracketed levels (`[ERROR]`, `##[error]`) and the
/// columns of a `kubectl describe` event row (`Warning  Failed  3m (x4 over 5m)  kubelet`).
fn strip_log_prefixes(mut line: &str) -> &str {
    for _ in 0..4 {
        let before = line.len();
        line = line.trim_start_matches(' ');
        for tag in [
            "[Container]",
            "##[error]",
            "[ERROR]",
            "[Error]",
            "[error]",
            "[WARN]",
            "[INFO]",
        ] {
            if let Some(rest) = line.strip_prefix(tag) {
                line = rest;
            }
        }
        line = line.trim_start_matches(' ');
        line = skip_timestamp(line)
            .or_else(|| skip_syslog(line))
            .unwrap_or(line);
        line = skip_kubectl_event(line).unwrap_or(line);
        if line.len() == before {
            break;
        }
    }
    line
}

/// `YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|±hh:mm]` or `YYYY/MM/DD …` at the start, and what follows.
fn skip_timestamp(line: &str) -> Option<&str> {
    let b = line.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let date = digits(0..4)
        && matches!(b.get(4), Some(b'-' | b'/'))
        && digits(5..7)
        && b.get(7) == b.get(4)
        && digits(8..10);
    if !date {
        return None;
    }
    let mut i = 10;
    if matches!(b.get(10), Some(b'T' | b' ')) && digits(11..13) && b.get(13) == Some(&b':') {
        i = 11;
        while i < b.len() && (b[i].is_ascii_digit() || matches!(b[i], b':' | b'.' | b',')) {
            i += 1;
        }
        if b.get(i) == Some(&b'Z') {
            i += 1;
        } else if matches!(b.get(i), Some(b'+' | b'-')) && digits(i + 1..i + 3) {
            i += 3;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b':') {
                i += 1;
            }
        }
    }
    match b.get(i) {
        Some(b' ') => line.get(i + 1..),
        None => Some(""),
        _ => None,
    }
}

/// `May  1 12:00:00 host program[pid]: ` at the start, and what follows.
fn skip_syslog(line: &str) -> Option<&str> {
    const MONTHS: [&str; 12] = [
        "Jan ", "Feb ", "Mar ", "Apr ", "May ", "Jun ", "Jul ", "Aug ", "Sep ", "Oct ", "Nov ",
        "Dec ",
    ];
    let rest = MONTHS.iter().find_map(|m| line.strip_prefix(m))?;
    let mut words = rest.split_whitespace();
    let day = words.next()?;
    let time = words.next()?;
    let _host = words.next()?;
    let program = words.next()?;
    let is_time = time.len() == 8 && time.bytes().filter(|b| *b == b':').count() == 2;
    if !day.bytes().all(|b| b.is_ascii_digit()) || !is_time || !program.ends_with(':') {
        return None;
    }
    let at = line.find(program)? + program.len();
    line.get(at..)
}

/// The columns of a `kubectl describe` event row, up to and including the `kubelet` source.
fn skip_kubectl_event(line: &str) -> Option<&str> {
    if !(line.starts_with("Warning ") || line.starts_with("Normal ")) {
        return None;
    }
    let head = line.get(..line.len().min(160))?;
    let at = head.find(" kubelet")? + " kubelet".len();
    let rest = line.get(at..)?;
    // Older kubectl prints the node after the source: `kubelet, ip-10-0-0-1.ec2.internal`.
    let rest = match rest.strip_prefix(", ") {
        Some(node) => node.split_once(' ').map_or("", |(_, r)| r),
        None => rest,
    };
    Some(rest)
}

/// An ARN that cannot end here: too few fields, or a trailing separator.
fn looks_incomplete(token: &str) -> bool {
    let lower = token
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("arn:"));
    (lower && token.matches(':').count() < 5)
        || token.ends_with([':', '/', '-', '_', '.'])
        || token.ends_with(".dkr")
        || token.ends_with(".ecr")
}

/// Finds `needle` in `hay` from `from`.
pub(super) fn find_bytes(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from >= hay.len() {
        return None;
    }
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// State of the ANSI escape stripper.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Esc {
    Normal,
    Escape,
    Csi,
    Osc,
}

/// Undoes JSON escaping, strips ANSI escapes and control characters, maps typographic
/// quotes and exotic spaces to ASCII, and turns CRLF and CR into `\n`.
fn decode(input: &str) -> String {
    // Fast path: plain printable ASCII needs none of the work below.
    if input
        .bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b'\\' || b == b'\n')
    {
        return input.to_string();
    }
    let mut out = String::with_capacity(input.len());
    let mut state = Esc::Normal;
    let mut prev_cr = false;
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            // A run of backslashes (JSON inside JSON doubles them) followed by an escape.
            while chars.peek() == Some(&'\\') {
                chars.next();
            }
            match chars.peek().copied() {
                Some(q @ ('"' | '\'' | '/')) => {
                    chars.next();
                    feed(q, &mut out, &mut state, &mut prev_cr);
                }
                Some('n') | Some('r') => {
                    chars.next();
                    feed('\n', &mut out, &mut state, &mut prev_cr);
                }
                Some('t') => {
                    chars.next();
                    feed(' ', &mut out, &mut state, &mut prev_cr);
                }
                Some('u') => {
                    let hex: String = chars.clone().skip(1).take(4).collect();
                    match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                        Some(decoded) if hex.len() == 4 => {
                            for _ in 0..5 {
                                chars.next();
                            }
                            feed(decoded, &mut out, &mut state, &mut prev_cr);
                        }
                        _ => feed('\\', &mut out, &mut state, &mut prev_cr),
                    }
                }
                _ => feed('\\', &mut out, &mut state, &mut prev_cr),
            }
            continue;
        }
        feed(c, &mut out, &mut state, &mut prev_cr);
    }
    out
}

fn feed(c: char, out: &mut String, state: &mut Esc, prev_cr: &mut bool) {
    match *state {
        Esc::Escape => {
            *state = match c {
                '[' => Esc::Csi,
                ']' => Esc::Osc,
                _ => Esc::Normal,
            };
            return;
        }
        Esc::Csi => {
            if ('@'..='~').contains(&c) {
                *state = Esc::Normal;
            }
            return;
        }
        Esc::Osc => {
            if c == '\u{7}' {
                *state = Esc::Normal;
            } else if c == '\u{1b}' {
                *state = Esc::Escape;
            }
            return;
        }
        Esc::Normal => {}
    }
    let was_cr = std::mem::replace(prev_cr, false);
    match c {
        '\u{1b}' => *state = Esc::Escape,
        '\r' => {
            *prev_cr = true;
            out.push('\n');
        }
        '\n' if was_cr => {}
        '\n' => out.push('\n'),
        '\t' => out.push(' '),
        '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{2032}' => out.push('\''),
        '\u{201C}' | '\u{201D}' => out.push('"'),
        '\u{00A0}' | '\u{2007}' | '\u{2009}' | '\u{202F}' => out.push(' '),
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}' => {}
        c if c.is_control() => {}
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_colours_and_line_ends() {
        let t = Text::new("a\\\"b\\u001b[31mred\u{1b}[0m\r\nc\u{2019}d\te");
        assert_eq!(t.s, "a\"bred\nc'd e");
    }

    #[test]
    fn strips_terraform_boxes_and_indentation() {
        let t = Text::new("╷\n│ Error: x\n│   on main.tf\n╵");
        assert!(t.boxed);
        assert_eq!(t.s, "\nError: x\non main.tf\n");
    }

    #[test]
    fn phrase_matching_tolerates_missing_and_extra_whitespace() {
        let t = Text::new("abcd1234is not\n   authorized to perform:ecr:X");
        let (a, _) = t.find(0, t.len(), "is not authorized to perform").unwrap();
        assert_eq!(a, 8);
        let t = Text::new("isnotauthorizedtoperform");
        assert!(t.find(0, t.len(), "is not authorized to perform").is_some());
    }

    #[test]
    fn tokens_glue_across_wraps_only_when_the_grammar_says_so() {
        let t = Text::new("x arn:aws:ecr:us-east-1:1111\n11111111:repository/a b");
        let (tok, _) = t.read_token(2, t.len(), &[]);
        assert_eq!(tok, "arn:aws:ecr:us-east-1:111111111111:repository/a");
        let t = Text::new("x arn:aws:ecr:r:1:repository/ab\ncd because no");
        let (tok, _) = t.read_token(2, t.len(), &["because no"]);
        assert_eq!(tok, "arn:aws:ecr:r:1:repository/abcd");
        let t = Text::new("x arn:aws:ecr:r:1:repository/ab\nHave you seen this");
        let (tok, _) = t.read_token(2, t.len(), &["because no"]);
        assert_eq!(tok, "arn:aws:ecr:r:1:repository/ab");
    }
}
