//! Property: the candidate filter in front of `who-can` / `what-can` never changes an answer.
//! For random small accounts (roles with random identity and trust policies, a repository
//! and a key with random resource policies), `who-can` without `--all` lists exactly the
//! principals that brute force — every role evaluated by the full evaluator (`--all`) —
//! finds working or conditional, with the same verdicts, hops and evidence; the same for
//! `what-can`, whose fast path also shares one evaluation between resources alike for the
//! principal (the repositories and roles here often hold the same policy document, and
//! identity policies name some of them by ARN or wildcard, or read their tags).

use crossdock::diagnose::reverse::{self, Kind};
use crossdock::inventory::{Account, Accounts};
use proptest::prelude::*;
use serde_json::{json, Value};

const A: &str = "111111111111";
const B: &str = "222222222222";
const REGION: &str = "eu-west-1";
const ROLES: usize = 4;
const REPOSITORIES: usize = 3;

fn role_arn(account: &str, i: usize) -> String {
    format!("arn:aws:iam::{account}:role/r{i}")
}

fn repo_arn(i: usize) -> String {
    format!("arn:aws:ecr:{REGION}:{B}:repository/repo{i}")
}

fn key_arn() -> String {
    format!("arn:aws:kms:{REGION}:{B}:key/k1")
}

/// A principal element a random statement may name.
fn principal() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("*")),
        Just(json!({"AWS": format!("arn:aws:iam::{A}:root")})),
        Just(json!({"AWS": B})),
        (0..ROLES).prop_map(|i| json!({"AWS": role_arn(A, i)})),
        (0..ROLES).prop_map(|i| json!({"AWS": role_arn(B, i)})),
        Just(json!({"AWS": format!("arn:aws:sts::{A}:assumed-role/r1/session")})),
        Just(json!({"Service": "codebuild.amazonaws.com"})),
    ]
}

fn actions() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("ecr:*")),
        Just(json!(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"])),
        Just(json!("ecr:GetAuthorizationToken")),
        Just(json!("sts:AssumeRole")),
        Just(json!(["kms:Decrypt", "kms:GenerateDataKey"])),
        Just(json!("*")),
        Just(json!("s3:GetObject")),
    ]
}

fn effect() -> impl Strategy<Value = &'static str> {
    prop_oneof![4 => Just("Allow"), 1 => Just("Deny")]
}

fn resource_statement() -> impl Strategy<Value = Value> {
    (effect(), principal(), actions(), any::<bool>()).prop_map(
        |(effect, principal, action, not_principal)| {
            // NotPrincipal with Allow is rejected by AWS; crossdock warns and still evaluates it.
            let key = if not_principal && effect == "Deny" {
                "NotPrincipal"
            } else {
                "Principal"
            };
            json!({"Effect": effect, key: principal, "Action": action})
        },
    )
}

fn identity_statement() -> impl Strategy<Value = Value> {
    let resource = prop_oneof![
        Just(json!("*")),
        (0..REPOSITORIES).prop_map(|i| json!(repo_arn(i))),
        Just(json!(format!("arn:aws:ecr:{REGION}:{B}:repository/repo1*"))),
        Just(json!(format!("arn:aws:ecr:*:{B}:repository/*"))),
        Just(json!(key_arn())),
        (0..ROLES).prop_map(|i| json!(role_arn(B, i))),
        Just(json!(format!("arn:aws:iam::{A}:role/*"))),
        Just(json!(format!("arn:aws:iam::{B}:role/r1*"))),
    ];
    // Now and then a condition on the resource's tags, which no shared answer may skip.
    let condition = prop_oneof![
        4 => Just(None),
        1 => Just(Some(json!({"StringEquals": {"aws:ResourceTag/team": "build"}}))),
    ];
    (effect(), actions(), resource, any::<bool>(), condition).prop_map(
        |(effect, action, resource, not_action, condition)| {
            let key = if not_action { "NotAction" } else { "Action" };
            let mut statement = json!({"Effect": effect, key: action, "Resource": resource});
            if let Some(condition) = condition {
                statement["Condition"] = condition;
            }
            statement
        },
    )
}

fn document(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

#[derive(Debug, Clone)]
struct RoleSpec {
    identity: Vec<Value>,
    trust: Vec<Value>,
    /// Trusts the shared trust document instead of its own (alike targets of `assume`).
    shared_trust: bool,
}

fn role_spec() -> impl Strategy<Value = RoleSpec> {
    (
        prop::collection::vec(identity_statement(), 0..3),
        prop::collection::vec(resource_statement(), 0..3),
        any::<bool>(),
    )
        .prop_map(|(identity, trust, shared_trust)| RoleSpec {
            identity,
            trust,
            shared_trust,
        })
}

fn role_json(account: &str, i: usize, spec: &RoleSpec, shared: &[Value]) -> Value {
    let trust = if spec.shared_trust {
        shared
    } else {
        &spec.trust
    };
    let trust: Vec<Value> = trust
        .iter()
        .map(|s| {
            let mut s = s.clone();
            s["Action"] = json!("sts:AssumeRole");
            s
        })
        .collect();
    json!({
        "arn": role_arn(account, i), "name": format!("r{i}"), "path": "/",
        "trust_policy": {"loaded": document(trust)},
        "inline_policies": {"loaded": [{"name": "p", "document": {"loaded": document(spec.identity.clone())}}]},
        "attached_policies": {"loaded": []},
        "permissions_boundary": "absent",
        "tags": {"loaded": {}}
    })
}

/// The resources of account B: repositories whose policies are picked from `policies` (so
/// several hold the same document; a pick past the end is a policy not loaded), some tagged
/// `team=build`, and a key.
struct Resources<'a> {
    policies: &'a [Vec<Value>],
    picks: &'a [(usize, bool)],
    key: &'a [Value],
}

