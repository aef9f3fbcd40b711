//! Correctness at scale: the benchmark's 2,000-article generated corpus
//! builds, and its theme pages, related lists and search index are
//! spot-checked against the sources. Speed is measured by
//! `benches/build`, never here.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use crate::harness::{Site, run};

const ARTICLES: usize = 2000;

/// The generated project in a temp dir, built once into `site/`.
struct Built {
    dir: tempfile::TempDir,
    stderr: String,
    /// Every article's slug, sorted.
    slugs: Vec<String>,
}

fn build_corpus() -> Built {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("kb");
    let slugs = crate::harness::generated_corpus(&out, ARTICLES, 7);
    let built = run(&out, &["build"], &[]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    Built {
        dir,
        stderr: built.stderr,
        slugs,
    }
}

impl Built {
    fn root(&self) -> std::path::PathBuf {
        self.dir.path().join("kb")
    }

    fn source(&self, slug: &str) -> String {
        fs::read_to_string(self.root().join("articles").join(format!("{slug}.md")))
            .expect("article source")
    }

    fn page(&self, path: &str) -> String {
        fs::read_to_string(self.root().join("site").join(path))
            .unwrap_or_else(|e| panic!("site/{path}: {e}"))
    }

    /// `search/NAME.js` as JSON (the file is `mendSearchLoad("NAME",JSON);`).
    fn search_file(&self, name: &str) -> serde_json::Value {
        let text = self.page(&format!("search/{name}.js"));
        let json = text
            .strip_prefix(&format!("mendSearchLoad(\"{name}\","))
            .and_then(|t| t.strip_suffix(");\n"))
            .unwrap_or_else(|| panic!("search/{name}.js is not a search script"));
        serde_json::from_str(json).unwrap_or_else(|e| panic!("search/{name}.js: {e}"))
    }
}

/// Front-matter themes, and per `##`/`###` heading its text and tags.
fn outline(source: &str) -> (Vec<String>, Vec<(String, Vec<String>)>) {
    let themes = source
        .lines()
        .find_map(|l| l.strip_prefix("themes: ["))
        .and_then(|l| l.strip_suffix(']'))
        .expect("themes line")
        .split(", ")
        .map(str::to_string)
        .collect();
    let headings = source
        .lines()
        .filter_map(|l| l.strip_prefix("## ").or_else(|| l.strip_prefix("### ")))
        .map(|h| match h.split_once(" {") {
            Some((text, attrs)) => (
                text.to_string(),
                attrs
                    .trim_end_matches('}')
                    .split_whitespace()
                    .filter_map(|c| c.strip_prefix('.'))
                    .map(str::to_string)
                    .collect(),
            ),
            None => (h.to_string(), Vec::new()),
        })
        .collect();
    (themes, headings)
}

/// `(id, title)` of each theme in the generated `mend.yaml`, whose themes
/// are one flow mapping a line: `  id: { title: "Title", description: "..." }`.
fn theme_titles(root: &Path) -> Vec<(String, String)> {
    let config = fs::read_to_string(root.join("mend.yaml")).expect("mend.yaml");
    config
        .lines()
        .filter_map(|line| {
            let (id, rest) = line.strip_prefix("  ")?.split_once(": { title: \"")?;
            let title = rest.split('"').next()?;
            Some((id.to_string(), title.to_string()))
        })
        .collect()
}

#[test]
fn a_generated_corpus_of_2000_articles_builds_with_correct_theme_pages_related_lists_and_search() {
    let built = build_corpus();
    let slugs = built.slugs.clone();
    assert_eq!(slugs.len(), ARTICLES);
    // This build takes over a second, so a progress bar would be drawn by
    // now if mend drew one when stderr is not a terminal (here a pipe).
    assert!(
        !built.stderr.contains('\r') && !built.stderr.contains('\u{1b}'),
        "progress output on a pipe: {:?}",
        built.stderr
    );
    assert_eq!(built.stderr.lines().count(), 1, "{}", built.stderr);
    let themes = theme_titles(&built.root());
    assert!((8..=12).contains(&themes.len()), "{themes:?}");
    assert!(
        built.stderr.starts_with(&format!(
            "built {ARTICLES} articles, {} themes, ",
            themes.len()
        )),
        "{}",
        built.stderr
    );

    // Spot-check articles spread through the corpus.
    for slug in slugs.iter().step_by(397) {
        let source = built.source(slug);
        let (own_themes, headings) = outline(&source);
        let page = built.page(&format!("articles/{slug}/index.html"));

        // Every tagged section is listed on each of its themes' pages, by anchor.
        let (text, tags) = headings
            .iter()
            .find(|(_, tags)| !tags.is_empty())
            .expect("a tagged section");
        let anchor = format!("articles/{slug}/#{}", mend::parse::heading_id(text));
        assert!(page.contains(&format!("id=\"{}\"", mend::parse::heading_id(text))));
        for tag in tags {
            let theme_page = built.page(&format!("themes/{tag}/index.html"));
            assert!(
                theme_page.contains(&format!("href=\"../../{anchor}\"")),
                "themes/{tag}/ does not list {anchor}"
            );
        }

        // Related articles: at most three, never itself, each sharing a theme
        // that both articles really carry (in front matter or on a section).
        let related = crate::harness::hrefs_between(&page, "class=\"related\"", "</section>");
        assert!(
            !related.is_empty() && related.len() <= 3,
            "{slug}: {related:?}"
        );
        let mine: BTreeSet<String> = own_themes
            .iter()
            .cloned()
            .chain(headings.iter().flat_map(|(_, t)| t.iter().cloned()))
            .collect();
        let section = &page[page.find("class=\"related\"").expect("related")..];
        for href in &related {
            let other = href
                .strip_prefix("../")
                .and_then(|h| h.strip_suffix('/'))
                .unwrap_or_else(|| panic!("related link {href}"));
            assert_ne!(other, slug);
            let (their_themes, their_headings) = outline(&built.source(other));
            let theirs: BTreeSet<String> = their_themes
                .into_iter()
                .chain(their_headings.into_iter().flat_map(|(_, t)| t))
                .collect();
            let shared: Vec<&String> = mine.intersection(&theirs).collect();
            assert!(!shared.is_empty(), "{slug} and {other} share no theme");
            let line = &section[section.find(href.as_str()).expect("href")..];
            // The reason names up to two of the shared themes, in lower case.
            let shares = &line
                [line.find("also on ").expect("reason") + 8..line.find("</span>").expect("span")];
            for title in shares.split(" and ") {
                let id = themes
                    .iter()
                    .find(|(_, t)| t.to_lowercase() == title)
                    .map(|(id, _)| id)
                    .unwrap_or_else(|| panic!("unknown theme title {title}"));
                assert!(shared.contains(&id), "{slug}/{other}: claims to share {id}");
            }
        }
    }

    // Search: every document is in exactly one chunk, postings point at real
    // documents, and each sampled article is found by the rarest word of its title.
    let manifest = built.search_file("manifest");
    let docs = manifest["docs"].as_u64().expect("docs") as usize;
    let chunk = manifest["chunk"].as_u64().expect("chunk") as usize;
    let mut urls = Vec::with_capacity(docs);
    for i in 0..docs.div_ceil(chunk) {
        for row in built
            .search_file(&format!("d/{i}"))
            .as_array()
            .expect("rows")
        {
            urls.push(row[0].as_str().expect("url").to_string());
        }
    }
    assert_eq!(urls.len(), docs);
    assert!(
        docs > ARTICLES * 4,
        "{docs} documents for {ARTICLES} articles"
    );
    let stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    for slug in slugs.iter().step_by(251) {
        let source = built.source(slug);
        let title = source
            .lines()
            .find_map(|l| l.strip_prefix("title: "))
            .expect("title")
            .trim_matches('"');
        let intro = urls
            .iter()
            .position(|u| *u == format!("articles/{slug}/"))
            .expect("the article's introduction is a document");
        let mut best: Option<(usize, Vec<u64>)> = None;
        for term in mend::search::terms(title, &stemmer) {
            let shard = built.search_file(&format!("t/{}", mend::search::shard_key(&term)));
            let postings: Vec<u64> = shard[&term]
                .as_array()
                .unwrap_or_else(|| panic!("`{term}` of `{title}` is not indexed"))
                .iter()
                .map(|p| p[0].as_u64().expect("doc"))
                .collect();
            assert!(postings.iter().all(|&d| (d as usize) < docs));
            if best.as_ref().is_none_or(|(n, _)| postings.len() < *n) {
                best = Some((postings.len(), postings));
            }
        }
        let (_, postings) = best.expect("a title with a searchable word");
        assert!(
            postings.contains(&(intro as u64)),
            "`{title}` is not found by the rarest word of its title"
        );
    }

    // On a terminal, a build longer than the threshold (a second, here
    // none, as machines differ) shows a progress bar (run under `script`
    // for a pseudo-terminal), and the summary stays.
    let first = built
        .root()
        .join("articles")
        .join(format!("{}.md", slugs[0]));
    let text = fs::read_to_string(&first).expect("article");
    fs::write(&first, format!("{text}\nOne more line.\n")).expect("edit");
    let command = format!("'{}' build", env!("CARGO_BIN_EXE_mend"));
    let on_terminal = |root: &Path, after_ms: Option<&str>| {
        let mut script = std::process::Command::new("script");
        script
            .args(["-qec", &command, "/dev/null"])
            .current_dir(root)
            .env_remove("MEND_PROGRESS_AFTER_MS");
        if let Some(ms) = after_ms {
            script.env("MEND_PROGRESS_AFTER_MS", ms);
        }
        let tty = script.output().expect("run script (util-linux)");
        let shown = String::from_utf8_lossy(&tty.stdout).into_owned();
        assert!(tty.status.success(), "{shown}");
        shown
    };
    let shown = on_terminal(&built.root(), Some("0"));
    assert!(
        shown.contains(&format!("/{ARTICLES} articles")),
        "no progress bar:\n{shown}"
    );
    assert!(
        shown.contains(&format!("built {ARTICLES} articles")),
        "{shown}"
    );
    // A build of a few milliseconds shows none.
    let small = Site::new();
    small.article("a", "apology", "Body.\n");
    let shown = on_terminal(small.root(), None);
    assert!(shown.contains("built 1 article"), "{shown}");
    assert!(!shown.contains("/1 articles"), "a progress bar:\n{shown}");
}
