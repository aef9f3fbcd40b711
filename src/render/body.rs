//! An article's body as HTML: links and images rewritten to the site's
//! relative URLs (a linked file's from the page's folder),
//! `[[wiki]]` links titled by their target, a permalink in each heading, a
//! closed "More on ..." disclosure under each tagged section, and fenced code
//! highlighted with CSS classes. Pure.

mod also_on;

use std::collections::VecDeque;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Tag, TagEnd};

use crate::config::Limits;
use crate::error::Diagnostic;
use crate::link::{Connections, KnowledgeBase, Resolved};
use crate::parse::{Article, body_events, code_language};
use crate::urls::{Page, Urls};

use super::highlight::highlight;
use also_on::also_on;

/// Render article `a`'s body for a page at `urls`: its Markdown walked again
/// with the same events `parse` saw, so the n-th heading and link here are
/// the n-th ones there. The events stream into the HTML writer, which stops
/// at `limits.page_bytes`: a small input that expands enormously (a wide
/// table with missing cells) costs no more memory than the cap.
///
/// Each of the body's Markdown events is shown to `see` as it passes
/// (before any is rewritten): the build gathers the search index's
/// [`crate::search::Sections`] this way, so the Markdown is parsed once for both.
pub(crate) fn html(
    kb: &KnowledgeBase,
    a: usize,
    urls: &Urls,
    see: &mut dyn FnMut(&Event<'_>),
) -> Result<String, Diagnostic> {
    let article = &kb.articles[a];
    let mut rewrite = Rewrite::new(kb, a, urls);
    let mut events = body_events(&article.markdown, kb.site.allow_raw_html);
    let stream = std::iter::from_fn(move || {
        loop {
            if let Some(event) = rewrite.out.pop_front() {
                return Some(event);
            }
            let (event, _) = events.next()?;
            see(&event);
            rewrite.event(event);
        }
    });
    let limit = kb.site.limits.page_bytes;
    let mut html = CappedHtml {
        html: String::with_capacity((article.markdown.len() * 3 / 2).min(limit)),
        limit,
    };
    match pulldown_cmark::html::write_html_fmt(&mut html, stream) {
        Ok(()) => Ok(html.html),
        Err(_) => Err(Diagnostic::error(format!(
            "the body renders to more than the limit of {limit} bytes for a page"
        ))
        .in_file(article.path.clone())
        .with_hint(Limits::hint("page_bytes"))),
    }
}

/// Article `a`'s body events on their way to the HTML writer: each event
/// read becomes the events in `out`, links, images, headings and code
/// rewritten.
struct Rewrite<'k> {
    kb: &'k KnowledgeBase,
    a: usize,
    article: &'k Article,
    connections: &'k Connections,
    urls: &'k Urls,
    out: VecDeque<Event<'k>>,
    /// The number of the next link, image and heading, counted as `parse` did.
    link_no: usize,
    image_no: usize,
    heading_no: usize,
    /// The themes whose other articles an "also on" line has listed.
    themes_shown: Vec<usize>,
    /// Inside a link whose text is replaced by its target's title.
    skip_link_text: bool,
    /// Inside a fenced code block: its language and text so far.
    code: Option<(String, String)>,
    /// How many images the event is inside (their text becomes an `alt`).
    in_image: usize,
    /// Lines longer than this are not highlighted (syntect slows badly on them);
    /// `parse` warned about each such block.
    max_line: usize,
}

