//! `crossdock trail --org-trail` on moto: an organisation trail bucket with gzipped log files
//! for several accounts and hours, each cross-account push recorded in the caller's and the
//! owner's folder with one `sharedEventID`: every push in the window is found exactly once
//! (both event ids kept), files outside the window are not read, `--accounts` narrows the
//! folders, and a damaged object is reported with its key.
#![cfg(feature = "aws")]

#[path = "support/moto.rs"]
mod moto;
#[path = "support/org_trail_bucket.rs"]
mod org_trail_bucket;

use std::io::Write;
use std::path::Path;

use moto::{moto, ProfilePaths, REGION};
use org_trail_bucket::{bucket, now, stamp, ARCHIVE, BUILD, REGISTRY};
use serde_json::{json, Value};

fn profiles(test: &str) -> ProfilePaths {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("org-trail-{test}-{}", std::process::id()));
    moto().write_profiles(&dir, &[("archive", ARCHIVE)])
}

fn trail(paths: &ProfilePaths, args: &[&str]) -> (Option<i32>, Vec<Value>, String) {
    let out = paths
        .crossdock()
        .args([
            "trail",
            "--profile",
            "archive",
            "--since",
            "24h",
            "--format",
            "json",
        ])
        .args(args)
        .output()
        .expect("run crossdock trail");
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    (
        out.status.code(),
        lines,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn event_ids(lines: &[Value]) -> Vec<(String, Vec<String>)> {
    let mut ids: Vec<(String, Vec<String>)> = lines
        .iter()
        .filter(|l| l.get("summary").is_none())
        .map(|l| {
            let others = l["other_event_ids"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            (
                l["event_id"].as_str().unwrap_or_default().to_string(),
                others,
            )
        })
        .collect();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread")]
async fn cross_account_pushes_are_found_once_and_a_damaged_object_is_named() {
    bucket("org-trail-all").await;
    let paths = profiles("all");
    let (code, lines, stderr) = trail(&paths, &["--org-trail", "s3://org-trail-all/logs"]);
    // A damaged object leaves the answer incomplete: exit 3 (unknown), the rest shown.
    assert_eq!(code, Some(3), "{stderr}");
    // The owner's copy is kept; the caller's event id rides along; the 30-hour-old push
    // is outside the window.
    let owner = |n: &str| (format!("owner-{n}"), vec![format!("caller-{n}")]);
    assert_eq!(
        event_ids(&lines),
        vec![owner("a"), owner("b"), owner("c")],
        "{lines:?}"
    );
    assert!(lines
        .iter()
        .all(|l| l.get("summary").is_some() || l["cross_account"] == true));
    assert!(
        stderr.contains(
            "damaged object s3://org-trail-all/logs/AWSLogs/o-testorg123/194000000003/CloudTrail/"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("_broken.json.gz"), "{stderr}");
    assert!(stderr.contains("records/s"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn accounts_narrow_the_folders_read() {
    bucket("org-trail-narrow").await;
    let paths = profiles("narrow");
    let (code, lines, stderr) = trail(
        &paths,
        &[
            "--org-trail",
            "s3://org-trail-narrow/logs/",
            "--accounts",
            REGISTRY,
            "--regions",
            REGION,
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let ids: Vec<String> = event_ids(&lines).into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, ["owner-a", "owner-b", "owner-c"], "{stderr}");
    assert!(!stderr.contains("damaged"), "{stderr}");
}

/// Queues the rows moto's Athena returns for the next query of `account` (moto serves
/// StartQueryExecution / GetQueryExecution / GetQueryResults but runs no SQL).
fn queue_athena_rows(account: &str, rows: &[Vec<Option<String>>]) {
    let cell = |v: &Option<String>| match v {
        Some(text) => json!({ "VarCharValue": text }),
        None => json!({}),
    };
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| json!({ "Data": r.iter().map(cell).collect::<Vec<_>>() }))
        .collect();
    let body = json!({
        "account_id": account, "region": REGION,
        "results": [{ "rows": rows, "column_info": [] }]
    })
    .to_string();
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", moto().port())).expect("connect");
    write!(
        stream,
        "POST /moto-api/static/athena/query-results HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut reply = String::new();
    std::io::Read::read_to_string(&mut stream, &mut reply).expect("reply");
    assert!(
        reply.starts_with("HTTP/1.0 20") || reply.starts_with("HTTP/1.1 20"),
        "{reply}"
    );
}

/// A result row in `crossdock::trail::athena_sql::COLUMNS` order.
fn athena_row(event_id: &str, recipient: &str, caller: &str) -> Vec<Option<String>> {
    let s = |v: &str| Some(v.to_string());
    vec![
        s(event_id),
        s("PutImage"),
        Some(stamp(now() - 3600, "%Y-%m-%dT%H:%M:%SZ")),
        s("ecr.amazonaws.com"),
        s(REGION),
        s(recipient),
        s("shared-athena"),
        None,
        None,
        s("docker"),
        s("AssumedRole"),
        s(&format!("arn:aws:sts::{caller}:assumed-role/ci/build-1")),
        s(caller),
        s(&json!({"repositoryName": "app", "registryId": REGISTRY, "imageTag": "v1"}).to_string()),
        None,
        s(&json!([format!("arn:aws:ecr:{REGION}:{REGISTRY}:repository/app")]).to_string()),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn athena_answers_a_wide_window_through_the_three_opt_in_calls() {
    // The archive account's own Athena (moto keeps one per account).
    let header: Vec<Option<String>> = crossdock::trail::athena_sql::COLUMNS
        .iter()
        .map(|c| Some(c.to_string()))
        .collect();
    queue_athena_rows(
        ARCHIVE,
        &[
            header,
            athena_row("caller-x", BUILD, BUILD),
            athena_row("owner-x", REGISTRY, BUILD),
        ],
    );
    let paths = profiles("athena");
    let out = paths
        .crossdock()
        .args([
            "trail",
            "--profile",
            "archive",
            "--org-trail",
            "s3://org-trail-athena",
        ])
        .args([
            "--since",
            "30d",
            "--accounts",
            REGISTRY,
            "--athena-workgroup",
            "primary",
        ])
        .args([
            "--athena-table",
            "trails.cloudtrail_org",
            "--format",
            "json",
        ])
        .output()
        .expect("run crossdock trail");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(
        event_ids(&lines),
        [("owner-x".to_string(), vec!["caller-x".to_string()])],
        "{lines:?}"
    );
    // The query moto received is the documented table's, pruned by day, account and event.
    let athena = aws_sdk_athena::Client::new(&moto().sdk_config(ARCHIVE).await);
    let ids = athena.list_query_executions().send().await.expect("list");
    let id = ids
        .query_execution_ids()
        .last()
        .expect("one query")
        .to_string();
    let execution = athena
        .get_query_execution()
        .query_execution_id(id)
        .send()
        .await
        .expect("get");
    let sql = execution
        .query_execution()
        .and_then(|q| q.query())
        .unwrap_or_default()
        .to_string();
    assert!(
        sql.starts_with("SELECT eventid, eventname, eventtime"),
        "{sql}"
    );
    assert!(
        sql.contains("FROM trails.cloudtrail_org WHERE timestamp BETWEEN '"),
        "{sql}"
    );
    assert!(sql.contains(&format!("account IN ('{REGISTRY}')")), "{sql}");
    assert!(sql.contains("eventname IN ('PutImage')"), "{sql}");
}
