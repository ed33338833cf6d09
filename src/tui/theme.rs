//! Themes: `themes/*.toml` (dark, light, high-contrast built in; more in the user's
//! `themes/` config folder), chosen by `--theme` or the config file. `NO_COLOR` keeps
//! only bold/reverse/underline so every state stays readable without colour.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use crate::diagnose::model::Status;

use super::msg::Side;

/// The built-in themes: (name, file text).
pub const BUILT_IN: [(&str, &str); 3] = [
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
    fg: String,
    muted: String,
    accent: String,
    border: String,
    border_focused: String,
    selection_fg: String,
    selection_bg: String,
    badge_fg: String,
    badge_bg: String,
    pass: String,
    fail: String,
    warn: String,
    unknown: String,
    json_key: String,
    json_string: String,
    json_number: String,
    json_literal: String,
    json_punct: String,
    evidence_bg: String,
    side_a: String,
    side_b: String,
}

/// The colours of one theme, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// The theme's name.
    pub name: String,
    /// No colour at all (`NO_COLOR`): styles keep only modifiers.
    pub monochrome: bool,
    colors: [Color; 21],
}

/// What a style is for; each maps to one colour of the theme file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Normal text.
    Text,
    /// Secondary text (hints, counts).
    Muted,
    /// Titles and the active tab.
    Accent,
    /// Borders of unfocused panes.
    Border,
    /// The border of the focused pane.
    BorderFocused,
    /// The selected row.
    Selection,
    /// The DEMO / PRESENTER badges.
    Badge,
    /// JSON object keys.
    JsonKey,
    /// JSON strings.
    JsonString,
    /// JSON numbers.
    JsonNumber,
    /// JSON true/false/null.
    JsonLiteral,
    /// JSON brackets, commas and colons.
    JsonPunct,
    /// The deciding statement of the selected evidence.
    Evidence,
    /// Account A's colour.
    SideA,
    /// Account B's colour.
    SideB,
    /// Errors.
    Error,
}

/// Why a theme could not be loaded; the messages name the theme or file and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    /// Not a built-in name, and no theme directory to look in.
    #[error("unknown theme `{name}`; built in: {known}")]
    Unknown {
        /// The name asked for.
        name: String,
        /// The built-in names, comma-separated.
        known: String,
    },
    /// Not a built-in name, and `NAME.toml` in the theme directory could not be read.
    #[error("unknown theme `{name}` (built in: {known}; {} : {source})", .path.display())]
    NotFound {
        /// The name asked for.
        name: String,
        /// The built-in names, comma-separated.
        known: String,
        /// The file looked for.
        path: PathBuf,
        /// Why it could not be read.
        source: std::io::Error,
    },
    /// A theme file that does not parse, with its path.
    #[error("{}: {source}", .path.display())]
    InFile {
        /// The theme file.
        path: PathBuf,
        /// What is wrong in it.
        source: Box<ThemeError>,
    },
    /// Not valid theme TOML.
    #[error(transparent)]
    Toml(#[from] toml::de::Error),
    /// A colour value ratatui does not know.
    #[error("unknown colour `{0}`")]
    Colour(String),
}

impl Role {
    /// The colour role of a side.
    pub fn side(side: Side) -> Role {
        match side {
            Side::A => Role::SideA,
            Side::B => Role::SideB,
        }
    }
}

impl Theme {
    /// A built-in theme by name, or a theme file from `dir` (`NAME.toml`).
    pub fn load(name: &str, dir: Option<&Path>) -> Result<Theme, ThemeError> {
        if let Some((_, text)) = BUILT_IN.iter().find(|(n, _)| *n == name) {
            return Theme::parse(text);
        }
        // `default` is what users type when they mean the default.
        if name == "default" {
            return Ok(Theme::dark());
        }
        let known = BUILT_IN.map(|(n, _)| n).join(", ");
        let Some(dir) = dir else {
            return Err(ThemeError::Unknown {
                name: name.to_string(),
                known,
            });
        };
        let path = dir.join(format!("{name}.toml"));
        let text = std::fs::read_to_string(&path).map_err(|source| ThemeError::NotFound {
            name: name.to_string(),
            known,
            path: path.clone(),
            source,
        })?;
        Theme::parse(&text).map_err(|e| ThemeError::InFile {
            path,
            source: Box::new(e),
        })
    }

