//! Key bindings: the default `assets/keymap.toml`, a user keymap layered on top (prepend or
//! replace per action), and the lookup from a terminal key to an [`Action`].
//!
//! Every binding carries a description, so the help overlay, the footer and the palette are
//! generated from this one list and cannot drift from what the keys do.

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;

use super::action::Action;

const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

/// Where a binding applies: the focused pane or the open overlay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Context {
    /// Everywhere, after the focused context.
    Global,
    /// A resource list (Roles, Repositories, …).
    List,
    /// The Trail tab's list of CloudTrail records (falls back to `list`).
    Trail,
    /// A detail view.
    Detail,
    /// The Explain pane.
    Explain,
    /// Typing a list filter.
    Filter,
    /// Typing a search in a detail view.
    Search,
    /// The question chooser opened by `explain`.
    Chooser,
    /// The profile picker.
    Picker,
    /// The command palette.
    Palette,
    /// The paste-an-error dialog.
    Paste,
    /// The help overlay.
    Help,
    /// Walkthrough mode.
    Walkthrough,
    /// The inputs dialog of the Explain pane.
    Inputs,
    /// The before/after diff of a fix.
    Diff,
    /// The "Who can?" / "What can?" answers.
    Reverse,
    /// The History view of the Explain pane.
    History,
}

impl Context {
    /// Contexts where plain characters are typed into a text field.
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            Context::Filter
                | Context::Search
                | Context::Chooser
                | Context::Picker
                | Context::Palette
                | Context::Paste
                | Context::Inputs
        )
    }

    /// The context looked in next when a key is not bound here (before `global`).
    pub fn parent(self) -> Option<Context> {
        match self {
            Context::Trail => Some(Context::List),
            _ => None,
        }
    }

    /// The title used in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::List => "Lists",
            Context::Trail => "Trail records",
            Context::Detail => "Detail",
            Context::Explain => "Explain",
            Context::Filter => "Filter",
            Context::Search => "Search in a detail",
            Context::Chooser => "Question chooser",
            Context::Picker => "Profile picker",
            Context::Palette => "Command palette",
            Context::Paste => "Paste dialog",
            Context::Help => "Help",
            Context::Walkthrough => "Walkthrough",
            Context::Inputs => "Inputs dialog",
            Context::Diff => "Fix diff",
            Context::Reverse => "Who can? / What can?",
            Context::History => "History",
        }
    }

    /// Help overlay order.
    pub const ALL: [Context; 17] = [
        Context::Global,
        Context::List,
        Context::Trail,
        Context::Detail,
        Context::Explain,
        Context::Walkthrough,
        Context::Filter,
        Context::Search,
        Context::Chooser,
        Context::Picker,
        Context::Palette,
        Context::Paste,
        Context::Inputs,
        Context::Diff,
        Context::Reverse,
        Context::History,
        Context::Help,
    ];
}

/// One key with its modifiers, as written in keymap files (`ctrl-c`, `G`, `backtab`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySpec {
    /// The key.
    pub code: KeyCode,
    /// Ctrl, Alt (Shift is carried by the character itself, or by `backtab`).
    pub mods: KeyModifiers,
}

