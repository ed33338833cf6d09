//! CloudTrail events: parsing every shape they arrive in, and classifying them.
//!
//! Pure: bytes in, values out, no IO. Accepted shapes, detected from content:
//! CloudTrail log files (`{"Records": […]}`, gzip too), `LookupEvents` responses
//! (`{"Events": [{"CloudTrailEvent": "<json string>"}]}`), EventBridge envelopes (`AWS API
//! Call via CloudTrail` and ECR's own `ECR Image Action` / `Replication` / `Pull Through
//! Cache`), bare records, top-level arrays, and JSON lines of any of these. A record that
//! cannot be read becomes a `RecordError` with its position; the others still parse.

/// What a tail shows while nothing has arrived: CloudTrail's documented delivery delay.
pub const DELAY_HINT: &str =
    "no events yet — CloudTrail delivers events with a delay of up to ~15 minutes";

pub mod athena_sql;
pub mod classify;
mod convert;
pub mod dedup;
pub mod denial;
mod fast;
pub mod input;
pub mod link;
pub mod management;
pub mod model;
pub mod org_trail;
pub mod parse;
mod raw;
pub mod render;
pub mod ring;
mod scan;

pub use classify::{classify, is_denied, kind_of, Classification, EventKind};
pub use convert::{parse_record_str, RecordParseError};
pub use dedup::{dedup_by_event_id, EventDeduper};
pub use input::Layout;
pub use link::{Derived, LinkedQuestion};
pub use model::{SourceFormat, TrailEvent, UserIdentity};
pub use parse::{
    parse_bytes, parse_inputs, parse_lookup_event, InputInfo, Location, ParseOutcome, RecordError,
};
pub use render::{build_report, render_inputs, ClassifiedEvent, ReportFormat, TrailReport};
pub use ring::{EventRing, Ring};
