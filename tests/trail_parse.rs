//! The record corpus under `tests/trail-records/`: every file, its events, their classes.

use std::path::{Path, PathBuf};

use crossdock::trail::{
    build_report, parse_bytes, ClassifiedEvent, Derived, EventKind, LinkedQuestion, ReportFormat,
    SourceFormat, TrailReport,
};

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/trail-records")
        .join(name)
}

fn report(name: &str) -> TrailReport {
    let bytes = std::fs::read(corpus(name)).expect("corpus file exists");
    build_report([(name, bytes.as_slice())])
}

fn by_id<'r>(report: &'r TrailReport, id: &str) -> &'r ClassifiedEvent {
    report
        .events
        .iter()
        .find(|e| e.event.event_id.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("no event {id}"))
}

/// (event ID, kind, cross-account, denied) for every event of a file, in order.
fn classes(report: &TrailReport) -> Vec<(String, EventKind, Option<bool>, bool)> {
    report
        .events
        .iter()
        .map(|e| {
            (
                e.event.event_id.clone().unwrap_or_default(),
                e.class.kind,
                e.class.cross_account,
                e.class.denied,
            )
        })
        .collect()
}

fn row(
    id: &str,
    kind: EventKind,
    cross: Option<bool>,
    denied: bool,
) -> (String, EventKind, Option<bool>, bool) {
    (id.to_owned(), kind, cross, denied)
}

#[test]
fn s3_same_account_push_arrives_via_eventbridge() {
    let r = report("s3-same-account-putimage.eventbridge.json");
    assert_eq!(r.unparsed_records(), 0);
    let e = &r.events[0];
    assert_eq!(e.event.source_format, SourceFormat::EventBridgeCloudTrail);
    assert_eq!(e.class.kind, EventKind::Push);
    assert_eq!(e.class.cross_account, Some(false));
    assert_eq!(e.event.caller_type(), Some("AssumedRole"));
    assert_eq!(e.event.repository(), Some("example"));
    assert_eq!(e.event.image_tag(), Some("latest"));
    let envelope = e.event.envelope.as_ref().unwrap();
    assert_eq!(
        envelope.detail_type.as_deref(),
        Some("AWS API Call via CloudTrail")
    );
    assert_eq!(envelope.account.as_deref(), Some("111111111111"));
}

#[test]
fn s3_cross_account_push_both_copies_share_an_id() {
    let owner = report("s3-cross-account-putimage.owner-copy.json");
    let caller = report("s3-cross-account-putimage.caller-copy.json");
    let (o, c) = (&owner.events[0], &caller.events[0]);
    assert_eq!(o.event.caller_type(), Some("AWSAccount"));
    assert_eq!(o.event.caller_arn(), None);
    assert_eq!(o.class.caller_account.as_deref(), Some("222222222222"));
    assert_eq!(
        o.event.recipient_account_id.as_deref(),
        Some("111111111111")
    );
    assert_eq!(o.class.cross_account, Some(true));
    assert_eq!(
        c.class.cross_account,
        Some(true),
        "caller copy: registryId is the other account"
    );
    assert_eq!(c.class.resource_account.as_deref(), Some("111111111111"));
    assert_eq!(o.event.shared_event_id, c.event.shared_event_id);
    assert_ne!(o.event.event_id, c.event.event_id);
    assert_eq!(
        o.event.image_digest(),
        Some(&*format!("sha256:{}", "a".repeat(64)))
    );
    assert_eq!(o.event.source_format, SourceFormat::Record);
}

#[test]
fn denied_pulls_from_a_lookup_events_response() {
    let r = report("denied-pull.lookup-events.json");
    assert_eq!(r.unparsed_records(), 0);
    assert_eq!(
        classes(&r),
        [
            row("pull-denied-caller-copy", EventKind::Pull, Some(true), true),
            row("pull-denied-owner-copy", EventKind::Pull, Some(true), true),
        ]
    );
    assert!(r
        .events
        .iter()
        .all(|e| e.event.source_format == SourceFormat::LookupEvents));

    let Some(LinkedQuestion::Pull {
        action,
        principal_arn,
        registry_id,
        repository_arn,
        tag,
        ..
    }) = &by_id(&r, "pull-denied-caller-copy").class.linked_question
    else {
        panic!("no pull question")
    };
    assert_eq!(action, "ecr:BatchGetImage");
    assert_eq!(
        principal_arn.value(),
        Some("arn:aws:sts::222222222222:assumed-role/codebuild-service-role/AWSCodeBuild-7d3c")
    );
    assert_eq!(registry_id.value(), Some("111111111111"));
    assert_eq!(
        repository_arn.value(),
        Some("arn:aws:ecr:ap-northeast-1:111111111111:repository/source-repo")
    );
    assert_eq!(tag.value(), Some("base"));

    // The owner's copy names no ARN and its message is bare: say so, do not guess.
    let Some(LinkedQuestion::Pull {
        principal_arn, tag, ..
    }) = &by_id(&r, "pull-denied-owner-copy").class.linked_question
    else {
        panic!("no pull question")
    };
    let Derived::Missing { why } = principal_arn else {
        panic!("principal guessed: {principal_arn:?}")
    };
    assert!(
        why.contains("222222222222") && why.contains("shared-pull-2"),
        "{why}"
    );
    assert!(matches!(tag, Derived::Missing { why } if why.contains("layer")));
}

