//! Search: the full-text index, built at build time for the browser.
//!
//! Takes the [`KnowledgeBase`]; gives the index as output files under
//! `search/` in the format described in `docs/search-index.md`: a small
//! manifest, term shards keyed by the first two characters of a stem, and
//! document chunks holding snippet text. Every H2/H3 section is a document.
//! Folding, tokenizing and stemming here are mirrored exactly by
//! `themes/default/static/search.js`. Pure: never touches the disk.

mod analyze;
mod count;
mod emit;
mod sections;

use count::{Document, Posting, Share};
use emit::emit_files;

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
use crate::parse::{Article, Heading};
use crate::urls::{LinkStyle, Page, Urls};
use crate::write::OutputFile;

/// Documents per `d/` file. A query shows ten results from ten files at
/// most; with whole sections stored, four a file keeps what a one-word
/// query downloads below what sixteen 500-character snippets a file cost.
pub(crate) const CHUNK: usize = 4;
/// Postings kept per stem, best first.
pub(crate) const MAX_POSTINGS: usize = 300;
/// Characters of section text kept for snippets, which are taken from the
/// passage best matching the query. Generous: nineteen in twenty sections
/// of the knowledge base are shorter than 1,500 characters; the cap bounds
/// what one document can add to a query's download (a chunk of four at most
/// 12,000 characters, about 5 KB gzipped).
pub(crate) const SNIPPET_CHARS: usize = 3000;
/// Tokens longer than this (in characters) are skipped.
pub const MAX_TOKEN_CHARS: usize = 40;

/// Field weights of BM25F.
const W_TITLE: f64 = 5.0;
const W_HEADING: f64 = 3.0;
const W_THEMES: f64 = 2.0;
const W_BODY: f64 = 1.0;
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// The index files, sorted by path. `portable` writes `index.html` into
/// document URLs. (For tests and fuzzing; the crate uses [`make`].)
pub fn index(kb: &KnowledgeBase, portable: bool) -> Vec<OutputFile> {
    make(kb, portable, &AtomicBool::new(false)).map_or_else(Vec::new, |made| made.files)
}

/// A search index made whole (the build makes one a batch at a time, with
/// an [`Indexer`]).
#[derive(Debug, Default)]
pub(crate) struct Made {
    /// Sorted by path.
    pub(crate) files: Vec<OutputFile>,
    /// One for each article cut to `limits.search_text_bytes`.
    pub(crate) warnings: Vec<Diagnostic>,
}

/// Make the index of every article; given up (`None`) soon after `cancel`
/// is set: the preview drops an index that an edit has made out of date.
pub(crate) fn make(kb: &KnowledgeBase, portable: bool, cancel: &AtomicBool) -> Option<Made> {
    let cancelled = || cancel.load(Ordering::Relaxed);
    let mut indexer = Indexer::new(kb);
    indexer.count_with(kb, kb.articles.len(), |a| {
        (!cancelled()).then(|| (a, Cow::Owned(Sections::of(kb, a))))
    });
    if cancelled() {
        return None;
    }
    let files = std::sync::Mutex::new(Vec::new());
    let collect = |batch: Vec<OutputFile>| {
        if let Ok(mut files) = files.lock() {
            files.extend(batch);
        }
        Ok(())
    };
    let warnings = match emit_files(kb, indexer.counted, portable, &collect, &cancelled) {
        Ok((_, warnings)) => warnings,
        Err(_) => Vec::new(),
    };
    if cancelled() {
        return None;
    }
    let mut files = files.into_inner().unwrap_or_default();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Some(Made { files, warnings })
}

/// Files handed to an index's `emit`, a batch at a time, so that a large
/// index need not sit in memory whole (the build writes each batch at
/// once); the first error it returns stops the index.
pub(crate) type Emit<'a> = dyn Fn(Vec<OutputFile>) -> Result<(), Diagnostic> + Sync + 'a;

/// The index being counted, a batch of articles at a time: the build hands
/// it each batch's [`Sections`] as it renders the batch's pages, then
/// [`Indexer::emit`] makes the files.
pub(crate) struct Indexer {
    /// Per article, the number of its first document. Documents are
    /// numbered in article order: the introduction, then each H2/H3.
    firsts: Vec<usize>,
    counted: Share,
}

impl Indexer {
    pub fn new(kb: &KnowledgeBase) -> Indexer {
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
        Indexer {
            firsts,
            counted: Share::default(),
        }
    }

    /// Count the articles of `batch`, `sections[i]` being `batch[i]`'s.
    pub(crate) fn count(&mut self, kb: &KnowledgeBase, batch: &[usize], sections: &[Sections]) {
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
            .fold(Share::default, |mut share, i| {
                if let Some((a, sections)) = item(i)
                    && let Some(&first) = firsts.get(a)
                {
                    share.add(kb, a, first, &sections);
                }
                share
            })
            .reduce(Share::default, Share::merge);
        let previous = std::mem::take(&mut self.counted);
        self.counted = previous.merge(counted);
    }

    /// Make the index files of every article counted, handing them to
    /// `emit` in batches. The number of files, and the warnings; the first
    /// error `emit` returns.
    pub(crate) fn emit(
        self,
        kb: &KnowledgeBase,
        portable: bool,
        emit: &Emit<'_>,
    ) -> Result<(usize, Vec<Diagnostic>), Diagnostic> {
        emit_files(kb, self.counted, portable, emit, &|| false)
    }
}

#[cfg(test)]
mod tests {
    use super::emit::{script, script_safe};
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
