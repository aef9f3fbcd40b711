//! Render: the knowledge base as output files, in memory.
//!
//! Takes a [`KnowledgeBase`] and the site theme's files; gives every output
//! file as bytes ([`OutputFile`]): the home page, article pages, the article
//! list, theme pages, the 404 page, static files, the logo and favicon
//! `mend.yaml` names and, when some article has a fenced code block, the
//! highlighting stylesheet. Pure: never touches the disk.
//! Each template gets one typed context; every internal URL is relative, so the
//! site works under any sub-path.

mod body;
mod cap;
mod context;
mod feeds;
mod highlight;
mod identity;
mod nav;
mod pages;
mod safety;
mod shared;
mod templates;
pub use nav::tagged_excerpts;

use rayon::prelude::*;
use serde::Serialize;

use crate::error::Diagnostic;
use crate::link::KnowledgeBase;
use crate::load::SiteTheme;
use crate::parse::Article;
use crate::search::Sections;
use crate::urls::{LinkStyle, Page, Urls};
use crate::write::OutputFile;
use context::*;
use nav::Here;
pub use pages::reading_minutes;
pub use shared::shared_pages;
pub use templates::Templates;
use templates::chain;

pub use body::escape;

/// Words a reader reads per minute, for "N min read".
const WORDS_PER_MINUTE: usize = 200;

pub use crate::load::REQUIRED_TEMPLATES;

/// Choices that change the rendered bytes.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Write `index.html` into every internal link, for reading from disk.
    pub portable: bool,
}

impl RenderOptions {
    /// How internal links are written.
    pub(crate) fn link_style(self) -> LinkStyle {
        LinkStyle::portable_if(self.portable)
    }
}

/// Render the whole site.
pub fn site(
    kb: &KnowledgeBase,
    theme: &SiteTheme,
    options: RenderOptions,
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    site_with(kb, &Templates::compile(theme)?, theme, options)
}

/// Render only the pages of the articles at `indices` (for the preview,
/// when an edit changed nothing other pages show).
pub fn article_pages(
    kb: &KnowledgeBase,
    templates: &Templates,
    options: RenderOptions,
    indices: &[usize],
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let r = Renderer {
        kb,
        templates,
        options,
    };
    every_article(indices, |a| r.article(a))
}

/// [`article_pages`], with each article's search [`Sections`], gathered on
/// the same walk of its Markdown as its page.
pub(crate) fn article_pages_and_sections(
    kb: &KnowledgeBase,
    templates: &Templates,
    options: RenderOptions,
    indices: &[usize],
) -> Result<(Vec<OutputFile>, Vec<Sections>), Vec<Diagnostic>> {
    let r = Renderer {
        kb,
        templates,
        options,
    };
    let made = every_article(indices, |a| {
        let mut sections = Sections::default();
        let article = &kb.articles[a];
        r.article_seen_by(a, &mut |event| sections.see(article, event))
            .map(|page| (page, sections))
    })?;
    Ok(made.into_iter().unzip())
}

/// `make` for every article of `indices`, in parallel, in order; every
/// error when any failed.
fn every_article<T: Send>(
    indices: &[usize],
    make: impl Fn(usize) -> Result<T, Diagnostic> + Sync,
) -> Result<Vec<T>, Vec<Diagnostic>> {
    let (made, errors): (Vec<_>, Vec<_>) = indices
        .par_iter()
        .map(|&a| make(a))
        .partition(Result::is_ok);
    if errors.is_empty() {
        Ok(made.into_iter().filter_map(Result::ok).collect())
    } else {
        Err(errors.into_iter().filter_map(Result::err).collect())
    }
}

/// Per article of `indices`, a hash of everything its page shows (see
/// `Renderer::article_key`), computed without rendering: the preview server
/// re-renders only the pages whose key changed.
pub(crate) fn article_keys(
    kb: &KnowledgeBase,
    templates: &Templates,
    options: RenderOptions,
    indices: &[usize],
) -> Vec<u64> {
    let r = Renderer {
        kb,
        templates,
        options,
    };
    indices.par_iter().map(|&a| r.article_key(a)).collect()
}

/// Render the whole site with templates compiled earlier.
pub fn site_with(
    kb: &KnowledgeBase,
    templates: &Templates,
    theme: &SiteTheme,
    options: RenderOptions,
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let mut files = shared_pages(kb, templates, theme, options)?;
    let all: Vec<usize> = (0..kb.articles.len()).collect();
    files.extend(article_pages(kb, templates, options, &all)?);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

struct Renderer<'a> {
    kb: &'a KnowledgeBase,
    templates: &'a Templates,
    options: RenderOptions,
}

impl<'a> Renderer<'a> {
    fn urls(&self, page: Page<'_>) -> Urls {
        Urls::at(page, self.options.link_style())
    }

