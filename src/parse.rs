//! Parse: one article at a time, front matter and Markdown.
//!
//! Takes an article's text and the site configuration; gives an [`Article`]:
//! validated front matter, headings with stable ids and section themes, every
//! link classified with its location, and the Markdown events with raw HTML
//! neutralised. Knows nothing of other articles (that is `link`), never renders
//! HTML (that is `render`) and never touches the disk.

use std::collections::HashSet;
use std::path::PathBuf;

use pulldown_cmark::{Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use rayon::prelude::*;
use serde::Deserialize;

use crate::config::{Limits, SiteConfig};
use crate::error::{Diagnostic, Kind, Position, did_you_mean};
use crate::load::ArticleSource;
use crate::yaml::Block;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    /// `Option` so that `title: ~` is caught as missing rather than read as "~".
    title: Option<String>,
    summary: Option<String>,
    themes: Option<Vec<String>>,
    #[serde(default)]
    source: Option<Attribution>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    updated: Option<String>,
    #[serde(default)]
    draft: bool,
    /// What the article discusses, shown before its text (see [`crate::safety`]).
    #[serde(default)]
    content_note: Option<String>,
}

/// Where an article's guidance comes from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Attribution {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub publisher: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
}

/// A heading of an article: a section that can be linked to and tagged with themes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// Plain text, without the attribute block.
    pub text: String,
    /// Unique within the article.
    pub id: String,
    /// Theme ids from the heading's `{.theme}` classes, in order.
    pub themes: Vec<String>,
    pub line: usize,
}

/// Where something was written, for diagnostics found in later stages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub col: usize,
    pub width: usize,
    pub line_text: String,
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
    /// Anything else: an absolute URL or a path outside the knowledge base; kept as written.
    External(String),
}

/// A link in an article's body. The n-th `Link` matches the n-th link start event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub target: Target,
    pub at: Location,
    /// A wiki link without its own text (`[[other]]`): render shows the target's title.
    pub titled_by_target: bool,
}

/// One parsed article.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    pub slug: String,
    pub path: PathBuf,
    pub title: String,
    pub summary: String,
    pub themes: Vec<String>,
    pub source: Option<Attribution>,
    pub date: Option<String>,
    pub updated: Option<String>,
    pub draft: bool,
    /// A descriptive line shown before the text; never indexed for search.
    pub content_note: Option<String>,
    pub headings: Vec<Heading>,
    pub links: Vec<Link>,
    /// The Markdown body (after the front matter). Later stages walk it again
    /// with [`body_events`] rather than keeping every event in memory.
    pub markdown: std::sync::Arc<str>,
    pub word_count: usize,
    pub has_fenced_code: bool,
    /// A hash of `markdown`, made the first time it is asked for.
    pub markdown_hash: MarkdownHash,
}

/// A hash of an article's Markdown, made once on first use (the preview
/// keys every page after an edit; the article, shared, keeps it). Derived
/// from the Markdown, so it never makes two articles differ.
#[derive(Debug, Clone, Default)]
pub struct MarkdownHash(std::sync::OnceLock<u64>);

impl PartialEq for MarkdownHash {
    fn eq(&self, _: &MarkdownHash) -> bool {
        true
    }
}

impl Article {
    pub fn markdown_hash(&self) -> u64 {
        *self
            .markdown_hash
            .0
            .get_or_init(|| crate::stable_hash(self.markdown.as_bytes()))
    }
}

/// Every article parsed in parallel, in the order given.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Shared, so that the preview can keep them across rebuilds without copying.
    pub articles: Vec<std::sync::Arc<Article>>,
    /// Slugs of the articles that failed.
    pub failed: std::collections::BTreeSet<String>,
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
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
    let block = Block {
        path,
        file: text,
        offset: fm_range.0,
        text: &text[fm_range.0..fm_range.1],
        kind: Kind::Content,
    };
    let mut errors = Vec::new();
    let fm: FrontMatter = match block.parse(site.limits.front_matter()) {
        Ok(fm) => {
            validate_front_matter(&fm, &block, site, &mut errors);
            fm
        }
        Err(d) => {
            errors.push(d);
            FrontMatter {
                title: None,
                summary: None,
                themes: None,
                source: None,
                date: None,
                updated: None,
                draft: false,
                content_note: None,
            }
        }
    };
    let body = Body::parse(text, body_start, path, site, &mut errors);
    let article = Article {
        slug: source.slug.clone(),
        path: path.clone(),
        title: fm.title.unwrap_or_else(|| source.slug.clone()),
        summary: fm.summary.unwrap_or_default(),
        themes: fm.themes.unwrap_or_default(),
        source: fm.source,
        date: fm.date,
        updated: fm.updated,
        draft: fm.draft,
        content_note: fm.content_note,
        headings: body.headings,
        links: body.links,
        markdown: std::sync::Arc::from(&text[body_start..]),
        word_count: body.word_count,
        has_fenced_code: body.has_fenced_code,
        markdown_hash: MarkdownHash::default(),
    };
    (Some(article), errors)
}

