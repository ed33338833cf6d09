//! From a denied event to the explain question it raises, with each input's provenance.
//!
//! Every value says where it came from, and a value the record does not hold says why,
//! so the diagnosis engine can ask for it instead of running on a guess.

use serde::Serialize;

use super::denial::parse_denial;
use super::model::EventKind;
use super::model::TrailEvent;
use crate::policy::arn;

/// One input of a linked question: found (and where), or missing (and why).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Derived {
    /// The value and the record field(s) it came from.
    Known {
        /// The value.
        value: String,
        /// Where in the record it came from (`userIdentity.arn`, `errorMessage`…).
        from: &'static str,
    },
    /// Not in this record.
    Missing {
        /// What is absent and where it could be found instead.
        why: String,
    },
}

impl Derived {
    /// The value, if known.
    pub fn value(&self) -> Option<&str> {
        match self {
            Derived::Known { value, .. } => Some(value),
            Derived::Missing { .. } => None,
        }
    }

    fn known(value: &str, from: &'static str) -> Self {
        Derived::Known {
            value: value.to_owned(),
            from,
        }
    }

    fn missing(why: impl Into<String>) -> Self {
        Derived::Missing { why: why.into() }
    }

    fn or_else(self, next: impl FnOnce() -> Option<Derived>) -> Self {
        match self {
            Derived::Missing { .. } => next().unwrap_or(self),
            known => known,
        }
    }
}

/// The explain question a denied event raises, ready for the diagnosis engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "question", rename_all = "kebab-case")]
pub enum LinkedQuestion {
    /// Why can't this principal pull from this repository?
    Pull {
        /// The denied action (`ecr:BatchGetImage`).
        action: String,
        /// The calling principal (a session ARN for roles).
        principal_arn: Derived,
        /// Repository name.
        repository: Derived,
        /// Registry (account) that owns the repository.
        registry_id: Derived,
        /// Repository ARN.
        repository_arn: Derived,
        /// Image tag asked for.
        tag: Derived,
    },
    /// Why can't this principal push to this repository?
    Push {
        /// The denied action (`ecr:InitiateLayerUpload`).
        action: String,
        /// The calling principal.
        principal_arn: Derived,
        /// Repository name.
        repository: Derived,
        /// Registry (account) that owns the repository.
        registry_id: Derived,
        /// Repository ARN.
        repository_arn: Derived,
        /// Image tag pushed.
        tag: Derived,
    },
    /// Why can't this principal assume this role?
    Assume {
        /// The calling principal.
        principal_arn: Derived,
        /// The role asked for.
        role_arn: Derived,
        /// The external ID sent (missing = none was sent).
        external_id: Derived,
    },
    /// Why can't this principal get an ECR token (`docker login`)?
    AuthToken {
        /// The calling principal.
        principal_arn: Derived,
    },
    /// Why can't this principal use this KMS key?
    Kms {
        /// The denied action (`kms:Decrypt`).
        action: String,
        /// The calling principal.
        principal_arn: Derived,
        /// The key (ARN, ID or alias as recorded).
        key: Derived,
    },
}

/// The question a denied event of this kind raises; `None` for kinds with no question.
pub fn link_question(event: &TrailEvent, kind: EventKind) -> Option<LinkedQuestion> {
    let principal_arn = principal(event);
    let action = action(event);
    match kind {
        EventKind::Pull | EventKind::Push => {
            let repository = repository(event);
            let registry_id = registry(event);
            let repository_arn = repository_arn(event, &repository, &registry_id);
            let tag = tag(event);
            Some(if kind == EventKind::Pull {
                LinkedQuestion::Pull {
                    action,
                    principal_arn,
                    repository,
                    registry_id,
                    repository_arn,
                    tag,
                }
            } else {
                LinkedQuestion::Push {
                    action,
                    principal_arn,
                    repository,
                    registry_id,
                    repository_arn,
                    tag,
                }
            })
        }
        EventKind::AssumeRole => Some(LinkedQuestion::Assume {
            principal_arn,
            role_arn: role(event),
            external_id: match event.request.external_id.as_deref() {
                Some(id) => Derived::known(id, "requestParameters.externalId"),
                None => Derived::missing("requestParameters.externalId absent: none was sent"),
            },
        }),
        EventKind::AuthToken => Some(LinkedQuestion::AuthToken { principal_arn }),
        EventKind::KmsUse => Some(LinkedQuestion::Kms {
            action,
            principal_arn,
            key: key(event),
        }),
        _ => None,
    }
}

/// `service:EventName`, the IAM action the event stands for.
fn action(event: &TrailEvent) -> String {
    let name = event.event_name.as_deref().unwrap_or("?");
    let service = event
        .event_source
        .as_deref()
        .and_then(|s| s.strip_suffix(".amazonaws.com"))
        .unwrap_or("?");
    format!("{service}:{name}")
}

fn denial_resource(event: &TrailEvent) -> Option<&str> {
    parse_denial(event.error_message.as_deref()?).resource
}

