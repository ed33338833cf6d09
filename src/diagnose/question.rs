//! `Question`: what the engine answers — one vocabulary for the CLI, the console, pasted
//! errors and CloudTrail records. Built from a [`super::draft::QuestionDraft`] by
//! [`super::draft::resolve`], never assembled by a front end.

use serde::{Deserialize, Serialize};

/// A question about the loaded accounts: every input is resolved (ARNs, not short names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Question {
    /// Can `principal` pull `repository:tag`?
    Pull {
        /// The caller: a role ARN, a session ARN, or a service principal such as `lambda.amazonaws.com`.
        principal: String,
        /// The repository ARN.
        repository: String,
        /// The tag pulled.
        tag: String,
        /// When set, the pull is this CodeBuild project's environment-image pull: who signs it
        /// depends on the project's `imagePullCredentialsType`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        project: Option<String>,
        /// `aws:SourceArn` of a service-principal call (e.g. the Lambda function ARN).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source_arn: Option<String>,
        /// The VPC endpoint the pull goes through (`vpce-…`): its policy, and the VPC's
        /// path to S3, are checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        vpc_endpoint: Option<String>,
        /// The ECS service or Lambda function (ARN) the caller runs in: its VPC is the
        /// pull's network path.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        runs_in: Option<String>,
    },
    /// Can `principal` push `repository:tag`?
    Push {
        /// The caller.
        principal: String,
        /// The repository ARN.
        repository: String,
        /// The tag pushed.
        tag: String,
    },
    /// Can `principal` assume `role`?
    Assume {
        /// The caller.
        principal: String,
        /// The role ARN.
        role: String,
        /// The external id the caller sends, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        external_id: Option<String>,
    },
    /// Does a push of `repository:tag` by `pusher` start `pipeline`?
    Trigger {
        /// The pipeline ARN.
        pipeline: String,
        /// The repository ARN pushed to.
        repository: String,
        /// The tag pushed.
        tag: String,
        /// Who pushed (a session ARN); the trail records in the demo show the same push.
        pusher: String,
    },
    /// Can the pipeline action read and write the pipeline's artifacts?
    Artifact {
        /// The pipeline ARN.
        pipeline: String,
        /// The action name.
        action: String,
    },
    /// Can `principal` perform `action` on `resource`? The open kind (e.g. `kms:Decrypt` on
    /// a key, `ecr:BatchGetImage` on a repository, `sts:AssumeRole` on a role).
    Access {
        /// The caller.
        principal: String,
        /// The IAM action, e.g. `kms:Decrypt`.
        action: String,
        /// The resource ARN.
        resource: String,
    },
    /// Can the registry of account `source` replicate into the registry of account
    /// `destination` (ECR cross-account replication)?
    Replicate {
        /// The source registry (account id).
        source: String,
        /// The destination registry (account id).
        destination: String,
        /// The repository replicated; `None`: any repository.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        repository: Option<String>,
    },
    /// Can `principal`'s pull of `repository` fill it from the upstream registry of a
    /// pull-through cache rule (the cache repository is created on the first pull)?
    PullThrough {
        /// The caller.
        principal: String,
        /// The cache repository ARN (`PREFIX/NAME` in the cache registry); it need not exist yet.
        repository: String,
    },
    /// The user pasted an error text.
    Error {
        /// The text as pasted.
        text: String,
    },
}

impl Question {
    /// The kind as the CLI names it (`pull`, `push`, `assume`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Question::Pull { .. } => "pull",
            Question::Push { .. } => "push",
            Question::Assume { .. } => "assume",
            Question::Trigger { .. } => "trigger",
            Question::Artifact { .. } => "artifact",
            Question::Access { .. } => "access",
            Question::Replicate { .. } => "replicate",
            Question::PullThrough { .. } => "pull-through",
            Question::Error { .. } => "error",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_round_trip() {
        let text = r#"{"kind":"assume","principal":"arn:aws:iam::111111111111:role/a","role":"arn:aws:iam::222222222222:role/b","external_id":"x"}"#;
        let question: Question = serde_json::from_str(text).expect("parse");
        assert_eq!(serde_json::to_string(&question).expect("serialize"), text);
        assert_eq!(question.kind(), "assume");
    }
}
