//! Every demo scenario (S1–S6 and the extras), broken and fixed: the diagnosis reaches the
//! catalogue's verdict with exactly its failing checks, and applying the suggested fixes to
//! the inventory flips a broken scenario to `works`.

use std::collections::BTreeSet;

use crossdock::diagnose::apply::apply;
use crossdock::diagnose::model::{FixAction, Status, Verdict};
use crossdock::diagnose::Question;
use crossdock::diagnose::{diagnose, DiagnoseError};
use crossdock::inventory::demo;

#[test]
fn every_scenario_gets_its_verdict_and_failing_checks() {
    let pair = demo::load().expect("demo loads");
    let mut failures = Vec::new();
    let mut ran = 0;
    for scenario in crossdock::diagnose::scenario::scenarios().expect("catalogue loads") {
        ran += 1;
        let diagnosis = match diagnose(&pair, &scenario.question) {
            Ok(d) => d,
            Err(e) => {
                failures.push(format!("{}: error {e}", scenario.id));
                continue;
            }
        };
        let want_verdict = scenario.expected.verdict;
        let failing: BTreeSet<String> = diagnosis
            .with_status(Status::Fail)
            .map(|c| c.id.to_string())
            .collect();
        let expected: BTreeSet<String> = scenario
            .expected
            .failing_checks
            .iter()
            .map(|c| c.as_str().to_string())
            .collect();
        if diagnosis.verdict != want_verdict || failing != expected {
            failures.push(format!(
                "{}: verdict {:?} (want {want_verdict:?}), failing {failing:?} (want {expected:?})\n{}",
                scenario.id,
                diagnosis.verdict,
                crossdock::report::text::render(&diagnosis, crossdock::report::text::Colour::Off)
            ));
        }
    }
    assert!(ran >= 20, "only {ran} scenarios ran");
    assert!(
        failures.is_empty(),
        "{} scenarios disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn applying_the_fixes_flips_broken_scenarios_to_works() {
    let mut failures = Vec::new();
    let (mut flipped, mut by_hand) = (Vec::new(), Vec::new());
    for scenario in crossdock::diagnose::scenario::scenarios().expect("catalogue loads") {
        if scenario.expected.failing_checks.is_empty() {
            continue;
        }
        let mut pair = demo::load().expect("demo loads");
        let diagnosis = diagnose(&pair, &scenario.question).expect("diagnosis");
        let fixes: Vec<FixAction> = diagnosis
            .with_status(Status::Fail)
            .filter_map(|c| c.fix.as_ref().map(|f| f.action.clone()))
            .collect();
        if fixes
            .iter()
            .all(|f| matches!(f, FixAction::Procedure { .. }))
        {
            // A procedure changes how the caller acts (e.g. sends an external id); the
            // question itself must change, which the catalogue's fixed variant covers.
            by_hand.push(scenario.id.clone());
            continue;
        }
        for fix in &fixes {
            if let Err(e) = apply(&mut pair, fix) {
                if !matches!(fix, FixAction::Procedure { .. }) {
                    failures.push(format!("{}: cannot apply {fix:?}: {e}", scenario.id));
                }
            }
        }
        let after = diagnose(&pair, &scenario.question).expect("diagnosis after fix");
        flipped.push(scenario.id.clone());
        if after.verdict != Verdict::Works {
            failures.push(format!(
                "{}: still {:?} after applying the fixes\n{}",
                scenario.id,
                after.verdict,
                crossdock::report::text::render(&after, crossdock::report::text::Colour::Off)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    println!("flipped by applying fixes: {flipped:?}\nfixed by hand (procedures): {by_hand:?}");
    assert!(
        flipped.len() >= 20,
        "only {} broken scenarios have data fixes",
        flipped.len()
    );
}

#[test]
fn unknown_names_are_errors_not_verdicts() {
    let pair = demo::load().expect("demo loads");
    let question = Question::Pull {
        principal: "not-a-principal".into(),
        repository: "arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo".into(),
        tag: "latest".into(),
        project: None,
        source_arn: None,
        vpc_endpoint: None,
        runs_in: None,
    };
    assert!(matches!(
        diagnose(&pair, &question),
        Err(DiagnoseError::Principal(_))
    ));
}

#[test]
fn a_cloudtrail_rule_without_trail_evidence_or_pusher_is_unknown_not_a_guess() {
    let mut pair = demo::load().expect("demo loads");
    let scenario = crossdock::diagnose::scenario::scenario("s3-broken")
        .expect("catalogue")
        .expect("scenario");
    let Question::Trigger {
        pipeline,
        repository,
        tag,
        ..
    } = scenario.question
    else {
        panic!("a trigger")
    };
    let question = Question::Trigger {
        pipeline,
        repository,
        tag,
        pusher: String::new(),
    };
    for trail in [
        crossdock::inventory::Field::Loaded(Default::default()),
        crossdock::inventory::Field::NotLoaded,
    ] {
        pair.account_mut(demo::ACCOUNT_B).expect("b").trail = trail;
        let diagnosis = diagnose(&pair, &question).expect("diagnosis");
        let check = diagnosis
            .check(crossdock::diagnose::CheckId::TriggerCrossAccountPush)
            .expect("check");
        assert_eq!(check.status, Status::Unknown, "{}", check.message);
        assert_eq!(diagnosis.verdict, Verdict::Unknown);
    }
}

/// A check names each piece of evidence once (an artifact key check once listed statements 0
/// and 1 twice, once per action it looked at).
#[test]
fn no_check_lists_the_same_evidence_twice() {
    let pair = demo::load().expect("demo loads");
    for scenario in crossdock::diagnose::scenario::scenarios().expect("catalogue loads") {
        let Ok(diagnosis) = diagnose(&pair, &scenario.question) else {
            continue;
        };
        for check in &diagnosis.checks {
            for (i, evidence) in check.evidence.iter().enumerate() {
                assert!(
                    !check.evidence[..i].contains(evidence),
                    "{}: {} lists {:?} twice",
                    scenario.id,
                    check.id,
                    evidence.detail
                );
            }
        }
    }
}
