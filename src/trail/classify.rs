//! What an event is: push, pull, assume…; whether it crossed accounts; whether it was denied.

use serde::Serialize;

use super::link::{link_question, LinkedQuestion};
use super::model::{SourceFormat, TrailEvent};
use crate::policy::arn;

// Defined with the event model so `link` can name it without importing the classifier,
// which imports `link`; re-exported here where callers have always found it.
pub use super::model::EventKind;

/// Everything the classifier concludes about one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Classification {
    /// What kind of activity.
    pub kind: EventKind,
    /// The calling account, if the record tells.
    pub caller_account: Option<String>,
    /// The account on the other side (resource, registry, role or recipient), if known.
    pub resource_account: Option<String>,
    /// `Some(true)` when caller and resource accounts differ or the identity is `AWSAccount`;
    /// `None` when the record does not tell.
    pub cross_account: Option<bool>,
    /// Refused for lack of permission (`AccessDenied`, `AccessDeniedException`…).
    pub denied: bool,
    /// For a denied event: the explain question it raises.
    pub linked_question: Option<LinkedQuestion>,
}

/// `errorCode`s that mean "not authorized"; the spelling differs per service.
const DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "Client.UnauthorizedOperation",
    "UnauthorizedAccess",
    "Forbidden",
];

/// Classifies one event.
pub fn classify(event: &TrailEvent) -> Classification {
    let kind = kind_of(event);
    let denied = is_denied(event);
    let (caller_account, resource_account, cross_account) = accounts(event);
    let linked_question = if denied {
        link_question(event, kind)
    } else {
        None
    };
    Classification {
        kind,
        caller_account,
        resource_account,
        cross_account,
        denied,
        linked_question,
    }
}

/// The kind of activity, from `eventSource` + `eventName` (or the ECR detail).
pub fn kind_of(event: &TrailEvent) -> EventKind {
    if event.source_format == SourceFormat::EventBridgeEcr {
        return ecr_native_kind(event);
    }
    let name = event.event_name.as_deref().unwrap_or("");
    let source = event.event_source.as_deref();
    let is = |service: &str| source.is_none_or(|s| s == service);
    let is_ecr = is("ecr.amazonaws.com") || source == Some("ecr-public.amazonaws.com");
    match name {
        "PutImage" | "InitiateLayerUpload" | "UploadLayerPart" | "CompleteLayerUpload"
            if is_ecr =>
        {
            EventKind::Push
        }
        "BatchGetImage" | "GetDownloadUrlForLayer" if is_ecr => EventKind::Pull,
        "GetAuthorizationToken" if is_ecr => EventKind::AuthToken,
        "AssumeRole" | "AssumeRoleWithWebIdentity" | "AssumeRoleWithSAML"
            if is("sts.amazonaws.com") =>
        {
            EventKind::AssumeRole
        }
        _ if source == Some("kms.amazonaws.com") => EventKind::KmsUse,
        _ => EventKind::Other,
    }
}

fn ecr_native_kind(event: &TrailEvent) -> EventKind {
    let detail_type = event.event_name.as_deref().unwrap_or("");
    let action = event
        .ecr_action
        .as_ref()
        .and_then(|a| a.action_type.as_deref());
    match (detail_type, action) {
        ("ECR Image Action", Some("PUSH")) => EventKind::Push,
        ("ECR Replication Action", _) => EventKind::Replication,
        ("ECR Pull Through Cache Action", _) => EventKind::PullThroughCache,
        _ => EventKind::Other,
    }
}

/// True when the call was refused for lack of permission.
pub fn is_denied(event: &TrailEvent) -> bool {
    let by_code = event
        .error_code
        .as_deref()
        .is_some_and(|c| DENIED_CODES.contains(&c));
    let by_text = event
        .error_message
        .as_deref()
        .is_some_and(|m| m.contains("is not authorized to perform"));
    by_code || by_text
}

