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

use std::collections::BTreeSet;
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::error::{Diagnostic, did_you_mean};
use crate::load::Files;
use crate::parse::{Article, Location, Target};
use files::FileLinks;
use related::{ArticleThemes, article_themes, related, theme_index};

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
    pub article: usize,
    /// Theme ids both share, in configuration order.
    pub shared: Vec<String>,
    pub score: usize,
}

/// What the link stage knows about one article.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Connections {
    /// One per `Article::links` entry, in order.
    pub links: Vec<Resolved>,
    /// One per `Article::images` entry, in order: a file or an external URL.
    pub images: Vec<Resolved>,
    pub related: Vec<Related>,
    /// Articles linking here, in reading order.
    pub backlinks: Vec<usize>,
    pub previous: Option<usize>,
    pub next: Option<usize>,
}

/// A section of an article: `(article index, heading index)`.
pub(crate) type SectionRef = (usize, usize);

/// Everything tagged with one theme.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ThemeIndex {
    /// Articles with the theme in their front matter or on a section, in reading order.
    pub articles: Vec<usize>,
    /// Tagged sections, grouped by article in reading order.
    pub sections: Vec<SectionRef>,
    /// Each article's first tagged section, in reading order.
    pub first_sections: Vec<SectionRef>,
}

/// The whole linked corpus.
#[derive(Debug, Clone, PartialEq)]
pub struct KnowledgeBase {
    pub site: SiteConfig,
    /// Published articles in reading order: `start-here` first, then by title.
    pub articles: Vec<Arc<Article>>,
    /// Parallel to `articles`; shared like them, so that a copy is cheap.
    pub connections: Arc<Vec<Connections>>,
    /// Parallel to `site.themes`.
    pub themes: Vec<ThemeIndex>,
    /// The files the published articles link to or show, by their path
    /// from the project root (their path in the site too), sorted.
    pub files: Vec<String>,
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
    let by_slug: rustc_hash::FxHashMap<&str, usize> = articles
        .iter()
        .enumerate()
        .map(|(i, a)| (a.slug.as_str(), i))
        .collect();
    let draft_slugs: BTreeSet<&str> = drafts.iter().map(|a| a.slug.as_str()).collect();

    // Each article's heading ids, so that a link to a section is one lookup:
    // 10,000 links to `#a` in an article of 10,000 headings were 10^8 compares.
    let anchors: Vec<rustc_hash::FxHashMap<&str, usize>> = articles
        .par_iter()
        .with_min_len(256)
        .map(|a| {
            let mut ids = rustc_hash::FxHashMap::default();
            for (i, h) in a.headings.iter().enumerate() {
                ids.entry(h.id.as_str()).or_insert(i);
            }
            ids
        })
        .collect();
    let heading_index = |article: usize, fragment: &str| anchors[article].get(fragment).copied();
    let mut errors = Vec::new();
    let mut connections: Vec<Connections> = vec![Connections::default(); articles.len()];
    let mut backlinks: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); articles.len()];
    let mut file_links = FileLinks::new(files, &site, &by_slug);
    for (i, article) in articles.iter().enumerate() {
        let located = |at: &Location, message: String| {
            Diagnostic::error(message)
                .in_file(article.path.clone())
                .at_excerpt(at.line, at.col, at.excerpt(&article.markdown), at.width)
        };
        for image in &article.images {
            let resolved = match &image.target {
                Target::File { path, suffix } => match file_links.check(path, true) {
                    Ok(()) => Resolved::File {
                        path: path.clone(),
                        suffix: suffix.clone(),
                    },
                    Err((message, hint)) => {
                        errors.push(located(&image.at, message).with_hint(hint));
                        continue;
                    }
                },
                Target::External(url) => Resolved::External(url.clone()),
                // `parse` makes neither for an image.
                Target::Article { .. } | Target::Anchor(_) => Resolved::External(String::new()),
            };
            connections[i].images.push(resolved);
        }
        for link in &article.links {
            let error = |message: String| located(&link.at, message);
            let resolved = match &link.target {
                Target::External(url) => Resolved::External(url.clone()),
                Target::File { path, suffix } => match file_links.check(path, false) {
                    Ok(()) => Resolved::File {
                        path: path.clone(),
                        suffix: suffix.clone(),
                    },
                    Err((message, hint)) => {
                        errors.push(error(message).with_hint(hint));
                        continue;
                    }
                },
                Target::Anchor(fragment) => match heading_index(i, fragment) {
                    Some(h) => Resolved::Anchor(h),
                    None => {
                        errors.push(missing_section(
                            error(format!("no section `#{fragment}` in this article")),
                            article,
                            fragment,
                        ));
                        Resolved::Anchor(0)
                    }
                },
                Target::Article { slug, fragment } => match by_slug.get(slug.as_str()) {
                    None if unparsed.contains(slug) => continue,
                    None if slug == crate::safety::PAGE_SLUG && site.safety.is_some() => {
                        match crate::safety::check_fragment(fragment.as_deref()) {
                            Ok(()) => Resolved::SafetyPage(fragment.clone()),
                            Err(message) => {
                                errors.push(error(message));
                                continue;
                            }
                        }
                    }
                    None if draft_slugs.contains(slug.as_str()) => {
                        errors.push(
                            error(format!("link to `{slug}`, a draft left out of this build"))
                                .with_hint("build with --drafts, or remove the link"),
                        );
                        continue;
                    }
                    None => {
                        let d = error(format!("link to missing article `{slug}`"));
                        errors.push(match did_you_mean(slug, articles.iter().map(|a| a.slug.as_str())) {
                            Some(near) => d.with_hint(format!("did you mean `{near}`?")),
                            None => d.with_hint("articles are linked by file name, e.g. `[text](other.md)` or `[[other]]`"),
                        });
                        continue;
                    }
                    Some(&index) => {
                        if index != i {
                            backlinks[index].insert(i);
                        }
                        let heading = match fragment {
                            None => None,
                            Some(fragment) => match heading_index(index, fragment) {
                                Some(h) => Some(h),
                                None => {
                                    errors.push(missing_section(
                                        error(format!("no section `#{fragment}` in `{slug}`")),
                                        &articles[index],
                                        fragment,
                                    ));
                                    None
                                }
                            },
                        };
                        Resolved::Article { index, heading }
                    }
                },
            };
            connections[i].links.push(resolved);
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let linked_files: Vec<String> = file_links.linked.into_iter().collect();

    let themes = theme_index(&site, &articles);
    let themes_of: Vec<ArticleThemes> = articles
        .par_iter()
        .with_min_len(256)
        .map(|a| article_themes(&site, a))
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
                c.related = related(i, &themes_of, &themes, &site, seen);
            },
        );
    Ok(KnowledgeBase {
        site,
        articles,
        connections: Arc::new(connections),
        themes,
        files: linked_files,
    })
}

fn reading_key(a: &Article) -> (bool, String, String) {
    (
        a.slug != crate::urls::START_HERE,
        a.title.to_lowercase(),
        a.slug.clone(),
    )
}

fn missing_section(d: Diagnostic, target: &Article, fragment: &str) -> Diagnostic {
    match did_you_mean(fragment, target.headings.iter().map(|h| h.id.as_str())) {
        Some(near) => d.with_hint(format!("did you mean `#{near}`?")),
        None if target.headings.is_empty() => {
            d.with_hint(format!("`{}` has no headings", target.slug))
        }
        None => d.with_hint(format!(
            "sections there: {}",
            target
                .headings
                .iter()
                .take(8)
                .map(|h| format!("#{}", h.id))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[cfg(test)]
mod tests;
