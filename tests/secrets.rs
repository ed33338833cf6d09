//! Credentials never leak: the binary runs against the emulator with profiles holding known
//! fake credentials (an IAM user's access key made in moto as the `source_profile` of role
//! profiles, a `credential_process` printing known JSON, static session keys answered
//! `ExpiredToken` by the fault proxy, a `credential_process` printing broken JSON), through
//! `explain`, `snapshot` and `trail`, with the file log on. stdout, stderr, every log file
//! and the snapshot are searched for every secret string and for anything shaped like an
//! access key id. Debug output of the types holding clients is checked too (panics print it).
#![cfg(feature = "aws")]

#[path = "support/fault_proxy.rs"]
mod fault_proxy;
#[path = "support/moto.rs"]
mod moto;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crossdock::aws::trail_poller::{EventFilter, PollerConfig, TrailPoller};
use crossdock::aws::{AccountReader, Gateway, Loader, Readers};
use fault_proxy::{Fault, FaultProxy, Rule};
use moto::{moto, REGION};

/// Keys a `credential_process` prints (moto acts in its default account for unknown keys).
const PROCESS_KEY: &str = "AKIAPROCESSFAKE00042";
const PROCESS_SECRET: &str = "procSecretFake/0042+KnownValueForTestsXy";
const PROCESS_TOKEN: &str = "procTokenFake0042IQoJb3JpZ2luX2VjEKnownSessionToken0042";
/// Static session keys in a profile whose endpoint answers `ExpiredToken`.
const SESSION_KEY: &str = "ASIASESSIONFAKE00043";
const SESSION_SECRET: &str = "sessSecretFake/0043+KnownValueForTestsXy";
const SESSION_TOKEN: &str = "sessTokenFake0043IQoJb3JpZ2luX2VjEKnownSessionToken0043";
/// What a broken `credential_process` prints before its JSON breaks off.
const BROKEN_KEY: &str = "AKIABROKENPROCES0044";
const BROKEN_SECRET: &str = "brokSecretFake/0044+KnownValueForTestsXy";

/// Every command's outputs, named for the failure message.
struct Outputs(Vec<(String, String)>);

impl Outputs {
    fn run<A: AsRef<std::ffi::OsStr>>(&mut self, name: &str, env: &Env, args: &[A]) -> Option<i32> {
        let out = Command::new(env!("CARGO_BIN_EXE_crossdock"))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &env.dir)
            .env("AWS_CONFIG_FILE", env.dir.join("config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", env.dir.join("credentials"))
            .env("NO_COLOR", "1")
            .output()
            .expect("run crossdock");
        self.0.push((
            format!("{name} stdout"),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        ));
        self.0.push((
            format!("{name} stderr"),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ));
        out.status.code()
    }

    fn file(&mut self, path: &Path) {
        let text = fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("{} was not written: {e}", path.display()));
        self.0.push((path.display().to_string(), text));
    }
}

struct Env {
    dir: PathBuf,
    secrets: Vec<String>,
}