/// (caller account, resource-side account, cross-account verdict).
fn accounts(event: &TrailEvent) -> (Option<String>, Option<String>, Option<bool>) {
    if let Some(action) = &event.ecr_action {
        // Replication names the source registry; other native events name no caller.
        let caller = action.source_account.clone();
        let owner = event.recipient_account_id.clone();
        let cross = match (&caller, &owner) {
            (Some(c), Some(o)) => Some(c != o),
            _ => None,
        };
        return (caller, owner, cross);
    }
    let caller = event.caller_account();
    let sides = resource_sides(event);
    let differing = caller.and_then(|c| sides.iter().find(|s| **s != c));
    let resource = differing.or_else(|| sides.first()).map(|s| (*s).to_owned());
    let cross = if event.caller_type() == Some("AWSAccount") {
        Some(true)
    } else if caller.is_none() || sides.is_empty() {
        None
    } else {
        Some(differing.is_some())
    };
    (caller.map(str::to_owned), resource, cross)
}

/// Accounts the call was aimed at or recorded in, most specific first.
fn resource_sides(event: &TrailEvent) -> Vec<&str> {
    let request = &event.request;
    let mut sides: Vec<&str> = Vec::new();
    sides.extend(request.registry_id.as_deref());
    sides.extend(request.role_arn.as_deref().and_then(arn::account_field));
    sides.extend(request.key_id.as_deref().and_then(arn::account_field));
    for resource in &event.resources {
        let account = resource
            .account_id
            .as_deref()
            .or_else(|| resource.arn.as_deref().and_then(arn::account_field));
        sides.extend(account);
    }
    sides.extend(event.recipient_account_id.as_deref());
    sides
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trail::model::{RequestParams, UserIdentity};

    fn ecr(name: &str) -> TrailEvent {
        let mut e = TrailEvent::empty(SourceFormat::Record);
        e.event_name = Some(name.to_owned());
        e.event_source = Some("ecr.amazonaws.com".to_owned());
        e
    }

    #[test]
    fn kinds_by_name_and_source() {
        assert_eq!(kind_of(&ecr("PutImage")), EventKind::Push);
        assert_eq!(kind_of(&ecr("CompleteLayerUpload")), EventKind::Push);
        assert_eq!(kind_of(&ecr("GetDownloadUrlForLayer")), EventKind::Pull);
        assert_eq!(kind_of(&ecr("GetAuthorizationToken")), EventKind::AuthToken);
        assert_eq!(kind_of(&ecr("DescribeImages")), EventKind::Other);
        let mut e = ecr("AssumeRole");
        assert_eq!(
            kind_of(&e),
            EventKind::Other,
            "AssumeRole from ECR is not STS"
        );
        e.event_source = Some("sts.amazonaws.com".into());
        assert_eq!(kind_of(&e), EventKind::AssumeRole);
        e.event_source = Some("kms.amazonaws.com".into());
        e.event_name = Some("Decrypt".into());
        assert_eq!(kind_of(&e), EventKind::KmsUse);
    }

    #[test]
    fn cross_account_from_accounts_or_identity_type() {
        let mut e = ecr("PutImage");
        e.user_identity = Some(UserIdentity {
            identity_type: Some("AssumedRole".into()),
            account_id: Some("111111111111".into()),
            ..UserIdentity::default()
        });
        assert_eq!(classify(&e).cross_account, None, "no resource side known");
        e.recipient_account_id = Some("111111111111".into());
        assert_eq!(classify(&e).cross_account, Some(false));
        e.request = RequestParams {
            registry_id: Some("222222222222".into()),
            ..RequestParams::default()
        };
        let c = classify(&e);
        assert_eq!(c.cross_account, Some(true));
        assert_eq!(c.resource_account.as_deref(), Some("222222222222"));

        let mut owner_copy = ecr("PutImage");
        owner_copy.user_identity = Some(UserIdentity {
            identity_type: Some("AWSAccount".into()),
            ..UserIdentity::default()
        });
        assert_eq!(classify(&owner_copy).cross_account, Some(true));
    }

    #[test]
    fn denied_by_either_spelling_or_by_text() {
        let mut e = ecr("BatchGetImage");
        assert!(!is_denied(&e));
        for code in ["AccessDenied", "AccessDeniedException"] {
            e.error_code = Some(code.into());
            assert!(is_denied(&e));
        }
        e.error_code = Some("RepositoryNotFoundException".into());
        assert!(!is_denied(&e));
        e.error_code = Some("Whatever".into());
        e.error_message = Some("User: x is not authorized to perform: y".into());
        assert!(is_denied(&e));
    }
}
