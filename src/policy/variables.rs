//! Policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'default'}`, `${*}`…),
//! which IAM substitutes only in documents of Version 2012-10-17.

use super::context::RequestContext;
use super::wildcard::{Pattern, PatternBuilder};

/// One piece of a text that contains policy variables.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// Plain text; its `*`/`?` are wildcards where the element allows them.
    Text(String),
    /// A character written as `${*}`, `${?}` or `${$}`: always itself.
    Escaped(char),
    /// `${key}` or `${key, 'default'}`.
    Variable {
        key: String,
        default: Option<String>,
    },
}

/// A text with at least one `${…}` placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

impl Template {
    /// Parses `text`; `None` when it holds no placeholder (the common case).
    pub fn parse(text: &str) -> Option<Self> {
        if !text.contains("${") {
            return None;
        }
        let mut parts = Vec::new();
        let mut text_run = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            let inner = &rest[start + 2..start + len];
            text_run.push_str(&rest[..start]);
            let part = match inner {
                "*" => Part::Escaped('*'),
                "?" => Part::Escaped('?'),
                "$" => Part::Escaped('$'),
                _ => parse_variable(inner),
            };
            if !text_run.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut text_run)));
            }
            parts.push(part);
            rest = &rest[start + len + 1..];
        }
        text_run.push_str(rest);
        if !text_run.is_empty() {
            parts.push(Part::Text(text_run));
        }
        Some(Self { parts })
    }

    /// The text with variables substituted; `None` when a variable has no value and no default.
    pub fn resolve_text(&self, context: &RequestContext) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Escaped(ch) => out.push(*ch),
                Part::Variable { key, default } => out.push_str(lookup(context, key, default)?),
            }
        }
        Some(out)
    }

    /// The text as a wildcard pattern: `*`/`?` in plain text and in substituted values are
    /// wildcards, escaped characters are literal. `None` as for [`Template::resolve_text`].
    pub fn resolve_pattern(&self, context: &RequestContext, fold: bool) -> Option<Pattern> {
        let mut builder = PatternBuilder::default();
        for part in &self.parts {
            match part {
                Part::Text(text) => builder.push_wild_text(&case(text, fold)),
                Part::Escaped(ch) => builder.push_literal(ch.encode_utf8(&mut [0; 4])),
                Part::Variable { key, default } => {
                    // A substituted value is data, not pattern syntax.
                    builder.push_literal(&case(lookup(context, key, default)?, fold))
                }
            }
        }
        Some(builder.finish())
    }

    /// The variable names used, for traces.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Variable { key, .. } => Some(key.as_str()),
            _ => None,
        })
    }
}

fn case(text: &str, fold: bool) -> String {
    if fold {
        text.to_ascii_lowercase()
    } else {
        text.to_string()
    }
}

fn parse_variable(inner: &str) -> Part {
    // `${aws:PrincipalTag/team, 'default'}`: the default is a quoted literal after a comma.
    if let Some((key, default)) = inner.split_once(',') {
        let default = default.trim();
        let unquoted = default
            .strip_prefix('\'')
            .and_then(|d| d.strip_suffix('\''))
            .unwrap_or(default);
        return Part::Variable {
            key: key.trim().to_string(),
            default: Some(unquoted.to_string()),
        };
    }
    Part::Variable {
        key: inner.trim().to_string(),
        default: None,
    }
}

fn lookup<'a>(
    context: &'a RequestContext,
    key: &str,
    default: &'a Option<String>,
) -> Option<&'a str> {
    // Multi-valued keys cannot be substituted: IAM treats them as absent here.
    context.get_single(key).or(default.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::context::ContextValue;

    fn ctx() -> RequestContext {
        let mut ctx = RequestContext::new();
        ctx.insert("aws:username", ContextValue::Single("alice".into()));
        ctx.insert("aws:PrincipalTag/team", ContextValue::Single("web*".into()));
        ctx
    }

    #[test]
    fn substitutes_and_defaults() {
        let t = Template::parse("home/${aws:username}/*").unwrap();
        assert_eq!(t.resolve_text(&ctx()).unwrap(), "home/alice/*");
        let t = Template::parse("${aws:PrincipalTag/missing, 'none'}").unwrap();
        assert_eq!(t.resolve_text(&ctx()).unwrap(), "none");
        let t = Template::parse("${aws:PrincipalTag/missing}").unwrap();
        assert_eq!(t.resolve_text(&ctx()), None);
        assert!(Template::parse("plain").is_none());
    }

    #[test]
    fn escapes_are_literal() {
        let t = Template::parse("a${*}b${?}c${$}").unwrap();
        assert_eq!(t.resolve_text(&ctx()).unwrap(), "a*b?c$");
        let p = t.resolve_pattern(&ctx(), false).unwrap();
        assert!(p.matches("a*b?c$"));
        assert!(!p.matches("aXb?c$"));
    }

    #[test]
    fn substituted_values_are_literal_in_patterns() {
        let t = Template::parse("team/${aws:PrincipalTag/team}").unwrap();
        let p = t.resolve_pattern(&ctx(), false).unwrap();
        assert!(p.matches("team/web*"));
        assert!(!p.matches("team/web-frontend"));
    }

    #[test]
    fn unclosed_placeholder_is_text() {
        let t = Template::parse("a${b").unwrap();
        assert_eq!(t.resolve_text(&ctx()).unwrap(), "a${b");
    }
}
