//! Copy to the clipboard: OSC 52 (terminals honour it over SSH; inside tmux both the plain
//! sequence, which tmux's `set-clipboard` handles, and the DCS-passthrough-wrapped one), then
//! `pbcopy` / `wl-copy` / `xclip` when present, else a file whose path the footer shows.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (small enough not to need a crate).
pub fn base64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The escape sequence that puts `text` on the clipboard; `tmux` wraps it for tmux.
pub fn osc52(text: &str, tmux: bool) -> String {
    let seq = format!("\x1b]52;c;{}\x07", base64(text.as_bytes()));
    if tmux {
        // tmux passes DCS sequences through when every ESC inside is doubled.
        format!("\x1bPtmux;{}\x1b\\", seq.replace('\x1b', "\x1b\x1b"))
    } else {
        seq
    }
}

/// Where the terminal's environment lets a copy go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    /// Inside tmux (`TMUX` set).
    pub tmux: bool,
    /// A Wayland session (`WAYLAND_DISPLAY` set).
    pub wayland: bool,
    /// An X11 session (`DISPLAY` set).
    pub x11: bool,
    /// macOS (pbcopy).
    pub macos: bool,
    /// Where a copy is saved when no clipboard tool is present.
    pub save_dir: PathBuf,
}

impl Env {
    /// The environment of this process.
    pub fn detect() -> Env {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        let save_dir = std::env::var_os("XDG_RUNTIME_DIR")
            .map(PathBuf::from)
            .filter(|dir| dir.is_dir())
            .unwrap_or_else(std::env::temp_dir);
        Env {
            tmux: set("TMUX"),
            wayland: set("WAYLAND_DISPLAY"),
            x11: set("DISPLAY"),
            macos: cfg!(target_os = "macos"),
            save_dir,
        }
    }

    /// The clipboard tool to try, with its arguments.
    fn tool(&self) -> Option<(&'static str, &'static [&'static str])> {
        if self.macos {
            Some(("pbcopy", &[]))
        } else if self.wayland {
            Some(("wl-copy", &[]))
        } else if self.x11 {
            Some(("xclip", &["-selection", "clipboard"]))
        } else {
            None
        }
    }
}

/// The OSC 52 sequences to send: inside tmux the plain one (tmux's `set-clipboard` takes it
/// into its buffer and on to the outer terminal) and the passthrough-wrapped one (for tmux
/// set-ups with `allow-passthrough on` and `set-clipboard off`).
pub fn sequences(text: &str, tmux: bool) -> Vec<String> {
    let mut all = vec![osc52(text, false)];
    if tmux {
        all.push(osc52(text, true));
    }
    all
}

/// Copies `text`: OSC 52 to the terminal always, then a clipboard tool when one is present,
/// else a file. Returns how the copy went, for the footer ("OSC 52 via tmux + wl-copy").
pub fn copy(out: &mut impl Write, text: &str, env: &Env) -> std::io::Result<String> {
    for sequence in sequences(text, env.tmux) {
        out.write_all(sequence.as_bytes())?;
    }
    out.flush()?;
    let osc = if env.tmux {
        "OSC 52 via tmux"
    } else {
        "OSC 52"
    };
    if let Some((tool, args)) = env.tool().filter(|(tool, _)| on_path(tool)) {
        if run_tool(tool, args, text).is_ok() {
            return Ok(format!("{osc} + {tool}"));
        }
    }
    // OSC 52 may be refused silently (many terminals ask first, or ignore it): keep a copy.
    let path = env.save_dir.join("crossdock-clipboard.txt");
    match save(&path, text) {
        Ok(()) => Ok(format!("{osc}; also saved to {}", path.display())),
        Err(e) => Ok(format!(
            "{osc} (could not save a copy to {}: {e})",
            path.display()
        )),
    }
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

fn run_tool(tool: &str, args: &[&str], text: &str) -> std::io::Result<()> {
    let mut child = Command::new(tool)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(text.as_bytes())?;
    }
    let status = child.wait()?;
    if status.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "{tool} exited with {status}"
        )))
    }
}

/// Writes the copy readable by the user only (it may hold real account ids).
fn save(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }

    #[test]
    fn inside_tmux_both_the_plain_and_the_wrapped_sequence_go_out() {
        assert_eq!(sequences("hi", false), vec!["\x1b]52;c;aGk=\x07"]);
        assert_eq!(
            sequences("hi", true),
            vec![
                "\x1b]52;c;aGk=\x07",
                "\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\"
            ]
        );
    }

    #[test]
    fn without_a_clipboard_tool_the_copy_is_saved_and_the_path_reported() {
        let dir = std::env::temp_dir().join(format!("crossdock-clip-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let env = Env {
            tmux: true,
            save_dir: dir.clone(),
            ..Env::default()
        };
        let mut out = Vec::new();
        let how = copy(&mut out, "fix", &env).expect("copy");
        assert!(how.starts_with("OSC 52 via tmux; also saved to"), "{how}");
        let saved = std::fs::read_to_string(dir.join("crossdock-clipboard.txt")).expect("saved");
        assert_eq!(saved, "fix");
        assert_eq!(
            String::from_utf8(out)
                .expect("utf8")
                .matches("]52;c;Zml4")
                .count(),
            2
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn tmux_wrapping_doubles_escapes() {
        assert_eq!(osc52("hi", false), "\x1b]52;c;aGk=\x07");
        assert_eq!(osc52("hi", true), "\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\");
    }
}