#[test]
fn denied_pushes_from_json_lines() {
    let r = report("denied-push.jsonl");
    assert_eq!(r.unparsed_records(), 0);
    assert_eq!(r.inputs[0].layout, crossdock::trail::Layout::JsonLines);
    assert_eq!(
        classes(&r),
        [
            row("push-init-denied", EventKind::Push, Some(true), true),
            row("push-put-denied-legacy", EventKind::Push, Some(true), true),
            row("push-complete-ok", EventKind::Push, Some(false), false),
            row("push-tag-exists", EventKind::Push, Some(false), false),
        ]
    );
    // Legacy message: the principal comes from errorMessage, the tag from the request.
    let Some(LinkedQuestion::Push {
        principal_arn, tag, ..
    }) = &by_id(&r, "push-put-denied-legacy").class.linked_question
    else {
        panic!("no push question")
    };
    assert_eq!(
        principal_arn,
        &Derived::Known {
            value: "arn:aws:iam::222222222222:root".into(),
            from: "errorMessage"
        }
    );
    assert_eq!(tag.value(), Some("v1.2.3"));
    let failed = by_id(&r, "push-tag-exists");
    assert_eq!(
        failed.event.error_code.as_deref(),
        Some("ImageTagAlreadyExistsException")
    );
    assert!(failed.class.linked_question.is_none());
}

#[test]
fn assume_role_in_both_accounts_from_a_gzip_log() {
    let r = report("assume-role.cloudtrail-log.json.gz");
    assert!(r.inputs[0].gzip);
    assert_eq!(r.unparsed_records(), 0);
    assert_eq!(
        classes(&r),
        [
            row(
                "assume-caller-copy",
                EventKind::AssumeRole,
                Some(true),
                false
            ),
            row(
                "assume-role-account-copy",
                EventKind::AssumeRole,
                Some(true),
                false
            ),
            row("assume-denied", EventKind::AssumeRole, Some(true), true),
            row("auth-token-ok", EventKind::AuthToken, Some(false), false),
        ]
    );
    assert!(r
        .events
        .iter()
        .all(|e| e.event.source_format == SourceFormat::CloudTrailLog));
    let ok = by_id(&r, "assume-caller-copy");
    assert_eq!(
        ok.event.response.assumed_role_arn.as_deref(),
        Some("arn:aws:sts::111111111111:assumed-role/assume-role-from-codebuild/RoleSessionFromCodeBuild")
    );
    let Some(LinkedQuestion::Assume {
        principal_arn,
        role_arn,
        external_id,
    }) = &by_id(&r, "assume-denied").class.linked_question
    else {
        panic!("no assume question")
    };
    assert!(principal_arn
        .value()
        .unwrap()
        .contains("codebuild-service-role"));
    assert_eq!(
        role_arn.value(),
        Some("arn:aws:iam::111111111111:role/assume-role-from-codebuild")
    );
    assert!(matches!(external_id, Derived::Missing { .. }));
}

#[test]
fn kms_decrypts_by_a_service_and_denied_cross_account() {
    let r = report("kms-decrypt.json");
    assert_eq!(
        classes(&r),
        [
            row("kms-decrypt-by-ecr", EventKind::KmsUse, None, false),
            row("kms-decrypt-denied", EventKind::KmsUse, Some(true), true),
        ]
    );
    let by_ecr = by_id(&r, "kms-decrypt-by-ecr");
    assert_eq!(
        by_ecr.event.request.ecr_arn_context.as_deref(),
        Some("arn:aws:ecr:ap-northeast-1:111111111111:repository/source-repo")
    );
    let Some(LinkedQuestion::Kms { action, key, .. }) =
        &by_id(&r, "kms-decrypt-denied").class.linked_question
    else {
        panic!("no kms question")
    };
    assert_eq!(action, "kms:Decrypt");
    assert!(key
        .value()
        .unwrap()
        .ends_with("key/1234abcd-12ab-34cd-56ef-1234567890ab"));
}

#[test]
fn ecr_native_events_of_every_kind() {
    let r = report("ecr-native-events.jsonl");
    assert_eq!(r.unparsed_records(), 0);
    assert_eq!(
        classes(&r),
        [
            row("ecr-push-1", EventKind::Push, None, false),
            row("ecr-push-by-digest", EventKind::Push, None, false),
            row("ecr-delete-1", EventKind::Other, None, false),
            row(
                "ecr-replication-1",
                EventKind::Replication,
                Some(true),
                false
            ),
            row("ecr-ptc-1", EventKind::PullThroughCache, None, false),
        ]
    );
    assert!(r
        .events
        .iter()
        .all(|e| e.event.source_format == SourceFormat::EventBridgeEcr));
    let push = by_id(&r, "ecr-push-1");
    assert_eq!(push.event.repository(), Some("example"));
    assert_eq!(push.event.image_tag(), Some("latest"));
    assert_eq!(
        push.event.recipient_account_id.as_deref(),
        Some("111111111111")
    );
    assert_eq!(by_id(&r, "ecr-push-by-digest").event.image_tag(), None);
}

