//! The embedded demo: it loads, it is big enough to feel real, every stored policy is a
//! policy document, and every scenario of the catalogue points at resources that exist.

use std::collections::HashSet;

use crossdock::diagnose::model::Verdict;
use crossdock::diagnose::scenario::Scenario;
use crossdock::diagnose::CheckId;
use crossdock::diagnose::Question;
use crossdock::inventory::{demo, snapshot, Account, Accounts, Field, KeyManager, Redactor};
use serde_json::Value;

fn pair() -> Accounts {
    demo::load().expect("the embedded demo loads")
}

fn scenarios() -> Vec<Scenario> {
    crossdock::diagnose::scenario::scenarios().expect("the embedded catalogue parses")
}

fn assert_policy(what: &str, document: &Value) {
    let object = document
        .as_object()
        .unwrap_or_else(|| panic!("{what}: policy is not a JSON object"));
    let statement = object
        .get("Statement")
        .unwrap_or_else(|| panic!("{what}: policy has no Statement"));
    assert!(
        statement.is_array() || statement.is_object(),
        "{what}: Statement is neither a list nor an object"
    );
}

fn each_policy(account: &Account, mut check: impl FnMut(String, &Value)) {
    for role in account.roles.iter() {
        if let Some(trust) = role.trust_policy.loaded() {
            check(format!("{} trust", role.arn), trust);
        }
        for inline in role.inline_policies.loaded().into_iter().flatten() {
            if let Some(document) = inline.document.loaded() {
                check(format!("{} inline {}", role.arn, inline.name), document);
            }
        }
    }
    for policy in account.managed_policies.iter() {
        if let Some(document) = policy.document.loaded() {
            check(policy.arn.clone(), document);
        }
    }
    for repository in account.repositories.iter() {
        if let Some(policy) = repository.policy.loaded() {
            check(repository.arn.clone(), policy);
        }
    }
    for key in account.keys.iter() {
        if let Some(policy) = key.policy.loaded() {
            check(key.arn.clone(), policy);
        }
    }
    for bucket in account.buckets.iter() {
        if let Some(policy) = bucket.policy.loaded() {
            check(bucket.arn.clone(), policy);
        }
    }
    if let Some(policy) = account.registry_policy.loaded() {
        check(format!("{} registry", account.id()), policy);
    }
}

#[test]
fn demo_has_two_realistic_accounts() {
    let pair = pair();
    assert_eq!(pair.accounts().next().expect("a").id(), demo::ACCOUNT_A);
    assert_eq!(
        pair.accounts().nth(1).map(Account::id),
        Some(demo::ACCOUNT_B)
    );
    for account in pair.accounts() {
        assert_eq!(account.region(), demo::REGION);
        assert!(
            account.roles.len() >= 30,
            "{}: {} roles",
            account.id(),
            account.roles.len()
        );
        assert!(
            account.repositories.len() >= 20,
            "{}: {} repositories",
            account.id(),
            account.repositories.len()
        );
        assert!(account.keys.len() >= 3);
        assert!(!account.projects.is_empty() && !account.pipelines.is_empty());
        assert!(!account.rules.is_empty() && !account.buckets.is_empty());
    }
}

#[test]
fn every_stored_policy_is_a_policy_document() {
    let pair = pair();
    let mut count = 0;
    for account in pair.accounts() {
        each_policy(account, |what, document| {
            assert_policy(&what, document);
            count += 1;
        });
        for role in account.roles.iter() {
            assert!(
                !role.trust_policy.is_not_loaded(),
                "{}: every demo role has its trust policy",
                role.arn
            );
        }
    }
    assert!(count > 150, "only {count} policies");
}

#[test]
fn demo_shows_every_field_state() {
    let pair = pair();
    let mut states = HashSet::new();
    for account in pair.accounts() {
        for repository in account.repositories.iter() {
            states.insert(repository.policy.state_name());
        }
        for role in account.roles.iter() {
            states.insert(role.inline_policies.state_name());
        }
    }
    for state in ["loaded", "absent", "unreadable", "not_loaded"] {
        assert!(states.contains(state), "no field is {state}");
    }
}

#[test]
fn demo_round_trips_through_a_snapshot() {
    let pair = pair();
    let text = snapshot::to_string(&pair).expect("serialize");
    let back = snapshot::from_str(&text, std::path::Path::new("demo.json")).expect("parse");
    assert_eq!(back, pair);
}

#[test]
fn redacted_demo_carries_no_real_account_id() {
    let redacted = Redactor::new().redact_pair(&pair()).expect("redact");
    let text = snapshot::to_string(&redacted).expect("serialize");
    assert!(!text.contains(demo::ACCOUNT_A) && !text.contains(demo::ACCOUNT_B));
    assert_eq!(redacted.accounts().next().expect("a").id(), "000000000001");
    assert!(redacted
        .accounts()
        .next()
        .expect("a")
        .role("arn:aws:iam::000000000001:role/codebuild-service-role")
        .is_some());
}

