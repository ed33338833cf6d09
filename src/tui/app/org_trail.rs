//! The Trail tab fed by the organisation trail (`--org-trail`): batches go into the one
//! [`OrgTrailView`], and each side's Trail list gets the calls its account takes part in —
//! instead of polling `LookupEvents`. Every other Trail feature (the `c`/`d` toggles, `/`,
//! `enter` to explain, the record's detail) works on those records as on polled ones.

use std::sync::Arc;

use super::{App, Focus, SideStatus};
use crate::inventory::{Account, Field, TrailRecords};
use crate::tui::effect::Effect;
use crate::tui::msg::Side;
use crate::tui::panes::Tab;
use crate::tui::trail_feed::{FeedBatch, OrgTrailView};

impl App {
    /// Feeds the Trail tab from the organisation trail read as `label` says, from now on:
    /// the sides' polled records are replaced and polling stops; returns the first read.
    pub fn follow_org_trail(&mut self, label: String) -> Vec<Effect> {
        self.org_trail = Some(OrgTrailView::new(label));
        for side in Side::BOTH {
            if let Some(account) = self.sides[side.index()].account().cloned() {
                let mut account = Arc::unwrap_or_clone(account);
                self.fill_org_trail(&mut account);
                self.sides[side.index()].status = SideStatus::Ready(Arc::new(account));
                self.rebuild_lists(side);
            }
        }
        vec![Effect::NextOrgTrail { refresh: false }]
    }

    /// Whether the Trail tab follows the organisation trail.
    pub fn follows_org_trail(&self) -> bool {
        self.org_trail.is_some()
    }

    /// Gives `account` the organisation trail's calls it takes part in (a no-op without
    /// `--org-trail`).
    pub(super) fn fill_org_trail(&self, account: &mut Account) {
        if let Some(view) = &self.org_trail {
            let records: TrailRecords = view.records_for(account.id(), 0..view.len()).into();
            account.trail = Field::Loaded(records);
        }
    }

    /// A batch of the organisation trail: the new calls go to the sides they concern; the
    /// next batch is asked for until the read is over.
    pub(super) fn org_trail_read(&mut self, batch: FeedBatch) -> Vec<Effect> {
        let finished = batch.finished;
        let Some(view) = self.org_trail.as_mut() else {
            return Vec::new();
        };
        let added = view.take(batch);
        let mut effects = Vec::new();
        for side in Side::BOTH {
            effects.extend(self.append_org_calls(side, added.clone()));
        }
        if !finished {
            effects.push(Effect::NextOrgTrail { refresh: false });
            return effects;
        }
        if let Some(view) = &self.org_trail {
            let damaged = match view.damaged.len() {
                0 => String::new(),
                n => format!(", {n} damaged"),
            };
            self.status = Some(match &view.failed {
                Some(why) => format!("org trail: {why}"),
                None => format!(
                    "org trail read: {} files, {} calls{damaged}",
                    view.progress.files_read,
                    view.len()
                ),
            });
        }
        effects
    }

    /// Appends the calls at `added` that concern the side's account to its Trail list.
    fn append_org_calls(&mut self, side: Side, added: std::ops::Range<usize>) -> Vec<Effect> {
        let Some(view) = &self.org_trail else {
            return Vec::new();
        };
        let state = &mut self.sides[side.index()];
        let SideStatus::Ready(account) = &mut state.status else {
            return Vec::new();
        };
        let records = view.records_for(account.id(), added);
        if records.is_empty() {
            return Vec::new();
        }
        let account = Arc::make_mut(account);
        let first = match &mut account.trail {
            Field::Loaded(existing) => {
                let first = existing.len();
                existing.extend(records);
                first
            }
            other => {
                *other = Field::Loaded(records.into());
                0
            }
        };
        self.append_trail_rows(side, first);
        // The detail follows the selection as rows arrive (the first row on an empty list).
        if self.tab == Tab::Trail && self.focus != Focus::Detail(side) {
            return self.sync_detail(side);
        }
        Vec::new()
    }

    /// `r` on the Trail tab: read the log files written since the last read began.
    pub(super) fn refresh_org_trail(&mut self) -> Vec<Effect> {
        let Some(view) = self.org_trail.as_mut() else {
            return Vec::new();
        };
        if view.reading {
            self.status = Some("the organisation trail is still being read".into());
            return Vec::new();
        }
        view.reading = true;
        view.failed = None;
        vec![Effect::NextOrgTrail { refresh: true }]
    }
}
