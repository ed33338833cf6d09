//! Copying: the selected check's fix, a detail's JSON, a resource's ARN — masked in presenter
//! mode — and the footer line that says how the copy went.

use super::{App, Focus, Overlay};
use crate::tui::effect::Effect;
use crate::tui::msg::Side;
use crate::tui::panes::explain::{self, ExplainState};
use crate::tui::source::ItemRef;

impl App {
    pub(super) fn copy_focused(&mut self) -> Vec<Effect> {
        let walking = matches!(self.overlay, Some(Overlay::Walkthrough(_)));
        let explaining = matches!(self.focus, Focus::Explain | Focus::Answer);
        let rendering = self
            .selected_fix_rendering()
            .filter(|_| explaining || walking);
        if let Some(rendering) = rendering {
            let what = format!("the fix ({})", self.fix_format.name());
            return self.copy_text(rendering, &what);
        }
        let text = if explaining || walking {
            let state = self.explain.as_ref();
            match state.and_then(ExplainState::check) {
                Some(check) => match state
                    .and_then(ExplainState::fix)
                    .and_then(explain::fix_json)
                {
                    Some(json) => Some(json),
                    None => {
                        self.status = Some(format!("check `{}` has no fix to copy", check.id));
                        return Vec::new();
                    }
                },
                None => None,
            }
        } else {
            let side = match self.focus {
                Focus::List(side) | Focus::Detail(side) => side,
                Focus::Explain | Focus::Answer => Side::A,
            };
            let state = self.side(side);
            state
                .detail
                .copy_text(state.account().map(|a| &**a), &self.masker)
        };
        match text {
            Some(text) => {
                let what = if explaining || walking {
                    "the fix"
                } else {
                    "JSON"
                };
                self.copy_text(text, what)
            }
            None => {
                self.status = Some("nothing to copy here".into());
                Vec::new()
            }
        }
    }

    /// The ARN of what is selected: the focused side's resource, or in Explain the resource
    /// the question is about.
    pub(crate) fn selected_arn(&self) -> Option<String> {
        match self.focus {
            Focus::Explain | Focus::Answer => self
                .explain
                .as_ref()?
                .diagnosis()?
                .question
                .resource
                .clone(),
            Focus::List(side) | Focus::Detail(side) => {
                match self.side(side).detail.item.as_ref()? {
                    ItemRef::Role(arn)
                    | ItemRef::Repository(arn)
                    | ItemRef::Key(arn)
                    | ItemRef::Project(arn)
                    | ItemRef::Pipeline(arn)
                    | ItemRef::Rule(arn)
                    | ItemRef::User(arn) => Some(arn.clone()),
                    ItemRef::Bucket(name) => Some(format!("arn:aws:s3:::{name}")),
                    ItemRef::Trail(_) => None,
                }
            }
        }
    }

    pub(super) fn copy_arn(&mut self) -> Vec<Effect> {
        match self.selected_arn() {
            Some(arn) => self.copy_text(arn, "ARN"),
            None => {
                self.status = Some("no ARN here: select a resource first".into());
                Vec::new()
            }
        }
    }

    /// Copies text (masked in presenter mode) and says how many bytes and whether masked.
    pub(super) fn copy_text(&mut self, text: String, what: &str) -> Vec<Effect> {
        let masked = self.masker.enabled;
        let text = self.masker.mask_string(&text);
        self.status = Some(format!(
            "copied {what} ({} bytes{})",
            text.len(),
            if masked { ", ids masked" } else { "" }
        ));
        vec![Effect::Copy(text)]
    }

    /// Says in the footer how a copy went (which clipboard route, or the file it was saved to).
    pub fn copy_went(&mut self, how: &str) {
        let copied = self.status.take().unwrap_or_else(|| "copied".into());
        self.status = Some(format!("{copied} · {how}"));
    }
}
