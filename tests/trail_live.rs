//! The live tail against moto through the real SDK: a cross-account push seen in both
//! tails, paging, overlapping windows, the event-name filter, errors as values, and the
//! spawned task. Rate limiting against the throttling emulator is in `trail_throttle.rs`.
//!
//! Every test uses its own account IDs, so they run in parallel on one server.
#![cfg(feature = "aws")]

#[path = "support/moto.rs"]
mod moto;
#[path = "support/throttle_proxy.rs"]
mod throttle_proxy;

use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudtrail::primitives::{DateTime, DateTimeFormat};
use aws_sdk_ecr::types::ImageTagMutability;
use crossdock::aws::trail_poller::{
    Clock, EventFilter, PollerConfig, RateLimiter, TailError, TailMessage, TrailPoller, DELAY_HINT,
};
use moto::{moto, REGION, SESSION_NAME};
use serde_json::{json, Value};
use throttle_proxy::{Policy, ThrottleProxy};

fn iso(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    DateTime::from_secs(secs)
        .fmt(DateTimeFormat::DateTime)
        .unwrap()
}

fn minutes(m: u64) -> Duration {
    Duration::from_secs(m * 60)
}

fn since(window: Duration) -> PollerConfig {
    PollerConfig {
        since: window,
        ..PollerConfig::default()
    }
}

fn names(list: &[&str]) -> EventFilter {
    EventFilter::parse(list).unwrap()
}

async fn poller(account: &str, filter: &EventFilter, config: PollerConfig) -> TrailPoller {
    let sdk = moto().sdk_config(account).await;
    TrailPoller::new(&sdk, account, filter, config)
}

/// `n` records named `name`, one minute apart, the newest `newest_ago` before now.
fn records(name: &str, n: usize, newest_ago: Duration) -> Vec<Value> {
    let now = SystemTime::now();
    (0..n)
        .map(|i| {
            let at = now - newest_ago - minutes((n - 1 - i) as u64);
            json!({"eventName": name, "eventSource": "ecr.amazonaws.com", "eventTime": iso(at)})
        })
        .collect()
}

fn manifest(layer: char) -> String {
    let hex = |c: char| std::iter::repeat_n(c, 64).collect::<String>();
    json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 7023,
            "digest": format!("sha256:{}", hex('c')),
        },
        "layers": [{
            "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
            "size": 32654,
            "digest": format!("sha256:{}", hex(layer)),
        }],
    })
    .to_string()
}

#[tokio::test]
async fn cross_account_push_shows_in_the_owner_and_the_caller_tail() {
    let (a, b) = ("410000000001", "410000000002");
    let mut owner = poller(b, &EventFilter::default(), since(minutes(10))).await;
    let before = owner.poll_once().await;
    assert!(before.events.is_empty() && before.errors.is_empty());
    assert_eq!(owner.state().hint(), Some(DELAY_HINT));

    let ecr_b = aws_sdk_ecr::Client::new(&moto().sdk_config(b).await);
    ecr_b
        .create_repository()
        .repository_name("team/app")
        .image_tag_mutability(ImageTagMutability::Mutable)
        .send()
        .await
        .expect("CreateRepository in B");
    aws_sdk_ecr::Client::new(&moto().sdk_config(a).await)
        .put_image()
        .registry_id(b)
        .repository_name("team/app")
        .image_tag("v1")
        .image_manifest(manifest('1'))
        .send()
        .await
        .expect("push from A into B");

    let seen = owner.poll_once().await;
    assert!(seen.errors.is_empty(), "{:?}", seen.errors);
    assert_eq!(seen.events.len(), 1);
    let push = &seen.events[0];
    assert_eq!(push.event.event_name.as_deref(), Some("PutImage"));
    assert_eq!(push.event.caller_type(), Some("AWSAccount"));
    assert_eq!(push.class.caller_account.as_deref(), Some(a));
    assert_eq!(push.event.recipient_account_id.as_deref(), Some(b));
    assert_eq!(push.class.cross_account, Some(true));
    assert_eq!(push.event.repository(), Some("team/app"));
    assert_eq!(push.event.image_tag(), Some("v1"));
    let shared = push.event.shared_event_id.clone().expect("sharedEventID");
    assert_eq!(owner.state().hint(), None);
    assert_eq!(owner.state().events.len(), 1);

    let mut caller = poller(a, &EventFilter::default(), since(minutes(10))).await;
    let copy = caller.poll_once().await;
    assert_eq!(copy.events.len(), 1);
    let copy = &copy.events[0].event;
    assert_eq!(copy.caller_type(), Some("AssumedRole"));
    assert!(copy.caller_arn().unwrap().ends_with(SESSION_NAME));
    assert_eq!(copy.shared_event_id.as_deref(), Some(shared.as_str()));
    assert_ne!(copy.event_id, push.event.event_id);

    // The next poll re-reads the overlap and shows nothing new.
    let again = owner.poll_once().await;
    assert!(again.events.is_empty());
    assert_eq!(again.stats.duplicates, 1);
}

