//! Diagnostics: the one error type of the crate.
//!
//! Takes a location (path, line, column, the source line) and a message; gives a
//! `path:line:col: error: message` report with the source line (a window of it
//! around the column when it is long), a caret under the spot and an optional
//! hint, every control character escaped. Never prints: `main` decides what to
//! show and the exit code.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Severity {
    Error,
    Warning,
}

/// What kind of mistake it is; decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Kind {
    /// Content or build errors: exit code 1.
    Content,
    /// Usage or configuration errors: exit code 2.
    Usage,
}

/// A located message about the input, the configuration or the file system.
/// Serializable so that a build can record its warnings for the next one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub kind: Kind,
    /// Path as shown to the user (relative to the project root where possible).
    pub path: Option<PathBuf>,
    /// 1-based line; 0 when unknown.
    pub line: usize,
    /// 1-based column in characters; 0 when unknown.
    pub col: usize,
    pub message: String,
    /// The line (or, for a long one, the part around the column), for the
    /// snippet under the heading line.
    pub source: Option<Excerpt>,
    /// How many characters the caret underlines (at least one).
    pub width: usize,
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A content error without a location yet.
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            kind: Kind::Content,
            path: None,
            line: 0,
            col: 0,
            message: message.into(),
            source: None,
            width: 1,
            hint: None,
        }
    }

    /// A usage or configuration error (exit code 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Diagnostic {
            kind: Kind::Usage,
            ..Diagnostic::error(message)
        }
    }

    /// An I/O failure on `path`, naming the path.
    pub fn io(path: &Path, action: &str, err: &std::io::Error) -> Self {
        Diagnostic::error(format!("{action}: {err}")).in_file(path)
    }

    pub fn warning(self) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..self
        }
    }

    pub fn in_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Locate the diagnostic at a byte offset of `text`, the whole file.
    pub fn at_offset(self, text: &str, offset: usize, len_bytes: usize) -> Self {
        let pos = Position::of(text, offset);
        let offset = offset.clamp(pos.line_start, pos.line_end);
        let end = (offset + len_bytes).min(pos.line_end);
        let width = text
            .get(offset..end)
            .map_or(1, |s| s.chars().count().max(1));
        let excerpt = Excerpt::around(text, offset);
        self.at_excerpt(pos.line, pos.col, excerpt, width)
    }

    /// Locate the diagnostic at a known line and column of `source_line`.
    pub fn at(self, line: usize, col: usize, source_line: &str, width: usize) -> Self {
        let source_line = source_line.trim_end_matches(['\r', '\n']);
        let offset = source_line
            .char_indices()
            .nth(col.saturating_sub(1))
            .map_or(source_line.len(), |(i, _)| i);
        let excerpt = Excerpt::around(source_line, offset);
        self.at_excerpt(line, col, excerpt, width)
    }

    /// Locate the diagnostic at a known line and column, quoting `excerpt`.
    pub fn at_excerpt(mut self, line: usize, col: usize, excerpt: Excerpt, width: usize) -> Self {
        self.line = line;
        self.col = col;
        self.source = Some(excerpt);
        self.width = width.max(1);
        self
    }

    /// Locate the diagnostic on a whole line (column 1, underlining the line).
    pub fn at_line(self, text: &str, line: usize) -> Self {
        let line_text = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
        let width = line_text.chars().count();
        self.at(line, 1, line_text, width)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The first line only: `path:line:col: error: message`.
    pub fn headline(&self) -> String {
        let mut out = String::new();
        if let Some(path) = &self.path {
            out.push_str(&display_path(path));
            if self.line > 0 {
                out.push_str(&format!(":{}", self.line));
                if self.col > 0 {
                    out.push_str(&format!(":{}", self.col));
                }
            }
            out.push_str(": ");
        }
        out.push_str(match self.severity {
            Severity::Error => "error: ",
            Severity::Warning => "warning: ",
        });
        out.push_str(&self.message);
        escape_controls(&out, false).into_owned()
    }
}

/// Paths are shown with forward slashes so messages read the same everywhere.
fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.headline())?;
        let hint = self.hint.as_deref().map(|h| escape_controls(h, false));
        if let (Some(source), true) = (&self.source, self.line > 0) {
            let number = self.line.to_string();
            let pad = " ".repeat(number.len());
            // Columns count characters; an escaped one is shown wider, so the
            // caret is placed by what is shown before it.
            let before: String = source.text.chars().take(source.col - 1).collect();
            let under: String = source
                .text
                .chars()
                .skip(source.col - 1)
                .take(self.width)
                .collect();
            let caret_pad = " ".repeat(escape_controls(&before, true).chars().count());
            let carets = "^".repeat(escape_controls(&under, true).chars().count().max(1));
            let shown = escape_controls(&source.text, true);
            write!(
                f,
                "\n{pad} |\n{number} | {shown}\n{pad} | {caret_pad}{carets}"
            )?;
            if let Some(hint) = hint {
                write!(f, "\n{pad} = help: {hint}")?;
            }
        } else if let Some(hint) = hint {
            write!(f, "\n  = help: {hint}")?;
        }
        Ok(())
    }
}

