//! The live half of the workspace: opening profiles, and reading what a question needs
//! before answering it — once: a read already made is a cache hit, not an AWS call.

use std::collections::BTreeSet;
use std::time::SystemTime;

use super::{planning_questions, Cost, Explained, Origin, Workspace, WorkspaceError};
use crate::aws::{AccountReader, ProfileSource};
use crate::diagnose::{self, Question, QuestionDraft};
use crate::inventory::reads::{Need, Read};
use crate::inventory::Account;

/// Rounds of planning: question → resources → their keys/roles → rule target roles.
const MAX_ROUNDS: usize = 4;

/// A future that opens an account, for [`AccountOpener`].
pub type Opening =
    std::pin::Pin<Box<dyn std::future::Future<Output = Option<(Account, AccountReader)>> + Send>>;

/// Opens an account the session has not loaded when a question leads there — the
/// organisation console's third account (and fourth …): `None` when it cannot be read.
pub trait AccountOpener: Send + Sync + std::fmt::Debug {
    /// The account (identity, listing) and its reader.
    fn open(&self, account_id: String) -> Opening;
}

impl Workspace {
    /// Opens every profile (concurrently) and makes a workspace of their accounts.
    pub async fn connect(profiles: &[String]) -> Result<Self, WorkspaceError> {
        let source = ProfileSource::from_env();
        let opened = crate::aws::load::join_all(
            profiles
                .iter()
                .map(|p| crate::aws::open_reader(&source, p, None))
                .collect(),
        )
        .await;
        let mut workspace = Self::new(Default::default(), Origin::Live(profiles.to_vec()));
        for result in opened {
            let (account, reader) = result?;
            if workspace.account(account.id()).is_some() {
                return Err(
                    crate::inventory::AccountsError::SameAccount(account.id().to_string()).into(),
                );
            }
            workspace.insert_live(account, reader);
        }
        Ok(workspace)
    }

    /// Reads the organisation's guardrails (SCP/RCP chains) through `profile`, the
    /// management or a delegated-administrator account's, from now on (`--org-profile`).
    pub async fn connect_org(&mut self, profile: &str) -> Result<(), WorkspaceError> {
        let source = ProfileSource::from_env();
        let (_, reader) = crate::aws::open_reader(&source, profile, None).await?;
        self.readers.set_org(reader.loader().gateway().clone());
        Ok(())
    }

    /// [`Self::connect`], then [`Self::connect_org`] when an organisation profile is given.
    pub async fn connect_with_org(
        profiles: &[String],
        org_profile: Option<&str>,
    ) -> Result<Self, WorkspaceError> {
        let mut workspace = Self::connect(profiles).await?;
        if let Some(profile) = org_profile {
            workspace.connect_org(profile).await?;
        }
        Ok(workspace)
    }

    /// Lets questions open accounts no side shows (each tried once per session).
    pub fn set_opener(&mut self, opener: std::sync::Arc<dyn AccountOpener>) {
        self.opener = Some(opener);
    }

    /// Opens, through the opener, the accounts `reads` name that are neither loaded nor
    /// tried before.
    async fn open_missing(&mut self, reads: &[Read]) {
        let Some(opener) = self.opener.clone() else {
            return;
        };
        let missing: BTreeSet<String> = reads
            .iter()
            .filter(|r| self.account(&r.account).is_none())
            .map(|r| r.account.clone())
            .collect();
        for id in missing {
            if !self.tried.insert(id.clone()) {
                continue;
            }
            if let Some((account, reader)) = opener.open(id).await {
                self.insert_live(account, reader);
            }
        }
    }

    /// Adds (or replaces, on refresh) a live account with its reader.
    pub fn insert_live(&mut self, account: Account, reader: AccountReader) {
        self.readers.insert(account.id().to_string(), reader);
        if let Origin::Live(profiles) = &mut self.origin {
            if let Some(profile) = account.identity.profile.clone() {
                if !profiles.contains(&profile) {
                    profiles.push(profile);
                }
            }
        }
        self.insert(account);
    }

