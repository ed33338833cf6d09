//! The Athena side of the organisation trail, pure: the table crossdock expects (its DDL,
//! with partition projection, also in `docs/organisation.md`), the query for a window, and
//! turning result rows back into CloudTrail records for the ordinary parser.
//!
//! Every value put into the query is checked first (account ids, regions, event names,
//! the table name) or computed (dates), so nothing a user types is spliced in raw.

use serde_json::{json, Map, Value};

use super::org_trail::Window;

/// The columns selected, in order; [`record`] reads rows in this order.
pub const COLUMNS: &[&str] = &[
    "eventid",
    "eventname",
    "eventtime",
    "eventsource",
    "awsregion",
    "recipientaccountid",
    "sharedeventid",
    "errorcode",
    "errormessage",
    "useragent",
    "useridentity.type",
    "useridentity.arn",
    "useridentity.accountid",
    "requestparameters",
    "responseelements",
    "json_format(CAST(transform(resources, r -> r.arn) AS JSON))",
];

/// The table's DDL: CloudTrail's own columns, partitions projected from the S3 layout
/// (`account`, `region`, `timestamp` = `yyyy/MM/dd`), so no partition is ever loaded.
/// `BUCKET`, `PREFIX`, `ORG`, `ACCOUNTS` and `REGIONS` are the user's to fill in.
pub const TABLE_DDL: &str = r#"CREATE EXTERNAL TABLE cloudtrail_org (
    eventversion STRING,
    useridentity STRUCT<type: STRING, principalid: STRING, arn: STRING, accountid: STRING,
        invokedby: STRING, accesskeyid: STRING, username: STRING,
        sessioncontext: STRUCT<attributes: STRUCT<mfaauthenticated: STRING, creationdate: STRING>,
            sessionissuer: STRUCT<type: STRING, principalid: STRING, arn: STRING,
                accountid: STRING, username: STRING>>>,
    eventtime STRING,
    eventsource STRING,
    eventname STRING,
    awsregion STRING,
    sourceipaddress STRING,
    useragent STRING,
    errorcode STRING,
    errormessage STRING,
    requestparameters STRING,
    responseelements STRING,
    additionaleventdata STRING,
    requestid STRING,
    eventid STRING,
    readonly STRING,
    resources ARRAY<STRUCT<arn: STRING, accountid: STRING, type: STRING>>,
    eventtype STRING,
    apiversion STRING,
    recipientaccountid STRING,
    serviceeventdetails STRING,
    sharedeventid STRING,
    vpcendpointid STRING
)
PARTITIONED BY (account STRING, region STRING, timestamp STRING)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://BUCKET/PREFIX/AWSLogs/ORG/'
TBLPROPERTIES (
    'projection.enabled' = 'true',
    'projection.account.type' = 'enum',
    'projection.account.values' = 'ACCOUNTS',
    'projection.region.type' = 'enum',
    'projection.region.values' = 'REGIONS',
    'projection.timestamp.type' = 'date',
    'projection.timestamp.format' = 'yyyy/MM/dd',
    'projection.timestamp.interval' = '1',
    'projection.timestamp.interval.unit' = 'DAYS',
    'projection.timestamp.range' = '2020/01/01,NOW',
    'storage.location.template' = 's3://BUCKET/PREFIX/AWSLogs/ORG/${account}/CloudTrail/${region}/${timestamp}'
)"#;

/// A query argument that cannot be put into SQL safely.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SqlError {
    /// The table name.
    #[error("invalid --athena-table {0:?}: expected DATABASE.TABLE of letters, digits and _")]
    Table(String),
    /// A region.
    #[error("invalid region {0:?}: expected e.g. us-east-1")]
    Region(String),
    /// An account id.
    #[error("invalid account id {0:?}: expected 12 digits")]
    Account(String),
    /// An event name.
    #[error("invalid event name {0:?}: expected letters and digits")]
    Event(String),
}

/// What to ask for: the window, and (empty = all) accounts, regions and event names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryScope<'a> {
    /// `DATABASE.TABLE`.
    pub table: &'a str,
    /// Event times.
    pub window: Window,
    /// Account partitions.
    pub accounts: &'a [String],
    /// Region partitions.
    pub regions: &'a [String],
    /// `eventname` values.
    pub events: &'a [String],
}

/// The SELECT for `scope`, partition-pruned by day (and account and region when given).
pub fn query(scope: &QueryScope<'_>) -> Result<String, SqlError> {
    let table_ok = |t: &str| {
        !t.is_empty()
            && t.split('.').count() <= 2
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    };
    if !table_ok(scope.table) || scope.table.starts_with('.') || scope.table.ends_with('.') {
        return Err(SqlError::Table(scope.table.to_string()));
    }
    let days = scope.window.days();
    let (first, last) = (days.first(), days.last());
    let day = |d: Option<&String>| d.map_or(String::new(), |d| d.trim_end_matches('/').to_string());
    let time = |at: i64| {
        chrono::DateTime::from_timestamp(at, 0).map_or(String::new(), |t| {
            t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
        })
    };
    let mut sql = format!(
        "SELECT {} FROM {} WHERE timestamp BETWEEN '{}' AND '{}' AND eventtime >= '{}' AND eventtime <= '{}'",
        COLUMNS.join(", "),
        scope.table,
        day(first),
        day(last),
        time(scope.window.from),
        time(scope.window.to),
    );
    let accounts = checked(
        scope.accounts,
        |a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()),
        SqlError::Account,
    )?;
    let regions = checked(
        scope.regions,
        |r| {
            !r.is_empty()
                && r.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        },
        SqlError::Region,
    )?;
    let events = checked(
        scope.events,
        |e| !e.is_empty() && e.bytes().all(|b| b.is_ascii_alphanumeric()),
        SqlError::Event,
    )?;
    for (column, values) in [
        ("account", accounts),
        ("region", regions),
        ("eventname", events),
    ] {
        if let Some(values) = values {
            sql.push_str(&format!(" AND {column} IN ({values})"));
        }
    }
    sql.push_str(" ORDER BY eventtime");
    Ok(sql)
}

