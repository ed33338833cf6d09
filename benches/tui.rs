//! Console benchmarks: time to first frame on the demo, one frame at 200×60 with 10,000
//! roles loaded, and a fuzzy-filter keystroke (filter + frame) over 10,000 roles.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use serde_json::json;

use crossdock::inventory::{demo, Collection, Field, Role};
use crossdock::tui::action::Action;
use crossdock::tui::headless::Harness;
use crossdock::tui::msg::Msg;
use crossdock::tui::ui;

/// The demo pair with account A holding `count` roles with trust policies.
fn big_harness(count: usize) -> Harness {
    let mut h = Harness::demo(200, 60);
    let mut accounts = demo::load().expect("demo").into_accounts();
    let mut a = accounts.remove(0);
    a.roles = Collection::complete((0..count).map(|i| {
        let name = format!("team-{}-service-{i}-role", ["build", "deploy", "batch", "etl"][i % 4]);
        let mut role = Role::listed(format!("arn:aws:iam::{}:role/{name}", a.id()), name, "/");
        role.trust_policy = Field::Loaded(json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}]
        }));
        role.inline_policies = Field::Loaded(Vec::new());
        role.attached_policies = Field::Loaded(Vec::new());
        role
    }));
    let generation = h.app.sides[0].generation;
    let effects = h.app.handle(Msg::PairLoaded {
        generation,
        result: Ok(vec![a, accounts.remove(0)]),
    });
    h.run(effects);
    h
}

fn draw(h: &Harness, terminal: &mut Terminal<TestBackend>) {
    let _ = terminal.draw(|frame| ui::draw(frame, &h.app));
}

fn benches(c: &mut Criterion) {
    c.bench_function("first_frame_demo_120x40", |b| {
        b.iter(|| {
            // App::new + loading the embedded demo + building lists + one frame.
            let h = Harness::demo(120, 40);
            black_box(h.screen());
        })
    });
    let h = big_harness(10_000);
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("backend");
    c.bench_function("frame_200x60_10k_roles", |b| {
        b.iter(|| draw(&h, &mut terminal))
    });
    let mut h = big_harness(10_000);
    h.act(Action::Filter);
    c.bench_function("filter_keystroke_to_frame_10k_roles", |b| {
        b.iter(|| {
            // One keystroke narrows, the next widens again, so every iteration does the same work.
            h.act(Action::Insert('d'));
            draw(&h, &mut terminal);
            h.act(Action::Backspace);
            draw(&h, &mut terminal);
        })
    });
}

criterion_group! {
    name = tui;
    config = Criterion::default().sample_size(30);
    targets = benches
}
criterion_main!(tui);
