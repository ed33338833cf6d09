//! crossdock is read-only, provably: every AWS SDK request sent anywhere under `src/` (each
//! `.send()` chain) must name an operation on the allowlist, and every allowlisted
//! operation must be a read. `docs/iam-policy.json` must equal the policy generated from
//! the allowlist; regenerate it with
//! `CROSSDOCK_WRITE_IAM_POLICY=1 cargo test --test read_only`.
#![cfg(feature = "aws")]

use std::path::{Path, PathBuf};

use crossdock::aws::allowlist::{
    allowed_method, iam_policy_text, is_read_verb, opt_in_method, OPT_IN_OPERATIONS,
    READ_OPERATIONS,
};

/// One SDK request found in source: where, and the methods of its builder chain.
#[derive(Debug)]
struct Request {
    location: String,
    chain: Vec<String>,
}

/// Every `.send()` chain in `text`, with the method names called on the way to it.
fn requests(origin: &str, text: &str) -> Vec<Request> {
    let code = strip_comments(text);
    let bytes = code.as_bytes();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = code[from..].find(".send()") {
        let at = from + offset;
        from = at + 1;
        let line = code[..at].matches('\n').count() + 1;
        found.push(Request {
            location: format!("{origin}:{line}"),
            chain: chain_before(bytes, at),
        });
    }
    found
}

/// Walks back from the `.` of `.send()` over `.method(args)` links to the chain's root.
fn chain_before(bytes: &[u8], mut at: usize) -> Vec<String> {
    let mut methods = Vec::new();
    loop {
        // `at` points at a `.`; the link before it ends with `)` or an identifier.
        let mut end = at;
        while end > 0 && bytes[end - 1].is_ascii_whitespace() {
            end -= 1;
        }
        if end == 0 {
            break;
        }
        let mut cursor = end;
        let called = bytes[cursor - 1] == b')';
        if called {
            let mut depth = 0usize;
            while cursor > 0 {
                cursor -= 1;
                match bytes[cursor] {
                    b')' => depth += 1,
                    b'(' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
            }
        }
        let name_end = cursor;
        let mut name_start = name_end;
        while name_start > 0
            && (bytes[name_start - 1].is_ascii_alphanumeric() || bytes[name_start - 1] == b'_')
        {
            name_start -= 1;
        }
        if name_start == name_end {
            break;
        }
        if called {
            methods.push(String::from_utf8_lossy(&bytes[name_start..name_end]).into_owned());
        }
        let mut before = name_start;
        while before > 0 && bytes[before - 1].is_ascii_whitespace() {
            before -= 1;
        }
        if before == 0 || bytes[before - 1] != b'.' {
            break;
        }
        at = before - 1;
    }
    methods.reverse();
    methods
}

/// Source without `//` comments (doc comments mention operations freely).
fn strip_comments(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Why a request is not allowed, if it is not.
fn violation(request: &Request) -> Option<String> {
    // The operation is the first link that names one (`client.get_role()` or
    // `self.clients.iam.get_role()`); later links are its setters (`set_marker`) and
    // paginators, which is why only the first candidate counts.
    let operation = request.chain.iter().find(|m| {
        allowed_method(m).is_some() || opt_in_method(m).is_some() || looks_like_operation(m)
    });
    match operation {
        Some(op) if allowed_method(op).is_some() => None,
        // An opt-in call (made only under its flag) is allowed in its one file alone.
        Some(op) => match opt_in_method(op) {
            Some(opt) if request.location.starts_with(&format!("{}:", opt.file)) => None,
            Some(opt) => Some(format!(
                "{}: `{op}` ({}, opt-in under {}) may only be called from {}",
                request.location, opt.action, opt.flag, opt.file
            )),
            None => Some(format!(
                "{}: `{op}` is not on the read-only allowlist (chain {:?})",
                request.location, request.chain
            )),
        },
        None => Some(format!(
            "{}: no allowlisted operation in chain {:?}",
            request.location, request.chain
        )),
    }
}

/// Verbs of AWS operations that change something (a non-exhaustive safety net; the
/// allowlist is what decides).
fn looks_like_operation(method: &str) -> bool {
    const VERBS: &[&str] = &[
        "put",
        "create",
        "delete",
        "update",
        "set",
        "tag",
        "untag",
        "attach",
        "detach",
        "start",
        "stop",
        "enable",
        "disable",
        "schedule",
        "cancel",
        "upload",
        "initiate",
        "complete",
        "batch",
        "replicate",
        "import",
        "add",
        "remove",
        "modify",
        "register",
        "deregister",
        "reset",
        "retry",
        "assume",
        "simulate",
        "invoke",
        "send",
        "publish",
        "run",
        "terminate",
        "restore",
        "copy",
        "generate",
        "encrypt",
        "decrypt",
        "sign",
        "rotate",
        "revoke",
        "retire",
        "change",
        "accept",
        "reject",
        "associate",
        "disassociate",
        "apply",
        "override",
        "execute",
        "test",
        "get",
        "list",
        "describe",
        "lookup",
    ];
    let first = method.split('_').next().unwrap_or(method);
    method.contains('_') && VERBS.contains(&first)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_sdk_call_under_src_is_an_allowlisted_read() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut all = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read");
        let origin = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        all.extend(requests(&origin, &text));
    }
    let violations: Vec<String> = all.iter().filter_map(violation).collect();
    assert!(violations.is_empty(), "{}", violations.join("\n"));
    // The gateway alone sends one request per allowlisted loader operation.
    assert!(
        all.len() >= 25,
        "only {} requests found: {all:?}",
        all.len()
    );
}

#[test]
fn the_scanner_catches_a_mutating_call() {
    let fixture = r#"
        async fn sneaky(ecr: &aws_sdk_ecr::Client) {
            // .delete_repository() in a comment is fine
            ecr.put_image()
                .repository_name("app")
                .image_manifest(format!("{}", 1))
                .send()
                .await;
            let _ = self.inner.kms.schedule_key_deletion().key_id(k).send().await;
            let ok = self.inner.iam.get_role().role_name(n).send().await;
            let pages = iam.list_roles().into_paginator().send();
        }
    "#;
    let found = requests("fixture.rs", fixture);
    assert_eq!(found.len(), 4, "{found:?}");
    let violations: Vec<String> = found.iter().filter_map(violation).collect();
    assert_eq!(violations.len(), 2, "{violations:?}");
    assert!(violations[0].contains("put_image"), "{violations:?}");
    // Located at the `.send()` line.
    assert!(violations[0].starts_with("fixture.rs:7:"), "{violations:?}");
    assert!(violations[1].contains("schedule_key_deletion"));
    // An operation nobody allowlisted is refused even when its verb reads.
    let unknown = requests("f.rs", "iam.get_account_authorization_details().send()");
    assert!(violation(&unknown[0]).is_some());
}

#[test]
fn the_allowlist_holds_reads_only() {
    for allowed in READ_OPERATIONS {
        assert!(
            is_read_verb(allowed.action),
            "{} is not a read",
            allowed.action
        );
    }
}

#[test]
fn docs_iam_policy_matches_the_allowlist() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/iam-policy.json");
    let generated = iam_policy_text();
    if std::env::var_os("CROSSDOCK_WRITE_IAM_POLICY").is_some() {
        std::fs::write(&path, &generated).expect("write docs/iam-policy.json");
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        on_disk, generated,
        "docs/iam-policy.json is stale: run `CROSSDOCK_WRITE_IAM_POLICY=1 cargo test --test read_only`"
    );
}

