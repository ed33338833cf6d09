//! Which credentials sign, and what a failing helper may show: an explicitly named profile
//! wins over `AWS_ACCESS_KEY_ID` in the environment (as in the AWS CLI), the output says which
//! source each account was read with, and a failing `credential_process` never has its
//! stderr (where helpers print tokens) echoed. Runs the binary against the emulator.
#![cfg(feature = "aws")]

#[path = "support/moto.rs"]
mod moto;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use moto::{moto, ProfilePaths, REGION};

/// Accounts of this test only (moto keeps accounts apart).
const BUILD: &str = "310000000001";
const REGISTRY: &str = "310000000002";
/// moto's account for keys it did not issue: where the environment's keys act.
const MOTO_DEFAULT_ACCOUNT: &str = "123456789012";
/// What the failing helper prints on stderr; it must never reach crossdock's output.
const SENTINEL: &str = "SENTINEL-helper-stderr-token-0451";

fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("credentials-{test}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Runs crossdock with only these profile files, and environment keys when `env_keys`.
fn crossdock(paths: &ProfilePaths, env_keys: bool, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crossdock"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", paths.config.parent().expect("dir"))
        .env("AWS_CONFIG_FILE", &paths.config)
        .env("AWS_SHARED_CREDENTIALS_FILE", &paths.credentials)
        // No instance metadata probes off EC2.
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1");
    if env_keys {
        cmd.env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_ENDPOINT_URL", moto().endpoint())
            .env("AWS_REGION", REGION);
    }
    cmd.output().expect("run crossdock")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn an_explicit_profile_beats_environment_credentials() {
    let dir = scratch("precedence");
    let paths = moto().write_profiles(&dir, &[("build", BUILD), ("registry", REGISTRY)]);
    let file = dir.join("pair.json");
    let out = crossdock(
        &paths,
        true,
        &[
            "snapshot",
            "--profile",
            "build",
            "--profile-b",
            "registry",
            "-o",
            &file.display().to_string(),
        ],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let saved: serde_json::Value =
        serde_json::from_slice(&fs::read(&file).expect("snapshot")).expect("JSON");
    let text_of_file = saved.to_string();
    assert!(
        text_of_file.contains(&format!("\"{BUILD}\"")),
        "account A is the profile's account: {stderr}"
    );
    assert!(
        text_of_file.contains(&format!("\"{REGISTRY}\"")),
        "account B is the profile's account: {stderr}"
    );
    assert!(
        !text_of_file.contains(MOTO_DEFAULT_ACCOUNT),
        "the environment's keys signed: {stderr}"
    );
    // Each side says where its credentials came from, and that the environment lost.
    for profile in ["build", "registry"] {
        let line = stderr
            .lines()
            .find(|l| l.contains(&format!("with profile `{profile}`")))
            .unwrap_or_else(|| panic!("no line for {profile}: {stderr}"));
        assert!(
            line.contains("role_arn via source_profile `moto-base`")
                && line.contains("AWS_ACCESS_KEY_ID in the environment is ignored"),
            "{line}"
        );
    }
    // explain's JSON names each side's profile, account and credential source.
    let principal = format!("arn:aws:iam::{BUILD}:role/r");
    let repo = format!("arn:aws:ecr:{REGION}:{REGISTRY}:repository/x");
    let out = crossdock(
        &paths,
        true,
        &[
            "explain",
            "--profile-a",
            "build",
            "--profile-b",
            "registry",
            "--format",
            "json",
            "pull",
            "--principal",
            &principal,
            "--repo",
            &repo,
        ],
    );
    let stderr = text(&out.stderr);
    assert!(matches!(out.status.code(), Some(0 | 1 | 3)), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let source = &json["data_source"];
    assert_eq!(source["kind"], "live", "{source}");
    let profiles = source["profiles"].as_array().expect("profiles");
    let accounts: Vec<&str> = profiles
        .iter()
        .filter_map(|p| p["account"].as_str())
        .collect();
    assert_eq!(accounts.len(), 2, "{source}");
    assert!(
        accounts.contains(&BUILD) && accounts.contains(&REGISTRY),
        "{source}"
    );
    for profile in profiles {
        let credentials = profile["credentials"].as_str().expect("credentials");
        assert!(credentials.contains("is ignored"), "{credentials}");
    }
    fs::remove_dir_all(&dir).expect("cleanup");
}

#[test]
fn a_failing_credential_process_is_named_but_never_echoed() {
    let dir = scratch("process");
    let paths = moto().write_profiles(&dir, &[]);
    let script = dir.join("helper.sh");
    fs::write(
        &script,
        format!("#!/bin/sh\necho 'session token: {SENTINEL}' >&2\nexit 7\n"),
    )
    .expect("script");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let mut config = fs::read_to_string(&paths.config).expect("config");
    config.push_str(&format!(
        "\n[profile leaky]\ncredential_process = {}\nregion = {REGION}\nendpoint_url = {}\n",
        script.display(),
        moto().endpoint()
    ));
    fs::write(&paths.config, config).expect("config");

    let explain = crossdock(
        &paths,
        false,
        &[
            "explain",
            "--profile-a",
            "leaky",
            "pull",
            "--principal",
            "arn:aws:iam::111111111111:role/r",
            "--repo",
            "arn:aws:ecr:ap-northeast-1:222222222222:repository/x",
        ],
    );
    let snapshot_file = dir.join("s.json");
    let snapshot = crossdock(
        &paths,
        false,
        &[
            "snapshot",
            "--profile",
            "leaky",
            "-o",
            &snapshot_file.display().to_string(),
        ],
    );
    for (name, out, want) in [("explain", &explain, 3), ("snapshot", &snapshot, 4)] {
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(want), "{name}: {stderr}");
        assert!(
            !stdout.contains(SENTINEL) && !stderr.contains(SENTINEL),
            "{name} echoed the helper's stderr: {stderr}"
        );
        assert!(
            stderr.contains(
                "credential_process for profile `leaky` failed (exit 7); run it by hand to see its message"
            ),
            "{name}: {stderr}"
        );
    }
    fs::remove_dir_all(&dir).expect("cleanup");
}
