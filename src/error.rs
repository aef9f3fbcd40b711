//! Diagnostics: the one error type of the crate.
//!
//! Takes a location (path, line, column, the source line) and a message; gives a
//! `path:line:col: error: message` report with the source line (a window of it
//! around the column when it is long), a caret under the spot and an optional
//! hint, every control character escaped. Never prints: `main` decides what to
//! show and the exit code.

mod show;
mod suggest;

use std::path::{Path, PathBuf};

use show::display_path;
pub use show::{Excerpt, SHOWN_PER_FILE, escape_controls, shown};
pub use suggest::{did_you_mean, edit_distance};

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
    pub(crate) severity: Severity,
    pub(crate) kind: Kind,
    /// Path as shown to the user (relative to the project root where possible).
    pub path: Option<PathBuf>,
    /// 1-based line; 0 when unknown.
    pub line: usize,
    /// 1-based column in characters; 0 when unknown.
    pub col: usize,
    pub(crate) message: String,
    /// The line (or, for a long one, the part around the column), for the
    /// snippet under the heading line.
    pub source: Option<Excerpt>,
    /// How many characters the caret underlines (at least one).
    pub width: usize,
    pub(crate) hint: Option<String>,
}

impl Diagnostic {
    /// A content error without a location yet.
    pub(crate) fn error(message: impl Into<String>) -> Self {
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
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Diagnostic {
            kind: Kind::Usage,
            ..Diagnostic::error(message)
        }
    }

    /// An I/O failure on `path`, naming the path.
    pub(crate) fn io(path: &Path, action: &str, err: &std::io::Error) -> Self {
        Diagnostic::error(format!("{action}: {err}")).in_file(path)
    }

    /// A warning without a location yet: reported, but the build goes on.
    pub(crate) fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    /// The same diagnostic as a warning (for the located builders, such as
    /// `error_at_key`, that start from an error).
    pub(crate) fn into_warning(self) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..self
        }
    }

    pub(crate) fn in_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Locate the diagnostic at a byte offset of `text`, the whole file.
    pub(crate) fn at_offset(self, text: &str, offset: usize, len_bytes: usize) -> Self {
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
    pub(crate) fn at(self, line: usize, col: usize, source_line: &str, width: usize) -> Self {
        let source_line = source_line.trim_end_matches(['\r', '\n']);
        let offset = source_line
            .char_indices()
            .nth(col.saturating_sub(1))
            .map_or(source_line.len(), |(i, _)| i);
        let excerpt = Excerpt::around(source_line, offset);
        self.at_excerpt(line, col, excerpt, width)
    }

    /// Locate the diagnostic at a known line and column, quoting `excerpt`.
    pub(crate) fn at_excerpt(
        mut self,
        line: usize,
        col: usize,
        excerpt: Excerpt,
        width: usize,
    ) -> Self {
        self.line = line;
        self.col = col;
        self.source = Some(excerpt);
        self.width = width.max(1);
        self
    }

    /// Locate the diagnostic on a whole line (column 1, underlining the line).
    pub(crate) fn at_line(self, text: &str, line: usize) -> Self {
        let line_text = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
        let width = line_text.chars().count();
        self.at(line, 1, line_text, width)
    }

    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub(crate) fn is_error(&self) -> bool {
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

/// The process exit code for `diagnostics`: 2 when an error is a usage or
/// configuration error, 1 for any other error, 0 when there are only
/// warnings. The one rule: `mend build`, `check` and `serve` all use it.
pub fn exit_code(diagnostics: &[Diagnostic]) -> i32 {
    let usage = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.kind == Kind::Usage)
        .max();
    match usage {
        Some(true) => 2,
        Some(false) => 1,
        None => 0,
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

impl std::error::Error for Failure {}

/// Orders diagnostics by file, then line and column, so output is stable
/// whatever order parallel stages found them in.
pub(crate) fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.path, a.line, a.col, &a.message).cmp(&(&b.path, b.line, b.col, &b.message))
    });
}

/// A byte offset turned into a 1-based line and a 1-based character column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Position {
    pub(crate) line: usize,
    pub(crate) col: usize,
    pub(crate) line_start: usize,
    pub(crate) line_end: usize,
}

impl Position {
    pub(crate) fn of(text: &str, offset: usize) -> Position {
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
}

#[cfg(test)]
mod tests;
