//! Property tests: wildcard matching against a reference implementation, and the
//! monotonicity of the evaluator (a Deny never grants, an Allow never denies).

use crossdock::policy::evaluate::{evaluate, Decision};
use crossdock::policy::wildcard::Pattern;
use crossdock::policy::{Caller, LabeledPolicy, PolicyDocument, Request};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Obviously-correct recursive glob matcher over chars.
fn reference(pattern: &[char], input: &[char]) -> bool {
    match pattern.split_first() {
        None => input.is_empty(),
        Some(('*', rest)) => (0..=input.len()).any(|i| reference(rest, &input[i..])),
        Some(('?', rest)) => !input.is_empty() && reference(rest, &input[1..]),
        Some((c, rest)) => input.first() == Some(c) && reference(rest, &input[1..]),
    }
}

proptest! {
    #[test]
    fn wildcard_matches_reference(pattern in "[ab*?:é]{0,8}", input in "[ab:é]{0,10}") {
        let p: Vec<char> = pattern.chars().collect();
        let i: Vec<char> = input.chars().collect();
        prop_assert_eq!(Pattern::parse(&pattern).matches(&input), reference(&p, &i));
    }

    #[test]
    fn folded_wildcard_ignores_ascii_case(pattern in "[aB*?]{0,6}", input in "[AbaB]{0,8}") {
        let folded = Pattern::parse_folded(&pattern).matches_folded(&input);
        let lowered = Pattern::parse(&pattern.to_lowercase()).matches(&input.to_lowercase());
        prop_assert_eq!(folded, lowered);
    }
}

const A: &str = "111111111111";
const B: &str = "222222222222";

fn callers() -> Vec<Caller> {
    vec![
        Caller::parse(&format!("arn:aws:sts::{A}:assumed-role/builder/s"), None).unwrap(),
        Caller::parse(&format!("arn:aws:sts::{B}:assumed-role/deployer/s"), None).unwrap(),
        Caller::parse(&format!("arn:aws:iam::{A}:user/alice"), None).unwrap(),
        Caller::parse(&format!("arn:aws:iam::{A}:root"), None).unwrap(),
        Caller::parse("codebuild.amazonaws.com", None).unwrap(),
    ]
}

const ACTIONS: [&str; 5] = [
    "ecr:BatchGetImage",
    "ecr:PutImage",
    "ecr:GetAuthorizationToken",
    "kms:Decrypt",
    "sts:AssumeRole",
];

fn resources() -> Vec<String> {
    vec![
        format!("arn:aws:ecr:ap-northeast-1:{A}:repository/app"),
        format!("arn:aws:ecr:ap-northeast-1:{B}:repository/base"),
        format!("arn:aws:kms:ap-northeast-1:{B}:key/k1"),
        format!("arn:aws:iam::{B}:role/deployer"),
        "*".to_string(),
    ]
}

fn statement(
    effect: bool,
    action: usize,
    resource: usize,
    principal: usize,
    cond: usize,
    with_principal: bool,
) -> Value {
    let actions = [
        "*",
        "ecr:*",
        "ecr:BatchGetImage",
        "kms:*",
        "sts:AssumeRole",
        "ecr:Put*",
    ];
    let res = resources();
    let resource_patterns = [
        "*",
        res[0].as_str(),
        res[1].as_str(),
        res[2].as_str(),
        res[3].as_str(),
        "arn:aws:ecr:*",
    ];
    let principals = [
        json!("*"),
        json!({"AWS": A}),
        json!({"AWS": B}),
        json!({"AWS": format!("arn:aws:iam::{A}:role/builder")}),
        json!({"AWS": format!("arn:aws:iam::{A}:user/alice")}),
        json!({"Service": "codebuild.amazonaws.com"}),
    ];
    let conditions = [
        Value::Null,
        json!({"StringEquals": {"aws:PrincipalAccount": A}}),
        json!({"ArnNotEquals": {"aws:PrincipalArn": format!("arn:aws:iam::{A}:role/builder")}}),
        json!({"Bool": {"aws:PrincipalIsAWSService": "true"}}),
    ];
    let mut s = json!({
        "Effect": if effect { "Allow" } else { "Deny" },
        "Action": actions[action % actions.len()],
    });
    if with_principal {
        s["Principal"] = principals[principal % principals.len()].clone();
    } else {
        s["Resource"] = json!(resource_patterns[resource % resource_patterns.len()]);
    }
    if !conditions[cond % conditions.len()].is_null() {
        s["Condition"] = conditions[cond % conditions.len()].clone();
    }
    s
}

