//! All YAML parsing lives here: `mend.yaml` and article front matter.
//!
//! Takes a YAML block and where it sits in its file; gives a typed value or a
//! diagnostic whose line is the line in the *file* (not in the block). Guards
//! size and nesting with a cheap scan before the parser sees the text, because
//! serde_yaml's backend slows down quadratically on deep nesting. Never reads files.

mod explain;
mod keys;

use std::path::Path;

use serde::de::DeserializeOwned;

use keys::duplicate_top_level_key;
pub use keys::unknown_keys;

use crate::error::{Diagnostic, Kind, Position};

/// Caps checked before parsing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caps {
    pub(crate) bytes: usize,
    pub(crate) depth: usize,
    /// How to raise a cap, by the name of its limit (`front_matter_bytes`,
    /// `front_matter_depth`), when something sets these (`limits:` in
    /// `mend.yaml`, for front matter); `mend.yaml` itself has fixed caps.
    pub(crate) raise_hint: Option<fn(&str) -> String>,
}

impl Caps {
    /// The caps on `mend.yaml` itself.
    pub(crate) const CONFIG: Caps = Caps {
        bytes: 64 * 1024,
        depth: 64,
        raise_hint: None,
    };
}

/// A YAML block inside a file: `text` starts at byte `offset` of `file`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Block<'a> {
    pub(crate) path: &'a Path,
    pub(crate) file: &'a str,
    pub(crate) offset: usize,
    pub(crate) text: &'a str,
    pub(crate) kind: Kind,
}

impl<'a> Block<'a> {
    /// A whole file as one block, like `mend.yaml`.
    pub(crate) fn whole(path: &'a Path, text: &'a str, kind: Kind) -> Block<'a> {
        Block {
            path,
            file: text,
            offset: 0,
            text,
            kind,
        }
    }

    /// A diagnostic in this block's file, located at a byte offset within the block.
    pub(crate) fn error_at(
        &self,
        block_offset: usize,
        len: usize,
        message: impl Into<String>,
    ) -> Diagnostic {
        let d = Diagnostic {
            kind: self.kind,
            ..Diagnostic::error(message)
        };
        d.in_file(self.path)
            .at_offset(self.file, self.offset + block_offset, len)
    }

    /// A diagnostic at a key (`key:` at any indentation), or at the block's start.
    pub(crate) fn error_at_key(&self, key: &str, message: impl Into<String>) -> Diagnostic {
        let (at, len) = find_key(self.text, key).map_or((0, 1), |at| (at, key.len()));
        self.error_at(at, len, message)
    }

    /// A diagnostic at `value` as written under `key` (a scalar or a list item).
    pub(crate) fn error_at_value(
        &self,
        key: &str,
        value: &str,
        message: impl Into<String>,
    ) -> Diagnostic {
        match find_value(self.text, key, value) {
            Some(at) => self.error_at(at, value.len(), message),
            None => self.error_at_key(key, message),
        }
    }

    /// Parse the block into `T` after the size and nesting checks.
    pub fn parse<T: DeserializeOwned>(&self, caps: Caps) -> Result<T, Diagnostic> {
        let hint = |d: Diagnostic, key: &str| match caps.raise_hint {
            Some(raise) => d.with_hint(raise(key)),
            None => d,
        };
        if self.text.len() > caps.bytes {
            return Err(hint(
                self.error_at(
                    0,
                    1,
                    format!(
                        "YAML block is {} bytes, more than the limit of {} bytes",
                        self.text.len(),
                        caps.bytes
                    ),
                ),
                "front_matter_bytes",
            ));
        }
        if let Some(at) = too_deep(self.text, caps.depth) {
            return Err(hint(
                self.error_at(
                    at,
                    1,
                    format!("YAML nests deeper than the limit of {} levels", caps.depth),
                ),
                "front_matter_depth",
            ));
        }
        if let Some((first, second, key)) = duplicate_top_level_key(self.text) {
            let line =
                Position::of(self.text, first).line + Position::of(self.file, self.offset).line - 1;
            return Err(self.error_at(
                second,
                key.len(),
                format!("duplicate key `{key}` (first at line {line})"),
            ));
        }
        serde_yaml::from_str(self.text).map_err(|e| self.serde_error(&e))
    }

    fn serde_error(&self, e: &serde_yaml::Error) -> Diagnostic {
        let full = e.to_string();
        let message = match full.rfind(" at line ") {
            Some(i) => full[..i].to_string(),
            None => full,
        };
        let offset = match e.location() {
            Some(loc) => offset_of(self.text, loc.line(), loc.column()),
            None => 0,
        };
        if let Some(e) = explain::explain(self.text, offset, &message) {
            return self.error_at(e.offset, e.len, e.message).with_hint(e.hint);
        }
        // A missing-field error points at the start of the mapping; name the
        // block's first line instead of the `---` fence above it.
        self.error_at(
            offset,
            token_len(&self.text[offset.min(self.text.len())..]),
            message,
        )
    }
}

/// Byte offset of a 1-based line and column in `text`.
/// Byte offset of a 1-based line and column as serde_yaml counts them: its
/// parser breaks lines at `\n`, `\r\n`, a lone `\r`, U+0085, U+2028 and
/// U+2029, not only at `\n` (the file's own line numbers come from
/// [`Position`], which counts `\n`).
fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let mut current = 1;
    let mut column = 1;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if current == line && column == col {
            return i;
        }
        let is_break = match c {
            '\r' => {
                if chars.peek().is_some_and(|&(_, n)| n == '\n') {
                    continue; // the \n that follows ends the line
                }
                true
            }
            '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' => true,
            _ => false,
        };
        if is_break {
            if current == line {
                return i; // a column past the end of the line
            }
            current += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    text.len()
}

