//! Wildcard patterns (`*` any run of characters, `?` one character) as IAM uses them in
//! actions, resources and the `...Like` condition operators.

use std::borrow::Cow;

/// One piece of a compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(Box<str>),
    AnyRun,
    AnyChar,
}

/// How a pattern is matched, worked out once when it is compiled. Nearly every pattern in
/// real policies is one literal with at most a leading and a trailing `*` (`ecr:*`,
/// `arn:aws:ecr:…:repository/*`, `*`), which needs neither backtracking nor a scan of the
/// tokens per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Shape {
    /// No tokens: matches only the empty input.
    #[default]
    Empty,
    /// `*`: matches everything.
    Any,
    /// `lit`.
    Exact,
    /// `lit*`.
    Prefix,
    /// `*lit`.
    Suffix,
    /// `*lit*`.
    Contains,
    /// Literals and `*` in any other arrangement; `longest` is the longest literal, which
    /// chooses between backtracking and the linear substring search.
    Stars {
        /// Length in bytes of the longest literal.
        longest: usize,
    },
    /// At least one `?`: backtracking, bounded by input × pattern length.
    Questions,
}

impl Shape {
    fn of(tokens: &[Token]) -> Self {
        use Token::{AnyChar, AnyRun, Literal};
        match tokens {
            [] => Shape::Empty,
            [AnyRun] => Shape::Any,
            [Literal(_)] => Shape::Exact,
            [Literal(_), AnyRun] => Shape::Prefix,
            [AnyRun, Literal(_)] => Shape::Suffix,
            [AnyRun, Literal(_), AnyRun] => Shape::Contains,
            _ if tokens.iter().any(|t| matches!(t, AnyChar)) => Shape::Questions,
            _ => Shape::Stars {
                longest: tokens
                    .iter()
                    .map(|t| match t {
                        Literal(text) => text.len(),
                        _ => 1,
                    })
                    .max()
                    .unwrap_or(0),
            },
        }
    }
}

/// A compiled wildcard pattern.
///
/// Literal `*`/`?` characters (from the `${*}`/`${?}` policy variables) are kept apart from
/// wildcards, which is why a pattern is a token list rather than a string.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pattern {
    tokens: Vec<Token>,
    /// Derived from `tokens` when the pattern is built (so equality is unaffected).
    shape: Shape,
}

impl Pattern {
    /// Compiles `text`, treating every `*` and `?` as a wildcard.
    pub fn parse(text: &str) -> Self {
        let mut builder = PatternBuilder::default();
        builder.push_wild_text(text);
        builder.finish()
    }

    /// Compiles `text` lower-cased, for case-insensitive matching with [`Pattern::matches_folded`].
    pub fn parse_folded(text: &str) -> Self {
        Self::parse(&text.to_ascii_lowercase())
    }

    /// A pattern that matches exactly `text` (no wildcards).
    pub fn literal(text: &str) -> Self {
        let mut builder = PatternBuilder::default();
        builder.push_literal(text);
        builder.finish()
    }

    /// True when the pattern is exactly `*`.
    pub fn is_match_all(&self) -> bool {
        self.shape == Shape::Any
    }

    /// True when the pattern has no wildcard.
    pub fn is_literal(&self) -> bool {
        matches!(self.shape, Shape::Empty | Shape::Exact)
    }

    /// The literal text before the first wildcard (all of it for a literal pattern).
    pub fn literal_prefix(&self) -> &str {
        match self.tokens.first() {
            Some(Token::Literal(text)) => text,
            _ => "",
        }
    }

    /// Case-sensitive match of the whole input.
    pub fn matches(&self, input: &str) -> bool {
        self.match_bytes(input.as_bytes(), false)
    }

    /// ASCII case-insensitive match; the pattern must have been compiled lower-case.
    pub fn matches_folded(&self, input: &str) -> bool {
        self.match_bytes(input.as_bytes(), true)
    }