impl KeySpec {
    /// Parses `ctrl-c`, `alt-x`, `shift-tab`, `enter`, `?`, `f1`…
    pub fn parse(text: &str) -> Option<KeySpec> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            // A lone "-" is the minus key, not a separator.
            if rest.len() > 1 {
                if let Some((prefix, tail)) = rest.split_once('-') {
                    let modifier = match prefix.to_ascii_lowercase().as_str() {
                        "ctrl" | "c" => Some(KeyModifiers::CONTROL),
                        "alt" | "a" | "m" => Some(KeyModifiers::ALT),
                        "shift" | "s" => Some(KeyModifiers::SHIFT),
                        _ => None,
                    };
                    if let (Some(modifier), false) = (modifier, tail.is_empty()) {
                        mods |= modifier;
                        rest = tail;
                        continue;
                    }
                }
            }
            break;
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" if mods.contains(KeyModifiers::SHIFT) => {
                mods -= KeyModifiers::SHIFT;
                KeyCode::BackTab
            }
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "space" => KeyCode::Char(' '),
            lower if lower.len() > 1 && lower.starts_with('f') => {
                KeyCode::F(lower[1..].parse().ok().filter(|n| (1..=12).contains(n))?)
            }
            _ => {
                let mut chars = rest.chars();
                let c = chars.next()?;
                if chars.next().is_some() {
                    return None;
                }
                KeyCode::Char(c)
            }
        };
        if let KeyCode::Char(c) = code {
            // Shift is carried by the character: `shift-g` and `G` are the same key.
            if mods.contains(KeyModifiers::SHIFT) {
                mods -= KeyModifiers::SHIFT;
                return Some(KeySpec {
                    code: KeyCode::Char(c.to_ascii_uppercase()),
                    mods,
                });
            }
        }
        Some(KeySpec { code, mods })
    }

    /// Whether a terminal key event is this key.
    pub fn matches(&self, event: &KeyEvent) -> bool {
        let mut mods = event.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        let code = match event.code {
            KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            KeyCode::Tab if event.modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            other => other,
        };
        if matches!(code, KeyCode::BackTab) {
            mods -= KeyModifiers::SHIFT;
        }
        code == self.code && mods == self.mods
    }
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// One entry of the keymap.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    /// Where it applies.
    pub context: Context,
    /// The keys, in the order shown to users.
    pub keys: Vec<KeySpec>,
    /// What they do.
    pub action: Action,
    /// One line for help, footer and palette.
    pub desc: String,
}

/// Why a keymap file was refused.
#[derive(Debug, thiserror::Error)]
pub enum KeymapError {
    /// Not valid TOML or not the expected shape.
    #[error("{origin}: {message}")]
    Parse {
        /// Which file.
        origin: String,
        /// The parser's message.
        message: String,
    },
    /// An entry names an unknown action or key.
    #[error("{origin}: binding {index}: {message}")]
    Entry {
        /// Which file.
        origin: String,
        /// 1-based entry number.
        index: usize,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    bind: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    context: Context,
    on: Vec<String>,
    run: String,
    #[serde(default)]
    desc: Option<String>,
    #[serde(default)]
    mode: Mode,
}

#[derive(Deserialize, Default, PartialEq)]
#[serde(rename_all = "snake_case")]
enum Mode {
    #[default]
    Prepend,
    Replace,
}

/// The effective key bindings.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Keymap {
    /// The built-in keymap.
    pub fn default_keymap() -> Keymap {
        let mut keymap = Keymap {
            bindings: Vec::new(),
        };
        // The embedded file is tested below; a broken one would fail CI, never a user.
        let _ = keymap.layer(DEFAULT_KEYMAP, "assets/keymap.toml");
        keymap
    }

    /// The built-in keymap with a user keymap file's text layered on top.
    pub fn with_user(text: &str, origin: &str) -> Result<Keymap, KeymapError> {
        let mut keymap = Keymap::default_keymap();
        keymap.layer(text, origin)?;
        Ok(keymap)
    }