/// How much of a long source line a diagnostic quotes: this many characters
/// before the column and after it. A line of 300 KB with 20,000 errors on it
/// printed the whole line each time.
const EXCERPT_BEFORE: usize = 50;
const EXCERPT_AFTER: usize = 70;

/// A source line as a diagnostic quotes it: the whole line, or for a long line
/// a window around the spot, with `…` where it was cut.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Excerpt {
    pub text: String,
    /// The 1-based column of the spot within `text`.
    pub col: usize,
}

impl Excerpt {
    /// The line of `text` holding byte `offset`, around it. Reads only the
    /// window (never the whole line), so a long line with many links on it
    /// is not read once per link.
    pub fn around(text: &str, offset: usize) -> Excerpt {
        let floor = |mut i: usize| {
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let offset = floor(offset.min(text.len()));
        // At most 4 bytes a character: these byte windows hold the
        // characters wanted, and are then cut to the character counts.
        let from = floor(offset.saturating_sub(4 * EXCERPT_BEFORE + 4));
        let to = floor((offset + 4 * EXCERPT_AFTER + 4).min(text.len()));
        let before = &text[from..offset];
        let (before, line_start) = match before.rfind('\n') {
            Some(i) => (&before[i + 1..], true),
            None => (before, from == 0),
        };
        let after = &text[offset..to];
        let (after, line_end) = match after.find('\n') {
            Some(i) => (&after[..i], true),
            None => (after, to == text.len()),
        };
        let skip = before.chars().count().saturating_sub(EXCERPT_BEFORE);
        let before = before
            .char_indices()
            .nth(skip)
            .map_or("", |(i, _)| &before[i..]);
        let cut_before = skip > 0 || !line_start;
        let (after, cut_after) = match after.char_indices().nth(EXCERPT_AFTER) {
            Some((i, _)) => (&after[..i], true),
            None => (after, !line_end),
        };
        let after = after.trim_end_matches('\r');
        let mut out = String::with_capacity(before.len() + after.len() + 6);
        if cut_before {
            out.push('…');
        }
        out.push_str(before);
        out.push_str(after);
        if cut_after && !after.is_empty() {
            out.push('…');
        }
        Excerpt {
            col: before.chars().count() + 1 + usize::from(cut_before),
            text: out,
        }
    }
}

/// Whether a character is shown escaped in a diagnostic: controls (an escape
/// sequence in a file name or a link can retitle the terminal or write to
/// the clipboard), and the invisible characters that reorder or break lines.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}'
        )
}

/// `text` with every control character written as an escape (`\u{1b}`,
/// `\t`); a tab in a quoted source line is shown as `→`.
pub fn escape_controls(text: &str, source: bool) -> Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' if source => out.push('→'),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if is_hidden(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The process exit code for `diagnostics`: 2 when an error is a usage or
/// configuration error, 1 for any other error, 0 when there are only
/// warnings. The one rule: `mend build`, `check` and `serve` all use it.
pub fn exit_code(diagnostics: &[Diagnostic]) -> i32 {
    let mut errors = diagnostics.iter().filter(|d| d.is_error()).peekable();
    if errors.clone().any(|d| d.kind == Kind::Usage) {
        2
    } else if errors.peek().is_some() {
        1
    } else {
        0
    }
}

/// Every diagnostic of a failed build, in the order found (sorted by file and line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub diagnostics: Vec<Diagnostic>,
}

impl Failure {
    /// 2 when any error is a usage or configuration error, otherwise 1.
    pub fn exit_code(&self) -> i32 {
        exit_code(&self.diagnostics).max(1)
    }

    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
}

impl From<Diagnostic> for Failure {
    fn from(d: Diagnostic) -> Self {
        Failure {
            diagnostics: vec![d],
        }
    }
}

impl From<Vec<Diagnostic>> for Failure {
    fn from(mut diagnostics: Vec<Diagnostic>) -> Self {
        sort(&mut diagnostics);
        Failure { diagnostics }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, block) in shown(&self.diagnostics).iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
                writeln!(f)?;
            }
            write!(f, "{block}")?;
        }
        Ok(())
    }
}

/// How many diagnostics of one file are shown in full; the rest are counted
/// in one line. 10,000 bad links in one article printed 2.7 GB, and the
/// preview put all of it on every page.
pub const SHOWN_PER_FILE: usize = 10;

