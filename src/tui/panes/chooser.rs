//! The question chooser opened by `explain`: the questions the current selections allow
//! (a role and a repository → pull/push; two roles → assume; a pipeline → trigger and
//! artifact; a project → its build-image pull), plus the demo's scenarios, fuzzy-filtered.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

use crate::inventory::arn::{self, ImageRef};
use crate::inventory::{Account, KeyKind, Question, Scenario};
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
    /// The question.
    pub question: Question,
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

/// The candidate questions for both sides' selections, then the scenarios.
pub fn candidates(sides: &[Selection; 2], scenarios: &[Scenario]) -> Vec<Candidate> {
    let mut out = Vec::new();
    let name = |arn: &str| arn.rsplit(['/', ':']).next().unwrap_or(arn).to_string();
    // Cross-account pairs first: that is what crossdock is for.
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
            let question = if kind == "pull" {
                Question::Pull {
                    principal: role.clone(),
                    repository: repo.clone(),
                    tag: "latest".into(),
                    project: None,
                    source_arn: None,
                }
            } else {
                Question::Push {
                    principal: role.clone(),
                    repository: repo.clone(),
                    tag: "latest".into(),
                }
            };
            out.push(Candidate {
                title: format!(
                    "{kind}: can {} ({}) {verb} {}:latest ({})?",
                    name(role),
                    role_side.letter(),
                    name(repo),
                    repo_side.letter()
                ),
                question,
            });
        }
    }
    if let (Some(a), Some(b)) = (&sides[0].role, &sides[1].role) {
        for (caller, target, from, to) in [(a, b, "A", "B"), (b, a, "B", "A")] {
            out.push(Candidate {
                title: format!(
                    "assume: can {} ({from}) assume {} ({to})?",
                    name(caller),
                    name(target)
                ),
                question: Question::Assume {
                    principal: caller.clone(),
                    role: target.clone(),
                    external_id: None,
                },
            });
        }
    }
    for side in Side::BOTH {
        let selection = &sides[side.index()];
        let (Some(account), Some(build)) = (&selection.account, &selection.build) else {
            continue;
        };
        let pusher = sides[side.other().index()]
            .role
            .as_ref()
            .or(selection.role.as_ref());
        build_questions(account, build, pusher, &mut out);
    }
    for side in Side::BOTH {
        let selection = &sides[side.index()];
        if let (Some(account), Some(index)) = (&selection.account, selection.trail) {
            if let Some(text) = super::trail::error_message(account, index) {
                out.push(Candidate {
                    title: format!("trail ({}): explain the denied call: {text}", side.letter()),
                    question: Question::Error { text },
                });
            }
            if let Some((repository, tag, pusher_account)) =
                super::trail::cross_account_push(account, index)
            {
                trigger_questions(account, &repository, &tag, &pusher_account, &mut out);
            }
        }
    }
    for scenario in scenarios {
        out.push(Candidate {
            title: format!("{}: {}", scenario.id, scenario.title),
            question: scenario.question.clone(),
        });
    }
    out
}

/// The trigger question for every pipeline of `account` whose ECR source watches
/// `repository`, asked about a push made from `pusher_account`.
fn trigger_questions(
    account: &Account,
    repository: &str,
    tag: &str,
    pusher_account: &str,
    out: &mut Vec<Candidate>,
) {
    for pipeline in account.pipelines.iter() {
        let watches = pipeline
            .ecr_sources()
            .filter_map(|a| a.ecr_source())
            .any(|s| s.repository_name == repository);
        if !watches {
            continue;
        }
        out.push(Candidate {
            title: format!("trail: does this push of {repository}:{tag} from account {pusher_account} start {}?", pipeline.name),
            question: Question::Trigger {
                pipeline: pipeline.arn.clone(),
                repository: account.repository_arn(repository),
                tag: tag.to_string(),
                // The owner's copy of a cross-account record names only the pusher's account.
                pusher: format!("arn:{}:iam::{pusher_account}:root", account.identity.partition),
            },
        });
    }
}

fn build_questions(
    account: &Account,
    build: &ItemRef,
    pusher: Option<&String>,
    out: &mut Vec<Candidate>,
) {
    match build {
        ItemRef::Pipeline(arn) => {
            let Some(pipeline) = account.pipelines.get(KeyKind::Arn, arn) else {
                return;
            };
            for action in pipeline.ecr_sources() {
                let Some(source) = action.ecr_source() else {
                    continue;
                };
                // The repository lives in the account of the action's role, if it has one.
                let owner = action
                    .role_arn
                    .as_deref()
                    .and_then(arn::account_of)
                    .unwrap_or(account.id());
                let region = action.region.as_deref().unwrap_or(account.region());
                let repository = arn::repository_arn(
                    &account.identity.partition,
                    region,
                    owner,
                    source.repository_name,
                );
                let Some(pusher) = pusher else {
                    continue;
                };
                let session = match arn::role_name(pusher) {
                    Some(role) => format!(
                        "arn:{}:sts::{}:assumed-role/{role}/crossdock",
                        account.identity.partition,
                        arn::account_of(pusher).unwrap_or(owner)
                    ),
                    None => pusher.clone(),
                };
                out.push(Candidate {
                    title: format!(
                        "trigger: does a push of {}:{} start {}?",
                        source.repository_name, source.image_tag, pipeline.name
                    ),
                    question: Question::Trigger {
                        pipeline: pipeline.arn.clone(),
                        repository,
                        tag: source.image_tag.to_string(),
                        pusher: session,
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
                question: Question::Pull {
                    principal: role.clone(),
                    repository: arn::repository_arn(
                        &account.identity.partition,
                        image.region,
                        image.account,
                        image.repository,
                    ),
                    tag: image.tag.unwrap_or("latest").to_string(),
                    project: Some(project.arn.clone()),
                    source_arn: None,
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
        question: Question::Artifact {
            pipeline: pipeline.arn.clone(),
            action: action.to_string(),
        },
    }
}

/// Draws the chooser.
pub fn render(frame: &mut Frame, area: Rect, state: &ChooserState, theme: &Theme, masker: &Masker) {
    let rect = crate::tui::layout::centered(
        area,
        area.width.saturating_sub(6).min(110),
        area.height.saturating_sub(4),
    );
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
