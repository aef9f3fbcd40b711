//! An article body's plain text, section by section, as the index reads it.

use pulldown_cmark::{Event, Tag, TagEnd};

use crate::link::KnowledgeBase;
use crate::parse::{Article, body_events};

/// An article body's plain text, section by section, as the search index
/// reads it: the introduction (the text before the first H2/H3), then one
/// part per H2/H3 heading. H2/H3 text is left out (it is the heading);
/// deeper headings' text stays in. Gathered from the body's events as they
/// pass ([`Sections::see`]), from the build's rendering walk or from a walk
/// of its own ([`Sections::of`]).
///
/// Text reads as it does on the page: inline markup (emphasis, links,
/// code) adds no space, so no space comes before the punctuation after it;
/// blocks, lines and table cells are set apart by a space. An
/// introduction's editorial note (a paragraph wholly in emphasis, such as
/// "*This article restates, in our own words, …*") is left out: it says
/// where the article comes from, not what it says, and would otherwise
/// start every introduction's snippet.
#[derive(Debug, Clone, PartialEq)]
pub struct Sections {
    /// `(heading, text)`: the heading's index in the article's headings
    /// (`None` for the introduction) and its text, a space wherever a line
    /// or block ended (not yet collapsed).
    pub(crate) parts: Vec<(Option<usize>, String)>,
    heading_no: usize,
    in_heading: Option<u8>,
    /// Inside an introduction's paragraph: where its text starts, how deep
    /// in emphasis the walk is, and whether everything so far was emphasised.
    note: Option<Note>,
}

#[derive(Debug, Clone, PartialEq)]
struct Note {
    start: usize,
    depth: usize,
    whole: bool,
    seen: bool,
}

impl Default for Sections {
    fn default() -> Sections {
        Sections {
            parts: vec![(None, String::new())],
            heading_no: 0,
            in_heading: None,
            note: None,
        }
    }
}

impl Sections {
    /// Article `a`'s, from a walk of its Markdown.
    pub(crate) fn of(kb: &KnowledgeBase, a: usize) -> Sections {
        let article = &kb.articles[a];
        let mut sections = Sections::default();
        for (event, _) in body_events(&article.markdown, kb.site.allow_raw_html) {
            sections.see(article, &event);
        }
        sections
    }

    /// Take in the next event of `article`'s body.
    pub(crate) fn see(&mut self, article: &Article, event: &Event<'_>) {
        let in_intro = self.parts.len() == 1;
        let text = match self.parts.last_mut() {
            Some((_, text)) => text,
            None => return,
        };
        self.note = note_after(self.note.take(), in_intro, text, event);
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let level = *level as u8;
                self.in_heading = Some(level);
                if (level == 2 || level == 3) && article.headings.get(self.heading_no).is_some() {
                    self.parts.push((Some(self.heading_no), String::new()));
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if self.in_heading.is_some_and(|l| l > 3) {
                    text.push(' ');
                }
                self.in_heading = None;
                self.heading_no += 1;
            }
            Event::Text(t) | Event::Code(t) if self.in_heading.is_none_or(|l| l > 3) => {
                text.push_str(t);
            }
            Event::SoftBreak | Event::HardBreak if !text.ends_with(' ') => text.push(' '),
            Event::End(end) if !is_inline(end) && !text.ends_with(' ') => text.push(' '),
            _ => {}
        }
    }
}

/// Ends of markup inside a line of text: they add no space.
fn is_inline(end: &TagEnd) -> bool {
    matches!(
        end,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

/// Follow an introduction's paragraphs; a paragraph wholly in emphasis is
/// cut from `text` when it ends.
fn note_after(
    note: Option<Note>,
    in_intro: bool,
    text: &mut String,
    event: &Event<'_>,
) -> Option<Note> {
    match (note, event) {
        (None, Event::Start(Tag::Paragraph)) if in_intro => Some(Note {
            start: text.len(),
            depth: 0,
            whole: true,
            seen: false,
        }),
        (None, _) => None,
        (Some(note), Event::End(TagEnd::Paragraph)) => {
            if note.whole && note.seen {
                text.truncate(note.start);
            }
            None
        }
        (Some(mut note), Event::Start(Tag::Emphasis)) => {
            note.depth += 1;
            Some(note)
        }
        (Some(mut note), Event::End(TagEnd::Emphasis)) => {
            note.depth = note.depth.saturating_sub(1);
            Some(note)
        }
        (Some(mut note), Event::Text(t) | Event::Code(t)) => {
            if note.depth == 0 && !t.trim().is_empty() {
                note.whole = false;
            }
            note.seen |= note.depth > 0;
            Some(note)
        }
        (Some(note), _) => Some(note),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SiteConfig;
    use crate::load::{ArticleSource, SourceFile};

    fn sections(body: &str) -> Vec<(Option<usize>, String)> {
        let text = format!("---\ntitle: T\nsummary: s\nthemes: [apology]\n---\n{body}");
        let source = ArticleSource {
            slug: "a".into(),
            file: SourceFile {
                path: "articles/a.md".into(),
                text: text.into(),
            },
        };
        let site = SiteConfig::with_themes("T", &["apology"]);
        let article = crate::parse::article(&source, &site).unwrap();
        let mut sections = Sections::default();
        for (event, _) in body_events(&article.markdown, false) {
            sections.see(&article, &event);
        }
        sections
            .parts
            .into_iter()
            .map(|(h, t)| (h, t.split_whitespace().collect::<Vec<_>>().join(" ")))
            .collect()
    }

    #[test]
    fn no_space_comes_before_punctuation_after_inline_markup() {
        let parts = sections("Read *Seven Practices*, [Step by Step](b.md). `code`! **Bold**?\n");
        assert_eq!(
            parts[0].1,
            "Read Seven Practices, Step by Step. code! Bold?"
        );
    }

    #[test]
    fn table_cells_are_set_apart() {
        let parts =
            sections("| Guide | Steps |\n| --- | --- |\n| One | Seven |\n| Two | Three |\n");
        assert_eq!(parts[0].1, "Guide Steps One Seven Two Three");
    }

    #[test]
    fn an_introductions_note_in_emphasis_is_left_out() {
        let parts = sections(
            "**Not safe?** See help.\n\n*This article restates a guide, in **our** words.*\n\nReal *intro* text.\n\n## S\n\n*An example in italics.*\n",
        );
        assert_eq!(parts[0].1, "Not safe? See help. Real intro text.");
        assert_eq!(parts[1].1, "An example in italics.");
    }
}
