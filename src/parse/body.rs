//! An article's Markdown body, walked once: headings with their ids and
//! section themes, links classified and located, words counted, and the
//! mistakes found on the way.
//!
//! Takes the article file's text (the body from byte `start`) and the site
//! configuration; gives a [`Body`] and pushes diagnostics. Locations are
//! found in one pass over the text, and a link keeps its byte offset rather
//! than a copy of its line. Never renders. A heading's attributes and ids are
//! read in `heading`.

mod heading;

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Tag, TagEnd};

use super::locate::LineCursor;
use super::{
    Heading, Image, Link, Location, Refusal, Target, classify, classify_image, code_language,
    events_noting_html,
};
use crate::config::{Limits, SiteConfig};
use crate::error::{Diagnostic, Excerpt};
use heading::{HeadingLine, OpenHeading, headings, level_number};

/// A caret longer than this many bytes is cut: the excerpt it sits under
/// is shorter still.
const MAX_WIDTH_BYTES: usize = 480;

/// The Markdown body, walked once.
pub(super) struct Body {
    pub(crate) headings: Vec<Heading>,
    pub(crate) links: Vec<Link>,
    pub(crate) images: Vec<Image>,
    pub(crate) word_count: usize,
    pub(crate) has_fenced_code: bool,
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

/// The walk's state between events.
struct Reading<'a> {
    walk: Walk<'a>,
    site: &'a SiteConfig,
    errors: &'a mut Vec<Diagnostic>,
    body: Body,
    open: Vec<OpenHeading>,
    finished: Vec<OpenHeading>,
    footnotes: HashSet<String>,
    in_code: bool,
    in_word: bool,
    warned_html: bool,
    fenced: Option<Fenced>,
    /// The link just opened, if it is a wiki link with a `|`: should it end
    /// at once (`[[b|]]`), it shows the target's title like `[[b]]`.
    piped_wiki: Option<usize>,
}

/// A fenced block with a language, being read.
struct Fenced {
    /// Where its fence is.
    at: Location,
    lang: String,
    code: String,
}

impl Body {
    pub(super) fn parse(
        text: &str,
        start: usize,
        path: &Path,
        site: &SiteConfig,
        errors: &mut Vec<Diagnostic>,
    ) -> Body {
        let mut reading = Reading::new(text, start, path, site, errors);
        for (event, range, was_html) in events_noting_html(&text[start..], site.allow_raw_html) {
            if was_html {
                reading.on_html(&range);
            }
            reading.settle_piped_wiki(&event);
            reading.on_event(event, &range);
        }
        reading.finish()
    }
}

impl<'a> Reading<'a> {
    fn new(
        text: &'a str,
        start: usize,
        path: &'a Path,
        site: &'a SiteConfig,
        errors: &'a mut Vec<Diagnostic>,
    ) -> Self {
        Reading {
            walk: Walk {
                text,
                start,
                path,
                lines: LineCursor::new(text),
            },
            site,
            errors,
            body: Body {
                headings: Vec::new(),
                links: Vec::new(),
                images: Vec::new(),
                word_count: 0,
                has_fenced_code: false,
            },
            open: Vec::new(),
            finished: Vec::new(),
            footnotes: HashSet::new(),
            in_code: false,
            in_word: false,
            warned_html: false,
            fenced: None,
            piped_wiki: None,
        }
    }

