//! What is known about the loaded AWS accounts: roles, repositories, keys, projects,
//! pipelines, rules, buckets and CloudTrail records — plain data, no network IO.
//!
//! # States of knowledge
//!
//! Every value read from AWS is a [`Field`]: `Loaded`, `Absent` (AWS says there is none),
//! `Unreadable` (the call failed, with operation, error code and message), or `NotLoaded`.
//! Resources of one kind live in a [`Collection`] whose [`Listing`] says whether the list is
//! complete. The live loader lists names cheaply (`Role::listed`, details `NotLoaded`) and
//! fills details on demand with [`Collection::update`] or [`Collection::upsert`]; lookups
//! such as [`Account::role_lookup`] return a `Field` too, so "not found" is only `Absent`
//! when the listing was complete.
//!
//! Policies are stored as decoded JSON (`serde_json::Value`) and never interpreted here:
//! evaluation belongs to `crate::policy`, trail parsing to `crate::trail`.
//!
//! # Files
//!
//! [`snapshot`] reads and writes versioned snapshot files, [`redact`] replaces account ids
//! for sharing, and [`demo`] holds the embedded two-account demo with its scenario catalogue.

mod account;
mod accounts;
pub mod arn;
mod build;
mod collection;
pub mod demo;
pub mod documents;
mod ecr;
mod events;
mod field;
mod iam;
mod iam_users;
mod kms;
pub mod network;
pub mod org;
pub mod organization;
mod pipeline;
mod policy_store;
pub mod reads;
pub mod redact;
mod registry;
mod s3;
pub mod secrets;
pub mod snapshot;
mod trail_records;
mod wire;
pub mod workload;

pub use account::{Account, Identity};
pub use accounts::{Accounts, AccountsError, ResolveError};
pub use build::{Environment, ImagePullCredentialsType, Project};
pub use collection::{Collection, IndexKey, KeyKind, Keyed, Listing};
pub use ecr::{EncryptionType, Image, Repository, RepositoryEncryption, TagMutability};
pub use events::{Rule, RuleState, Target};
pub use field::{Field, Unreadable};
pub use iam::{AttachedPolicy, InlinePolicy, ManagedPolicy, Role, Tags};
pub use iam_users::{Group, User};
pub use kms::{Grant, Key, KeyManager, KeyState};
pub use network::{RouteTable, Vpc, VpcConfig, VpcEndpoint};
pub use org::{Guardrails, LevelKind, OrgKnowledge, OrgLevel, OrgPolicy, Organization};
pub use pipeline::{Action, ArtifactStore, EcrSource, EncryptionKey, Pipeline, Stage};
pub use policy_store::{Parsed, PolicyStore};
pub use redact::Redactor;
pub use registry::{
    template_for, CreationTemplate, PullThroughRule, ReplicationDestination, ReplicationRule,
    APPLIED_FOR_REPLICATION,
};
pub use s3::{Bucket, BucketEncryption};
pub use snapshot::SnapshotError;
pub use trail_records::TrailRecords;
pub use workload::{EcsService, LambdaFunction, TaskRoles};
