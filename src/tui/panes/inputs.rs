//! The inputs dialog (`i` in the Explain pane): the inputs of the question that were given,
//! found or assumed — ExternalId, tag, pusher, source ARN, the caller (role or one session) —
//! editable, so an assumption the answer made can be replaced by the real value and the
//! question asked again.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::diagnose::model::Diagnosis;
use crate::diagnose::QuestionDraft;
use crate::tui::presenter::Masker;
use crate::tui::theme::{Role, Theme};

/// Longest value kept for one input (an ARN is well under this).
const MAX_VALUE: usize = 2048;

/// One editable input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputField {
    /// The draft field (`external_id`, `tag`, `pusher`, `source_arn`, `principal`).
    pub name: &'static str,
    /// The value; empty means "not given".
    pub value: String,
    /// What the answer did with it when it was not given (the assumption or the finding).
    pub note: Option<String>,
}

/// The dialog's state.
#[derive(Debug, Clone)]
pub struct InputsState {
    /// The question being edited.
    pub draft: QuestionDraft,
    /// Its title, kept for the re-asked question.
    pub title: String,
    /// The editable inputs.
    pub fields: Vec<InputField>,
    /// The field being edited.
    pub selected: usize,
}

impl InputsState {
    /// The inputs of `draft`, noting what `diagnosis` assumed or found for each.
    pub fn new(draft: QuestionDraft, title: String, diagnosis: Option<&Diagnosis>) -> Self {
        let note = |name: &str| {
            let diagnosis = diagnosis?;
            let input = if name == "principal" { "session" } else { name };
            diagnosis
                .assumptions
                .iter()
                .find(|a| a.input == input || a.input == name)
                .map(|a| format!("assumed: {} ({})", a.value, a.why))
                .or_else(|| {
                    diagnosis
                        .found
                        .iter()
                        .find(|f| f.input == input || f.input == name)
                        .map(|f| format!("found: {} (from {})", f.value, f.from))
                })
        };
        let error = matches!(draft, QuestionDraft::Error { .. });
        let note = |name: &str| {
            note(name).or_else(|| {
                (error && name == "principal").then(|| {
                    "the pasted text names no caller: enter the role or session ARN that made the call"
                        .to_string()
                })
            })
        };
        let fields = editable(&draft)
            .into_iter()
            .map(|(name, value)| InputField {
                name,
                value: value.unwrap_or_default(),
                note: note(name),
            })
            .collect();
        Self {
            draft,
            title,
            fields,
            selected: 0,
        }
    }

    /// Moves the field selection.
    pub fn move_by(&mut self, delta: isize) {
        if self.fields.is_empty() {
            return;
        }
        let last = self.fields.len() as isize - 1;
        self.selected = (self.selected as isize + delta).clamp(0, last) as usize;
    }

    /// Types into the selected field (line breaks dropped, length capped).
    pub fn push_str(&mut self, text: &str) {
        if let Some(field) = self.fields.get_mut(self.selected) {
            for c in text.chars().filter(|c| !c.is_control()) {
                if field.value.len() + c.len_utf8() > MAX_VALUE {
                    break;
                }
                field.value.push(c);
            }
        }
    }

    /// Deletes the last character of the selected field.
    pub fn backspace(&mut self) {
        if let Some(field) = self.fields.get_mut(self.selected) {
            field.value.pop();
        }
    }

    /// Empties the selected field.
    pub fn clear(&mut self) {
        if let Some(field) = self.fields.get_mut(self.selected) {
            field.value.clear();
        }
    }

    /// The draft with the edited inputs (an empty field is "not given").
    pub fn edited(&self) -> QuestionDraft {
        let mut draft = self.draft.clone();
        for field in &self.fields {
            let value = Some(field.value.trim().to_string()).filter(|v| !v.is_empty());
            set(&mut draft, field.name, value);
        }
        draft
    }
}

/// The inputs of a draft a user may give instead of letting the answer assume them.
fn editable(draft: &QuestionDraft) -> Vec<(&'static str, Option<String>)> {
    match draft {
        QuestionDraft::Pull {
            principal,
            tag,
            source_arn,
            ..
        } => vec![
            ("principal", Some(principal.clone())),
            ("tag", tag.clone()),
            ("source_arn", source_arn.clone()),
        ],
        QuestionDraft::Push { principal, tag, .. } => {
            vec![("principal", Some(principal.clone())), ("tag", tag.clone())]
        }
        QuestionDraft::Assume {
            principal,
            external_id,
            ..
        } => vec![
            ("principal", Some(principal.clone())),
            ("external_id", external_id.clone()),
        ],
        QuestionDraft::Trigger { tag, pusher, .. } => {
            vec![("pusher", pusher.clone()), ("tag", tag.clone())]
        }
        QuestionDraft::Artifact { action, .. } => vec![("action", action.clone())],
        QuestionDraft::Access { principal, .. } => vec![("principal", Some(principal.clone()))],
        // A pasted text that names no caller (ECS's 404, containerd's 403): ask for it.
        QuestionDraft::Error { text } if names_no_caller(text) => vec![("principal", None)],
        QuestionDraft::Error { .. } | QuestionDraft::Scenario { .. } => Vec::new(),
        QuestionDraft::Replicate { repository, .. } => vec![("repository", repository.clone())],
        QuestionDraft::PullThrough { principal, .. } => {
            vec![("principal", Some(principal.clone()))]
        }
    }
}

