//! Any bytes through the CloudTrail parser, classifier and both renderings: no panic,
//! and every input ends up as events or counted errors.

#![no_main]

use crossdock::trail::{build_report, parse_bytes, ReportFormat};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let outcome = parse_bytes("fuzz", data);
    assert_eq!(outcome.inputs.len(), 1);
    assert_eq!(outcome.inputs[0].errors, outcome.error_count());

    let report = build_report([("fuzz", data)]);
    let json = report.render(ReportFormat::Json);
    assert_eq!(json.lines().count(), report.events.len() + 1);
    let text = report.render(ReportFormat::Text);
    assert!(text.lines().all(|l| l.chars().count() <= 100));
});
