//! Athena over the organisation trail's table, for wide windows — opt-in with
//! `trail --org-trail … --athena-workgroup WG`, because a query writes its result file to the
//! workgroup's output location (the only thing crossdock ever causes to be written).
//!
//! Exactly three calls, each on `allowlist::OPT_IN_OPERATIONS` for this file alone:
//! `StartQueryExecution` (one SELECT), `GetQueryExecution` (its state), `GetQueryResults`
//! (its rows). Nothing else of Athena is called; no table is created or changed.

use std::time::{Duration, Instant};

use aws_config::SdkConfig;

use super::errors;
use crate::inventory::Unreadable;

/// The longest crossdock waits for a query before giving up (Athena keeps running it).
pub const QUERY_DEADLINE: Duration = Duration::from_secs(600);

/// Why a query gave no rows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AthenaError {
    /// A call failed.
    #[error("{}: {} {}; the profile needs the OptInAthenaQueries statement of docs/iam-policy.json, plus Glue read and S3 write on the workgroup's output location", .0.operation, .0.code, .0.message)]
    Call(Unreadable),
    /// Athena ran the query and it failed (often: the table is missing or not as documented).
    #[error("the Athena query {id} ended {state}: {reason}; check the table against the DDL in docs/organisation.md")]
    Failed {
        /// The query execution id.
        id: String,
        /// `FAILED` or `CANCELLED`.
        state: String,
        /// Athena's reason.
        reason: String,
    },
    /// Still running at the deadline.
    #[error("the Athena query {0} did not finish within {secs}s; narrow --since, --accounts or --regions", secs = QUERY_DEADLINE.as_secs())]
    Timeout(String),
}

/// Athena, limited to the three calls above.
pub struct AthenaQueries {
    client: aws_sdk_athena::Client,
    workgroup: String,
}

impl AthenaQueries {
    /// Queries in `workgroup` signed with `config`'s credentials.
    pub fn open(config: &SdkConfig, workgroup: &str) -> Self {
        AthenaQueries {
            client: aws_sdk_athena::Client::new(&super::org_clients::adaptive(config)),
            workgroup: workgroup.to_string(),
        }
    }

    /// Runs `sql` and returns its id and rows (header row left out), every page.
    pub async fn rows(&self, sql: &str) -> Result<(String, Vec<Vec<Option<String>>>), AthenaError> {
        let started = self
            .client
            .start_query_execution()
            .query_string(sql)
            .work_group(&self.workgroup)
            .send()
            .await
            .map_err(|e| AthenaError::Call(errors::unreadable("athena:StartQueryExecution", &e)))?;
        let id = started.query_execution_id().unwrap_or_default().to_string();
        self.wait(&id).await?;
        let mut rows = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .client
                .get_query_results()
                .query_execution_id(&id)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| AthenaError::Call(errors::unreadable("athena:GetQueryResults", &e)))?;
            if let Some(set) = page.result_set() {
                rows.extend(set.rows().iter().map(|row| {
                    row.data()
                        .iter()
                        .map(|d| d.var_char_value().map(str::to_string))
                        .collect()
                }));
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        // Athena's first row of a SELECT repeats the column names.
        if rows
            .first()
            .and_then(|r: &Vec<Option<String>>| r.first().cloned().flatten())
            .as_deref()
            == Some("eventid")
        {
            rows.remove(0);
        }
        Ok((id, rows))
    }

    /// Polls the query's state (0.5 s, growing to 5 s) until it ends or the deadline passes.
    async fn wait(&self, id: &str) -> Result<(), AthenaError> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(500);
        loop {
            let out = self
                .client
                .get_query_execution()
                .query_execution_id(id)
                .send()
                .await
                .map_err(|e| {
                    AthenaError::Call(errors::unreadable("athena:GetQueryExecution", &e))
                })?;
            let status = out.query_execution().and_then(|q| q.status());
            let state = status
                .and_then(|s| s.state())
                .map(|s| s.as_str().to_string())
                .unwrap_or_default();
            match state.as_str() {
                "SUCCEEDED" => return Ok(()),
                "FAILED" | "CANCELLED" => {
                    return Err(AthenaError::Failed {
                        id: id.to_string(),
                        state,
                        reason: status
                            .and_then(|s| s.state_change_reason())
                            .unwrap_or_default()
                            .to_string(),
                    })
                }
                _ if started.elapsed() > QUERY_DEADLINE => {
                    return Err(AthenaError::Timeout(id.to_string()))
                }
                _ => {}
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(5));
        }
    }
}
