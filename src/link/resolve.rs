//! Resolving every link and image of the published articles.
//!
//! Takes the articles in reading order, the drafts left out, the slugs that
//! did not parse and the listing of `articles/`; gives each article's links
//! and images as [`Resolved`] targets, who links to whom, and the files to
//! publish, or every broken link as a located error with a did-you-mean.
//! Never ranks related articles and never touches the disk.

use std::collections::BTreeSet;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::files::FileLinks;
use super::{Connections, Resolved};
use crate::config::SiteConfig;
use crate::error::{Diagnostic, did_you_mean};
use crate::load::Files;
use crate::parse::{Article, Image, Link, Location, Target};

/// Every article's links resolved, when none is broken.
pub(super) struct Resolution {
    /// Parallel to the articles, with only `links` and `images` filled.
    pub(super) connections: Vec<Connections>,
    /// Parallel to the articles: the others linking to each.
    pub(super) backlinks: Vec<BTreeSet<usize>>,
    /// The files to publish, by path from the project root, sorted.
    pub(super) files: Vec<String>,
}

/// What a link may point at.
struct Corpus<'a> {
    /// The published articles, in reading order.
    articles: &'a [Arc<Article>],
    by_slug: &'a FxHashMap<&'a str, usize>,
    draft_slugs: BTreeSet<&'a str>,
    /// Each article's heading ids, so that a link to a section is one lookup:
    /// 10,000 links to `#a` in an article of 10,000 headings were 10^8 compares.
    anchors: Vec<FxHashMap<&'a str, usize>>,
    /// Slugs of articles that did not parse: links to them are taken on trust.
    unparsed: &'a BTreeSet<String>,
    /// Whether `mend.yaml` has `safety:`, so that `[[safety]]` has a page.
    safety: bool,
}

/// What resolving gathers besides the links themselves.
struct Found<'a> {
    files: FileLinks<'a>,
    errors: Vec<Diagnostic>,
    backlinks: Vec<BTreeSet<usize>>,
}

/// Resolve the links and images of `articles` (in reading order), whose
/// left-out drafts are `drafts`; links to `unparsed` slugs are taken on trust.
pub(super) fn resolve(
    site: &SiteConfig,
    articles: &[Arc<Article>],
    drafts: &[Arc<Article>],
    unparsed: &BTreeSet<String>,
    files: &Files,
) -> Result<Resolution, Vec<Diagnostic>> {
    let by_slug: FxHashMap<&str, usize> = articles
        .iter()
        .enumerate()
        .map(|(i, a)| (a.slug.as_str(), i))
        .collect();
    let corpus = Corpus {
        articles,
        by_slug: &by_slug,
        draft_slugs: drafts.iter().map(|a| a.slug.as_str()).collect(),
        anchors: anchors(articles),
        unparsed,
        safety: site.safety.is_some(),
    };
    let mut found = Found {
        files: FileLinks::new(files, site, &by_slug),
        errors: Vec::new(),
        backlinks: vec![BTreeSet::new(); articles.len()],
    };
    let mut connections: Vec<Connections> = vec![Connections::default(); articles.len()];
    for (i, article) in articles.iter().enumerate() {
        for image in &article.images {
            if let Some(resolved) = found.image(article, image) {
                connections[i].images.push(resolved);
            }
        }
        for link in &article.links {
            if let Some(resolved) = found.link(&corpus, i, link) {
                connections[i].links.push(resolved);
            }
        }
    }
    if !found.errors.is_empty() {
        return Err(found.errors);
    }
    Ok(Resolution {
        connections,
        backlinks: found.backlinks,
        files: found.files.linked.into_iter().collect(),
    })
}

/// Each article's heading ids, each to its first heading's index.
fn anchors(articles: &[Arc<Article>]) -> Vec<FxHashMap<&str, usize>> {
    articles
        .par_iter()
        .with_min_len(256)
        .map(|a| {
            let mut ids = FxHashMap::default();
            for (i, h) in a.headings.iter().enumerate() {
                ids.entry(h.id.as_str()).or_insert(i);
            }
            ids
        })
        .collect()
}

impl Corpus<'_> {
    fn heading_index(&self, article: usize, fragment: &str) -> Option<usize> {
        self.anchors[article].get(fragment).copied()
    }
}

