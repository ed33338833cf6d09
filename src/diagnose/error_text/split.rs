//! A pasted log with many failures (a whole CodeBuild log, a page of kubelet events) becomes
//! one entry per distinct failure, in the order they appear.
//!
//! The text is cut at the lines where a failure starts (an IAM sentence's `User:` line, a
//! family's phrase, a reason clause with no sentence before it), moved back to the start of a
//! terminal-wrapped record and to docker's `The push refers to repository` line; each piece is
//! parsed on its own. A piece with no failure in it (a wrapper line, a preamble) joins the next
//! piece; so does a bare denial (an SDK's `403 Forbidden` header, a CLI line a wrap cut off
//! from its `User: …`) whose sentence follows. Repeats of the same failure are reported once.

use std::collections::HashSet;

use super::family::{Family, PHRASES};
use super::text::Text;
use super::{parse_text, ParsedError, UnrecognisedError};

/// How far (in lines) a bare denial may be from the sentence it wraps.
const WRAPPER_LINES: usize = 8;

/// More pieces than this are not split further: the rest is parsed as one.
const MAX_PIECES: usize = 256;

/// Phrases that start a failure besides the families' own phrases.
const STARTS: [&str; 6] = [
    "an error occurred (",
    "no basic auth credentials",
    "401 unauthorized",
    "403 forbidden",
    "pull access denied for",
    "requested access to the resource is denied",
];

/// Parses every distinct failure in `text`, in order. Rejects the text only when it holds no
/// failure at all (with the reason the whole text gives).
pub fn parse_all(text: &str) -> Result<Vec<ParsedError>, UnrecognisedError> {
    let t = Text::new(text);
    let cuts = cut_lines(&t);
    if cuts.len() <= 1 {
        return parse_text(&t).map(|p| vec![p]);
    }
    let mut found = Vec::new();
    let mut start = 0;
    for (i, &cut) in cuts.iter().enumerate().skip(1) {
        // A piece with no failure in it (a preamble, a wrapper line) joins the next piece.
        let piece = t.sub(start, cut);
        let Ok(p) = parse_text(&piece) else {
            continue;
        };
        // So does a bare denial whose sentence follows within a few lines (an SDK's
        // `403 Forbidden` header, a CLI line a wrap cut off from its `User: …`).
        let blank_line = piece.s.split('\n').any(|l| l.trim().is_empty());
        if low_detail(&p) && cut - start <= WRAPPER_LINES && !blank_line {
            let next = cuts.get(i + 1).copied().unwrap_or(t.lines.len());
            let same_image = |j: &ParsedError| {
                let name = |q: &ParsedError| q.repository.as_ref().and_then(|r| r.name.clone());
                name(&p).is_none() || name(&p) == name(j)
            };
            let joined = parse_text(&t.sub(start, next));
            if joined
                .is_ok_and(|j| (j.action.is_some() || j.principal_arn.is_some()) && same_image(&j))
            {
                continue;
            }
        }
        found.push(p);
        start = cut;
    }
    if let Ok(p) = parse_text(&t.sub(start, t.lines.len())) {
        found.push(p);
    }
    let found = distinct(found);
    if found.is_empty() {
        return parse_text(&t).map(|p| vec![p]);
    }
    Ok(found)
}

/// The first line of every failure, ascending; line 0 always starts the first piece.
fn cut_lines(t: &Text) -> Vec<usize> {
    let mut lines = vec![0];
    // A failure starts on the first line of the terminal-wrapped record holding its phrase.
    let mut add = |pos: usize| {
        let mut line = t.line_of(pos);
        while line > 0 && t.is_hard_wrap(line - 1) {
            line -= 1;
        }
        lines.push(opener(t, line));
    };
    let mut from = 0;
    while let Some((anchor, end)) = t.find(from, t.len(), "not authorized to perform") {
        add(sentence_start(t, anchor));
        from = end;
    }
    let phrases = PHRASES
        .iter()
        .flat_map(|(_, phrases)| phrases.iter())
        .chain(STARTS.iter());
    for phrase in phrases {
        let mut from = 0;
        while let Some((a, end)) = t.find(from, t.len(), phrase) {
            add(a);
            from = end;
        }
    }
    // A reason clause starts a failure only when no sentence it could end comes before it.
    for phrase in ["because no ", "no resource-based policy allows"] {
        let mut from = 0;
        while let Some((a, end)) = t.find(from, t.len(), phrase) {
            let before = t.slice(window_start(t, a), a).to_ascii_lowercase();
            let own_sentence = before
                .rfind("not authorized to perform")
                .is_some_and(|i| !before[i..].contains("\n\n"));
            if !own_sentence {
                lines.push(t.line_of(a));
            }
            from = end;
        }
    }
    lines.sort_unstable();
    lines.dedup();
    lines.truncate(MAX_PIECES);
    lines
}

/// The first line of docker's output for the push or pull that failed at `line`: its layer
/// progress lines and `The push refers to repository […]` (which names the repository).
fn opener(t: &Text, line: usize) -> usize {
    let text_of = |i: usize| {
        let start = t.lines[i].start;
        let end = t
            .lines
            .get(i + 1)
            .map_or(t.len(), |n| n.start.saturating_sub(1));
        t.slice(start, end).to_ascii_lowercase()
    };
    let mut first = line;
    while first > 0 && line - first < 16 {
        let before = text_of(first - 1);
        let layer = before.len() > 13
            && before.as_bytes()[..12].iter().all(u8::is_ascii_hexdigit)
            && before.as_bytes()[12] == b':';
        if before.starts_with("the push refers to repository") {
            return first - 1;
        }
        if !(layer || before.contains(": pulling from ") || before.starts_with("using default tag"))
        {
            break;
        }
        first -= 1;
    }
    line
}

/// Where the sentence around an anchor starts: its `User:` when one is close before it
/// (a wrap may have put it on an earlier line), else the anchor itself.
fn sentence_start(t: &Text, anchor: usize) -> usize {
    let window = window_start(t, anchor);
    let before = t.slice(window, anchor).to_ascii_lowercase();
    match before.rfind("user:") {
        Some(u) if !before[u..].contains("\n\n") => window + u,
        _ => anchor,
    }
}

/// Where the look-back window before `pos` starts: 600 bytes back, on a character boundary.
fn window_start(t: &Text, pos: usize) -> usize {
    let mut start = pos.saturating_sub(600);
    while start < pos && !t.s.is_char_boundary(start) {
        start += 1;
    }
    start
}

/// A denial that names neither caller nor action: often only the wrapper of the next piece.
fn low_detail(p: &ParsedError) -> bool {
    p.principal_arn.is_none()
        && p.action.is_none()
        && matches!(
            p.family,
            Family::AccessDeniedCode
                | Family::Registry403Forbidden
                | Family::RequestedAccessDenied
                | Family::PullAccessDenied
        )
}

/// The failures with repeats removed, and a consequence (docker's non-TTY login after a
/// refused token) dropped when the failure it follows is there.
fn distinct(found: Vec<ParsedError>) -> Vec<ParsedError> {
    let mut seen = HashSet::new();
    let mut out: Vec<ParsedError> = found
        .into_iter()
        .filter(|p| {
            seen.insert((
                p.family,
                p.principal_arn.clone(),
                p.principal_text.clone(),
                p.action.clone(),
                p.resource_arn.clone(),
                p.resource_text.clone(),
                p.repository.as_ref().and_then(|r| r.name.clone()),
            ))
        })
        .collect();
    if out.len() > 1 {
        out.retain(|p| !p.family.is_consequence());
    }
    out
}