/// Byte range of the YAML between the `---` fences, and where the body starts.
fn split_front_matter(text: &str) -> Result<((usize, usize), usize), Diagnostic> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let first_end = text[start..]
        .find('\n')
        .map_or(text.len(), |i| start + i + 1);
    if text[start..first_end].trim_end() != "---" {
        return Err(
            Diagnostic::error("missing front matter: an article starts with a `---` line")
                .at_line(text, 1)
                .with_hint("add `---`, then `title:`, `summary:` and `themes:`, then `---`"),
        );
    }
    let mut offset = first_end;
    for line in text[first_end..].split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            return Ok(((first_end, offset), offset + line.len()));
        }
        offset += line.len();
    }
    Err(
        Diagnostic::error("front matter is not closed: no `---` line after it")
            .at_line(text, 1)
            .with_hint("end the front matter with a line holding only `---`"),
    )
}

fn validate_front_matter(
    fm: &FrontMatter,
    block: &Block<'_>,
    site: &SiteConfig,
    errors: &mut Vec<Diagnostic>,
) {
    for (key, value) in [("title", &fm.title), ("summary", &fm.summary)] {
        match value.as_deref() {
            None if find_key_in(block, key) => {
                errors.push(
                    block.error_at_key(key, format!("`{key}` must not be empty (it is null)")),
                );
            }
            None => errors.push(block.error_at_key(key, format!("missing field `{key}`"))),
            Some(v) if v.trim().is_empty() => {
                errors.push(block.error_at_key(key, format!("`{key}` must not be empty")))
            }
            Some(v) if v.chars().any(|c| c.is_control() && c != '\t') => {
                errors.push(block.error_at_key(
                    key,
                    format!("`{key}` must be one line without control characters"),
                ));
            }
            Some(v) if key == "title" && v.len() > site.limits.title_bytes => errors.push(
                block
                    .error_at_key(
                        key,
                        format!(
                            "`title` is {} bytes, more than the limit of {}",
                            v.len(),
                            site.limits.title_bytes
                        ),
                    )
                    .with_hint(Limits::hint("title_bytes")),
            ),
            Some(_) => {}
        }
    }
    if let Some(note) = &fm.content_note
        && (note.trim().is_empty() || note.chars().any(char::is_control))
    {
        errors.push(block.error_at_key(
            "content_note",
            "`content_note` must be one line of text, not empty",
        ));
    }
    let themes = fm.themes.as_deref().unwrap_or_default();
    if fm.themes.is_none() && !find_key_in(block, "themes") {
        errors.push(
            block
                .error_at_key("themes", "missing field `themes`")
                .with_hint(format!("known themes: {}", theme_list(site))),
        );
    } else if themes.is_empty() {
        errors.push(
            block
                .error_at_key("themes", "an article needs at least one theme")
                .with_hint(format!("known themes: {}", theme_list(site))),
        );
    }
    // Each distinct theme is reported once: a YAML alias repeats one 10,000
    // times in 40 KB, and an error per repeat printed the line each time.
    let mut seen = HashSet::new();
    let mut repeated = HashSet::new();
    for theme in themes {
        if seen.insert(theme) {
            if site.theme(theme).is_none() {
                errors.push(unknown_theme(
                    block.error_at_value("themes", theme, format!("unknown theme `{theme}`")),
                    theme,
                    site,
                ));
            }
        } else if repeated.insert(theme) && site.theme(theme).is_some() {
            errors.push(block.error_at_value(
                "themes",
                theme,
                format!("theme `{theme}` is listed twice"),
            ));
        }
    }
    if let Some(source) = &fm.source {
        if source.title.is_none() && source.publisher.is_none() && source.url.is_none() {
            errors.push(block.error_at_key(
                "source",
                "`source` needs at least one of `title`, `publisher`, `url`",
            ));
        }
        if let Some(url) = &source.url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            errors.push(block.error_at_value(
                "url",
                url,
                "`source.url` must be an http:// or https:// URL",
            ));
        }
    }
    for (key, value) in [("date", &fm.date), ("updated", &fm.updated)] {
        if let Some(value) = value
            && !is_date(value)
        {
            errors.push(block.error_at_value(
                key,
                value,
                format!("`{key}` must be a date written YYYY-MM-DD, not `{value}`"),
            ));
        }
    }
    if let (Some(date), Some(updated)) = (&fm.date, &fm.updated)
        && is_date(date)
        && is_date(updated)
        && updated < date
    {
        errors.push(block.error_at_value(
            "updated",
            updated,
            format!("`updated` ({updated}) is before `date` ({date})"),
        ));
    }
}