#[tokio::test]
async fn pages_through_more_than_fifty_events_oldest_first() {
    let account = "410000000003";
    let ids = moto().seed_events(account, &records("PutImage", 120, minutes(1)));
    let mut p = poller(account, &EventFilter::default(), since(minutes(180))).await;
    let report = p.poll_once().await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    // 50 + 50 + 20.
    assert_eq!(report.stats.requests, 3);
    let got: Vec<String> = report
        .events
        .iter()
        .map(|e| e.event.event_id.clone().unwrap())
        .collect();
    assert_eq!(got, ids, "every event once, oldest first");
    assert_eq!(p.state().events.len(), 120);
}

#[tokio::test]
async fn overlapping_windows_neither_drop_nor_repeat() {
    let account = "410000000004";
    // Whole seconds, as eventTime has them: events on a window's edge are then inside it.
    let t = UNIX_EPOCH
        + Duration::from_secs(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs(),
        );
    // 51 events, one a minute, from t − 50 min to t.
    let seeded: Vec<Value> = (0..=50u64)
        .map(|i| json!({"eventName": "PutImage", "eventTime": iso(t - minutes(50 - i))}))
        .collect();
    let mut expected: HashSet<String> = moto().seed_events(account, &seeded).into_iter().collect();

    let clock = Clock::manual(t - minutes(30));
    let config = PollerConfig {
        overlap: minutes(15),
        page_size: 20,
        ..since(minutes(60))
    };
    let mut p = poller(account, &EventFilter::default(), config)
        .await
        .with_clock(clock.clone());
    let mut seen = Vec::new();

    let first = p.poll_once().await; // [t−90m, t−30m]
    assert_eq!(first.events.len(), 21);
    seen.extend(first.events);

    clock.set(t - minutes(20)); // [t−45m, t−20m]
    let second = p.poll_once().await;
    assert_eq!((second.events.len(), second.stats.duplicates), (10, 16));
    seen.extend(second.events);

    // CloudTrail delivers late: an event of t − 25 min shows up only now.
    let late = moto().seed_events(
        account,
        &[json!({"eventName": "PutImage", "eventTime": iso(t - minutes(25))})],
    );
    expected.extend(late.iter().cloned());

    clock.set(t); // [t−35m, t]
    let third = p.poll_once().await;
    assert!(third.errors.is_empty());
    assert!(third
        .events
        .iter()
        .any(|e| e.event.event_id.as_deref() == Some(late[0].as_str())));
    seen.extend(third.events);

    let ids: Vec<String> = seen
        .iter()
        .map(|e| e.event.event_id.clone().unwrap())
        .collect();
    let unique: HashSet<String> = ids.iter().cloned().collect();
    assert_eq!(ids.len(), unique.len(), "no event twice");
    assert_eq!(unique, expected, "no event dropped");
    assert!(p.state().duplicates > 0);
    assert_eq!(p.state().received, 52);
}

#[tokio::test]
async fn the_filter_selects_event_names_one_stream_each() {
    let account = "410000000005";
    let now = SystemTime::now();
    let all = [
        "PutImage",
        "BatchGetImage",
        "GetDownloadUrlForLayer",
        "InitiateLayerUpload",
        "AssumeRole",
        "GetAuthorizationToken",
        "DeleteRepository",
    ];
    let seeded: Vec<Value> = all
        .iter()
        .enumerate()
        .map(|(i, n)| json!({"eventName": n, "eventTime": iso(now - minutes(10 - i as u64))}))
        .collect();
    moto().seed_events(account, &seeded);

    let filter = names(&["BatchGetImage,assumerole"]);
    let mut p = poller(account, &filter, since(minutes(30))).await;
    let report = p.poll_once().await;
    let got: Vec<&str> = report
        .events
        .iter()
        .map(|e| e.event.event_name.as_deref().unwrap())
        .collect();
    assert_eq!(got, ["BatchGetImage", "AssumeRole"]);
    assert_eq!(report.stats.requests, 2, "one request stream per name");

    let mut every = poller(account, &EventFilter::Any, since(minutes(30))).await;
    let report = every.poll_once().await;
    assert_eq!(report.events.len(), all.len());
    assert_eq!(report.stats.requests, 1);
}

/// A config for `account` whose requests go to `endpoint`.
async fn via(endpoint: &str, account: &str) -> SdkConfig {
    moto()
        .sdk_config(account)
        .await
        .to_builder()
        .endpoint_url(endpoint)
        .build()
}

