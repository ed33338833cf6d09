//! Reverse questions (`who-can`, `what-can`) on the demo and on the demo scaled up with
//! cloned roles and repositories: every candidate is evaluated (no index yet), so these
//! figures are the baseline an index must beat.

use std::hint::black_box;

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

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("reverse");
    group.sample_size(10);
    let demo = demo::load().expect("demo");
    group.bench_function("who-can pull/demo (74 roles)", |b| {
        b.iter(|| black_box(who_can(&demo, &Kind::Pull, "base-image-repo").expect("answer")))
    });
    group.bench_function("what-can/demo", |b| {
        b.iter(|| black_box(what_can(&demo, "codebuild-service-role", false).expect("answer")))
    });
    let big = scaled(1_000, 500);
    group.bench_function("who-can pull/1074 roles", |b| {
        b.iter(|| black_box(who_can(&big, &Kind::Pull, "base-image-repo").expect("answer")))
    });
    group.bench_function("what-can/500 more repositories", |b| {
        b.iter(|| black_box(what_can(&big, "codebuild-service-role", false).expect("answer")))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
