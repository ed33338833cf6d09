//! Console figures criterion does not give: frame render p50/p99 at 200×60 with 10,000
//! roles, filter keystroke-to-frame p50/p99 over 10,000 and 100,000 items, peak memory with
//! 10,000 roles and 100,000 CloudTrail events held, and the profile picker with 500
//! profiles (open, and filter keystroke). Prints one line per figure.
//!
//! Run: `cargo bench --bench console_figures` (release build, about a minute).

use std::hint::black_box;
use std::time::{Duration, Instant};

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use serde_json::{json, Value};

use crossdock::inventory::{demo, Collection, Field, Role};
use crossdock::tui::action::Action;
use crossdock::tui::app::{AppOptions, DeepLink};
use crossdock::tui::headless::Harness;
use crossdock::tui::keymap::Keymap;
use crossdock::tui::msg::Msg;
use crossdock::tui::source::{DataSource, FileProfiles};
use crossdock::tui::theme::Theme;
use crossdock::tui::ui;

fn roles(account: &str, count: usize) -> Collection<Role> {
    Collection::complete((0..count).map(|i| {
        let name = format!("team-{}-service-{i}-role", ["build", "deploy", "batch", "etl"][i % 4]);
        let mut role = Role::listed(format!("arn:aws:iam::{account}:role/{name}"), name, "/");
        role.trust_policy = Field::Loaded(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}]}));
        role
    }))
}

fn put_image(i: usize) -> Value {
    json!({
        "eventVersion": "1.08", "eventID": format!("e{i:08}"), "eventTime": format!("2026-11-20T{:02}:{:02}:{:02}Z", (i / 3600) % 24, (i / 60) % 60, i % 60),
        "eventSource": "ecr.amazonaws.com", "eventName": "PutImage", "awsRegion": "ap-northeast-1",
        "userIdentity": if i % 10 == 0 { json!({"type": "AWSAccount", "accountId": "111111111111", "principalId": "AROAEXAMPLE:build"}) }
            else { json!({"type": "AssumedRole", "accountId": "222222222222", "arn": format!("arn:aws:sts::222222222222:assumed-role/ci/{i}")}) },
        "recipientAccountId": "222222222222",
        "requestParameters": {"repositoryName": format!("service-{}", i % 50), "imageTag": format!("v{i}"), "registryId": "222222222222"},
        "responseElements": {"image": {"imageId": {"imageDigest": format!("sha256:{i:064}")}}}
    })
}

/// The demo pair with `role_count` roles and `trail_count` CloudTrail records in account A.
fn loaded(role_count: usize, trail_count: usize) -> Harness {
    let mut h = Harness::demo(200, 60);
    let mut accounts = demo::load().expect("demo").into_accounts();
    let mut a = accounts.remove(0);
    a.roles = roles(a.id(), role_count);
    a.trail = Field::Loaded((0..trail_count).map(put_image).collect());
    let generation = h.app.sides[0].generation;
    let effects = h.app.handle(Msg::PairLoaded {
        generation,
        result: Ok(vec![a, accounts.remove(0)]),
    });
    h.run(effects);
    h
}

fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.99))
}

fn draw(h: &Harness, terminal: &mut Terminal<TestBackend>) {
    let _ = terminal.draw(|frame| crossdock::tui::ui::draw(frame, &h.app));
}

fn frames(h: &Harness, count: usize) -> (Duration, Duration) {
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("backend");
    let samples = (0..count)
        .map(|_| {
            let start = Instant::now();
            draw(h, &mut terminal);
            start.elapsed()
        })
        .collect();
    percentiles(samples)
}