impl Found<'_> {
    /// An image of `article`, or `None` when it is broken (the error noted).
    fn image(&mut self, article: &Article, image: &Image) -> Option<Resolved> {
        Some(match &image.target {
            Target::File { path, suffix } => match self.files.check(path, true) {
                Ok(()) => Resolved::File {
                    path: path.clone(),
                    suffix: suffix.clone(),
                },
                Err((message, hint)) => {
                    let error = located(article, &image.at, message).with_hint(hint);
                    self.errors.push(error);
                    return None;
                }
            },
            Target::External(url) => Resolved::External(url.clone()),
            // `parse` makes neither for an image.
            Target::Article { .. } | Target::Anchor(_) => Resolved::External(String::new()),
        })
    }

    /// A link of article `i`, or `None` when it is left out: broken (the
    /// error noted) or to an article that did not parse.
    fn link(&mut self, corpus: &Corpus, i: usize, link: &Link) -> Option<Resolved> {
        let article = &corpus.articles[i];
        Some(match &link.target {
            Target::External(url) => Resolved::External(url.clone()),
            Target::File { path, suffix } => match self.files.check(path, false) {
                Ok(()) => Resolved::File {
                    path: path.clone(),
                    suffix: suffix.clone(),
                },
                Err((message, hint)) => {
                    let error = located(article, &link.at, message).with_hint(hint);
                    self.errors.push(error);
                    return None;
                }
            },
            Target::Anchor(fragment) => match corpus.heading_index(i, fragment) {
                Some(h) => Resolved::Anchor(h),
                None => {
                    let message = format!("no section `#{fragment}` in this article");
                    let error = located(article, &link.at, message);
                    self.errors.push(missing_section(error, article, fragment));
                    Resolved::Anchor(0)
                }
            },
            Target::Article { slug, fragment } => {
                return self.article_link(corpus, i, &link.at, slug, fragment.as_deref());
            }
        })
    }

    /// A link of article `i` to the article `slug`, maybe to its section
    /// `fragment`, written at `at`.
    fn article_link(
        &mut self,
        corpus: &Corpus,
        i: usize,
        at: &Location,
        slug: &str,
        fragment: Option<&str>,
    ) -> Option<Resolved> {
        let article = &corpus.articles[i];
        let error = |message: String| located(article, at, message);
        let Some(&index) = corpus.by_slug.get(slug) else {
            return self.not_published(corpus, slug, fragment, error);
        };
        if index != i {
            self.backlinks[index].insert(i);
        }
        let heading = fragment.and_then(|fragment| {
            let h = corpus.heading_index(index, fragment);
            if h.is_none() {
                let error = error(format!("no section `#{fragment}` in `{slug}`"));
                let target = &corpus.articles[index];
                self.errors.push(missing_section(error, target, fragment));
            }
            h
        });
        Some(Resolved::Article { index, heading })
    }

    /// A link to `slug`, which is no published article: the safety page, an
    /// article that did not parse (taken on trust), or an error made by `error`.
    fn not_published(
        &mut self,
        corpus: &Corpus,
        slug: &str,
        fragment: Option<&str>,
        error: impl Fn(String) -> Diagnostic,
    ) -> Option<Resolved> {
        if corpus.unparsed.contains(slug) {
            return None;
        }
        if slug == crate::safety::PAGE_SLUG && corpus.safety {
            return match crate::safety::check_fragment(fragment) {
                Ok(()) => Some(Resolved::SafetyPage(fragment.map(str::to_owned))),
                Err(message) => {
                    self.errors.push(error(message));
                    None
                }
            };
        }
        if corpus.draft_slugs.contains(slug) {
            self.errors.push(
                error(format!("link to `{slug}`, a draft left out of this build"))
                    .with_hint("build with --drafts, or remove the link"),
            );
            return None;
        }
        let d = error(format!("link to missing article `{slug}`"));
        let slugs = corpus.articles.iter().map(|a| a.slug.as_str());
        self.errors.push(match did_you_mean(slug, slugs) {
            Some(near) => d.with_hint(format!("did you mean `{near}`?")),
            None => d.with_hint(
                "articles are linked by file name, e.g. `[text](other.md)` or `[[other]]`",
            ),
        });
        None
    }
}

/// An error at `at` in `article`, with the line it is on.
fn located(article: &Article, at: &Location, message: String) -> Diagnostic {
    Diagnostic::error(message)
        .in_file(article.path.clone())
        .at_excerpt(at.line, at.col, at.excerpt(&article.markdown), at.width)
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
