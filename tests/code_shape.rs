//! The shape rules of DESIGN.md ("code rules"), checked on the source: no function in
//! `src/` (outside test modules) is longer than [`MAX_FN_LINES`], and no library signature
//! returns `Result<_, String>` (errors are `thiserror` types whose messages say what to do).
//!
//! The scanner blanks out comments, strings and character literals first, so braces and
//! `fn` inside them do not count.

#[path = "support/sources.rs"]
mod support_sources;

use support_sources::sources;

/// The longest a function may be, from its `fn` line to its closing brace. Longer ones are
/// split along their phases into named helpers.
const MAX_FN_LINES: usize = 100;

/// The text with comments, string literals and character literals replaced by spaces
/// (newlines kept, so line numbers stay true).
fn blank_literals(text: &str) -> Vec<char> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = chars.clone();
    let blank = |out: &mut Vec<char>, from: usize, to: usize| {
        for c in &mut out[from..to.min(chars.len())] {
            if *c != '\n' {
                *c = ' ';
            }
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let rest = |k: usize| chars.get(i + k).copied();
        match chars[i] {
            '/' if rest(1) == Some('/') => {
                let end = (i..chars.len())
                    .find(|&j| chars[j] == '\n')
                    .unwrap_or(chars.len());
                blank(&mut out, i, end);
                i = end;
            }
            '/' if rest(1) == Some('*') => {
                let mut depth = 0usize;
                let mut j = i;
                while j < chars.len() {
                    if chars[j] == '/' && chars.get(j + 1) == Some(&'*') {
                        depth += 1;
                        j += 2;
                    } else if chars[j] == '*' && chars.get(j + 1) == Some(&'/') {
                        depth -= 1;
                        j += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        j += 1;
                    }
                }
                blank(&mut out, i, j);
                i = j;
            }
            'r' if (rest(1) == Some('"') || rest(1) == Some('#'))
                && (i == 0 || !is_ident(chars[i - 1])) =>
            {
                let hashes = (i + 1..chars.len())
                    .take_while(|&j| chars[j] == '#')
                    .count();
                let open = i + 1 + hashes;
                if chars.get(open) != Some(&'"') {
                    i += 1;
                    continue;
                }
                let closing: Vec<char> = std::iter::once('"')
                    .chain(std::iter::repeat_n('#', hashes))
                    .collect();
                let end = (open + 1..chars.len())
                    .find(|&j| chars[j..].starts_with(&closing))
                    .map_or(chars.len(), |j| j + closing.len());
                blank(&mut out, i, end);
                i = end;
            }
            '"' => {
                let mut j = i + 1;
                while j < chars.len() && chars[j] != '"' {
                    j += if chars[j] == '\\' { 2 } else { 1 };
                }
                blank(&mut out, i, j + 1);
                i = j + 1;
            }
            '\'' => {
                // A character literal ('x', '\n', '\u{..}'), not a lifetime ('a).
                let end = if rest(1) == Some('\\') {
                    (i + 2..chars.len()).find(|&j| chars[j] == '\'')
                } else if rest(2) == Some('\'') {
                    Some(i + 2)
                } else {
                    None
                };
                match end {
                    Some(end) => {
                        blank(&mut out, i, end + 1);
                        i = end + 1;
                    }
                    None => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The index of the brace closing the one at `open`.
fn closing_brace(text: &[char], open: usize) -> usize {
    let mut depth = 0usize;
    for (j, c) in text.iter().enumerate().skip(open) {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return j;
                }
            }
            _ => {}
        }
    }
    text.len()
}

/// Character ranges of `#[cfg(test)] mod … { … }` blocks.
fn test_modules(text: &[char]) -> Vec<(usize, usize)> {
    let joined: String = text.iter().collect();
    let mut ranges = Vec::new();
    for (at, attr) in joined.match_indices("#[cfg(test)]") {
        // Byte offsets equal char offsets only for ASCII; convert to be safe.
        let start = joined[..at].chars().count();
        let after = start + attr.len();
        let tail: String = text[after..].iter().collect();
        if tail.trim_start().starts_with("mod ") {
            if let Some(open) = text[after..].iter().position(|c| *c == '{') {
                ranges.push((start, closing_brace(text, after + open)));
            }
        }
    }
    ranges
}

/// Every function with a body outside test modules: (name, first line, line count).
fn functions(text: &str) -> Vec<(String, usize, usize)> {
    let clean = blank_literals(text);
    let tests = test_modules(&clean);
    let line_of = |at: usize| clean[..at].iter().filter(|c| **c == '\n').count() + 1;
    let mut found = Vec::new();
    let mut i = 0;
    while i + 3 < clean.len() {
        let is_fn = clean[i..].starts_with(&['f', 'n', ' '])
            && (i == 0 || !is_ident(clean[i - 1]))
            && !tests.iter().any(|(s, e)| (*s..=*e).contains(&i));
        if !is_fn {
            i += 1;
            continue;
        }
        let name: String = clean[i + 3..]
            .iter()
            .skip_while(|c| c.is_whitespace())
            .take_while(|c| is_ident(**c))
            .collect();
        // The body starts at the first `{` outside parentheses and brackets; a `;` there
        // first means a declaration without a body.
        let (mut parens, mut body) = (0i32, None);
        for (j, c) in clean.iter().enumerate().skip(i + 3) {
            match c {
                '(' | '[' => parens += 1,
                ')' | ']' => parens -= 1,
                '{' if parens == 0 => {
                    body = Some(j);
                    break;
                }
                ';' if parens == 0 => break,
                _ => {}
            }
        }
        if let (false, Some(open)) = (name.is_empty(), body) {
            let close = closing_brace(&clean, open);
            let (first, last) = (line_of(i), line_of(close.min(clean.len() - 1)));
            found.push((name, first, last - first + 1));
        }
        i += 3;
    }
    found
}

/// The type arguments of each `Result<…>` in the text, split at their top-level commas.
fn result_arguments(text: &str) -> Vec<Vec<String>> {
    let clean: String = blank_literals(text).into_iter().collect();
    let mut all = Vec::new();
    for (at, _) in clean.match_indices("Result<") {
        if at > 0 && is_ident(clean[..at].chars().next_back().unwrap_or(' ')) {
            continue; // e.g. `MyResult<`
        }
        let mut args = vec![String::new()];
        let mut depth = 0usize;
        for c in clean[at + "Result<".len()..].chars() {
            match c {
                '>' if depth == 0 => break,
                '<' | '(' | '[' => depth += 1,
                '>' | ')' | ']' => depth -= 1,
                ',' if depth == 0 => {
                    args.push(String::new());
                    continue;
                }
                _ => {}
            }
            args.last_mut().expect("one argument").push(c);
        }
        all.push(args.iter().map(|a| a.trim().to_string()).collect());
    }
    all
}

/// The text outside `#[cfg(test)] mod … { … }` blocks.
fn without_test_modules(text: &str) -> String {
    let clean = blank_literals(text);
    let tests = test_modules(&clean);
    text.chars()
        .enumerate()
        .filter(|(i, _)| !tests.iter().any(|(s, e)| (*s..=*e).contains(i)))
        .map(|(_, c)| c)
        .collect()
}

#[test]
fn no_function_in_src_is_longer_than_the_limit() {
    let files = sources();
    let mut long = Vec::new();
    for (file, text) in &files {
        for (name, line, lines) in functions(text) {
            if lines > MAX_FN_LINES {
                long.push(format!("src/{file}:{line} {name} ({lines} lines)"));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FN_LINES} lines; split them along their phases into named helpers:\n{}",
        long.join("\n")
    );
}

#[test]
fn no_library_signature_returns_a_string_error() {
    let mut found = Vec::new();
    for (file, text) in sources() {
        for args in result_arguments(&without_test_modules(&text)) {
            if args.len() == 2 && args[1] == "String" {
                found.push(format!("src/{file}: Result<{}, String>", args[0]));
            }
        }
    }
    assert!(
        found.is_empty(),
        "return a thiserror type whose message says what to do next, not a String:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scanner_measures_functions_and_skips_literals_and_tests() {
    let text = "fn short() {\n    let s = \"fn fake() { {\";\n    let c = '{';\n}\n\
                // fn commented() {\n\
                pub(crate) async fn longer<'a>(x: &'a [u8; 4]) -> Result<(), E>\nwhere\n    E: Clone,\n{\n    x;\n}\n\
                trait T { fn declared(&self); }\n\
                #[cfg(test)]\nmod tests {\n    fn hidden() {}\n}\n";
    let found = functions(text);
    let names: Vec<(&str, usize)> = found.iter().map(|(n, _, l)| (n.as_str(), *l)).collect();
    assert_eq!(names, vec![("short", 4), ("longer", 6)]);
    assert_eq!(found[1].1, 6, "longer starts on line 6");
}

#[test]
fn the_scanner_finds_string_errors_at_any_depth() {
    let args = result_arguments("fn f() -> io::Result<Result<Vec<(u8, u8)>, String>> {}");
    assert!(args.iter().any(|a| a.len() == 2 && a[1] == "String"));
    let typed = result_arguments("fn g() -> Result<BTreeMap<String, String>, MyError> {}");
    assert!(typed.iter().all(|a| a.len() != 2 || a[1] != "String"));
    let text = "#[cfg(test)]\nmod tests {\n    fn t() -> Result<(), String> { Ok(()) }\n}\n";
    assert!(result_arguments(&without_test_modules(text)).is_empty());
}
