//! Search: the full-text index, built at build time for the browser.
//!
//! Takes the [`KnowledgeBase`]; gives the index as output files under
//! `search/` in the format described in `docs/search-index.md`: a small
//! manifest, term shards keyed by the first two characters of a stem, and
//! document chunks holding snippet text. Every H2/H3 section is a document.
//! Folding, tokenizing and stemming here are mirrored exactly by
//! `themes/default/static/search.js`. Pure: never touches the disk.

mod analyze;
mod sections;

use analyze::Analyzer;
pub use analyze::{STOP_WORDS, fold, shard_key, terms, tokens};
pub use sections::Sections;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use rust_stemmers::{Algorithm, Stemmer};
use serde::Serialize;

use crate::config::Limits;
use crate::error::Diagnostic;
use crate::link::KnowledgeBase;
use crate::parse::Article;
use crate::urls::{LinkStyle, Page, Urls};
use crate::write::OutputFile;

/// Documents per `d/` file.
pub const CHUNK: usize = 16;
/// Postings kept per stem, best first.
pub const MAX_POSTINGS: usize = 300;
/// Characters of section text kept for snippets.
pub const SNIPPET_CHARS: usize = 500;
/// Tokens longer than this (in characters) are skipped.
pub const MAX_TOKEN_CHARS: usize = 40;

/// Field weights of BM25F.
const W_TITLE: f64 = 5.0;
const W_HEADING: f64 = 3.0;
const W_THEMES: f64 = 2.0;
const W_BODY: f64 = 1.0;
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// A searchable section. What the browser shows with a result (the URL,
/// the article's title and themes, the heading) is looked up in the
/// knowledge base when the document files are written, not kept for each
/// of the index's 100,000 sections.
#[derive(Debug, Clone, PartialEq)]
struct Document {
    /// Its article, by index in the knowledge base.
    article: usize,
    /// Its H2/H3 heading, by index in the article's headings; `None` for
    /// the article's introduction.
    heading: Option<usize>,
    mask: u32,
    /// The start of the section's text, for the snippet.
    snippet: String,
}

/// An article's themes, by index in the site's list.
fn themes_of(kb: &KnowledgeBase, article: &Article) -> Vec<usize> {
    article
        .themes
        .iter()
        .filter_map(|t| kb.site.theme_index(t))
        .collect()
}

fn mask_of(themes: &[usize]) -> u32 {
    // Browser bit operations are 32-bit; themes past the 31st cannot be filtered on.
    themes
        .iter()
        .filter(|&&t| t < 31)
        .fold(0, |m, &t| m | (1 << t))
}

/// Appends `s` to `out` with runs of whitespace made one space and no
/// space at either end (what `split_whitespace().join(" ")` gives).
fn collapse_whitespace_into(s: &str, out: &mut String) {
    out.clear();
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
}

fn truncate_bytes(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[derive(Serialize)]
struct Manifest<'a> {
    v: u32,
    docs: usize,
    chunk: usize,
    shards: Vec<&'a str>,
    themes: Vec<(&'a str, &'a str)>,
    stop: &'a [&'a str],
    syn: Vec<Vec<String>>,
}

/// `(document, score, theme mask)`.
type Posting = (u32, u32, u32);

/// What one share of the articles contributes, counted on one thread:
/// documents by number, body lengths, and per term (by its number in
/// `analyzer`) the weighted term frequency in each document.
struct Partial {
    docs: Vec<(usize, Document)>,
    lengths: Vec<(usize, usize)>,
    analyzer: Analyzer,
    frequencies: Vec<Vec<(u32, f32)>>,
    /// Articles whose text was cut to `limits.search_text_bytes`.
    warnings: Vec<Diagnostic>,
    /// Of the article being counted: bytes of text it may still index, and
    /// bytes of text it has.
    budget: usize,
    seen: usize,
}