    /// The policy writes of every live account in the last `since` (CloudTrail records, for
    /// `diagnose::history`), with the `LookupEvents` requests made. `read` is what the
    /// question reads (`diagnose::history::documents_read`): its repositories and keys are
    /// looked up by resource, the other writes by event name. The cost depends on the
    /// number of accounts, of documents read and of writes, not on how many resources the
    /// accounts hold.
    pub async fn policy_writes(
        &self,
        since: std::time::Duration,
        read: &std::collections::BTreeSet<String>,
    ) -> Result<(Vec<serde_json::Value>, u64), crate::aws::trail_poller::TailError> {
        let mut records = Vec::new();
        let mut requests = 0;
        for id in self.accounts.ids() {
            if let Some(reader) = self.reader(id) {
                let indexed: Vec<String> = read
                    .iter()
                    .filter(|arn| crate::policy::arn::account_of(arn) == Some(id))
                    .filter(|arn| {
                        (arn.contains(":ecr:") && arn.contains(":repository/"))
                            || (arn.contains(":kms:") && arn.contains(":key/"))
                    })
                    .cloned()
                    .collect();
                let found = reader.policy_writes(id, since, &indexed).await?;
                records.extend(found.records);
                requests += found.requests;
            }
        }
        Ok((records, requests))
    }

    /// The documents of managed policy versions (`iam:GetPolicyVersion`, through the reader
    /// of the policy's account); versions that cannot be read are left out.
    pub async fn policy_versions(
        &self,
        wanted: &[(String, String)],
    ) -> crate::diagnose::history::PolicyVersions {
        let mut versions = crate::diagnose::history::PolicyVersions::default();
        for (policy, version) in wanted {
            let account = crate::policy::arn::account_of(policy).unwrap_or_default();
            let Some(reader) = self.reader(account) else {
                continue;
            };
            if let Some(document) = reader.policy_version(policy, version).await {
                versions.insert(policy, version, document);
            }
        }
        versions
    }

    /// The reader of a live account.
    pub fn reader(&self, account_id: &str) -> Option<&AccountReader> {
        self.readers.reader(account_id)
    }

    /// Reads what the draft's question needs (what was read before is not read again),
    /// then answers it.
    pub async fn explain(&mut self, draft: &QuestionDraft) -> Result<Explained, WorkspaceError> {
        let before = self.readers.calls();
        let mut cost = Cost::default();
        let mut lookups = 0;
        let mut seen = BTreeSet::new();
        let names = name_reads(draft, self);
        lookups += self.read_cached(names, &mut cost, &mut seen).await;
        let resolved = self.resolve(draft)?;
        lookups += self
            .plan_rounds(&resolved.question, &mut cost, &mut seen)
            .await;
        let diagnosis = self.answer(&resolved)?;
        cost.calls = calls_since(&before, &self.readers.calls());
        if lookups > 0 {
            cost.calls
                .insert("cloudtrail:LookupEvents".to_string(), lookups);
        }
        Ok(Explained {
            read_at: self.read_at(&resolved.question),
            diagnosis,
            cost,
        })
    }

    /// Reads what `question` needs (a pasted error: the question it raises), in rounds,
    /// skipping what was read before. Returns the CloudTrail requests made.
    pub async fn read_plan(&mut self, question: &Question, cost: &mut Cost) -> u64 {
        self.plan_rounds(question, cost, &mut BTreeSet::new()).await
    }

    /// [`Self::read_plan`], counting each read once per explanation (`seen`): a later
    /// round planning what an earlier round read is not a cache hit.
    async fn plan_rounds(
        &mut self,
        question: &Question,
        cost: &mut Cost,
        seen: &mut BTreeSet<Read>,
    ) -> u64 {
        let mut lookups = 0;
        for _ in 0..MAX_ROUNDS {
            let planned: Vec<Read> = planning_questions(question, &self.accounts)
                .iter()
                .flat_map(|q| diagnose::reads::plan(&self.accounts, q))
                .collect();
            let fresh = planned
                .iter()
                .filter(|r| !self.reads.contains_key(r))
                .count();
            lookups += self.read_cached(planned, cost, seen).await;
            if fresh == 0 {
                break;
            }
        }
        lookups
    }

    /// Reads every live account completely (listing and every detail) unless it was read
    /// completely before: a reverse question needs every role and policy. Returns the cost.
    pub async fn read_everything(&mut self) -> Cost {
        let before = self.readers.calls();
        let mut cost = Cost::default();
        // The organisation too: every answer includes the guardrail checks.
        let everything: Vec<Read> = self
            .accounts
            .ids()
            .flat_map(|account| {
                [Need::Everything, Need::Organization, Need::Guardrails].map(|need| Read {
                    account: account.to_string(),
                    need,
                })
            })
            .collect();
        self.read_cached(everything, &mut cost, &mut BTreeSet::new())
            .await;
        cost.calls = calls_since(&before, &self.readers.calls());
        cost
    }

    /// The live accounts not read completely yet in this session (a reverse question needs
    /// every role, user and policy of each).
    pub fn unread_completely(&self) -> Vec<String> {
        self.accounts
            .ids()
            .filter(|id| self.readers.reader(id).is_some())
            .filter(|id| {
                !self.reads.contains_key(&Read {
                    account: id.to_string(),
                    need: Need::Everything,
                })
            })
            .map(str::to_string)
            .collect()
    }

