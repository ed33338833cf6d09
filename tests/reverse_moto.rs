//! `who-can pull` against moto, through the real loader: a registry account whose repository
//! policy names roles by ARN, the workers' account root, one session, and everyone in an
//! organisation; a workers' account with ~50 roles and a few users built along every grant
//! path (named + identity, root + identity, identity with a `aws:PrincipalTag` condition that
//! holds or not, explicit deny, a boundary that removes the action, only by assuming another
//! role, users direct and through a group). The expected answer is derived from how each
//! principal was built; `who-can` must equal it, and `explain` must agree for every listed
//! principal.
#![cfg(feature = "aws")]

#[path = "support/moto.rs"]
mod moto;

use std::collections::BTreeSet;

use aws_config::SdkConfig;
use crossdock::aws::{Gateway, Loader, ProfileSource};
use crossdock::diagnose::model::Status;
use crossdock::diagnose::reverse::{self, Kind, Standing};
use crossdock::diagnose::{diagnose, CheckId, Question};
use crossdock::inventory::{Account, Accounts};
use moto::{moto, REGION};
use serde_json::{json, Value};

const REGISTRY: &str = "181800000001";
const WORKERS: &str = "181800000002";
const REPOSITORY: &str = "fixture/app";
const COPIES: usize = 5;
const SESSION: &str = "s1";

/// How a principal of the workers' account was built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Path {
    /// Named by ARN in the repository policy, identity allows: works.
    NamedWithIdentity,
    /// Named by ARN, no identity policy: fails (across accounts both sides must allow).
    NamedWithoutIdentity,
    /// The account root is named, identity allows: works.
    RootWithIdentity,
    /// The account root is named, no identity policy: fails.
    RootWithoutIdentity,
    /// Identity allows if `aws:PrincipalTag/team` is `build`, and the role is so tagged.
    TagHolds,
    /// The same policy, tagged `web`: fails.
    TagFails,
    /// Identity allows, an inline Deny refuses BatchGetImage: fails.
    Denied,
    /// Identity allows, the boundary allows only `s3:*`: fails.
    Bounded,
    /// May only assume the first NamedWithIdentity role: works through it.
    Hop,
}

const ROLE_PATHS: [Path; 9] = [
    Path::NamedWithIdentity,
    Path::NamedWithoutIdentity,
    Path::RootWithIdentity,
    Path::RootWithoutIdentity,
    Path::TagHolds,
    Path::TagFails,
    Path::Denied,
    Path::Bounded,
    Path::Hop,
];

impl Path {
    fn name(self, copy: usize) -> String {
        format!("{self:?}-{copy}").to_lowercase()
    }

    fn works(self) -> bool {
        matches!(
            self,
            Path::NamedWithIdentity | Path::RootWithIdentity | Path::TagHolds | Path::Hop
        )
    }
}

fn role_arn(account: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:role/{name}")
}

fn repository_arn() -> String {
    format!("arn:aws:ecr:{REGION}:{REGISTRY}:repository/{REPOSITORY}")
}

fn pull_allowed(condition: Option<Value>) -> String {
    let mut statement = json!({"Effect": "Allow", "Resource": "*", "Action": [
        "ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]});
    if let Some(condition) = condition {
        statement["Condition"] = condition;
    }
    json!({"Version": "2012-10-17", "Statement": [statement]}).to_string()
}

fn trust(principal: Value) -> String {
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]})
    .to_string()
}

/// The puller every Hop role assumes.
fn puller() -> String {
    role_arn(WORKERS, &Path::NamedWithIdentity.name(0))
}

async fn create_role(
    iam: &aws_sdk_iam::Client,
    name: &str,
    trust_policy: String,
    inline: &[(&str, String)],
    tags: &[(&str, &str)],
    boundary: Option<&str>,
) {
    let mut request = iam
        .create_role()
        .role_name(name)
        .assume_role_policy_document(trust_policy)
        .set_permissions_boundary(boundary.map(str::to_string));
    for (key, value) in tags {
        request = request.tags(
            aws_sdk_iam::types::Tag::builder()
                .key(*key)
                .value(*value)
                .build()
                .expect("tag"),
        );
    }
    request.send().await.expect("create_role");
    for (policy, document) in inline {
        iam.put_role_policy()
            .role_name(name)
            .policy_name(*policy)
            .policy_document(document)
            .send()
            .await
            .expect("put_role_policy");
    }
}

