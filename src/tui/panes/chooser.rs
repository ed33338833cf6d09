//! The question chooser opened by `explain`: the questions the current selections allow
//! (a role and a repository → pull/push; two roles → assume; a pipeline → trigger and
//! artifact; a project → its build-image pull), plus the demo's scenarios, fuzzy-filtered.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

use crate::diagnose::draft::{self, QuestionDraft};
use crate::diagnose::scenario::Scenario;
use crate::inventory::arn::ImageRef;
use crate::inventory::{Account, KeyKind};
use crate::tui::msg::Side;
use crate::tui::presenter::Masker;
use crate::tui::source::ItemRef;
use crate::tui::theme::{Role, Theme};
use crate::tui::widgets::list::FilterList;

/// One question the user can ask.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// One line shown in the chooser.
    pub title: String,
    /// The question, as drafted from the selection (the workspace resolves it).
    pub draft: QuestionDraft,
}

/// The chooser overlay.
#[derive(Debug)]
pub struct ChooserState {
    /// The candidates, fuzzy-filtered.
    pub list: FilterList<Candidate>,
}

impl ChooserState {
    /// A chooser over `candidates`.
    pub fn new(candidates: Vec<Candidate>) -> Self {
        Self {
            list: FilterList::new(candidates, |c| c.title.clone()),
        }
    }
}

/// What is selected on one side, per resource kind.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// The account.
    pub account: Option<std::sync::Arc<Account>>,
    /// The selected role ARN (Roles tab).
    pub role: Option<String>,
    /// The selected repository ARN (Repositories tab).
    pub repository: Option<String>,
    /// The selected project, pipeline or rule (Pipelines tab).
    pub build: Option<ItemRef>,
    /// The selected CloudTrail record (Trail tab).
    pub trail: Option<usize>,
}

/// The last name of an ARN; for a session, its role's name (the session name is noise).
fn short(arn: &str) -> String {
    if let Some(role) = crate::inventory::arn::session_role_name(arn) {
        return role.to_string();
    }
    arn.rsplit(['/', ':']).next().unwrap_or(arn).to_string()
}

/// The candidate questions for both sides' selections, then the scenarios.
pub fn candidates(sides: &[Selection; 2], scenarios: &[Scenario]) -> Vec<Candidate> {
    let mut out = Vec::new();
    role_and_repository(sides, &mut out);
    if let (Some(a), Some(b)) = (&sides[0].role, &sides[1].role) {
        for (caller, target, from, to) in [(a, b, "A", "B"), (b, a, "B", "A")] {
            out.push(Candidate {
                title: format!(
                    "assume: can {} ({from}) assume {} ({to})?",
                    short(caller),
                    short(target)
                ),
                // No ExternalId is invented: the answer shows it as an assumption.
                draft: QuestionDraft::Assume {
                    principal: caller.clone(),
                    role: target.clone(),
                    external_id: None,
                },
            });
        }
    }
    for side in Side::BOTH {
        let selection = &sides[side.index()];
        if let (Some(account), Some(build)) = (&selection.account, &selection.build) {
            build_questions(account, build, &mut out);
        }
    }
    for side in Side::BOTH {
        let selection = &sides[side.index()];
        if let (Some(account), Some(index)) = (&selection.account, selection.trail) {
            trail_questions(account, index, side, &mut out);
        }
    }
    for scenario in scenarios {
        out.push(Candidate {
            title: format!("{}: {}", scenario.id, scenario.title),
            draft: QuestionDraft::Scenario {
                id: scenario.id.clone(),
            },
        });
    }
    out
}

/// Pull and push for every selected role and repository, cross-account pairs first: that
/// is what crossdock is for.
fn role_and_repository(sides: &[Selection; 2], out: &mut Vec<Candidate>) {
    for (role_side, repo_side) in [
        (Side::A, Side::B),
        (Side::B, Side::A),
        (Side::A, Side::A),
        (Side::B, Side::B),
    ] {
        let (Some(role), Some(repo)) = (
            &sides[role_side.index()].role,
            &sides[repo_side.index()].repository,
        ) else {
            continue;
        };
        for (kind, verb) in [("pull", "pull"), ("push", "push to")] {
            let draft = if kind == "pull" {
                QuestionDraft::Pull {
                    principal: role.clone(),
                    repository: repo.clone(),
                    tag: None,
                    project: None,
                    source_arn: None,
                    vpc_endpoint: None,
                    runs_in: None,
                }
            } else {
                QuestionDraft::Push {
                    principal: role.clone(),
                    repository: repo.clone(),
                    tag: None,
                }
            };
            out.push(Candidate {
                title: format!(
                    "{kind}: can {} ({}) {verb} {} ({})?",
                    short(role),
                    role_side.letter(),
                    short(repo),
                    repo_side.letter()
                ),
                draft,
            });
        }
    }
}

