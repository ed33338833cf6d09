//! The poller under a throttling emulator (an HTTP proxy in front of moto that answers
//! `ThrottlingException` beyond a rate): it never exceeds 2 requests/second, backs off
//! and recovers when throttled, and loses or repeats no event either way.
//!
//! Rates are measured at the proxy, i.e. as AWS would count them. Each test prints its
//! figures; `cargo test --test trail_throttle -- --nocapture` shows them, and the ignored
//! `measure_sustained_rate` runs a longer measurement for BENCHMARKS.md.
#![cfg(feature = "aws")]

#[path = "support/moto.rs"]
mod moto;
#[path = "support/throttle_proxy.rs"]
mod throttle_proxy;

use std::collections::HashSet;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_cloudtrail::primitives::{DateTime, DateTimeFormat};
use crossdock::aws::trail_poller::{
    EventFilter, PollReport, PollerConfig, RateLimiter, TailError, TailMessage, TrailPoller,
};
use moto::moto;
use serde_json::{json, Value};
use throttle_proxy::{Policy, ThrottleProxy};

const SECOND: Duration = Duration::from_secs(1);

/// AWS's documented limit, as the emulator enforces it.
fn aws_limit() -> Policy {
    Policy::Window {
        max: 2,
        per: SECOND,
    }
}

/// `n` records of each name, a few seconds apart, in the last hour.
fn seed(account: &str, names: &[&str], n: usize) -> Vec<String> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let records: Vec<Value> = names
        .iter()
        .flat_map(|name| {
            (0..n).map(move |i| {
                let at = DateTime::from_secs(now - 3000 + 7 * i as i64);
                json!({"eventName": name, "eventTime": at.fmt(DateTimeFormat::DateTime).unwrap()})
            })
        })
        .collect();
    moto().seed_events(account, &records)
}

async fn poller_via(
    proxy: &ThrottleProxy,
    account: &str,
    filter: &EventFilter,
    config: PollerConfig,
) -> TrailPoller {
    let sdk = moto()
        .sdk_config(account)
        .await
        .to_builder()
        .endpoint_url(proxy.endpoint())
        .build();
    // Its own limiter: tests in this binary run in parallel and must not share budgets.
    TrailPoller::new(&sdk, account, filter, config)
        .with_limiter(RateLimiter::lookup_events())
        .with_backoff_seed(42)
}

fn ids(reports: &[&PollReport]) -> Vec<String> {
    reports
        .iter()
        .flat_map(|r| r.events.iter())
        .map(|e| e.event.event_id.clone().unwrap())
        .collect()
}

fn assert_exactly(got: Vec<String>, expected: &[String]) {
    let unique: HashSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), got.len(), "an event came twice");
    assert_eq!(unique, expected.iter().collect(), "an event is missing");
}

/// Prints one line of figures; returns the sustained rate: requests per second over the
/// span from the first arrival to one second after the last (each request's own window),
/// which is at most 2 whenever no 1-second window holds more than 2.
fn report_rate(label: &str, proxy: &ThrottleProxy, elapsed: Duration) -> f64 {
    let arrivals = proxy.arrivals();
    let span = match (arrivals.first(), arrivals.last()) {
        (Some(first), Some(last)) => last.at - first.at,
        _ => Duration::ZERO,
    };
    let rate = arrivals.len() as f64 / (span + SECOND).as_secs_f64();
    println!(
        "{label}: {} requests ({} throttled) in {:.2}s; sustained {:.2} req/s; \
         max {} in any 1 s window",
        arrivals.len(),
        proxy.throttled(),
        elapsed.as_secs_f64(),
        rate,
        proxy.max_in_window(SECOND)
    );
    rate
}

#[tokio::test]
async fn never_more_than_two_requests_in_any_second() {
    let account = "420000000001";
    let expected = seed(account, &["PutImage", "BatchGetImage"], 30);
    let proxy = ThrottleProxy::start(moto().port(), aws_limit());
    let config = PollerConfig {
        page_size: 5,
        ..PollerConfig::default()
    };
    // Two event names: two request streams sharing one limiter.
    let filter = EventFilter::parse(&["PutImage,BatchGetImage"]).unwrap();
    let mut p = poller_via(&proxy, account, &filter, config).await;
    let started = Instant::now();
    let report = p.poll_once().await;
    let rate = report_rate(
        "2 streams, 60 events, pages of 5",
        &proxy,
        started.elapsed(),
    );

    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.stats.requests, 12);
    assert_eq!(proxy.throttled(), 0, "the emulator never had to throttle");
    assert!(proxy.max_in_window(SECOND) <= 2);
    assert!(rate <= 2.0, "{rate}");
    assert_exactly(ids(&[&report]), &expected);
}