/// Every source file under `src/`, with its path relative to the crate.
fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).expect("read");
            let origin = file
                .strip_prefix(root)
                .unwrap_or(&file)
                .display()
                .to_string();
            (origin, text)
        })
        .collect()
}

#[test]
fn sdk_clients_exist_only_in_the_gateway_and_the_trail_poller() {
    // The `.send()` scan covers whatever sends; this keeps the places that can send few
    // and known, and refuses the SDK's other ways of sending.
    const HOLDERS: &[&str] = &[
        "src/aws/gateway.rs",
        "src/aws/trail_poller.rs",
        "src/aws/org_clients.rs",
        "src/aws/athena.rs",
    ];
    let mut found = Vec::new();
    for (origin, text) in sources() {
        let code = strip_comments(&text);
        for pattern in [
            "Client::new(",
            "Client::from_conf(",
            ".send_with(",
            "orchestrate(",
        ] {
            let allowed = pattern.starts_with("Client") && HOLDERS.contains(&origin.as_str());
            if code.contains(pattern) && !allowed {
                found.push(format!("{origin}: {pattern}"));
            }
        }
    }
    assert!(found.is_empty(), "SDK use outside the gateway: {found:?}");
}

#[test]
fn the_trail_pollers_lookup_events_is_scanned_and_allowlisted() {
    let lookups: Vec<Request> = sources()
        .iter()
        .flat_map(|(origin, text)| requests(origin, text))
        .filter(|r| r.chain.iter().any(|m| m == "lookup_events"))
        .collect();
    assert_eq!(lookups.len(), 1, "{lookups:?}");
    assert!(lookups[0].location.starts_with("src/aws/trail_poller.rs:"));
    assert!(violation(&lookups[0]).is_none());
    assert!(iam_policy_text().contains("cloudtrail:LookupEvents"));
}

#[test]
fn opt_in_calls_are_made_only_from_their_file_and_only_these_three_athena_calls() {
    let athena: Vec<&str> = OPT_IN_OPERATIONS
        .iter()
        .filter(|o| o.flag == "--athena-workgroup")
        .map(|o| o.action)
        .collect();
    assert_eq!(
        athena,
        [
            "athena:StartQueryExecution",
            "athena:GetQueryExecution",
            "athena:GetQueryResults"
        ]
    );
    let mut found = Vec::new();
    for (origin, text) in sources() {
        for request in requests(&origin, &text) {
            if let Some(opt) = request.chain.iter().find_map(|m| opt_in_method(m)) {
                found.push((opt.action, origin.clone()));
                assert!(violation(&request).is_none(), "{:?}", violation(&request));
            }
        }
    }
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found.iter().all(|(_, file)| file == "src/aws/athena.rs"));
    // AssumeRole is made by aws-config's provider, for --org-role, from one file.
    let holders: Vec<String> = sources()
        .into_iter()
        .filter(|(_, text)| strip_comments(text).contains("AssumeRoleProvider"))
        .map(|(origin, _)| origin)
        .collect();
    assert_eq!(holders, ["src/aws/org_access.rs"]);
    // Elsewhere, an opt-in call is refused.
    let sneaky = requests(
        "src/aws/load/ecr.rs",
        "athena.start_query_execution().send()",
    );
    assert!(violation(&sneaky[0]).is_some_and(|v| v.contains("opt-in under --athena-workgroup")));
}
