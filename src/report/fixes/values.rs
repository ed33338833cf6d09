//! A JSON value written in the syntax of each tool: JSON, HCL (inside `jsonencode`), YAML
//! (block style) and Python literals. Strings keep JSON's escapes, which all four accept;
//! HCL also needs `${` and `%{` doubled, or Terraform would read a policy variable such as
//! `${aws:username}` as an interpolation.

use serde_json::Value;

/// Pretty JSON.
pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).expect("JSON values serialize")
}

fn quoted(text: &str) -> String {
    Value::String(text.to_string()).to_string()
}

/// HCL expression of `value`, continuation lines indented by `indent` spaces.
pub fn hcl(value: &Value, indent: usize) -> String {
    let pad = " ".repeat(indent + 2);
    let close = " ".repeat(indent);
    match value {
        Value::String(s) => quoted(s).replace("${", "$${").replace("%{", "%%{"),
        Value::Array(items) if items.is_empty() => "[]".into(),
        Value::Array(items) => {
            let inner: Vec<String> = items
                .iter()
                .map(|v| format!("{pad}{},", hcl(v, indent + 2)))
                .collect();
            format!("[\n{}\n{close}]", inner.join("\n"))
        }
        Value::Object(map) if map.is_empty() => "{}".into(),
        Value::Object(map) => {
            let inner: Vec<String> = map
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{pad}{} = {}",
                        hcl(&Value::String(k.clone()), 0),
                        hcl(v, indent + 2)
                    )
                })
                .collect();
            format!("{{\n{}\n{close}}}", inner.join("\n"))
        }
        other => other.to_string(),
    }
}

/// YAML block lines of `value` as the value of a key at `indent` (starts with a space or a
/// newline, so it follows `Key:` directly).
pub fn yaml(value: &Value, indent: usize) -> String {
    let pad = " ".repeat(indent + 2);
    match value {
        // `-` then the item on the lines below, indented further: valid for every kind.
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .map(|v| format!("\n{pad}-{}", yaml(v, indent + 2)))
            .collect(),
        Value::Object(map) if !map.is_empty() => map
            .iter()
            .map(|(k, v)| format!("\n{pad}{}:{}", quoted(k), yaml(v, indent + 2)))
            .collect(),
        Value::Array(_) => " []".into(),
        Value::Object(_) => " {}".into(),
        Value::String(s) => format!(" {}", quoted(s)),
        other => format!(" {other}"),
    }
}

/// Python literal of `value`, continuation lines indented by `indent` spaces.
pub fn python(value: &Value, indent: usize) -> String {
    let pad = " ".repeat(indent + 4);
    let close = " ".repeat(indent);
    match value {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::String(s) => quoted(s),
        Value::Array(items) if items.is_empty() => "[]".into(),
        Value::Array(items) => {
            let inner: Vec<String> = items
                .iter()
                .map(|v| format!("{pad}{},", python(v, indent + 4)))
                .collect();
            format!("[\n{}\n{close}]", inner.join("\n"))
        }
        Value::Object(map) if map.is_empty() => "{}".into(),
        Value::Object(map) => {
            let inner: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{pad}{}: {},", quoted(k), python(v, indent + 4)))
                .collect();
            format!("{{\n{}\n{close}}}", inner.join("\n"))
        }
        Value::Number(n) => n.to_string(),
    }
}

/// TypeScript literal of `value` (JSON is one), continuation lines indented by `indent`.
pub fn typescript(value: &Value, indent: usize) -> String {
    let text = pretty(value);
    let pad = " ".repeat(indent);
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            if i == 0 {
                line.to_string()
            } else {
                format!("{pad}{line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