impl<'k> Rewrite<'k> {
    fn new(kb: &'k KnowledgeBase, a: usize, urls: &'k Urls) -> Rewrite<'k> {
        Rewrite {
            kb,
            a,
            article: &kb.articles[a],
            connections: &kb.connections[a],
            urls,
            out: VecDeque::new(),
            link_no: 0,
            image_no: 0,
            heading_no: 0,
            themes_shown: Vec::new(),
            skip_link_text: false,
            code: None,
            in_image: 0,
            max_line: kb.site.limits.highlight_line_bytes,
        }
    }

    /// Rewrite one event of the body into `out`.
    fn event(&mut self, event: Event<'k>) {
        if let Some((lang, text)) = &mut self.code {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let html = highlight(lang, text, self.max_line);
                    self.out.push_back(Event::Html(CowStr::from(html)));
                    self.code = None;
                }
                _ => {}
            }
            return;
        }
        if self.skip_link_text {
            if matches!(event, Event::End(TagEnd::Link)) {
                self.skip_link_text = false;
                self.out.push_back(event);
            }
            return;
        }
        match event {
            Event::Start(Tag::Heading { level, .. }) => self.heading_start(level),
            Event::Start(Tag::Link {
                link_type,
                title,
                id,
                ..
            }) => self.link_start(link_type, title, id),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                self.code = Some((code_language(&info).to_string(), String::new()));
            }
            Event::End(TagEnd::Heading(level)) => self.heading_end(level),
            // Escape quotes too (pulldown-cmark escapes only < > & in text), so
            // text that once was raw HTML cannot even look like an attribute.
            // (Inside an image the text becomes the alt attribute, which
            // pulldown-cmark escapes fully itself.)
            Event::Text(t) if self.in_image == 0 => {
                self.out.push_back(Event::Html(CowStr::from(escape(&t))))
            }
            Event::Code(t) if self.in_image == 0 => self.out.push_back(Event::Html(CowStr::from(
                format!("<code>{}</code>", escape(&t)),
            ))),
            Event::Start(Tag::Image {
                link_type,
                title,
                id,
                ..
            }) => self.image_start(link_type, title, id),
            Event::End(TagEnd::Image) => {
                self.in_image -= 1;
                self.out.push_back(event);
            }
            other => self.out.push_back(other),
        }
    }

    /// A heading opens, with the id `parse` gave it.
    fn heading_start(&mut self, level: HeadingLevel) {
        let id = self
            .article
            .headings
            .get(self.heading_no)
            .map(|h| CowStr::from(h.id.as_str()));
        self.out.push_back(Event::Start(Tag::Heading {
            level,
            id,
            classes: Vec::new(),
            attrs: Vec::new(),
        }));
    }

    /// A heading closes: its permalink, then its "also on" line.
    fn heading_end(&mut self, level: HeadingLevel) {
        if let Some(h) = self.article.headings.get(self.heading_no)
            && level >= HeadingLevel::H2
        {
            self.out
                .push_back(Event::Html(CowStr::from(permalink(&h.id))));
        }
        self.out.push_back(Event::End(TagEnd::Heading(level)));
        let line = also_on(
            self.kb,
            self.a,
            self.heading_no,
            self.urls,
            &mut self.themes_shown,
        );
        if let Some(line) = line {
            self.out.push_back(Event::Html(CowStr::from(line)));
        }
        self.heading_no += 1;
    }

    /// A link opens: its resolved href, and for a text-less wiki link its
    /// target's title instead of its text.
    fn link_start(&mut self, link_type: LinkType, title: CowStr<'k>, id: CowStr<'k>) {
        let (href, target_title) = match self.connections.links.get(self.link_no) {
            Some(resolved) => resolve(self.kb, self.a, resolved, self.urls),
            None => (String::new(), None),
        };
        let titled = self
            .article
            .links
            .get(self.link_no)
            .is_some_and(|l| l.titled_by_target);
        self.link_no += 1;
        self.out.push_back(Event::Start(Tag::Link {
            link_type,
            dest_url: CowStr::from(href),
            title,
            id,
        }));
        if let (true, Some(t)) = (titled, target_title) {
            self.out.push_back(Event::Text(CowStr::from(t)));
            self.skip_link_text = true;
        }
    }

    /// An image opens, with its resolved source.
    fn image_start(&mut self, link_type: LinkType, title: CowStr<'k>, id: CowStr<'k>) {
        let src = self
            .connections
            .images
            .get(self.image_no)
            .map_or_else(String::new, |resolved| {
                resolve(self.kb, self.a, resolved, self.urls).0
            });
        self.image_no += 1;
        self.in_image += 1;
        self.out.push_back(Event::Start(Tag::Image {
            link_type,
            dest_url: CowStr::from(src),
            title,
            id,
        }));
    }
}

/// HTML that refuses to grow past `limit` bytes.
struct CappedHtml {
    html: String,
    limit: usize,
}

impl std::fmt::Write for CappedHtml {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.html.len() + s.len() > self.limit {
            return Err(std::fmt::Error);
        }
        self.html.push_str(s);
        Ok(())
    }
}

/// A hash of everything article `a`'s body is made from: its Markdown, the
/// href and title of each of its links, and the "also on" line under each
/// tagged section (the site configuration is the same for every page). Two
/// equal keys give the same [`html`], without walking the Markdown.
pub(crate) fn key(kb: &KnowledgeBase, a: usize, urls: &Urls) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    let article = &kb.articles[a];
    article.markdown_hash.hash(&mut h);
    let c = &kb.connections[a];
    for link in c.links.iter().chain(&c.images) {
        resolve(kb, a, link, urls).hash(&mut h);
    }
    let mut shown = Vec::new();
    for heading in 0..article.headings.len() {
        also_on(kb, a, heading, urls, &mut shown).hash(&mut h);
    }
    h.finish()
}

/// The href of a resolved link from article `a`'s page, and the title a
/// text-less wiki link shows.
fn resolve(
    kb: &KnowledgeBase,
    a: usize,
    resolved: &Resolved,
    urls: &Urls,
) -> (String, Option<String>) {
    match resolved {
        Resolved::External(url) => (url.clone(), None),
        Resolved::File { path, suffix } => {
            (format!("{}{suffix}", urls.asset(&encode_path(path))), None)
        }
        Resolved::SafetyPage(fragment) => {
            let page = urls.to(Page::Safety);
            let title = kb.site.safety.as_ref().map(|s| s.page_title.clone());
            match fragment {
                Some(f) => (format!("{page}#{f}"), title),
                None => (page, title),
            }
        }
        Resolved::Anchor(h) => {
            let heading = &kb.articles[a].headings[*h];
            (format!("#{}", heading.id), Some(heading.text.clone()))
        }
        Resolved::Article { index, heading } => {
            let target = &kb.articles[*index];
            let page = urls.to(Page::Article(&target.slug));
            match heading.and_then(|h| target.headings.get(h)) {
                Some(h) => (
                    format!("{page}#{}", h.id),
                    Some(format!("{} › {}", target.title, h.text)),
                ),
                None => (page, Some(target.title.clone())),
            }
        }
    }
}

/// A file's path as a URL path: every byte but ASCII letters, digits,
/// `-._~` and the `/` between folders percent-encoded, so a name with a
/// space, `#`, `?` or `%` in it still names the file.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A heading's permalink: a quiet `#` the stylesheet shows on hover and focus.
fn permalink(id: &str) -> String {
    format!(
        " <a class=\"permalink\" href=\"#{}\" aria-label=\"Link to this section\">#</a>",
        escape(id)
    )
}

/// Escape text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    // Copied in runs between the (ASCII, so char-boundary) bytes replaced:
    // Tera escapes every value of every page with this.
    let mut out = String::with_capacity(s.len() + s.len() / 16);
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let with = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        out.push_str(with);
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out
}

#[cfg(test)]
mod tests;
