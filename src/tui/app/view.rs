//! View settings: which account a side shows, presenter mode, the theme, Trail toggles.

use super::App;
use crate::inventory::Account;
use crate::tui::effect::Effect;
use crate::tui::msg::Side;
use crate::tui::panes::Tab;
use crate::tui::source::DataSource;

use super::Focus;

impl App {
    /// Shows the next account of a demo or snapshot source on the focused side, skipping the
    /// one the other side shows (live sides change profile with `p`).
    pub(super) fn next_account(&mut self) {
        let side = match self.focus {
            Focus::List(side) | Focus::Detail(side) => side,
            Focus::Explain | Focus::Answer => Side::A,
        };
        if self.accounts.len() < 3 {
            self.status = Some(match self.source {
                DataSource::Profiles { .. } => {
                    "live sides change account with p (pick a profile)".into()
                }
                _ => format!(
                    "the {} holds {} accounts, all shown",
                    self.source.label(),
                    self.accounts.len()
                ),
            });
            return;
        }
        let id_of = |s: Side| self.side(s).account().map(|a| a.id().to_string());
        let (current, other) = (id_of(side), id_of(side.other()));
        let start = self
            .accounts
            .iter()
            .position(|a| Some(a.id()) == current.as_deref())
            .unwrap_or(0);
        let count = self.accounts.len();
        let next = (1..count)
            .map(|step| &self.accounts[(start + step) % count])
            .find(|a| Some(a.id()) != other.as_deref())
            .cloned();
        if let Some(account) = next {
            self.status = Some(format!(
                "side {} now shows account {}",
                side.letter(),
                self.masker.mask(account.id())
            ));
            self.show_account(side, Account::clone(&account));
        }
    }
    /// Trail tab toggles, on both sides at once (the two trails are read together).
    pub(super) fn toggle_trail(&mut self, word: &str) -> Vec<Effect> {
        let mut effects = Vec::new();
        for side in Side::BOTH {
            self.sides[side.index()].lists[Tab::Trail.index()].toggle_required(word);
            effects.extend(self.sync_detail(side));
        }
        let on = self.side(Side::A).list(Tab::Trail).required().join(" + ");
        self.status = Some(if on.is_empty() {
            "trail: every record".into()
        } else {
            format!("trail: only {on} records")
        });
        effects
    }
    /// Cycles the built-in themes; details are re-rendered in the new colours.
    pub(super) fn next_theme(&mut self) {
        if self.theme.monochrome {
            self.status = Some("NO_COLOR is set: no colours to switch".into());
            return;
        }
        let names = crate::tui::theme::BUILT_IN.map(|(name, _)| name);
        let current = names.iter().position(|n| *n == self.theme.name);
        let next = names[current.map_or(0, |i| (i + 1) % names.len())];
        match crate::tui::theme::Theme::load(next, None) {
            Ok(theme) => {
                self.theme = theme;
                for side in Side::BOTH {
                    self.refresh_detail(side);
                }
                self.status = Some(format!(
                    "theme {next} (set theme = \"{next}\" or \"auto\" in config.toml to keep it)"
                ));
            }
            Err(e) => self.status = Some(e.to_string()),
        }
    }
    pub(super) fn toggle_presenter(&mut self) {
        self.masker.enabled = !self.masker.enabled;
        self.seed_masker();
        for side in Side::BOTH {
            self.refresh_detail(side);
        }
        self.status = Some(if self.masker.enabled {
            "presenter mode on: account ids, key ids and principal ids masked, tokens removed — on screen, in copies and exports".into()
        } else {
            "presenter mode off".into()
        });
    }
    pub(super) fn seed_masker(&self) {
        let ids: Vec<String> = self
            .sides
            .iter()
            .filter_map(|s| s.account().map(|a| a.id().to_string()))
            .collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        self.masker.seed(&ids);
    }
}
