//! The AWS emulator for integration tests: moto in server mode, extended by
//! `tests/moto/moto_ext.py` (CloudTrail LookupEvents, PutImage recording,
//! cross-account ECR, SeedEvents), reached through the real `aws-sdk-*`
//! clients.
//!
//! Include it from an integration test with
//! `#[path = "support/moto.rs"] mod moto;` and call [`moto()`]. The first call
//! in a test process creates `target/moto-venv` when it is missing (Python 3
//! and PyPI are the only prerequisites) and starts one server on a free
//! loopback port; the server exits by itself soon after the test process does.
//!
//! Tests stay isolated without resets by using their own 12-digit account
//! IDs: every account is created on first use, and nothing in moto is shared
//! between accounts.

// Each test binary compiles its own copy and uses only part of it.
#![allow(dead_code)]

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

// aws-config deprecated these names in favour of aws-runtime's identical
// EnvConfigFiles; a dev-dependency on aws-runtime cannot be feature-gated and
// would make the SDK-free `--no-default-features` test build heavier.
#[allow(deprecated)]
use aws_config::profile::profile_file::{ProfileFileKind, ProfileFiles};
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};

/// The region every harness config uses; events and resources are regional.
pub const REGION: &str = "ap-northeast-1";
/// The role the harness assumes in each account (it need not exist in moto).
pub const ROLE_NAME: &str = "OrganizationAccountAccessRole";
/// The session name of [`Moto::sdk_config`] credentials, as ARNs show it.
pub const SESSION_NAME: &str = "crossdock-test";
/// The base profile [`Moto::write_profiles`] writes for `source_profile`.
pub const BASE_PROFILE: &str = "moto-base";

/// moto accepts any key; these are the conventional dummy ones. Keys that moto
/// did not issue act in the default account, and AssumeRole from them works.
const BASE_ACCESS_KEY: &str = "testing";
const BASE_SECRET_KEY: &str = "testing";
const READY_TIMEOUT: Duration = Duration::from_secs(30);
const VENV_LOCK_TIMEOUT: Duration = Duration::from_secs(600);
const START_ATTEMPTS: usize = 5;

/// A running moto server owned by this test process.
pub struct Moto {
    endpoint: String,
    port: u16,
    log: PathBuf,
    // Kept so the handle (and its pid) lives as long as the process; the
    // server's own watchdog ends it when this process is gone.
    _child: Mutex<Child>,
}

/// Paths of a shared config / credentials file pair from
/// [`Moto::write_profiles`].
#[derive(Clone, Debug)]
pub struct ProfilePaths {
    pub config: PathBuf,
    pub credentials: PathBuf,
}

impl ProfilePaths {
    /// These files alone (not `~/.aws`), for `ConfigLoader::profile_files`.
    #[allow(deprecated)]
    pub fn profile_files(&self) -> ProfileFiles {
        ProfileFiles::builder()
            .with_file(ProfileFileKind::Config, &self.config)
            .with_file(ProfileFileKind::Credentials, &self.credentials)
            .build()
    }

    /// Points this test process's AWS settings at these profile files alone, for a console
    /// built in-process (it reads the environment like the binary does). Only for a test
    /// binary that runs a single test: no other thread may read the environment meanwhile.
    pub fn export_to_this_process(&self) {
        // Safe: the calling test binary runs a single test (see above).
        unsafe {
            std::env::set_var("AWS_CONFIG_FILE", &self.config);
            std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &self.credentials);
            for var in LEAKING_SETTINGS {
                std::env::remove_var(var);
            }
        }
    }

    /// The crossdock binary reading these profile files alone: no AWS setting from the
    /// developer's environment leaks in (profile, keys, region, endpoint), and no colour.
    pub fn crossdock(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_crossdock"));
        cmd.env("AWS_CONFIG_FILE", &self.config)
            .env("AWS_SHARED_CREDENTIALS_FILE", &self.credentials)
            .env("NO_COLOR", "1");
        for var in LEAKING_SETTINGS {
            cmd.env_remove(var);
        }
        cmd
    }
}

