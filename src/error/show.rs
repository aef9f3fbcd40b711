//! Diagnostics as a person reads them: the headline, the quoted source line
//! (a window of it when long) with a caret, the hint, every control
//! character escaped; and a failure's diagnostics, a few per file.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use super::{Diagnostic, Failure};

/// Paths are shown with forward slashes so messages read the same everywhere.
pub(super) fn display_path(path: &Path) -> String {
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
    pub(crate) col: usize,
}

impl Excerpt {
    /// The line of `text` holding byte `offset`, around it. Reads only the
    /// window (never the whole line), so a long line with many links on it
    /// is not read once per link.
    pub(crate) fn around(text: &str, offset: usize) -> Excerpt {
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
