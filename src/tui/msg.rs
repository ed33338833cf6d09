//! Results coming back from IO tasks to the app. Every message names the side and the
//! generation it was requested for; the app drops messages for a stale generation.

use std::path::PathBuf;

use crate::inventory::Account;

use super::profiles::ProfileInfo;
use super::source::{ItemDetail, ItemRef, LoadError};

/// Account A (left) or B (right).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The left side.
    A,
    /// The right side.
    B,
}

impl Side {
    /// Index into per-side arrays.
    pub fn index(self) -> usize {
        match self {
            Side::A => 0,
            Side::B => 1,
        }
    }

    /// The other side.
    pub fn other(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }

    /// `A` or `B`.
    pub fn letter(self) -> &'static str {
        match self {
            Side::A => "A",
            Side::B => "B",
        }
    }

    /// Both sides, A first.
    pub const BOTH: [Side; 2] = [Side::A, Side::B];
}

/// A result from an IO task.
#[derive(Debug, Clone)]
pub enum Msg {
    /// A demo or snapshot source loaded (both sides at once).
    PairLoaded {
        /// The generation both sides were set to when the load was requested.
        generation: u64,
        /// Every account, in order (A and B are the first two), or why not.
        result: Result<Vec<Account>, LoadError>,
    },
    /// One side's profile loaded.
    AccountLoaded {
        /// Which side.
        side: Side,
        /// The side's generation at request time.
        generation: u64,
        /// The account, or why not.
        result: Result<Box<Account>, LoadError>,
        /// Where the profile's credentials come from, in `explain`'s words (never the
        /// credentials themselves); `None` when the source does not say.
        credentials: Option<String>,
    },
    /// The profile list for the picker, and what the live source calls itself for the
    /// header (e.g. the organisation and its account count), when it says.
    ProfilesListed(Result<Vec<ProfileInfo>, LoadError>, Option<String>),
    /// One resource's details loaded.
    DetailLoaded {
        /// Which side.
        side: Side,
        /// The side's generation at request time.
        generation: u64,
        /// The resource.
        item: ItemRef,
        /// The filled resource, or why not.
        result: Result<ItemDetail, LoadError>,
    },
    /// One poll of a live side's CloudTrail finished.
    TrailPolled {
        /// Which side.
        side: Side,
        /// The side's generation at request time (a switched profile stops its polling).
        generation: u64,
        /// New records as CloudTrail delivered them, or why the poll failed.
        result: Result<Vec<serde_json::Value>, LoadError>,
    },
    /// A question was answered.
    Diagnosed {
        /// The request id it answers.
        id: u64,
        /// The answer with its cost and evidence age, or why the question could not be asked.
        result: Result<Box<crate::workspace::Explained>, crate::workspace::WorkspaceError>,
        /// The workspace's accounts after the question's reads (the sides show them).
        accounts: Vec<Account>,
    },
    /// A file was written (walkthrough export).
    Written {
        /// Where.
        path: PathBuf,
        /// Success, or the IO error (shared: messages are cloned).
        result: Result<(), std::sync::Arc<crate::inventory::snapshot::SnapshotError>>,
    },
    /// The editor returned (what-if editing).
    Edited {
        /// The document edited.
        location: crate::diagnose::change::ChangeLocation,
        /// The edited text, or why there is none.
        result: Result<String, crate::tui::editor::EditorError>,
    },
    /// A step of a "Who can?" / "What can?" question.
    Reverse {
        /// The request id of the question.
        id: u64,
        /// What the step found.
        step: ReverseStep,
    },
    /// The workspace's what-if changes were set.
    WhatIfSet {
        /// The changes now in force.
        overlays: Vec<crate::diagnose::change::Change>,
        /// Why the requested changes were refused, if they were.
        error: Option<String>,
    },
    /// A question's history was built (or why not).
    HistoryLoaded {
        /// The request id it answers.
        id: u64,
        /// The timeline, or why there is none.
        result:
            Result<crate::diagnose::history::Timeline, crate::tui::panes::history::HistoryFailure>,
    },
    /// A batch of the organisation trail read for the Trail tab (`--org-trail`).
    OrgTrailRead(Box<crate::tui::trail_feed::FeedBatch>),
}

/// What one step of a reverse question found.
#[derive(Debug, Clone)]
pub enum ReverseStep {
    /// The live accounts that must be read completely first (none: answer at once).
    Unread(Vec<String>),
    /// One account was read completely.
    Loaded {
        /// The AWS calls it took.
        calls: u64,
        /// The accounts still to read.
        left: Vec<String>,
    },
    /// Answers found among the principals (or targets) up to `done` of `total`.
    Part {
        /// The answers that grant.
        rows: Vec<crate::tui::panes::reverse::ReverseRow>,
        /// Evaluated so far.
        done: usize,
        /// How many there are.
        total: usize,
    },
    /// The complete answer (chains through roles and grants outside the accounts included).
    Finished(Vec<crate::tui::panes::reverse::ReverseRow>),
    /// Why the question could not be asked.
    Failed(String),
}
