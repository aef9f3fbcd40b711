//! A heading of the body: its `{...}` attribute block read as the walk
//! meets it, then, once the walk is over, its id.
//!
//! Takes the heading's line and the attributes pulldown-cmark found; gives
//! the heading's themes and explicit id, each located in the line for the
//! error it may make, and at the end every heading's unique id (an explicit
//! id that cannot be used is an error). Never renders.

use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::{CowStr, HeadingLevel};

use super::Walk;
use crate::config::SiteConfig;
use crate::error::Diagnostic;
use crate::parse::ids::{self, Clash, Wanted};
use crate::parse::{Heading, Location, heading_id, is_valid_custom_id, unknown_theme};

/// A heading being read.
pub(super) struct OpenHeading {
    pub(super) custom: Option<String>,
    /// Where `#custom` is written.
    pub(super) custom_at: Option<Location>,
    pub(super) themes: Vec<String>,
    pub(super) line: usize,
    pub(super) text: String,
    pub(super) level: u8,
}

/// The attributes of a heading's `{...}` block found left to right in its
/// line, each kind with its own finder, so a heading with many classes is
/// read once per kind rather than once per class.
struct AttrFinder<'l> {
    line: &'l str,
    from: usize,
    col: usize,
}

impl<'l> AttrFinder<'l> {
    fn new(line: &'l str) -> Self {
        let from = line.rfind('{').unwrap_or(line.len());
        AttrFinder {
            line,
            from,
            col: line[..from].chars().count() + 1,
        }
    }

    /// The byte index and column of the next `needle`.
    fn find(&mut self, needle: &str) -> Option<(usize, usize)> {
        let i = self.from + self.line[self.from..].find(needle)?;
        self.col += self.line[self.from..i].chars().count();
        let found = (i, self.col);
        self.col += needle.chars().count();
        self.from = i + needle.len();
        Some(found)
    }
}

/// The line a heading starts on, for locating the attributes in its `{...}`
/// block; an attribute not found there is placed at the heading's start.
pub(super) struct HeadingLine<'w, 'a> {
    walk: &'w Walk<'a>,
    /// Where the heading starts.
    pub(super) at: Location,
    line: &'a str,
    /// Where `line` starts in the article file.
    line_start: usize,
}

impl<'w, 'a> HeadingLine<'w, 'a> {
    pub(super) fn new(walk: &'w mut Walk<'a>, range: &Range<usize>) -> Self {
        let at = walk.locate(range);
        let pos = walk.lines.position(walk.start + range.start);
        let text = walk.text;
        HeadingLine {
            walk,
            at,
            line: &text[pos.line_start..pos.line_end],
            line_start: pos.line_start,
        }
    }

    /// The heading's start, as a byte index in the line and a column.
    fn heading_start(&self) -> (usize, usize) {
        (
            self.at.offset + self.walk.start - self.line_start,
            self.at.col,
        )
    }

    /// `width` characters from byte `i` of the line, at column `col`.
    fn span(&self, (i, col): (usize, usize), width: usize) -> Location {
        Location {
            col,
            width,
            offset: self.line_start + i - self.walk.start,
            ..self.at
        }
    }

    /// An error for every attribute other than an id or a class.
    pub(super) fn refuse_attributes(
        &self,
        attrs: &[(CowStr<'_>, Option<CowStr<'_>>)],
        errors: &mut Vec<Diagnostic>,
    ) {
        let mut finder = AttrFinder::new(self.line);
        for (name, _) in attrs {
            let found = finder.find(name).unwrap_or(self.heading_start());
            let where_ = self.span(found, name.chars().count());
            errors.push(
                self.walk
                    .error(
                        &where_,
                        format!("heading attribute `{name}` is not allowed"),
                    )
                    .with_hint(
                        "only `{#id}` and theme classes like `{.apology}` may follow a heading",
                    ),
            );
        }
    }

    /// The heading's themes, each once and in order; an unknown one is an error.
    pub(super) fn themes(
        &self,
        classes: &[CowStr<'_>],
        site: &SiteConfig,
        errors: &mut Vec<Diagnostic>,
    ) -> Vec<String> {
        let mut themes = Vec::new();
        let mut finder = AttrFinder::new(self.line);
        for class in classes {
            let class = class.to_string();
            let found = finder.find(&format!(".{class}"));
            if site.theme(&class).is_none() {
                let found = found.map_or(self.heading_start(), |(i, c)| (i + 1, c + 1));
                let where_ = self.span(found, class.chars().count());
                let d = self
                    .walk
                    .error(&where_, format!("unknown theme `{class}` on heading"));
                errors.push(unknown_theme(d, &class, site));
            } else if !themes.contains(&class) {
                themes.push(class);
            }
        }
        themes
    }

    /// The heading's explicit `#id` and where it is written; one that is
    /// not a usable id is an error.
    pub(super) fn custom_id(
        &self,
        id: Option<CowStr<'_>>,
        errors: &mut Vec<Diagnostic>,
    ) -> (Option<String>, Option<Location>) {
        let custom = id.map(|i| i.to_string());
        let custom_at = custom.as_ref().map(|custom| {
            let found = AttrFinder::new(self.line)
                .find(&format!("#{custom}"))
                .unwrap_or(self.heading_start());
            self.span(found, custom.chars().count() + 1)
        });
        if let (Some(custom), Some(custom_at)) = (&custom, &custom_at)
            && !is_valid_custom_id(custom)
        {
            errors.push(self.walk.error(
                custom_at,
                format!("heading id `{custom}` may only hold ASCII letters, digits, `-` and `_`"),
            ));
        }
        (custom, custom_at)
    }
}

/// The headings with their ids; explicit ids that cannot be used are errors.
pub(super) fn headings(
    finished: Vec<OpenHeading>,
    footnotes: &HashSet<String>,
    walk: &Walk<'_>,
    errors: &mut Vec<Diagnostic>,
) -> Vec<Heading> {
    let texts: Vec<(String, String)> = finished
        .iter()
        .map(|h| {
            let text = h.text.trim().to_string();
            let id = heading_id(&text);
            (text, id)
        })
        .collect();
    let wanted: Vec<Wanted<'_>> = finished
        .iter()
        .zip(&texts)
        .map(|(h, (_, from_text))| Wanted {
            explicit: h.custom.as_deref(),
            from_text,
        })
        .collect();
    let assigned = ids::assign(&wanted, footnotes);
    for (i, clash) in assigned.clashes {
        let (Some(id), Some(at)) = (&finished[i].custom, &finished[i].custom_at) else {
            continue;
        };
        let (message, hint) = clash_message(clash, id, &finished);
        errors.push(walk.error(at, message).with_hint(hint));
    }
    finished
        .into_iter()
        .zip(texts)
        .zip(assigned.ids)
        .map(|((h, (text, _)), id)| Heading {
            level: h.level,
            text,
            id,
            themes: h.themes,
            line: h.line,
        })
        .collect()
}

/// The message and hint for the explicit heading id `id` that clashes.
fn clash_message(clash: Clash, id: &str, finished: &[OpenHeading]) -> (String, String) {
    match clash {
        Clash::Twice(first) => (
            format!(
                "heading id `{id}` is already the id of the heading on line {}",
                finished[first].line
            ),
            "give each heading its own id".to_string(),
        ),
        Clash::Theme => (
            format!("heading id `{id}` is used by the page itself"),
            format!("the theme gives an element of every page `id=\"{id}\"`; choose another id"),
        ),
        Clash::Footnote => (
            format!("heading id `{id}` is the id of the footnote `[^{id}]`"),
            "choose another id".to_string(),
        ),
    }
}

pub(super) fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}