fn principal(event: &TrailEvent) -> Derived {
    if let Some(arn) = event.caller_arn() {
        return Derived::known(arn, "userIdentity.arn");
    }
    if let Some(arn) = event
        .error_message
        .as_deref()
        .and_then(|m| parse_denial(m).principal)
    {
        return Derived::known(arn, "errorMessage");
    }
    let Some(identity) = &event.user_identity else {
        return Derived::missing("userIdentity is missing or null");
    };
    if identity.identity_type.as_deref() == Some("AWSAccount") {
        let account = identity.account_id.as_deref().unwrap_or("(unknown)");
        let shared = event.shared_event_id.as_deref().unwrap_or("(none)");
        return Derived::missing(format!(
            "resource owner's copy: userIdentity names only account {account}; \
             the caller's copy there (sharedEventID {shared}) has the ARN"
        ));
    }
    Derived::missing("userIdentity has no arn")
}

fn repository(event: &TrailEvent) -> Derived {
    if let Some(name) = event.request.repository_name.as_deref() {
        return Derived::known(name, "requestParameters.repositoryName");
    }
    let from_arn = |arn: &str, from| {
        let parts = arn::Arn::parse(arn)?;
        let name = parts.resource.strip_prefix("repository/")?;
        (parts.service == "ecr").then(|| Derived::known(name, from))
    };
    event
        .resources
        .iter()
        .filter_map(|r| r.arn.as_deref())
        .find_map(|a| from_arn(a, "resources[].ARN"))
        .or_else(|| denial_resource(event).and_then(|a| from_arn(a, "errorMessage")))
        .unwrap_or_else(|| Derived::missing("requestParameters.repositoryName absent"))
}

fn registry(event: &TrailEvent) -> Derived {
    if let Some(id) = event.request.registry_id.as_deref() {
        return Derived::known(id, "requestParameters.registryId");
    }
    let from_arn = |arn: &str, from| {
        let parts = arn::Arn::parse(arn)?;
        (parts.service == "ecr" && !parts.account.is_empty())
            .then(|| Derived::known(parts.account, from))
    };
    let found = event
        .resources
        .iter()
        .filter_map(|r| r.arn.as_deref())
        .find_map(|a| from_arn(a, "resources[].ARN"))
        .or_else(|| denial_resource(event).and_then(|a| from_arn(a, "errorMessage")));
    if let Some(found) = found {
        return found;
    }
    // ECR's documented default: without registryId the caller's own registry is meant.
    match event.caller_account() {
        Some(account) => Derived::known(
            account,
            "caller account (registryId omitted: ECR uses the caller's registry)",
        ),
        None => Derived::missing("requestParameters.registryId absent and caller account unknown"),
    }
}

fn repository_arn(event: &TrailEvent, repository: &Derived, registry: &Derived) -> Derived {
    let is_repo = |a: &&str| arn::Arn::parse(a).is_some_and(|p| p.service == "ecr");
    if let Some(found) = event
        .resources
        .iter()
        .filter_map(|r| r.arn.as_deref())
        .find(is_repo)
    {
        return Derived::known(found, "resources[].ARN");
    }
    if let Some(found) = denial_resource(event).filter(is_repo) {
        return Derived::known(found, "errorMessage");
    }
    match (
        event.region.as_deref(),
        registry.value(),
        repository.value(),
    ) {
        (Some(region), Some(registry), Some(repository)) => Derived::Known {
            value: arn::repository_arn(
                arn::partition_for_region(region),
                region,
                registry,
                repository,
            ),
            from: "built from awsRegion, registryId and repositoryName",
        },
        (region, registry, repository) => {
            let missing: Vec<&str> = [
                (region.is_none(), "awsRegion"),
                (registry.is_none(), "registryId"),
                (repository.is_none(), "repositoryName"),
            ]
            .iter()
            .filter(|(absent, _)| *absent)
            .map(|(_, name)| *name)
            .collect();
            Derived::missing(format!(
                "cannot build the repository ARN: {} unknown",
                missing.join(", ")
            ))
        }
    }
}

fn tag(event: &TrailEvent) -> Derived {
    let request = &event.request;
    if let Some(tag) = request.image_tag.as_deref() {
        return Derived::known(tag, "requestParameters.imageTag");
    }
    match request.image_ids.as_slice() {
        [only] => match (&only.tag, &only.digest) {
            (Some(tag), _) => Derived::known(tag, "requestParameters.imageIds[0].imageTag"),
            (None, Some(digest)) => {
                Derived::missing(format!("image named by digest {digest}, not by tag"))
            }
            (None, None) => Derived::missing("imageIds[0] names neither tag nor digest"),
        },
        [] => match (
            request.image_digest.as_deref(),
            request.layer_digest.as_deref(),
        ) {
            (Some(digest), _) => {
                Derived::missing(format!("image named by digest {digest}, not by tag"))
            }
            (None, Some(layer)) => Derived::missing(format!("call names layer {layer}, not a tag")),
            (None, None) => Derived::missing(format!(
                "{} carries no image tag",
                event.event_name.as_deref().unwrap_or("this call")
            )),
        },
        many => Derived::missing(format!("imageIds names {} images", many.len())),
    }
}