#[test]
fn s3_trail_shows_a_cross_account_and_a_same_account_push() {
    let pair = pair();
    let b = pair.accounts().nth(1).expect("B");
    let trail_b = b.trail.loaded().expect("B trail");
    let cross = trail_b
        .iter()
        .find(|r| {
            r["eventName"] == "PutImage"
                && r["userIdentity"]["type"] == "AWSAccount"
                && r["requestParameters"]["repositoryName"] == "order-service"
        })
        .expect("cross-account PutImage in B");
    assert_eq!(cross["userIdentity"]["accountId"], demo::ACCOUNT_A);
    assert_eq!(cross["recipientAccountId"], demo::ACCOUNT_B);
    let shared = cross["sharedEventID"].as_str().expect("sharedEventID");
    let trail_a = pair
        .accounts()
        .next()
        .expect("a")
        .trail
        .loaded()
        .expect("A trail");
    assert!(
        trail_a.iter().any(|r| r["sharedEventID"] == shared),
        "the pusher's copy in A shares the event id"
    );
    assert!(trail_b.iter().any(|r| {
        r["eventName"] == "PutImage"
            && r["userIdentity"]["type"] == "AssumedRole"
            && r["recipientAccountId"] == demo::ACCOUNT_B
            && r.get("sharedEventID").is_none()
    }));
    let patterns: Vec<&Value> = b
        .rules
        .iter()
        .filter_map(|rule| rule.event_pattern.loaded())
        .collect();
    assert!(patterns
        .iter()
        .any(|p| p["detail-type"][0] == "AWS API Call via CloudTrail"));
    assert!(patterns
        .iter()
        .any(|p| p["detail-type"][0] == "ECR Image Action"));
}

#[test]
fn catalogue_ids_and_verdicts_are_consistent() {
    let scenarios = scenarios();
    let mut ids = HashSet::new();
    for scenario in &scenarios {
        assert!(
            ids.insert(scenario.id.clone()),
            "duplicate id {}",
            scenario.id
        );
        match scenario.expected.verdict {
            Verdict::Works => assert!(
                scenario.expected.failing_checks.is_empty(),
                "{}: works but lists failing checks",
                scenario.id
            ),
            Verdict::Fails => assert!(
                !scenario.expected.failing_checks.is_empty(),
                "{}: fails without a failing check",
                scenario.id
            ),
            Verdict::Unknown => panic!("{}: a scenario expects works or fails", scenario.id),
        }
        assert!(!scenario.story.is_empty() && !scenario.title.is_empty());
    }
    for group in ["S1", "S2", "S3", "S4", "S5", "S6"] {
        let verdicts: HashSet<Verdict> = scenarios
            .iter()
            .filter(|s| s.group == group)
            .map(|s| s.expected.verdict)
            .collect();
        assert_eq!(
            verdicts.len(),
            2,
            "{group} needs a broken and a fixed variant"
        );
        for suffix in ["broken", "fixed"] {
            let id = format!("{}-{suffix}", group.to_lowercase());
            assert!(ids.contains(&id), "missing {id}");
        }
    }
}

fn resolve_principal(pair: &Accounts, id: &str, principal: &str) {
    if principal.ends_with(".amazonaws.com") {
        return;
    }
    pair.resolve_role(principal)
        .unwrap_or_else(|e| panic!("{id}: principal: {e}"));
}

