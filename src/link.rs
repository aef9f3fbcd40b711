//! Link: everything that needs the whole corpus at once.
//!
//! Takes the parsed articles, the site configuration and the list of other
//! files in `articles/`; gives a [`KnowledgeBase`]: published articles in
//! reading order, every link resolved to an article and section or a file
//! (or a located error with a did-you-mean), the files to publish, backlinks,
//! related articles ranked by shared themes, and per theme the articles and
//! sections tagged with it. Nothing here is quadratic in the number of articles
//! beyond what the theme index holds. Never renders and never touches the disk.

mod files;
mod related;
mod resolve;

use std::collections::BTreeSet;
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::error::Diagnostic;
use crate::load::Files;
use crate::parse::Article;
use related::{ArticleThemes, article_themes, related, theme_index};
use resolve::{Resolution, resolve};

/// How many related articles an article lists.
pub(crate) const RELATED_LIMIT: usize = 5;

/// A link resolved against the knowledge base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// Another article (by index into [`KnowledgeBase::articles`]), maybe a section of it.
    Article {
        index: usize,
        heading: Option<usize>,
    },
    /// A section of the same article, by heading index.
    Anchor(usize),
    /// A file published as it is, at its path from the project root
    /// (`articles/images/cycle.png`), with the query and fragment written.
    File { path: String, suffix: String },
    /// Kept as written.
    External(String),
    /// The safety page (`[[safety]]` when `mend.yaml` has `safety:` and no
    /// article is called `safety`), maybe one of its sections.
    SafetyPage(Option<String>),
}

/// An article related to another, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub(crate) article: usize,
    /// Theme ids both share, in configuration order.
    pub(crate) shared: Vec<String>,
    pub(crate) score: usize,
}

/// What the link stage knows about one article.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Connections {
    /// One per `Article::links` entry, in order.
    pub(crate) links: Vec<Resolved>,
    /// One per `Article::images` entry, in order: a file or an external URL.
    pub(crate) images: Vec<Resolved>,
    pub(crate) related: Vec<Related>,
    /// Articles linking here, in reading order.
    pub(crate) backlinks: Vec<usize>,
    pub(crate) previous: Option<usize>,
    pub(crate) next: Option<usize>,
}

/// A section of an article: `(article index, heading index)`.
pub(crate) type SectionRef = (usize, usize);

/// Everything tagged with one theme.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ThemeIndex {
    /// Articles with the theme in their front matter or on a section, in reading order.
    pub(crate) articles: Vec<usize>,
    /// Tagged sections, grouped by article in reading order.
    pub(crate) sections: Vec<SectionRef>,
    /// Each article's first tagged section, in reading order.
    pub(crate) first_sections: Vec<SectionRef>,
}

/// The whole linked corpus.
#[derive(Debug, Clone, PartialEq)]
pub struct KnowledgeBase {
    pub(crate) site: SiteConfig,
    /// Published articles in reading order: `start-here` first, then by title.
    pub articles: Vec<Arc<Article>>,
    /// Parallel to `articles`; shared like them, so that a copy is cheap.
    pub(crate) connections: Arc<Vec<Connections>>,
    /// Parallel to `site.themes`.
    pub(crate) themes: Vec<ThemeIndex>,
    /// The files the published articles link to or show, by their path
    /// from the project root (their path in the site too), sorted.
    pub(crate) files: Vec<String>,
}

impl KnowledgeBase {
    pub(crate) fn article_index(&self, slug: &str) -> Option<usize> {
        self.articles.iter().position(|a| a.slug == slug)
    }
}

/// Link the corpus, whose other files in `articles/` are `files`. Drafts
/// are dropped unless `include_drafts`.
pub fn knowledge_base(
    site: SiteConfig,
    all: Vec<Arc<Article>>,
    include_drafts: bool,
    files: &Files,
) -> Result<KnowledgeBase, Vec<Diagnostic>> {
    knowledge_base_trusting(site, all, include_drafts, &BTreeSet::new(), files)
}

/// The knowledge base of what parsed when other articles did not, to report
/// every link error of the run at once. Links to `unparsed` slugs are taken on
/// trust, since their sections are unknown.
pub(crate) fn knowledge_base_trusting(
    site: SiteConfig,
    all: Vec<Arc<Article>>,
    include_drafts: bool,
    unparsed: &BTreeSet<String>,
    files: &Files,
) -> Result<KnowledgeBase, Vec<Diagnostic>> {
    let (mut articles, drafts): (Vec<Arc<Article>>, Vec<Arc<Article>>) =
        all.into_iter().partition(|a| include_drafts || !a.draft);
    articles.sort_by_cached_key(|a| reading_key(a));
    let Resolution {
        mut connections,
        backlinks,
        files: linked,
    } = resolve(&site, &articles, &drafts, unparsed, files)?;
    let themes = theme_index(&site, &articles);
    add_neighbours(&mut connections, &backlinks, &site, &articles, &themes);
    Ok(KnowledgeBase {
        site,
        articles,
        connections: Arc::new(connections),
        themes,
        files: linked,
    })
}

/// Fill in each article's backlinks, previous and next, and related articles.
fn add_neighbours(
    connections: &mut [Connections],
    backlinks: &[BTreeSet<usize>],
    site: &SiteConfig,
    articles: &[Arc<Article>],
    themes: &[ThemeIndex],
) {
    let themes_of: Vec<ArticleThemes> = articles
        .par_iter()
        .with_min_len(256)
        .map(|a| article_themes(site, a))
        .collect();
    let count = articles.len();
    connections
        .par_iter_mut()
        .zip(backlinks.par_iter())
        .enumerate()
        .with_min_len(256)
        .for_each_init(
            || vec![0; count],
            |seen, (i, (c, backlinks))| {
                c.backlinks = backlinks.iter().copied().collect();
                c.previous = i.checked_sub(1);
                c.next = (i + 1 < count).then_some(i + 1);
                c.related = related(i, &themes_of, themes, site, seen);
            },
        );
}

fn reading_key(a: &Article) -> (bool, String, String) {
    (
        a.slug != crate::urls::START_HERE,
        a.title.to_lowercase(),
        a.slug.clone(),
    )
}

#[cfg(test)]
mod tests;