/// The workers' account: every path `COPIES` times, the session's role, the users.
async fn seed_workers(config: &SdkConfig) {
    let iam = aws_sdk_iam::Client::new(config);
    let s3_only = iam
        .create_policy()
        .policy_name("s3-only")
        .policy_document(
            json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
            .to_string(),
        )
        .send()
        .await
        .expect("create_policy")
        .policy()
        .and_then(|p| p.arn())
        .expect("policy arn")
        .to_string();
    let service = trust(json!({"Service": "ec2.amazonaws.com"}));
    let tag_gated = pull_allowed(Some(
        json!({"StringEquals": {"aws:PrincipalTag/team": "build"}}),
    ));
    let deny = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "ecr:BatchGetImage", "Resource": "*"}]})
    .to_string();
    let hop = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": puller()}]})
    .to_string();
    for copy in 0..COPIES {
        for path in ROLE_PATHS {
            let name = path.name(copy);
            let pull = ("pull", pull_allowed(None));
            let (trust_policy, inline, tags, boundary) = match path {
                Path::NamedWithIdentity if copy == 0 => (
                    trust(json!({"AWS": format!("arn:aws:iam::{WORKERS}:root")})),
                    vec![pull],
                    vec![],
                    None,
                ),
                Path::NamedWithIdentity | Path::RootWithIdentity => {
                    (service.clone(), vec![pull], vec![], None)
                }
                Path::NamedWithoutIdentity | Path::RootWithoutIdentity => {
                    (service.clone(), vec![], vec![], None)
                }
                Path::TagHolds => (
                    service.clone(),
                    vec![("pull", tag_gated.clone())],
                    vec![("team", "build")],
                    None,
                ),
                Path::TagFails => (
                    service.clone(),
                    vec![("pull", tag_gated.clone())],
                    vec![("team", "web")],
                    None,
                ),
                Path::Denied => (
                    service.clone(),
                    vec![pull, ("deny", deny.clone())],
                    vec![],
                    None,
                ),
                Path::Bounded => (service.clone(), vec![pull], vec![], Some(s3_only.as_str())),
                Path::Hop => (service.clone(), vec![("hop", hop.clone())], vec![], None),
            };
            create_role(&iam, &name, trust_policy, &inline, &tags, boundary).await;
        }
    }
    create_role(
        &iam,
        "session-role",
        service.clone(),
        &[("pull", pull_allowed(None))],
        &[],
        None,
    )
    .await;
    seed_users(&iam).await;
}

/// Users: `user-direct` (inline pull), `user-grouped` (through group `pullers`),
/// `user-none` (nothing).
async fn seed_users(iam: &aws_sdk_iam::Client) {
    iam.create_group()
        .group_name("pullers")
        .send()
        .await
        .expect("create_group");
    iam.put_group_policy()
        .group_name("pullers")
        .policy_name("pull")
        .policy_document(pull_allowed(None))
        .send()
        .await
        .expect("put_group_policy");
    for user in ["user-direct", "user-grouped", "user-none"] {
        iam.create_user()
            .user_name(user)
            .send()
            .await
            .expect("create_user");
    }
    iam.put_user_policy()
        .user_name("user-direct")
        .policy_name("pull")
        .policy_document(pull_allowed(None))
        .send()
        .await
        .expect("put_user_policy");
    iam.add_user_to_group()
        .group_name("pullers")
        .user_name("user-grouped")
        .send()
        .await
        .expect("add_user_to_group");
}

/// The registry: the repository and its policy, plus same-account roles with and without
/// an identity Allow (same account: the identity Allow alone lets them in).
async fn seed_registry(config: &SdkConfig) {
    let ecr = aws_sdk_ecr::Client::new(config);
    ecr.create_repository()
        .repository_name(REPOSITORY)
        .send()
        .await
        .expect("create_repository");
    let named: Vec<String> = (0..COPIES)
        .flat_map(|copy| {
            [Path::NamedWithIdentity, Path::NamedWithoutIdentity]
                .map(|path| role_arn(WORKERS, &path.name(copy)))
        })
        .collect();
    let actions = json!(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]);
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Named", "Effect": "Allow", "Principal": {"AWS": named}, "Action": actions},
        {"Sid": "Root", "Effect": "Allow",
         "Principal": {"AWS": format!("arn:aws:iam::{WORKERS}:root")}, "Action": actions},
        {"Sid": "Session", "Effect": "Allow",
         "Principal": {"AWS": format!("arn:aws:sts::{WORKERS}:assumed-role/session-role/{SESSION}")},
         "Action": actions},
        {"Sid": "Org", "Effect": "Allow", "Principal": "*", "Action": actions,
         "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-fixture123"}}}]});
    ecr.set_repository_policy()
        .repository_name(REPOSITORY)
        .policy_text(policy.to_string())
        .send()
        .await
        .expect("set_repository_policy");
    let iam = aws_sdk_iam::Client::new(config);
    let service = trust(json!({"Service": "ec2.amazonaws.com"}));
    for copy in 0..COPIES * 5 {
        let local = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
             "Resource": repository_arn()}]})
        .to_string();
        create_role(
            &iam,
            &format!("local-puller-{copy}"),
            service.clone(),
            &[("pull", local)],
            &[],
            None,
        )
        .await;
        create_role(
            &iam,
            &format!("local-bystander-{copy}"),
            service.clone(),
            &[],
            &[],
            None,
        )
        .await;
    }
}

