//! One question, one answer, wherever it is asked: the CLI (`crossdock explain`, a separate
//! process printing JSON) and the console (headless harness: selections, the chooser, the
//! paste dialog, a CloudTrail record) reach the same diagnosis — verdict, checks in order,
//! deciding statements and fixes — for every demo scenario.
#![cfg(feature = "tui")]

use std::process::Command;

use crossdock::diagnose::scenario::{scenario, scenarios};
use crossdock::diagnose::Question;
use crossdock::tui::action::Action;
use crossdock::tui::app::Overlay;
use crossdock::tui::headless::Harness;
use serde_json::Value;

/// `crossdock explain --demo --format json ARGS` → its JSON diagnosis.
fn cli(args: &[String]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_crossdock"))
        .args(["explain", "--demo", "--format", "json"])
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("AWS_PROFILE")
        .output()
        .expect("run crossdock");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The parts of a diagnosis that must not depend on where the question was asked. How an
/// input was obtained (given, found in evidence, assumed) may differ; the answer may not.
fn answer(diagnosis: &Value) -> Value {
    let mut answer = serde_json::Map::new();
    for field in ["verdict", "question", "summary", "checks", "fixes"] {
        answer.insert(field.into(), diagnosis[field].clone());
    }
    Value::Object(answer)
}

/// The console's current diagnosis as JSON.
fn console(h: &Harness) -> Value {
    let explain = h.app.explain.as_ref().expect("the Explain pane is open");
    let diagnosis = explain
        .diagnosis()
        .unwrap_or_else(|| panic!("no diagnosis: {:?}\n{}", explain.outcome, h.screen()));
    // The JSON rendering the CLI prints: each check's fix points to its `fixes` entry.
    crossdock::report::diagnosis_value(diagnosis)
}

/// Opens the chooser, narrows it with `filter`, checks the selected candidate's title starts
/// with `title` and runs it.
fn choose(h: &mut Harness, filter: &str, title: &str) {
    h.act(Action::Explain).type_text(filter);
    let Some(Overlay::Chooser(chooser)) = &h.app.overlay else {
        panic!("the chooser is open: {}", h.screen());
    };
    let selected = chooser.list.selected().expect("a candidate").title.clone();
    assert!(selected.starts_with(title), "{selected:?} for {filter:?}");
    h.act(Action::Confirm);
}

/// The CLI arguments that ask `question` explicitly (no scenario id involved).
fn explicit_args(question: &Question) -> Vec<String> {
    let mut args: Vec<String> = vec![question.kind().into()];
    let mut flag = |name: &str, value: &str| {
        args.push(format!("--{name}"));
        args.push(value.to_string());
    };
    match question {
        Question::Pull {
            principal,
            repository,
            tag,
            project,
            source_arn,
            vpc_endpoint,
            runs_in,
        } => {
            flag("principal", principal);
            flag("repo", repository);
            flag("tag", tag);
            if let Some(project) = project {
                flag("project", project);
            }
            if let Some(source_arn) = source_arn {
                flag("source-arn", source_arn);
            }
            if let Some(vpc_endpoint) = vpc_endpoint {
                flag("vpc-endpoint", vpc_endpoint);
            }
            if let Some(runs_in) = runs_in {
                let lambda = runs_in.starts_with("arn:aws:lambda:");
                flag(
                    if lambda {
                        "lambda-function"
                    } else {
                        "ecs-service"
                    },
                    runs_in,
                );
            }
        }
        Question::Push {
            principal,
            repository,
            tag,
        } => {
            flag("principal", principal);
            flag("repo", repository);
            flag("tag", tag);
        }
        Question::Assume {
            principal,
            role,
            external_id,
        } => {
            flag("principal", principal);
            flag("role", role);
            if let Some(external_id) = external_id {
                flag("external-id", external_id);
            }
        }
        Question::Trigger {
            pipeline,
            repository,
            tag,
            pusher,
        } => {
            flag("pipeline", pipeline);
            flag("repo", repository);
            flag("tag", tag);
            flag("pusher", pusher);
        }
        Question::Artifact { pipeline, action } => {
            flag("pipeline", pipeline);
            flag("action", action);
        }
        Question::Access {
            principal,
            action,
            resource,
        } => {
            flag("principal", principal);
            flag("action", action);
            flag("resource", resource);
        }
        Question::Error { text } => args.push(text.clone()),
        Question::Replicate {
            source,
            destination,
            repository,
        } => {
            flag("source-registry", source);
            flag("destination-registry", destination);
            if let Some(repository) = repository {
                flag("repo", repository);
            }
        }
        Question::PullThrough {
            principal,
            repository,
        } => {
            flag("principal", principal);
            flag("repo", repository);
        }
    }
    args
}

#[test]
fn every_scenario_gets_one_answer_from_the_cli_and_the_console() {
    let all = scenarios().expect("the scenario catalogue loads");
    assert!(all.len() > 20, "the demo's scenarios: {}", all.len());
    let mut h = Harness::demo(160, 48);
    for s in &all {
        let by_id = answer(&cli(&["scenario".into(), s.id.clone()]));
        let explicit = answer(&cli(&explicit_args(&s.question)));
        assert_eq!(
            by_id, explicit,
            "{}: scenario id vs explicit arguments",
            s.id
        );

        choose(&mut h, &s.id, &format!("{}:", s.id));
        assert_eq!(answer(&console(&h)), explicit, "{}: console vs CLI", s.id);
        // The pasted error texts also go through the console's paste dialog.
        if let Question::Error { text } = &s.question {
            h.act(Action::CloseExplain);
            h.act(Action::Paste(text.clone())).act(Action::Confirm);
            assert_eq!(
                answer(&console(&h)),
                explicit,
                "{}: paste dialog vs CLI",
                s.id
            );
        }
        h.act(Action::CloseExplain);
    }
}

#[test]
fn a_selection_in_the_console_asks_what_the_cli_asks() {
    // codebuild-service-role in A and source-repo in B: the pull, then the push.
    let mut h = Harness::demo(160, 48);
    h.act(Action::Filter)
        .type_text("codebuild-service-role")
        .act(Action::Confirm);
    h.act(Action::TabRepositories)
        .act(Action::NextPane)
        .act(Action::NextPane);
    h.act(Action::Filter)
        .type_text("source-repo")
        .act(Action::Confirm);
    let role = "arn:aws:iam::111111111111:role/codebuild-service-role";
    let repo = "arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo";
    for (kind, title) in [
        (
            "pull",
            "pull: can codebuild-service-role (A) pull source-repo (B)",
        ),
        (
            "push",
            "push: can codebuild-service-role (A) push to source-repo (B)",
        ),
    ] {
        choose(&mut h, title, title);
        let args: Vec<String> = [kind, "--principal", role, "--repo", repo]
            .map(String::from)
            .to_vec();
        let cli = cli(&args);
        assert_eq!(answer(&console(&h)), answer(&cli), "{kind}");
        // Neither side invented the tag: both say what they assumed.
        let assumed = |d: &Value| d["assumptions"].to_string();
        assert_eq!(assumed(&console(&h)), assumed(&cli), "{kind}");
        assert!(assumed(&cli).contains("tag"), "{kind}: {}", assumed(&cli));
        h.act(Action::CloseExplain);
    }
}

#[test]
fn the_trigger_repository_is_the_one_the_source_action_reads() {
    // order-worker-release (in B) reads its ECR source through an action role in A: the
    // repository is A's order-worker, in the CLI and from the console's Pipelines tab.
    let mut h = Harness::demo(160, 48);
    h.act(Action::TabPipelines)
        .act(Action::NextPane)
        .act(Action::NextPane);
    h.act(Action::Filter)
        .type_text("order-worker-release")
        .act(Action::Confirm);
    choose(&mut h, "trigger", "trigger: does a push of order-worker");
    let console = console(&h);
    let cli = cli(&[
        "trigger".into(),
        "--pipeline".into(),
        "order-worker-release".into(),
    ]);
    assert_eq!(answer(&console), answer(&cli));
    let repository = cli["found"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["input"] == "repository"))
        .unwrap_or_else(|| panic!("the CLI finds the repository: {cli:#}"));
    assert_eq!(
        repository["value"],
        "arn:aws:ecr:ap-northeast-1:111111111111:repository/order-worker"
    );
}

