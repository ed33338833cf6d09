//! A private tmux server for the console's end-to-end and terminal-safety tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A tmux server of our own (private socket) with one session named `e2e`.
pub struct Tmux {
    /// The socket name.
    pub socket: String,
}

impl Tmux {
    /// A tmux server of its own running a clean bash (empty HOME, no AWS settings, prompt
    /// `prompt`) in a 120×36 session `e2e`; returns it with the HOME directory.
    pub fn start(name: &str, prompt: &str) -> (Tmux, PathBuf) {
        let id = format!("crossdock-{name}-{}", std::process::id());
        let home = std::env::temp_dir().join(format!("{id}-home"));
        std::fs::create_dir_all(&home).expect("home");
        let tmux = Tmux { socket: id };
        let shell = format!(
            "env -i PATH=/usr/bin:/bin HOME={} TERM=xterm-256color PS1='{prompt}' bash --norc --noprofile",
            home.display()
        );
        let started = tmux.run(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-x",
            "120",
            "-y",
            "36",
            &shell,
        ]);
        assert!(
            started.status.success(),
            "tmux new-session: {}",
            String::from_utf8_lossy(&started.stderr)
        );
        let ready = prompt.trim_end().to_string();
        tmux.wait_for("the shell prompt", |s| s.contains(&ready));
        (tmux, home)
    }

    /// Runs a tmux command on our server.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    /// The pane's text.
    pub fn capture(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "e2e"]).stdout).into_owned()
    }

    /// Sends keys.
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success(), "send-keys {keys:?}");
    }

    /// Types text literally.
    pub fn literal(&self, text: &str) {
        assert!(self
            .run(&["send-keys", "-t", "e2e", "-l", text])
            .status
            .success());
    }

    /// A tmux format variable of the pane.
    pub fn format(&self, format: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", "e2e", format]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Waits until the screen satisfies `ok`, or fails with the last screen.
    pub fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.capture();
            if ok(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // Our own server on our own socket: this ends only what this test started.
        let _ = self.run(&["kill-server"]);
    }
}

/// True when tmux can run here.
pub fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}
