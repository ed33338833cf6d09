//! Property: the candidate filter in front of `who-can` / `what-can` never changes an answer.
//! For random small accounts (roles with random identity and trust policies, a repository
//! and a key with random resource policies), `who-can` without `--all` lists exactly the
//! principals that brute force — every role evaluated by the full evaluator (`--all`) —
//! finds working or conditional, with the same verdicts, hops and evidence; the same for
//! `what-can`.

use crossdock::diagnose::reverse::{self, Kind};
use crossdock::inventory::{Account, Accounts};
use proptest::prelude::*;
use serde_json::{json, Value};

const A: &str = "111111111111";
const B: &str = "222222222222";
const REGION: &str = "eu-west-1";
const ROLES: usize = 4;

fn role_arn(account: &str, i: usize) -> String {
    format!("arn:aws:iam::{account}:role/r{i}")
}

fn repo_arn() -> String {
    format!("arn:aws:ecr:{REGION}:{B}:repository/repo")
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
        Just(json!(repo_arn())),
        Just(json!(key_arn())),
        (0..ROLES).prop_map(|i| json!(role_arn(B, i))),
        Just(json!(format!("arn:aws:iam::{A}:role/*"))),
    ];
    (effect(), actions(), resource, any::<bool>()).prop_map(
        |(effect, action, resource, not_action)| {
            let key = if not_action { "NotAction" } else { "Action" };
            json!({"Effect": effect, key: action, "Resource": resource})
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
}

fn role_spec() -> impl Strategy<Value = RoleSpec> {
    (
        prop::collection::vec(identity_statement(), 0..3),
        prop::collection::vec(resource_statement(), 0..3),
    )
        .prop_map(|(identity, trust)| RoleSpec { identity, trust })
}

fn role_json(account: &str, i: usize, spec: &RoleSpec) -> Value {
    let trust: Vec<Value> = spec
        .trust
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

fn account(id: &str, roles: &[RoleSpec], resources: Option<(&[Value], &[Value])>) -> Account {
    let mut value = json!({
        "identity": {"account_id": id, "caller_arn": format!("arn:aws:sts::{id}:assumed-role/reader/s"), "region": REGION},
        "roles": {"listing": "complete", "items": roles.iter().enumerate().map(|(i, r)| role_json(id, i, r)).collect::<Vec<_>>()},
        "managed_policies": {"listing": "complete", "items": []},
        "repositories": {"listing": "complete", "items": []},
        "keys": {"listing": "complete", "items": []},
    });
    if let Some((repository, key)) = resources {
        value["repositories"]["items"] = json!([{
            "arn": repo_arn(), "name": "repo", "uri": format!("{B}.dkr.ecr.{REGION}.amazonaws.com/repo"),
            "registry_id": B, "encryption": {"encryption_type": "AES256"}, "tag_mutability": "MUTABLE",
            "policy": {"loaded": document(repository.to_vec())},
            "images": {"loaded": []}, "tags": {"loaded": {}}
        }]);
        value["keys"]["items"] = json!([{
            "arn": key_arn(), "key_id": "k1", "aliases": {"loaded": []}, "manager": {"loaded": "CUSTOMER"},
            "state": {"loaded": "Enabled"}, "policy": {"loaded": document(key.to_vec())}, "tags": {"loaded": {}}
        }]);
    }
    serde_json::from_value(value).expect("a valid account")
}

fn accounts() -> impl Strategy<Value = Accounts> {
    (
        prop::collection::vec(role_spec(), ROLES),
        prop::collection::vec(role_spec(), ROLES),
        prop::collection::vec(resource_statement(), 0..4),
        prop::collection::vec(resource_statement(), 0..4),
    )
        .prop_map(|(a, b, repository, key)| {
            Accounts::new([
                account(A, &a, None),
                account(B, &b, Some((&repository, &key))),
            ])
            .expect("two accounts")
        })
}

fn questions() -> Vec<(Kind, String)> {
    let mut questions = vec![
        (Kind::Pull, repo_arn()),
        (Kind::Push, repo_arn()),
        (Kind::Decrypt, key_arn()),
    ];
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
