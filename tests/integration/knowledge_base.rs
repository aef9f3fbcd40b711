use std::fs;
use std::path::{Path, PathBuf};

use crate::harness::{hrefs, hrefs_between, run};

fn project() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The real knowledge base, built into a temp dir (never touching the project's site/).
fn built() -> (tempfile::TempDir, String) {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("site");
    let r = run(&project(), &["build", "-o", dir.to_str().unwrap()], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    (out, r.stderr)
}

/// The articles that are ours rather than restatements of a source guide.
const OURS: [&str; 2] = ["start-here", "is-rebuilding-right-for-us"];

/// Every article's slug, sorted.
fn articles() -> Vec<String> {
    let mut slugs: Vec<String> = fs::read_dir(project().join("articles"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| {
            e.file_name()
                .to_string_lossy()
                .trim_end_matches(".md")
                .to_string()
        })
        .collect();
    slugs.sort();
    slugs
}

/// The articles that restate a source guide.
fn guides() -> Vec<String> {
    articles()
        .into_iter()
        .filter(|s| !OURS.contains(&s.as_str()))
        .collect()
}

fn read(dir: &Path, page: &str) -> String {
    fs::read_to_string(dir.join("site").join(page)).unwrap()
}

#[test]
fn builds_without_errors_or_warnings() {
    let (_dir, stderr) = built();
    assert!(
        stderr.starts_with("built 7 articles, 12 themes, "),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "warnings: {stderr}");
    assert_eq!(guides().len(), 5);
}

#[test]
fn core_themes_list_sections_from_at_least_two_guides() {
    let (dir, _) = built();
    for theme in ["apology", "transparency", "forgiveness", "therapy"] {
        let page = read(dir.path(), &format!("themes/{theme}/index.html"));
        let links = hrefs_between(&page, "<h1>", "</main>");
        let guides_with_sections: std::collections::BTreeSet<_> = links
            .iter()
            .filter(|h| h.contains('#') && !OURS.iter().any(|o| h.contains(o)))
            .map(|h| h.split('#').next().unwrap().to_string())
            .collect();
        assert!(
            guides_with_sections.len() >= 2,
            "{theme}: {guides_with_sections:?}"
        );
    }
}

#[test]
fn every_theme_is_used_by_at_least_two_articles() {
    let (dir, _) = built();
    let page = read(dir.path(), "themes/index.html");
    let themes: Vec<String> = hrefs_between(&page, "<main", "</main>")
        .into_iter()
        .filter(|h| h.ends_with('/') && h != "../")
        .collect();
    assert_eq!(themes.len(), 12, "{themes:?}");
    for t in themes {
        let theme_page = read(dir.path(), &format!("themes/{t}index.html"));
        // The article headings of the section groups, and articles tagged in front matter only.
        let articles: std::collections::BTreeSet<String> =
            hrefs_between(&theme_page, "<h1>", "</main>")
                .into_iter()
                .filter(|h| !h.contains('#'))
                .collect();
        assert!(articles.len() >= 2, "{t}: {articles:?}");
    }
}

#[test]
fn start_here_links_to_every_guide_down_to_sections() {
    let (dir, _) = built();
    let page = read(dir.path(), "articles/start-here/index.html");
    let links = hrefs(&page);
    for slug in guides() {
        assert!(
            links.iter().any(|h| h == &format!("../{slug}/")),
            "start-here does not link {slug}"
        );
        assert!(
            links.iter().any(|h| h.starts_with(&format!("../{slug}/#"))),
            "start-here has no section link into {slug}"
        );
    }
    assert!(page.contains("<table>"), "the comparison table is missing");
}

#[test]
fn each_guide_has_three_tagged_sections_and_an_attribution() {
    for slug in guides() {
        let text =
            fs::read_to_string(project().join("articles").join(format!("{slug}.md"))).unwrap();
        let tagged = text
            .lines()
            .filter(|l| l.starts_with("##") && l.trim_end().ends_with('}') && l.contains("{."))
            .count();
        assert!(tagged >= 3, "{slug}: {tagged} tagged sections");
        assert!(
            text.contains("source:")
                || text.contains("publisher is not named")
                || text.contains("publisher not named"),
            "{slug}: no attribution"
        );
    }
}

#[test]
fn every_article_points_to_help_before_its_first_section() {
    let (dir, _) = built();
    for slug in articles() {
        let page = read(dir.path(), &format!("articles/{slug}/index.html"));
        let body = &page[page.find("<div class=\"body\">").expect("article body")..];
        let opening = &body[..body.find("<h2").unwrap_or(body.len())];
        assert!(
            hrefs(opening)
                .iter()
                .any(|h| h.ends_with("#where-to-get-help")),
            "{slug}: no link to where to get help before its first section"
        );
    }
}

#[test]
fn the_help_section_gives_helplines_as_phone_links() {
    let (dir, _) = built();
    let page = read(dir.path(), "articles/is-rebuilding-right-for-us/index.html");
    let section = &page[page.find("id=\"where-to-get-help\"").expect("help section")..];
    let section = &section[..section[1..].find("<h2").map_or(section.len(), |i| i + 1)];
    let links = hrefs(section);
    for tel in [
        "tel:988",
        "tel:1-800-799-7233",
        "tel:116123",
        "tel:08082000247",
    ] {
        assert!(links.iter().any(|h| h == tel), "missing {tel}: {links:?}");
    }
    assert!(
        links
            .iter()
            .any(|h| h.starts_with("https://findahelpline.com")),
        "{links:?}"
    );
    assert!(
        section.contains("can change"),
        "no note that numbers can change"
    );
}