async fn load(account_id: &str) -> Account {
    let config = moto().sdk_config(account_id).await;
    let gateway = Gateway::new(&config);
    let identity = crossdock::aws::identity(&gateway, &ProfileSource::from_env(), None)
        .await
        .expect("sts:GetCallerIdentity on moto");
    let loader = Loader::new(gateway);
    let mut account = loader.account(identity);
    loader.load_all(&mut account).await;
    account
}

/// (principal, via) of every principal that can pull, from how each was built.
fn expected() -> BTreeSet<(String, Vec<String>)> {
    let mut out = BTreeSet::new();
    for copy in 0..COPIES {
        for path in ROLE_PATHS.into_iter().filter(|p| p.works()) {
            let via = match path {
                Path::Hop => vec![puller()],
                _ => Vec::new(),
            };
            out.insert((role_arn(WORKERS, &path.name(copy)), via));
        }
    }
    for copy in 0..COPIES * 5 {
        out.insert((role_arn(REGISTRY, &format!("local-puller-{copy}")), vec![]));
    }
    out.insert((role_arn(WORKERS, "session-role"), vec![]));
    out.insert((
        format!("arn:aws:sts::{WORKERS}:assumed-role/session-role/{SESSION}"),
        vec![],
    ));
    for user in ["user-direct", "user-grouped"] {
        out.insert((format!("arn:aws:iam::{WORKERS}:user/{user}"), vec![]));
    }
    // The organisation's grant: conditional, listed as `*`.
    out.insert(("*".to_string(), vec![]));
    out
}

/// Whether `explain` (the pull question's access checks) refuses `principal`.
fn pull_refused(accounts: &Accounts, principal: &str) -> bool {
    refusal(accounts, principal).is_some()
}

/// The first access check of the pull question that does not pass, with its message.
fn refusal(accounts: &Accounts, principal: &str) -> Option<String> {
    let question = Question::Pull {
        principal: principal.to_string(),
        repository: repository_arn(),
        tag: "latest".into(),
        project: None,
        source_arn: None,
        vpc_endpoint: None,
        runs_in: None,
    };
    let diagnosis = diagnose(accounts, &question).expect("answered");
    [
        "auth-token",
        "identity-allows",
        "resource-policy-allows",
        "explicit-deny",
    ]
    .iter()
    .filter_map(|id| diagnosis.check(CheckId::parse(id).expect("known id")))
    .find(|c| c.status == Status::Fail)
    .map(|c| format!("{:?}: {}", c.id, c.message))
}

#[tokio::test(flavor = "multi_thread")]
async fn who_can_pull_equals_how_the_principals_were_built_and_explain_agrees() {
    let registry = moto().sdk_config(REGISTRY).await;
    let workers = moto().sdk_config(WORKERS).await;
    seed_registry(&registry).await;
    seed_workers(&workers).await;
    let accounts = Accounts::new([load(REGISTRY).await, load(WORKERS).await]).expect("two");
    let workers_account = accounts.account(WORKERS).expect("loaded");
    assert!(workers_account.roles.len() >= 45, "~50 roles were read");
    let grouped = workers_account.user("user-grouped").expect("user read");
    assert_eq!(
        grouped.groups.loaded().map(Vec::as_slice),
        Some(&["pullers".to_string()][..])
    );

    let answer = reverse::who_can(&accounts, &Kind::Pull, REPOSITORY, false).expect("answered");
    let found: BTreeSet<(String, Vec<String>)> = answer
        .principals
        .iter()
        .map(|p| (p.principal.clone(), p.via.clone()))
        .collect();
    let expected = expected();
    let missing: Vec<_> = expected.difference(&found).collect();
    let extra: Vec<_> = found.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:#?}\nextra {extra:#?}"
    );
    let everyone = answer
        .principals
        .iter()
        .find(|p| p.principal == "*")
        .expect("listed");
    assert_eq!(everyone.verdict, Standing::Conditional);
    assert!(everyone
        .conditions
        .iter()
        .any(|c| c.contains("o-fixture123")));

    for principal in answer.principals.iter().filter(|p| p.principal != "*") {
        assert_eq!(principal.verdict, Standing::Works, "{principal:?}");
        match principal.via.as_slice() {
            [] => assert_eq!(
                refusal(&accounts, &principal.principal),
                None,
                "{} is listed but explain refuses it",
                principal.principal
            ),
            [through] => {
                assert!(pull_refused(&accounts, &principal.principal));
                assert!(!pull_refused(&accounts, through));
                let assume = Question::Assume {
                    principal: principal.principal.clone(),
                    role: through.clone(),
                    external_id: None,
                };
                let hop = diagnose(&accounts, &assume).expect("answered");
                assert_eq!(hop.verdict, crossdock::diagnose::model::Verdict::Works);
            }
            longer => panic!("one hop at most: {longer:?}"),
        }
    }
}