    fn on_event(&mut self, event: Event<'_>, range: &Range<usize>) {
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => self.on_start_heading(range, level, id, &classes, &attrs),
            Event::End(TagEnd::Heading(_)) => self.finished.extend(self.open.pop()),
            Event::FootnoteReference(label) | Event::Start(Tag::FootnoteDefinition(label)) => {
                self.footnotes.insert(label.to_string());
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) => self.on_link(range, link_type, &dest_url),
            Event::Start(Tag::Image { dest_url, .. }) => self.on_image(range, &dest_url),
            Event::Start(Tag::CodeBlock(kind)) => self.on_start_code_block(range, kind),
            Event::End(TagEnd::CodeBlock) => self.on_end_code_block(),
            Event::Text(t) => self.on_text(&t),
            Event::Code(t) => self.on_code(&t),
            // Inline markup (links, emphasis) continues a word; everything else ends it.
            Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough)
            | Event::End(
                TagEnd::Link | TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough,
            ) => {}
            _ => self.in_word = false,
        }
    }

    /// Raw HTML turned into text: warned about once per article.
    fn on_html(&mut self, range: &Range<usize>) {
        if self.warned_html {
            return;
        }
        self.warned_html = true;
        let at = self.walk.locate(range);
        self.errors.push(
            self.walk.error(&Location { width: 1, ..at }, "raw HTML is shown as text, not as HTML".into())
                .into_warning()
                .with_hint("`allow_raw_html` is off in mend.yaml; set `allow_raw_html: true` to keep HTML, or write `\\<` to show a `<` as text"),
        );
    }

    /// The event after a piped wiki link opens: ending the link at once
    /// makes it show the target's title.
    fn settle_piped_wiki(&mut self, event: &Event<'_>) {
        let Some(i) = self.piped_wiki else {
            return;
        };
        match event {
            Event::Text(t) if t.is_empty() => {}
            Event::End(TagEnd::Link) => {
                if let Some(link) = self.body.links.get_mut(i) {
                    link.titled_by_target = true;
                }
                self.piped_wiki = None;
            }
            _ => self.piped_wiki = None,
        }
    }

    fn on_start_heading(
        &mut self,
        range: &Range<usize>,
        level: HeadingLevel,
        id: Option<CowStr<'_>>,
        classes: &[CowStr<'_>],
        attrs: &[(CowStr<'_>, Option<CowStr<'_>>)],
    ) {
        let line = HeadingLine::new(&mut self.walk, range);
        line.refuse_attributes(attrs, self.errors);
        let themes = line.themes(classes, self.site, self.errors);
        let (custom, custom_at) = line.custom_id(id, self.errors);
        self.open.push(OpenHeading {
            custom,
            custom_at,
            themes,
            line: line.at.line,
            text: String::new(),
            level: level_number(level),
        });
    }

    fn on_link(&mut self, range: &Range<usize>, link_type: LinkType, dest_url: &str) {
        let at = self.walk.locate(range);
        let wiki = matches!(link_type, LinkType::WikiLink { .. });
        let titled_by_target = matches!(link_type, LinkType::WikiLink { has_pothole: false });
        if matches!(link_type, LinkType::WikiLink { has_pothole: true }) {
            self.piped_wiki = Some(self.body.links.len());
        }
        match classify(dest_url, wiki, self.walk.path) {
            Ok(target) => self.body.links.push(Link {
                target,
                at,
                titled_by_target,
            }),
            Err(refused) => {
                self.errors.push(self.walk.refused(&at, refused));
                self.body.links.push(Link {
                    target: Target::External(String::new()),
                    at,
                    titled_by_target: false,
                });
            }
        }
    }

    fn on_image(&mut self, range: &Range<usize>, dest_url: &str) {
        let at = self.walk.locate(range);
        let target = classify_image(dest_url, self.walk.path).unwrap_or_else(|refused| {
            self.errors.push(self.walk.refused(&at, refused));
            Target::External(String::new())
        });
        self.body.images.push(Image { target, at });
    }

    fn on_start_code_block(&mut self, range: &Range<usize>, kind: CodeBlockKind<'_>) {
        self.in_code = true;
        if let CodeBlockKind::Fenced(info) = kind {
            self.body.has_fenced_code = true;
            let lang = code_language(&info);
            if !lang.is_empty() {
                self.fenced = Some(Fenced {
                    at: self.walk.locate(range),
                    lang: lang.to_string(),
                    code: String::new(),
                });
            }
        }
    }

    /// The end of a code block: a fenced line too long to highlight is a warning.
    fn on_end_code_block(&mut self) {
        self.in_code = false;
        let Some(Fenced { at, lang, code }) = self.fenced.take() else {
            return;
        };
        let limit = self.site.limits.highlight_line_bytes;
        if let Some((n, line)) = code.lines().enumerate().find(|(_, l)| l.len() > limit) {
            let at = Location { width: 3, ..at };
            self.errors.push(
                self.walk
                    .error(
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

    fn on_text(&mut self, t: &str) {
        if let Some(fenced) = &mut self.fenced {
            fenced.code.push_str(t);
        }
        if let Some(open) = self.open.last_mut() {
            open.text.push_str(t);
        }
        if !self.in_code {
            self.body.word_count += count_words(t, &mut self.in_word);
        }
    }

    fn on_code(&mut self, t: &str) {
        if let Some(open) = self.open.last_mut() {
            open.text.push_str(t);
        }
        self.body.word_count += count_words(t, &mut self.in_word);
    }

    /// The body, its headings given their ids.
    fn finish(mut self) -> Body {
        self.body.headings = headings(self.finished, &self.footnotes, &self.walk, self.errors);
        self.body
    }
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

#[cfg(test)]
mod tests;
