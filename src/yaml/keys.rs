//! The keys a YAML block writes, read from its lines without parsing: every
//! unknown key at once (serde_yaml stops at the first), and keys written twice.
//!
//! Takes the block's text; gives offsets into it. Sees block mappings only
//! (`key: value` lines); a key inside a flow mapping is left to serde_yaml.

/// A `key:` written at the start of `line` (after `indent` spaces): the key
/// without quotes, or `None` when the line is not a mapping entry.
fn key_at(line: &str, indent: usize) -> Option<&str> {
    let rest = line.get(indent..)?;
    if rest.starts_with([' ', '\t', '#', '-', '[', '{', '|', '>']) || rest.trim().is_empty() {
        return None;
    }
    let colon = rest.find(':')?;
    let after = &rest[colon + 1..];
    if !(after.is_empty() || after.starts_with([' ', '\t', '\r', '\n'])) {
        return None;
    }
    let key = rest[..colon].trim_end();
    let key = key
        .strip_prefix('"')
        .and_then(|k| k.strip_suffix('"'))
        .or_else(|| key.strip_prefix('\'').and_then(|k| k.strip_suffix('\'')))
        .unwrap_or(key);
    (!key.is_empty() && !key.contains(char::is_whitespace)).then_some(key)
}

/// A key the block writes that is not allowed where it is.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Unknown<'t> {
    pub(crate) offset: usize,
    pub(crate) key: &'t str,
    /// The key it sits under, for nested mappings.
    pub(crate) parent: Option<&'static str>,
    pub(crate) allowed: &'static [&'static str],
}

/// Every key of the top-level mapping not in `known`, and of the mappings
/// under the `nested` keys not in theirs, in order.
pub fn unknown_keys<'t>(
    text: &'t str,
    known: &'static [&'static str],
    nested: &[(&'static str, &'static [&'static str])],
) -> Vec<Unknown<'t>> {
    let mut out = Vec::new();
    let mut offset = 0;
    // Inside a nested mapping: its key, allowed keys and (once seen) indent.
    let mut inside: Option<(&'static str, &'static [&'static str], Option<usize>)> = None;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let blank = line.trim().is_empty() || line.trim_start().starts_with('#');
        if !blank && indent == 0 {
            inside = None;
            if let Some(key) = key_at(line, 0) {
                if !known.contains(&key) {
                    out.push(Unknown {
                        offset,
                        key,
                        parent: None,
                        allowed: known,
                    });
                }
                inside = nested
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|&(k, allowed)| (k, allowed, None));
            }
        } else if !blank && let Some((parent, allowed, child)) = &mut inside {
            let child = *child.get_or_insert(indent);
            if indent == child
                && let Some(key) = key_at(line, indent)
                && !allowed.contains(&key)
            {
                out.push(Unknown {
                    offset: offset + indent,
                    key,
                    parent: Some(parent),
                    allowed,
                });
            }
        }
        offset += line.len();
    }
    out
}

/// The first top-level key written twice: offsets of both and the key.
/// serde_yaml reports duplicates at the mapping's start, not at the repeat.
pub(crate) fn duplicate_top_level_key(text: &str) -> Option<(usize, usize, &str)> {
    let mut seen: Vec<(&str, usize)> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let starts_key = line.starts_with(|c: char| c.is_alphanumeric() || c == '_');
        if starts_key && let Some(colon) = line.find(':') {
            let key = line[..colon].trim_end();
            let is_key = !key.contains(char::is_whitespace)
                && line[colon + 1..].starts_with([' ', '\n', '\r', '\t'])
                || line[colon + 1..].is_empty();
            if is_key {
                if let Some(&(_, first)) = seen.iter().find(|(k, _)| *k == key) {
                    return Some((first, offset, key));
                }
                seen.push((key, offset));
            }
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[&str] = &["title", "summary", "source"];
    const SOURCE: &[&str] = &["title", "url"];

    #[test]
    fn reports_every_unknown_key_top_level_and_nested() {
        let text = "tittle: T\nsummary: |\n  colour: not a key\n# x: comment\nsource:\n  titel: S\n  url: u\ncolour: red\n";
        let found: Vec<(&str, Option<&str>)> = unknown_keys(text, KNOWN, &[("source", SOURCE)])
            .iter()
            .map(|u| (u.key, u.parent))
            .collect();
        assert_eq!(
            found,
            [
                ("tittle", None),
                ("titel", Some("source")),
                ("colour", None)
            ]
        );
    }

    #[test]
    fn flow_and_sequence_lines_are_not_keys() {
        let text = "title: T\n- x: y\nsummary: [a,\n  b]\n\"source\": {x: 1}\n";
        assert!(unknown_keys(text, KNOWN, &[]).is_empty());
    }
}