type Raw = (bool, usize, usize, usize, usize);

fn doc(statements: &[Raw], with_principal: bool) -> PolicyDocument {
    let list: Vec<Value> = statements
        .iter()
        .map(|&(e, a, r, p, c)| statement(e, a, r, p, c, with_principal))
        .collect();
    PolicyDocument::from_value(&json!({"Version": "2012-10-17", "Statement": list})).unwrap()
}

fn raw() -> impl Strategy<Value = Raw> {
    (any::<bool>(), 0..6usize, 0..6usize, 0..6usize, 0..4usize)
}

#[derive(Debug, Clone)]
struct Scenario {
    caller: usize,
    action: usize,
    resource: usize,
    identity: Vec<Raw>,
    resource_policy: Option<Vec<Raw>>,
    boundary: Option<Vec<Raw>>,
    scp: Option<Vec<Raw>>,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        0..5usize,
        0..5usize,
        0..5usize,
        prop::collection::vec(raw(), 0..4),
        prop::option::of(prop::collection::vec(raw(), 0..4)),
        prop::option::of(prop::collection::vec(raw(), 1..3)),
        prop::option::of(prop::collection::vec(raw(), 1..3)),
    )
        .prop_map(
            |(caller, action, resource, identity, resource_policy, boundary, scp)| Scenario {
                caller,
                action,
                resource,
                identity,
                resource_policy,
                boundary,
                scp,
            },
        )
}

/// Where the extra statement goes.
#[derive(Debug, Clone, Copy)]
enum Target {
    Identity,
    Resource,
    Boundary,
    Scp,
}

fn decide(s: &Scenario, extra: Option<(Target, Raw)>) -> Decision {
    let mut s = s.clone();
    // The statement joins an existing policy: creating a boundary or SCP level out of
    // nothing adds a filter, which is not what these properties are about.
    if let Some((target, statement)) = extra {
        let existing = match target {
            Target::Identity => None,
            Target::Resource => s.resource_policy.as_mut(),
            Target::Boundary => s.boundary.as_mut(),
            Target::Scp => s.scp.as_mut(),
        };
        match existing {
            Some(policy) => policy.push(statement),
            None => s.identity.push(statement),
        }
    }
    let identity = doc(&s.identity, false);
    let resource_policy = s.resource_policy.as_ref().map(|r| doc(r, true));
    let boundary = s.boundary.as_ref().map(|b| doc(b, false));
    let scp = s.scp.as_ref().map(|b| doc(b, false));
    let resources = resources();
    let mut request = Request::new(
        callers()[s.caller].clone(),
        ACTIONS[s.action],
        resources[s.resource].as_str(),
    );
    request.identity_policies = vec![LabeledPolicy::new("identity", &identity)];
    request.resource_policy = resource_policy
        .as_ref()
        .map(|d| LabeledPolicy::new("resource", d));
    request.permissions_boundary = boundary.as_ref().map(|d| LabeledPolicy::new("boundary", d));
    request.scps = scp.iter().map(|d| LabeledPolicy::new("scp", d)).collect();
    evaluate(&request).decision
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        Just(Target::Identity),
        Just(Target::Resource),
        Just(Target::Boundary),
        Just(Target::Scp)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn adding_a_deny_never_grants(s in scenario(), t in target(), extra in raw()) {
        let before = decide(&s, None);
        let after = decide(&s, Some((t, (false, extra.1, extra.2, extra.3, extra.4))));
        if before != Decision::Allow {
            prop_assert_ne!(after, Decision::Allow);
        }
        if before == Decision::ExplicitDeny {
            prop_assert_eq!(after, Decision::ExplicitDeny);
        }
    }

    #[test]
    fn adding_an_allow_never_denies(s in scenario(), t in target(), extra in raw()) {
        let before = decide(&s, None);
        let after = decide(&s, Some((t, (true, extra.1, extra.2, extra.3, extra.4))));
        if before == Decision::Allow {
            prop_assert_eq!(after, Decision::Allow);
        }
    }
}
