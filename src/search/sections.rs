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
#[derive(Debug, Clone, PartialEq)]
pub struct Sections {
    /// `(heading, text)`: the heading's index in the article's headings
    /// (`None` for the introduction) and its text, a space wherever a line
    /// or block ended (not yet collapsed).
    pub(crate) parts: Vec<(Option<usize>, String)>,
    heading_no: usize,
    in_heading: Option<u8>,
}

impl Default for Sections {
    fn default() -> Sections {
        Sections {
            parts: vec![(None, String::new())],
            heading_no: 0,
            in_heading: None,
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
        let text = match self.parts.last_mut() {
            Some((_, text)) => text,
            None => return,
        };
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
            Event::SoftBreak | Event::HardBreak | Event::End(_) if !text.ends_with(' ') => {
                text.push(' ');
            }
            _ => {}
        }
    }
}