#[test]
fn the_pusher_found_in_the_trail_is_the_pusher_the_cli_is_given() {
    // B's record of S3's cross-account PutImage names only account A; A's copy (same
    // sharedEventID) names the session. The console finds it; the CLI is told it.
    let mut h = Harness::demo(160, 48);
    h.act(Action::TabTrail)
        .act(Action::NextPane)
        .act(Action::NextPane);
    h.act(Action::ToggleCrossAccount)
        .act(Action::Filter)
        .type_text("PutImage")
        .act(Action::Confirm);
    choose(&mut h, "does this push", "trail: does this push");
    let console = console(&h);
    let found = console["found"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["input"] == "pusher"))
        .unwrap_or_else(|| panic!("the pusher is found: {console:#}"));
    let pusher = found["value"].as_str().expect("a pusher ARN").to_string();
    assert!(
        pusher.contains(":assumed-role/order-service-build-role/"),
        "{pusher}"
    );
    let Question::Trigger {
        pipeline,
        repository,
        tag,
        ..
    } = scenario("s3-broken")
        .expect("catalogue")
        .expect("s3-broken")
        .question
    else {
        panic!("s3-broken is a trigger question")
    };
    let cli = cli(&[
        "trigger".into(),
        "--pipeline".into(),
        pipeline,
        "--repo".into(),
        repository,
        "--tag".into(),
        tag,
        "--pusher".into(),
        pusher,
    ]);
    assert_eq!(answer(&console), answer(&cli));
    assert_eq!(cli["verdict"], "fails", "{cli:#}");
}
