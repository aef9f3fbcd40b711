//! An article's Markdown body, walked once: headings with their ids and
//! section themes, links classified and located, words counted, and the
//! mistakes found on the way.
//!
//! Takes the article file's text (the body from byte `start`) and the site
//! configuration; gives a [`Body`] and pushes diagnostics. Locations are
//! found in one pass over the text, and a link keeps its byte offset rather
//! than a copy of its line. Never renders.

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{Event, HeadingLevel, LinkType, Tag, TagEnd};

use super::ids::{self, Clash, Wanted};
use super::locate::LineCursor;
use super::{
    Heading, Image, Link, Location, Refusal, Target, classify, classify_image, code_language,
    events_noting_html, heading_id, is_valid_custom_id, unknown_theme,
};
use crate::config::{Limits, SiteConfig};
use crate::error::{Diagnostic, Excerpt};

/// A caret longer than this many bytes is cut: the excerpt it sits under
/// is shorter still.
const MAX_WIDTH_BYTES: usize = 480;

/// A heading being read.
struct OpenHeading {
    custom: Option<String>,
    /// Where `#custom` is written.
    custom_at: Option<Location>,
    themes: Vec<String>,
    line: usize,
    text: String,
    level: u8,
}

/// The Markdown body, walked once.
pub(super) struct Body {
    pub headings: Vec<Heading>,
    pub links: Vec<Link>,
    pub images: Vec<Image>,
    pub word_count: usize,
    pub has_fenced_code: bool,
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

struct Walk<'a> {
    text: &'a str,
    start: usize,
    path: &'a Path,
    lines: LineCursor<'a>,
}

impl Walk<'_> {
    /// Where the event at `range` (in the body) is.
    fn locate(&mut self, range: &Range<usize>) -> Location {
        let at = self.start + range.start;
        let pos = self.lines.position(at);
        let mut end = (self.start + range.end)
            .min(pos.line_end)
            .min(at + MAX_WIDTH_BYTES);
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        Location {
            line: pos.line,
            col: pos.col,
            width: self
                .text
                .get(at.min(end)..end)
                .map_or(1, |s| s.chars().count().max(1)),
            offset: range.start,
        }
    }

    /// The error for a link or image destination refused at `at`.
    fn refused(&self, at: &Location, refused: Refusal) -> Diagnostic {
        let d = self.error(at, refused.message);
        match refused.hint {
            Some(hint) => d.with_hint(hint),
            None => d,
        }
    }

    fn error(&self, at: &Location, message: String) -> Diagnostic {
        Diagnostic::error(message).in_file(self.path).at_excerpt(
            at.line,
            at.col,
            Excerpt::around(&self.text[self.start..], at.offset),
            at.width,
        )
    }
}

