//! `crossdock trail --org-trail … --athena-workgroup WG`: the organisation trail for a wide
//! window through Athena (opt-in: the query's result file is written to the workgroup's
//! output location). The rows become CloudTrail records for the ordinary parser, so the
//! events are classified, filtered and joined exactly as the S3 read does.

use std::io::{self, Write};
use std::time::Instant;

use aws_config::SdkConfig;

use super::org::{select, Plan, Printer};
use super::TrailArgs;
use crate::aws::athena::AthenaQueries;
use crate::aws::trail_poller::EventFilter;
use crate::commands::{EXIT_INPUT, EXIT_UNKNOWN};
use crate::safe_text::Safe;
use crate::trail::athena_sql::{query, record, QueryScope};
use crate::trail::TrailReport;

/// Runs the query and prints the events; returns the exit code.
pub(super) fn run(
    runtime: &tokio::runtime::Runtime,
    config: &SdkConfig,
    workgroup: &str,
    args: &TrailArgs,
    plan: &Plan,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    let events = match &plan.filter {
        EventFilter::Any => Vec::new(),
        EventFilter::Names(names) => names.clone(),
    };
    let sql = query(&QueryScope {
        table: &args.athena_table,
        window: plan.query.window,
        accounts: &plan.query.accounts,
        regions: &plan.query.regions,
        events: &events,
    });
    let sql = match sql {
        Ok(sql) => sql,
        Err(e) => {
            writeln!(err, "crossdock trail: {}", Safe(&e))?;
            return Ok(EXIT_INPUT);
        }
    };
    let started = Instant::now();
    let athena = AthenaQueries::open(config, workgroup);
    let (id, rows) = match runtime.block_on(athena.rows(&sql)) {
        Ok(found) => found,
        Err(e) => {
            writeln!(err, "crossdock trail: {}", Safe(&e))?;
            return Ok(EXIT_UNKNOWN);
        }
    };
    let records: Vec<serde_json::Value> = rows.iter().map(|row| record(row)).collect();
    let text = serde_json::json!({ "Records": records }).to_string();
    let name = format!("athena:{id}");
    let report = TrailReport::from_outcome(crate::trail::parse_bytes(&name, text.as_bytes()));
    let joined = select(report.events, plan);
    let mut printer = Printer::start(args.format, out)?;
    for item in &joined {
        printer.event(item);
    }
    printer.finish()?;
    writeln!(
        err,
        "crossdock trail: Athena query {} in workgroup {}: {} rows in {:.2}s; {} events after filters",
        Safe(&id),
        Safe(workgroup),
        rows.len(),
        started.elapsed().as_secs_f64(),
        joined.len()
    )?;
    Ok(0)
}
