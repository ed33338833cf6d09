//! What a reverse question asks: a kind (pull, push, assume, decrypt, trigger) or any IAM
//! action, and the requests a principal must be allowed to make for it.

use crate::diagnose::{PULL_ACTIONS, PUSH_ACTIONS};
use crate::inventory::Accounts;

use super::ReverseError;

/// The registry-wide token `docker login` needs before any pull or push.
const AUTH_TOKEN: &str = "ecr:GetAuthorizationToken";

/// The kind of a reverse question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Pull an image from a repository.
    Pull,
    /// Push an image to a repository.
    Push,
    /// Assume a role.
    Assume,
    /// Decrypt with a KMS key.
    Decrypt,
    /// Start a pipeline by pushing to its ECR source.
    Trigger,
    /// Any IAM action, e.g. `kms:GenerateDataKey` or `s3:GetObject`.
    Action(String),
}

/// A kind that is neither known nor an IAM action.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a kind (pull, push, assume, decrypt, trigger) nor an IAM action such as kms:Decrypt")]
pub struct KindError(String);

impl Kind {
    /// Every named kind, for help texts and `what-can`.
    pub const NAMED: [&'static str; 5] = ["pull", "push", "assume", "decrypt", "trigger"];

    /// Parses `pull`, `push`, `assume`, `decrypt`, `trigger` or `service:Action`.
    pub fn parse(text: &str) -> Result<Kind, KindError> {
        Ok(match text.to_ascii_lowercase().as_str() {
            "pull" => Kind::Pull,
            "push" => Kind::Push,
            "assume" => Kind::Assume,
            "decrypt" => Kind::Decrypt,
            "trigger" => Kind::Trigger,
            _ => match text.split_once(':') {
                Some((service, action))
                    if !service.is_empty()
                        && !action.is_empty()
                        && !text.contains(char::is_whitespace) =>
                {
                    Kind::Action(text.to_string())
                }
                _ => return Err(KindError(text.to_string())),
            },
        })
    }

    /// The name shown in answers.
    pub fn name(&self) -> &str {
        match self {
            Kind::Pull => "pull",
            Kind::Push => "push",
            Kind::Assume => "assume",
            Kind::Decrypt => "decrypt",
            Kind::Trigger => "trigger",
            Kind::Action(action) => action,
        }
    }

    /// The resource's ARN: names resolve among the loaded accounts like `explain`'s do.
    pub fn resolve_resource(
        &self,
        accounts: &Accounts,
        reference: &str,
    ) -> Result<String, ReverseError> {
        let unresolved = |e: crate::inventory::ResolveError| ReverseError::Resource(e.to_string());
        Ok(match self {
            Kind::Pull | Kind::Push => accounts
                .resolve_repository(reference)
                .map_err(unresolved)?
                .1
                .arn
                .clone(),
            Kind::Assume => accounts
                .resolve_role(reference)
                .map_err(unresolved)?
                .1
                .arn
                .clone(),
            Kind::Decrypt => accounts
                .resolve_key(reference)
                .map_err(unresolved)?
                .1
                .arn
                .clone(),
            Kind::Trigger => accounts
                .resolve_pipeline(reference)
                .map_err(unresolved)?
                .1
                .arn
                .clone(),
            Kind::Action(_) if reference.starts_with("arn:") || reference == "*" => {
                reference.to_string()
            }
            Kind::Action(action) => {
                return Err(ReverseError::Resource(format!(
                    "{action} needs the resource as an ARN (or *), not `{reference}`"
                )))
            }
        })
    }

    /// The requests (action, resource) a principal must be allowed for this kind on
    /// `resource`. A trigger's requests are the push to the pipeline's source repository.
    pub fn requests(&self, resource: &str) -> Vec<(String, String)> {
        let on = |actions: &[&str]| -> Vec<(String, String)> {
            actions
                .iter()
                .map(|a| (a.to_string(), resource.to_string()))
                .collect()
        };
        let token = || (AUTH_TOKEN.to_string(), "*".to_string());
        match self {
            Kind::Pull => {
                let mut requests = vec![token()];
                requests.extend(on(&PULL_ACTIONS));
                requests
            }
            Kind::Push | Kind::Trigger => {
                let mut requests = vec![token()];
                requests.extend(on(&PUSH_ACTIONS));
                requests
            }
            Kind::Assume => on(&["sts:AssumeRole"]),
            Kind::Decrypt => on(&["kms:Decrypt"]),
            Kind::Action(action) => on(&[action.as_str()]),
        }
    }

    /// The actions whose grants in a resource policy answer this kind.
    pub fn resource_actions(&self) -> Vec<String> {
        self.requests("")
            .into_iter()
            .map(|(action, _)| action)
            .filter(|a| a != AUTH_TOKEN)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_actions_parse_and_garbage_is_refused() {
        assert_eq!(Kind::parse("PULL").expect("kind"), Kind::Pull);
        assert_eq!(
            Kind::parse("kms:GenerateDataKey").expect("action"),
            Kind::Action("kms:GenerateDataKey".into())
        );
        for bad in ["", "pul", ":Decrypt", "kms:", "kms: Decrypt"] {
            let error = Kind::parse(bad).expect_err(bad).to_string();
            assert!(error.contains("not a kind"), "{error}");
        }
    }

    #[test]
    fn a_pull_needs_the_token_and_the_layer_reads() {
        let requests = Kind::Pull.requests("arn:repo");
        assert_eq!(requests[0], (AUTH_TOKEN.to_string(), "*".to_string()));
        assert!(requests
            .iter()
            .any(|(a, r)| a == "ecr:BatchGetImage" && r == "arn:repo"));
        assert!(!Kind::Pull
            .resource_actions()
            .contains(&AUTH_TOKEN.to_string()));
    }
}
