//! The console against an endpoint that accepts connections and never answers: opening a
//! profile gives up at the load deadline with a message naming the profile, what was being
//! read and how to allow longer, and the console stays usable (the picker opens another
//! profile, the help opens, tabs switch).
//! One test in this file: it points the process's AWS config at temporary profile files.
#![cfg(all(feature = "tui", feature = "aws"))]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crossdock::tui::action::Action;
use crossdock::tui::app::{AppOptions, DeepLink, Overlay, SideStatus};
use crossdock::tui::headless::Harness;
use crossdock::tui::keymap::Keymap;
use crossdock::tui::live::AwsAccounts;
use crossdock::tui::msg::Side;
use crossdock::tui::source::DataSource;
use crossdock::tui::theme::Theme;

/// Profiles `slow` and `stuck`, both signing with static keys and sent to `endpoint`.
fn write_profiles(dir: &Path, endpoint: &str) {
    std::fs::create_dir_all(dir).expect("dir");
    let mut config = String::new();
    let mut credentials = String::new();
    for name in ["slow", "stuck"] {
        config.push_str(&format!(
            "[profile {name}]\nregion = eu-west-1\nendpoint_url = {endpoint}\n\n"
        ));
        credentials.push_str(&format!(
            "[{name}]\naws_access_key_id = AKIDEADLINETEST\naws_secret_access_key = deadline-secret\n\n"
        ));
    }
    std::fs::write(dir.join("config"), config).expect("config");
    std::fs::write(dir.join("credentials"), credentials).expect("credentials");
    // Safe: this binary runs a single test, so no other thread reads the environment.
    unsafe {
        std::env::set_var("AWS_CONFIG_FILE", dir.join("config"));
        std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"));
        for var in [
            "AWS_PROFILE",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_ENDPOINT_URL",
        ] {
            std::env::remove_var(var);
        }
    }
}

fn failure(h: &Harness, side: Side) -> String {
    match &h.app.side(side).status {
        SideStatus::Failed(error) => error.message.clone(),
        _ => panic!("side {} did not fail: {}", side.letter(), h.screen()),
    }
}

#[test]
fn a_profile_that_never_answers_is_reported_at_the_deadline_and_the_console_stays_usable() {
    // Connections land in the listener's backlog and are never answered: a black hole.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let endpoint = format!("http://{}", silent.local_addr().expect("address"));
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("tui-deadline-{}", std::process::id()));
    write_profiles(&dir, &endpoint);
    let options = AppOptions {
        source: DataSource::Profiles {
            a: Some("slow".into()),
            b: None,
        },
        theme: Theme::monochrome(),
        keymap: Keymap::default_keymap(),
        presenter: false,
        deep_link: DeepLink::default(),
    };
    let deadline = Duration::from_secs(1);
    let mut h = Harness::with_deadline(
        options,
        Arc::new(AwsAccounts::default()),
        (100, 30),
        deadline,
    );

    let message = failure(&h, Side::A);
    assert!(
        message.starts_with("profile `slow`: no answer within 1 s while opening it"),
        "{message}"
    );
    assert!(
        message.contains("CROSSDOCK_QUESTION_DEADLINE=SECONDS allows longer"),
        "{message}"
    );
    assert!(!message.contains("deadline-secret"), "{message}");
    // The picker (B has no profile yet) shows A's failure in full.
    let screen = h.screen();
    assert!(
        matches!(h.app.overlay, Some(Overlay::Picker(_))),
        "{screen}"
    );
    assert!(screen.contains("no answer within 1 s"), "{screen}");

    // Still usable: B opens another profile, which gets its own answer at the deadline.
    h.type_text("stuck").act(Action::Confirm);
    assert!(
        failure(&h, Side::B).starts_with("profile `stuck`: no answer within 1 s"),
        "{}",
        h.screen()
    );
    h.act(Action::Cancel).act(Action::TabTrail);
    h.act(Action::Help);
    assert!(
        matches!(h.app.overlay, Some(Overlay::Help(_))),
        "{}",
        h.screen()
    );
    let _ = std::fs::remove_dir_all(&dir);
    drop(silent);
}