/// Keystroke + frame, typing `query` and erasing it again, `rounds` times.
fn filter_keystrokes(h: &mut Harness, query: &str, rounds: usize) -> (Duration, Duration) {
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("backend");
    h.act(Action::Filter);
    let mut samples = Vec::new();
    for _ in 0..rounds {
        for c in query.chars() {
            let start = Instant::now();
            h.act(Action::Insert(c));
            draw(h, &mut terminal);
            samples.push(start.elapsed());
        }
        for _ in query.chars() {
            let start = Instant::now();
            h.act(Action::Backspace);
            draw(h, &mut terminal);
            samples.push(start.elapsed());
        }
    }
    h.act(Action::Cancel);
    percentiles(samples)
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Starts a new peak-memory window (Linux: writing 5 to `clear_refs` resets `VmHWM`), so a
/// figure is not the peak of an earlier, bigger phase.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// A live poll delivering 20 new records, `rounds` times: message handled, then a frame.
fn trail_updates(h: &mut Harness, first: usize, rounds: usize) -> (Duration, Duration) {
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("backend");
    let samples = (0..rounds)
        .map(|round| {
            let records = (0..20).map(|i| put_image(first + round * 20 + i)).collect();
            let generation = h.app.sides[0].generation;
            let start = Instant::now();
            let effects = h.app.handle(Msg::TrailPolled {
                side: crossdock::tui::msg::Side::A,
                generation,
                result: Ok(records),
            });
            draw(h, &mut terminal);
            let elapsed = start.elapsed();
            black_box(effects);
            elapsed
        })
        .collect();
    percentiles(samples)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let baseline = peak_rss_mib();
    let mut h = loaded(10_000, 0);
    let (p50, p99) = frames(&h, 500);
    println!(
        "frame 200x60, 10,000 roles: p50 {} p99 {}",
        ms(p50),
        ms(p99)
    );
    let (p50, p99) = filter_keystrokes(&mut h, "dep", 50);
    println!(
        "filter keystroke-to-frame, 10,000 roles: p50 {} p99 {}",
        ms(p50),
        ms(p99)
    );
    drop(h);
    let mut h = loaded(100_000, 0);
    let (p50, p99) = filter_keystrokes(&mut h, "dep", 10);
    println!(
        "filter keystroke-to-frame, 100,000 roles: p50 {} p99 {}",
        ms(p50),
        ms(p99)
    );
    drop(h);

    reset_peak_rss();
    let before_load = peak_rss_mib();
    let start = Instant::now();
    let mut h = loaded(10_000, 100_000);
    let load = start.elapsed();
    h.act(Action::TabTrail);
    let (p50, p99) = frames(&h, 200);
    black_box(&h);
    println!(
        "10,000 roles + 100,000 trail events held: load {} · Trail frame p50 {} p99 {} · peak RSS {:.0} MiB (before loading {:.0} MiB, process baseline {:.0} MiB)",
        ms(load), ms(p50), ms(p99), peak_rss_mib(), before_load, baseline
    );
    let (p50, p99) = trail_updates(&mut h, 100_000, 50);
    println!(
        "live trail update, 20 new records into 100,000 (poll message to frame): p50 {} p99 {}",
        ms(p50),
        ms(p99)
    );
    let (p50, p99) = filter_keystrokes(&mut h, "cross", 5);
    println!(
        "filter keystroke-to-frame, 100,000 trail events: p50 {} p99 {}",
        ms(p50),
        ms(p99)
    );
    drop(h);

    // 500 profiles in a config file; the picker lists them at start.
    let dir = std::env::temp_dir().join(format!("crossdock-bench-profiles-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let config: String = (0..500)
        .map(|i| format!("[profile team{i:03}-{}]\nregion = ap-northeast-1\nsso_session = corp\nsso_account_id = {:012}\nsso_role_name = ReadOnly\n\n", ["prod", "stg", "dev"][i % 3], 100_000_000_000u64 + i as u64))
        .collect();
    std::fs::write(dir.join("config"), config).expect("config");
    // SAFETY: single-threaded here; nothing else reads the environment concurrently.
    unsafe { std::env::set_var("AWS_CONFIG_FILE", dir.join("config")) };
    let options = || AppOptions {
        source: DataSource::Profiles { a: None, b: None },
        theme: Theme::monochrome(),
        keymap: Keymap::default_keymap(),
        presenter: false,
        deep_link: DeepLink::default(),
    };
    let opens: Vec<Duration> = (0..20)
        .map(|_| {
            let start = Instant::now();
            let h = Harness::with(options(), std::sync::Arc::new(FileProfiles), 200, 60);
            black_box(h.screen());
            start.elapsed()
        })
        .collect();
    let (p50, p99) = percentiles(opens);
    println!(
        "profile picker, 500 profiles: open (list + first frame) p50 {} p99 {}",
        ms(p50),
        ms(p99)
    );
    let mut h = Harness::with(options(), std::sync::Arc::new(FileProfiles), 200, 60);
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("backend");
    let mut samples = Vec::new();
    for _ in 0..20 {
        for c in "prod".chars() {
            let start = Instant::now();
            h.act(Action::Insert(c));
            let _ = terminal.draw(|frame| ui::draw(frame, &h.app));
            samples.push(start.elapsed());
        }
        for _ in 0..4 {
            let start = Instant::now();
            h.act(Action::Backspace);
            let _ = terminal.draw(|frame| ui::draw(frame, &h.app));
            samples.push(start.elapsed());
        }
    }
    let (p50, p99) = percentiles(samples);
    println!(
        "profile picker, 500 profiles: filter keystroke-to-frame p50 {} p99 {}",
        ms(p50),
        ms(p99)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
