use super::*;
use crate::load::SourceFile;
use crate::{config, link, parse};
use std::path::Path;

const CONFIG: &str =
    "title: T\nthemes:\n  apology: {title: A}\n  therapy: {title: T}\n  patience: {title: P}\n";

fn source(slug: &str, front: &str, body: &str) -> ArticleSource {
    ArticleSource {
        slug: slug.into(),
        file: SourceFile {
            path: format!("articles/{slug}.md").into(),
            text: format!("---\ntitle: {slug}\n{front}---\n{body}").into(),
        },
    }
}

fn lint_of(sources: &[ArticleSource]) -> Vec<String> {
    let site = config::parse(Path::new("mend.yaml"), CONFIG, None).unwrap();
    let parsed = parse::articles(sources, &site);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let kb = link::knowledge_base(site, parsed.articles, false, &Default::default()).unwrap();
    lint(&kb, sources)
        .iter()
        .map(|d| {
            assert_eq!(d.severity, Severity::Warning);
            d.to_string()
        })
        .collect()
}

/// Two articles linking each other, each theme used by both, sections tagged.
fn clean_pair() -> Vec<ArticleSource> {
    vec![
        source(
            "a",
            "summary: S\nthemes: [apology]\n",
            "## One {.apology}\n[[b]]\n",
        ),
        source(
            "b",
            "summary: S\nthemes: [apology]\n",
            "## Two {.apology}\n[[a]]\n",
        ),
    ]
}

#[test]
fn a_connected_corpus_has_no_warnings() {
    assert_eq!(lint_of(&clean_pair()), Vec::<String>::new());
}

#[test]
fn warns_about_orphans_but_not_start_here() {
    let mut sources = clean_pair();
    sources.push(source(
        "c",
        "summary: S\nthemes: [apology]\n",
        "## X {.apology}\n[[a]]\n",
    ));
    sources.push(source(
        START_HERE,
        "summary: S\nthemes: [apology]\n",
        "## X {.apology}\n",
    ));
    assert_eq!(
        lint_of(&sources),
        [
            "articles/c.md: warning: no other article links to this one\n  = help: link to it from a related article with `[[c]]`"
        ]
    );
}

#[test]
fn a_self_link_does_not_stop_an_article_being_an_orphan() {
    let mut sources = clean_pair();
    sources.push(source(
        "c",
        "summary: S\nthemes: [apology]\n",
        "## X {.apology}\n[[c]]\n",
    ));
    assert_eq!(lint_of(&sources).len(), 1);
}

#[test]
fn warns_about_articles_without_a_tagged_section() {
    let mut sources = clean_pair();
    sources[1] = source("b", "summary: S\nthemes: [apology]\n", "## Two\n[[a]]\n");
    assert_eq!(
        lint_of(&sources),
        [
            "articles/b.md: warning: no section is tagged with a theme\n  = help: tag each `##` section with the themes it treats, e.g. `## A heading {.apology}`"
        ]
    );
}

#[test]
fn warns_about_a_front_matter_theme_only_one_article_uses_at_the_theme() {
    let mut sources = clean_pair();
    sources[0] = source(
        "a",
        "summary: S\nthemes: [apology, therapy]\n",
        "## One {.apology}\n[[b]]\n",
    );
    assert_eq!(
        lint_of(&sources),
        [
            "articles/a.md:4:19: warning: theme `therapy` is used by this article only\n  |\n4 | themes: [apology, therapy]\n  |                   ^^^^^^^\n  = help: tag related sections of other articles with `{.therapy}` too, or fold it into a broader theme"
        ]
    );
}

#[test]
fn warns_about_a_section_theme_only_one_article_uses_at_the_tag() {
    let mut sources = clean_pair();
    sources[1] = source(
        "b",
        "summary: S\nthemes: [apology]\n",
        "[[a]]\n\n## Two {.apology .patience}\n",
    );
    assert_eq!(
        lint_of(&sources)[0].lines().take(4).collect::<Vec<_>>(),
        [
            "articles/b.md:8:19: warning: theme `patience` is used by this article only",
            "  |",
            "8 | ## Two {.apology .patience}",
            "  |                   ^^^^^^^^",
        ]
    );
}

#[test]
fn warns_about_long_summaries_at_the_summary_line() {
    let mut sources = clean_pair();
    let long = "word ".repeat(61);
    sources[0] = source(
        "a",
        &format!("summary: {}\nthemes: [apology]\n", long.trim()),
        "## One {.apology}\n[[b]]\n",
    );
    let warnings = lint_of(&sources);
    assert_eq!(
        warnings[0].lines().next(),
        Some("articles/a.md:3:1: warning: summary is 304 characters long, more than 300")
    );
    assert!(
        warnings[0].contains("\n  | ^^^^^^^\n  = help: lists and search results show the summary whole: one or two sentences read best"),
        "{}",
        warnings[0]
    );
}

#[test]
fn a_summary_of_exactly_the_limit_is_fine() {
    let mut sources = clean_pair();
    let summary = "x".repeat(MAX_SUMMARY_CHARS);
    sources[0] = source(
        "a",
        &format!("summary: {summary}\nthemes: [apology]\n"),
        "## One {.apology}\n[[b]]\n",
    );
    assert!(lint_of(&sources).is_empty());
}

#[test]
fn json_has_every_field_with_null_for_unknown_locations() {
    let diagnostics = [
        Diagnostic::warning("w").in_file("articles/a.md"),
        Diagnostic::error("e")
            .in_file("articles/b.md")
            .at(3, 5, "line", 1)
            .with_hint("h"),
    ];
    let json: serde_json::Value = serde_json::from_str(&to_json(&diagnostics).unwrap()).unwrap();
    assert_eq!(
        json,
        serde_json::json!([
            {"severity": "warning", "path": "articles/a.md", "line": null, "column": null, "message": "w", "hint": null},
            {"severity": "error", "path": "articles/b.md", "line": 3, "column": 5, "message": "e", "hint": "h"},
        ])
    );
}

#[test]
fn strict_turns_warnings_into_errors_and_sets_the_exit_code() {
    let report = CheckReport {
        articles: 2,
        diagnostics: vec![Diagnostic::warning("w")],
    };
    assert_eq!(report.exit_code(), 0);
    assert_eq!(report.summary(), "checked 2 articles: 0 errors, 1 warning");
    let strict = report.strict();
    assert_eq!(strict.exit_code(), 1);
    assert_eq!(strict.summary(), "checked 2 articles: 1 error, 0 warnings");
}
