//! Render: the knowledge base as output files, in memory.
//!
//! Takes a [`KnowledgeBase`] and the site theme's files; gives every output
//! file as bytes ([`OutputFile`]): the home page, article pages, the article
//! list, theme pages, the 404 page, static files and, when some article has a
//! fenced code block, the highlighting stylesheet. Pure: never touches the disk.
//! Each template gets one typed context; every internal URL is relative, so the
//! site works under any sub-path.

mod body;
mod cap;
mod feeds;
mod nav;
mod safety;
pub use nav::tagged_excerpts;

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;
use tera::Tera;

use crate::error::{Diagnostic, Kind, did_you_mean};
use crate::link::KnowledgeBase;
use crate::load::ThemeFiles;
use crate::parse::{Article, Attribution};
use crate::search::Sections;
use crate::urls::{LinkStyle, Page, Urls};
use crate::write::OutputFile;
use nav::{Here, Nav};

pub use body::escape;

/// Words a reader reads per minute, for "N min read".
const WORDS_PER_MINUTE: usize = 200;

/// The templates every site theme must provide.
pub const REQUIRED_TEMPLATES: [&str; 7] = [
    "index.html",
    "article.html",
    "articles.html",
    "theme.html",
    "themes.html",
    "404.html",
    "search.html",
];

/// Choices that change the rendered bytes.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Write `index.html` into every internal link, for reading from disk.
    pub portable: bool,
}

impl RenderOptions {
    /// How internal links are written.
    pub fn link_style(self) -> LinkStyle {
        if self.portable {
            LinkStyle::Portable
        } else {
            LinkStyle::Served
        }
    }
}

#[derive(Serialize)]
struct Crumb {
    title: String,
    href: String,
}

/// What every page's layout needs.
#[derive(Serialize)]
struct SiteContext<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    /// Prefix for static files, e.g. `../../`.
    root: String,
    home_url: String,
    articles_url: String,
    themes_url: String,
    search_url: String,
    /// The `<title>` of this page.
    page_title: String,
    /// The meta description of this page.
    page_description: String,
    canonical: Option<String>,
    /// The Atom feed's absolute URL, when the site has a base URL.
    feed: Option<String>,
    /// `website` for the home page, `article` for articles (OpenGraph).
    og_type: &'static str,
    /// Whether this page links the code highlighting stylesheet.
    has_code: bool,
    breadcrumbs: Vec<Crumb>,
    /// The quick exit and the help links, when `mend.yaml` has `safety:`.
    safety: Option<safety::SafetyLinks<'a>>,
    /// The knowledge base's navigation, the page being read marked.
    nav: Nav<'a>,
    /// `accent` and `accent_dark` from `mend.yaml` (`#rrggbb`), when set.
    accent: Option<&'a str>,
    accent_dark: Option<&'a str>,
}

#[derive(Serialize)]
struct ThemeLink<'a> {
    id: &'a str,
    title: &'a str,
    href: String,
}

#[derive(Serialize)]
struct ArticleLink<'a> {
    title: &'a str,
    href: String,
}

#[derive(Serialize)]
struct ArticleCard<'a> {
    slug: &'a str,
    title: &'a str,
    summary: &'a str,
    href: String,
    reading_minutes: usize,
    themes: Vec<ThemeLink<'a>>,
}

#[derive(Serialize)]
struct ThemeCard<'a> {
    id: &'a str,
    title: &'a str,
    description: &'a str,
    href: String,
    article_count: usize,
    section_count: usize,
}

/// A table-of-contents entry: an H2 with its H3s (an H3 before any H2 stands alone).
#[derive(Serialize)]
struct TocEntry<'a> {
    text: &'a str,
    href: String,
    children: Vec<TocEntry<'a>>,
}

#[derive(Serialize)]
struct RelatedCard<'a> {
    title: &'a str,
    summary: &'a str,
    href: String,
    /// Titles of the shared themes.
    shares: Vec<&'a str>,
}