impl Body {
    pub(super) fn parse(
        text: &str,
        start: usize,
        path: &Path,
        site: &SiteConfig,
        errors: &mut Vec<Diagnostic>,
    ) -> Body {
        let source = &text[start..];
        let mut walk = Walk {
            text,
            start,
            path,
            lines: LineCursor::new(text),
        };
        let mut body = Body {
            headings: Vec::new(),
            links: Vec::new(),
            images: Vec::new(),
            word_count: 0,
            has_fenced_code: false,
        };
        let mut open: Vec<OpenHeading> = Vec::new();
        let mut finished: Vec<OpenHeading> = Vec::new();
        let mut footnotes: HashSet<String> = HashSet::new();
        let mut in_code = false;
        let mut in_word = false;
        let mut warned_html = false;
        // A fenced block with a language: where its fence is, the language, its text.
        let mut fenced: Option<(Location, String, String)> = None;
        // The link just opened, if it is a wiki link with a `|`: should it end
        // at once (`[[b|]]`), it shows the target's title like `[[b]]`.
        let mut piped_wiki: Option<usize> = None;

        for (event, range, was_html) in events_noting_html(source, site.allow_raw_html) {
            if was_html && !warned_html {
                warned_html = true;
                let at = walk.locate(&range);
                errors.push(
                    walk.error(&Location { width: 1, ..at }, "raw HTML is shown as text, not as HTML".into())
                        .into_warning()
                        .with_hint("`allow_raw_html` is off in mend.yaml; set `allow_raw_html: true` to keep HTML, or write `\\<` to show a `<` as text"),
                );
            }
            if let Some(i) = piped_wiki {
                match &event {
                    Event::Text(t) if t.is_empty() => {}
                    Event::End(TagEnd::Link) => {
                        if let Some(link) = body.links.get_mut(i) {
                            link.titled_by_target = true;
                        }
                        piped_wiki = None;
                    }
                    _ => piped_wiki = None,
                }
            }
            match event {
                Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                }) => {
                    let at = walk.locate(&range);
                    let pos = walk.lines.position(start + range.start);
                    let line = &text[pos.line_start..pos.line_end];
                    let in_body = |i: usize| pos.line_start + i - start;
                    let mut finder = AttrFinder::new(line);
                    for (name, _) in &attrs {
                        let (i, col) = finder
                            .find(name)
                            .unwrap_or((at.offset + start - pos.line_start, at.col));
                        let where_ = Location {
                            col,
                            width: name.chars().count(),
                            offset: in_body(i),
                            ..at
                        };
                        errors.push(
                            walk.error(&where_, format!("heading attribute `{name}` is not allowed"))
                                .with_hint("only `{#id}` and theme classes like `{.apology}` may follow a heading"),
                        );
                    }
                    let mut themes = Vec::new();
                    let mut finder = AttrFinder::new(line);
                    for class in &classes {
                        let class = class.to_string();
                        let found = finder.find(&format!(".{class}"));
                        if site.theme(&class).is_none() {
                            let (i, col) = found
                                .map_or((at.offset + start - pos.line_start, at.col), |(i, c)| {
                                    (i + 1, c + 1)
                                });
                            let where_ = Location {
                                col,
                                width: class.chars().count(),
                                offset: in_body(i),
                                ..at
                            };
                            let d =
                                walk.error(&where_, format!("unknown theme `{class}` on heading"));
                            errors.push(unknown_theme(d, &class, site));
                        } else if !themes.contains(&class) {
                            themes.push(class);
                        }
                    }
                    let custom = id.map(|i| i.to_string());
                    let custom_at = custom.as_ref().map(|custom| {
                        let (i, col) = AttrFinder::new(line)
                            .find(&format!("#{custom}"))
                            .unwrap_or((at.offset + start - pos.line_start, at.col));
                        Location {
                            col,
                            width: custom.chars().count() + 1,
                            offset: in_body(i),
                            ..at
                        }
                    });
                    if let (Some(custom), Some(custom_at)) = (&custom, &custom_at)
                        && !is_valid_custom_id(custom)
                    {
                        errors.push(walk.error(
                            custom_at,
                            format!("heading id `{custom}` may only hold ASCII letters, digits, `-` and `_`"),
                        ));
                    }
                    open.push(OpenHeading {
                        custom,
                        custom_at,
                        themes,
                        line: at.line,
                        text: String::new(),
                        level: level_number(level),
                    });
                }
                Event::End(TagEnd::Heading(_)) => finished.extend(open.pop()),
                Event::FootnoteReference(label) | Event::Start(Tag::FootnoteDefinition(label)) => {
                    footnotes.insert(label.to_string());
                }
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    ..
                }) => {
                    let at = walk.locate(&range);
                    let wiki = matches!(link_type, LinkType::WikiLink { .. });
                    let titled_by_target =
                        matches!(link_type, LinkType::WikiLink { has_pothole: false });
                    if matches!(link_type, LinkType::WikiLink { has_pothole: true }) {
                        piped_wiki = Some(body.links.len());
                    }
                    match classify(&dest_url, wiki, path) {
                        Ok(target) => body.links.push(Link {
                            target,
                            at,
                            titled_by_target,
                        }),
                        Err(refused) => {
                            errors.push(walk.refused(&at, refused));
                            body.links.push(Link {
                                target: Target::External(String::new()),
                                at,
                                titled_by_target: false,
                            });
                        }
                    }
                }
                Event::Start(Tag::Image { dest_url, .. }) => {
                    let at = walk.locate(&range);
                    let target = classify_image(&dest_url, path).unwrap_or_else(|refused| {
                        errors.push(walk.refused(&at, refused));
                        Target::External(String::new())
                    });
                    body.images.push(Image { target, at });
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    in_code = true;
                    if let pulldown_cmark::CodeBlockKind::Fenced(info) = kind {
                        body.has_fenced_code = true;
                        let lang = code_language(&info);
                        if !lang.is_empty() {
                            fenced = Some((walk.locate(&range), lang.to_string(), String::new()));
                        }
                    }
                }
                Event::End(TagEnd::CodeBlock) => {
                    in_code = false;
                    if let Some((at, lang, code)) = fenced.take() {
                        let limit = site.limits.highlight_line_bytes;
                        if let Some((n, line)) =
                            code.lines().enumerate().find(|(_, l)| l.len() > limit)
                        {
                            let at = Location { width: 3, ..at };
                            errors.push(
                                walk.error(
                                    &at,
                                    format!(
                                        "line {} of this `{lang}` block is {} bytes, more than the limit of {limit} bytes for highlighting: the block is shown plain",
                                        at.line + 1 + n,
                                        line.len()
                                    ),
                                )
                                .into_warning()
                                .with_hint(Limits::hint("highlight_line_bytes")),
                            );
                        }
                    }
                }
                Event::Text(t) => {
                    if let Some((_, _, code)) = &mut fenced {
                        code.push_str(&t);
                    }
                    if let Some(open) = open.last_mut() {
                        open.text.push_str(&t);
                    }
                    if !in_code {
                        body.word_count += count_words(&t, &mut in_word);
                    }
                }
                Event::Code(t) => {
                    if let Some(open) = open.last_mut() {
                        open.text.push_str(&t);
                    }
                    body.word_count += count_words(&t, &mut in_word);
                }
                // Inline markup (links, emphasis) continues a word; everything else ends it.
                Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough)
                | Event::End(
                    TagEnd::Link | TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough,
                ) => {}
                _ => in_word = false,
            }
        }
        body.headings = headings(finished, &footnotes, &walk, errors);
        body
    }
}