/// Profile files: `build`/`registry` assume roles from an IAM user's key, `proc` and
/// `broken` run credential processes, `session` holds keys the proxy calls expired.
async fn environment(proxy: &FaultProxy) -> Env {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("secrets-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("dir");
    let iam = aws_sdk_iam::Client::new(&moto().base_config());
    iam.create_user()
        .user_name("crossdock-operator")
        .send()
        .await
        .expect("iam:CreateUser");
    let key = iam
        .create_access_key()
        .user_name("crossdock-operator")
        .send()
        .await
        .expect("iam:CreateAccessKey");
    let key = key.access_key().expect("key");
    let (user_key, user_secret) = (key.access_key_id(), key.secret_access_key());

    let script = |name: &str, body: &str| {
        let path = dir.join(name);
        fs::write(&path, format!("#!/bin/sh\ncat <<'JSON'\n{body}\nJSON\n")).expect("script");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        path
    };
    let good = script(
        "good-process.sh",
        &format!(
            r#"{{"Version": 1, "AccessKeyId": "{PROCESS_KEY}", "SecretAccessKey": "{PROCESS_SECRET}", "SessionToken": "{PROCESS_TOKEN}"}}"#
        ),
    );
    let broken = script(
        "broken-process.sh",
        &format!(
            r#"{{"Version": 1, "AccessKeyId": "{BROKEN_KEY}", "SecretAccessKey": "{BROKEN_SECRET}", "#
        ),
    );
    let moto_url = moto().endpoint();
    let proxy_url = proxy.endpoint();
    let role = |account: &str| format!("arn:aws:iam::{account}:role/{}", moto::ROLE_NAME);
    let config = format!(
        "[profile base]\nregion = {REGION}\nendpoint_url = {moto_url}\n\n\
         [profile build]\nrole_arn = {}\nsource_profile = base\nregion = {REGION}\nendpoint_url = {moto_url}\n\n\
         [profile registry]\nrole_arn = {}\nsource_profile = base\nregion = {REGION}\nendpoint_url = {moto_url}\n\n\
         [profile proc]\ncredential_process = {}\nregion = {REGION}\nendpoint_url = {moto_url}\n\n\
         [profile broken]\ncredential_process = {}\nregion = {REGION}\nendpoint_url = {moto_url}\n\n\
         [profile session]\nregion = {REGION}\nendpoint_url = {proxy_url}\n",
        role("111111111111"),
        role("222222222222"),
        good.display(),
        broken.display(),
    );
    let credentials = format!(
        "[base]\naws_access_key_id = {user_key}\naws_secret_access_key = {user_secret}\n\n\
         [session]\naws_access_key_id = {SESSION_KEY}\naws_secret_access_key = {SESSION_SECRET}\n\
         aws_session_token = {SESSION_TOKEN}\n"
    );
    fs::write(dir.join("config"), config).expect("config");
    fs::write(dir.join("credentials"), credentials).expect("credentials");
    let secrets = [
        user_key,
        user_secret,
        PROCESS_KEY,
        PROCESS_SECRET,
        PROCESS_TOKEN,
        SESSION_KEY,
        SESSION_SECRET,
        SESSION_TOKEN,
        BROKEN_KEY,
        BROKEN_SECRET,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    Env { dir, secrets }
}

/// The first `AKIA…`/`ASIA…` access key id shape in `text`, if any.
fn key_id_shape(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(19)).find_map(|i| {
        let word = &text.get(i..i + 20)?;
        let starts = word.starts_with("AKIA") || word.starts_with("ASIA");
        let body = word
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        let bounded = i + 20 == bytes.len() || !bytes[i + 20].is_ascii_alphanumeric();
        (starts && body && bounded).then_some(*word)
    })
}

#[tokio::test]
async fn no_output_channel_ever_shows_a_credential() {
    let proxy = FaultProxy::with_rules(moto().port(), vec![Rule::new("*", Fault::ExpiredToken)]);
    let env = environment(&proxy).await;
    let log = |name: &str| env.dir.join(format!("{name}.log"));
    let pull = [
        "pull",
        "--principal",
        "arn:aws:iam::111111111111:role/codebuild-service-role",
        "--repo",
        "arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo",
    ];
    let mut outputs = Outputs(Vec::new());
    let explain = |profile_args: &[&str], log: &Path| -> Vec<String> {
        let mut args: Vec<String> = vec!["--log-file".into(), log.display().to_string()];
        args.extend(["explain".into(), "--stats".into()]);
        args.extend(profile_args.iter().map(|s| s.to_string()));
        args.extend(pull.iter().map(|s| s.to_string()));
        args
    };

    // Role profiles from an IAM user's key: a real answer (whatever the verdict).
    let args = explain(
        &["--profile-a", "build", "--profile-b", "registry"],
        &log("pair"),
    );
    let code = outputs.run("explain pair", &env, &args);
    assert!(
        matches!(code, Some(0 | 1 | 3)),
        "{code:?}: {:?}",
        outputs.0.last()
    );
    // credential_process output.
    let args = explain(&["--profile-a", "proc"], &log("proc"));
    let code = outputs.run("explain proc", &env, &args);
    assert!(matches!(code, Some(0 | 1 | 3)), "{code:?}");
    // Expired session keys (the proxy answers ExpiredToken) and a broken process: errors.
    for (name, profile) in [("session", "session"), ("broken", "broken")] {
        let args = explain(&["--profile-a", profile], &log(name));
        let code = outputs.run(name, &env, &args);
        assert_eq!(code, Some(3), "{name}: {:?}", outputs.0.last());
    }
    // A snapshot through role profiles, and trails through the process and expired keys.
    let snapshot = env.dir.join("snap.json");
    let snap_log = log("snapshot");
    let code = outputs.run(
        "snapshot",
        &env,
        &[
            "snapshot",
            "--profile",
            "build",
            "-o",
            &snapshot.display().to_string(),
            "--log-file",
            &snap_log.display().to_string(),
        ],
    );
    assert_eq!(code, Some(0), "{:?}", outputs.0.last());
    for (name, profile, want) in [("trail-proc", "proc", 0), ("trail-session", "session", 3)] {
        let path = log(name).display().to_string();
        let code = outputs.run(
            name,
            &env,
            &["trail", "--profile", profile, "--log-file", &path],
        );
        assert_eq!(code, Some(want), "{name}: {:?}", outputs.0.last());
    }
    for name in [
        "pair",
        "proc",
        "session",
        "broken",
        "snapshot",
        "trail-proc",
        "trail-session",
    ] {
        outputs.file(&log(name));
    }
    outputs.file(&snapshot);

    // The log is not vacuous: it records the calls, with operation, account and outcome.
    let pair_log = &outputs
        .0
        .iter()
        .find(|(n, _)| n.ends_with("pair.log"))
        .unwrap()
        .1;
    assert!(
        pair_log.contains("operation=\"ecr:DescribeRepositories\""),
        "{pair_log}"
    );
    assert!(pair_log.contains("account=\"222222222222\""), "{pair_log}");
    let session_log = &outputs
        .0
        .iter()
        .find(|(n, _)| n.ends_with("session.log"))
        .unwrap()
        .1;
    assert!(
        session_log.contains("outcome=\"ExpiredToken\""),
        "{session_log}"
    );
    let trail_log = &outputs
        .0
        .iter()
        .find(|(n, _)| n.ends_with("trail-proc.log"))
        .unwrap()
        .1;
    assert!(trail_log.contains("cloudtrail:LookupEvents"), "{trail_log}");
    // The error paths say what to do.
    let session_err = &outputs
        .0
        .iter()
        .find(|(n, _)| n == "session stderr")
        .unwrap()
        .1;
    assert!(session_err.contains("profile `session`"), "{session_err}");

    for (name, text) in &outputs.0 {
        for secret in &env.secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{name} shows a credential:\n{text}"
            );
        }
        assert_eq!(key_id_shape(text), None, "{name} shows a key id:\n{text}");
        assert!(!text.contains("panicked"), "{name}:\n{text}");
    }
}

#[tokio::test]
async fn debug_output_of_client_holders_hides_credentials() {
    let sdk = moto().sdk_config_with_keys(SESSION_KEY, SESSION_SECRET, Some(SESSION_TOKEN));
    let gateway = Gateway::new(&sdk);
    let loader = Loader::new(gateway.clone());
    let mut pair = Readers::new();
    pair.insert(
        "111111111111",
        AccountReader::new(loader.clone(), sdk.clone()),
    );
    let poller = TrailPoller::new(
        &sdk,
        "111111111111",
        &EventFilter::default(),
        PollerConfig::default(),
    );
    let shown = format!("{gateway:?} {loader:?} {pair:?} {poller:?} {gateway:#?} {poller:#?}");
    for secret in [SESSION_KEY, SESSION_SECRET, SESSION_TOKEN] {
        assert!(!shown.contains(secret), "{shown}");
    }
    assert!(shown.contains("Gateway") && shown.contains("TrailPoller"));
}