#[tokio::test]
async fn failures_are_values_in_the_report_and_the_state() {
    let filter = names(&["PutImage", "AssumeRole"]);

    // AWS's answer to unknown keys.
    let proxy = ThrottleProxy::start(moto().port(), Policy::InvalidCredentials);
    let sdk = via(&proxy.endpoint(), "410000000006").await;
    let mut p = TrailPoller::new(&sdk, "410000000006", &filter, PollerConfig::default());
    let report = p.poll_once().await;
    assert_eq!(
        report.errors.len(),
        2,
        "a service error does not stop other streams"
    );
    assert!(matches!(
        &report.errors[0].error,
        TailError::Service { code, .. } if code == "UnrecognizedClientException"
    ));
    assert!(!report.stats.complete);
    assert_eq!(p.state().hint(), None);
    let shown = p.state().last_error.as_ref().unwrap().to_string();
    assert!(
        shown.starts_with("AssumeRole: UnrecognizedClientException"),
        "{shown}"
    );

    // No credentials at all: nothing is sent, and the other stream is not tried.
    let bare = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .http_client(crossdock::aws::http::client())
        .region(Region::new(REGION))
        .endpoint_url(moto().endpoint())
        .build();
    let mut p = TrailPoller::new(&bare, "410000000007", &filter, PollerConfig::default());
    let report = p.poll_once().await;
    assert_eq!(report.errors.len(), 1);
    assert!(
        matches!(report.errors[0].error, TailError::Credentials(_)),
        "{:?}",
        report.errors[0]
    );

    // Nobody listening.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let sdk = via(&dead, "410000000008").await;
    let mut p = TrailPoller::new(&sdk, "410000000008", &filter, PollerConfig::default());
    let report = p.poll_once().await;
    assert!(
        matches!(report.errors[0].error, TailError::Network(_)),
        "{:?}",
        report.errors[0]
    );
    // Error texts never carry the keys.
    let text = format!("{:?}", report.errors);
    assert!(
        !text.contains("ASIA") && !text.contains("testing"),
        "{text}"
    );
}

#[tokio::test]
async fn a_spawned_tail_streams_messages_and_stops() {
    let account = "410000000009";
    let config = PollerConfig {
        interval: Duration::from_millis(200),
        ..since(minutes(10))
    };
    let mut handle = poller(account, &EventFilter::default(), config)
        .await
        .spawn();
    let first = tokio::time::timeout(Duration::from_secs(10), handle.messages.recv())
        .await
        .expect("a first poll")
        .expect("open channel");
    assert!(matches!(first, TailMessage::Polled(ref s) if s.complete && s.new_events == 0));

    let ids = moto().seed_events(account, &records("PutImage", 2, minutes(1)));
    let mut state = crossdock::aws::trail_poller::TailState::new(100);
    state.apply(first);
    assert_eq!(state.hint(), Some(DELAY_HINT));
    while state.received < 2 {
        let message = tokio::time::timeout(Duration::from_secs(10), handle.messages.recv())
            .await
            .expect("the events within a few polls")
            .expect("open channel");
        state.apply(message);
    }
    let got: Vec<String> = state
        .events
        .iter()
        .map(|e| e.event.event_id.clone().unwrap())
        .collect();
    assert_eq!(got, ids);
    assert_eq!(state.hint(), None);
    tokio::time::timeout(Duration::from_secs(5), handle.stop())
        .await
        .expect("stops promptly");
}

#[tokio::test]
async fn pollers_of_one_account_and_region_share_a_limiter() {
    let sdk = moto().sdk_config("410000000010").await;
    let a = TrailPoller::new(
        &sdk,
        "410000000010",
        &EventFilter::Any,
        PollerConfig::default(),
    );
    let b = TrailPoller::new(
        &sdk,
        "410000000010",
        &EventFilter::Any,
        PollerConfig::default(),
    );
    let c = TrailPoller::new(
        &sdk,
        "410000000011",
        &EventFilter::Any,
        PollerConfig::default(),
    );
    assert!(a.limiter().same_as(b.limiter()));
    assert!(!a.limiter().same_as(c.limiter()));
    let own = RateLimiter::lookup_events();
    assert!(c.with_limiter(own.clone()).limiter().same_as(&own));
}

/// A poll against an endpoint that accepts connections and never answers ends at the
/// poll's deadline (not the request timeout, set far beyond it) with an error that says how
/// to allow longer; the other stream is not tried. Paused time: no real waiting.
#[tokio::test(start_paused = true)]
async fn a_poll_gives_up_at_its_deadline() {
    use aws_sdk_cloudtrail::config::{Credentials, SharedCredentialsProvider};
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let sdk = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .http_client(crossdock::aws::http::client())
        .region(Region::new(REGION))
        .endpoint_url(format!("http://{}", silent.local_addr().unwrap()))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDPOLLDEADLINE",
            "poll-deadline-secret",
            None,
            None,
            "test",
        )))
        .build();
    let config = PollerConfig {
        deadline: Duration::from_secs(5),
        request_timeout: Duration::from_secs(3600),
        ..since(minutes(10))
    };
    let filter = names(&["PutImage", "AssumeRole"]);
    let mut p = TrailPoller::new(&sdk, "410000000010", &filter, config)
        .with_limiter(RateLimiter::lookup_events());
    let report = p.poll_once().await;
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert!(
        matches!(report.errors[0].error, TailError::Deadline { deadline } if deadline == Duration::from_secs(5)),
        "{:?}",
        report.errors[0]
    );
    let shown = report.errors[0].to_string();
    assert!(shown.contains("within 5 s"), "{shown}");
    assert!(
        shown.contains("CROSSDOCK_QUESTION_DEADLINE=SECONDS allows longer"),
        "{shown}"
    );
    assert!(!shown.contains("poll-deadline-secret"), "{shown}");
    drop(silent);
}