/// Whether the front matter writes `key:` at all (so a `None` was `~`/`null`).
fn find_key_in(block: &Block<'_>, key: &str) -> bool {
    block.text.lines().any(|l| {
        l.strip_prefix(key)
            .is_some_and(|r| r.trim_start().starts_with(':'))
    })
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

/// A real calendar date written `YYYY-MM-DD`.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| {
        s.get(r)
            .filter(|p| p.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
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

/// [`Position::of`] for offsets met in increasing order: each newline is
/// counted once, so locating every heading and link of a long article costs
/// one pass over it rather than one per heading. An offset before the last
/// one is located from the start.
struct LineCursor<'t> {
    text: &'t str,
    offset: usize,
    line: usize,
    line_start: usize,
}

impl<'t> LineCursor<'t> {
    fn new(text: &'t str) -> Self {
        LineCursor {
            text,
            offset: 0,
            line: 1,
            line_start: 0,
        }
    }

    fn position(&mut self, offset: usize) -> Position {
        let text = self.text;
        if offset < self.offset || offset > text.len() || !text.is_char_boundary(offset) {
            return Position::of(text, offset);
        }
        let passed = &text[self.offset..offset];
        if let Some(last) = passed.rfind('\n') {
            self.line += passed.bytes().filter(|&b| b == b'\n').count();
            self.line_start = self.offset + last + 1;
        }
        self.offset = offset;
        Position {
            line: self.line,
            col: text[self.line_start..offset].chars().count() + 1,
            line_start: self.line_start,
            line_end: text[offset..].find('\n').map_or(text.len(), |i| offset + i),
        }
    }
}

/// A heading being read: its custom id, themes, line and text so far.
type OpenHeading = (Option<String>, Vec<String>, usize, String);

/// The Markdown body, walked once.
struct Body {
    headings: Vec<Heading>,
    links: Vec<Link>,
    word_count: usize,
    has_fenced_code: bool,
}

impl Body {
    fn parse(
        text: &str,
        start: usize,
        path: &std::path::Path,
        site: &SiteConfig,
        errors: &mut Vec<Diagnostic>,
    ) -> Body {
        let source = &text[start..];
        let mut lines = LineCursor::new(text);
        let mut locate = |range: &std::ops::Range<usize>| -> Location {
            let pos = lines.position(start + range.start);
            let end = (start + range.end).min(pos.line_end);
            Location {
                line: pos.line,
                col: pos.col,
                width: text[(start + range.start).min(end)..end]
                    .chars()
                    .count()
                    .max(1),
                line_text: pos.line_text(text).to_string(),
            }
        };
        let error = |at: &Location, message: String| {
            Diagnostic::error(message)
                .in_file(path)
                .at(at.line, at.col, &at.line_text, at.width)
        };

        let mut body = Body {
            headings: Vec::new(),
            links: Vec::new(),
            word_count: 0,
            has_fenced_code: false,
        };
        let mut used_ids: HashSet<String> = HashSet::new();
        let mut open_heading: Option<OpenHeading> = None;
        let mut in_code = false;
        let mut in_word = false;
        // A fenced block with a language: where its fence is, the language, its text.
        let mut fenced: Option<(Location, String, String)> = None;
        // The link just opened, if it is a wiki link with a `|`: should it end
        // at once (`[[b|]]`), it shows the target's title like `[[b]]`.
        let mut piped_wiki: Option<usize> = None;

        for (event, range) in body_events(source, site.allow_raw_html) {
            if let Some(i) = piped_wiki {
                match &event {
                    Event::Text(t) if t.is_empty() => {}
                    Event::End(TagEnd::Link) => {
                        if let Some(link) = body.links.get_mut(i) {
                            link.titled_by_target = true;
                        }
                        piped_wiki = None;
                    }
                    _ => piped_wiki = None,
                }
            }
            match event {
                Event::Start(Tag::Heading {
                    id, classes, attrs, ..
                }) => {
                    let at = locate(&range);
                    for (name, _) in &attrs {
                        let col = attr_col(&at, name);
                        errors.push(
                            error(
                                &Location { col, width: name.chars().count(), ..at.clone() },
                                format!("heading attribute `{name}` is not allowed"),
                            )
                            .with_hint("only `{#id}` and theme classes like `{.apology}` may follow a heading"),
                        );
                    }
                    let mut themes = Vec::new();
                    for class in &classes {
                        let class = class.to_string();
                        if site.theme(&class).is_none() {
                            let col = attr_col(&at, &format!(".{class}")) + 1;
                            let d = error(
                                &Location {
                                    col,
                                    width: class.chars().count(),
                                    ..at.clone()
                                },
                                format!("unknown theme `{class}` on heading"),
                            );
                            errors.push(unknown_theme(d, &class, site));
                        } else if !themes.contains(&class) {
                            themes.push(class);
                        }
                    }
                    let custom = id.map(|i| i.to_string());
                    if let Some(custom) = &custom
                        && !is_valid_custom_id(custom)
                    {
                        let col = attr_col(&at, &format!("#{custom}"));
                        errors.push(error(
                            &Location { col, width: custom.chars().count() + 1, ..at.clone() },
                            format!("heading id `{custom}` may only hold ASCII letters, digits, `-` and `_`"),
                        ));
                    }
                    open_heading = Some((custom, themes, at.line, String::new()));
                }
                Event::End(TagEnd::Heading(level)) => {
                    if let Some((custom, themes, line, text)) = open_heading.take() {
                        let text = text.trim().to_string();
                        let base = custom.unwrap_or_else(|| heading_id(&text));
                        let id = unique_id(&base, &mut used_ids);
                        body.headings.push(Heading {
                            level: level_number(level),
                            text,
                            id,
                            themes,
                            line,
                        });
                    }
                }
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    ..
                }) => {
                    let at = locate(&range);
                    let wiki = matches!(link_type, LinkType::WikiLink { .. });
                    let titled_by_target =
                        matches!(link_type, LinkType::WikiLink { has_pothole: false });
                    if matches!(link_type, LinkType::WikiLink { has_pothole: true }) {
                        piped_wiki = Some(body.links.len());
                    }
                    match classify(&dest_url, wiki) {
                        Ok(target) => body.links.push(Link {
                            target,
                            at,
                            titled_by_target,
                        }),
                        Err(message) => {
                            errors.push(error(&at, message));
                            body.links.push(Link {
                                target: Target::External(String::new()),
                                at,
                                titled_by_target: false,
                            });
                        }
                    }
                }
                Event::Start(Tag::Image { dest_url, .. }) => {
                    if let Err(message) = check_scheme(&dest_url) {
                        errors.push(error(&locate(&range), message));
                    }
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    in_code = true;
                    if let pulldown_cmark::CodeBlockKind::Fenced(info) = kind {
                        body.has_fenced_code = true;
                        let lang = code_language(&info);
                        if !lang.is_empty() {
                            fenced = Some((locate(&range), lang.to_string(), String::new()));
                        }
                    }
                }
                Event::End(TagEnd::CodeBlock) => {
                    in_code = false;
                    if let Some((at, lang, code)) = fenced.take() {
                        let limit = site.limits.highlight_line_bytes;
                        if let Some((n, line)) =
                            code.lines().enumerate().find(|(_, l)| l.len() > limit)
                        {
                            let at = Location { width: 3, ..at };
                            errors.push(
                                error(
                                    &at,
                                    format!(
                                        "line {} of this `{lang}` block is {} bytes, more than the limit of {limit} bytes for highlighting: the block is shown plain",
                                        at.line + 1 + n,
                                        line.len()
                                    ),
                                )
                                .warning()
                                .with_hint(Limits::hint("highlight_line_bytes")),
                            );
                        }
                    }
                }
                Event::Text(t) => {
                    if let Some((_, _, code)) = &mut fenced {
                        code.push_str(&t);
                    }
                    if let Some(open) = &mut open_heading {
                        open.3.push_str(&t);
                    }
                    if !in_code {
                        body.word_count += count_words(&t, &mut in_word);
                    }
                }
                Event::Code(t) => {
                    if let Some(open) = &mut open_heading {
                        open.3.push_str(&t);
                    }
                    body.word_count += count_words(&t, &mut in_word);
                }
                // Inline markup (links, emphasis) continues a word; everything else ends it.
                Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough)
                | Event::End(
                    TagEnd::Link | TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough,
                ) => {}
                _ => in_word = false,
            }
        }
        body
    }
}

