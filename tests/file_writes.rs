//! Files crossdock writes are created exclusively in their directory and renamed into
//! place: a symlink another local user plants at a predictable name (the old temporary name
//! of `snapshot -o`, or the walkthrough export's name) is replaced, never followed, so the
//! operator cannot be made to overwrite a file of theirs.
#![cfg(all(unix, feature = "tui"))]

use std::path::{Path, PathBuf};

use crossdock::tui::action::Action;
use crossdock::tui::headless::Harness;

fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("file-writes-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
fn the_walkthrough_export_replaces_a_planted_symlink_instead_of_following_it() {
    let dir = scratch("walkthrough");
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "precious").expect("victim");
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    // Every name the export could pick in the next minute.
    for s in seconds..seconds + 60 {
        let name = format!("crossdock-walkthrough-pull-{s}.md");
        std::os::unix::fs::symlink(&victim, dir.join(name)).expect("plant");
    }
    let mut h = Harness::demo(120, 40);
    h.app.export_dir = dir.clone();
    h.act(Action::Explain)
        .type_text("s1-broken")
        .act(Action::Confirm);
    h.act(Action::Walkthrough);
    h.act(Action::ExportWalkthrough);
    let status = h.app.status.clone().expect("status");
    assert!(status.starts_with("walkthrough written to"), "{status}");
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "precious",
        "the export followed a planted symlink"
    );
    let written: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| !std::fs::symlink_metadata(p).expect("meta").is_symlink())
        .filter(|p| p != &victim)
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");
    let markdown = std::fs::read_to_string(&written[0]).expect("export");
    assert!(markdown.contains("## Step 1 of"), "{markdown}");
    let _ = std::fs::remove_dir_all(&dir);
}