    /// Reads one live account completely (as [`Workspace::read_everything`] does for all),
    /// unless it was before. Returns the cost.
    pub async fn read_everything_in(&mut self, account: &str) -> Cost {
        let before = self.readers.calls();
        let mut cost = Cost::default();
        let reads: Vec<Read> = [Need::Everything, Need::Organization, Need::Guardrails]
            .map(|need| Read {
                account: account.to_string(),
                need,
            })
            .into();
        self.read_cached(reads, &mut cost, &mut BTreeSet::new())
            .await;
        cost.calls = calls_since(&before, &self.readers.calls());
        cost
    }

    /// AWS calls made by every reader so far, per operation.
    pub fn calls(&self) -> crate::aws::CallCounts {
        self.readers.calls()
    }

    /// Runs the reads not made yet in accounts that have a reader; counts the others as
    /// cache hits (once per explanation). Returns the CloudTrail requests made.
    async fn read_cached(
        &mut self,
        reads: Vec<Read>,
        cost: &mut Cost,
        seen: &mut BTreeSet<Read>,
    ) -> u64 {
        self.open_missing(&reads).await;
        let mut todo: Vec<Read> = Vec::new();
        for read in reads {
            if self.readers.reader(&read.account).is_none() || !seen.insert(read.clone()) {
                continue;
            }
            if self.reads.contains_key(&read) {
                cost.cache_hits += 1;
            } else {
                todo.push(read);
            }
        }
        if todo.is_empty() {
            return 0;
        }
        let lookups = self.readers.read(&mut self.accounts, &todo).await;
        let now = SystemTime::now();
        for read in todo {
            self.reads.insert(read, now);
        }
        lookups
    }
}

/// The calls made between two readings of the readers' counters, per operation.
fn calls_since(
    before: &crate::aws::CallCounts,
    after: &crate::aws::CallCounts,
) -> std::collections::BTreeMap<String, u64> {
    after
        .0
        .iter()
        .filter_map(|(operation, n)| {
            let made = n - before.0.get(operation).copied().unwrap_or(0);
            (made > 0).then(|| (operation.to_string(), made))
        })
        .collect()
}

/// Short names resolve only among what is loaded: read each named resource directly in
/// every live account (one GET each) so resolution works without listing anything.
fn name_reads(draft: &QuestionDraft, workspace: &Workspace) -> Vec<Read> {
    let short = |s: &&&String| !s.starts_with("arn:") && !s.ends_with(".amazonaws.com");
    let (roles, repositories, pipelines): (Vec<&String>, Vec<&String>, Vec<&String>) = match draft {
        QuestionDraft::Pull {
            principal,
            repository,
            ..
        }
        | QuestionDraft::Push {
            principal,
            repository,
            ..
        } => (vec![principal], vec![repository], vec![]),
        QuestionDraft::Assume {
            principal, role, ..
        } => (vec![principal, role], vec![], vec![]),
        QuestionDraft::Access { principal, .. } => (vec![principal], vec![], vec![]),
        QuestionDraft::PullThrough {
            principal,
            repository,
            ..
        } => (vec![principal], vec![repository], vec![]),
        QuestionDraft::Trigger { pipeline, .. } | QuestionDraft::Artifact { pipeline, .. } => {
            (vec![], vec![], vec![pipeline])
        }
        QuestionDraft::Error { .. }
        | QuestionDraft::Scenario { .. }
        | QuestionDraft::Replicate { .. } => (vec![], vec![], vec![]),
    };
    let mut reads = Vec::new();
    for account in workspace.accounts.ids() {
        let mut add = |need: Need| {
            reads.push(Read {
                account: account.to_string(),
                need,
            })
        };
        for role in roles.iter().filter(short) {
            add(Need::Role((*role).clone()));
        }
        for repository in repositories.iter().filter(short) {
            add(Need::Repository {
                reference: (*repository).clone(),
                images: false,
            });
        }
        // A pull's project is resolved before the plan runs: read it by name or ARN.
        if let QuestionDraft::Pull {
            project: Some(project),
            ..
        } = draft
        {
            let foreign = project.starts_with("arn:")
                && crate::policy::arn::account_of(project) != Some(account);
            if !foreign {
                add(Need::Project(project.clone()));
            }
        }
        // Pipelines are read even by ARN: the question is built from their source actions.
        for pipeline in &pipelines {
            let foreign = pipeline.starts_with("arn:")
                && crate::policy::arn::account_of(pipeline) != Some(account);
            if !foreign {
                add(Need::Pipeline((*pipeline).clone()));
            }
        }
    }
    reads
}
