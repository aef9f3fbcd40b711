//! The YAML mistakes people make, said in their words: serde_yaml's message
//! names the parser's state ("mapping values are not allowed in this
//! context"); these say what to write instead, at the spot to change.
//!
//! Takes a YAML block's text, where serde_yaml stopped and its message; gives
//! a better message and hint with the spot, or `None` to keep serde_yaml's.
//! Looks only at the block's lines; never parses.

/// A mistake found: a byte range in the block, a message and a hint.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Explained {
    pub(crate) offset: usize,
    pub(crate) len: usize,
    pub(crate) message: String,
    pub(crate) hint: String,
}

/// Each line of `text` with its byte offset.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_inclusive('\n').scan(0, |at, line| {
        let start = *at;
        *at += line.len();
        Some((start, line.trim_end_matches(['\n', '\r'])))
    })
}

/// `key: value` on a line: the key, and the value's offset in the line.
fn key_value(line: &str) -> Option<(&str, usize)> {
    let colon = line.find(": ")?;
    let key = line[..colon].trim();
    let key = key.strip_prefix("- ").unwrap_or(key);
    if key.is_empty() || key.contains(char::is_whitespace) || key.starts_with(['"', '\'', '#']) {
        return None;
    }
    let rest = &line[colon + 1..];
    Some((key, colon + 1 + rest.len() - rest.trim_start().len()))
}

/// A better message for serde_yaml's `message` at `offset` of `text`.
pub(crate) fn explain(text: &str, offset: usize, message: &str) -> Option<Explained> {
    if let Some(e) = unclosed_quote(text, offset) {
        return Some(e);
    }
    let (line_start, line) = lines(text)
        .take_while(|&(start, _)| start <= offset)
        .last()
        .unwrap_or((0, ""));
    if let Some(tab) = line.find('\t')
        && (message.contains("cannot start any token") || message.contains("tab"))
    {
        return Some(Explained {
            offset: line_start + tab,
            len: 1,
            message: "a tab: YAML indents with spaces, not tabs".into(),
            hint: "replace the tab (shown as `→`) with spaces".into(),
        });
    }
    let (key, value_at) = key_value(line)?;
    let value = line[value_at..].trim_end();
    if message.starts_with("mapping values are not allowed") && value.contains(": ") {
        return Some(Explained {
            offset: line_start + value_at,
            len: value.chars().count(),
            message: format!("the value of `{key}` holds `: `, so it must be quoted"),
            hint: format!(
                "write `{key}: \"{}\"`",
                value.replace('\\', "\\\\").replace('"', "\\\"")
            ),
        });
    }
    if message.contains("invalid type: string") && message.contains("expected a sequence") {
        let items: Vec<&str> = value
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        return Some(Explained {
            offset: line_start + value_at,
            len: value.chars().count(),
            message: format!("`{key}` must be a list"),
            hint: format!("write `{key}: [{}]`", items.join(", ")),
        });
    }
    None
}

/// A quoted value opened on a line at or before `offset` that is not closed
/// on its line: serde_yaml reads on into the next lines and stops somewhere
/// below ("did not find expected key"), far from the mistake.
fn unclosed_quote(text: &str, offset: usize) -> Option<Explained> {
    for (start, line) in lines(text) {
        if start > offset {
            break;
        }
        let Some((key, value_at)) = key_value(line) else {
            continue;
        };
        let value = &line[value_at..];
        let Some(quote) = value.chars().next().filter(|c| matches!(c, '"' | '\'')) else {
            continue;
        };
        let rest = &value[1..];
        let closed = if quote == '"' {
            let mut escaped = false;
            rest.chars().any(|c| {
                let end = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                end
            })
        } else {
            // `''` inside single quotes is a quote; one alone closes it.
            rest.replace("''", "").contains('\'')
        };
        if !closed {
            return Some(Explained {
                offset: start + value_at,
                len: 1,
                message: format!("the quote that starts the value of `{key}` is never closed"),
                hint: format!("end the value with `{quote}` on the same line"),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, needle: &str) -> usize {
        text.find(needle).unwrap()
    }

    #[test]
    fn a_colon_in_a_value_asks_for_quotes() {
        let text = "title: T\nsummary: Note: this breaks\n";
        let e = explain(
            text,
            at(text, ": this"),
            "mapping values are not allowed in this context",
        )
        .unwrap();
        assert_eq!(
            e.message,
            "the value of `summary` holds `: `, so it must be quoted"
        );
        assert_eq!(e.hint, "write `summary: \"Note: this breaks\"`");
        assert_eq!(e.offset, at(text, "Note"));
    }

    #[test]
    fn an_unclosed_quote_is_found_where_it_opens() {
        let text = "title: T\nsummary: \"S\nthemes: [\"apology\"]\n";
        let e = explain(text, text.len() - 2, "did not find expected key").unwrap();
        assert_eq!(e.offset, at(text, "\"S"));
        let ok = "title: 'it''s'\nsummary: \"a \\\" b\"\n";
        assert_eq!(unclosed_quote(ok, ok.len()), None);
    }

    #[test]
    fn a_comma_list_becomes_a_flow_list() {
        let text = "themes: a, b\n";
        let e = explain(
            text,
            8,
            "invalid type: string \"a, b\", expected a sequence",
        )
        .unwrap();
        assert_eq!(e.hint, "write `themes: [a, b]`");
    }
}
