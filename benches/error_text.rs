//! Parse throughput of pasted error texts: the whole corpus in `tests/error-texts/`, and one
//! typical docker/ECR denial.

use std::fs;
use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use crossdock::diagnose::error_text::parse;

fn corpus() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/error-texts");
    let mut paths: Vec<_> = fs::read_dir(&dir)
        .expect("corpus directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let case: serde_json::Value =
                serde_json::from_str(&fs::read_to_string(p).expect("readable")).expect("json");
            case["text"].as_str().expect("text").to_string()
        })
        .collect()
}

const TYPICAL: &str = "Error response from daemon: pull access denied for 222222222222.dkr.ecr.ap-northeast-1.amazonaws.com/source-repo, repository does not exist or may require 'docker login': denied: User: arn:aws:sts::111111111111:assumed-role/codebuild-service-role/AWSCodeBuild-7d3c2a61 is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo because no resource-based policy allows the ecr:BatchGetImage action";

fn bench(c: &mut Criterion) {
    let texts = corpus();
    let mut group = c.benchmark_group("error_text");
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.bench_function("corpus", |b| {
        b.iter(|| {
            for text in &texts {
                let _ = black_box(parse(black_box(text)));
            }
        })
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("typical", |b| {
        b.iter(|| black_box(parse(black_box(TYPICAL))))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