/// (file, events, unparsed records, a word every error reason has).
const MALFORMED: &[(&str, usize, usize, &str)] = &[
    ("malformed/truncated.json", 2, 1, "truncated"),
    ("malformed/invalid-utf8.jsonl", 2, 2, ""),
    ("malformed/null-user-identity.json", 2, 0, ""),
    ("malformed/duplicate-keys.json", 2, 1, "duplicate field"),
    ("malformed/non-object-records.json", 1, 6, ""),
    ("malformed/deep-nesting.json.gz", 2, 1, "array"),
    ("malformed/huge-manifest.json.gz", 1, 0, ""),
];

#[test]
fn malformed_inputs_give_events_and_located_errors() {
    for &(name, events, errors, word) in MALFORMED {
        let r = report(name);
        assert_eq!(r.events.len(), events, "{name}: {:?}", r.errors);
        assert_eq!(r.unparsed_records(), errors, "{name}: {:?}", r.errors);
        for error in &r.errors {
            assert!(error.location.line.is_some(), "{name}: {error}");
            assert!(error.reason.contains(word), "{name}: {error}");
            assert!(
                error.reason.chars().count() <= 200,
                "{name}: reason too long"
            );
        }
    }
}

#[test]
fn malformed_details() {
    let r = report("malformed/truncated.json");
    assert_eq!(r.errors[0].location.index, Some(2));
    assert_eq!(r.errors[0].location.line, Some(3));

    let r = report("malformed/invalid-utf8.jsonl");
    let lines: Vec<_> = r.errors.iter().map(|e| e.location.line).collect();
    assert_eq!(lines, [Some(2), Some(3)]);

    let r = report("malformed/null-user-identity.json");
    let null = by_id(&r, "null-identity");
    assert!(null.event.user_identity.is_none());
    assert!(null.class.denied);
    assert_eq!(null.class.cross_account, None);
    let Some(LinkedQuestion::Pull { principal_arn, .. }) = &null.class.linked_question else {
        panic!("no pull question")
    };
    assert_eq!(
        principal_arn,
        &Derived::Missing {
            why: "userIdentity is missing or null".into()
        }
    );

    let r = report("malformed/duplicate-keys.json");
    let ids: Vec<_> = r
        .events
        .iter()
        .map(|e| e.event.event_id.clone().unwrap())
        .collect();
    assert_eq!(ids, ["first-records-key", "second-records-key"]);

    let r = report("malformed/deep-nesting.json.gz");
    assert_eq!(by_id(&r, "after-deep").class.kind, EventKind::Push);

    let r = report("malformed/huge-manifest.json.gz");
    assert_eq!(r.events[0].event.event_id.as_deref(), Some("huge-manifest"));
}

#[test]
fn every_corpus_file_renders_in_both_formats() {
    let mut names = Vec::new();
    for dir in ["", "malformed"] {
        for entry in std::fs::read_dir(corpus(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() && path.extension().is_some_and(|e| e != "md") {
                names.push(path);
            }
        }
    }
    let files: Vec<(String, Vec<u8>)> = names
        .iter()
        .map(|p| (p.display().to_string(), std::fs::read(p).unwrap()))
        .collect();
    let inputs = files.iter().map(|(n, b)| (n.as_str(), b.as_slice()));
    let r = build_report(inputs);
    let json = r.render(ReportFormat::Json);
    let lines: Vec<&str> = json.lines().collect();
    assert_eq!(lines.len(), r.events.len() + 1);
    let summary: serde_json::Value = serde_json::from_str(lines.last().unwrap()).unwrap();
    assert_eq!(summary["summary"]["events"], r.events.len());
    assert_eq!(summary["summary"]["unparsed_records"], r.unparsed_records());
    assert_eq!(r.inputs.len(), files.len());

    let text = r.render(ReportFormat::Text);
    assert!(text.lines().all(|l| l.chars().count() <= 100));
}

#[test]
fn formats_agree_on_the_same_record() {
    // One record, four wrappers: log file, LookupEvents, EventBridge, bare line.
    let record =
        std::fs::read_to_string(corpus("s3-cross-account-putimage.owner-copy.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&record).unwrap();
    let compact = value.to_string();
    let wrappers = [
        format!("{{\"Records\":[{compact}]}}"),
        serde_json::json!({"Events": [{"EventId": "x", "CloudTrailEvent": compact}]}).to_string(),
        serde_json::json!({"detail-type": "AWS API Call via CloudTrail", "source": "aws.ecr", "detail": value}).to_string(),
        format!("{compact}\n{compact}\n"),
    ];
    let mut seen = Vec::new();
    for text in &wrappers {
        let out = parse_bytes("w", text.as_bytes());
        assert_eq!(out.error_count(), 0, "{text}");
        let mut e = out.events[0].clone();
        e.source_format = SourceFormat::Record;
        e.envelope = None;
        seen.push(e);
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]));
}