/// The developer's AWS settings that would override the test's profile files.
const LEAKING_SETTINGS: [&str; 8] = [
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
];

/// The server of this test process, started (and its venv built) on first use.
pub fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(Moto::start)
}

impl Moto {
    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's log file (under `target/moto-logs/`).
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// A config holding the base `testing` keys: the account root of moto's
    /// default account 123456789012, and the source of every AssumeRole.
    pub fn base_config(&self) -> SdkConfig {
        self.config_with(Credentials::new(
            BASE_ACCESS_KEY,
            BASE_SECRET_KEY,
            None,
            None,
            "moto-base",
        ))
    }

    /// A config acting in `account_id`, with credentials from a real
    /// `sts:AssumeRole` into `arn:aws:iam::<account_id>:role/OrganizationAccountAccessRole`.
    ///
    /// Built with `SdkConfig::builder` rather than `aws_config::defaults`, so
    /// nothing from the developer's environment or `~/.aws` leaks in.
    pub async fn sdk_config(&self, account_id: &str) -> SdkConfig {
        let role_arn = format!("arn:aws:iam::{account_id}:role/{ROLE_NAME}");
        let out = aws_sdk_sts::Client::new(&self.base_config())
            .assume_role()
            .role_arn(&role_arn)
            .role_session_name(SESSION_NAME)
            .send()
            .await
            .unwrap_or_else(|e| panic!("sts:AssumeRole into {role_arn} failed on moto: {e:?}"));
        let creds = out
            .credentials()
            .unwrap_or_else(|| panic!("sts:AssumeRole into {role_arn} returned no credentials"));
        self.config_with(Credentials::new(
            creds.access_key_id(),
            creds.secret_access_key(),
            Some(creds.session_token().to_owned()),
            None,
            "moto-assume-role",
        ))
    }

    /// A config with static keys, e.g. an IAM user's access key created in
    /// some account (moto maps a key it issued to that account).
    pub fn sdk_config_with_keys(
        &self,
        access_key_id: &str,
        secret_access_key: &str,
        session_token: Option<&str>,
    ) -> SdkConfig {
        self.config_with(Credentials::new(
            access_key_id,
            secret_access_key,
            session_token.map(str::to_owned),
            None,
            "moto-static",
        ))
    }

    fn config_with(&self, credentials: Credentials) -> SdkConfig {
        SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .http_client(crossdock::aws::http::client())
            .region(Region::new(REGION))
            .endpoint_url(&self.endpoint)
            .credentials_provider(SharedCredentialsProvider::new(credentials))
            .build()
    }

    /// Writes `config` and `credentials` into `dir`: a base profile with the
    /// `testing` keys plus one `role_arn` + `source_profile` profile per
    /// `(name, account_id)`, each with this server's `endpoint_url`, so the
    /// ordinary aws-config profile chain (which calls AssumeRole itself)
    /// works against moto. Pass the files with [`ProfilePaths::profile_files`]
    /// instead of `AWS_CONFIG_FILE`: environment variables are process-wide
    /// and tests run in parallel threads.
    pub fn write_profiles(&self, dir: &Path, profiles: &[(&str, &str)]) -> ProfilePaths {
        fs::create_dir_all(dir).expect("create the profile directory");
        let endpoint = &self.endpoint;
        let mut config = format!(
            "# Written by the crossdock test harness for moto at {endpoint}.\n\
             [profile {BASE_PROFILE}]\nregion = {REGION}\nendpoint_url = {endpoint}\n"
        );
        for (name, account_id) in profiles {
            config.push_str(&format!(
                "\n[profile {name}]\n\
                 role_arn = arn:aws:iam::{account_id}:role/{ROLE_NAME}\n\
                 source_profile = {BASE_PROFILE}\n\
                 role_session_name = crossdock-{name}\n\
                 region = {REGION}\n\
                 endpoint_url = {endpoint}\n"
            ));
        }
        let credentials = format!(
            "[{BASE_PROFILE}]\naws_access_key_id = {BASE_ACCESS_KEY}\n\
             aws_secret_access_key = {BASE_SECRET_KEY}\n"
        );
        let paths = ProfilePaths {
            config: dir.join("config"),
            credentials: dir.join("credentials"),
        };
        fs::write(&paths.config, config).expect("write the shared config file");
        fs::write(&paths.credentials, credentials).expect("write the shared credentials file");
        paths
    }