#[derive(Serialize)]
struct DateView<'a> {
    iso: &'a str,
    text: String,
}

#[derive(Serialize)]
struct IndexPage<'a> {
    site: SiteContext<'a>,
    start_here: Option<ArticleCard<'a>>,
    /// The sections of Start here, H2s and H3s in order: where to begin.
    start_sections: Vec<ArticleLink<'a>>,
    themes: Vec<ThemeCard<'a>>,
    articles: Vec<ArticleCard<'a>>,
}

#[derive(Serialize)]
struct ArticlesPage<'a> {
    site: SiteContext<'a>,
    articles: Vec<ArticleCard<'a>>,
}

#[derive(Serialize)]
struct ArticlePage<'a> {
    site: SiteContext<'a>,
    slug: &'a str,
    title: &'a str,
    summary: &'a str,
    source: Option<&'a Attribution>,
    date: Option<DateView<'a>>,
    updated: Option<DateView<'a>>,
    reading_minutes: usize,
    themes: Vec<ThemeLink<'a>>,
    content_note: Option<&'a str>,
    toc: Vec<TocEntry<'a>>,
    body: String,
    related: Vec<RelatedCard<'a>>,
    backlinks: Vec<ArticleLink<'a>>,
    previous: Option<ArticleLink<'a>>,
    next: Option<ArticleLink<'a>>,
}

#[derive(Serialize)]
struct ThemesPage<'a> {
    site: SiteContext<'a>,
    themes: Vec<ThemeCard<'a>>,
}

/// A section on a theme page: its heading, link and first sentence.
#[derive(Serialize)]
struct SectionLink<'a> {
    title: &'a str,
    href: String,
    excerpt: String,
}

#[derive(Serialize)]
struct SectionGroup<'a> {
    article: ArticleLink<'a>,
    sections: Vec<SectionLink<'a>>,
}

#[derive(Serialize)]
struct ThemePage<'a> {
    site: SiteContext<'a>,
    theme: ThemeCard<'a>,
    articles: Vec<ArticleCard<'a>>,
    groups: Vec<SectionGroup<'a>>,
    /// Articles with the theme in their front matter but no section tagged with it.
    untagged_articles: Vec<ArticleCard<'a>>,
    other_themes: Vec<ThemeLink<'a>>,
}

/// The 404 page and the search page need only the layout.
#[derive(Serialize)]
struct PlainPage<'a> {
    site: SiteContext<'a>,
}