#[test]
fn every_scenario_references_existing_resources() {
    let pair = pair();
    let catalogue = scenarios();
    for scenario in &catalogue {
        let id = scenario.id.as_str();
        let expects_missing = scenario
            .expected
            .failing_checks
            .contains(&CheckId::RepositoryExists);
        match &scenario.question {
            Question::Pull {
                principal,
                repository,
                tag,
                project,
                ..
            } => check_image(
                &pair,
                id,
                principal,
                repository,
                Some(tag),
                project.as_deref(),
                expects_missing,
            ),
            Question::Push {
                principal,
                repository,
                ..
            } => check_image(
                &pair,
                id,
                principal,
                repository,
                None,
                None,
                expects_missing,
            ),
            Question::Assume {
                principal, role, ..
            } => {
                resolve_principal(&pair, id, principal);
                pair.resolve_role(role)
                    .unwrap_or_else(|e| panic!("{id}: {e}"));
            }
            Question::Trigger {
                pipeline,
                repository,
                pusher,
                ..
            } => {
                resolve_principal(&pair, id, pusher);
                let (_, repo) = pair
                    .resolve_repository(repository)
                    .unwrap_or_else(|e| panic!("{id}: {e}"));
                let (_, pipeline) = pair
                    .resolve_pipeline(pipeline)
                    .unwrap_or_else(|e| panic!("{id}: {e}"));
                assert!(
                    pipeline
                        .ecr_sources()
                        .filter_map(|a| a.ecr_source())
                        .any(|s| s.repository_name == repo.name),
                    "{id}: pipeline does not watch {}",
                    repo.name
                );
            }
            Question::Access { principal, .. } => resolve_principal(&pair, id, principal),
            Question::PullThrough {
                principal,
                repository,
            } => {
                resolve_principal(&pair, id, principal);
                // The cache repository need not exist; its registry and rules must.
                let registry = repository.split(':').nth(4).unwrap_or_default();
                let account = pair
                    .account(registry)
                    .unwrap_or_else(|| panic!("{id}: no account {registry}"));
                assert!(
                    account.pull_through_rules.loaded().is_some(),
                    "{id}: {registry} has no pull-through cache rules"
                );
            }
            Question::Replicate {
                source,
                destination,
                ..
            } => {
                for registry in [source, destination] {
                    assert!(
                        pair.account(registry).is_some(),
                        "{id}: no account {registry}"
                    );
                }
            }
            Question::Artifact { pipeline, action } => {
                let (owner, pipeline) = pair
                    .resolve_pipeline(pipeline)
                    .unwrap_or_else(|e| panic!("{id}: {e}"));
                let action = pipeline
                    .action(action)
                    .unwrap_or_else(|| panic!("{id}: no action {action}"));
                let role = action
                    .role_arn
                    .as_deref()
                    .expect("cross-account action role");
                pair.resolve_role(role)
                    .unwrap_or_else(|e| panic!("{id}: {e}"));
                let store = pipeline.artifact_store.loaded().expect("artifact store");
                assert!(owner.bucket(&store.location).is_some(), "{id}: bucket");
                let key = store.encryption_key.as_ref().expect("artifact key");
                assert!(owner.key(&key.id).is_some(), "{id}: key {}", key.id);
            }
            Question::Error { text } => {
                let principal = text
                    .split_whitespace()
                    .find(|word| word.starts_with("arn:aws:sts::"))
                    .unwrap_or_else(|| panic!("{id}: no principal in the text"));
                resolve_principal(&pair, id, principal);
            }
        }
    }
}

fn check_image(
    pair: &Accounts,
    id: &str,
    principal: &str,
    repository: &str,
    pulled_tag: Option<&str>,
    project: Option<&str>,
    expects_missing: bool,
) {
    resolve_principal(pair, id, principal);
    let found = pair.resolve_repository(repository);
    if expects_missing {
        assert!(found.is_err(), "{id}: {repository} should not exist");
        return;
    }
    let (_, repo) = found.unwrap_or_else(|e| panic!("{id}: {e}"));
    if let Some(tag) = pulled_tag {
        assert_eq!(repo.has_tag(tag), Field::Loaded(true), "{id}: tag {tag}");
    }
    if let Some(project) = project {
        let (_, project) = pair
            .resolve_project(project)
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        let image = &project.environment.loaded().expect("environment").image;
        assert!(
            image.starts_with(&repository_uri(repository)),
            "{id}: {image}"
        );
    }
}

fn repository_uri(repository_arn: &str) -> String {
    let parts = crossdock::inventory::arn::Arn::parse(repository_arn).expect("arn");
    let name = parts.resource.trim_start_matches("repository/");
    crossdock::inventory::arn::repository_uri(parts.region, parts.account, name)
}

#[test]
fn scenario_specific_facts_hold() {
    let pair = pair();
    let a = pair.accounts().next().expect("a");
    let b = pair.accounts().nth(1).expect("B");
    // S1: the broken repository grants only the service principal.
    let source = b.repository("source-repo").expect("source-repo");
    let policy = source.policy.loaded().expect("policy").to_string();
    assert!(policy.contains("codebuild.amazonaws.com") && !policy.contains(":role/"));
    // S1 related: environment image credentials.
    let creds = |name: &str| {
        a.project(name)
            .and_then(|p| p.environment.loaded())
            .map(|e| e.image_pull_credentials_type.as_str().to_string())
    };
    assert_eq!(creds("legacy-node-build").as_deref(), Some("CODEBUILD"));
    assert_eq!(creds("node-build").as_deref(), Some("SERVICE_ROLE"));
    // S4: the broken artifact store key is AWS managed, the fixed one customer managed.
    let store_key = |pipeline: &str| {
        let pipeline = b.pipeline(pipeline).expect("pipeline");
        let id = pipeline
            .artifact_store
            .loaded()
            .and_then(|s| s.encryption_key.clone())
            .expect("key")
            .id;
        b.key(&id).and_then(|k| k.manager.loaded().cloned())
    };
    assert_eq!(store_key("report-generator-release"), Some(KeyManager::Aws));
    assert_eq!(store_key("api-server-release"), Some(KeyManager::Customer));
    // Lookups across accounts: alias/aws/s3 exists in both, so it is ambiguous.
    assert!(pair.resolve_key("alias/aws/s3").is_err());
    assert!(!b
        .rules_targeting(&b.pipeline_arn("order-service-deploy"))
        .is_empty());
    assert!(b
        .rules_targeting(&b.pipeline_arn("audit-log-shipper-deploy"))
        .is_empty());
}