    /// Loads `profile` from `paths` through the normal aws-config chain
    /// (`defaults().profile_files(..).profile_name(..)`), as crossdock itself
    /// loads a user's profile. The endpoint comes from the profile file.
    pub async fn profile_config(&self, paths: &ProfilePaths, profile: &str) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .http_client(crossdock::aws::http::client())
            .profile_files(paths.profile_files())
            .profile_name(profile)
            .load()
            .await
    }

    /// Stores CloudTrail records (JSON objects in CloudTrail's record format)
    /// in `account_id`'s trail for [`REGION`] through the shim's made-up
    /// `SeedEvents` action; missing `eventID`, `eventTime` (now),
    /// `recipientAccountId`, `awsRegion`, `readOnly`, ... are filled in.
    /// Returns the event IDs in order. Panics when moto refuses them.
    pub fn seed_events(&self, account_id: &str, records: &[serde_json::Value]) -> Vec<String> {
        self.try_seed_events(account_id, records)
            .unwrap_or_else(|e| panic!("SeedEvents failed: {e}"))
    }

    /// [`Moto::seed_events`], returning moto's refusal instead of panicking.
    pub fn try_seed_events(
        &self,
        account_id: &str,
        records: &[serde_json::Value],
    ) -> Result<Vec<String>, String> {
        self.try_seed_events_in(account_id, REGION, records)
    }

    /// [`Moto::try_seed_events`] in another region (IAM records its events in us-east-1).
    pub fn try_seed_events_in(
        &self,
        account_id: &str,
        region: &str,
        records: &[serde_json::Value],
    ) -> Result<Vec<String>, String> {
        let body = serde_json::json!({ "Events": records }).to_string();
        // The made-up action cannot go through the SDK. moto does not check
        // signatures: the Authorization header only names the service and
        // region, and x-moto-account-id picks the account.
        let authorization = format!(
            "AWS4-HMAC-SHA256 Credential={BASE_ACCESS_KEY}/20260101/{region}/cloudtrail/aws4_request, \
             SignedHeaders=host, Signature=0"
        );
        let (status, reply) = self
            .http(
                "POST",
                "/",
                &[
                    ("Content-Type", "application/x-amz-json-1.1"),
                    (
                        "X-Amz-Target",
                        "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.SeedEvents",
                    ),
                    ("x-moto-account-id", account_id),
                    ("Authorization", &authorization),
                ],
                body.as_bytes(),
            )
            .map_err(|e| format!("SeedEvents request: {e}"))?;
        let text = String::from_utf8_lossy(&reply);
        if status != 200 {
            return Err(format!("HTTP {status}: {text}"));
        }
        let parsed: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))?;
        parsed["EventIds"]
            .as_array()
            .ok_or_else(|| format!("no EventIds in {text}"))?
            .iter()
            .map(|id| {
                id.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("bad event id in {text}"))
            })
            .collect()
    }

    /// One plain HTTP/1.0 exchange with the server (no TLS, no pooling): for
    /// readiness checks and moto-specific endpoints the SDK cannot call.
    fn http(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<(u16, Vec<u8>)> {
        http_exchange(self.port, method, path, headers, body)
    }

    fn start() -> Moto {
        let venv = ensure_venv();
        let target = target_dir();
        let logs = target.join("moto-logs");
        fs::create_dir_all(&logs).expect("create target/moto-logs");
        let exe = std::env::current_exe().ok();
        let test_name = exe
            .as_deref()
            .and_then(Path::file_stem)
            .and_then(|s| s.to_str())
            .unwrap_or("test");
        let log = logs.join(format!("{test_name}-{}.log", std::process::id()));
        let shim = manifest_dir().join("tests/moto/moto_ext.py");

        // A port picked by binding :0 can be taken again before moto binds
        // it; moto then exits with "Address already in use" and we retry.
        let mut last_error = String::new();
        for _ in 0..START_ATTEMPTS {
            let port = free_port();
            let started = Instant::now();
            let log_file = fs::File::create(&log).expect("create the moto log file");
            let err_file = log_file.try_clone().expect("clone the moto log handle");
            let mut child = Command::new(venv_python(&venv))
                .arg(&shim)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .args(["--parent-pid", &std::process::id().to_string()])
                .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
                // Would force every request into one account.
                .env_remove("MOTO_ACCOUNT_ID")
                .env_remove("MOTO_PORT")
                .stdin(Stdio::null())
                .stdout(log_file)
                .stderr(err_file)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", shim.display()));
            match wait_ready(port, &mut child) {
                Ok(()) => {
                    let took = started.elapsed();
                    eprintln!(
                        "moto ready on 127.0.0.1:{port} in {:.2}s (log: {})",
                        took.as_secs_f64(),
                        log.display()
                    );
                    return Moto {
                        endpoint: format!("http://127.0.0.1:{port}"),
                        port,
                        log,
                        _child: Mutex::new(child),
                    };
                }
                Err(reason) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let tail = log_tail(&log);
                    if !tail.contains("Address already in use") {
                        panic!(
                            "moto did not start: {reason}\n--- {} ---\n{tail}\n---\n\
                             (if the system Python changed since {} was built, delete it \
                             and run the tests again)",
                            log.display(),
                            venv.display()
                        );
                    }
                    last_error = format!("{reason}\n{tail}");
                }
            }
        }
        panic!("moto could not bind a port in {START_ATTEMPTS} attempts: {last_error}");
    }
}

