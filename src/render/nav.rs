//! What the layout shows around the text: the knowledge base's navigation
//! (Start here, the articles in reading order, the themes) with the page
//! being read marked, and the first sentence of a section for theme pages.
//! Pure: takes the [`KnowledgeBase`], gives plain values for the templates.

use serde::Serialize;

use crate::link::KnowledgeBase;
use crate::parse::{Article, body_events};
use crate::search::Sections;
use crate::urls::{Page, START_HERE, Urls};

/// With more articles than this the navigation lists the ones around the
/// page being read, so every page of a large site stays light.
const NAV_ARTICLE_LIMIT: usize = 16;

/// An excerpt stops at its first sentence, or about this many characters.
const EXCERPT_CHARS: usize = 180;

/// The knowledge base's navigation as one page shows it.
#[derive(Serialize, Default)]
pub(super) struct Nav<'a> {
    pub(crate) start_here: Option<NavLink<'a>>,
    /// Articles in reading order (Start here left out: it has its own link).
    pub(crate) articles: Vec<NavLink<'a>>,
    /// How many articles the list leaves out on a large site.
    pub(crate) more_articles: usize,
    pub(crate) themes: Vec<NavLink<'a>>,
}

#[derive(Serialize)]
pub(super) struct NavLink<'a> {
    pub(crate) title: &'a str,
    pub(crate) href: String,
    /// The page being read: the template marks it with `aria-current="page"`.
    pub(crate) current: bool,
}

/// Which page the navigation is shown on.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Here {
    Other,
    Article(usize),
    Theme(usize),
}

pub(super) fn nav<'a>(kb: &'a KnowledgeBase, urls: &Urls, here: Here) -> Nav<'a> {
    let link = |a: usize| NavLink {
        title: &kb.articles[a].title,
        href: urls.to(Page::Article(&kb.articles[a].slug)),
        current: here == Here::Article(a),
    };
    let start = kb.article_index(START_HERE);
    let others: Vec<usize> = (0..kb.articles.len())
        .filter(|&a| Some(a) != start)
        .collect();
    // A window around the page being read (or the first ones) on a large site.
    let at = match here {
        Here::Article(a) => others.iter().position(|&o| o == a).unwrap_or(0),
        _ => 0,
    };
    let from = at
        .saturating_sub(NAV_ARTICLE_LIMIT / 2)
        .min(others.len().saturating_sub(NAV_ARTICLE_LIMIT));
    let shown: Vec<usize> = others
        .iter()
        .copied()
        .skip(from)
        .take(NAV_ARTICLE_LIMIT)
        .collect();
    Nav {
        start_here: start.map(link),
        more_articles: others.len() - shown.len(),
        articles: shown.into_iter().map(link).collect(),
        themes: kb
            .site
            .themes
            .iter()
            .enumerate()
            .map(|(t, theme)| NavLink {
                title: &theme.title,
                href: urls.to(Page::Theme(&theme.id)),
                current: here == Here::Theme(t),
            })
            .collect(),
    }
}

/// The first sentence of each H2/H3 section of article `a`, by heading index
/// (empty for a section with no text of its own).
pub(super) fn first_sentences(kb: &KnowledgeBase, a: usize) -> Vec<String> {
    let mut out = vec![String::new(); kb.articles[a].headings.len()];
    for (heading, text) in Sections::of(kb, a).parts {
        if let Some(slot) = heading.and_then(|h| out.get_mut(h)) {
            *slot = first_sentence(&text);
        }
    }
    out
}

/// The first sentences of an article's tagged sections, as theme pages
/// show them, from its Markdown alone (raw HTML read as text, which only
/// ever makes two versions look more different): the preview re-renders
/// the theme pages when they change.
pub fn tagged_excerpts(article: &Article) -> Vec<String> {
    let mut sections = Sections::default();
    for (event, _) in body_events(&article.markdown, false) {
        sections.see(article, &event);
    }
    sections
        .parts
        .into_iter()
        .filter_map(|(h, text)| {
            let tagged = !article.headings.get(h?)?.themes.is_empty();
            tagged.then(|| first_sentence(&text))
        })
        .collect()
}

/// The text up to its first full stop, question or exclamation mark after
/// the first word (so "Dr." alone does not end it), with its spaces collapsed; cut at a word near [`EXCERPT_CHARS`] with an
/// ellipsis when the sentence runs longer.
fn first_sentence(text: &str) -> String {
    let words = text.split_whitespace();
    let mut out = String::new();
    for word in words {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
        if word.ends_with(['.', '?', '!']) && out.contains(' ') {
            return out;
        }
        if out.chars().count() > EXCERPT_CHARS {
            out.push('…');
            return out;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_is_the_first_sentence_or_a_cut_with_an_ellipsis() {
        assert_eq!(
            first_sentence("  Trust comes back slowly.\nThen it stays. "),
            "Trust comes back slowly."
        );
        assert_eq!(
            first_sentence("Dr. Who said so, and it is long enough here."),
            "Dr. Who said so, and it is long enough here."
        );
        let long = "word ".repeat(100);
        let cut = first_sentence(&long);
        assert!(cut.ends_with('…') && cut.chars().count() < EXCERPT_CHARS + 10);
        assert_eq!(first_sentence(""), "");
    }
}