/// `'a', 'b'` when every value passes `ok`; `None` for no values.
fn checked(
    values: &[String],
    ok: impl Fn(&str) -> bool,
    error: impl Fn(String) -> SqlError,
) -> Result<Option<String>, SqlError> {
    if let Some(bad) = values.iter().find(|v| !ok(v)) {
        return Err(error(bad.clone()));
    }
    Ok((!values.is_empty()).then(|| {
        values
            .iter()
            .map(|v| format!("'{v}'"))
            .collect::<Vec<_>>()
            .join(", ")
    }))
}

/// One result row (in [`COLUMNS`] order) as the CloudTrail record it came from.
pub fn record(row: &[Option<String>]) -> Value {
    let get = |i: usize| row.get(i).cloned().flatten();
    let text = |i: usize| get(i).map_or(Value::Null, Value::String);
    let embedded = |i: usize| {
        get(i)
            .and_then(|s| serde_json::from_str::<Value>(&s).ok())
            .unwrap_or(Value::Null)
    };
    let resources: Vec<Value> = match embedded(15) {
        Value::Array(arns) => arns
            .iter()
            .filter_map(Value::as_str)
            .map(|arn| json!({"ARN": arn, "accountId": crate::policy::arn::account_of(arn)}))
            .collect(),
        _ => Vec::new(),
    };
    let mut identity = Map::new();
    for (key, i) in [("type", 10), ("arn", 11), ("accountId", 12)] {
        if let Some(value) = get(i) {
            identity.insert(key.to_string(), Value::String(value));
        }
    }
    json!({
        "eventVersion": "1.08",
        "eventID": text(0), "eventName": text(1), "eventTime": text(2),
        "eventSource": text(3), "awsRegion": text(4), "recipientAccountId": text(5),
        "sharedEventID": text(6), "errorCode": text(7), "errorMessage": text(8),
        "userAgent": text(9), "userIdentity": Value::Object(identity),
        "requestParameters": embedded(13), "responseElements": embedded(14),
        "resources": resources,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope<'a>(accounts: &'a [String], events: &'a [String]) -> QueryScope<'a> {
        QueryScope {
            table: "trails.cloudtrail_org",
            window: Window {
                from: 1_796_655_900,
                to: 1_796_659_500,
            },
            accounts,
            regions: &[],
            events,
        }
    }

    #[test]
    fn the_query_prunes_partitions_and_names_every_column_of_the_ddl() {
        let accounts = ["222222222222".to_string()];
        let events = ["PutImage".to_string()];
        let sql = query(&scope(&accounts, &events)).expect("query");
        assert!(
            sql.contains("timestamp BETWEEN '2026/12/07' AND '2026/12/07'"),
            "{sql}"
        );
        assert!(sql.contains("account IN ('222222222222')"), "{sql}");
        assert!(sql.contains("eventname IN ('PutImage')"), "{sql}");
        assert!(!sql.contains("region IN"), "{sql}");
        for column in COLUMNS {
            let root = column
                .trim_start_matches("json_format(CAST(transform(")
                .split(['.', ','])
                .next()
                .unwrap_or_default();
            assert!(
                TABLE_DDL.contains(&format!("    {root} ")),
                "{root} is not a column of the DDL"
            );
        }
        for partition in ["account", "region", "timestamp"] {
            assert!(TABLE_DDL.contains(&format!("{partition} STRING")));
        }
    }

    #[test]
    fn nothing_unchecked_reaches_the_sql() {
        let bad = ["1' OR '1'='1".to_string()];
        assert!(matches!(
            query(&scope(&bad, &[])),
            Err(SqlError::Account(_))
        ));
        assert!(matches!(query(&scope(&[], &bad)), Err(SqlError::Event(_))));
        let mut s = scope(&[], &[]);
        s.table = "x; DROP TABLE y";
        assert!(matches!(query(&s), Err(SqlError::Table(_))));
    }

    #[test]
    fn a_row_becomes_the_record_it_came_from() {
        let row: Vec<Option<String>> = vec![
            Some("e1".into()),
            Some("PutImage".into()),
            Some("2026-12-07T15:00:00Z".into()),
            Some("ecr.amazonaws.com".into()),
            Some("us-east-1".into()),
            Some("222222222222".into()),
            Some("s1".into()),
            None,
            None,
            None,
            Some("AssumedRole".into()),
            Some("arn:aws:sts::111111111111:assumed-role/ci/x".into()),
            Some("111111111111".into()),
            Some(r#"{"repositoryName":"app","registryId":"222222222222"}"#.into()),
            None,
            Some(r#"["arn:aws:ecr:us-east-1:222222222222:repository/app"]"#.into()),
        ];
        let text = json!({"Records": [record(&row)]}).to_string();
        let report = crate::trail::build_report([("athena", text.as_bytes())]);
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        let event = &report.events[0];
        assert_eq!(event.class.cross_account, Some(true));
        assert_eq!(event.event.shared_event_id.as_deref(), Some("s1"));
    }
}
