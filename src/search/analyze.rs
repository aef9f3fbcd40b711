//! Text analysis, mirrored exactly by `themes/default/static/search.js`:
//! folding (case, accents, compatibility forms), tokenizing, stop words,
//! Snowball stemming, and the shard a stem's postings go to.

use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::FxHashMap;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::MAX_TOKEN_CHARS;

/// Words too common to search for. The browser gets this list in the manifest.
pub const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "because", "been", "before", "being", "both", "but", "by", "can", "could", "did", "do",
    "does", "doing", "down", "each", "even", "few", "for", "from", "further", "had", "has", "have",
    "having", "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is",
    "it", "its", "itself", "just", "me", "more", "most", "my", "no", "nor", "not", "of", "off",
    "on", "once", "only", "or", "other", "our", "ours", "out", "over", "own", "same", "she",
    "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "then",
    "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up",
    "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why",
    "will", "with", "would", "you", "your", "yours",
];

/// Case, accent and apostrophe folding: NFD, combining marks dropped,
/// typographic apostrophes made plain, lowercase.
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        // Nothing to decompose and no typographic apostrophes: the common case.
        return text.to_ascii_lowercase();
    }
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| {
            if c == '\u{2019}' || c == '\u{2018}' {
                '\''
            } else {
                c
            }
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Folded tokens of `text`, stop words included (callers filter).
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    split_words(&fold(text), &mut current, |word| push_token(&mut out, word));
    out
}

/// Walk folded text word by word, handing `each` every word as it ends
/// (possibly empty: between two separators) in `word`, which `each` takes
/// or clears. Letters and digits make words; an apostrophe between letters
/// is deleted ("it's" -> "its"); anything else ends a word. The one
/// tokenizer loop: [`tokens`] and [`Analyzer::each_term`] both use it.
fn split_words(folded: &str, word: &mut String, mut each: impl FnMut(&mut String)) {
    let mut chars = folded.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphabetic() || c.is_numeric() {
            word.push(c);
        } else if c == '\'' && !word.is_empty() && chars.peek().is_some_and(|n| n.is_alphabetic()) {
            // Deleted: the word goes on.
        } else {
            each(word);
        }
    }
    each(word);
}

fn push_token(out: &mut Vec<String>, current: &mut String) {
    if !current.is_empty() {
        if current.chars().count() <= MAX_TOKEN_CHARS {
            out.push(std::mem::take(current));
        } else {
            current.clear();
        }
    }
}

/// The index terms of `text`: folded, tokenized, stop words dropped, stemmed.
pub fn terms(text: &str, stemmer: &Stemmer) -> Vec<String> {
    tokens(text)
        .into_iter()
        .filter(|t| STOP_WORDS.binary_search(&t.as_str()).is_err())
        .map(|t| stemmer.stem(&t).into_owned())
        .collect()
}

/// [`terms`] with a memory: a corpus has far fewer distinct words than
/// words, and stemming is the costly step. One per thread.
pub(super) struct Analyzer {
    stemmer: Stemmer,
    /// Folded token -> the number of its stem, or [`STOP`] for a stop word.
    numbers: FxHashMap<String, u32>,
    /// Stem -> its number, and number -> stem: the terms met so far.
    by_stem: FxHashMap<String, u32>,
    pub(super) stems: Vec<String>,
    token: String,
}

/// The number [`Analyzer`] gives a stop word.
const STOP: u32 = u32::MAX;

impl Analyzer {
    pub(super) fn new() -> Analyzer {
        Analyzer {
            stemmer: Stemmer::create(Algorithm::English),
            numbers: FxHashMap::default(),
            by_stem: FxHashMap::default(),
            stems: Vec::new(),
            token: String::new(),
        }
    }

    /// The number of `stem`, given one if it is new.
    pub(super) fn number(&mut self, stem: &str) -> u32 {
        if let Some(&n) = self.by_stem.get(stem) {
            return n;
        }
        let n = self.stems.len() as u32;
        self.stems.push(stem.to_string());
        self.by_stem.insert(stem.to_string(), n);
        n
    }

    /// Call `f` with the number of each term of `text` (see
    /// [`Analyzer::stems`]), exactly as [`terms`] would list them; the
    /// number of terms.
    pub(super) fn each_term(&mut self, text: &str, mut f: impl FnMut(u32)) -> usize {
        let folded = fold(text);
        let mut n = 0;
        let mut emit = |analyzer: &mut Analyzer, token: &mut String, n: &mut usize| {
            if token.is_empty() {
                return;
            }
            // At most 4 bytes a char: only a long token needs counting.
            if token.len() <= MAX_TOKEN_CHARS || token.chars().count() <= MAX_TOKEN_CHARS {
                let number = match analyzer.numbers.get(token.as_str()) {
                    Some(&number) => number,
                    None => {
                        let number = if STOP_WORDS.binary_search(&token.as_str()).is_ok() {
                            STOP
                        } else {
                            let stem = analyzer.stemmer.stem(token).into_owned();
                            analyzer.number(&stem)
                        };
                        analyzer.numbers.insert(token.clone(), number);
                        number
                    }
                };
                if number != STOP {
                    *n += 1;
                    f(number);
                }
            }
            token.clear();
        };
        let mut token = std::mem::take(&mut self.token);
        split_words(&folded, &mut token, |word| emit(self, word, &mut n));
        self.token = token;
        n
    }
}

/// The shard a stem's postings live in.
pub fn shard_key(stem: &str) -> String {
    let mut key = String::new();
    for c in stem.chars().take(2) {
        if c.is_ascii_alphanumeric() {
            key.push(c);
        } else {
            key.push_str(&format!("_{:x}", c as u32));
        }
    }
    key
}