impl Default for Partial {
    fn default() -> Partial {
        Partial {
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

/// Where one document's text is gathered while its article is walked.
struct Section<'k> {
    number: usize,
    /// Heading text (title for an article's introduction) and its weight.
    label: (&'k str, f64),
    /// Themes indexed for it: the article's for its introduction, the
    /// heading's own tags for a section.
    indexed_themes: Vec<usize>,
    document: Document,
}

impl Partial {
    /// Count the documents of article `a`, numbered from `first`: its
    /// introduction and each H2/H3 section of `sections`.
    fn add(&mut self, kb: &KnowledgeBase, a: usize, mut first: usize, sections: &Sections) {
        let article = &kb.articles[a];
        let article_themes = themes_of(kb, article);
        let base_mask = mask_of(&article_themes);
        // An article contributes at most `search_text_bytes` of text: its
        // first sections whole, then what fits of the next.
        let cap = kb.site.limits.search_text_bytes;
        (self.budget, self.seen) = (cap, 0);
        let section = Section {
            number: first,
            label: (&article.title, W_TITLE),
            indexed_themes: article_themes,
            document: Document {
                article: a,
                heading: None,
                mask: base_mask,
                snippet: String::new(),
            },
        };
        let mut collapsed = String::new();
        let mut parts = sections.parts.iter();
        if let Some((_, text)) = parts.next() {
            self.finish(kb, section, text, &mut collapsed);
        }
        for (heading_no, text) in parts {
            let Some(heading) = heading_no.and_then(|h| article.headings.get(h)) else {
                continue;
            };
            let own: Vec<usize> = heading
                .themes
                .iter()
                .filter_map(|t| kb.site.theme_index(t))
                .collect();
            first += 1;
            let section = Section {
                number: first,
                label: (&heading.text, W_HEADING),
                document: Document {
                    article: a,
                    heading: *heading_no,
                    mask: base_mask | mask_of(&own),
                    snippet: String::new(),
                },
                indexed_themes: own,
            };
            self.finish(kb, section, text, &mut collapsed);
        }
        if self.seen > cap {
            let total = self.seen;
            self.warnings.push(
                Diagnostic::error(format!(
                    "the article has {total} bytes of text, more than the limit of {cap}: search indexes only the first {cap}"
                ))
                .in_file(article.path.clone())
                .warning()
                .with_hint(Limits::hint("search_text_bytes")),
            );
        }
    }

    /// Count a section whose text is complete, and keep its document.
    fn finish(
        &mut self,
        kb: &KnowledgeBase,
        mut section: Section,
        text: &str,
        collapsed: &mut String,
    ) {
        collapse_whitespace_into(text, collapsed);
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
    fn merge(mut self, mut other: Partial) -> Partial {
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

/// Build the index files. `portable` writes `index.html` into document URLs.
pub fn index(kb: &KnowledgeBase, portable: bool) -> Vec<OutputFile> {
    index_with_warnings(kb, portable).0
}

/// [`index`], and a warning for each article cut to `limits.search_text_bytes`.
pub fn index_with_warnings(
    kb: &KnowledgeBase,
    portable: bool,
) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    index_unless_cancelled(kb, portable, &AtomicBool::new(false)).unwrap_or_default()
}

/// [`index_with_warnings`], given up (`None`) soon after `cancel` is set:
/// the preview drops an index that an edit has made out of date.
pub fn index_unless_cancelled(
    kb: &KnowledgeBase,
    portable: bool,
    cancel: &AtomicBool,
) -> Option<(Vec<OutputFile>, Vec<Diagnostic>)> {
    let files = std::sync::Mutex::new(Vec::new());
    let collect = |batch: Vec<OutputFile>| {
        if let Ok(mut files) = files.lock() {
            files.extend(batch);
        }
        Ok(())
    };
    let warnings = match index_until(kb, portable, &collect, cancel) {
        Ok((_, warnings)) => warnings,
        Err(_) => Vec::new(),
    };
    if cancel.load(Ordering::Relaxed) {
        return None;
    }
    let mut files = files.into_inner().unwrap_or_default();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Some((files, warnings))
}

/// Files handed to an index's `emit`, a batch at a time, so that a large
/// index need not sit in memory whole (the build writes each batch at
/// once); the first error it returns stops the index.
pub type Emit<'a> = dyn Fn(Vec<OutputFile>) -> Result<(), Diagnostic> + Sync + 'a;

/// The index files of every article, handed to `emit` in batches; cut short
/// when `cancel` is set (then what was emitted is
/// incomplete: the caller checks `cancel` after).
fn index_until(
    kb: &KnowledgeBase,
    portable: bool,
    emit: &Emit<'_>,
    cancel: &AtomicBool,
) -> Result<(usize, Vec<Diagnostic>), Diagnostic> {
    let cancelled = || cancel.load(Ordering::Relaxed);
    let mut counter = Counter::new(kb);
    counter.count_with(kb, kb.articles.len(), |a| {
        (!cancelled()).then(|| (a, Cow::Owned(Sections::of(kb, a))))
    });
    if cancelled() {
        return Ok((0, Vec::new()));
    }
    emit_files(kb, counter.counted, portable, emit, &cancelled)
}

/// The index being counted, a batch of articles at a time: the build hands
/// it each batch's [`Sections`] as it renders the batch's pages, then
/// [`Counter::emit`] makes the files.
pub struct Counter {
    /// Per article, the number of its first document. Documents are
    /// numbered in article order: the introduction, then each H2/H3.
    firsts: Vec<usize>,
    counted: Partial,
}

impl Counter {
    pub fn new(kb: &KnowledgeBase) -> Counter {
        let mut firsts = Vec::with_capacity(kb.articles.len());
        let mut total = 0;
        for article in &kb.articles {
            firsts.push(total);
            total += 1 + article
                .headings
                .iter()
                .filter(|h| h.level == 2 || h.level == 3)
                .count();
        }
        Counter {
            firsts,
            counted: Partial::default(),
        }
    }

    /// Count the articles of `batch`, `sections[i]` being `batch[i]`'s.
    pub fn count(&mut self, kb: &KnowledgeBase, batch: &[usize], sections: &[Sections]) {
        self.count_with(kb, batch.len().min(sections.len()), |i| {
            Some((batch[i], Cow::Borrowed(&sections[i])))
        });
    }

    /// Count `n` articles: `item(i)` gives the i-th's index and
    /// [`Sections`] (`None`: skip it).
    fn count_with<'s>(
        &mut self,
        kb: &KnowledgeBase,
        n: usize,
        item: impl Fn(usize) -> Option<(usize, Cow<'s, Sections>)> + Sync,
    ) {
        let firsts = &self.firsts;
        let counted = (0..n)
            .into_par_iter()
            .with_min_len(16)
            .fold(Partial::default, |mut partial, i| {
                if let Some((a, sections)) = item(i)
                    && let Some(&first) = firsts.get(a)
                {
                    partial.add(kb, a, first, &sections);
                }
                partial
            })
            .reduce(Partial::default, Partial::merge);
        let previous = std::mem::take(&mut self.counted);
        self.counted = previous.merge(counted);
    }

    /// Make the index files of every article counted, handing them to
    /// `emit` in batches. The number of files, and the warnings; the first
    /// error `emit` returns.
    pub fn emit(
        self,
        kb: &KnowledgeBase,
        portable: bool,
        emit: &Emit<'_>,
    ) -> Result<(usize, Vec<Diagnostic>), Diagnostic> {
        emit_files(kb, self.counted, portable, emit, &|| false)
    }
}

/// The index files of what was counted, handed to `emit` in batches.
fn emit_files(
    kb: &KnowledgeBase,
    counted: Partial,
    portable: bool,
    emit: &Emit<'_>,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Result<(usize, Vec<Diagnostic>), Diagnostic> {
    let Partial {
        docs: mut numbered,
        lengths,
        analyzer,
        frequencies,
        mut warnings,
        ..
    } = counted;
    crate::error::sort(&mut warnings);
    numbered.sort_unstable_by_key(|(n, _)| *n);
    let docs: Vec<Document> = numbered.into_iter().map(|(_, d)| d).collect();
    let mut body_len = vec![0usize; docs.len()];
    for (n, len) in lengths {
        if let Some(slot) = body_len.get_mut(n) {
            *slot = len;
        }
    }

    let n = docs.len().max(1) as f64;
    let avg_len = (body_len.iter().sum::<usize>() as f64 / n).max(1.0);
    let norms: Vec<f64> = body_len
        .iter()
        .map(|&len| K1 * (1.0 - B + B * len as f64 / avg_len))
        .collect();
    let mut lists: Vec<(String, Vec<(u32, f32)>)> = analyzer
        .stems
        .into_iter()
        .zip(
            frequencies
                .into_iter()
                .chain(std::iter::repeat_with(Vec::new)),
        )
        .filter(|(_, list)| !list.is_empty())
        .collect();
    let scored: Vec<(String, Vec<Posting>)> = lists
        .par_drain(..)
        .map(|(stem, list)| {
            let df = list.len() as f64;
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            let mut postings: Vec<Posting> = list
                .into_iter()
                .map(|(d, tf)| {
                    let i = d as usize;
                    let tf = f64::from(tf);
                    let score = idf * tf * (K1 + 1.0) / (tf + norms[i]);
                    let quantized = (score * 100.0).round().max(1.0) as u32;
                    (d, quantized, docs[i].mask)
                })
                .collect();
            // Best first; only the best MAX_POSTINGS are kept, so only
            // they are sorted.
            let order = |a: &Posting, b: &Posting| b.1.cmp(&a.1).then(a.0.cmp(&b.0));
            if postings.len() > MAX_POSTINGS {
                postings.select_nth_unstable_by(MAX_POSTINGS, order);
                postings.truncate(MAX_POSTINGS);
                // A common word's list held every document it is in:
                // give back what the cut freed (tens of MB in all).
                postings.shrink_to_fit();
            }
            postings.sort_unstable_by(order);
            (stem, postings)
        })
        .collect();
    if cancelled() {
        return Ok((0, Vec::new()));
    }
    let mut shards: BTreeMap<String, BTreeMap<&str, &[Posting]>> = BTreeMap::new();
    for (stem, list) in &scored {
        shards
            .entry(shard_key(stem))
            .or_default()
            .insert(stem.as_str(), list.as_slice());
    }

    let stemmer = Stemmer::create(Algorithm::English);
    let manifest = Manifest {
        v: 1,
        docs: docs.len(),
        chunk: CHUNK,
        shards: shards.keys().map(String::as_str).collect(),
        themes: kb
            .site
            .themes
            .iter()
            .map(|t| (t.id.as_str(), t.title.as_str()))
            .collect(),
        stop: STOP_WORDS,
        syn: kb
            .site
            .synonyms
            .iter()
            .map(|group| {
                let mut stems: Vec<String> =
                    group.iter().flat_map(|w| terms(w, &stemmer)).collect();
                stems.dedup();
                stems
            })
            .collect(),
    };
    emit(vec![script("manifest", &manifest)])?;
    let shard_list: Vec<(&String, &BTreeMap<&str, &[Posting]>)> = shards.iter().collect();
    shard_list.par_chunks(EMIT_BATCH).try_for_each(|batch| {
        if cancelled() {
            return Ok(());
        }
        emit(
            batch
                .iter()
                .map(|(key, shard)| script(&format!("t/{key}"), shard))
                .collect(),
        )
    })?;
    // Documents link to their pages from the site root.
    let style = if portable {
        LinkStyle::Portable
    } else {
        LinkStyle::Served
    };
    let from_root = Urls::at(Page::Home, style);
    let chunks: Vec<(usize, &[Document])> = docs.chunks(CHUNK).enumerate().collect();
    chunks.par_chunks(EMIT_BATCH).try_for_each(|batch| {
        emit(
            batch
                .iter()
                .map(|&(i, chunk)| {
                    let rows: Vec<(String, &str, &str, Vec<usize>, &str)> = chunk
                        .iter()
                        .map(|d| {
                            let article = &kb.articles[d.article];
                            let heading = d.heading.and_then(|h| article.headings.get(h));
                            let base = from_root.to(Page::Article(&article.slug));
                            let url = match heading {
                                Some(h) => format!("{base}#{}", h.id),
                                None => base,
                            };
                            (
                                url,
                                article.title.as_str(),
                                heading.map_or("", |h| h.text.as_str()),
                                themes_of(kb, article),
                                d.snippet.as_str(),
                            )
                        })
                        .collect();
                    script(&format!("d/{i}"), &rows)
                })
                .collect(),
        )
    })?;
    Ok((1 + shard_list.len() + chunks.len(), warnings))
}

/// Index files handed to `emit` at once.
const EMIT_BATCH: usize = 256;

/// `search/NAME.js`: `mendSearchLoad("NAME", DATA);` with DATA as JSON that
/// cannot end a script element.
fn script<T: Serialize>(name: &str, data: &T) -> OutputFile {
    let json = serde_json::to_string(data).unwrap_or_else(|_| "null".to_string());
    let mut out = String::with_capacity(json.len() + name.len() + 24);
    out.push_str("mendSearchLoad(\"");
    out.push_str(name);
    out.push_str("\",");
    out.push_str(&script_safe(&json));
    out.push_str(");\n");
    OutputFile {
        path: format!("search/{name}.js"),
        bytes: out.into_bytes(),
    }
}

/// Escape what could end or confuse a script: `<`, `>`, `&`, U+2028, U+2029.
/// Inside JSON these only occur in strings, where `\uXXXX` means the same.
pub fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 16);
    let bytes = json.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        // All five are found by their first byte; U+2028 and U+2029 are
        // E2 80 A8 and E2 80 A9 in UTF-8, and cut at the E2 (a char boundary).
        let (with, len) = match b {
            b'<' => ("\\u003c", 1),
            b'>' => ("\\u003e", 1),
            b'&' => ("\\u0026", 1),
            0xE2 if bytes.get(i + 1) == Some(&0x80) => match bytes.get(i + 2) {
                Some(0xA8) => ("\\u2028", 3),
                Some(0xA9) => ("\\u2029", 3),
                _ => continue,
            },
            _ => continue,
        };
        out.push_str(&json[start..i]);
        out.push_str(with);
        start = i + len;
    }
    out.push_str(&json[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn folds_case_accents_and_apostrophes() {
        assert_eq!(fold("Éclair İstanbul It’s"), "eclair istanbul it's");
        assert_eq!(
            tokens("It's a counsellor's café, 2024! 👩‍💻 中文"),
            ["its", "a", "counsellors", "cafe", "2024", "中文"]
        );
    }

    #[test]
    fn stems_like_snowball_english() {
        let s = Stemmer::create(Algorithm::English);
        assert_eq!(
            terms("Apologizing apologies forgiveness therapists", &s),
            ["apolog", "apolog", "forgiv", "therapist"]
        );
        assert_eq!(terms("the and of", &s), Vec::<String>::new());
    }

    #[test]
    fn shard_keys_are_file_name_safe() {
        assert_eq!(shard_key("forgiv"), "fo");
        assert_eq!(shard_key("a"), "a");
        assert_eq!(shard_key("中文"), "_4e2d_6587");
        assert_eq!(shard_key("é"), "_e9");
    }

    #[test]
    fn script_data_cannot_close_a_script_element() {
        let f = script("x", &vec!["</script><script>alert(1)</script>\u{2028}&"]);
        let text = String::from_utf8(f.bytes).unwrap();
        assert_eq!(
            text,
            "mendSearchLoad(\"x\",[\"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\\u2028\\u0026\"]);\n"
        );
    }

    #[test]
    fn script_safe_leaves_other_three_byte_characters_alone() {
        assert_eq!(
            script_safe("a\u{2029}—…\u{2028}>"),
            "a\\u2029—…\\u2028\\u003e"
        );
        assert_eq!(script_safe("é"), "é");
    }

    /// The browser's stemmer is tested against the same file (tests/js), so
    /// both sides map a typed word to exactly the index's terms.
    #[test]
    fn rust_and_browser_stemmers_agree_on_tricky_words() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/js/stems.json");
        let expected: BTreeMap<String, String> =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert!(expected.len() >= 150);
        let s = Stemmer::create(Algorithm::English);
        for (word, stem) in &expected {
            assert_eq!(&s.stem(word), stem, "{word}");
        }
    }

    #[test]
    fn the_cached_analyzer_gives_the_same_terms() {
        let s = Stemmer::create(Algorithm::English);
        let mut a = Analyzer::new();
        for text in [
            "It's the counsellors' café — apologizing, 90's İstanbul",
            "the and of",
            "",
            "x'",
        ] {
            let mut numbers = Vec::new();
            let n = a.each_term(text, |t| numbers.push(t));
            let seen: Vec<String> = numbers
                .iter()
                .map(|&t| a.stems[t as usize].clone())
                .collect();
            assert_eq!(seen, terms(text, &s), "{text}");
            assert_eq!(n, seen.len());
        }
    }

    #[test]
    fn skips_overlong_tokens() {
        let long = "a".repeat(MAX_TOKEN_CHARS + 1);
        assert_eq!(tokens(&format!("{long} ok")), ["ok"]);
    }
}
