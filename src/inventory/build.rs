//! CodeBuild projects: service role and build environment.

use serde::{Deserialize, Serialize};

use super::collection::keyed_by_arn_and_name;
use super::field::Field;
use super::iam::Tags;
use super::wire::wire_enum;

/// A CodeBuild project (`codebuild:ListProjects` lists names, `codebuild:BatchGetProjects` details).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    /// The project ARN, `arn:aws:codebuild:REGION:A:project/NAME`.
    pub arn: String,
    /// The project name.
    pub name: String,
    /// The service role ARN the build runs as (`serviceRole`).
    #[serde(default)]
    pub service_role: Field<String>,
    /// The build environment.
    #[serde(default)]
    pub environment: Field<Environment>,
    /// The KMS key for build artifacts (`encryptionKey`, an ARN or `alias/…`).
    #[serde(default)]
    pub encryption_key: Field<String>,
    /// The project's tags.
    #[serde(default)]
    pub tags: Field<Tags>,
    /// The VPC the builds run in (`vpcConfig`); `Absent`: no VPC, builds reach AWS over
    /// CodeBuild's own network.
    #[serde(default, skip_serializing_if = "Field::is_not_loaded")]
    pub vpc_config: Field<super::network::VpcConfig>,
}

keyed_by_arn_and_name!(Project);

/// A project's `environment`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Environment {
    /// `LINUX_CONTAINER`, `ARM_CONTAINER`, …
    #[serde(rename = "type")]
    pub environment_type: String,
    /// The build image: a CodeBuild curated image or an ECR/Docker Hub reference.
    pub image: String,
    /// `BUILD_GENERAL1_SMALL`, …
    pub compute_type: String,
    /// Whose credentials pull the build image; `CODEBUILD` only works for same-account ECR images.
    pub image_pull_credentials_type: ImagePullCredentialsType,
    /// Privileged mode, needed for docker-in-docker builds.
    pub privileged_mode: bool,
}

wire_enum! {
    /// `environment.imagePullCredentialsType`.
    pub enum ImagePullCredentialsType {
        /// CodeBuild's own credentials (the `codebuild.amazonaws.com` service principal).
        Codebuild => "CODEBUILD",
        /// The project's service role, required for images in another account.
        ServiceRole => "SERVICE_ROLE",
    }
}
