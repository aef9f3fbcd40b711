//! Parse: one article at a time, front matter and Markdown.
//!
//! Takes an article's text and the site configuration; gives an [`Article`]:
//! validated front matter, headings with stable ids and section themes, every
//! link classified with its location, and the Markdown events with raw HTML
//! neutralised. Knows nothing of other articles (that is `link`), never renders
//! HTML (that is `render`) and never touches the disk.

mod body;
mod date;
mod destination;
mod files;
mod front_matter;
mod ids;
mod locate;

use std::path::PathBuf;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use rayon::prelude::*;
use serde::Deserialize;

use crate::config::SiteConfig;
use crate::error::{Diagnostic, did_you_mean};
use crate::load::ArticleSource;
use body::Body;
pub use date::Date;
use destination::{classify, classify_image};
pub use files::{FILES_FOLDER, Refusal, percent_decode, resolve_file};
pub(crate) use front_matter::block_of as front_matter_block;
pub use front_matter::is_noncharacter;
use front_matter::{reserved_name, split_front_matter};
pub use ids::{THEME_ID_PREFIXES, THEME_IDS};

/// Where an article's guidance comes from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Attribution {
    #[serde(default)]
    pub(crate) title: Option<String>,
    #[serde(default)]
    pub(crate) publisher: Option<String>,
    #[serde(default)]
    pub(crate) url: Option<String>,
}

/// A heading of an article: a section that can be linked to and tagged with themes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// Plain text, without the attribute block.
    pub(crate) text: String,
    /// Unique within the article.
    pub id: String,
    /// Theme ids from the heading's `{.theme}` classes, in order.
    pub(crate) themes: Vec<String>,
    pub line: usize,
}

/// Where something was written, for diagnostics found in later stages.
/// Holds no text: a diagnostic quotes the line from the article's
/// Markdown ([`Location::excerpt`]), so 20,000 links on one long line do not
/// keep 20,000 copies of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub col: usize,
    pub(crate) width: usize,
    /// Byte offset in the article's Markdown (its body).
    pub offset: usize,
}

impl Location {
    /// The line around this spot, as a diagnostic quotes it.
    pub fn excerpt(&self, markdown: &str) -> crate::error::Excerpt {
        crate::error::Excerpt::around(markdown, self.offset)
    }
}

/// What a link points at, as the author wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Another article (`other.md`, `[[other]]`), maybe one of its sections.
    Article {
        slug: String,
        fragment: Option<String>,
    },
    /// A section of the same article (`#id`).
    Anchor(String),
    /// A file in `articles/` that is not an article (`images/cycle.png`,
    /// `worksheet.pdf`), published as it is when linked.
    File {
        /// From the project root, which is also its path in the site
        /// (`articles/images/cycle.png`); see [`resolve_file`].
        path: String,
        /// The query and fragment as written (`#page=2`), kept on the link.
        suffix: String,
    },
    /// Anything else: an absolute URL or a root-absolute path; kept as written.
    External(String),
}

/// A link in an article's body. The n-th `Link` matches the n-th link start event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub(crate) target: Target,
    pub at: Location,
    /// A wiki link without its own text (`[[other]]`): render shows the target's title.
    pub(crate) titled_by_target: bool,
}

/// An image in an article's body. The n-th `Image` matches the n-th image
/// start event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// A [`Target::File`] or, for an absolute URL, [`Target::External`].
    pub(crate) target: Target,
    pub(crate) at: Location,
}

/// One parsed article.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    pub slug: String,
    pub(crate) path: PathBuf,
    pub title: String,
    pub(crate) summary: String,
    pub themes: Vec<String>,
    pub(crate) source: Option<Attribution>,
    pub(crate) date: Option<Date>,
    pub(crate) updated: Option<Date>,
    pub(crate) draft: bool,
    /// A descriptive line shown before the text; never indexed for search.
    pub(crate) content_note: Option<String>,
    pub headings: Vec<Heading>,
    pub links: Vec<Link>,
    pub(crate) images: Vec<Image>,
    /// The Markdown body (after the front matter). Later stages walk it again
    /// with [`body_events`] rather than keeping every event in memory.
    pub markdown: std::sync::Arc<str>,
    pub(crate) word_count: usize,
    pub(crate) has_fenced_code: bool,
    /// A stable hash of `markdown`, made while parsing: the preview keys every
    /// page by it after an edit. xxh3 over the body costs about a millisecond
    /// per 10 MB, so the batch build does not notice it.
    pub(crate) markdown_hash: u64,
}

/// Every article parsed in parallel, in the order given.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Shared, so that the preview can keep them across rebuilds without copying.
    pub articles: Vec<std::sync::Arc<Article>>,
    /// Slugs of the articles that failed.
    pub(crate) failed: std::collections::BTreeSet<String>,
    pub errors: Vec<Diagnostic>,
    pub(crate) warnings: Vec<Diagnostic>,
}

/// Parse every article in parallel; all errors of all articles are collected.
pub fn articles(sources: &[ArticleSource], site: &SiteConfig) -> Parsed {
    let results: Vec<(Option<Article>, Vec<Diagnostic>)> = sources
        .par_iter()
        .map(|s| article_and_errors(s, site))
        .collect();
    let mut parsed = Parsed::default();
    for ((article, diagnostics), source) in results.into_iter().zip(sources) {
        match article {
            Some(a) => parsed.articles.push(std::sync::Arc::new(a)),
            None => {
                parsed.failed.insert(source.slug.clone());
            }
        }
        for d in diagnostics {
            if d.is_error() {
                parsed.errors.push(d);
            } else {
                parsed.warnings.push(d);
            }
        }
    }
    parsed
}

