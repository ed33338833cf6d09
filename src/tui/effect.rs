//! Side effects the app asks for, and [`perform`], which runs one on behalf of the runtime
//! (on a tokio task) or of the headless test harness (inline).

use std::path::PathBuf;
use std::sync::Arc;

use crate::inventory::{AccountPair, Question};

use super::engine;
use super::msg::{Msg, Side};
use super::source::{self, DataSource, ItemRef, LiveAccounts};

/// Work the app cannot do in `update` because it blocks, waits or touches the terminal.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Load a demo or snapshot source into both sides.
    LoadOffline {
        /// Generation to stamp the answer with.
        generation: u64,
        /// What to load.
        source: DataSource,
    },
    /// Load one side from a live profile.
    LoadProfile {
        /// Which side.
        side: Side,
        /// Generation to stamp the answer with.
        generation: u64,
        /// The profile name.
        profile: String,
    },
    /// List the profiles for the picker.
    ListProfiles,
    /// Load one resource's details from a live profile.
    LoadDetail {
        /// Which side.
        side: Side,
        /// Generation to stamp the answer with.
        generation: u64,
        /// The profile name.
        profile: String,
        /// The resource.
        item: ItemRef,
    },
    /// Poll a live side's CloudTrail after `delay` (each answer schedules the next poll).
    PollTrail {
        /// Which side.
        side: Side,
        /// Generation to stamp the answer with.
        generation: u64,
        /// The profile name.
        profile: String,
        /// How long to wait before polling.
        delay: std::time::Duration,
    },
    /// Run the diagnosis engine.
    Diagnose {
        /// Request id, echoed in [`Msg::Diagnosed`].
        id: u64,
        /// The accounts (cloned: the engine runs off the UI thread).
        pair: Box<AccountPair>,
        /// The question.
        question: Question,
    },
    /// Put text on the clipboard with OSC 52 (terminal effect: the runtime does it).
    Copy(String),
    /// Write a file.
    WriteFile {
        /// Where.
        path: PathBuf,
        /// What.
        contents: String,
    },
    /// Suspend the process (terminal effect: the runtime does it).
    Suspend,
}

/// Runs a non-terminal effect and returns its message (`None` for terminal effects).
pub async fn perform(effect: Effect, live: Arc<dyn LiveAccounts>) -> Option<Msg> {
    Some(match effect {
        Effect::LoadOffline { generation, source } => Msg::PairLoaded {
            generation,
            result: source::load_offline(&source).map(|(a, b)| (Box::new(a), b.map(Box::new))),
        },
        Effect::LoadProfile {
            side,
            generation,
            profile,
        } => Msg::AccountLoaded {
            side,
            generation,
            result: live.load(profile).await.map(Box::new),
        },
        Effect::ListProfiles => Msg::ProfilesListed(live.profiles()),
        Effect::LoadDetail {
            side,
            generation,
            profile,
            item,
        } => Msg::DetailLoaded {
            side,
            generation,
            result: live.load_detail(profile, item.clone()).await,
            item,
        },
        Effect::PollTrail {
            side,
            generation,
            profile,
            delay,
        } => {
            tokio::time::sleep(delay).await;
            Msg::TrailPolled {
                side,
                generation,
                result: live.poll_trail(profile).await,
            }
        }
        Effect::Diagnose { id, pair, question } => {
            let pair = live.prepare(*pair, question.clone()).await;
            Msg::Diagnosed {
                id,
                result: engine::diagnose(&pair, &question).map(Box::new),
            }
        }
        Effect::WriteFile { path, contents } => Msg::Written {
            result: std::fs::write(&path, contents).map_err(|e| e.to_string()),
            path,
        },
        Effect::Copy(_) | Effect::Suspend => return None,
    })
}