/// Render the whole site.
pub fn site(
    kb: &KnowledgeBase,
    theme: &ThemeFiles,
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
pub fn article_pages_and_sections(
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
pub fn article_keys(
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
    theme: &ThemeFiles,
    options: RenderOptions,
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let mut files = shared_pages(kb, templates, theme, options)?;
    let all: Vec<usize> = (0..kb.articles.len()).collect();
    files.extend(article_pages(kb, templates, options, &all)?);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Everything but the article pages: home, lists, theme pages, 404, the
/// search page, feeds, the highlighting stylesheet and the theme's static
/// files. With [`article_pages`] in batches, a large site is rendered without
/// holding every page in memory.
pub fn shared_pages(
    kb: &KnowledgeBase,
    templates: &Templates,
    theme: &ThemeFiles,
    options: RenderOptions,
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let r = Renderer {
        kb,
        templates,
        options,
    };
    // Every page on its own thread: at 50,000 articles the home page and the
    // article list are megabytes each, and the feeds more.
    enum Shared {
        Index,
        Articles,
        Themes,
        NotFound,
        Search,
        Theme(usize),
        Feeds,
        Safety,
    }
    let mut jobs = vec![
        Shared::Feeds,
        Shared::Index,
        Shared::Articles,
        Shared::Themes,
    ];
    if !options.portable {
        // Served at any depth from a server; read from disk it is never shown,
        // and its absolute links would not resolve there.
        jobs.push(Shared::NotFound);
    }
    jobs.push(Shared::Search);
    if kb.site.safety.is_some() {
        jobs.push(Shared::Safety);
    }
    jobs.extend((0..kb.site.themes.len()).map(Shared::Theme));
    // Each tagged section's first sentence, for the theme pages: every
    // article's Markdown walked once, not once per theme it treats.
    let excerpts: Vec<Vec<String>> = (0..kb.articles.len())
        .into_par_iter()
        .map(|a| {
            let tagged = kb.articles[a].headings.iter().any(|h| !h.themes.is_empty());
            if tagged {
                nav::first_sentences(kb, a)
            } else {
                Vec::new()
            }
        })
        .collect();
    let made: Vec<Result<Vec<OutputFile>, Diagnostic>> = jobs
        .into_par_iter()
        .with_max_len(1)
        .map(|job| match job {
            Shared::Index => r.index().map(|f| vec![f]),
            Shared::Articles => r.articles_page().map(|f| vec![f]),
            Shared::Themes => r.themes_page().map(|f| vec![f]),
            Shared::NotFound => r.not_found().map(|f| vec![f]),
            Shared::Search => r.search_page().map(|f| vec![f]),
            Shared::Theme(t) => r.theme(t, &excerpts).map(|f| vec![f]),
            Shared::Feeds => Ok(feeds::files(kb)),
            Shared::Safety => match &kb.site.safety {
                Some(s) => safety::page(&r, s).map(|f| vec![f]),
                None => Ok(Vec::new()),
            },
        })
        .collect();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for result in made {
        match result {
            Ok(mut made) => files.append(&mut made),
            Err(d) => errors.push(d),
        }
    }
    if kb.articles.iter().any(|a| a.has_fenced_code) {
        files.push(OutputFile {
            path: "syntax.css".to_string(),
            bytes: body::syntax_css().into_bytes(),
        });
    }
    let generated: HashMap<String, ()> = files.iter().map(|f| (f.path.clone(), ())).collect();
    for (path, bytes) in &theme.static_files {
        if generated.contains_key(path) {
            errors.push(
                Diagnostic::error(format!(
                    "static file `{path}` would overwrite a generated page"
                ))
                .in_file(format!("themes/{}/static/{path}", theme.name)),
            );
            continue;
        }
        files.push(OutputFile {
            path: path.clone(),
            bytes: bytes.clone(),
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(files)
}

/// Compiled templates and where each came from.
pub struct Templates {
    tera: Tera,
    paths: HashMap<String, String>,
    theme: String,
}

impl Templates {
    /// Parse every template of the theme; syntax errors name file, line and column.
    pub fn compile(theme: &ThemeFiles) -> Result<Templates, Vec<Diagnostic>> {
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".htm", ".xml"]);
        // Same safety as tera's default, without turning every `/` in a URL into `&#x2F;`.
        tera.set_escape_fn(escape);
        tera.register_function("range", cap::range);
        tera.register_function(
            "get_env",
            |_: &HashMap<String, tera::Value>| -> tera::Result<tera::Value> {
                Err(tera::Error::msg(
                    "function get_env is disabled: templates cannot read the environment",
                ))
            },
        );
        let paths: HashMap<String, String> = theme
            .templates
            .iter()
            .map(|(name, f)| (name.clone(), f.path.to_string_lossy().replace('\\', "/")))
            .collect();
        let mut errors = Vec::new();
        for (name, file) in &theme.templates {
            // Parse each alone first, so a syntax error names its own file and line.
            if let Err(e) = tera::Template::new(name, None, &file.text) {
                errors.push(template_error(&paths, name, &e, &file.text));
            }
        }
        if errors.is_empty()
            && let Err(e) =
                tera.add_raw_templates(theme.templates.iter().map(|(n, f)| (n.as_str(), &*f.text)))
        {
            errors.push(
                Diagnostic::error(format!("in theme `{}`: {}", theme.name, chain(&e)))
                    .in_file(format!("themes/{}/templates", theme.name)),
            );
        }
        if errors.is_empty()
            && let Some(cycle) = reference_cycle(theme)
        {
            errors.push(
                Diagnostic::usage(format!(
                    "templates include or extend each other in a cycle: {}",
                    cycle.join(" -> ")
                ))
                .in_file(format!("themes/{}/templates/{}", theme.name, cycle[0])),
            );
        }
        for required in REQUIRED_TEMPLATES {
            if !paths.contains_key(required) {
                let available: Vec<&str> = paths.keys().map(String::as_str).collect();
                let mut d = Diagnostic::error(format!(
                    "template `{required}` not found in theme `{}`",
                    theme.name
                ))
                .in_file(format!("themes/{}/templates", theme.name));
                if let Some(near) = did_you_mean(required, available.iter().copied()) {
                    d = d.with_hint(format!("did you mean `{near}`?"));
                }
                errors.push(d);
            }
        }
        if errors.is_empty() {
            Ok(Templates {
                tera,
                paths,
                theme: theme.name.clone(),
            })
        } else {
            Err(errors)
        }
    }
}

/// The templates a template pulls in with `include`, `extends` or `import`.
fn template_refs(text: &str) -> Vec<&str> {
    let mut refs = Vec::new();
    for (at, _) in text.match_indices("{%") {
        let tag = text[at + 2..].trim_start_matches('-').trim_start();
        let Some(rest) = ["include", "extends", "import"]
            .iter()
            .find_map(|k| tag.strip_prefix(k))
        else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        if let Some(end) = rest[1..].find(quote) {
            refs.push(&rest[1..1 + end]);
        }
    }
    refs
}

/// A cycle of includes or extends (which would recurse without end when
/// rendered), as the chain of template names.
fn reference_cycle(theme: &ThemeFiles) -> Option<Vec<String>> {
    let graph: HashMap<&str, Vec<&str>> = theme
        .templates
        .iter()
        .map(|(name, f)| (name.as_str(), template_refs(&f.text)))
        .collect();
    fn visit<'a>(
        node: &'a str,
        graph: &HashMap<&'a str, Vec<&'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| *n == node) {
            let mut cycle: Vec<String> = path[start..].iter().map(|s| s.to_string()).collect();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(&node) {
            return None;
        }
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.push(node);
        None
    }
    let mut names: Vec<&str> = graph.keys().copied().collect();
    names.sort_unstable();
    let mut done = Vec::new();
    names
        .into_iter()
        .find_map(|n| visit(n, &graph, &mut Vec::new(), &mut done))
}

/// A template syntax error at `path:line:col` when tera gives a position.
fn template_error(
    paths: &HashMap<String, String>,
    name: &str,
    e: &tera::Error,
    text: &str,
) -> Diagnostic {
    let message = chain(e);
    let d = Diagnostic {
        kind: Kind::Usage,
        ..Diagnostic::error(format!("template syntax error: {}", first_line(&message)))
    }
    .in_file(paths.get(name).cloned().unwrap_or_else(|| name.to_string()));
    match position_in(&message) {
        Some((line, col)) => {
            let line_text = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
            d.at(line, col, line_text, 1)
        }
        None => d,
    }
}

/// What a Tera parse error says, without its snippet (the diagnostic shows
/// its own): the `= expected ...` line, or the message's other lines.
fn first_line(message: &str) -> String {
    let lines: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| {
            let snippet = l.starts_with("-->")
                || l.starts_with('|')
                || l.split_once(" |")
                    .is_some_and(|(n, _)| n.parse::<usize>().is_ok());
            !l.is_empty() && !snippet
        })
        .collect();
    let text = match lines.iter().find_map(|l| l.strip_prefix("= ")) {
        Some(reason) => reason.to_string(),
        None => lines.join(" "),
    };
    text.chars().take(300).collect()
}

/// Tera's pest errors read `--> 12:7`.
fn position_in(message: &str) -> Option<(usize, usize)> {
    let at = message.find("--> ")?;
    let rest = &message[at + 4..];
    let end = rest
        .find(|c: char| !c.is_ascii_digit() && c != ':')
        .unwrap_or(rest.len());
    let (line, col) = rest[..end].split_once(':')?;
    Some((line.parse().ok()?, col.parse().ok()?))
}

/// An error and all its sources, one sentence each.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
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

    fn index(&self) -> Result<OutputFile, Diagnostic> {
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

    fn articles_page(&self) -> Result<OutputFile, Diagnostic> {
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

    fn article(&self, a: usize) -> Result<OutputFile, Diagnostic> {
        self.article_seen_by(a, &mut |_| {})
    }

    /// [`Renderer::article`], showing each event of the body to `see` (see
    /// [`body::html`]).
    fn article_seen_by(
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
    fn article_key(&self, a: usize) -> u64 {
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

    fn article_page(&self, a: usize, urls: &Urls, body: String) -> ArticlePage<'a> {
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
            date: article.date.as_deref().map(date_view),
            updated: article.updated.as_deref().map(date_view),
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

    fn themes_page(&self) -> Result<OutputFile, Diagnostic> {
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
    fn theme(&self, t: usize, excerpts: &[Vec<String>]) -> Result<OutputFile, Diagnostic> {
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
        let mut groups: Vec<SectionGroup<'a>> = Vec::new();
        let mut last: Option<usize> = None;
        for &(a, h) in &index.sections {
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
                    article: self.link_to(a, &urls),
                    sections: vec![link],
                }),
            }
            last = Some(a);
        }
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

    fn search_page(&self) -> Result<OutputFile, Diagnostic> {
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

    fn not_found(&self) -> Result<OutputFile, Diagnostic> {
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
fn toc(article: &Article) -> Vec<TocEntry<'_>> {
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
fn base_path(url: &str) -> String {
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

fn date_view(iso: &str) -> DateView<'_> {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let month = iso
        .get(5..7)
        .and_then(|m| m.parse::<usize>().ok())
        .and_then(|m| MONTHS.get(m.wrapping_sub(1)));
    let day = iso.get(8..10).and_then(|d| d.parse::<u32>().ok());
    let text = match (month, day, iso.get(0..4)) {
        (Some(m), Some(d), Some(y)) => format!("{d} {m} {y}"),
        _ => iso.to_string(),
    };
    DateView { iso, text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_outlines_list_only_h2s_in_the_toc() {
        let mut text = String::from("---\ntitle: A\nsummary: S\nthemes: [apology]\n---\n");
        for i in 0..13 {
            text.push_str(&format!("## Part {i}\n### Detail {i}\n"));
        }
        let site = crate::config::SiteConfig::with_themes("T", &["apology"]);
        let source = crate::load::ArticleSource {
            slug: "a".into(),
            file: crate::load::SourceFile {
                path: "articles/a.md".into(),
                text: text.into(),
            },
        };
        let article = crate::parse::article(&source, &site).unwrap();
        let entries = toc(&article);
        assert_eq!(entries.len(), 13);
        assert!(entries.iter().all(|e| e.children.is_empty()));
    }

    #[test]
    fn reads_tera_positions() {
        assert_eq!(
            position_in("Failed to parse\n --> 12:7\n  |"),
            Some((12, 7))
        );
        assert_eq!(position_in("nothing"), None);
    }

    #[test]
    fn base_path_of_sub_path_sites() {
        assert_eq!(base_path("https://example.org/kb/"), "/kb/");
        assert_eq!(base_path("https://example.org/"), "/");
    }

    #[test]
    fn reading_time_rounds_up_and_dates_read_naturally() {
        assert_eq!(reading_minutes(0), 1);
        assert_eq!(reading_minutes(201), 2);
        assert_eq!(date_view("2024-03-05").text, "5 March 2024");
    }
}
