//! The opt-in file log: off unless `--log-file PATH` or `CROSSDOCK_LOG=PATH` asks for it
//! (`-` means the default path under the XDG state directory).
//!
//! Only crossdock's own events are written, never the SDK's or hyper's: their debug events
//! include signed request headers (the session token among them). crossdock's events carry
//! only fields chosen at the call site (operation, account, duration, outcome code), never
//! the `Debug` of a config, a credentials provider or an SDK error.

use std::ffi::OsString;
use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

/// The environment variable that turns the log on without a flag.
pub const ENV_VAR: &str = "CROSSDOCK_LOG";

/// `$XDG_STATE_HOME/crossdock/crossdock.log`, else `~/.local/state/crossdock/crossdock.log`.
pub fn default_path(xdg_state_home: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    let state = xdg_state_home
        .filter(|s| Path::new(s).is_absolute())
        .map(PathBuf::from)
        .or_else(|| home.map(|h| Path::new(&h).join(".local/state")))?;
    Some(state.join("crossdock").join("crossdock.log"))
}

/// The log file asked for by the flag, else the environment; `-` means [`default_path`].
pub fn requested(flag: Option<&Path>, env: Option<OsString>) -> Option<PathBuf> {
    let chosen = flag
        .map(Path::to_path_buf)
        .or_else(|| env.filter(|v| !v.is_empty()).map(PathBuf::from))?;
    if chosen.as_os_str() == "-" {
        return default_path(std::env::var_os("XDG_STATE_HOME"), std::env::var_os("HOME"));
    }
    Some(chosen)
}

/// Why the log could not be started; both messages name the file.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The file or its directory could not be created or opened.
    #[error("cannot open log file {}: {source}", .path.display())]
    Open {
        /// The log file.
        path: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
    /// A logger was already installed in this process.
    #[error("cannot open log file {}: {source}", .path.display())]
    Install {
        /// The log file.
        path: PathBuf,
        /// What `tracing` reported.
        source: tracing_subscriber::util::TryInitError,
    },
}

/// Appends crossdock's events to `path` (created owner-only, with its directory) from now
/// on; errors name the file.
pub fn init(path: &Path) -> Result<(), LogError> {
    let fail = |source| LogError::Open {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(fail)?;
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path).map_err(fail)?;
    let layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .with_filter(Targets::new().with_target("crossdock", Level::DEBUG));
    tracing_subscriber::registry()
        .with(layer)
        .try_init()
        .map_err(|source| LogError::Install {
            path: path.to_path_buf(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_path_follows_xdg_then_home() {
        assert_eq!(
            default_path(Some("/state".into()), Some("/home/me".into())),
            Some(PathBuf::from("/state/crossdock/crossdock.log"))
        );
        // A relative XDG_STATE_HOME is invalid per the spec and ignored.
        assert_eq!(
            default_path(Some("rel".into()), Some("/home/me".into())),
            Some(PathBuf::from(
                "/home/me/.local/state/crossdock/crossdock.log"
            ))
        );
        assert_eq!(default_path(None, None), None);
    }

    #[test]
    fn flag_wins_over_environment_and_empty_means_off() {
        assert_eq!(
            requested(Some(Path::new("a.log")), Some("b.log".into())),
            Some(PathBuf::from("a.log"))
        );
        assert_eq!(
            requested(None, Some("b.log".into())),
            Some(PathBuf::from("b.log"))
        );
        assert_eq!(requested(None, Some("".into())), None);
        assert_eq!(requested(None, None), None);
    }
}
