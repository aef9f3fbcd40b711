//! The link and heading paths of `parse`, where issue 18 found its costs
//! (F1: many links on one long line; F6: many identical headings): arbitrary
//! text, repeated on one line or line by line, as an article body. Parsing
//! never panics; heading ids are distinct and never the theme's; every link
//! and diagnostic is located inside the file and quotes a bounded excerpt;
//! and the run stays within libFuzzer's time and memory limits even when
//! the repetition makes the input thousands of times longer.

#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

const HEAD: &str = "---\ntitle: T\nsummary: S\nthemes: [apology]\n---\n";

fuzz_target!(|data: &[u8]| {
    let Some((&shape, rest)) = data.split_first() else {
        return;
    };
    let Ok(piece) = std::str::from_utf8(rest) else {
        return;
    };
    // The low bits repeat the piece up to 16,130 times (the square, so a
    // short input can reach the sizes where quadratic work shows), the body
    // capped at 512 KB; the top bit puts each repetition on a line of its
    // own instead of all on one line.
    let times = (usize::from(shape & 0x7f).pow(2) + 1).min(512 * 1024 / (piece.len() + 2));
    let separator = if shape & 0x80 == 0 { " " } else { "\n\n" };
    let body = vec![piece; times].join(separator);
    let text = format!("{HEAD}{body}\n");
    let lines = text.matches('\n').count() + 1;
    let site = common::site();
    let source = common::source("a", &text);
    match mend::parse::article(&source, &site) {
        Ok(article) => {
            let mut ids = HashSet::new();
            for h in &article.headings {
                assert!(ids.insert(h.id.as_str()), "heading id {} twice", h.id);
                assert!(
                    !mend::parse::THEME_IDS.contains(&h.id.as_str()),
                    "theme id {}",
                    h.id
                );
                assert!(h.line >= 1 && h.line <= lines);
            }
            for l in &article.links {
                assert!(
                    l.at.line >= 1 && l.at.line <= lines,
                    "link line {}",
                    l.at.line
                );
                assert!(l.at.col >= 1);
                assert!(l.at.offset <= article.markdown.len());
                let excerpt = l.at.excerpt(&article.markdown);
                assert!(excerpt.text.chars().count() <= 130, "{excerpt:?}");
            }
        }
        Err(diagnostics) => {
            assert!(!diagnostics.is_empty(), "an error without diagnostics");
            common::check_diagnostics(&diagnostics, &text);
            for d in &diagnostics {
                if let Some(source) = &d.source {
                    assert!(source.text.chars().count() <= 130, "{source:?}");
                }
            }
            let shown = mend::error::shown(&diagnostics).concat();
            // At most ten diagnostics a file in full: each quotes at most a
            // window of its line, and a message quotes at most a link's target,
            // which reaches at most into the next repetition.
            let bound = 10 * (4 * data.len() + 2048) + 4096;
            assert!(shown.len() <= bound, "{} bytes of diagnostics", shown.len());
        }
    }
});