    fn layer(&mut self, text: &str, origin: &str) -> Result<(), KeymapError> {
        let file: File = toml::from_str(text).map_err(|e| KeymapError::Parse {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        let mut prepended = Vec::new();
        for (index, entry) in file.bind.into_iter().enumerate() {
            let error = |message: String| KeymapError::Entry {
                origin: origin.to_string(),
                index: index + 1,
                message,
            };
            let action = Action::from_name(&entry.run)
                .ok_or_else(|| error(format!("unknown action `{}`", entry.run)))?;
            let keys = entry
                .on
                .iter()
                .map(|k| KeySpec::parse(k).ok_or_else(|| error(format!("unknown key `{k}`"))))
                .collect::<Result<Vec<_>, _>>()?;
            if entry.mode == Mode::Replace {
                self.bindings
                    .retain(|b| !(b.context == entry.context && b.action == action));
            }
            let desc = entry.desc.unwrap_or_else(|| action.summary().to_string());
            prepended.push(Binding {
                context: entry.context,
                keys,
                action,
                desc,
            });
        }
        prepended.append(&mut self.bindings);
        self.bindings = prepended;
        Ok(())
    }

    /// Every binding, highest priority first.
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The bindings of one context.
    pub fn in_context(&self, context: Context) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(move |b| b.context == context)
    }

    /// The action for a key pressed while `context` is focused.
    pub fn resolve(&self, context: Context, key: &KeyEvent) -> Option<Action> {
        let hit = |ctx: Context| {
            self.in_context(ctx)
                .find(|b| b.keys.iter().any(|k| k.matches(key)))
                .map(|b| b.action.clone())
        };
        if let Some(action) = hit(context).or_else(|| context.parent().and_then(hit)) {
            return Some(action);
        }
        let ctrl_or_alt = key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        if context.takes_text() {
            match key.code {
                KeyCode::Char(c) if !ctrl_or_alt => return Some(Action::Insert(c)),
                KeyCode::Backspace => return Some(Action::Backspace),
                // Text fields keep typed characters; only chorded global keys reach through.
                _ if !ctrl_or_alt => return None,
                _ => {}
            }
        }
        if context == Context::Global {
            return None;
        }
        hit(Context::Global)
    }

    /// The keys bound to an action in a context (or globally), for palette and footer.
    pub fn keys_for(&self, context: Context, action: &Action) -> Vec<KeySpec> {
        self.bindings
            .iter()
            .filter(|b| b.context == context && &b.action == action)
            .flat_map(|b| b.keys.iter().copied())
            .collect()
    }

    /// The description of an action, from the first binding that has it.
    pub fn desc_for(&self, action: &Action) -> String {
        self.bindings
            .iter()
            .find(|b| &b.action == action)
            .map(|b| b.desc.clone())
            .unwrap_or_else(|| action.summary().to_string())
    }
}

/// Joins keys for display: `q/ctrl-c`.
pub fn join_keys(keys: &[KeySpec]) -> String {
    keys.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn default_keymap_parses_completely() {
        let mut keymap = Keymap {
            bindings: Vec::new(),
        };
        keymap
            .layer(DEFAULT_KEYMAP, "assets/keymap.toml")
            .expect("default keymap");
        assert!(keymap.bindings().iter().all(|b| !b.desc.is_empty()));
    }

    #[test]
    fn resolves_context_then_global() {
        let keymap = Keymap::default_keymap();
        let q = key(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(keymap.resolve(Context::List, &q), Some(Action::Quit));
        assert_eq!(keymap.resolve(Context::Help, &q), Some(Action::Cancel));
        assert_eq!(
            keymap.resolve(Context::Filter, &q),
            Some(Action::Insert('q'))
        );
        let ctrl_c = key(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(keymap.resolve(Context::Paste, &ctrl_c), Some(Action::Quit));
        let backtab = key(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(
            keymap.resolve(Context::List, &backtab),
            Some(Action::PrevPane)
        );
        let shift_g = key(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(
            keymap.resolve(Context::List, &shift_g),
            Some(Action::Bottom)
        );
    }

    #[test]
    fn user_keymap_prepends_or_replaces() {
        let user = r#"
[[bind]]
context = "global"
on = ["ctrl-q"]
run = "quit"
mode = "replace"
desc = "Leave"

[[bind]]
context = "list"
on = ["f"]
run = "filter"
"#;
        let keymap = Keymap::with_user(user, "user.toml").expect("user keymap");
        let q = key(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(keymap.resolve(Context::List, &q), None);
        let ctrl_q = key(KeyCode::Char('q'), KeyModifiers::CONTROL);
        assert_eq!(keymap.resolve(Context::List, &ctrl_q), Some(Action::Quit));
        let f = key(KeyCode::Char('f'), KeyModifiers::NONE);
        assert_eq!(keymap.resolve(Context::List, &f), Some(Action::Filter));
        let slash = key(KeyCode::Char('/'), KeyModifiers::NONE);
        assert_eq!(keymap.resolve(Context::List, &slash), Some(Action::Filter));
        assert_eq!(keymap.desc_for(&Action::Quit), "Leave");
    }

    #[test]
    fn bad_entries_are_reported() {
        let err = Keymap::with_user(
            "[[bind]]\ncontext = \"list\"\non = [\"ctrl-\"]\nrun = \"fly\"\n",
            "u.toml",
        )
        .expect_err("bad");
        assert!(err.to_string().contains("unknown action `fly`"), "{err}");
        assert!(KeySpec::parse("hyper-x").is_none());
        assert_eq!(
            KeySpec::parse("shift-tab").map(|k| k.code),
            Some(KeyCode::BackTab)
        );
        assert_eq!(
            KeySpec::parse("-").map(|k| k.code),
            Some(KeyCode::Char('-'))
        );
    }
}
