//! What the history tests on the emulator share: acting as the role that makes a write (the
//! shim records the write under it), keeping each step's events in their own second, and
//! reading `explain`'s JSON.

use std::process::Output;
use std::time::Duration;

use aws_config::SdkConfig;
use serde_json::{json, Value};

use crate::moto::moto;

/// `explain`'s stdout as JSON, or a panic that shows both streams.
pub fn json_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// CloudTrail records seconds: a pause keeps each step's events after the previous one's.
pub async fn next_second() {
    tokio::time::sleep(Duration::from_millis(1100)).await;
}

/// A config acting as `role` of `account` (created when missing), session `session`, as a
/// CI job or a person would: the shim records its writes under that role.
pub async fn acting_as(admin: &SdkConfig, account: &str, role: &str, session: &str) -> SdkConfig {
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{account}:root")}, "Action": "sts:AssumeRole"}]});
    let _ = aws_sdk_iam::Client::new(admin)
        .create_role()
        .role_name(role)
        .assume_role_policy_document(trust.to_string())
        .send()
        .await;
    let out = aws_sdk_sts::Client::new(&moto().base_config())
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/{role}"))
        .role_session_name(session)
        .send()
        .await
        .expect("assume the actor's role");
    let creds = out.credentials().expect("credentials");
    moto().sdk_config_with_keys(
        creds.access_key_id(),
        creds.secret_access_key(),
        Some(creds.session_token()),
    )
}