/// A denied record raises the question it names; a cross-account push raises the trigger
/// question of every pipeline watching the repository (the pusher is found through the
/// record's `sharedEventID` in the pusher's own trail, never invented).
fn trail_questions(account: &Account, index: usize, side: Side, out: &mut Vec<Candidate>) {
    let Some(record) = account.trail.loaded().and_then(|r| r.get(index)) else {
        return;
    };
    let mut drafts = draft::from_trail(&record);
    if drafts.is_empty() {
        // A denial the record cannot be turned into a question: its error text still can.
        if let Some(text) = super::trail::error_message(account, index) {
            drafts.push(QuestionDraft::Error { text });
        }
    }
    for draft in drafts {
        out.push(Candidate {
            title: format!(
                "trail ({}): explain the denied call: {}",
                side.letter(),
                describe(&draft)
            ),
            draft,
        });
    }
    let Some((repository, tag, shared)) = draft::cross_account_push(&record) else {
        return;
    };
    for pipeline in account.pipelines.iter() {
        let watches = pipeline
            .ecr_sources()
            .filter_map(|a| a.ecr_source())
            .any(|s| s.repository_name == repository);
        if !watches {
            continue;
        }
        out.push(Candidate {
            title: format!(
                "trail: does this push of {repository}:{tag} from another account start {}?",
                pipeline.name
            ),
            draft: QuestionDraft::Trigger {
                pipeline: pipeline.arn.clone(),
                repository: Some(account.repository_arn(&repository)),
                tag: Some(tag.clone()),
                pusher: None,
                push_event: shared.clone(),
            },
        });
    }
}

/// One line for a drafted question.
fn describe(draft: &QuestionDraft) -> String {
    match draft {
        QuestionDraft::Pull {
            principal,
            repository,
            ..
        } => {
            format!("can {} pull {}?", short(principal), short(repository))
        }
        QuestionDraft::Push {
            principal,
            repository,
            ..
        } => {
            format!("can {} push to {}?", short(principal), short(repository))
        }
        QuestionDraft::Assume {
            principal, role, ..
        } => {
            format!("can {} assume {}?", short(principal), short(role))
        }
        QuestionDraft::Access {
            principal,
            action,
            resource,
        } => {
            format!("can {} {action} {}?", short(principal), short(resource))
        }
        other => format!("{other:?}"),
    }
}

fn build_questions(account: &Account, build: &ItemRef, out: &mut Vec<Candidate>) {
    match build {
        ItemRef::Pipeline(arn) => {
            let Some(pipeline) = account.pipelines.get(KeyKind::Arn, arn) else {
                return;
            };
            for action in pipeline.ecr_sources() {
                let Some(source) = action.ecr_source() else {
                    continue;
                };
                // The pusher is not invented: the answer looks for the push in CloudTrail
                // and says what it assumed when it cannot find it.
                out.push(Candidate {
                    title: format!(
                        "trigger: does a push of {}:{} start {}?",
                        source.repository_name, source.image_tag, pipeline.name
                    ),
                    draft: QuestionDraft::Trigger {
                        pipeline: pipeline.arn.clone(),
                        repository: pipeline.ecr_source_repository_arn(action),
                        tag: Some(source.image_tag.to_string()),
                        pusher: None,
                        push_event: None,
                    },
                });
            }
            let mut any_role = false;
            for (_, action) in pipeline.actions() {
                if action.role_arn.is_some() {
                    any_role = true;
                    out.push(artifact(pipeline, &action.name));
                }
            }
            if !any_role {
                for (_, action) in pipeline.actions() {
                    out.push(artifact(pipeline, &action.name));
                }
            }
        }
        ItemRef::Project(arn) => {
            let Some(project) = account.projects.get(KeyKind::Arn, arn) else {
                return;
            };
            let (Some(env), Some(role)) =
                (project.environment.loaded(), project.service_role.loaded())
            else {
                return;
            };
            let Some(image) = ImageRef::parse(&env.image) else {
                return;
            };
            out.push(Candidate {
                title: format!(
                    "pull: can project {} pull its build image {}?",
                    project.name, image.repository
                ),
                draft: QuestionDraft::Pull {
                    principal: role.clone(),
                    repository: env.image.clone(),
                    tag: Some(image.tag.unwrap_or("latest").to_string()),
                    project: Some(project.arn.clone()),
                    source_arn: None,
                    vpc_endpoint: None,
                    runs_in: None,
                },
            });
        }
        _ => {}
    }
}

fn artifact(pipeline: &crate::inventory::Pipeline, action: &str) -> Candidate {
    Candidate {
        title: format!(
            "artifact: can action {action} of {} use the pipeline's artifacts?",
            pipeline.name
        ),
        draft: QuestionDraft::Artifact {
            pipeline: pipeline.arn.clone(),
            action: Some(action.to_string()),
        },
    }
}

/// Where the chooser is drawn inside `area` (also used to hit-test the mouse).
pub fn popup(area: Rect) -> Rect {
    crate::tui::layout::centered(
        area,
        area.width.saturating_sub(6).min(110),
        area.height.saturating_sub(4),
    )
}

/// Draws the chooser.
pub fn render(frame: &mut Frame, area: Rect, state: &ChooserState, theme: &Theme, masker: &Masker) {
    let rect = popup(area);
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::BorderFocused))
        .title(Span::styled(
            " Explain… (type to filter, enter to run) ",
            theme.style(Role::Accent),
        ));
    let height = rect.height.saturating_sub(3) as usize;
    let mut lines = vec![Line::from(vec![
        Span::styled("› ", theme.style(Role::Accent)),
        Span::styled(state.list.query.clone(), theme.style(Role::Text)),
        Span::styled(
            format!("   {}/{}", state.list.visible_len(), state.list.total()),
            theme.style(Role::Muted),
        ),
    ])];
    if state.list.total() == 0 {
        lines.push(Line::styled(
            "Select a role and a repository (or two roles, or a pipeline) first.",
            theme.style(Role::Muted),
        ));
    }
    let start = state
        .list
        .selected_index()
        .saturating_sub(height.saturating_sub(1));
    for (i, candidate) in state.list.visible().enumerate().skip(start).take(height) {
        let style = if i == state.list.selected_index() {
            theme.style(Role::Selection)
        } else {
            theme.style(Role::Text)
        };
        lines.push(Line::styled(masker.mask_string(&candidate.title), style));
    }
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