fn wait_ready(port: u16, child: &mut Child) -> Result<(), String> {
    let deadline = Instant::now() + READY_TIMEOUT;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return Err(format!("the server exited early ({status})"));
        }
        if let Ok((200, _)) = http_exchange(port, "GET", "/moto-api/data.json", &[], &[]) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("not ready after {}s", READY_TIMEOUT.as_secs()))
}

fn http_exchange(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    // HTTP/1.0: the server closes after one answer and never chunks it.
    let mut request = format!(
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    stream.write_all(body)?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply)?;
    let split = reply
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no end of HTTP headers"))?;
    let head = String::from_utf8_lossy(&reply[..split]);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no HTTP status"))?;
    Ok((status, reply[split + 4..].to_vec()))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a free loopback port")
        .port()
}

fn log_tail(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Cargo's target directory (honours `CARGO_TARGET_DIR`): the parent of the
/// `target/tmp` dir cargo hands to integration tests.
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| manifest_dir().join("target"))
}

fn venv_python(venv: &Path) -> PathBuf {
    venv.join("bin").join("python")
}

// ---------------------------------------------------------------------------
// The venv: built once per target dir, shared by every test process.
// ---------------------------------------------------------------------------

/// A copy of the requirements a venv was built from, written last: a venv
/// without a matching copy is incomplete or outdated and never used.
const MARKER: &str = "crossdock-requirements.txt";