    /// The default dark theme.
    pub fn dark() -> Theme {
        // The embedded file is covered by a test, so this cannot fail for users.
        Theme::parse(BUILT_IN[0].1).unwrap_or_else(|_| Theme::monochrome())
    }

    /// A theme without colours (`NO_COLOR`).
    pub fn monochrome() -> Theme {
        Theme {
            name: "no-color".into(),
            monochrome: true,
            colors: [Color::Reset; 21],
        }
    }

    /// Parses a theme file.
    pub fn parse(text: &str) -> Result<Theme, ThemeError> {
        let file: ThemeFile = toml::from_str(text)?;
        let fields = [
            &file.fg,
            &file.muted,
            &file.accent,
            &file.border,
            &file.border_focused,
            &file.selection_fg,
            &file.selection_bg,
            &file.badge_fg,
            &file.badge_bg,
            &file.pass,
            &file.fail,
            &file.warn,
            &file.unknown,
            &file.json_key,
            &file.json_string,
            &file.json_number,
            &file.json_literal,
            &file.json_punct,
            &file.evidence_bg,
            &file.side_a,
            &file.side_b,
        ];
        let mut colors = [Color::Reset; 21];
        for (slot, text) in colors.iter_mut().zip(fields) {
            *slot = Color::from_str(text).map_err(|_| ThemeError::Colour(text.to_string()))?;
        }
        Ok(Theme {
            name: file.name,
            monochrome: false,
            colors,
        })
    }

    /// The style for a role.
    pub fn style(&self, role: Role) -> Style {
        if self.monochrome {
            return match role {
                Role::Accent | Role::BorderFocused | Role::Error => {
                    Style::new().add_modifier(Modifier::BOLD)
                }
                Role::Selection | Role::Badge => Style::new().add_modifier(Modifier::REVERSED),
                Role::Evidence => Style::new().add_modifier(Modifier::UNDERLINED | Modifier::BOLD),
                Role::Muted | Role::JsonPunct => Style::new().add_modifier(Modifier::DIM),
                _ => Style::new(),
            };
        }
        let c = &self.colors;
        match role {
            Role::Text => Style::new().fg(c[0]),
            Role::Muted => Style::new().fg(c[1]),
            Role::Accent => Style::new().fg(c[2]).add_modifier(Modifier::BOLD),
            Role::Border => Style::new().fg(c[3]),
            Role::BorderFocused => Style::new().fg(c[4]),
            Role::Selection => Style::new().fg(c[5]).bg(c[6]),
            Role::Badge => Style::new().fg(c[7]).bg(c[8]).add_modifier(Modifier::BOLD),
            Role::JsonKey => Style::new().fg(c[13]),
            Role::JsonString => Style::new().fg(c[14]),
            Role::JsonNumber => Style::new().fg(c[15]),
            Role::JsonLiteral => Style::new().fg(c[16]),
            Role::JsonPunct => Style::new().fg(c[17]),
            Role::Evidence => Style::new().bg(c[18]).add_modifier(Modifier::BOLD),
            Role::SideA => Style::new().fg(c[19]).add_modifier(Modifier::BOLD),
            Role::SideB => Style::new().fg(c[20]).add_modifier(Modifier::BOLD),
            Role::Error => Style::new().fg(c[10]).add_modifier(Modifier::BOLD),
        }
    }

    /// The style of a check status mark.
    pub fn status(&self, status: Status) -> Style {
        if self.monochrome {
            return Style::new().add_modifier(Modifier::BOLD);
        }
        let color = match status {
            Status::Pass => self.colors[9],
            Status::Fail => self.colors[10],
            Status::Warn => self.colors[11],
            Status::Unknown => self.colors[12],
            // Does not apply: drawn like muted text, never like a pass.
            Status::NotApplicable => return self.style(Role::Muted),
        };
        Style::new().fg(color).add_modifier(Modifier::BOLD)
    }
}

/// Whether `NO_COLOR` asks for no colour (set and non-empty, per no-color.org).
pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_themes_parse() {
        for (name, text) in BUILT_IN {
            let theme = Theme::parse(text).expect(name);
            assert_eq!(theme.name, name);
        }
        assert!(Theme::load("nope", None).is_err());
        assert_eq!(Theme::load("default", None).expect("default").name, "dark");
    }

    #[test]
    fn monochrome_has_no_colours() {
        let theme = Theme::monochrome();
        let style = theme.style(Role::Selection);
        assert_eq!(style.fg, None);
        assert!(style.add_modifier.contains(Modifier::REVERSED));
    }
}
