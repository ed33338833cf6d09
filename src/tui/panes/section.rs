//! What a detail view shows: titled sections of fields, notes or policy JSON, built from
//! the inventory by the per-resource pane files.

use serde_json::Value;

use crate::inventory::Field;

/// Which policy a section holds, so evidence can find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    /// A role's trust policy.
    Trust,
    /// A role's inline policy, by name.
    Inline(String),
    /// A managed policy attached to a role, by policy ARN.
    Managed(String),
    /// A role's permissions boundary, by policy ARN.
    Boundary(String),
    /// A repository policy.
    RepositoryPolicy,
    /// A key policy.
    KeyPolicy,
    /// A bucket policy.
    BucketPolicy,
}

/// The content of a section.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// Label/value pairs.
    Fields(Vec<(String, String)>),
    /// A JSON document (policies get statement highlighting).
    Json(Value),
    /// A neutral note (`none`, `not loaded`).
    Note(String),
    /// Why the value could not be read.
    Error(String),
}

/// One titled part of a detail view.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// The title.
    pub title: String,
    /// Which policy, when the section is one.
    pub anchor: Option<Anchor>,
    /// The content.
    pub body: Body,
}

impl Section {
    /// A section of fields.
    pub fn fields(title: impl Into<String>, fields: Vec<(&str, String)>) -> Section {
        Section {
            title: title.into(),
            anchor: None,
            body: Body::Fields(
                fields
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            ),
        }
    }

    /// A section holding a JSON value that may be missing, absent or unreadable.
    pub fn json(title: impl Into<String>, anchor: Option<Anchor>, field: Field<&Value>) -> Section {
        let body = match field {
            Field::Loaded(value) => Body::Json(value.clone()),
            Field::Absent => Body::Note("none".into()),
            Field::NotLoaded => Body::Note("not loaded".into()),
            Field::Unreadable(reason) => Body::Error(reason.to_string()),
        };
        Section {
            title: title.into(),
            anchor,
            body,
        }
    }
}

/// A field's value as one line of text.
pub fn describe<T>(field: &Field<T>, show: impl Fn(&T) -> String) -> String {
    match field {
        Field::Loaded(value) => show(value),
        Field::Absent => "none".into(),
        Field::NotLoaded => "not loaded".into(),
        Field::Unreadable(reason) => format!("unreadable: {}", reason.code),
    }
}
