//! Counting: each article's sections become documents, and per term the
//! weighted frequency in each (BM25F fields: title, heading, themes, body),
//! a share of the articles per thread ([`Share`]), merged after.

use super::*;

/// A searchable section. What the browser shows with a result (the URL,
/// the article's title and themes, the heading) is looked up in the
/// knowledge base when the document files are written, not kept for each
/// of the index's 100,000 sections.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Document {
    /// Its article, by index in the knowledge base.
    pub(super) article: usize,
    /// Its H2/H3 heading, by index in the article's headings; `None` for
    /// the article's introduction.
    pub(super) heading: Option<usize>,
    /// The section's own themes as bits ([`themes_of`]).
    pub(super) mask: u32,
    /// The section's text (its first [`SNIPPET_CHARS`]), for the snippet.
    pub(super) snippet: String,
}

/// A section's own themes (its heading's tags, as the theme pages list
/// it), by index in the site's list; an introduction has none.
pub(super) fn themes_of(kb: &KnowledgeBase, heading: Option<&Heading>) -> Vec<usize> {
    heading.map_or_else(Vec::new, |h| {
        h.themes
            .iter()
            .filter_map(|t| kb.site.theme_index(t))
            .collect()
    })
}

pub(super) fn mask_of(themes: &[usize]) -> u32 {
    // Browser bit operations are 32-bit; themes past the 31st cannot be filtered on.
    themes
        .iter()
        .filter(|&&t| t < 31)
        .fold(0, |m, &t| m | (1 << t))
}

/// Appends `s` to `out` with runs of whitespace made one space and no
/// space at either end (what `split_whitespace().join(" ")` gives).
pub(super) fn collapse_whitespace_into(s: &str, out: &mut String) {
    out.clear();
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
}

