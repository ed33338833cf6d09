//! Malformed input on every CLI input path this crate owns (eval request files, snapshot
//! files, trail files, `explain error --file`): exit code 2, a message naming the file and
//! the position, nothing on stdout that looks like an answer, and no file written.
//! `crossdock snapshot -o` writes atomically: a failure leaves no partial or empty file.

#[cfg(feature = "aws")]
#[path = "support/moto.rs"]
mod moto;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh directory holding only `files`; the command runs inside it.
fn workdir(test: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("bad-input-{test}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("workdir");
    for (name, bytes) in files {
        fs::write(dir.join(name), bytes).expect("input file");
    }
    dir
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crossdock"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CROSSDOCK_LOG")
        .output()
        .expect("run crossdock")
}

/// The names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Exit 2, every one of `words` in stderr, and the directory unchanged.
fn assert_refused(dir: &Path, args: &[&str], words: &[&str]) {
    let before = listing(dir);
    let out = run(dir, args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    for word in words {
        assert!(stderr.contains(word), "{args:?}: `{word}` not in: {stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(listing(dir), before, "{args:?} wrote a file");
}

#[test]
fn malformed_eval_request_files_name_the_file_line_and_column() {
    let dir = workdir(
        "eval",
        &[
            ("syntax.json", b"{\"principal\": \"x\",\n  \"action\": }"),
            ("empty.json", b""),
            ("binary.json", b"\xff\xfe\x00garbage"),
        ],
    );
    assert_refused(
        &dir,
        &["eval", "syntax.json"],
        &["syntax.json", "line 2 column 13"],
    );
    assert_refused(&dir, &["eval", "empty.json"], &["empty.json", "line 1"]);
    assert_refused(&dir, &["eval", "binary.json"], &["binary.json"]);
    assert_refused(
        &dir,
        &["eval", "missing.json"],
        &["missing.json", "No such file"],
    );
}

#[test]
fn malformed_snapshot_files_name_the_file_line_and_column() {
    let dir = workdir(
        "snapshot",
        &[
            (
                "truncated.json",
                b"{\"format_version\": 1,\n \"accounts\": [",
            ),
            (
                "wrong-shape.json",
                b"{\"format_version\": 1, \"accounts\": [ {\"identity\": 3} ]}",
            ),
            ("future.json", b"{\"format_version\": 99, \"accounts\": []}"),
        ],
    );
    let explain = |file: &'static str| {
        [
            "explain",
            "--snapshot",
            file,
            "pull",
            "--principal",
            "ci",
            "--repo",
            "app",
        ]
    };
    assert_refused(&dir, &explain("truncated.json"), &["truncated.json:2:14"]);
    assert_refused(
        &dir,
        &explain("wrong-shape.json"),
        &["wrong-shape.json:1:50"],
    );
    assert_refused(
        &dir,
        &explain("future.json"),
        &["future.json", "format_version 99"],
    );
    assert_refused(&dir, &explain("gone.json"), &["gone.json", "No such file"]);
}

#[test]
fn malformed_trail_files_name_the_file_and_record() {
    let dir = workdir(
        "trail",
        &[
            ("cut.json", b"{\"Records\": [ {\"eventName\": 3 "),
            ("notjson.json", b"this is not json\n"),
        ],
    );
    assert_refused(
        &dir,
        &["trail", "--file", "cut.json"],
        &["cut.json", "line 1", "Records[0]"],
    );
    assert_refused(
        &dir,
        &["trail", "--file", "notjson.json"],
        &["notjson.json", "line 1"],
    );
    assert_refused(&dir, &["trail", "--file", "nope.json"], &["nope.json"]);
}

#[test]
fn explain_error_file_that_cannot_be_read_names_it() {
    let dir = workdir("error-file", &[]);
    fs::create_dir_all(dir.join("a-directory")).expect("dir");
    for args in [
        &["explain", "error", "--parse-only", "--file", "missing.log"][..],
        &["explain", "--demo", "error", "--file", "missing.log"][..],
    ] {
        assert_refused(&dir, args, &["missing.log", "No such file"]);
    }
    assert_refused(
        &dir,
        &["explain", "error", "--parse-only", "--file", "a-directory"],
        &["a-directory"],
    );
}

#[test]
fn a_log_file_that_cannot_be_opened_is_bad_input_too() {
    let dir = workdir("log", &[]);
    fs::create_dir_all(dir.join("taken")).expect("dir");
    assert_refused(
        &dir,
        &[
            "--log-file",
            "taken",
            "explain",
            "--demo",
            "scenario",
            "s1-broken",
        ],
        &["cannot open log file taken"],
    );
}

#[cfg(feature = "aws")]
mod snapshot_output {
    //! `crossdock snapshot -o` against the emulator: failures leave nothing behind.

    use super::moto::moto;
    use super::*;

    fn snapshot(dir: &Path, profile: &str, output: &str) -> Output {
        let paths = moto().write_profiles(&dir.join("aws"), &[("ops", "350000000001")]);
        Command::new(env!("CARGO_BIN_EXE_crossdock"))
            .args(["snapshot", "--profile", profile, "-o", output])
            .current_dir(dir)
            .env("AWS_CONFIG_FILE", &paths.config)
            .env("AWS_SHARED_CREDENTIALS_FILE", &paths.credentials)
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .env_remove("CROSSDOCK_LOG")
            .output()
            .expect("run crossdock")
    }

    #[test]
    fn a_failed_snapshot_leaves_no_partial_file_and_keeps_the_old_one() {
        let dir = workdir("snapshot-out", &[("old.json", b"old contents")]);
        fs::create_dir_all(dir.join("a-directory")).expect("dir");
        // A mistyped profile (bad input): nothing written, the old file untouched.
        let out = snapshot(&dir, "no-such-profile", "old.json");
        assert_eq!(out.status.code(), Some(2), "{out:?}");
        assert_eq!(
            fs::read_to_string(dir.join("old.json")).unwrap(),
            "old contents"
        );
        // Loaded, but the output cannot be written: exit 2 naming it, no temporary left.
        for target in ["missing-dir/snap.json", "a-directory"] {
            let before = listing(&dir);
            let out = snapshot(&dir, "ops", target);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{target}: {stderr}");
            assert!(stderr.contains(target), "{stderr}");
            assert_eq!(listing(&dir), before, "{target}");
            assert!(listing(&dir.join("a-directory")).is_empty());
        }
        // And a good run replaces the old file whole.
        let out = snapshot(&dir, "ops", "old.json");
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let text = fs::read_to_string(dir.join("old.json")).unwrap();
        assert!(text.contains("\"format_version\": 1"), "{text}");
        assert!(!listing(&dir).iter().any(|n| n.contains(".tmp")));
    }
}