/// The diagnostics as a person reads them, one text block each: at most
/// [`SHOWN_PER_FILE`] per file, then for each file with more, a line saying
/// how many more there are.
pub fn shown(diagnostics: &[Diagnostic]) -> Vec<String> {
    let mut per_file: HashMap<Option<&Path>, (usize, usize, usize)> = HashMap::new();
    let mut order: Vec<Option<&Path>> = Vec::new();
    let mut out = Vec::new();
    for d in diagnostics {
        let key = d.path.as_deref();
        let (shown, errors, warnings) = per_file.entry(key).or_insert_with(|| {
            order.push(key);
            (0, 0, 0)
        });
        if *shown < SHOWN_PER_FILE || key.is_none() {
            *shown += 1;
            out.push(d.to_string());
        } else if d.is_error() {
            *errors += 1;
        } else {
            *warnings += 1;
        }
    }
    for key in order {
        let Some(path) = key else { continue };
        let (_, errors, warnings) = per_file[&key];
        let count =
            |n: usize, what: &str| format!("{n} more {what}{}", if n == 1 { "" } else { "s" });
        let more = match (errors, warnings) {
            (0, 0) => continue,
            (e, 0) => count(e, "error"),
            (0, w) => count(w, "warning"),
            (e, w) => format!("{} and {}", count(e, "error"), count(w, "warning")),
        };
        out.push(
            escape_controls(
                &format!("{}: and {more} in this file", display_path(path)),
                false,
            )
            .into_owned(),
        );
    }
    out
}

impl std::error::Error for Failure {}

/// Orders diagnostics by file, then line and column, so output is stable
/// whatever order parallel stages found them in.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.path, a.line, a.col, &a.message).cmp(&(&b.path, b.line, b.col, &b.message))
    });
}

/// A byte offset turned into a 1-based line and a 1-based character column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub col: usize,
    pub line_start: usize,
    pub line_end: usize,
}

impl Position {
    pub fn of(text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        Position {
            line: text[..offset].matches('\n').count() + 1,
            col: text[line_start..offset].chars().count() + 1,
            line_start,
            line_end,
        }
    }

    pub fn line_text<'t>(&self, text: &'t str) -> &'t str {
        &text[self.line_start..self.line_end]
    }
}

/// The closest candidate to `word` within a small edit distance, for "did you mean".
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_counts_lines_and_characters() {
        let text = "ab\nçd ef\n";
        let p = Position::of(text, text.find('e').unwrap());
        assert_eq!((p.line, p.col), (2, 4));
        assert_eq!(p.line_text(text), "çd ef");
    }

    #[test]
    fn renders_location_snippet_caret_and_hint() {
        let d = Diagnostic::error("unknown theme `forgivness`")
            .in_file("articles/a.md")
            .at(3, 10, "themes: [forgivness]", 10)
            .with_hint("did you mean `forgiveness`?");
        assert_eq!(
            d.to_string(),
            "articles/a.md:3:10: error: unknown theme `forgivness`\n  |\n3 | themes: [forgivness]\n  |          ^^^^^^^^^^\n  = help: did you mean `forgiveness`?"
        );
    }

    #[test]
    fn quotes_a_window_of_a_long_line_with_the_caret_on_the_spot() {
        let line = format!("{}[b](x.md){}", "a".repeat(500), "z".repeat(500));
        let d = Diagnostic::error("m").in_file("a.md").at(3, 501, &line, 9);
        let shown = d.to_string();
        let expected = format!(
            "a.md:3:501: error: m\n  |\n3 | …{}[b](x.md){}…\n  | {}^^^^^^^^^",
            "a".repeat(50),
            "z".repeat(61),
            " ".repeat(51)
        );
        assert_eq!(shown, expected);
        let short = Excerpt::around("ab\ncd", 4);
        assert_eq!((short.text.as_str(), short.col), ("cd", 2));
    }

    #[test]
    fn escapes_control_characters_and_keeps_the_caret_aligned() {
        let d = Diagnostic::error("bad `\u{1b}]0;x\u{7}`")
            .in_file("a\u{1b}.md")
            .at(1, 3, "\t\u{1b}x", 1);
        assert_eq!(
            d.to_string(),
            "a\\u{1b}.md:1:3: error: bad `\\u{1b}]0;x\\u{7}`\n  |\n1 | →\\u{1b}x\n  |        ^"
        );
    }

    #[test]
    fn shows_ten_diagnostics_a_file_then_counts_the_rest() {
        let mut all: Vec<Diagnostic> = (0..12)
            .map(|i| Diagnostic::error(format!("e{i}")).in_file("a.md"))
            .collect();
        all.push(Diagnostic::error("w").in_file("a.md").warning());
        all.push(Diagnostic::error("other").in_file("b.md"));
        let shown = shown(&all);
        assert_eq!(shown.len(), 12);
        assert_eq!(shown[10], "b.md: error: other");
        assert_eq!(
            shown[11],
            "a.md: and 2 more errors and 1 more warning in this file"
        );
    }

    #[test]
    fn suggests_only_close_words() {
        let themes = ["apology", "forgiveness", "therapy"];
        assert_eq!(did_you_mean("forgivness", themes), Some("forgiveness"));
        assert_eq!(did_you_mean("banana", themes), None);
    }

    #[test]
    fn usage_errors_exit_with_two() {
        let f = Failure::from(vec![Diagnostic::error("x"), Diagnostic::usage("y")]);
        assert_eq!(f.exit_code(), 2);
        assert_eq!(Failure::from(Diagnostic::error("x")).exit_code(), 1);
    }
}
