//! A ✓ always rests on evidence: a check with nothing to judge is `n/a` (–), and a check
//! whose evidence could not be read is `unknown`, never a pass.

use crossdock::diagnose::model::Status;
use crossdock::diagnose::scenario::scenario;
use crossdock::diagnose::{diagnose, CheckId, Question};
use crossdock::inventory::{demo, Field, KeyKind, Unreadable};
use crossdock::report;

#[test]
fn no_matching_trust_statement_leaves_no_condition_to_judge() {
    let accounts = demo::load().expect("demo");
    let s2 = scenario("s2-broken").expect("catalogue").expect("s2");
    let diagnosis = diagnose(&accounts, &s2.question).expect("answers");
    assert_eq!(
        diagnosis
            .check(CheckId::TrustPolicyAllows)
            .map(|c| c.status),
        Some(Status::Fail)
    );
    let condition = diagnosis
        .check(CheckId::TrustCondition)
        .expect("trust-condition is reported");
    assert_eq!(condition.status, Status::NotApplicable, "{condition:?}");
    let text = report::text::render(&diagnosis, report::text::Colour::Off);
    assert!(text.contains("– trust-condition"), "{text}");
    assert!(!text.contains("✓ trust-condition"), "{text}");
    let json = report::json(&diagnosis);
    assert!(json.contains("\"n/a\""), "{json}");
}

#[test]
fn an_unreadable_repository_policy_is_unknown_for_the_service_principal_check() {
    let mut accounts = demo::load().expect("demo");
    let s1 = scenario("s1-broken").expect("catalogue").expect("s1");
    let Question::Pull { repository, .. } = &s1.question else {
        panic!("s1 is a pull")
    };
    let owner = accounts
        .account_mut(demo::ACCOUNT_B)
        .expect("the registry account");
    owner.repositories.update(repository, |repo| {
        repo.policy = Field::Unreadable(Unreadable::new(
            "ecr:GetRepositoryPolicy",
            "AccessDeniedException",
            "not authorized",
        ));
    });
    assert!(owner
        .repositories
        .get(KeyKind::Arn, repository)
        .is_some_and(|r| !r.policy.is_loaded()));
    let diagnosis = diagnose(&accounts, &s1.question).expect("answers");
    for id in [CheckId::ServicePrincipalOnly, CheckId::ResourcePolicyAllows] {
        let check = diagnosis.check(id).expect("reported");
        assert_eq!(check.status, Status::Unknown, "{id}: {check:?}");
    }
}
