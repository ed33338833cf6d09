//! Renderings of a complete change in the user's own tools: the exact `aws` CLI commands,
//! Terraform, CloudFormation YAML, CDK (TypeScript and Python) and the JSON document. Pure:
//! each returns a string. Widening warnings head every rendering as comments, so whoever
//! pastes a change sees what it opens up.

mod cdk;
mod cli;
mod cloudformation;
mod terraform;
mod values;

use serde::Serialize;
use serde_json::Value;

use crate::diagnose::change::{Change, ChangeLocation};
use crate::diagnose::fixes::FixEntry;

/// The rendering `--fix-format` chooses (and the console cycles through).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum FixFormat {
    /// The new document as JSON.
    #[default]
    Json,
    /// `aws …` commands.
    Cli,
    /// Terraform resources (policies through `jsonencode`).
    Terraform,
    /// CloudFormation YAML property snippets.
    Cloudformation,
    /// CDK in TypeScript.
    CdkTs,
    /// CDK in Python.
    CdkPython,
}

impl FixFormat {
    /// Every format, in the order the console cycles through them.
    pub const ALL: [FixFormat; 6] = [
        FixFormat::Json,
        FixFormat::Cli,
        FixFormat::Terraform,
        FixFormat::Cloudformation,
        FixFormat::CdkTs,
        FixFormat::CdkPython,
    ];

    /// The name shown and accepted by `--fix-format`.
    pub fn name(self) -> &'static str {
        match self {
            FixFormat::Json => "json",
            FixFormat::Cli => "cli",
            FixFormat::Terraform => "terraform",
            FixFormat::Cloudformation => "cloudformation",
            FixFormat::CdkTs => "cdk-ts",
            FixFormat::CdkPython => "cdk-python",
        }
    }

    /// The next format (the console's cycle key).
    pub fn next(self) -> FixFormat {
        let at = Self::ALL.iter().position(|f| *f == self).unwrap_or(0);
        Self::ALL[(at + 1) % Self::ALL.len()]
    }
}

/// A change to render: where, what is there now, the new document and its warnings.
#[derive(Debug, Clone, Copy)]
pub struct Proposed<'a> {
    /// Where the document lives.
    pub location: &'a ChangeLocation,
    /// The document as it is now, when known.
    pub current: Option<&'a Value>,
    /// The complete new document, or the new setting value.
    pub document: &'a Value,
    /// Widening warnings, shown as comments.
    pub widening: &'a [String],
}

impl<'a> Proposed<'a> {
    /// A fix entry of a diagnosis.
    pub fn of_entry(entry: &'a FixEntry) -> Self {
        Self {
            location: &entry.location,
            current: entry.current_document.as_ref(),
            document: &entry.document,
            widening: &entry.widening,
        }
    }

    /// A bare change (e.g. a what-if overlay), with what is known of the current document.
    pub fn of_change(
        change: &'a Change,
        current: Option<&'a Value>,
        widening: &'a [String],
    ) -> Self {
        Self {
            location: &change.location,
            current,
            document: &change.document,
            widening,
        }
    }
}

/// Every rendering of one change: the `renderings` object of a JSON `fixes` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renderings {
    /// `aws …` commands.
    pub cli: String,
    /// Terraform.
    pub terraform: String,
    /// CloudFormation YAML.
    pub cloudformation: String,
    /// CDK TypeScript.
    pub cdk_ts: String,
    /// CDK Python.
    pub cdk_python: String,
}

/// Every rendering of `proposed`.
pub fn renderings(proposed: Proposed<'_>) -> Renderings {
    Renderings {
        cli: render(proposed, FixFormat::Cli),
        terraform: render(proposed, FixFormat::Terraform),
        cloudformation: render(proposed, FixFormat::Cloudformation),
        cdk_ts: render(proposed, FixFormat::CdkTs),
        cdk_python: render(proposed, FixFormat::CdkPython),
    }
}

/// One rendering of `proposed`.
pub fn render(proposed: Proposed<'_>, format: FixFormat) -> String {
    let comment = match format {
        FixFormat::Json => return values::pretty(proposed.document),
        FixFormat::CdkTs => "//",
        _ => "#",
    };
    let mut out = format!("{comment} {}\n", proposed.location);
    for warning in proposed.widening {
        out.push_str(&format!("{comment} WARNING (widens access): {warning}\n"));
    }
    out.push_str(&match format {
        FixFormat::Cli => cli::render(proposed),
        FixFormat::Terraform => terraform::render(proposed),
        FixFormat::Cloudformation => cloudformation::render(proposed),
        FixFormat::CdkTs => cdk::typescript(proposed),
        FixFormat::CdkPython => cdk::python(proposed),
        FixFormat::Json => unreachable!("returned above"),
    });
    out
}

/// Several changes as one change set in one rendering (the console's export); JSON is the
/// `--what-if` file shape.
pub fn change_set(proposed: &[Proposed<'_>], format: FixFormat) -> String {
    if format == FixFormat::Json {
        let changes: Vec<Value> = proposed
            .iter()
            .map(|p| serde_json::json!({"location": p.location, "document": p.document}))
            .collect();
        return values::pretty(&serde_json::json!({ "changes": changes }));
    }
    proposed
        .iter()
        .map(|p| render(*p, format))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The statements of `new` that `current` does not have as they are (added or changed).
fn changed_statements<'v>(current: Option<&Value>, new: &'v Value) -> Vec<&'v Value> {
    let before = current
        .map(crate::diagnose::edit::statements)
        .unwrap_or_default();
    crate::diagnose::edit::statements(new)
        .into_iter()
        .filter(|s| !before.contains(s))
        .collect()
}

/// A name usable as a file name, Terraform label or CDK construct id.
fn label(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    match cleaned.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => cleaned,
        _ => format!("r_{cleaned}"),
    }
}
