//! Word wrapping of styled lines to a width, done before drawing so a pane knows how many
//! lines it holds (to scroll and to say "12 more"). Continuation lines keep the original
//! indentation plus two columns, so a long JSON value wraps under its key, not at column 0.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Wraps every line to `width` columns (one column per character).
pub fn wrap(lines: &[Line<'static>], width: usize) -> Vec<Line<'static>> {
    let width = width.max(4);
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        wrap_line(line, width, &mut out);
    }
    out
}

/// Cuts one line to `width` columns, ending it with `…` when something was cut.
pub fn ellipsize(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let cut: String = text.chars().take(width - 1).collect();
    format!("{}…", cut.trim_end())
}

/// Cuts styled lines to `width` columns, ending each cut line with `…`.
pub fn clip(lines: Vec<Line<'static>>, width: usize) -> Vec<Line<'static>> {
    lines
        .into_iter()
        .map(|line| clip_line(line, width))
        .collect()
}

fn clip_line(line: Line<'static>, width: usize) -> Line<'static> {
    let len: usize = line.spans.iter().map(|s| s.content.chars().count()).sum();
    if len <= width || width == 0 {
        return line;
    }
    let mut cells: Vec<(char, Style)> = line
        .spans
        .iter()
        .flat_map(|span| {
            let style = line.style.patch(span.style);
            span.content.chars().map(move |c| (c, style))
        })
        .take(width)
        .collect();
    if let Some(last) = cells.last_mut() {
        last.0 = '…';
    }
    Line::from(group(&cells))
}

fn wrap_line(line: &Line<'static>, width: usize, out: &mut Vec<Line<'static>>) {
    let cells: Vec<(char, Style)> = line
        .spans
        .iter()
        .flat_map(|span| {
            let style = line.style.patch(span.style);
            span.content.chars().map(move |c| (c, style))
        })
        .collect();
    if cells.len() <= width {
        out.push(line.clone());
        return;
    }
    let indent = cells.iter().take_while(|(c, _)| *c == ' ').count();
    // Indented lines (JSON) continue under their value; prose continues at the margin.
    // Deeply indented lines would leave no room: cap the hanging indent at half the width.
    let hang = if indent > 0 {
        (indent + 2).min(width / 2)
    } else {
        0
    };
    let mut start = 0;
    let mut first = true;
    while start < cells.len() {
        let room = if first { width } else { width - hang };
        let rest = &cells[start..];
        let take = if rest.len() <= room {
            rest.len()
        } else {
            // Break after the last space that fits, else hard at the width.
            rest[..=room]
                .iter()
                .rposition(|(c, _)| *c == ' ')
                .filter(|&at| at > 0)
                .map_or(room, |at| at + 1)
        };
        let mut spans = Vec::new();
        if !first && hang > 0 {
            spans.push(Span::raw(" ".repeat(hang)));
        }
        spans.extend(group(&rest[..take]));
        out.push(Line::from(spans));
        start += take;
        first = false;
    }
}

/// Turns (char, style) cells back into spans, one per run of equal style.
fn group(cells: &[(char, Style)]) -> Vec<Span<'static>> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut text = String::new();
    let mut current: Option<Style> = None;
    for (c, style) in cells {
        if current.is_some_and(|s| s != *style) {
            spans.push(Span::styled(
                std::mem::take(&mut text),
                current.unwrap_or_default(),
            ));
        }
        current = Some(*style);
        text.push(*c);
    }
    if !text.is_empty() {
        spans.push(Span::styled(text, current.unwrap_or_default()));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(lines: &[Line<'_>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn short_lines_stay_and_long_ones_wrap_at_spaces_with_a_hanging_indent() {
        let lines = vec![
            Line::raw("short"),
            Line::raw("    \"AWS\": \"arn:aws:iam::111111111111:role/codebuild-service-role\""),
        ];
        let wrapped = plain(&wrap(&lines, 30));
        assert_eq!(wrapped[0], "short");
        assert_eq!(wrapped[1], "    \"AWS\": ");
        assert!(
            wrapped[2].starts_with("      \"arn:aws:iam::"),
            "{wrapped:?}"
        );
        assert!(
            wrapped.iter().all(|l| l.chars().count() <= 30),
            "{wrapped:?}"
        );
        let joined: String = wrapped[1..].iter().map(|l| l.trim_start()).collect();
        assert_eq!(
            joined,
            "\"AWS\": \"arn:aws:iam::111111111111:role/codebuild-service-role\""
        );
    }

    #[test]
    fn clipped_lines_end_with_an_ellipsis() {
        let lines = clip(vec![Line::raw("abcdef"), Line::raw("abc")], 4);
        assert_eq!(plain(&lines), vec!["abc…", "abc"]);
    }

    #[test]
    fn ellipsis_marks_a_cut() {
        assert_eq!(ellipsize("abcdef", 10), "abcdef");
        assert_eq!(ellipsize("abc def", 5), "abc…");
        assert_eq!(ellipsize("abcdef", 0), "");
    }
}