/// Returns `target/moto-venv`, creating it first when it is missing or was
/// built from other requirements. Several test binaries may get here at
/// once: one builds under a lock (an atomically created directory) into a
/// scratch directory and renames it into place; the others wait.
fn ensure_venv() -> PathBuf {
    let target = target_dir();
    let venv = target.join("moto-venv");
    let requirements_path = manifest_dir().join("tests/moto/requirements.txt");
    let requirements = fs::read_to_string(&requirements_path)
        .unwrap_or_else(|e| panic!("read {}: {e}", requirements_path.display()));
    let ready = || fs::read_to_string(venv.join(MARKER)).ok().as_deref() == Some(&requirements);
    if ready() {
        return venv;
    }
    fs::create_dir_all(&target).expect("create the target directory");
    let _lock = VenvLock::acquire(&target.join("moto-venv.lock"));
    if ready() {
        return venv; // another process built it while we waited
    }

    // Leftovers of builds that failed or were killed; only the lock holder
    // builds, so nothing else is using them.
    for entry in fs::read_dir(&target).into_iter().flatten().flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("moto-venv.tmp-") || name.starts_with("moto-venv.old-") {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
    let started = Instant::now();
    let scratch = target.join(format!("moto-venv.tmp-{}", std::process::id()));
    let python = std::env::var("CROSSDOCK_PYTHON").unwrap_or_else(|_| "python3".into());
    run_setup(
        Command::new(&python).args(["-m", "venv"]).arg(&scratch),
        &format!(
            "creating a Python venv with `{python} -m venv` failed. The AWS integration \
             tests need Python 3 with the venv module (Debian: apt-get install python3-venv); \
             set CROSSDOCK_PYTHON to use another interpreter"
        ),
    );
    run_setup(
        Command::new(venv_python(&scratch))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(&requirements_path),
        "installing moto into the test venv failed. The AWS integration tests need \
         network access to PyPI (or a pip index configured in pip.conf / PIP_INDEX_URL)",
    );
    run_setup(
        Command::new(venv_python(&scratch)).args([
            "-c",
            "import moto, flask, flask_cors; assert moto.__version__ == '5.2.5', moto.__version__",
        ]),
        "the freshly built moto venv does not import moto 5.2.5",
    );
    fs::write(scratch.join(MARKER), &requirements).expect("write the venv marker");

    // An outdated or half-built venv is moved aside first; a rename is atomic,
    // so readers see either no venv or a complete one.
    if venv.exists() {
        let old = target.join(format!("moto-venv.old-{}", std::process::id()));
        fs::rename(&venv, &old).expect("move the outdated venv aside");
        let _ = fs::remove_dir_all(&old);
    }
    if let Err(e) = fs::rename(&scratch, &venv) {
        // Only possible where the lock could not tell a live holder (no
        // /proc): another process won the race; its venv is as good as ours.
        let _ = fs::remove_dir_all(&scratch);
        assert!(ready(), "move the new venv into {}: {e}", venv.display());
        return venv;
    }
    eprintln!(
        "built {} in {:.1}s",
        venv.display(),
        started.elapsed().as_secs_f64()
    );
    venv
}

fn run_setup(command: &mut Command, failure: &str) {
    let shown = format!("{command:?}");
    let output = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{failure}.\n`{shown}` could not run: {e}"));
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        panic!(
            "{failure}.\n`{shown}` exited with {}:\n{}",
            output.status,
            lines[lines.len().saturating_sub(30)..].join("\n")
        );
    }
}

/// A cross-process lock: the directory exists while a process holds it, and
/// names the holder's pid so a lock left by a killed process is recognised.
struct VenvLock {
    dir: PathBuf,
}

impl VenvLock {
    fn acquire(dir: &Path) -> VenvLock {
        let deadline = Instant::now() + VENV_LOCK_TIMEOUT;
        loop {
            match fs::create_dir(dir) {
                Ok(()) => {
                    fs::write(dir.join("pid"), std::process::id().to_string())
                        .expect("write the venv lock owner");
                    return VenvLock {
                        dir: dir.to_path_buf(),
                    };
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    if Self::is_stale(dir) {
                        let _ = fs::remove_dir_all(dir);
                        continue;
                    }
                }
                Err(e) => panic!("cannot create {}: {e}", dir.display()),
            }
            assert!(
                Instant::now() < deadline,
                "waited {}s for another test process to build the moto venv; \
                 if none is running, remove {}",
                VENV_LOCK_TIMEOUT.as_secs(),
                dir.display()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// The holder is gone (its pid no longer runs), or it never wrote its pid
    /// within a minute (killed between mkdir and write). Without /proc (not
    /// Linux), only age tells: a build takes well under ten minutes.
    fn is_stale(dir: &Path) -> bool {
        let age = fs::metadata(dir)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .unwrap_or_default();
        let proc = Path::new("/proc");
        match fs::read_to_string(dir.join("pid")) {
            Ok(pid) if proc.is_dir() => !proc.join(pid.trim()).exists(),
            Ok(_) => age > VENV_LOCK_TIMEOUT,
            Err(_) => age > Duration::from_secs(60),
        }
    }
}

impl Drop for VenvLock {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}