    /// Dispatches on the shape worked out at compile time.
    fn match_bytes(&self, input: &[u8], fold: bool) -> bool {
        match self.shape {
            Shape::Empty => input.is_empty(),
            Shape::Any => true,
            Shape::Exact => equals(input, self.literal_at(0), fold),
            Shape::Prefix => starts_with(input, self.literal_at(0), fold),
            Shape::Suffix => ends_with(input, self.literal_at(1), fold),
            Shape::Contains => contains(input, self.literal_at(1), fold),
            Shape::Stars { longest } if input.len().saturating_mul(longest) > BACKTRACK_BUDGET => {
                if fold {
                    match_stars(&self.tokens, &input.to_ascii_lowercase())
                } else {
                    match_stars(&self.tokens, input)
                }
            }
            Shape::Stars { .. } | Shape::Questions => backtrack(&self.tokens, input, fold),
        }
    }

    /// The bytes of the literal token at `index` (empty if it is a wildcard, which the
    /// shapes that call this rule out).
    fn literal_at(&self, index: usize) -> &[u8] {
        match self.tokens.get(index) {
            Some(Token::Literal(text)) => text.as_bytes(),
            _ => b"",
        }
    }

    /// Splits the pattern at literal `:` into at most `limit` segments (ARN segments).
    pub fn split_colons(&self, limit: usize) -> Vec<Pattern> {
        let mut segments = vec![PatternBuilder::default()];
        for token in &self.tokens {
            match token {
                Token::Literal(text) => {
                    let mut rest: &str = text;
                    while let Some(pos) = rest.find(':') {
                        if segments.len() >= limit {
                            break;
                        }
                        segments
                            .last_mut()
                            .expect("non-empty")
                            .push_literal(&rest[..pos]);
                        segments.push(PatternBuilder::default());
                        rest = &rest[pos + 1..];
                    }
                    segments.last_mut().expect("non-empty").push_literal(rest);
                }
                other => segments
                    .last_mut()
                    .expect("non-empty")
                    .push_token(other.clone()),
            }
        }
        segments.into_iter().map(PatternBuilder::finish).collect()
    }

    /// The pattern written back with `*`/`?` for wildcards (literal `*`/`?` shown as `${*}`/`${?}`).
    pub fn display(&self) -> Cow<'_, str> {
        if let [Token::Literal(text)] = self.tokens.as_slice() {
            if !text.contains(['*', '?']) {
                return Cow::Borrowed(text);
            }
        }
        let mut out = String::new();
        for token in &self.tokens {
            match token {
                Token::Literal(text) => {
                    for ch in text.chars() {
                        match ch {
                            '*' => out.push_str("${*}"),
                            '?' => out.push_str("${?}"),
                            _ => out.push(ch),
                        }
                    }
                }
                Token::AnyRun => out.push('*'),
                Token::AnyChar => out.push('?'),
            }
        }
        Cow::Owned(out)
    }
}

/// Builds a [`Pattern`] from wildcard text and literal pieces.
#[derive(Debug, Default)]
pub struct PatternBuilder {
    tokens: Vec<Token>,
    pending: String,
}

impl PatternBuilder {
    /// Appends text whose `*` and `?` are wildcards.
    pub fn push_wild_text(&mut self, text: &str) {
        for ch in text.chars() {
            match ch {
                '*' => {
                    self.flush();
                    // Consecutive `*` are equivalent to one.
                    if self.tokens.last() != Some(&Token::AnyRun) {
                        self.tokens.push(Token::AnyRun);
                    }
                }
                '?' => {
                    self.flush();
                    self.tokens.push(Token::AnyChar);
                }
                _ => self.pending.push(ch),
            }
        }
    }

    /// Appends text that matches only itself.
    pub fn push_literal(&mut self, text: &str) {
        self.pending.push_str(text);
    }

    fn push_token(&mut self, token: Token) {
        self.flush();
        self.tokens.push(token);
    }

    fn flush(&mut self) {
        if !self.pending.is_empty() {
            let text = std::mem::take(&mut self.pending);
            self.tokens.push(Token::Literal(text.into_boxed_str()));
        }
    }

