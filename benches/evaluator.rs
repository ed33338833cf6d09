//! Evaluation throughput over the request corpus in `tests/eval-cases/`, or over the
//! directory named by `CROSSDOCK_EVAL_CORPUS` (to compare corpora with the same build).

use std::fs;
use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, Criterion, Throughput};
use crossdock::policy::evaluate::evaluate;
use crossdock::policy::request_file::RequestFile;
use crossdock::policy::trace::trace;

fn corpus() -> Vec<RequestFile> {
    let dir = match std::env::var_os("CROSSDOCK_EVAL_CORPUS") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval-cases"),
    };
    let mut paths: Vec<_> = fs::read_dir(&dir)
        .expect("corpus directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| RequestFile::parse(&fs::read_to_string(p).expect("readable")).expect("valid case"))
        .collect()
}

fn bench(c: &mut Criterion) {
    let files = corpus();
    let requests: Vec<_> = files.iter().map(RequestFile::request).collect();
    let mut group = c.benchmark_group("evaluator");
    group.throughput(Throughput::Elements(requests.len() as u64));
    group.bench_function("evaluate/corpus", |b| {
        b.iter(|| {
            for request in &requests {
                black_box(evaluate(black_box(request)));
            }
        })
    });
    group.bench_function("evaluate+trace/corpus", |b| {
        b.iter(|| {
            for request in &requests {
                let evaluation = evaluate(black_box(request));
                black_box(trace(request, &evaluation));
            }
        })
    });
    group.finish();
}

/// `CROSSDOCK_EVAL_ROUNDS=N`: evaluate the corpus N times without criterion and exit, for
/// counting instructions under `valgrind --tool=cachegrind` (a figure the load of a shared
/// machine does not move: run with 0 and N rounds, divide the difference by N × requests).
fn fixed_rounds(rounds: usize) {
    let files = corpus();
    let requests: Vec<_> = files.iter().map(RequestFile::request).collect();
    for _ in 0..rounds {
        for request in &requests {
            black_box(evaluate(black_box(request)));
        }
    }
    println!("{rounds} rounds of {} requests", requests.len());
}

criterion_group!(benches, bench);

fn main() {
    let rounds = std::env::var("CROSSDOCK_EVAL_ROUNDS").ok();
    if let Some(rounds) = rounds.and_then(|r| r.parse().ok()) {
        fixed_rounds(rounds);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
