//! Pretty JSON with syntax colour, and the line range of every policy statement so the
//! deciding statement can be highlighted (and scrolled to) in place.

use ratatui::text::{Line, Span};
use serde_json::Value;

use crate::tui::theme::{Role, Theme};

/// Rendered JSON lines and where each `Statement` element sits.
#[derive(Debug, Clone, Default)]
pub struct JsonLines {
    /// The lines, indented by two spaces per level.
    pub lines: Vec<Line<'static>>,
    /// Inclusive line ranges of `Statement[i]` (a single statement object is index 0).
    pub statements: Vec<(usize, usize)>,
}

struct Writer<'a> {
    theme: &'a Theme,
    mask: &'a dyn Fn(&str) -> String,
    lines: Vec<Line<'static>>,
    current: Vec<Span<'static>>,
    statements: Vec<(usize, usize)>,
}

/// Renders `value` as pretty JSON; `mask` rewrites every string (presenter mode).
pub fn render(value: &Value, theme: &Theme, mask: &dyn Fn(&str) -> String) -> JsonLines {
    let mut writer = Writer {
        theme,
        mask,
        lines: Vec::new(),
        current: Vec::new(),
        statements: Vec::new(),
    };
    writer.value(value, 0, true);
    writer.newline();
    JsonLines {
        lines: writer.lines,
        statements: writer.statements,
    }
}

impl Writer<'_> {
    fn push(&mut self, text: String, role: Role) {
        self.current
            .push(Span::styled(text, self.theme.style(role)));
    }

    fn newline(&mut self) {
        let spans = std::mem::take(&mut self.current);
        self.lines.push(Line::from(spans));
    }

    fn indent(&mut self, level: usize) {
        if level > 0 {
            self.current.push(Span::raw("  ".repeat(level)));
        }
    }

    fn string(&mut self, text: &str, role: Role) {
        let masked = (self.mask)(text);
        let quoted = serde_json::to_string(&masked).unwrap_or_else(|_| format!("\"{masked}\""));
        self.push(quoted, role);
    }

    fn value(&mut self, value: &Value, level: usize, top: bool) {
        match value {
            Value::Null => self.push("null".into(), Role::JsonLiteral),
            Value::Bool(b) => self.push(b.to_string(), Role::JsonLiteral),
            Value::Number(n) => self.push(n.to_string(), Role::JsonNumber),
            Value::String(s) => self.string(s, Role::JsonString),
            Value::Array(items) => self.array(items, level, false),
            Value::Object(map) => {
                if map.is_empty() {
                    self.push("{}".into(), Role::JsonPunct);
                    return;
                }
                self.push("{".into(), Role::JsonPunct);
                let count = map.len();
                for (i, (key, item)) in map.iter().enumerate() {
                    self.newline();
                    self.indent(level + 1);
                    self.string(key, Role::JsonKey);
                    self.push(": ".into(), Role::JsonPunct);
                    let is_statement = top && key == "Statement";
                    match item {
                        Value::Array(items) if is_statement => self.array(items, level + 1, true),
                        Value::Object(_) if is_statement => {
                            let start = self.lines.len();
                            self.value(item, level + 1, false);
                            self.statements.push((start, self.lines.len()));
                        }
                        _ => self.value(item, level + 1, false),
                    }
                    if i + 1 < count {
                        self.push(",".into(), Role::JsonPunct);
                    }
                }
                self.newline();
                self.indent(level);
                self.push("}".into(), Role::JsonPunct);
            }
        }
    }

    fn array(&mut self, items: &[Value], level: usize, statements: bool) {
        if items.is_empty() {
            self.push("[]".into(), Role::JsonPunct);
            return;
        }
        self.push("[".into(), Role::JsonPunct);
        for (i, item) in items.iter().enumerate() {
            self.newline();
            self.indent(level + 1);
            let start = self.lines.len();
            self.value(item, level + 1, false);
            if statements {
                self.statements.push((start, self.lines.len()));
            }
            if i + 1 < items.len() {
                self.push(",".into(), Role::JsonPunct);
            }
        }
        self.newline();
        self.indent(level);
        self.push("]".into(), Role::JsonPunct);
    }
}

/// The plain text of rendered lines (tests, copies).
pub fn plain(lines: &[Line<'_>]) -> String {
    lines
        .iter()
        .map(|l| {
            l.spans
                .iter()
                .map(|s| s.content.as_ref())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matches_serde_pretty_and_finds_statements() {
        let policy = json!({
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "A", "Effect": "Allow", "Action": ["ecr:BatchGetImage"], "Resource": "*"},
                {"Effect": "Deny", "Action": "*", "Resource": [], "Condition": {}}
            ]
        });
        let theme = Theme::monochrome();
        let out = render(&policy, &theme, &|s| s.to_string());
        assert_eq!(
            plain(&out.lines),
            serde_json::to_string_pretty(&policy).expect("pretty")
        );
        assert_eq!(out.statements.len(), 2);
        let (start, end) = out.statements[1];
        assert!(plain(&out.lines[start..=end]).contains("\"Deny\""));
        assert!(!plain(&out.lines[start..=end]).contains("\"Allow\""));
    }

    #[test]
    fn single_statement_object_is_index_zero() {
        let policy = json!({"Statement": {"Effect": "Allow", "Action": "s3:*"}});
        let out = render(&policy, &Theme::monochrome(), &|s| s.to_string());
        assert_eq!(out.statements, vec![(1, 4)]);
    }
}
