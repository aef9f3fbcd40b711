//! Arbitrary text through the search analyzer: tokens are non-empty, short
//! and alphanumeric; folding is idempotent; stemming never panics.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mend::search::{MAX_TOKEN_CHARS, fold, terms, tokens};
use rust_stemmers::{Algorithm, Stemmer};

fn stemmer() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::English))
}

fuzz_target!(|text: &str| {
    let folded = fold(text);
    assert_eq!(fold(&folded), folded, "fold is not idempotent on {text:?}");
    let toks = tokens(text);
    assert_eq!(
        tokens(&folded),
        toks,
        "tokens change after folding {text:?}"
    );
    for token in toks {
        assert!(!token.is_empty(), "empty token from {text:?}");
        assert!(
            token.chars().count() <= MAX_TOKEN_CHARS,
            "token {token:?} longer than {MAX_TOKEN_CHARS} chars"
        );
        assert!(
            token.chars().all(|c| c.is_alphabetic() || c.is_numeric()),
            "token {token:?} holds a non-alphanumeric char"
        );
    }
    for term in terms(text, stemmer()) {
        assert!(!term.is_empty(), "empty term from {text:?}");
    }
});