    fn site_context(
        &self,
        urls: &Urls,
        page: Page<'_>,
        page_title: Option<&str>,
        description: &str,
        here: Here,
    ) -> SiteContext<'a> {
        let site = &self.kb.site;
        SiteContext {
            title: &site.title,
            description: &site.description,
            language: &site.language,
            root: urls.asset(""),
            home_url: urls.to(Page::Home),
            articles_url: urls.to(Page::Articles),
            themes_url: urls.to(Page::Themes),
            search_url: urls.to(Page::Search),
            page_title: match page_title {
                Some(t) => format!("{t} · {}", site.title),
                None => site.title.clone(),
            },
            page_description: if description.is_empty() {
                site.description.clone()
            } else {
                description.to_string()
            },
            canonical: site
                .base_url
                .as_ref()
                .map(|b| format!("{b}{}", page.path())),
            feed: site.base_url.as_ref().map(|b| format!("{b}feed.xml")),
            og_type: if page.is_article() {
                "article"
            } else {
                "website"
            },
            has_code: false,
            breadcrumbs: Vec::new(),
            safety: site
                .safety
                .as_ref()
                .map(|s| safety::SafetyLinks::new(s, urls)),
            nav: nav::nav(self.kb, urls, here),
            accent: site.accent.as_deref(),
            accent_dark: site.accent_dark.as_deref(),
            logo: identity::logo(site, urls),
            favicon: identity::favicon(site, urls),
        }
    }

    fn crumbs(&self, urls: &Urls, trail: &[(&str, String)]) -> Vec<Crumb> {
        let mut out = vec![Crumb {
            title: "Home".to_string(),
            href: urls.to(Page::Home),
        }];
        out.extend(trail.iter().map(|(t, h)| Crumb {
            title: t.to_string(),
            href: h.clone(),
        }));
        out
    }

    fn render<C: Serialize>(
        &self,
        template: &str,
        context: &C,
        path: String,
        subject: &str,
    ) -> Result<OutputFile, Diagnostic> {
        let shown = self
            .templates
            .paths
            .get(template)
            .cloned()
            .unwrap_or_else(|| template.to_string());
        let context = tera::Context::from_serialize(context).map_err(|e| {
            Diagnostic::error(format!("while rendering {subject}: {}", chain(&e)))
                .in_file(shown.clone())
        })?;
        // Rendered into a buffer that stops at the page cap, so a runaway
        // template ends early instead of filling memory.
        let limit = self.kb.site.limits.page_bytes;
        let mut page = cap::PageBuffer::new(limit);
        let rendered = self.templates.tera.render_to(template, &context, &mut page);
        if page.overflowed {
            return Err(Diagnostic::error(format!(
                "while rendering {subject} with theme `{}`: the page is more than the limit of {limit} bytes",
                self.templates.theme
            ))
            .in_file(shown)
            .with_hint(crate::config::Limits::hint("page_bytes")));
        }
        rendered.map_err(|e| {
            Diagnostic::error(format!(
                "while rendering {subject} with theme `{}`: {}",
                self.templates.theme,
                chain(&e)
            ))
            .in_file(shown)
        })?;
        Ok(OutputFile {
            path,
            bytes: page.bytes,
        })
    }

    fn theme_links(&self, ids: &'a [String], urls: &Urls) -> Vec<ThemeLink<'a>> {
        ids.iter()
            .filter_map(|id| self.kb.site.theme(id))
            .map(|t| ThemeLink {
                id: &t.id,
                title: &t.title,
                href: urls.to(Page::Theme(&t.id)),
            })
            .collect()
    }

    fn card(&self, article: &'a Article, urls: &Urls) -> ArticleCard<'a> {
        ArticleCard {
            slug: &article.slug,
            title: &article.title,
            summary: &article.summary,
            href: urls.to(Page::Article(&article.slug)),
            reading_minutes: reading_minutes(article.word_count),
            themes: self.theme_links(&article.themes, urls),
        }
    }

    fn theme_card(&self, t: usize, urls: &Urls) -> ThemeCard<'a> {
        let theme = &self.kb.site.themes[t];
        ThemeCard {
            id: &theme.id,
            title: &theme.title,
            description: &theme.description,
            href: urls.to(Page::Theme(&theme.id)),
            article_count: self.kb.themes[t].articles.len(),
            section_count: self.kb.themes[t].sections.len(),
        }
    }

    fn link_to(&self, a: usize, urls: &Urls) -> ArticleLink<'a> {
        let article = &self.kb.articles[a];
        ArticleLink {
            title: &article.title,
            href: urls.to(Page::Article(&article.slug)),
        }
    }
}

#[cfg(test)]
mod tests;
