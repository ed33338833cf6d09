//! The console's profile list is what `aws-config` reads from the shared files: the same
//! names, regions and kinds, on a config file with the shapes real ones have (SSO sessions,
//! legacy SSO, `credential_process`, role chains, comments, odd spacing, nested settings).

#![cfg(all(feature = "aws", feature = "tui"))]

use std::path::{Path, PathBuf};

#[allow(deprecated)]
use aws_config::profile::profile_file::ProfileFiles;
use aws_types::os_shim_internal::{Env, Fs};
use crossdock::tui::profiles::{self, ProfileKind};

const CONFIG: &str = "\
# a comment at the top
; and one in the other style
[default]
region=us-east-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile   sso-dev  ]
sso_session = corp
sso_account_id = 111111111111
sso_role_name=ReadOnly
region   =   eu-west-1

[profile legacy-sso]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 222222222222
sso_role_name = Admin

# a comment between sections
[profile deployer]
role_arn = arn:aws:iam::222222222222:role/deployer
source_profile = default
s3 =
  max_concurrent_requests = 20
  multipart_threshold = 64MB

[profile chained]
role_arn = arn:aws:iam::333333333333:role/reader
source_profile = sso-dev
region = ap-northeast-1

[profile tool]
credential_process = /usr/bin/tool --json

[profile region-only]
region = ap-south-1

[services local]
ecr =
  endpoint_url = http://localhost:4566

[sso-session unused]
sso_start_url = https://unused.awsapps.com/start
";

const CREDENTIALS: &str = "\
[default]
aws_access_key_id = AKIDEXAMPLE
aws_secret_access_key = SECRETEXAMPLE
; a comment
[ci]
aws_access_key_id=AKIDEXAMPLE2
aws_secret_access_key=SECRETEXAMPLE2
# both files may name the same profile
[tool]
region = eu-central-1
";

/// A directory of this test's own: tests run in parallel and must not share files.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "crossdock-profiles-it-{test}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

/// The environment the console would see: the two files named by the variables aws-config
/// honours, and a HOME with no `.aws` in it (so the real one is never read).
fn env_for(dir: &Path) -> Env {
    let config = dir.join("config");
    let credentials = dir.join("credentials");
    std::fs::write(&config, CONFIG).expect("config");
    std::fs::write(&credentials, CREDENTIALS).expect("credentials");
    Env::from_slice(&[
        ("AWS_CONFIG_FILE", config.to_str().expect("utf-8 path")),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            credentials.to_str().expect("utf-8 path"),
        ),
        ("HOME", dir.to_str().expect("utf-8 path")),
    ])
}

#[tokio::test]
async fn the_console_lists_what_aws_config_reads() {
    let dir = scratch("equivalence");
    let env = env_for(&dir);

    // aws-config itself, on the default file locations under that environment.
    #[allow(deprecated)]
    let files = ProfileFiles::default();
    let set = aws_config::profile::load(&Fs::real(), &env, &files, None)
        .await
        .expect("aws-config reads the files");
    let mut sdk: Vec<(String, Option<String>)> = set
        .profiles()
        .map(|name| {
            let profile = set.get_profile(name).expect("listed profile");
            (name.to_string(), profile.get("region").map(str::to_string))
        })
        .collect();
    sdk.sort();

    // The console, on the same environment (and from a sync context inside a runtime, as
    // the picker's task does).
    let console = profiles::list_in(&env).expect("console lists");
    let listed: Vec<(String, Option<String>)> = console
        .iter()
        .map(|p| (p.name.clone(), p.region.clone()))
        .collect();
    assert_eq!(listed, sdk, "names and regions as aws-config reads them");

    let kinds: Vec<(&str, ProfileKind)> =
        console.iter().map(|p| (p.name.as_str(), p.kind)).collect();
    assert_eq!(
        kinds,
        [
            ("chained", ProfileKind::Role),
            ("ci", ProfileKind::Static),
            ("default", ProfileKind::Static),
            ("deployer", ProfileKind::Role),
            ("legacy-sso", ProfileKind::Sso),
            ("region-only", ProfileKind::Other),
            ("sso-dev", ProfileKind::Sso),
            ("tool", ProfileKind::Process),
        ],
        "sso-session and services sections are not profiles"
    );
    // The credentials file's region for `tool` is merged the way aws-config merges it.
    assert_eq!(
        console
            .iter()
            .find(|p| p.name == "tool")
            .map(|p| p.region.clone()),
        Some(Some("eu-central-1".to_string()))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn files_that_do_not_parse_are_an_error_not_an_empty_list() {
    let dir = scratch("broken");
    let config = dir.join("config");
    std::fs::write(
        &config,
        "[profile ok]\nregion = us-east-1\nthis line is not a setting\n",
    )
    .expect("config");
    let env = Env::from_slice(&[
        ("AWS_CONFIG_FILE", config.to_str().expect("utf-8 path")),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.join("none").to_str().expect("utf-8 path"),
        ),
        ("HOME", dir.to_str().expect("utf-8 path")),
    ]);
    let error = profiles::list_in(&env).expect_err("a parse error");
    assert!(
        error
            .to_string()
            .contains("cannot read the AWS config files"),
        "{error}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
