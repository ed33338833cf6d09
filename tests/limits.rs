//! Bounded inputs and honest exit codes: `--file /dev/zero` and a runaway stdin end with a
//! message, a FIFO in an `eval` directory is skipped instead of hanging, a mistyped profile
//! is bad input (2) rather than "unknown" (3), and output that cannot be written (`/dev/full`)
//! never exits 1, which means "fails".

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("limits-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crossdock"));
    cmd.args(args).env("NO_COLOR", "1").stdin(Stdio::null());
    cmd
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(unix)]
#[test]
fn a_pasted_text_file_of_endless_zeros_is_refused() {
    let out = command(&["explain", "--demo", "error", "--file", "/dev/zero"])
        .output()
        .expect("run");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("/dev/zero holds more than 16 MiB"),
        "{stderr}"
    );
}

#[test]
fn stdin_beyond_the_cap_is_refused() {
    let mut child = command(&["explain", "--demo", "error"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'a'; 1024 * 1024];
        for _ in 0..17 {
            // The reader stops at the cap and may close the pipe early.
            if stdin.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("stdin holds more than 16 MiB"), "{stderr}");
}

#[test]
fn invalid_utf8_is_refused_through_file_as_on_stdin() {
    let dir = scratch("utf8");
    let file = dir.join("latin1.log");
    std::fs::write(&file, b"denied: caf\xe9").expect("write");
    let out = command(&[
        "explain",
        "--demo",
        "error",
        "--file",
        &file.display().to_string(),
    ])
    .output()
    .expect("run");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("is not UTF-8 text"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn a_fifo_in_an_eval_directory_is_skipped_with_a_note() {
    let dir = scratch("fifo");
    let case = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/eval-cases/001-same-account-identity-allow-only.json");
    std::fs::copy(&case, dir.join("001.json")).expect("copy");
    let fifo = dir.join("002-fifo.json");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let mut child = command(&["eval", &dir.display().to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // A hang is the failure this test exists for: give up (and fail) rather than wait forever.
    let mut waited = 0;
    while child.try_wait().expect("try_wait").is_none() {
        if waited == 600 {
            let _ = child.kill();
            panic!("crossdock eval blocked on a FIFO");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        waited += 1;
    }
    let out = child.wait_with_output().expect("output");
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("1 passed, 0 failed"), "{stdout}");
    assert!(
        stderr.contains("skipping")
            && stderr.contains("002-fifo.json")
            && stderr.contains("not a regular file"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(feature = "aws")]
#[test]
fn a_mistyped_profile_is_bad_input() {
    let dir = scratch("profile");
    std::fs::write(dir.join("config"), "[profile build]\nregion = eu-west-1\n").expect("config");
    std::fs::write(dir.join("credentials"), "").expect("credentials");
    let run = |args: &[&str]| -> std::process::Output {
        command(args)
            .env("AWS_CONFIG_FILE", dir.join("config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"))
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_PROFILE")
            .output()
            .expect("run")
    };
    let out_file = dir.join("s.json").display().to_string();
    for args in [
        &[
            "explain",
            "--profile-a",
            "biuld",
            "pull",
            "--principal",
            "r",
            "--repo",
            "x",
        ][..],
        &["snapshot", "--profile", "biuld", "-o", &out_file][..],
        &["trail", "--profile", "biuld"][..],
    ] {
        let out = run(args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("no profile `biuld`") && stderr.contains("known: build"),
            "{stderr}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(target_os = "linux")]
#[test]
fn output_that_cannot_be_written_is_not_a_verdict() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = command(&["explain", "--demo", "scenario", "s1-fixed"])
        .stdout(full)
        .output()
        .expect("run");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot write the output"), "{stderr}");
}

#[test]
fn trail_files_refuse_the_options_of_the_live_mode() {
    let dir = scratch("trail-options");
    let file = dir.join("t.json");
    std::fs::write(&file, r#"{"Records":[]}"#).expect("write");
    let path = file.display().to_string();
    for (option, value) in [
        ("--since", Some("garbage")),
        ("--events", Some("Bogus")),
        ("--follow", None),
    ] {
        let mut args = vec!["trail", "--file", &path, option];
        args.extend(value);
        let out = command(&args).output().expect("run");
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{option}: {stderr}");
        assert!(
            stderr.contains(option) && stderr.contains("--profile"),
            "{stderr}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_byte_order_mark_is_accepted_by_eval_and_snapshots_as_by_trail() {
    let dir = scratch("bom");
    let case = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/eval-cases/001-same-account-identity-allow-only.json");
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend(std::fs::read(&case).expect("case"));
    let request = dir.join("bom.json");
    std::fs::write(&request, bytes).expect("write");
    let out = command(&["eval", &request.display().to_string()])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    let accounts = crossdock::inventory::demo::load().expect("demo");
    let mut snapshot = b"\xef\xbb\xbf".to_vec();
    snapshot.extend(
        crossdock::inventory::snapshot::to_string(&accounts)
            .expect("JSON")
            .into_bytes(),
    );
    let file = dir.join("bom-snapshot.json");
    std::fs::write(&file, snapshot).expect("write");
    let out = command(&[
        "explain",
        "--snapshot",
        &file.display().to_string(),
        "pull",
        "--principal",
        "codebuild-service-role",
        "--repo",
        "source-repo",
    ])
    .output()
    .expect("run");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}
