//! The explanation of each check's rule, read from `docs/checks.md` (the same table the
//! documentation shows), for walkthrough mode.

const CHECKS_MD: &str = include_str!("../../docs/checks.md");

/// What the docs say about one check id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDoc {
    /// The check id.
    pub id: String,
    /// The section it is documented in (`Pull and push (ECR)`).
    pub group: String,
    /// The table's columns after the id, e.g. ("passes when", "…").
    pub columns: Vec<(String, String)>,
}

/// The documentation of a check id, if `docs/checks.md` has a row for it.
pub fn lookup(id: &str) -> Option<RuleDoc> {
    parse(CHECKS_MD).into_iter().find(|r| r.id == id)
}

/// Every documented check.
pub fn parse(markdown: &str) -> Vec<RuleDoc> {
    let mut out = Vec::new();
    let mut group = String::new();
    let mut header: Vec<String> = Vec::new();
    for line in markdown.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            group = title.trim().to_string();
            header.clear();
            continue;
        }
        let Some(inner) = line
            .trim()
            .strip_prefix('|')
            .and_then(|l| l.strip_suffix('|'))
        else {
            continue;
        };
        let cells: Vec<String> = inner
            .split('|')
            .map(|c| c.trim().replace("\\*", "*"))
            .collect();
        if cells
            .iter()
            .all(|c| c.chars().all(|ch| ch == '-' || ch == ':'))
        {
            continue;
        }
        let Some(id) = cells[0].strip_prefix('`').and_then(|c| c.strip_suffix('`')) else {
            header = cells;
            continue;
        };
        let columns = header
            .iter()
            .skip(1)
            .zip(cells.iter().skip(1))
            .map(|(h, c)| (h.clone(), c.clone()))
            .collect();
        out.push(RuleDoc {
            id: id.to_string(),
            group: group.clone(),
            columns,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_check_is_documented() {
        for check in crate::diagnose::CheckId::ALL {
            let doc = lookup(check.as_str()).unwrap_or_else(|| panic!("{check} undocumented"));
            let column = if check.as_str().starts_with("lint-") {
                "flags"
            } else {
                "passes when"
            };
            assert!(doc.columns.iter().any(|(h, _)| h == column), "{check}");
        }
        let doc = lookup("resource-policy-allows").expect("documented");
        assert_eq!(doc.group, "Pull and push (ECR)");
        assert!(doc
            .columns
            .iter()
            .any(|(h, t)| h == "typical fix" && t.contains("role ARN")));
    }
}