/// Words in `text`, where a word may have begun in the previous piece of text
/// (`[link](x.md).` and smart quotes split one word into several events).
fn count_words(text: &str, in_word: &mut bool) -> usize {
    let mut n = 0;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        let word = match b {
            // ASCII: `char::is_whitespace` is true for these six.
            b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r' => false,
            0..0x80 => true,
            // A continuation byte belongs to the character before it.
            0x80..0xC0 => continue,
            // The first byte of a longer character: decode that one.
            _ => !text[i..].chars().next().is_some_and(char::is_whitespace),
        };
        if word && !*in_word {
            n += 1;
        }
        *in_word = word;
    }
    n
}

/// The language of a fenced code block: the first word of its info string.
pub fn code_language(info: &str) -> &str {
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
pub fn body_events(
    markdown: &str,
    allow_raw_html: bool,
) -> impl Iterator<Item = (Event<'_>, std::ops::Range<usize>)> {
    Parser::new_ext(markdown, markdown_options())
        .into_offset_iter()
        .map(move |(event, range)| {
            let event = match event {
                Event::Start(Tag::HtmlBlock) if !allow_raw_html => Event::Start(Tag::Paragraph),
                Event::End(TagEnd::HtmlBlock) if !allow_raw_html => Event::End(TagEnd::Paragraph),
                Event::Html(html) | Event::InlineHtml(html) if !allow_raw_html => Event::Text(html),
                other => other,
            };
            (event, range)
        })
}

/// The 1-based column of `needle` in the heading's line, or the heading's own column.
fn attr_col(at: &Location, needle: &str) -> usize {
    match at
        .line_text
        .rfind('{')
        .and_then(|brace| at.line_text[brace..].find(needle).map(|i| brace + i))
    {
        Some(i) => at.line_text[..i].chars().count() + 1,
        None => at.col,
    }
}

fn unique_id(base: &str, used: &mut HashSet<String>) -> String {
    let mut id = base.to_string();
    let mut n = 0;
    while used.contains(&id) {
        n += 1;
        id = format!("{base}-{n}");
    }
    used.insert(id.clone());
    id
}

fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Percent-decode (once), for checking schemes and matching slugs and anchors.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The URL scheme of `dest` after decoding and dropping whitespace and control
/// characters (browsers ignore those inside a scheme), lowercased.
fn scheme_of(dest: &str) -> Option<String> {
    let decoded: String = percent_decode(&decode_entities(dest))
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    let colon = decoded.find(':')?;
    let scheme = &decoded[..colon];
    let valid = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_ascii_lowercase())
}

