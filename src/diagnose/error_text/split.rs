//! A pasted log with many failures (a whole CodeBuild log, a page of kubelet events) becomes
//! one entry per distinct failure, in the order they appear.
//!
//! The text is cut at the lines where a failure starts (an IAM sentence's `User:` line, or a
//! family's phrase); each piece is parsed on its own. A piece with no failure in it (a wrapper
//! line, a preamble) joins the next piece; a bare `An error occurred (…)` line a wrap cut off
//! from its sentence does too. Repeats of the same failure are reported once.

use std::collections::HashSet;

use super::family::{Family, PHRASES};
use super::text::Text;
use super::{parse_text, ParsedError, UnrecognisedError};

/// More pieces than this are not split further: the rest is parsed as one.
const MAX_PIECES: usize = 64;

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
    for &cut in cuts.iter().skip(1) {
        let piece = t.sub(start, cut);
        // A piece with no failure, or a wrapper whose sentence a wrap moved to the next
        // line, joins the next piece.
        if let Ok(p) = parse_text(&piece) {
            if !(cut_off_wrapper(&p) && piece.s.trim_end().ends_with(':')) {
                found.push(p);
                start = cut;
            }
        }
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
    let mut add = |pos: usize| lines.push(t.line_of(pos));
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
    lines.sort_unstable();
    lines.dedup();
    lines.truncate(MAX_PIECES);
    lines
}

/// Where the sentence around an anchor starts: its `User:` when one is close before it
/// (a wrap may have put it on an earlier line), else the anchor itself.
fn sentence_start(t: &Text, anchor: usize) -> usize {
    let window = anchor.saturating_sub(600);
    let before = t.slice(window, anchor).to_ascii_lowercase();
    match before.rfind("user:") {
        Some(u) if !before[u..].contains("\n\n") => window + u,
        _ => anchor,
    }
}

/// A bare access-denied line that a wrap cut off from the sentence that follows it.
fn cut_off_wrapper(p: &ParsedError) -> bool {
    p.family == Family::AccessDeniedCode && p.principal_arn.is_none() && p.action.is_none()
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
