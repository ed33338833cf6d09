//! `docs/checks.md` documents exactly the ids the engine can emit: every `CheckId` has a row,
//! and every row is a `CheckId`.

use std::collections::BTreeSet;

use crossdock::diagnose::CheckId;

fn documented_ids() -> BTreeSet<String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/checks.md"))
        .expect("docs/checks.md");
    text.lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split_once('`').map(|(id, _)| id.to_string()))
        .collect()
}

#[test]
fn every_check_id_is_documented_and_every_documented_id_exists() {
    let documented = documented_ids();
    let engine: BTreeSet<String> = CheckId::ALL.iter().map(|c| c.to_string()).collect();
    let undocumented: Vec<_> = engine.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&engine).collect();
    assert!(
        undocumented.is_empty() && unknown.is_empty(),
        "undocumented ids: {undocumented:?}; documented ids the engine does not have: {unknown:?}"
    );
}

/// `docs/organisation.md` shows the Athena table exactly as the query builder expects it.
#[test]
fn the_documented_athena_table_is_the_one_the_query_is_checked_against() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/organisation.md"))
            .expect("docs/organisation.md");
    assert!(
        text.contains(crossdock::trail::athena_sql::TABLE_DDL),
        "docs/organisation.md must hold crossdock::trail::athena_sql::TABLE_DDL verbatim"
    );
}
