//! The layer rules of DESIGN.md ("shape of the code"), checked on the source: which
//! top-level modules each module may name through `crate::…` (or a `super::…` chain that
//! climbs to the crate root).
//!
//! Imports that break a rule today are listed in [`KNOWN_VIOLATIONS`] so the test passes
//! while the redesign (issue 13) removes them; any other breach fails, and so does an entry
//! of the list that no longer occurs, so the list only ever shrinks.

use std::collections::BTreeSet;
#[path = "support/sources.rs"]
mod support_sources;

use support_sources::sources;

/// The layered modules, lowest first, and the modules each may import. `cli` (the top
/// floor) is imported by none of them.
const RULES: &[(&str, &[&str])] = &[
    ("policy", &[]),
    ("inventory", &["policy"]),
    ("trail", &["policy", "inventory"]),
    ("diagnose", &["policy", "inventory", "trail"]),
    ("aws", &["policy", "inventory", "trail"]),
    (
        "workspace",
        &["policy", "inventory", "trail", "diagnose", "aws"],
    ),
    // Renderings of a diagnosis only (docs/architecture.md).
    ("report", &["policy", "inventory", "diagnose"]),
    (
        "tui",
        &[
            "policy",
            "inventory",
            "trail",
            "diagnose",
            "aws",
            "workspace",
            "report",
        ],
    ),
    (
        "commands",
        &[
            "policy",
            "inventory",
            "trail",
            "diagnose",
            "aws",
            "workspace",
            "report",
        ],
    ),
];

/// Files of `src/` outside the layers: the crate root, the binary, argument parsing (the
/// top floor, which may import everything) and the file log (a leaf every layer may use).
const UNLAYERED: &[&str] = &[
    "lib.rs",
    "main.rs",
    "cli.rs",
    "logging.rs",
    "safe_text.rs",
    "deadline.rs",
];

/// Breaches present when this test was written (file under `src/`, module it imports).
/// Remove an entry when its import goes; never add one.
const KNOWN_VIOLATIONS: &[(&str, &str)] = &[
    // Empty since the redesign took `diagnose` off `report` and `tui` off `commands`.
];

/// The module path segments of a file under `src/` (`diagnose/mod.rs` → `[diagnose]`,
/// `tui/panes/lists.rs` → `[tui, panes, lists]`).
fn module_of(relative: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = relative.trim_end_matches(".rs").split('/').collect();
    if parts.last() == Some(&"mod") {
        parts.pop();
    }
    parts
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The text without `//` comments (doc links are not imports). Block comments are rare in
/// this code base and not stripped.
fn strip_line_comments(text: &str) -> String {
    text.lines()
        .map(|line| line.find("//").map_or(line, |at| &line[..at]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Names following `prefix` at `at`: one identifier, or each first segment of a
/// `{a, b::c}` group.
fn names_after(text: &str, at: usize) -> Vec<String> {
    let rest = &text[at..];
    if let Some(group) = rest.strip_prefix('{') {
        // Split the group at its own commas (not those of nested groups).
        let mut items = vec![String::new()];
        let mut depth = 0usize;
        for c in group.chars() {
            match c {
                '}' if depth == 0 => break,
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(String::new());
                    continue;
                }
                _ => {}
            }
            items.last_mut().expect("one item").push(c);
        }
        return items
            .iter()
            .map(|item| {
                item.trim_start()
                    .chars()
                    .take_while(|c| is_ident(*c))
                    .collect()
            })
            .filter(|name: &String| !name.is_empty())
            .collect();
    }
    let name: String = rest.chars().take_while(|c| is_ident(*c)).collect();
    if name.is_empty() {
        Vec::new()
    } else {
        vec![name]
    }
}

/// The top-level modules a file names: `crate::x`, `crate::{x, y}`, and `super::` chains
/// long enough to reach the crate root from `module`.
fn imported_tops(text: &str, module: &[&str]) -> BTreeSet<String> {
    let text = strip_line_comments(text);
    let mut found = BTreeSet::new();
    let starts_path = |at: usize| {
        at == 0
            || text[..at]
                .chars()
                .next_back()
                .is_some_and(|c| !is_ident(c) && c != ':')
    };
    for (at, _) in text.match_indices("crate::") {
        if starts_path(at) {
            found.extend(names_after(&text, at + "crate::".len()));
        }
    }
    // `super::` once per segment of a file module's path reaches the crate root.
    let to_root = "super::".repeat(module.len());
    for (at, _) in text.match_indices(&to_root) {
        if starts_path(at) && !text[at + to_root.len()..].starts_with("super::") {
            found.extend(names_after(&text, at + to_root.len()));
        }
    }
    found
}

/// Every (file, imported module) pair that breaks a rule.
fn violations() -> BTreeSet<(String, String)> {
    let layered: Vec<&str> = RULES.iter().map(|(m, _)| *m).chain(["cli"]).collect();
    let mut out = BTreeSet::new();
    for (relative, text) in sources() {
        if UNLAYERED.contains(&relative.as_str()) {
            continue;
        }
        let module = module_of(&relative);
        let top = module[0];
        let allowed = RULES
            .iter()
            .find(|(m, _)| *m == top)
            .map(|(_, allowed)| *allowed)
            .unwrap_or_else(|| {
                panic!("src/{relative}: module `{top}` has no layer rule; add it to RULES")
            });
        for name in imported_tops(&text, &module) {
            if name != top && layered.contains(&name.as_str()) && !allowed.contains(&name.as_str())
            {
                out.insert((relative.clone(), name));
            }
        }
    }
    out
}

#[test]
fn modules_import_only_the_layers_below_them() {
    let found = violations();
    let known: BTreeSet<(String, String)> = KNOWN_VIOLATIONS
        .iter()
        .map(|(f, m)| (f.to_string(), m.to_string()))
        .collect();
    let new: Vec<_> = found.difference(&known).collect();
    assert!(
        new.is_empty(),
        "imports that break the layer rules of DESIGN.md (file under src/, module): {new:?}"
    );
    let gone: Vec<_> = known.difference(&found).collect();
    assert!(
        gone.is_empty(),
        "fixed, so remove from KNOWN_VIOLATIONS in tests/layering.rs: {gone:?}"
    );
}

#[test]
fn the_scanner_sees_every_form_of_path() {
    let text = "use crate::policy::Arn;\n\
                use crate::{inventory::Account, trail};\n\
                let x = crate::report::text(y);\n\
                // crate::tui in a comment is not an import\n\
                let s = super::super::aws::Loader::new();\n\
                use super::sibling;\n\
                let a = notcrate::commands::x;";
    let found = imported_tops(text, &["diagnose", "access"]);
    let expected: BTreeSet<String> = ["aws", "inventory", "policy", "report", "trail"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(found, expected);
    // From `diagnose/mod.rs` one `super::` reaches the root.
    assert!(imported_tops("use super::report;", &["diagnose"]).contains("report"));
    assert!(imported_tops("use super::model;", &["diagnose", "access"]).is_empty());
}
