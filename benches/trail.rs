//! Parsing throughput for typical PutImage records (manifest included, as ECR logs them).
//!
//! Run: `cargo bench --no-default-features --bench trail`. Records/s = elements/s below.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

use crossdock::trail::{classify, parse_bytes};

const RECORDS: usize = 5_000;

/// A docker schema-2 manifest with five layers, pretty-printed as docker sends it.
fn manifest(i: usize) -> String {
    let layer = |n: usize| {
        format!(
            "      {{\n         \"mediaType\": \"application/vnd.docker.image.rootfs.diff.tar.gzip\",\n         \"size\": {},\n         \"digest\": \"sha256:{:064x}\"\n      }}",
            1000 + n * 7919,
            i * 31 + n
        )
    };
    let layers: Vec<String> = (0..5).map(layer).collect();
    format!(
        "{{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n   \"config\": {{\n      \"mediaType\": \"application/vnd.docker.container.image.v1+json\",\n      \"size\": 7023,\n      \"digest\": \"sha256:{:064x}\"\n   }},\n   \"layers\": [\n{}\n   ]\n}}",
        i,
        layers.join(",\n")
    )
}

/// One PutImage record as CloudTrail writes it in the repository owner's account.
fn put_image(i: usize) -> String {
    let manifest = serde_json::to_string(&manifest(i)).expect("string encodes");
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{{"type":"AssumedRole","principalId":"AROAEXAMPLE:AWSCodeBuild-{i}","arn":"arn:aws:sts::111111111111:assumed-role/codebuild-service-role/AWSCodeBuild-{i}","accountId":"111111111111","accessKeyId":"ASIAEXAMPLE","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::111111111111:role/codebuild-service-role","accountId":"111111111111","userName":"codebuild-service-role"}},"webIdFederationData":{{}},"attributes":{{"creationDate":"2024-05-01T10:00:00Z","mfaAuthenticated":"false"}}}}}},"eventTime":"2024-05-01T10:{:02}:{:02}Z","eventSource":"ecr.amazonaws.com","eventName":"PutImage","awsRegion":"ap-northeast-1","sourceIPAddress":"203.0.113.7","userAgent":"docker/24.0.7 go/go1.20.10 git-commit/311b9ff kernel/5.10 os/linux arch/amd64","requestParameters":{{"repositoryName":"delivery-repo","imageTag":"build-{i}","registryId":"111111111111","imageManifest":{manifest},"imageManifestMediaType":"application/vnd.docker.distribution.manifest.v2+json"}},"responseElements":{{"image":{{"repositoryName":"delivery-repo","imageManifest":{manifest},"imageManifestMediaType":"application/vnd.docker.distribution.manifest.v2+json","registryId":"111111111111","imageId":{{"imageDigest":"sha256:{i:064x}","imageTag":"build-{i}"}}}}}},"requestID":"req-{i}","eventID":"evt-{i}","readOnly":false,"resources":[{{"accountId":"111111111111","ARN":"arn:aws:ecr:ap-northeast-1:111111111111:repository/delivery-repo"}}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111111111111","eventCategory":"Management","tlsDetails":{{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"api.ecr.ap-northeast-1.amazonaws.com"}}}}"#,
        (i / 60) % 60,
        i % 60
    )
}

fn log_file() -> Vec<u8> {
    let records: Vec<String> = (0..RECORDS).map(put_image).collect();
    format!("{{\"Records\":[{}]}}", records.join(",")).into_bytes()
}

fn json_lines() -> Vec<u8> {
    let mut out = String::new();
    for i in 0..RECORDS {
        out.push_str(&put_image(i));
        out.push('\n');
    }
    out.into_bytes()
}

fn bench(c: &mut Criterion) {
    let log = log_file();
    let lines = json_lines();
    let mut group = c.benchmark_group("trail");
    group.throughput(Throughput::Elements(RECORDS as u64));
    group.bench_function("parse PutImage log file", |b| {
        b.iter(|| {
            let out = parse_bytes("bench", black_box(&log));
            assert_eq!(out.events.len(), RECORDS);
            out
        })
    });
    group.bench_function("parse PutImage JSON lines", |b| {
        b.iter(|| parse_bytes("bench", black_box(&lines)))
    });
    let parsed = parse_bytes("bench", &log);
    group.bench_function("classify PutImage", |b| {
        b.iter(|| {
            parsed
                .events
                .iter()
                .map(classify)
                .filter(|c| c.denied)
                .count()
        })
    });
    group.finish();
    eprintln!("record size: {} bytes on average", log.len() / RECORDS);
}

criterion_group!(benches, bench);
criterion_main!(benches);
