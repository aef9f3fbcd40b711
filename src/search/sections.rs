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
/// blocks, lines and table cells are set apart by a space.
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
}