/// The headings with their ids; explicit ids that cannot be used are errors.
fn headings(
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
        let (message, hint) = match clash {
            Clash::Twice(first) => (
                format!(
                    "heading id `{id}` is already the id of the heading on line {}",
                    finished[first].line
                ),
                "give each heading its own id".to_string(),
            ),
            Clash::Theme => (
                format!("heading id `{id}` is used by the page itself"),
                format!(
                    "the theme gives an element of every page `id=\"{id}\"`; choose another id"
                ),
            ),
            Clash::Footnote => (
                format!("heading id `{id}` is the id of the footnote `[^{id}]`"),
                "choose another id".to_string(),
            ),
        };
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

/// Words in `text`, where a word may have begun in the previous piece of text
/// (`[link](x.md).` and smart quotes split one word into several events).
fn count_words(text: &str, in_word: &mut bool) -> usize {
    let mut n = 0;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        let word = match b {
            // ASCII: `char::is_whitespace` is true for these six.
            b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r' => false,
            0..0x80 => true,
            // A continuation byte belongs to the character before it.
            0x80..0xC0 => continue,
            // The first byte of a longer character: decode that one.
            _ => !text[i..].chars().next().is_some_and(char::is_whitespace),
        };
        if word && !*in_word {
            n += 1;
        }
        *in_word = word;
    }
    n
}

fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

#[cfg(test)]
mod tests;
