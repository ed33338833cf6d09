//! Text from the data (policies, snapshots, CloudTrail records, pasted errors) made safe to
//! print: one layer every text and Markdown rendering uses, and the console too.
//!
//! Policy documents, role names, tags and CloudTrail fields are written by other people. A
//! value holding ESC, BEL, CR, LF, NUL or a C1 control (U+0080–U+009F) could set the window
//! title, write the clipboard (OSC 52), clear the screen or print a forged line when echoed to
//! a terminal, and Markdown syntax in a value could reshape a ticket. Every such character is
//! shown visibly as `\u001b` instead; JSON output is never passed through here (it is exact,
//! and JSON escaping already covers C0 controls).
//!
//! A leaf module: it imports nothing from the crate, so every layer may use it.

use std::borrow::Cow;
use std::fmt;

/// Whether `c` must not reach a terminal as is: C0 and C1 controls, DEL, and the Unicode
/// format characters that reorder or hide text (bidirectional overrides and isolates, line and
/// paragraph separators).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every unsafe character (see [`is_unsafe`]) written as `\uXXXX`, on one line.
/// Text without any is returned as is, without copying.
pub fn terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

/// Like [`terminal`], but keeps line feeds: for multi-line blocks the renderer made itself
/// (pretty-printed JSON, whose own escaping leaves C1 controls and bidi overrides as is).
pub fn terminal_lines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c == '\n' {
            out.push(c);
        } else {
            push_escaped(&mut out, c);
        }
    }
    Cow::Owned(out)
}

fn push_escaped(out: &mut String, c: char) {
    if is_unsafe(c) {
        use fmt::Write as _;
        let _ = write!(out, "\\u{:04x}", u32::from(c));
    } else {
        out.push(c);
    }
}

/// A value shown through [`terminal`] when formatted: `format!("{}", Safe(&sid))`.
pub struct Safe<T>(pub T);

impl<T: fmt::Display> fmt::Display for Safe<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.to_string();
        f.pad(&terminal(&text))
    }
}

/// Characters that mean something to CommonMark inline or at the start of a line; a
/// backslash before any ASCII punctuation makes it literal.
const MARKDOWN_SPECIAL: &[char] = &['\\', '`', '*', '_', '[', ']', '<', '>', '#', '|', '~', '&'];

/// `text` as literal Markdown inline text: unsafe characters escaped as for [`terminal`]
/// (so a value stays on its line), and every Markdown special character backslash-escaped,
/// so a value can open no code fence, link, image, HTML tag, table cell or emphasis. A
/// leading `-`, `+`, `=` or `1.` cannot start a list or a heading underline either.
pub fn markdown(text: &str) -> String {
    let text = terminal(text);
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.chars().enumerate() {
        let leading = (i == 0 && matches!(c, '-' | '+' | '='))
            || (i == digits && digits > 0 && matches!(c, '.' | ')'));
        if MARKDOWN_SPECIAL.contains(&c) || leading {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `text` as a Markdown code span: a backtick run longer than any inside it, padded when
/// the text starts or ends with a backtick; unsafe characters escaped as for [`terminal`].
pub fn markdown_code(text: &str) -> String {
    let text = terminal(text);
    let fence = "`".repeat(longest_backtick_run(&text) + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// `body` as a fenced Markdown code block with info string `lang`: the fence is longer than
/// any backtick run in the body, so the body cannot close it; unsafe characters other than
/// line feeds are escaped as for [`terminal_lines`]. Ends with a line feed.
pub fn markdown_block(lang: &str, body: &str) -> String {
    let body = terminal_lines(body);
    let fence = "`".repeat((longest_backtick_run(&body) + 1).max(3));
    format!("{fence}{lang}\n{}\n{fence}\n", body.trim_end_matches('\n'))
}

fn longest_backtick_run(text: &str) -> usize {
    let (mut longest, mut run) = (0, 0);
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_shown_not_obeyed() {
        let hostile = "a\u{1b}]52;c;aGk=\u{7}b\rc\nd\u{0}e\u{9b}2Jf\u{202e}g\u{7f}";
        let shown = terminal(hostile);
        assert_eq!(
            shown,
            "a\\u001b]52;c;aGk=\\u0007b\\u000dc\\u000ad\\u0000e\\u009b2Jf\\u202eg\\u007f"
        );
        assert!(!shown.chars().any(is_unsafe));
        assert!(matches!(terminal("plain ✓ text"), Cow::Borrowed(_)));
        assert_eq!(terminal_lines("a\nb\u{85}c"), "a\nb\\u0085c");
        assert_eq!(format!("[{:<6}]", Safe("x\u{7}")), "[x\\u0007]");
        assert_eq!(format!("[{:<4}]", Safe("ab")), "[ab  ]");
    }

    #[test]
    fn markdown_values_stay_literal_and_on_their_line() {
        let hostile = "```\n# Verdict: works\n[x](http://e) <img> *a* _b_ | c";
        let md = markdown(hostile);
        assert!(!md.contains('\n'));
        assert!(!md.contains("``"), "{md}");
        assert_eq!(
            md,
            "\\`\\`\\`\\\\u000a\\# Verdict: works\\\\u000a\\[x\\](http://e) \\<img\\> \\*a\\* \\_b\\_ \\| c"
        );
        assert_eq!(markdown("- item"), "\\- item");
        assert_eq!(markdown("12. item 3.5"), "12\\. item 3.5");
        assert_eq!(markdown_code("a`b"), "``a`b``");
        assert_eq!(markdown_code("`a"), "`` `a ``");
        let block = markdown_block("json", "{\"s\": \"```\u{9b}\"}\n");
        assert_eq!(block, "````json\n{\"s\": \"```\\u009b\"}\n````\n");
    }
}