    /// Finishes the pattern.
    pub fn finish(mut self) -> Pattern {
        self.flush();
        Pattern {
            shape: Shape::of(&self.tokens),
            tokens: self.tokens,
        }
    }
}

fn equals(input: &[u8], literal: &[u8], fold: bool) -> bool {
    if fold {
        input.eq_ignore_ascii_case(literal)
    } else {
        input == literal
    }
}

fn starts_with(haystack: &[u8], needle: &[u8], fold: bool) -> bool {
    haystack
        .get(..needle.len())
        .is_some_and(|head| equals(head, needle, fold))
}

fn ends_with(haystack: &[u8], needle: &[u8], fold: bool) -> bool {
    haystack.len() >= needle.len()
        && equals(&haystack[haystack.len() - needle.len()..], needle, fold)
}

/// Substring test; the folded form compares window by window while that stays within the
/// budget, and lower-cases the input once for a linear search beyond it.
fn contains(haystack: &[u8], needle: &[u8], fold: bool) -> bool {
    if !fold {
        return memchr::memmem::find(haystack, needle).is_some();
    }
    if haystack.len().saturating_mul(needle.len()) > BACKTRACK_BUDGET {
        return memchr::memmem::find(&haystack.to_ascii_lowercase(), needle).is_some();
    }
    needle.is_empty()
        || haystack
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle))
}

fn char_len(first_byte: u8) -> usize {
    match first_byte {
        b if b < 0x80 => 1,
        b if b >= 0xF0 => 4,
        b if b >= 0xE0 => 3,
        b if b >= 0xC0 => 2,
        _ => 1,
    }
}

/// Above this product of input length and literal length, patterns without `?` are matched
/// by substring search ([`match_stars`], linear) instead of backtracking (whose worst case
/// is input × literal: a 1 MB action against a 10,000-character pattern took seconds).
const BACKTRACK_BUDGET: usize = 1 << 16;

/// Glob matching with single-point backtracking: only the most recent `*` ever needs to
/// absorb more input, which keeps matching allocation-free and fast for the short inputs
/// of real requests. Long inputs against patterns of `*` and literals take the linear path
/// before this is called; patterns with `?` keep the bound of input × pattern length.
fn backtrack(tokens: &[Token], input: &[u8], fold: bool) -> bool {
    let (mut ti, mut si) = (0usize, 0usize);
    let mut resume: Option<(usize, usize)> = None;
    loop {
        if let Some(token) = tokens.get(ti) {
            match token {
                Token::AnyRun => {
                    ti += 1;
                    resume = Some((ti, si));
                    continue;
                }
                Token::AnyChar if si < input.len() => {
                    si += char_len(input[si]);
                    ti += 1;
                    continue;
                }
                Token::Literal(text) if starts_with(&input[si..], text.as_bytes(), fold) => {
                    si += text.len();
                    ti += 1;
                    continue;
                }
                _ => {}
            }
        } else if si == input.len() {
            return true;
        }
        match resume {
            Some((resume_ti, resume_si)) if resume_si < input.len() => {
                let next = resume_si + char_len(input[resume_si]);
                resume = Some((resume_ti, next));
                ti = resume_ti;
                si = next;
            }
            _ => return false,
        }
    }
}