/// Parse one article; warnings are dropped, errors returned.
pub fn article(source: &ArticleSource, site: &SiteConfig) -> Result<Article, Vec<Diagnostic>> {
    match article_and_errors(source, site) {
        (Some(article), d) if !d.iter().any(Diagnostic::is_error) => Ok(article),
        (_, d) => Err(d.into_iter().filter(Diagnostic::is_error).collect()),
    }
}

/// Parse one article, keeping what could be read even when there are errors
/// (so later stages can still check its links): the article is `None` only
/// when its front matter cannot even be found. Warnings come with the errors.
fn article_and_errors(
    source: &ArticleSource,
    site: &SiteConfig,
) -> (Option<Article>, Vec<Diagnostic>) {
    let path = &source.file.path;
    let text = &*source.file.text;
    let (fm_range, body_start) = match split_front_matter(text) {
        Ok(split) => split,
        Err(d) => return (None, vec![d.in_file(path)]),
    };
    let mut errors = Vec::new();
    let fm = front_matter::read(text, fm_range, path, site, &mut errors);
    if let Some(d) = reserved_name(&source.slug) {
        errors.push(d.in_file(path));
    }
    // CommonMark replaces NUL with U+FFFD; pulldown-cmark passes it through.
    // One character for one, so lines and columns stay those of the file.
    let text: std::borrow::Cow<'_, str> = if text[body_start..].contains('\0') {
        std::borrow::Cow::Owned(format!(
            "{}{}",
            &text[..body_start],
            text[body_start..].replace('\0', "\u{FFFD}")
        ))
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    let body = Body::parse(&text, body_start, path, site, &mut errors);
    let article = Article {
        slug: source.slug.clone(),
        path: path.clone(),
        title: fm.title.unwrap_or_else(|| source.slug.clone()),
        summary: fm.summary.unwrap_or_default(),
        themes: fm.themes.unwrap_or_default(),
        source: fm.source,
        date: fm.date.as_deref().and_then(Date::parse),
        updated: fm.updated.as_deref().and_then(Date::parse),
        draft: fm.draft,
        content_note: fm.content_note,
        headings: body.headings,
        links: body.links,
        images: body.images,
        markdown: std::sync::Arc::from(&text[body_start..]),
        markdown_hash: crate::hash::stable(text[body_start..].as_bytes()),
        word_count: body.word_count,
        has_fenced_code: body.has_fenced_code,
    };
    (Some(article), errors)
}

fn unknown_theme(d: Diagnostic, theme: &str, site: &SiteConfig) -> Diagnostic {
    match did_you_mean(theme, site.themes.iter().map(|t| t.id.as_str())) {
        Some(near) => d.with_hint(format!("did you mean `{near}`?")),
        None => d.with_hint(format!("known themes: {}", theme_list(site))),
    }
}

fn theme_list(site: &SiteConfig) -> String {
    site.themes
        .iter()
        .map(|t| t.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The id a heading gets from its text: apostrophes dropped, lowercase ASCII
/// letters and digits kept, every other run turned into one hyphen.
pub fn heading_id(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c == '\'' || c == '\u{2019}' {
            continue;
        }
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-');
    if out.is_empty() {
        "section".to_string()
    } else {
        out.to_string()
    }
}

fn is_valid_custom_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 200
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The language of a fenced code block: the first word of its info string.
pub(crate) fn code_language(info: &str) -> &str {
    info.split(|c: char| c.is_whitespace() || c == ',')
        .next()
        .unwrap_or("")
}

/// How every stage parses an article's Markdown.
fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_WIKILINKS
}

/// An article body's events with their byte ranges, as every stage sees
/// them: raw HTML turned into text (an HTML block into a paragraph) unless
/// the site allows it. `parse`, `render` and `search` all walk this, so they
/// agree on every heading and link by position.
pub(crate) fn body_events(
    markdown: &str,
    allow_raw_html: bool,
) -> impl Iterator<Item = (Event<'_>, std::ops::Range<usize>)> {
    events_noting_html(markdown, allow_raw_html).map(|(event, range, _)| (event, range))
}

/// [`body_events`], each saying whether it was raw HTML turned into text.
fn events_noting_html(
    markdown: &str,
    allow_raw_html: bool,
) -> impl Iterator<Item = (Event<'_>, std::ops::Range<usize>, bool)> {
    Parser::new_ext(markdown, markdown_options())
        .into_offset_iter()
        .map(move |(event, range)| {
            let (event, was_html) = match event {
                Event::Start(Tag::HtmlBlock) if !allow_raw_html => {
                    (Event::Start(Tag::Paragraph), false)
                }
                Event::End(TagEnd::HtmlBlock) if !allow_raw_html => {
                    (Event::End(TagEnd::Paragraph), false)
                }
                Event::Html(html) | Event::InlineHtml(html) if !allow_raw_html => {
                    (Event::Text(html), true)
                }
                other => (other, false),
            };
            (event, range, was_html)
        })
}

#[cfg(test)]
mod tests;