fn account(
    id: &str,
    roles: &[RoleSpec],
    shared_trust: &[Value],
    resources: Option<Resources<'_>>,
) -> Account {
    let roles: Vec<Value> = roles
        .iter()
        .enumerate()
        .map(|(i, r)| role_json(id, i, r, shared_trust))
        .collect();
    let mut value = json!({
        "identity": {"account_id": id, "caller_arn": format!("arn:aws:sts::{id}:assumed-role/reader/s"), "region": REGION},
        "roles": {"listing": "complete", "items": roles},
        "managed_policies": {"listing": "complete", "items": []},
        "repositories": {"listing": "complete", "items": []},
        "keys": {"listing": "complete", "items": []},
    });
    if let Some(resources) = resources {
        let repositories: Vec<Value> = resources
            .picks
            .iter()
            .enumerate()
            .map(|(i, (policy, tagged))| {
                let tags = if *tagged { json!({"team": "build"}) } else { json!({}) };
                json!({
                    "arn": repo_arn(i), "name": format!("repo{i}"),
                    "uri": format!("{B}.dkr.ecr.{REGION}.amazonaws.com/repo{i}"),
                    "registry_id": B, "encryption": {"encryption_type": "AES256"}, "tag_mutability": "MUTABLE",
                    "policy": match resources.policies.get(*policy) {
                        Some(statements) => json!({"loaded": document(statements.clone())}),
                        None => json!("not_loaded"),
                    },
                    "images": {"loaded": []}, "tags": {"loaded": tags}
                })
            })
            .collect();
        value["repositories"]["items"] = json!(repositories);
        value["keys"]["items"] = json!([{
            "arn": key_arn(), "key_id": "k1", "aliases": {"loaded": []}, "manager": {"loaded": "CUSTOMER"},
            "state": {"loaded": "Enabled"}, "policy": {"loaded": document(resources.key.to_vec())}, "tags": {"loaded": {}}
        }]);
    }
    serde_json::from_value(value).expect("a valid account")
}

fn accounts() -> impl Strategy<Value = Accounts> {
    (
        prop::collection::vec(role_spec(), ROLES),
        prop::collection::vec(role_spec(), ROLES),
        prop::collection::vec(prop::collection::vec(resource_statement(), 0..4), 2),
        // Policy 2 is not loaded: such repositories are unknown, alike.
        prop::collection::vec((0..3usize, any::<bool>()), REPOSITORIES),
        prop::collection::vec(resource_statement(), 0..4),
        prop::collection::vec(resource_statement(), 0..3),
    )
        .prop_map(|(a, b, policies, picks, key, shared_trust)| {
            let resources = Resources {
                policies: &policies,
                picks: &picks,
                key: &key,
            };
            Accounts::new([
                account(A, &a, &shared_trust, None),
                account(B, &b, &shared_trust, Some(resources)),
            ])
            .expect("two accounts")
        })
}

fn questions() -> Vec<(Kind, String)> {
    let mut questions = vec![(Kind::Decrypt, key_arn())];
    for i in 0..REPOSITORIES {
        questions.push((Kind::Pull, repo_arn(i)));
        questions.push((Kind::Push, repo_arn(i)));
    }
    questions.extend((0..ROLES).map(|i| (Kind::Assume, role_arn(B, i))));
    questions
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn who_can_equals_brute_force(accounts in accounts()) {
        for (kind, resource) in questions() {
            let fast = reverse::who_can(&accounts, &kind, &resource, false).expect("answered");
            let mut brute = reverse::who_can(&accounts, &kind, &resource, true).expect("answered");
            brute.principals.retain(|p| p.verdict.grants());
            prop_assert_eq!(&fast, &brute, "{} {}", kind.name(), resource);
        }
    }

    #[test]
    fn what_can_equals_brute_force(accounts in accounts()) {
        for principal in (0..ROLES).flat_map(|i| [role_arn(A, i), role_arn(B, i)]) {
            let fast = reverse::what_can(&accounts, &principal, false).expect("answered");
            let mut brute = reverse::what_can(&accounts, &principal, true).expect("answered");
            brute.reachable.retain(|r| r.verdict.grants());
            prop_assert_eq!(&fast, &brute, "{}", principal);
        }
    }
}
