//! The Roles tab: rows for each IAM role, then each IAM user, and a role's detail with its
//! trust, inline, managed and boundary policies as separate sections (a user's: its own
//! policies, its groups' and its boundary).

use crate::inventory::{Account, AttachedPolicy, Field, InlinePolicy, Role, User};
use crate::tui::source::ItemRef;
use crate::tui::widgets::list::Row;

use super::section::{describe, Anchor, Section};

/// Stands in for a value in sections whose field is not loaded (never shown).
static NULL: serde_json::Value = serde_json::Value::Null;

/// One row per role (name and path), then one per IAM user (name, "IAM user" and path).
pub fn rows(account: &Account) -> Vec<Row> {
    let roles = account.roles.iter().map(|role| Row {
        item: ItemRef::Role(role.arn.clone()),
        tag: "",
        name: role.name.clone(),
        extra: if role.path == "/" {
            String::new()
        } else {
            role.path.clone()
        },
    });
    let users = account.users.iter().map(|user| Row {
        item: ItemRef::User(user.arn.clone()),
        tag: "",
        name: user.name.clone(),
        extra: if user.path == "/" {
            "IAM user".to_string()
        } else {
            format!("IAM user {}", user.path)
        },
    });
    roles.chain(users).collect()
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
    out.extend(inline_sections(&role.inline_policies, ""));
    out.extend(managed_sections(account, &role.attached_policies, ""));
    out.push(boundary_section(account, &role.permissions_boundary));
    out
}

/// A user's sections: overview, its inline and managed policies, each group's, boundary.
pub fn user_sections(account: &Account, user: &User) -> Vec<Section> {
    let mut out = vec![Section::fields(
        "IAM user",
        vec![
            ("ARN", user.arn.clone()),
            ("Path", user.path.clone()),
            (
                "Groups",
                describe(&user.groups, |groups| {
                    if groups.is_empty() {
                        "none".into()
                    } else {
                        groups.join(", ")
                    }
                }),
            ),
            ("Tags", describe(&user.tags, tags_text)),
        ],
    )];
    out.extend(inline_sections(&user.inline_policies, ""));
    out.extend(managed_sections(account, &user.attached_policies, ""));
    for name in user.groups.loaded().into_iter().flatten() {
        let prefix = format!("Group {name}: ");
        match account.group(name) {
            Some(group) => {
                out.extend(inline_sections(&group.inline_policies, &prefix));
                out.extend(managed_sections(account, &group.attached_policies, &prefix));
            }
            None => out.push(Section::json(
                format!("Group {name}"),
                None,
                Field::<&serde_json::Value>::NotLoaded,
            )),
        }
    }
    out.push(boundary_section(account, &user.permissions_boundary));
    out
}

/// `k=v, k=v`, or `none`.
fn tags_text(tags: &crate::inventory::Tags) -> String {
    if tags.is_empty() {
        "none".into()
    } else {
        tags.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
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
            ("Tags", describe(&role.tags, tags_text)),
        ],
    )
}

/// One section per inline policy, or one saying there are none or why they are unknown;
/// titles start with `prefix` (a group's policies among a user's).
fn inline_sections(policies: &Field<Vec<InlinePolicy>>, prefix: &str) -> Vec<Section> {
    match policies {
        Field::Loaded(policies) if policies.is_empty() => {
            vec![Section::json(
                format!("{prefix}Inline policies"),
                None,
                Field::Absent,
            )]
        }
        Field::Loaded(policies) => policies
            .iter()
            .map(|policy| {
                Section::json(
                    format!("{prefix}Inline policy {}", policy.name),
                    Some(Anchor::Inline(policy.name.clone())),
                    policy.document.as_ref(),
                )
            })
            .collect(),
        other => vec![Section::json(
            format!("{prefix}Inline policies"),
            None,
            other.as_ref().map(|_| &NULL),
        )],
    }
}

/// One section per attached managed policy (its document from the account), or one saying
/// there are none or why they are unknown; titles start with `prefix`.
fn managed_sections(
    account: &Account,
    attached: &Field<Vec<AttachedPolicy>>,
    prefix: &str,
) -> Vec<Section> {
    match attached {
        Field::Loaded(attached) if attached.is_empty() => {
            vec![Section::json(
                format!("{prefix}Managed policies"),
                None,
                Field::Absent,
            )]
        }
        Field::Loaded(attached) => attached
            .iter()
            .map(|policy| {
                Section::json(
                    format!("{prefix}Managed policy {}", policy.name),
                    Some(Anchor::Managed(policy.arn.clone())),
                    account.managed_policy_document(&policy.arn),
                )
            })
            .collect(),
        other => vec![Section::json(
            format!("{prefix}Managed policies"),
            None,
            other.as_ref().map(|_| &NULL),
        )],
    }
}

/// The permissions boundary's document, or why there is none to show.
fn boundary_section(account: &Account, boundary: &Field<AttachedPolicy>) -> Section {
    match boundary {
        Field::Loaded(boundary) => Section::json(
            format!("Permissions boundary {}", boundary.name),
            Some(Anchor::Boundary(boundary.arn.clone())),
            account.managed_policy_document(&boundary.arn),
        ),
        other => Section::json("Permissions boundary", None, other.as_ref().map(|_| &NULL)),
    }
}