/// The few character references that can hide a scheme (`&#58;` for `:` and the like).
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&colon;", ":")
        .replace("&#58;", ":")
        .replace("&#x3a;", ":")
        .replace("&#x3A;", ":")
}

const ALLOWED_SCHEMES: [&str; 4] = ["http", "https", "mailto", "tel"];

fn check_scheme(dest: &str) -> Result<(), String> {
    match scheme_of(dest) {
        Some(scheme) if !ALLOWED_SCHEMES.contains(&scheme.as_str()) => Err(format!(
            "`{scheme}:` links are not allowed (allowed: http, https, mailto, tel and relative links)"
        )),
        _ => Ok(()),
    }
}

/// What a link destination points at.
fn classify(dest: &str, wiki: bool) -> Result<Target, String> {
    check_scheme(dest)?;
    if scheme_of(dest).is_some() || dest.starts_with("//") {
        return Ok(Target::External(dest.to_string()));
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(percent_decode(f))),
        None => (dest, None),
    };
    if path.is_empty() {
        return match fragment {
            Some(f) if !f.is_empty() => Ok(Target::Anchor(f)),
            _ => Err("empty link".to_string()),
        };
    }
    let path = percent_decode(path);
    let path = path.strip_prefix("./").unwrap_or(&path);
    let path = path.strip_prefix("../articles/").unwrap_or(path);
    if wiki {
        let slug = path.strip_suffix(".md").unwrap_or(path).trim();
        if slug.is_empty() {
            return Err("empty wiki link: write the target's file name, e.g. `[[other]]`".into());
        }
        return Ok(Target::Article {
            slug: slug.to_string(),
            fragment,
        });
    }
    match path.strip_suffix(".md") {
        Some(stem) if stem.contains('/') => Err(format!(
            "link to `{path}`: articles live directly in articles/"
        )),
        Some(stem) => Ok(Target::Article {
            slug: stem.to_string(),
            fragment,
        }),
        None => Ok(Target::External(dest.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_words_agrees_with_unicode_whitespace() {
        let by_chars = |text: &str, in_word: &mut bool| {
            let mut n = 0;
            for c in text.chars() {
                let word = !c.is_whitespace();
                n += usize::from(word && !*in_word);
                *in_word = word;
            }
            n
        };
        for text in [
            "",
            "one two  three",
            " \t\n\u{0B}\u{0C}\r lead and trail \r\n",
            "no\u{00A0}break\u{2003}em\u{3000}ideographic\u{85}next",
            "café — naïve 中文 👩‍💻 x",
            "\u{2028}\u{2029}",
        ] {
            for start in [false, true] {
                let (mut a, mut b) = (start, start);
                assert_eq!(
                    count_words(text, &mut a),
                    by_chars(text, &mut b),
                    "{text:?}"
                );
                assert_eq!(a, b, "{text:?}");
            }
        }
    }

    fn site() -> SiteConfig {
        SiteConfig::with_themes("T", &["apology", "forgiveness"])
    }

    fn parse(text: &str) -> Result<Article, Vec<Diagnostic>> {
        article(
            &ArticleSource {
                slug: "a".into(),
                file: crate::load::SourceFile {
                    path: "articles/a.md".into(),
                    text: text.into(),
                },
            },
            &site(),
        )
    }

    const HEAD: &str = "---\ntitle: A\nsummary: S\nthemes: [apology]\n---\n";

    #[test]
    fn heading_ids_are_slugs_and_deduplicated() {
        let a = parse(&format!(
            "{HEAD}## It's *me*, again {{.apology}}\n## It's me, again\n## Custom {{#own}}\n"
        ))
        .unwrap();
        let ids: Vec<_> = a.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["its-me-again", "its-me-again-1", "own"]);
        assert_eq!(a.headings[0].themes, ["apology"]);
        assert_eq!(a.headings[0].line, 6);
    }

    #[test]
    fn errors_on_unknown_heading_theme_with_column_and_hint() {
        let err = parse(&format!("{HEAD}## Letting go {{.forgivness}}\n")).unwrap_err();
        assert_eq!(
            err[0].headline(),
            "articles/a.md:6:17: error: unknown theme `forgivness` on heading"
        );
        assert_eq!(err[0].hint.as_deref(), Some("did you mean `forgiveness`?"));
    }

    #[test]
    fn errors_on_heading_attributes_other_than_id_and_class() {
        let err = parse(&format!("{HEAD}## Hi {{onclick=alert(1)}}\n")).unwrap_err();
        assert_eq!(
            err[0].headline(),
            "articles/a.md:6:8: error: heading attribute `onclick` is not allowed"
        );
    }

    #[test]
    fn front_matter_errors_point_into_the_md_file() {
        let err =
            parse("---\ntitle: A\nsummary: S\nthemes: [apology, forgivness]\ncolor: x\n---\n")
                .unwrap_err();
        let heads: Vec<_> = err.iter().map(Diagnostic::headline).collect();
        assert_eq!(
            heads[0],
            "articles/a.md:5:1: error: unknown field `color`, expected one of `title`, `summary`, `themes`, `source`, `date`, `updated`, `draft`, `content_note`"
        );
        let err =
            parse("---\ntitle: A\nsummary: S\nthemes: [apology, forgivness]\n---\n").unwrap_err();
        assert_eq!(
            err[0].headline(),
            "articles/a.md:4:19: error: unknown theme `forgivness`"
        );
    }

    #[test]
    fn errors_on_missing_or_unclosed_front_matter() {
        assert_eq!(
            parse("# hi\n").unwrap_err()[0].message,
            "missing front matter: an article starts with a `---` line"
        );
        assert_eq!(
            parse("---\ntitle: A\n").unwrap_err()[0].message,
            "front matter is not closed: no `---` line after it"
        );
    }

    #[test]
    fn classifies_links_the_way_authors_write_them() {
        let a = parse(&format!("{HEAD}[x](b.md) [y](./b.md#two) [z](#top) [[c]] [[c#s|w]] [e](https://e.org) [f](pic.png)\n")).unwrap();
        let t: Vec<_> = a.links.iter().map(|l| l.target.clone()).collect();
        let art = |s: &str, f: Option<&str>| Target::Article {
            slug: s.into(),
            fragment: f.map(String::from),
        };
        assert_eq!(
            t,
            [
                art("b", None),
                art("b", Some("two")),
                Target::Anchor("top".into()),
                art("c", None),
                art("c", Some("s")),
                Target::External("https://e.org".into()),
                Target::External("pic.png".into()),
            ]
        );
        assert!(a.links[3].titled_by_target && !a.links[4].titled_by_target);
    }

    #[test]
    fn rejects_script_schemes_after_decoding() {
        for dest in [
            "javascript:alert(1)",
            "JaVa%73cript:alert(1)",
            "java\tscript:x",
            "data:text/html,x",
            "vbscript:x",
            "javascript&#58;x",
        ] {
            let err = parse(&format!("{HEAD}[x](<{dest}>)\n")).unwrap_err();
            assert!(
                err[0].message.contains("links are not allowed"),
                "{dest}: {}",
                err[0].message
            );
            assert_eq!((err[0].line, err[0].col), (6, 1));
        }
    }

    #[test]
    fn words_split_by_markup_count_once() {
        let a = parse(&format!(
            "{HEAD}It's [a link](#x). *Emphasis*, done.\n\nNext paragraph\n\n## X\n"
        ))
        .unwrap();
        assert_eq!(
            a.word_count, 8,
            "It's, a, link., Emphasis,, done., Next, paragraph, and the heading X"
        );
    }

    #[test]
    fn raw_html_becomes_text() {
        let a = parse(&format!("{HEAD}<script>x</script>\n\nHi <b>there</b>\n")).unwrap();
        assert!(
            !body_events(&a.markdown, false)
                .any(|(e, _)| matches!(e, Event::Html(_) | Event::InlineHtml(_)))
        );
        assert!(
            body_events(&a.markdown, true)
                .any(|(e, _)| matches!(e, Event::Html(_) | Event::InlineHtml(_)))
        );
    }

    #[test]
    fn the_line_cursor_agrees_with_position() {
        let text = "ab\nçd\n\nef gh\nlast";
        let mut cursor = LineCursor::new(text);
        let offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        for &at in offsets.iter().chain([3, 0, text.len()].iter()) {
            assert_eq!(cursor.position(at), Position::of(text, at), "{at}");
        }
    }

    #[test]
    fn validates_dates() {
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2023-02-29") || !is_date("2024-13-01"));
        assert!(!is_date("2024-1-01"));
        let err = parse("---\ntitle: A\nsummary: S\nthemes: [apology]\ndate: 2024-13-01\n---\n")
            .unwrap_err();
        assert_eq!(
            err[0].headline(),
            "articles/a.md:5:7: error: `date` must be a date written YYYY-MM-DD, not `2024-13-01`"
        );
    }
}
