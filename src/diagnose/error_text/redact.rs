//! Placeholders people type when they redact a pasted error (`<USER>`, `***`, `[IAMID]`,
//! `xxx`, `account_id`, `<arn here>`): the field is kept as written and listed as redacted,
//! so the answer can ask for the real value instead of treating the placeholder as one.

use serde::Serialize;

use super::{arn_account_hidden, ParsedError};
use crate::policy::arn::Arn;

/// A field whose value in the text is a placeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Redacted {
    /// The principal (`User: <USER>`, `User: arn:aws:sts::***:assumed-role/[ROLE]/x`).
    Principal,
    /// The resource (`on resource: <arn here>`).
    Resource,
    /// An account ID inside an ARN or image URI (`arn:aws:iam::XXXXXXXXXXXX:role/r`).
    Account,
    /// The denying policy's ARN.
    Policy,
}

/// Lower-case fragments that only a person redacting a text writes.
const MARKERS: [&str; 12] = [
    "***",
    "xxx",
    "${",
    "{{",
    "redacted",
    "account_id",
    "accountid",
    "account-id",
    "arn here",
    "your-",
    "...",
    "…",
];

/// True when `s` is (or contains) a redaction placeholder.
pub(super) fn is_placeholder(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let bracketed =
        |open: char, close: char| lower.find(open).is_some_and(|a| lower[a..].contains(close));
    MARKERS.iter().any(|m| lower.contains(m))
        || bracketed('<', '>')
        || bracketed('[', ']')
        || (lower.len() >= 3
            && lower
                .bytes()
                .all(|b| matches!(b, b'x' | b'*' | b'#' | b'?')))
}

/// The redacted fields of `p`; `image_redacted` says an image URI hid its account.
pub(super) fn fields(p: &ParsedError, image_redacted: bool) -> Vec<Redacted> {
    let mut out = Vec::new();
    let arn_name_hidden = |arn: &str| Arn::parse(arn).is_some_and(|a| is_placeholder(a.resource));
    if p.principal_text.as_deref().is_some_and(is_placeholder)
        || p.principal_arn.as_deref().is_some_and(arn_name_hidden)
    {
        out.push(Redacted::Principal);
    }
    if p.resource_text.as_deref().is_some_and(is_placeholder)
        || p.resource_arn.as_deref().is_some_and(arn_name_hidden)
    {
        out.push(Redacted::Resource);
    }
    let arns = [&p.principal_arn, &p.resource_arn, &p.policy_arn];
    if image_redacted || arns.into_iter().flatten().any(|a| arn_account_hidden(a)) {
        out.push(Redacted::Account);
    }
    if p.policy_arn.as_deref().is_some_and(arn_account_hidden) {
        out.push(Redacted::Policy);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_people_type_are_recognised_and_names_are_not() {
        for placeholder in [
            "<USER>",
            "***",
            "[IAMID]",
            "xxx",
            "XXXXXXXXXXXX",
            "account_id",
            "<arn here>",
            "${ACCOUNT_ONE}",
            "{{ role }}",
            "REDACTED",
        ] {
            assert!(is_placeholder(placeholder), "{placeholder}");
        }
        for name in [
            "codebuild-service-role",
            "i-0a1b2c3d",
            "AWSCodeBuild-0f1e",
            "app",
        ] {
            assert!(!is_placeholder(name), "{name}");
        }
    }
}