fn token_len(rest: &str) -> usize {
    rest.find(|c: char| c == ':' || c == ',' || c == ']' || c.is_whitespace())
        .unwrap_or(rest.len())
        .max(1)
}

/// The offset of the first character where flow brackets or block indentation
/// nest deeper than `max`, found without parsing.
fn too_deep(text: &str, max: usize) -> Option<usize> {
    let mut flow: usize = 0;
    let mut indents: Vec<usize> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start_matches([' ', '-']);
        let indent = line.len() - trimmed.len();
        if !trimmed.trim().is_empty() && !trimmed.starts_with('#') && flow == 0 {
            while indents.last().is_some_and(|&i| i >= indent) {
                indents.pop();
            }
            indents.push(indent);
            if indents.len() > max {
                return Some(offset);
            }
        }
        let mut quote: Option<char> = None;
        for (i, c) in line.char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') => break,
                (None, '[' | '{') => {
                    flow += 1;
                    if flow + indents.len() > max {
                        return Some(offset + i);
                    }
                }
                (None, ']' | '}') => flow = flow.saturating_sub(1),
                _ => {}
            }
        }
        offset += line.len();
    }
    None
}

/// Offset of `key` written as a mapping key (`key:` after optional indentation).
fn find_key(text: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with(':')
        {
            return Some(offset + line.len() - trimmed.len());
        }
        offset += line.len();
    }
    None
}

/// Offset of `value` on the `key:` line or in the lines indented below it.
fn find_value(text: &str, key: &str, value: &str) -> Option<usize> {
    let key_at = find_key(text, key)?;
    let key_pos = Position::of(text, key_at);
    let key_indent = key_pos.col - 1;
    let mut offset = key_at + key.len();
    let mut first = true;
    for line in text[offset..].split_inclusive('\n') {
        let indent = line.len() - line.trim_start().len();
        if !first
            && !line.trim().is_empty()
            && indent <= key_indent
            && !line.trim_start().starts_with('-')
        {
            return None;
        }
        if let Some(i) = find_token(line, value) {
            return Some(offset + i);
        }
        first = false;
        offset += line.len();
    }
    None
}

/// `value` as a whole token in `line` (not part of a longer word).
fn find_token(line: &str, value: &str) -> Option<usize> {
    if value.is_empty() {
        return None;
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    line.match_indices(value).map(|(i, _)| i).find(|&i| {
        let before = line[..i].chars().next_back();
        let after = line[i + value.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Small {
        title: String,
        #[serde(default)]
        themes: Vec<String>,
    }

    fn block(file: &str) -> Block<'_> {
        let offset = file.find("title").unwrap();
        Block {
            path: Path::new("a.md"),
            file,
            offset,
            text: &file[offset..file.rfind("---").unwrap()],
            kind: Kind::Content,
        }
    }

    #[test]
    fn unknown_key_is_reported_at_its_line_in_the_file() {
        let file = "---\ntitle: A\ncolour: red\n---\nbody\n";
        let err = block(file).parse::<Small>(Caps::CONFIG).unwrap_err();
        assert_eq!((err.line, err.col), (3, 1));
        assert!(
            err.message.starts_with("unknown field `colour`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn finds_a_list_value_under_its_key() {
        let file = "---\ntitle: A\nthemes:\n  - apology\n  - forgivness\n---\n";
        let d = block(file).error_at_value("themes", "forgivness", "x");
        assert_eq!((d.line, d.col, d.width), (5, 5, 10));
        let file = "---\ntitle: A\nthemes: [apology, forgivness]\n---\n";
        let d = block(file).error_at_value("themes", "forgivness", "x");
        assert_eq!((d.line, d.col), (3, 19));
    }

    #[test]
    fn locations_count_line_breaks_as_the_yaml_parser_does() {
        // Lone CRs are line breaks to serde_yaml; the unknown key `summary`
        // is still reported where it is in the file: line 2, after the CRs.
        let file = "---\ntitle: x\r\rsummary: S\ncolour: red\n---\n";
        let err = block(file).parse::<Small>(Caps::CONFIG).unwrap_err();
        assert_eq!((err.line, err.col), (2, 11), "{}", err.message);
        assert_eq!(
            offset_of("a\r\nb\rc\u{2028}d", 4, 1),
            "a\r\nb\rc\u{2028}".len()
        );
    }

    #[test]
    fn rejects_deep_nesting_before_parsing() {
        let deep = format!("title: {}{}\n", "[".repeat(100), "]".repeat(100));
        let file = format!("---\n{deep}---\n");
        let err = block(&file).parse::<Small>(Caps::CONFIG).unwrap_err();
        assert!(
            err.message.contains("deeper than the limit of 64"),
            "{}",
            err.message
        );
    }

    #[test]
    fn rejects_oversized_blocks_before_parsing() {
        let file = format!("---\ntitle: {}\n---\n", "x".repeat(70 * 1024));
        let err = block(&file).parse::<Small>(Caps::CONFIG).unwrap_err();
        assert!(
            err.message.contains("more than the limit"),
            "{}",
            err.message
        );
    }
}
