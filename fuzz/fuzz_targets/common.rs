//! Shared by the fuzz targets: a small fixed site and the invariants every
//! diagnostic must keep.

#![allow(dead_code)]

use mend::Diagnostic;
use mend::config::SiteConfig;
use mend::load::{ArticleSource, SourceFile};

/// The site every target parses against: two topic themes, raw HTML off.
pub fn site() -> SiteConfig {
    SiteConfig::with_themes("Fuzz KB", &["apology", "forgiveness"])
}

/// `articles/<slug>.md` holding `text`.
pub fn source(slug: &str, text: &str) -> ArticleSource {
    ArticleSource {
        slug: slug.into(),
        file: SourceFile {
            path: format!("articles/{slug}.md").into(),
            text: text.into(),
        },
    }
}

/// The other files in `articles/` the site has, for links and images to
/// reach (their bytes are never read in memory-only runs).
pub fn files() -> mend::load::Files {
    [
        "articles/pic.png",
        "articles/img/a.png",
        "articles/sheet.pdf",
    ]
    .into_iter()
    .map(|p| (p.to_string(), 3))
    .collect()
}

/// Every diagnostic names a file, and a located one points inside `text`
/// (at most one column past the end of its line).
pub fn check_diagnostics(diagnostics: &[Diagnostic], text: &str) {
    // Where each line starts, found once: looking each diagnostic's line up
    // from the start of the text made this check quadratic (10,699 errors in
    // a 513 KB article read 2.7 GB; the target timed out on it).
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let lines = starts.len();
    // Each line's length in characters, counted once however many
    // diagnostics it holds (20,000 links on one line).
    let mut chars_of: std::collections::HashMap<usize, usize> = Default::default();
    // serde_yaml also breaks lines at a lone CR, NEL, LS and PS; mend maps its
    // positions back to the file's LF lines (the bug this target found,
    // tests/fixtures/fuzz/front_matter-lone-cr-in-yaml, is fixed), so the
    // column check holds for every file.
    for d in diagnostics {
        assert!(d.path.is_some(), "diagnostic without a path: {d:?}");
        assert!(d.width >= 1, "zero-width caret: {d:?}");
        if d.col >= 1 {
            assert!(d.line >= 1, "column without a line: {d:?}");
        }
        assert!(
            d.line <= lines,
            "line {} past the end of a {lines}-line file: {d:?}",
            d.line
        );
        if d.line >= 1 {
            let chars = *chars_of.entry(d.line).or_insert_with(|| {
                let start = starts[d.line - 1];
                let end = starts.get(d.line).map_or(text.len(), |next| next - 1);
                text[start..end].trim_end_matches('\r').chars().count()
            });
            assert!(
                d.col <= chars + 1,
                "column {} past the end of line {} ({chars} chars): {d:?}",
                d.col,
                d.line
            );
        }
        // Rendering the report must not panic either.
        let _ = d.to_string();
    }
}
