//! The Roles tab: rows for each IAM role, and a role's detail with its trust, inline,
//! managed and boundary policies as separate sections.

use crate::inventory::{Account, Field, Role};
use crate::tui::source::ItemRef;
use crate::tui::widgets::list::Row;

use super::section::{describe, Anchor, Section};

/// Stands in for a value in sections whose field is not loaded (never shown).
static NULL: serde_json::Value = serde_json::Value::Null;

/// One row per role: name and path.
pub fn rows(account: &Account) -> Vec<Row> {
    account
        .roles
        .iter()
        .map(|role| Row {
            item: ItemRef::Role(role.arn.clone()),
            tag: "",
            name: role.name.clone(),
            extra: if role.path == "/" {
                String::new()
            } else {
                role.path.clone()
            },
        })
        .collect()
}

/// Whether a live loader still has to fetch the role's policies.
pub fn needs_detail(role: &Role) -> bool {
    role.trust_policy.is_not_loaded()
        || role.inline_policies.is_not_loaded()
        || role.attached_policies.is_not_loaded()
}

/// The role's sections: overview, trust, inline, managed, boundary.
pub fn sections(account: &Account, role: &Role) -> Vec<Section> {
    let mut out = vec![
        overview(role),
        Section::json(
            "Trust policy",
            Some(Anchor::Trust),
            role.trust_policy.as_ref(),
        ),
    ];
    out.extend(inline_sections(role));
    out.extend(managed_sections(account, role));
    out.push(boundary_section(account, role));
    out
}

/// ARN, path, maximum session and tags.
fn overview(role: &Role) -> Section {
    Section::fields(
        "Role",
        vec![
            ("ARN", role.arn.clone()),
            ("Path", role.path.clone()),
            (
                "Max session",
                describe(&role.max_session_duration, |s| format!("{s} s")),
            ),
            (
                "Tags",
                describe(&role.tags, |tags| {
                    if tags.is_empty() {
                        "none".into()
                    } else {
                        tags.iter()
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                }),
            ),
        ],
    )
}

/// One section per inline policy, or one saying there are none or why they are unknown.
fn inline_sections(role: &Role) -> Vec<Section> {
    match &role.inline_policies {
        Field::Loaded(policies) if policies.is_empty() => {
            vec![Section::json("Inline policies", None, Field::Absent)]
        }
        Field::Loaded(policies) => policies
            .iter()
            .map(|policy| {
                Section::json(
                    format!("Inline policy {}", policy.name),
                    Some(Anchor::Inline(policy.name.clone())),
                    policy.document.as_ref(),
                )
            })
            .collect(),
        other => vec![Section::json(
            "Inline policies",
            None,
            other.as_ref().map(|_| &NULL),
        )],
    }
}

/// One section per attached managed policy (its document from the account), or one saying
/// there are none or why they are unknown.
fn managed_sections(account: &Account, role: &Role) -> Vec<Section> {
    match &role.attached_policies {
        Field::Loaded(attached) if attached.is_empty() => {
            vec![Section::json("Managed policies", None, Field::Absent)]
        }
        Field::Loaded(attached) => attached
            .iter()
            .map(|policy| {
                Section::json(
                    format!("Managed policy {}", policy.name),
                    Some(Anchor::Managed(policy.arn.clone())),
                    account.managed_policy_document(&policy.arn),
                )
            })
            .collect(),
        other => vec![Section::json(
            "Managed policies",
            None,
            other.as_ref().map(|_| &NULL),
        )],
    }
}

/// The permissions boundary's document, or why there is none to show.
fn boundary_section(account: &Account, role: &Role) -> Section {
    match &role.permissions_boundary {
        Field::Loaded(boundary) => Section::json(
            format!("Permissions boundary {}", boundary.name),
            Some(Anchor::Boundary(boundary.arn.clone())),
            account.managed_policy_document(&boundary.arn),
        ),
        other => Section::json("Permissions boundary", None, other.as_ref().map(|_| &NULL)),
    }
}