/// Matches a pattern of literals and `*` only, in time linear in the input: the first
/// literal is a prefix, the last a suffix, and each literal between stars is found at its
/// leftmost occurrence (taking the leftmost never loses a match, since the next `*` absorbs
/// whatever follows it).
fn match_stars(tokens: &[Token], input: &[u8]) -> bool {
    fn literal(token: &Token) -> Option<&[u8]> {
        match token {
            Token::Literal(text) => Some(text.as_bytes()),
            _ => None,
        }
    }
    let mut tokens = tokens;
    let mut input = input;
    // Anchored start.
    if let Some(first) = tokens.first().and_then(literal) {
        match input.strip_prefix(first) {
            Some(rest) => input = rest,
            None => return false,
        }
        tokens = &tokens[1..];
    }
    if tokens.is_empty() {
        return input.is_empty();
    }
    // Anchored end (a `*` precedes it, so it may not overlap what the start took).
    if let Some(last) = tokens.last().and_then(literal) {
        match input.strip_suffix(last) {
            Some(rest) => input = rest,
            None => return false,
        }
        tokens = &tokens[..tokens.len() - 1];
    }
    // `*lit*lit*…*`: each literal at its leftmost place.
    for token in tokens {
        if let Some(needle) = literal(token) {
            match memchr::memmem::find(input, needle) {
                Some(at) => input = &input[at + needle.len()..],
                None => return false,
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_inputs_take_the_linear_path_with_the_same_answers() {
        let cases = [
            ("a*b*c", "aXbYbZc", true),
            ("a*b*c", "aXbYbZ", false),
            ("*needle*", "hay needle hay", true),
            ("ab*ab", "ab", false),
            ("ab*ab", "abab", true),
            ("ab*ba", "aba", false),
            ("*x", "yyy", false),
            ("x*", "xyz", true),
        ];
        for (pattern, input, want) in cases {
            let tokens = Pattern::parse(pattern).tokens;
            assert_eq!(
                match_stars(&tokens, input.as_bytes()),
                want,
                "{pattern} {input}"
            );
            assert_eq!(
                backtrack(&tokens, input.as_bytes(), false),
                want,
                "{pattern} {input}"
            );
            assert_eq!(
                Pattern::parse(pattern).matches(input),
                want,
                "{pattern} {input}"
            );
        }
        // The shape that took seconds: a 1 MB input against a long pattern, both ways.
        let input = "a".repeat(1 << 20);
        let pattern = format!("*{}b*", "a".repeat(10_000));
        assert!(!Pattern::parse(&pattern).matches(&input));
        let folded = Pattern::parse_folded(&format!("*{}*", "A".repeat(10_000)));
        assert!(folded.matches_folded(&input.to_ascii_uppercase()));
    }

    #[test]
    fn star_and_question_mark() {
        assert!(Pattern::parse("ecr:*").matches("ecr:BatchGetImage"));
        assert!(Pattern::parse("ecr:Batch*Image").matches("ecr:BatchGetImage"));
        assert!(Pattern::parse("ecr:Batch?etImage").matches("ecr:BatchGetImage"));
        assert!(!Pattern::parse("ecr:Batch?Image").matches("ecr:BatchGetImage"));
        assert!(Pattern::parse("*").matches(""));
        assert!(Pattern::parse("a*b*c").matches("aXbYbZc"));
        assert!(!Pattern::parse("a*b*c").matches("aXbYbZ"));
        assert!(Pattern::parse("**").matches("anything"));
    }

    #[test]
    fn folded_matching_is_ascii_case_insensitive() {
        let p = Pattern::parse_folded("ECR:BatchGet*");
        assert!(p.matches_folded("ecr:batchgetimage"));
        assert!(p.matches_folded("ECR:BATCHGETIMAGE"));
        assert!(!Pattern::parse("ECR:BatchGet*").matches("ecr:BatchGetImage"));
    }

    #[test]
    fn literal_stars_are_not_wildcards() {
        let mut b = PatternBuilder::default();
        b.push_wild_text("folder/");
        b.push_literal("*");
        let p = b.finish();
        assert!(p.matches("folder/*"));
        assert!(!p.matches("folder/x"));
        assert_eq!(p.display(), "folder/${*}");
    }

    #[test]
    fn multibyte_question_mark() {
        assert!(Pattern::parse("a?c").matches("aéc"));
        assert!(Pattern::parse("日*語").matches("日本語"));
    }

    #[test]
    fn split_colons_keeps_resource_part_whole() {
        let parts = Pattern::parse("arn:aws:logs:*:1:log-group:a:*").split_colons(6);
        assert_eq!(parts.len(), 6);
        assert!(parts[5].matches("log-group:a:stream"));
        assert!(parts[3].matches("us-east-1"));
    }
}
