//! Reverse questions (`who-can`, `what-can`) on the demo and on the demo scaled up with
//! cloned roles and repositories: the candidate filter against brute force (`--all`, every
//! role evaluated), on the benchmark pair of 5,000 roles and 2,000 repositories per
//! account.
//!
//! Brute force on the pair takes seconds to minutes per call, far too long for criterion's
//! samples: it is timed once per case (`Instant` around one call, printed with the fast
//! case's name), in the same run as the criterion figures so the ratio holds for one load.

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use crossdock::diagnose::reverse::{what_can, who_can, Kind};
use crossdock::inventory::{demo, Accounts};

const A: &str = "111111111111";
const B: &str = "222222222222";

/// The demo plus `roles` copies of codebuild-service-role in A and `repositories` copies of
/// base-image-repo in B.
fn scaled(roles: usize, repositories: usize) -> Accounts {
    let mut accounts = demo::load().expect("demo");
    let role = accounts
        .account(A)
        .and_then(|a| a.role("codebuild-service-role"))
        .expect("the demo role")
        .clone();
    let repository = accounts
        .account(B)
        .and_then(|b| b.repository("base-image-repo"))
        .expect("the demo repository")
        .clone();
    let a = accounts.account_mut(A).expect("A");
    for i in 0..roles {
        let mut copy = role.clone();
        copy.name = format!("bench-role-{i}");
        copy.arn = format!("arn:aws:iam::{A}:role/{}", copy.name);
        a.roles.upsert(copy);
    }
    let b = accounts.account_mut(B).expect("B");
    for i in 0..repositories {
        let mut copy = repository.clone();
        copy.name = format!("bench-repo-{i}");
        copy.arn = format!("arn:aws:ecr:ap-northeast-1:{B}:repository/{}", copy.name);
        b.repositories.upsert(copy);
    }
    accounts
}

/// The benchmark pair: each account's roles and repositories cycled (with their inline and
/// managed policies) until it holds `roles` roles and `repositories` repositories.
fn pair(roles: usize, repositories: usize) -> Accounts {
    let mut accounts = demo::load().expect("demo");
    for id in [A, B] {
        let account = accounts.account_mut(id).expect("a demo account");
        let templates: Vec<_> = account.roles.iter().cloned().collect();
        let repos: Vec<_> = account.repositories.iter().cloned().collect();
        for i in templates.len()..roles {
            let mut copy = templates[i % templates.len()].clone();
            copy.name = format!("{}-{i}", copy.name);
            copy.arn = format!("arn:aws:iam::{id}:role/{}", copy.name);
            account.roles.upsert(copy);
        }
        for i in repos.len()..repositories {
            let mut copy = repos[i % repos.len()].clone();
            copy.name = format!("{}-{i}", copy.name);
            copy.arn = format!("arn:aws:ecr:ap-northeast-1:{id}:repository/{}", copy.name);
            account.repositories.upsert(copy);
        }
    }
    accounts
}

/// Times one call of `run` and prints it under `name` (for cases too slow for criterion).
fn once<T>(name: &str, run: impl FnOnce() -> T) {
    let start = Instant::now();
    black_box(run());
    let elapsed = start.elapsed();
    println!("reverse/{name}: one run, {:.3} s", elapsed.as_secs_f64());
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("reverse");
    group.sample_size(10);
    let demo = demo::load().expect("demo");
    group.bench_function("who-can pull/demo (74 roles)", |b| {
        b.iter(|| black_box(who_can(&demo, &Kind::Pull, "base-image-repo", false).expect("answer")))
    });
    group.bench_function("what-can/demo", |b| {
        b.iter(|| black_box(what_can(&demo, "codebuild-service-role", false).expect("answer")))
    });
    let big = scaled(1_000, 500);
    group.bench_function("who-can pull/1074 roles", |b| {
        b.iter(|| black_box(who_can(&big, &Kind::Pull, "base-image-repo", false).expect("answer")))
    });
    group.bench_function("what-can/500 more repositories", |b| {
        b.iter(|| black_box(what_can(&big, "codebuild-service-role", false).expect("answer")))
    });
    let pair = pair(5_000, 2_000);
    // The first question parses every document once (the policy store keeps them).
    black_box(who_can(&pair, &Kind::Pull, "base-image-repo", false).expect("answer"));
    group.bench_function("who-can pull/5000 roles per account", |b| {
        b.iter(|| black_box(who_can(&pair, &Kind::Pull, "base-image-repo", false).expect("answer")))
    });
    group.bench_function("what-can/2000 repositories per account", |b| {
        b.iter(|| black_box(what_can(&pair, "codebuild-service-role", false).expect("answer")))
    });
    group.finish();
    if std::env::var_os("CROSSDOCK_BENCH_BRUTE").is_some() {
        once("who-can pull/5000 roles per account, brute force", || {
            who_can(&pair, &Kind::Pull, "base-image-repo", true).expect("answer")
        });
        once(
            "what-can/2000 repositories per account, brute force",
            || what_can(&pair, "codebuild-service-role", true).expect("answer"),
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