fn role(event: &TrailEvent) -> Derived {
    named_resource(
        event,
        event.request.role_arn.as_deref(),
        "requestParameters.roleArn",
        "iam",
        "requestParameters.roleArn absent",
    )
}

fn key(event: &TrailEvent) -> Derived {
    named_resource(
        event,
        event.request.key_id.as_deref(),
        "requestParameters.keyId",
        "kms",
        "no keyId or key ARN in the record",
    )
}

/// A resource named by a request parameter, else by a `resources[]` ARN of `service`, else
/// by the denial message; `missing` says what was absent.
fn named_resource(
    event: &TrailEvent,
    parameter: Option<&str>,
    parameter_name: &'static str,
    service: &str,
    missing: &str,
) -> Derived {
    if let Some(value) = parameter {
        return Derived::known(value, parameter_name);
    }
    let of_service = |a: &&str| arn::Arn::parse(a).is_some_and(|p| p.service == service);
    if let Some(found) = event
        .resources
        .iter()
        .filter_map(|r| r.arn.as_deref())
        .find(of_service)
    {
        return Derived::known(found, "resources[].ARN");
    }
    Derived::missing(missing).or_else(|| {
        denial_resource(event)
            .filter(of_service)
            .map(|r| Derived::known(r, "errorMessage"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trail::model::{ImageRef, SourceFormat, UserIdentity};

    fn denied_pull() -> TrailEvent {
        let mut e = TrailEvent::empty(SourceFormat::Record);
        e.event_name = Some("BatchGetImage".into());
        e.event_source = Some("ecr.amazonaws.com".into());
        e.region = Some("ap-northeast-1".into());
        e.error_code = Some("AccessDeniedException".into());
        e.request.repository_name = Some("source-repo".into());
        e.request.registry_id = Some("222222222222".into());
        e.request.image_ids = vec![ImageRef {
            tag: Some("latest".into()),
            digest: None,
        }];
        e
    }

    #[test]
    fn pull_question_builds_the_repository_arn() {
        let mut e = denied_pull();
        e.user_identity = Some(UserIdentity {
            arn: Some("arn:aws:sts::111111111111:assumed-role/r/s".into()),
            ..UserIdentity::default()
        });
        let Some(LinkedQuestion::Pull {
            action,
            principal_arn,
            repository_arn,
            tag,
            ..
        }) = link_question(&e, EventKind::Pull)
        else {
            panic!("not a pull question")
        };
        assert_eq!(action, "ecr:BatchGetImage");
        assert_eq!(
            principal_arn.value(),
            Some("arn:aws:sts::111111111111:assumed-role/r/s")
        );
        assert_eq!(
            repository_arn.value(),
            Some("arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo")
        );
        assert_eq!(tag.value(), Some("latest"));
    }

    #[test]
    fn missing_principal_is_said_not_guessed() {
        let mut e = denied_pull();
        e.user_identity = Some(UserIdentity {
            identity_type: Some("AWSAccount".into()),
            account_id: Some("111111111111".into()),
            ..UserIdentity::default()
        });
        e.shared_event_id = Some("shared-1".into());
        let Some(LinkedQuestion::Pull { principal_arn, .. }) = link_question(&e, EventKind::Pull)
        else {
            panic!()
        };
        let Derived::Missing { why } = principal_arn else {
            panic!("guessed a principal")
        };
        assert!(
            why.contains("111111111111") && why.contains("shared-1"),
            "{why}"
        );

        e.error_message = Some("User: arn:aws:sts::111111111111:assumed-role/r/s is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo".into());
        let Some(LinkedQuestion::Pull { principal_arn, .. }) = link_question(&e, EventKind::Pull)
        else {
            panic!()
        };
        assert_eq!(
            principal_arn,
            Derived::known("arn:aws:sts::111111111111:assumed-role/r/s", "errorMessage")
        );
    }

    #[test]
    fn repository_arn_names_what_is_missing() {
        let mut e = denied_pull();
        e.region = None;
        e.request.repository_name = None;
        let Some(LinkedQuestion::Pull { repository_arn, .. }) = link_question(&e, EventKind::Pull)
        else {
            panic!()
        };
        let Derived::Missing { why } = repository_arn else {
            panic!()
        };
        assert!(why.contains("awsRegion, repositoryName"), "{why}");
    }

    #[test]
    fn assume_question_reports_absent_external_id() {
        let mut e = TrailEvent::empty(SourceFormat::Record);
        e.event_name = Some("AssumeRole".into());
        e.request.role_arn = Some("arn:aws:iam::222222222222:role/x".into());
        let Some(LinkedQuestion::Assume {
            role_arn,
            external_id,
            ..
        }) = link_question(&e, EventKind::AssumeRole)
        else {
            panic!()
        };
        assert_eq!(role_arn.value(), Some("arn:aws:iam::222222222222:role/x"));
        assert_eq!(external_id.value(), None);
    }
}