#[tokio::test]
async fn throttling_backs_off_exponentially_then_recovers() {
    let account = "420000000002";
    let expected = seed(account, &["PutImage"], 12);
    let proxy = ThrottleProxy::start(moto().port(), Policy::FirstN(3));
    let config = PollerConfig {
        page_size: 5,
        backoff_base: Duration::from_millis(200),
        backoff_cap: Duration::from_secs(2),
        interval: Duration::from_secs(60),
        ..PollerConfig::default()
    };
    let mut handle = poller_via(&proxy, account, &EventFilter::default(), config)
        .await
        .spawn();
    let mut delays = Vec::new();
    let mut got = Vec::new();
    let stats = loop {
        match tokio::time::timeout(Duration::from_secs(20), handle.messages.recv()).await {
            Ok(Some(TailMessage::Backoff { delay, attempt, .. })) => {
                assert_eq!(attempt as usize, delays.len() + 1);
                delays.push(delay);
            }
            Ok(Some(TailMessage::Events(events))) => {
                got.extend(events.into_iter().map(|e| e.event.event_id.unwrap()))
            }
            Ok(Some(TailMessage::Polled(stats))) => break stats,
            other => panic!("unexpected {other:?}"),
        }
    };
    handle.stop().await;

    assert_eq!(stats.throttled, 3);
    assert!(stats.complete);
    assert_eq!(stats.requests, 3 + 3, "three refused, then three pages");
    for (k, delay) in delays.iter().enumerate() {
        let ceiling = Duration::from_millis(200) * 2u32.pow(k as u32);
        assert!(*delay >= ceiling / 2 && *delay <= ceiling, "{k}: {delay:?}");
    }
    // Each retry waited at least its backoff after the refusal.
    let arrivals = proxy.arrivals();
    for (k, delay) in delays.iter().enumerate() {
        let gap = arrivals[k + 1].at - arrivals[k].at;
        assert!(gap >= *delay, "retry {k} after {gap:?}, backoff {delay:?}");
    }
    assert!(proxy.max_in_window(SECOND) <= 2);
    assert_exactly(got, &expected);
}

#[tokio::test]
async fn an_over_eager_client_is_throttled_yet_loses_nothing() {
    let account = "420000000003";
    let expected = seed(account, &["PutImage"], 40);
    let proxy = ThrottleProxy::start(moto().port(), aws_limit());
    let config = PollerConfig {
        page_size: 5,
        backoff_base: Duration::from_millis(300),
        backoff_cap: Duration::from_secs(2),
        max_throttle_retries: 50,
        ..PollerConfig::default()
    };
    // A limiter far above AWS's limit stands in for another client eating the budget.
    let mut p = poller_via(&proxy, account, &EventFilter::default(), config)
        .await
        .with_limiter(RateLimiter::new(20, SECOND));
    let started = Instant::now();
    let report = p.poll_once().await;
    report_rate("over-eager limiter (20/s)", &proxy, started.elapsed());

    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.stats.throttled > 0, "the emulator throttled");
    assert_eq!(report.stats.requests as usize, proxy.arrivals().len());
    assert_exactly(ids(&[&report]), &expected);
}

#[tokio::test]
async fn a_window_cut_short_by_throttling_resumes_on_the_next_poll() {
    let account = "420000000004";
    let expected = seed(account, &["PutImage"], 12);
    let proxy = ThrottleProxy::start(moto().port(), Policy::FirstN(3));
    let config = PollerConfig {
        page_size: 5,
        backoff_base: Duration::from_millis(100),
        max_throttle_retries: 1,
        ..PollerConfig::default()
    };
    let mut p = poller_via(&proxy, account, &EventFilter::default(), config).await;
    let first = p.poll_once().await;
    assert!(first.events.is_empty());
    assert!(matches!(
        first.errors[0].error,
        TailError::Throttled { attempts: 2 }
    ));
    assert!(p.state().last_error.is_some());
    assert_eq!(
        p.state().hint(),
        None,
        "the error shows, not the delay hint"
    );

    let second = p.poll_once().await;
    assert!(second.errors.is_empty(), "{:?}", second.errors);
    assert!(p.state().last_error.is_none());
    assert_exactly(ids(&[&first, &second]), &expected);
    assert!(proxy.max_in_window(SECOND) <= 2);
}

/// A longer run for BENCHMARKS.md: 4 streams, 400 events, pages of 5 (80 requests).
#[tokio::test]
#[ignore = "about 45 s; run with --ignored --nocapture to measure"]
async fn measure_sustained_rate() {
    let account = "420000000005";
    let names = [
        "PutImage",
        "BatchGetImage",
        "AssumeRole",
        "GetAuthorizationToken",
    ];
    let expected = seed(account, &names, 100);
    let proxy = ThrottleProxy::start(moto().port(), aws_limit());
    let config = PollerConfig {
        page_size: 5,
        ..PollerConfig::default()
    };
    let filter = EventFilter::parse(&names).unwrap();
    let mut p = poller_via(&proxy, account, &filter, config).await;
    let started = Instant::now();
    let report = p.poll_once().await;
    let rate = report_rate(
        "4 streams, 400 events, pages of 5",
        &proxy,
        started.elapsed(),
    );
    assert_eq!(proxy.throttled(), 0);
    assert!(proxy.max_in_window(SECOND) <= 2);
    assert!(rate <= 2.0);
    assert_exactly(ids(&[&report]), &expected);
}
