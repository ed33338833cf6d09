//! CodePipeline pipelines: stages, actions (with their cross-account roles) and artifact store.

use serde::{Deserialize, Serialize};

use super::collection::{IndexKey, KeyKind, Keyed};
use super::field::Field;
use super::iam::Tags;

/// A pipeline (`codepipeline:ListPipelines` lists names, `codepipeline:GetPipeline` details).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pipeline {
    /// The pipeline ARN, `arn:aws:codepipeline:REGION:A:NAME`.
    pub arn: String,
    /// The pipeline name.
    pub name: String,
    /// The pipeline's service role ARN (`roleArn`).
    #[serde(default)]
    pub role_arn: Field<String>,
    /// The artifact store of the pipeline's region.
    #[serde(default)]
    pub artifact_store: Field<ArtifactStore>,
    /// The stages in order.
    #[serde(default)]
    pub stages: Field<Vec<Stage>>,
    /// The pipeline's tags.
    #[serde(default)]
    pub tags: Field<Tags>,
}

impl Pipeline {
    /// Every action of every stage, with its stage name, in pipeline order (empty unless loaded).
    pub fn actions(&self) -> impl Iterator<Item = (&Stage, &Action)> {
        self.stages
            .loaded()
            .into_iter()
            .flatten()
            .flat_map(|stage| stage.actions.iter().map(move |action| (stage, action)))
    }

    /// The action with this name (action names are unique within a pipeline).
    pub fn action(&self, name: &str) -> Option<&Action> {
        self.actions()
            .map(|(_, action)| action)
            .find(|action| action.name == name)
    }

    /// The ECR source actions (provider `ECR`, category `Source`).
    pub fn ecr_sources(&self) -> impl Iterator<Item = &Action> {
        self.actions()
            .map(|(_, action)| action)
            .filter(|action| action.ecr_source().is_some())
    }

    /// The repository an ECR source action reads: in the account of the action's role when
    /// it has one (that is how a cross-account ECR source is configured), else in the
    /// pipeline's; in the action's region, else the pipeline's.
    pub fn ecr_source_repository_arn(&self, action: &Action) -> Option<String> {
        let source = action.ecr_source()?;
        let pipeline = super::arn::Arn::parse(&self.arn)?;
        let account = action
            .role_arn
            .as_deref()
            .and_then(super::arn::account_of)
            .unwrap_or(pipeline.account);
        let region = action.region.as_deref().unwrap_or(pipeline.region);
        Some(super::arn::repository_arn(
            pipeline.partition,
            region,
            account,
            source.repository_name,
        ))
    }
}

impl Keyed for Pipeline {
    fn id(&self) -> &str {
        &self.arn
    }

    fn index_keys(&self) -> Vec<IndexKey> {
        vec![
            IndexKey::new(KeyKind::Arn, &self.arn),
            IndexKey::new(KeyKind::Name, &self.name),
        ]
    }
}

/// A pipeline's `artifactStore`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactStore {
    /// Always `S3` today.
    #[serde(rename = "type")]
    pub store_type: String,
    /// The bucket name (`location`).
    pub location: String,
    /// The KMS key; `None` means the AWS managed `aws/s3` key, which no other account can use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_key: Option<EncryptionKey>,
}

/// `artifactStore.encryptionKey`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptionKey {
    /// A key ARN, key id, alias name or alias ARN (aliases resolve only in the key's own account).
    pub id: String,
    /// Always `KMS`.
    #[serde(rename = "type")]
    pub key_type: String,
}

/// One stage of a pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    /// The stage name.
    pub name: String,
    /// The actions, in declaration order.
    pub actions: Vec<Action>,
}

/// One action of a stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// The action name, unique in the pipeline.
    pub name: String,
    /// `Source`, `Build`, `Deploy`, …
    pub category: String,
    /// `AWS`, `ThirdParty` or `Custom`.
    pub owner: String,
    /// `ECR`, `CodeBuild`, `ECS`, …
    pub provider: String,
    /// The action type version, `1` in practice.
    #[serde(default = "one")]
    pub version: String,
    /// The role the action assumes, possibly in another account; `None` = the pipeline role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// The region the action runs in, when not the pipeline's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// `runOrder` within the stage.
    #[serde(default = "one_u32")]
    pub run_order: u32,
    /// The provider's configuration (`RepositoryName`, `ImageTag`, `ProjectName`, …), in AWS order.
    #[serde(default)]
    pub configuration: serde_json::Map<String, serde_json::Value>,
    /// Input artifact names.
    #[serde(default)]
    pub input_artifacts: Vec<String>,
    /// Output artifact names.
    #[serde(default)]
    pub output_artifacts: Vec<String>,
}

fn one() -> String {
    "1".to_string()
}

fn one_u32() -> u32 {
    1
}

impl Action {
    /// A configuration value as text.
    pub fn config(&self, key: &str) -> Option<&str> {
        self.configuration.get(key).and_then(|v| v.as_str())
    }

    /// For an ECR source action: the repository name and the watched tag (`latest` when unset).
    pub fn ecr_source(&self) -> Option<EcrSource<'_>> {
        if self.category != "Source" || self.provider != "ECR" {
            return None;
        }
        Some(EcrSource {
            repository_name: self.config("RepositoryName")?,
            // CodePipeline watches `latest` when ImageTag is not configured.
            image_tag: self.config("ImageTag").unwrap_or("latest"),
        })
    }
}

/// What an ECR source action watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EcrSource<'a> {
    /// `RepositoryName` (in the account of the action's role, or the pipeline's).
    pub repository_name: &'a str,
    /// `ImageTag`, defaulting to `latest`.
    pub image_tag: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ecr_source_defaults_tag_to_latest() {
        let action: Action = serde_json::from_value(json!({
            "name": "Source", "category": "Source", "owner": "AWS", "provider": "ECR",
            "configuration": {"RepositoryName": "app"}
        }))
        .expect("action");
        assert_eq!(
            action.ecr_source(),
            Some(EcrSource {
                repository_name: "app",
                image_tag: "latest"
            })
        );
        assert_eq!(action.version, "1");
    }
}
