//! The config file (`$XDG_CONFIG_HOME/crossdock/config.toml`, else
//! `~/.config/crossdock/config.toml`), the user keymap and themes beside it, and the
//! effective settings `crossdock --print-config` shows.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::keymap::{Keymap, KeymapError};
use super::theme::{self, Theme, ThemeError};

/// What the config file may set.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Theme name (built in, or `themes/NAME.toml` in the config dir).
    pub theme: Option<String>,
    /// Start in presenter mode.
    pub presenter: Option<bool>,
    /// The user keymap file (default `keymap.toml` in the config dir).
    pub keymap: Option<PathBuf>,
}

/// Why the configuration could not be resolved; the messages name the file at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config or keymap file exists but could not be read.
    #[error("{}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
    /// The config file is not valid.
    #[error("{}: {source}", .path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong in it.
        source: toml::de::Error,
    },
    /// The theme asked for could not be loaded.
    #[error(transparent)]
    Theme(#[from] ThemeError),
    /// The user keymap is not valid (its messages name the file).
    #[error(transparent)]
    Keymap(#[from] KeymapError),
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// The crossdock config directory.
pub fn config_dir() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .filter(|p| p.is_absolute());
    xdg.or_else(|| {
        std::env::var_os("HOME")
            .filter(|v| !v.is_empty())
            .map(|h| PathBuf::from(h).join(".config"))
    })
    .map(|base| base.join("crossdock"))
}

/// The settings in force, with where each came from.
#[derive(Debug, Clone)]
pub struct Effective {
    /// The config file path and whether it exists.
    pub config_file: Option<(PathBuf, bool)>,
    /// The theme name and its origin (`--theme`, config file, default).
    pub theme: (String, &'static str),
    /// For `auto`: the built-in theme the terminal's background chose.
    pub detected_theme: Option<&'static str>,
    /// Whether `NO_COLOR` disables colour.
    pub no_color: bool,
    /// The user keymap path and whether it exists.
    pub keymap_file: Option<(PathBuf, bool)>,
    /// Presenter mode and its origin.
    pub presenter: (bool, &'static str),
    /// Where user themes are looked up.
    pub themes_dir: Option<PathBuf>,
    /// The resolved theme.
    pub resolved_theme: Theme,
    /// The resolved keymap.
    pub resolved_keymap: Keymap,
}

/// Reads the config file (if any) and resolves theme, keymap and presenter mode;
/// command-line values win over the file.
pub fn resolve(cli_theme: Option<&str>, cli_presenter: bool) -> Result<Effective, ConfigError> {
    resolve_in(
        config_dir().as_deref(),
        cli_theme,
        cli_presenter,
        theme::no_color_requested(),
    )
}

/// [`resolve`] with an explicit config dir and `NO_COLOR` state (tests).
pub fn resolve_in(
    dir: Option<&Path>,
    cli_theme: Option<&str>,
    cli_presenter: bool,
    no_color: bool,
) -> Result<Effective, ConfigError> {
    let config_path = dir.map(|d| d.join("config.toml"));
    let file = match &config_path {
        Some(path) if path.is_file() => {
            let text = read(path)?;
            toml::from_str::<ConfigFile>(&text).map_err(|source| ConfigError::Parse {
                path: path.clone(),
                source,
            })?
        }
        _ => ConfigFile::default(),
    };
    let (theme_name, theme_from) = match (cli_theme, &file.theme) {
        (Some(name), _) => (name.to_string(), "--theme"),
        (None, Some(name)) => (name.clone(), "config file"),
        (None, None) => ("auto".to_string(), "default"),
    };
    // `auto` follows the terminal's background (OSC 11, then COLORFGBG, else dark).
    let detected = (theme_name == "auto").then(|| {
        super::background::detect()
            .unwrap_or(super::background::Background::Dark)
            .theme_name()
    });
    let load_name = detected.unwrap_or(&theme_name);
    let themes_dir = dir.map(|d| d.join("themes"));
    let resolved_theme = if no_color {
        // Still validate the name so a typo is reported even under NO_COLOR.
        Theme::load(load_name, themes_dir.as_deref())?;
        Theme::monochrome()
    } else {
        Theme::load(load_name, themes_dir.as_deref())?
    };
    let keymap_path = match (&file.keymap, dir) {
        (Some(path), Some(dir)) if path.is_relative() => Some(dir.join(path)),
        (Some(path), _) => Some(path.clone()),
        (None, Some(dir)) => Some(dir.join("keymap.toml")),
        (None, None) => None,
    };
    let resolved_keymap = match &keymap_path {
        Some(path) if path.is_file() => {
            let text = read(path)?;
            Keymap::with_user(&text, &path.display().to_string())?
        }
        _ => Keymap::default_keymap(),
    };
    let presenter = if cli_presenter {
        (true, "--presenter")
    } else {
        match file.presenter {
            Some(on) => (on, "config file"),
            None => (false, "default"),
        }
    };
    Ok(Effective {
        config_file: config_path.map(|p| {
            let exists = p.is_file();
            (p, exists)
        }),
        theme: (theme_name, theme_from),
        detected_theme: detected,
        no_color,
        keymap_file: keymap_path.map(|p| {
            let exists = p.is_file();
            (p, exists)
        }),
        presenter,
        themes_dir,
        resolved_theme,
        resolved_keymap,
    })
}

impl Effective {
    /// The effective configuration as TOML with comments saying where values came from.
    pub fn to_toml(&self, source: &str) -> String {
        let path = |p: &Option<(PathBuf, bool)>| match p {
            Some((path, true)) => format!("{:?}  # found", path.display().to_string()),
            Some((path, false)) => format!("{:?}  # not present", path.display().to_string()),
            None => "\"\"  # no HOME or XDG_CONFIG_HOME".to_string(),
        };
        let mut out = String::new();
        out.push_str("# crossdock effective configuration\n");
        out.push_str(&format!("config_file = {}\n", path(&self.config_file)));
        let detected = self
            .detected_theme
            .map(|name| format!(" (the terminal's background chose {name})"))
            .unwrap_or_default();
        out.push_str(&format!(
            "theme = {:?}  # from {}{detected}\n",
            self.theme.0, self.theme.1
        ));
        out.push_str(&format!(
            "no_color = {}  # NO_COLOR {}\n",
            self.no_color,
            if self.no_color {
                "is set"
            } else {
                "is not set"
            }
        ));
        out.push_str(&format!("keymap = {}\n", path(&self.keymap_file)));
        out.push_str(&format!(
            "presenter = {}  # from {}\n",
            self.presenter.0, self.presenter.1
        ));
        if let Some(dir) = &self.themes_dir {
            out.push_str(&format!("themes_dir = {:?}\n", dir.display().to_string()));
        }
        out.push_str(&format!("source = {source:?}\n"));
        out.push_str(&format!(
            "built_in_themes = {:?}\n",
            theme::BUILT_IN.map(|(n, _)| n)
        ));
        out.push_str(&format!(
            "bindings = {}\n",
            self.resolved_keymap.bindings().len()
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_flags() {
        let dir = std::env::temp_dir().join(format!("crossdock-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(
            dir.join("config.toml"),
            "theme = \"light\"\npresenter = true\n",
        )
        .expect("write");
        std::fs::write(
            dir.join("keymap.toml"),
            "[[bind]]\ncontext = \"global\"\non = [\"ctrl-q\"]\nrun = \"quit\"\n",
        )
        .expect("write");
        let effective = resolve_in(Some(&dir), None, false, false).expect("resolve");
        assert_eq!(effective.theme, ("light".to_string(), "config file"));
        assert_eq!(effective.presenter, (true, "config file"));
        assert!(effective
            .keymap_file
            .as_ref()
            .is_some_and(|(_, found)| *found));
        let flags = resolve_in(Some(&dir), Some("high-contrast"), true, true).expect("resolve");
        assert_eq!(flags.theme.1, "--theme");
        assert!(flags.resolved_theme.monochrome);
        assert!(flags.to_toml("demo").contains("theme = \"high-contrast\""));
        assert!(resolve_in(Some(&dir), Some("nope"), false, false).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
