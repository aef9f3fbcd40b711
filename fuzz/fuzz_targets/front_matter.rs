//! Arbitrary bytes as a whole article file (front matter or not): parsing
//! never panics and every diagnostic is located inside the file.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let site = common::site();
    let source = common::source("a", text);
    match mend::parse::article(&source, &site) {
        Ok(article) => {
            assert_eq!(article.slug, "a");
            assert!(!article.title.trim().is_empty());
            assert!(!article.themes.is_empty());
            let lines = text.matches('\n').count() + 1;
            for h in &article.headings {
                assert!((1..=6).contains(&h.level));
                assert!(h.line >= 1 && h.line <= lines, "heading line {}", h.line);
                assert!(!h.id.is_empty());
            }
            for l in &article.links {
                assert!(
                    l.at.line >= 1 && l.at.line <= lines,
                    "link line {}",
                    l.at.line
                );
                assert!(l.at.col >= 1);
            }
        }
        Err(diagnostics) => {
            assert!(!diagnostics.is_empty(), "an error without diagnostics");
            common::check_diagnostics(&diagnostics, text);
        }
    }
});