pub(super) fn truncate_bytes(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `(document, score, theme mask)`.
pub(super) type Posting = (u32, u32, u32);

/// What one share of the articles contributes, counted on one thread:
/// documents by number, body lengths, and per term (by its number in
/// `analyzer`) the weighted term frequency in each document.
pub(super) struct Share {
    pub(super) docs: Vec<(usize, Document)>,
    pub(super) lengths: Vec<(usize, usize)>,
    pub(super) analyzer: Analyzer,
    pub(super) frequencies: Vec<Vec<(u32, f32)>>,
    /// Articles whose text was cut to `limits.search_text_bytes`.
    pub(super) warnings: Vec<Diagnostic>,
    /// Of the article being counted: bytes of text it may still index, and
    /// bytes of text it has.
    pub(super) budget: usize,
    pub(super) seen: usize,
}

impl Default for Share {
    fn default() -> Share {
        Share {
            docs: Vec::new(),
            lengths: Vec::new(),
            analyzer: Analyzer::new(),
            frequencies: Vec::new(),
            warnings: Vec::new(),
            budget: 0,
            seen: 0,
        }
    }
}

/// That `article`, of `total` bytes of text, is indexed only up to `cap`.
fn cut_warning(article: &Article, total: usize, cap: usize) -> Diagnostic {
    Diagnostic::warning(format!(
        "the article has {total} bytes of text, more than the limit of {cap}: search indexes only the first {cap}"
    ))
    .in_file(article.path.clone())
    .with_hint(Limits::hint("search_text_bytes"))
}

/// Where one document's text is gathered while its article is walked.
pub(super) struct Section<'k> {
    number: usize,
    /// Heading text (title for an article's introduction) and its weight.
    label: (&'k str, f64),
    /// Themes indexed for it: the article's for its introduction, the
    /// heading's own tags for a section.
    indexed_themes: Vec<usize>,
    document: Document,
}

impl Share {
    /// Count the documents of article `a`, numbered from `first`: its
    /// introduction and each H2/H3 section of `sections`.
    pub(super) fn add(
        &mut self,
        kb: &KnowledgeBase,
        a: usize,
        mut first: usize,
        sections: &Sections,
    ) {
        let article = &kb.articles[a];
        // An article contributes at most `search_text_bytes` of text: its
        // first sections whole, then what fits of the next.
        let cap = kb.site.limits.search_text_bytes;
        (self.budget, self.seen) = (cap, 0);
        // An introduction is the article as a whole: its title is its
        // label, but the article's theme names are not its words (six of
        // them would make a bare introduction outrank every section).
        let section = Section {
            number: first,
            label: (&article.title, W_TITLE),
            indexed_themes: Vec::new(),
            document: Document {
                article: a,
                heading: None,
                mask: 0,
                snippet: String::new(),
            },
        };
        let mut collapsed = String::new();
        let mut parts = sections.parts.iter();
        if let Some((_, text)) = parts.next() {
            self.finish(kb, section, text, &mut collapsed);
        }
        let mut parts = parts.peekable();
        while let Some((heading_no, text)) = parts.next() {
            let Some(heading) = heading_no.and_then(|h| article.headings.get(h)) else {
                continue;
            };
            let level_of =
                |h: &Option<usize>| h.and_then(|h| article.headings.get(h)).map(|h| h.level);
            // An H2 whose text all sits in its H3s is no answer of its own:
            // its subsections are the results.
            let parent = parts
                .peek()
                .and_then(|(next, _)| level_of(next))
                .is_some_and(|l| l > heading.level);
            if parent && text.trim().is_empty() {
                first += 1;
                continue;
            }
            let own = themes_of(kb, Some(heading));
            first += 1;
            let section = Section {
                number: first,
                label: (&heading.text, W_HEADING),
                document: Document {
                    article: a,
                    heading: *heading_no,
                    mask: mask_of(&own),
                    snippet: String::new(),
                },
                indexed_themes: own,
            };
            self.finish(kb, section, text, &mut collapsed);
        }
        if self.seen > cap {
            self.warnings.push(cut_warning(article, self.seen, cap));
        }
    }

    /// Count a section whose text is complete, and keep its document.
    pub(super) fn finish(
        &mut self,
        kb: &KnowledgeBase,
        mut section: Section,
        text: &str,
        collapsed: &mut String,
    ) {
        collapse_whitespace_into(text, collapsed);
        if section.document.heading.is_none() && collapsed.is_empty() {
            // An introduction with no text of its own is not a result.
            return;
        }
        self.seen += collapsed.len();
        let kept = truncate_bytes(collapsed, self.budget).len();
        collapsed.truncate(kept);
        self.budget -= kept;
        let doc = section.number as u32;
        let (analyzer, frequencies) = (&mut self.analyzer, &mut self.frequencies);
        let mut add = |text: &str, weight: f64| -> usize {
            analyzer.each_term(text, |term| {
                let term = term as usize;
                if term >= frequencies.len() {
                    frequencies.resize_with(term + 1, Vec::new);
                }
                let list = &mut frequencies[term];
                match list.last_mut() {
                    Some((d, w)) if *d == doc => *w += weight as f32,
                    _ => list.push((doc, weight as f32)),
                }
            })
        };
        add(section.label.0, section.label.1);
        for &t in &section.indexed_themes {
            add(&kb.site.themes[t].title, W_THEMES);
        }
        let body_len = add(collapsed, W_BODY);
        let snippet_end = collapsed
            .char_indices()
            .nth(SNIPPET_CHARS)
            .map_or(collapsed.len(), |(i, _)| i);
        section.document.snippet = collapsed[..snippet_end].to_string();
        self.lengths.push((section.number, body_len));
        self.docs.push((section.number, section.document));
    }

    /// Both shares in one; the smaller's terms are numbered again as the
    /// larger's, and its lists appended (the build merges each batch of 256
    /// articles into everything counted before it).
    pub(super) fn merge(mut self, mut other: Share) -> Share {
        if self.docs.len() < other.docs.len() {
            std::mem::swap(&mut self, &mut other);
        }
        self.docs.append(&mut other.docs);
        self.lengths.append(&mut other.lengths);
        self.warnings.append(&mut other.warnings);
        for (term, mut list) in other.frequencies.into_iter().enumerate() {
            let Some(stem) = other.analyzer.stems.get(term) else {
                continue;
            };
            let mine = self.analyzer.number(stem) as usize;
            if mine >= self.frequencies.len() {
                self.frequencies.resize_with(mine + 1, Vec::new);
            }
            self.frequencies[mine].append(&mut list);
        }
        self
    }
}