/// True when the pasted failure is recognised but does not say who made the call.
fn names_no_caller(text: &str) -> bool {
    crate::diagnose::error_text::parse(text)
        .is_ok_and(|parsed| parsed.principal_arn.is_none() && parsed.principal_text.is_none())
}

fn set(draft: &mut QuestionDraft, name: &str, value: Option<String>) {
    // The caller given for a pasted text makes the question the text raises, asked of that
    // caller; a text that still makes no question stays as pasted (and says why).
    if let (QuestionDraft::Error { text }, "principal") = (&*draft, name) {
        let asked = value.and_then(|p| crate::diagnose::draft_with_principal(text, &p).ok());
        if let Some(asked) = asked {
            *draft = asked;
        }
        return;
    }
    match (draft, name) {
        (
            QuestionDraft::Pull { principal, .. }
            | QuestionDraft::Push { principal, .. }
            | QuestionDraft::Assume { principal, .. }
            | QuestionDraft::Access { principal, .. }
            | QuestionDraft::PullThrough { principal, .. },
            "principal",
        ) => {
            if let Some(value) = value {
                *principal = value;
            }
        }
        (
            QuestionDraft::Pull { tag, .. }
            | QuestionDraft::Push { tag, .. }
            | QuestionDraft::Trigger { tag, .. },
            "tag",
        ) => *tag = value,
        (QuestionDraft::Pull { source_arn, .. }, "source_arn") => *source_arn = value,
        (QuestionDraft::Assume { external_id, .. }, "external_id") => *external_id = value,
        (QuestionDraft::Trigger { pusher, .. }, "pusher") => *pusher = value,
        (QuestionDraft::Artifact { action, .. }, "action") => *action = value,
        (QuestionDraft::Replicate { repository, .. }, "repository") => *repository = value,
        _ => {}
    }
}

/// Draws the dialog.
pub fn render(frame: &mut Frame, area: Rect, state: &InputsState, theme: &Theme, masker: &Masker) {
    let height = (state.fields.len() as u16 * 2 + 4).clamp(6, area.height);
    let rect = crate::tui::layout::centered(area, area.width.saturating_sub(8).min(110), height);
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::BorderFocused))
        .title(Span::styled(
            " Inputs (↑↓ field, type to edit, enter asks again, esc cancels) ",
            theme.style(Role::Accent),
        ));
    let mut lines = Vec::new();
    if state.fields.is_empty() {
        lines.push(Line::styled(
            "this question has no inputs to edit",
            theme.style(Role::Muted),
        ));
    }
    for (i, field) in state.fields.iter().enumerate() {
        let selected = i == state.selected;
        let style = if selected {
            theme.style(Role::Selection)
        } else {
            theme.style(Role::Text)
        };
        let mut spans = vec![
            Span::styled(format!("{:<12} ", field.name), theme.style(Role::Accent)),
            Span::styled(
                if field.value.is_empty() {
                    "(not given)".to_string()
                } else {
                    masker.mask_string(&field.value)
                },
                style,
            ),
        ];
        if selected {
            spans.push(Span::styled("▏", theme.style(Role::Accent)));
        }
        lines.push(Line::from(spans));
        if let Some(note) = &field.note {
            lines.push(Line::styled(
                format!("             {}", masker.mask_string(note)),
                theme.style(Role::Muted),
            ));
        }
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        rect,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_404_asks_for_the_caller_and_becomes_a_pull_of_that_caller() {
        let text = "CannotPullContainerError: API error (404): repository 222222222222.dkr.ecr.ap-northeast-1.amazonaws.com/source-repo not found: does not exist or no pull access";
        let draft = QuestionDraft::Error { text: text.into() };
        let mut state = InputsState::new(draft, "pasted".into(), None);
        assert_eq!(state.fields.len(), 1, "{:?}", state.fields);
        assert_eq!(state.fields[0].name, "principal");
        assert!(state.fields[0]
            .note
            .as_deref()
            .is_some_and(|n| n.contains("names no caller")));
        state.push_str("arn:aws:iam::111111111111:role/codebuild-service-role");
        match state.edited() {
            QuestionDraft::Pull { principal, .. } => {
                assert_eq!(
                    principal,
                    "arn:aws:iam::111111111111:role/codebuild-service-role"
                )
            }
            other => panic!("a pull of the caller: {other:?}"),
        }
    }

    #[test]
    fn a_pasted_text_naming_its_caller_has_no_caller_field() {
        let text = "denied: User: arn:aws:sts::111111111111:assumed-role/codebuild-service-role/s is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo because no resource-based policy allows the ecr:BatchGetImage action";
        let state = InputsState::new(QuestionDraft::Error { text: text.into() }, "t".into(), None);
        assert!(state.fields.is_empty(), "{:?}", state.fields);
    }

    #[test]
    fn an_entered_external_id_replaces_the_assumption() {
        let draft = QuestionDraft::Assume {
            principal: "caller".into(),
            role: "target".into(),
            external_id: None,
        };
        let mut state = InputsState::new(draft, "assume".into(), None);
        state.move_by(1);
        state.push_str("cd-7781\n-partner");
        let QuestionDraft::Assume { external_id, .. } = state.edited() else {
            panic!("assume")
        };
        assert_eq!(external_id.as_deref(), Some("cd-7781-partner"));
        state.clear();
        let QuestionDraft::Assume { external_id, .. } = state.edited() else {
            panic!("assume")
        };
        assert_eq!(external_id, None, "an emptied field is not given");
    }
}
