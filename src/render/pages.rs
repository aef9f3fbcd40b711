//! The pages of the site, one method per kind: home, the article list, an
//! article, the theme list, a theme, search and 404.

use super::context::*;
use super::nav::Here;
use super::{Renderer, WORDS_PER_MINUTE, body};
use crate::error::Diagnostic;
use crate::parse::{Article, Date};
use crate::urls::{Page, Urls};
use crate::write::OutputFile;

impl<'a> Renderer<'a> {
    pub(super) fn index(&self) -> Result<OutputFile, Diagnostic> {
        let urls = self.urls(Page::Home);
        let kb = self.kb;
        let page = IndexPage {
            site: self.site_context(&urls, Page::Home, None, &kb.site.description, Here::Other),
            start_here: kb
                .article_index(crate::urls::START_HERE)
                .map(|a| self.card(&kb.articles[a], &urls)),
            start_sections: kb
                .article_index(crate::urls::START_HERE)
                .map(|a| {
                    let article = &kb.articles[a];
                    let page = urls.to(Page::Article(&article.slug));
                    article
                        .headings
                        .iter()
                        .filter(|h| h.level == 2 || h.level == 3)
                        .map(|h| ArticleLink {
                            title: &h.text,
                            href: format!("{page}#{}", h.id),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            themes: (0..kb.site.themes.len())
                .map(|t| self.theme_card(t, &urls))
                .collect(),
            articles: kb.articles.iter().map(|a| self.card(a, &urls)).collect(),
        };
        self.render("index.html", &page, "index.html".into(), "the home page")
    }

    pub(super) fn articles_page(&self) -> Result<OutputFile, Diagnostic> {
        let urls = self.urls(Page::Articles);
        let mut site =
            self.site_context(&urls, Page::Articles, Some("All articles"), "", Here::Other);
        site.breadcrumbs = self.crumbs(&urls, &[]);
        let page = ArticlesPage {
            site,
            articles: self
                .kb
                .articles
                .iter()
                .map(|a| self.card(a, &urls))
                .collect(),
        };
        self.render(
            "articles.html",
            &page,
            Page::Articles.output_path(),
            "the article list",
        )
    }

    pub(super) fn article(&self, a: usize) -> Result<OutputFile, Diagnostic> {
        self.article_seen_by(a, &mut |_| {})
    }

    /// [`Renderer::article`], showing each event of the body to `see` (see
    /// [`body::html`]).
    pub(super) fn article_seen_by(
        &self,
        a: usize,
        see: &mut dyn FnMut(&pulldown_cmark::Event<'_>),
    ) -> Result<OutputFile, Diagnostic> {
        let article = &self.kb.articles[a];
        let urls = self.urls(Page::Article(&article.slug));
        let page = self.article_page(a, &urls, body::html(self.kb, a, &urls, see)?);
        self.render(
            "article.html",
            &page,
            Page::Article(&article.slug).output_path(),
            &article.path.to_string_lossy(),
        )
    }

    /// A hash of article `a`'s page context, with the body stood for by its
    /// [`body::key`]: equal keys, equal pages (with the same templates).
    pub(super) fn article_key(&self, a: usize) -> u64 {
        let urls = self.urls(Page::Article(&self.kb.articles[a].slug));
        let page = self.article_page(a, &urls, format!("{:016x}", body::key(self.kb, a, &urls)));
        // Serialized whole, then hashed at once: serde writes many small
        // pieces, and a hasher's cost is per write.
        match serde_json::to_vec(&page) {
            Ok(bytes) => crate::hash::stable(&bytes),
            // Unreachable for these plain structs; a key that never matches
            // only costs a render.
            Err(_) => u64::MAX - a as u64,
        }
    }

    pub(super) fn article_page(&self, a: usize, urls: &Urls, body: String) -> ArticlePage<'a> {
        let kb = self.kb;
        let article = &kb.articles[a];
        let c = &kb.connections[a];
        let mut site = self.site_context(
            urls,
            Page::Article(&article.slug),
            Some(&article.title),
            &article.summary,
            Here::Article(a),
        );
        site.has_code = article.has_fenced_code;
        site.breadcrumbs = self.crumbs(urls, &[("Articles", urls.to(Page::Articles))]);
        ArticlePage {
            site,
            slug: &article.slug,
            title: &article.title,
            summary: &article.summary,
            source: article.source.as_ref(),
            date: article.date.as_ref().map(date_view),
            updated: article.updated.as_ref().map(date_view),
            reading_minutes: reading_minutes(article.word_count),
            themes: self.theme_links(&article.themes, urls),
            content_note: article.content_note.as_deref(),
            toc: toc(article),
            body,
            related: c
                .related
                .iter()
                .take(RELATED_LIMIT)
                .map(|r| {
                    let other = &kb.articles[r.article];
                    RelatedCard {
                        title: &other.title,
                        summary: &other.summary,
                        href: urls.to(Page::Article(&other.slug)),
                        shares: r
                            .shared
                            .iter()
                            .filter_map(|id| kb.site.theme(id))
                            .map(|t| t.title.as_str())
                            .collect(),
                    }
                })
                .collect(),
            backlinks: c.backlinks.iter().map(|&b| self.link_to(b, urls)).collect(),
            previous: c.previous.map(|p| self.link_to(p, urls)),
            next: c.next.map(|n| self.link_to(n, urls)),
        }
    }

    pub(super) fn themes_page(&self) -> Result<OutputFile, Diagnostic> {
        let urls = self.urls(Page::Themes);
        let mut site = self.site_context(&urls, Page::Themes, Some("Themes"), "", Here::Other);
        site.breadcrumbs = self.crumbs(&urls, &[]);
        let page = ThemesPage {
            site,
            themes: (0..self.kb.site.themes.len())
                .map(|t| self.theme_card(t, &urls))
                .collect(),
        };
        self.render(
            "themes.html",
            &page,
            Page::Themes.output_path(),
            "the theme list",
        )
    }

    /// Theme `t`'s page; `excerpts` holds each article's section first sentences.
    pub(super) fn theme(
        &self,
        t: usize,
        excerpts: &[Vec<String>],
    ) -> Result<OutputFile, Diagnostic> {
        let kb = self.kb;
        let theme = &kb.site.themes[t];
        let urls = self.urls(Page::Theme(&theme.id));
        let index = &kb.themes[t];
        let mut site = self.site_context(
            &urls,
            Page::Theme(&theme.id),
            Some(&theme.title),
            &theme.description,
            Here::Theme(t),
        );
        site.breadcrumbs = self.crumbs(&urls, &[("Themes", urls.to(Page::Themes))]);
        let groups = self.section_groups(t, excerpts, &urls);
        let with_sections: std::collections::HashSet<usize> =
            index.sections.iter().map(|&(a, _)| a).collect();
        let untagged_articles = index
            .articles
            .iter()
            .filter(|a| !with_sections.contains(a))
            .map(|&a| self.card(&kb.articles[a], &urls))
            .collect();
        let page = ThemePage {
            site,
            theme: self.theme_card(t, &urls),
            articles: index
                .articles
                .iter()
                .map(|&a| self.card(&kb.articles[a], &urls))
                .collect(),
            groups,
            untagged_articles,
            other_themes: kb
                .site
                .themes
                .iter()
                .filter(|o| o.id != theme.id)
                .map(|o| ThemeLink {
                    id: &o.id,
                    title: &o.title,
                    href: urls.to(Page::Theme(&o.id)),
                })
                .collect(),
        };
        self.render(
            "theme.html",
            &page,
            Page::Theme(&theme.id).output_path(),
            &format!("theme `{}`", theme.id),
        )
    }

    /// The sections tagged with theme `t`, grouped by article, each with its
    /// first sentence from `excerpts`, linked from the page at `urls`.
    fn section_groups(
        &self,
        t: usize,
        excerpts: &[Vec<String>],
        urls: &Urls,
    ) -> Vec<SectionGroup<'a>> {
        let kb = self.kb;
        let mut groups: Vec<SectionGroup<'a>> = Vec::new();
        let mut last: Option<usize> = None;
        for &(a, h) in &kb.themes[t].sections {
            let article = &kb.articles[a];
            let heading = &article.headings[h];
            let link = SectionLink {
                title: &heading.text,
                href: format!("{}#{}", urls.to(Page::Article(&article.slug)), heading.id),
                excerpt: excerpts
                    .get(a)
                    .and_then(|e| e.get(h))
                    .cloned()
                    .unwrap_or_default(),
            };
            match (last, groups.last_mut()) {
                (Some(prev), Some(group)) if prev == a => group.sections.push(link),
                _ => groups.push(SectionGroup {
                    article: self.link_to(a, urls),
                    sections: vec![link],
                }),
            }
            last = Some(a);
        }
        groups
    }

    pub(super) fn search_page(&self) -> Result<OutputFile, Diagnostic> {
        let urls = self.urls(Page::Search);
        let mut site = self.site_context(&urls, Page::Search, Some("Search"), "", Here::Other);
        site.breadcrumbs = self.crumbs(&urls, &[]);
        self.render(
            "search.html",
            &PlainPage { site },
            Page::Search.output_path(),
            "the search page",
        )
    }

    pub(super) fn not_found(&self) -> Result<OutputFile, Diagnostic> {
        // Served at any depth, so links start from the site's base path.
        let base_path = self
            .kb
            .site
            .base_url
            .as_deref()
            .map_or("/".to_string(), base_path);
        let urls = Urls::from_base_path(base_path, self.options.link_style());
        let mut site = self.site_context(
            &urls,
            Page::NotFound,
            Some("Page not found"),
            "",
            Here::Other,
        );
        site.canonical = None;
        self.render(
            "404.html",
            &PlainPage { site },
            Page::NotFound.output_path(),
            "the 404 page",
        )
    }
}

/// "Related articles" lists at most this many: the closest, each with one reason.
const RELATED_LIMIT: usize = 3;

/// An outline longer than this lists only the H2s: a table of contents
/// readers can take in at a glance, and a lighter page.
const TOC_FULL_LIMIT: usize = 24;

/// The H2/H3 outline of an article (H2s only for very long outlines).
pub(super) fn toc(article: &Article) -> Vec<TocEntry<'_>> {
    let outline: Vec<_> = article
        .headings
        .iter()
        .filter(|h| h.level == 2 || h.level == 3)
        .collect();
    let with_h3 = outline.len() <= TOC_FULL_LIMIT;
    let mut entries: Vec<TocEntry<'_>> = Vec::new();
    let mut last_level = 0;
    for h in outline {
        if h.level == 3 && !with_h3 {
            continue;
        }
        let entry = TocEntry {
            text: &h.text,
            href: format!("#{}", h.id),
            children: Vec::new(),
        };
        match entries.last_mut() {
            Some(parent) if h.level == 3 && last_level != 0 => parent.children.push(entry),
            _ => {
                entries.push(entry);
                last_level = if h.level == 2 { 2 } else { 0 };
            }
        }
    }
    entries
}

/// `/kb/` from `https://example.org/kb/`.
pub(super) fn base_path(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    match rest.find('/') {
        Some(i) => rest[i..].to_string(),
        None => "/".to_string(),
    }
}

/// "N min read" for a word count.
pub fn reading_minutes(words: usize) -> usize {
    words.div_ceil(WORDS_PER_MINUTE).max(1)
}

pub(super) fn date_view(date: &Date) -> DateView {
    DateView {
        iso: date.to_string(),
        text: date.long(),
    }
}
