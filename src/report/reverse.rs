//! Text renderings of the reverse questions: one block per principal (or resource) with
//! its verdict, the chain it goes through, its conditions and the deciding statements.

use std::fmt::Write;

use crate::diagnose::model::Evidence;
use crate::diagnose::reverse::{Standing, WhatCan, WhoCan};

use super::describe_evidence;
use super::text::Colour;
use crate::safe_text::Safe;

fn mark(standing: Standing, colour: Colour) -> String {
    let (mark, code) = match standing {
        Standing::Works => ("✓", "32"),
        Standing::Conditional => ("~", "33"),
        Standing::Fails => ("✗", "31;1"),
        Standing::Unknown => ("?", "35"),
    };
    colour.paint(code, mark)
}

fn details(
    out: &mut String,
    via: &[String],
    conditions: &[String],
    reason: Option<&str>,
    evidence: &[Evidence],
) {
    if !via.is_empty() {
        let _ = writeln!(out, "    via: {}", Safe(via.join(" → ")));
    }
    for condition in conditions {
        let _ = writeln!(out, "    if {}", Safe(condition));
    }
    if let Some(reason) = reason {
        let _ = writeln!(out, "    {}", Safe(reason));
    }
    for item in evidence {
        let _ = writeln!(out, "    • {}", Safe(describe_evidence(item)));
    }
}

/// `who-can` as text.
pub fn who_can(answer: &WhoCan, colour: Colour) -> String {
    let mut out = String::new();
    let query = &answer.query;
    let _ = writeln!(
        out,
        "who can {} {}? (over {} loaded account{}: {})",
        Safe(&query.kind),
        Safe(&query.resource),
        query.accounts.len(),
        if query.accounts.len() == 1 { "" } else { "s" },
        query.accounts.join(", ")
    );
    if answer.principals.is_empty() {
        let _ = writeln!(
            out,
            "  nobody in the loaded accounts (--all lists who was checked)"
        );
    }
    for p in &answer.principals {
        let account = p
            .account
            .as_deref()
            .map(|a| format!(" ({})", Safe(a)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{} {:<11} {}{account}",
            mark(p.verdict, colour),
            p.verdict.label(),
            Safe(&p.principal)
        );
        details(
            &mut out,
            &p.via,
            &p.conditions,
            p.reason.as_deref(),
            &p.evidence,
        );
    }
    out
}

/// `what-can` as text.
pub fn what_can(answer: &WhatCan, colour: Colour) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "what can {} reach?", Safe(&answer.principal));
    if answer.reachable.is_empty() {
        let _ = writeln!(
            out,
            "  nothing in the loaded accounts (--all lists what was checked)"
        );
    }
    for r in &answer.reachable {
        let _ = writeln!(
            out,
            "{} {:<11} {:<8} {}",
            mark(r.verdict, colour),
            r.verdict.label(),
            Safe(&r.kind),
            Safe(&r.resource)
        );
        details(&mut out, &r.via, &[], None, &r.evidence);
    }
    out
}
