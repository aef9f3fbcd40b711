//! The incremental engine on its own: after each kind of edit, which pages
//! a [`Session`] makes again, and that what it serves is what a fresh build
//! of the same files gives.
//!
//! Each test builds a small knowledge base in a temporary folder, updates a
//! session once, edits, and updates again. `changed` must be exactly the
//! output paths whose bytes differ from before (nothing stale, nothing
//! re-sent for nothing), the site must equal [`generate`]'s (the search
//! index aside: a session makes it apart), and the pages named must or must
//! not be among the changed ones.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::Path;
use std::sync::Arc;

use super::{Session, Update};
use crate::pipeline::{BuildOptions, generate};

const CONFIG: &str =
    "title: T\nthemes:\n  apology: {title: Apology}\n  patience: {title: Patience}\n";

/// Write `articles/{slug}.md` with this title, themes and body.
fn save(root: &Path, slug: &str, title: &str, themes: &str, body: &str) {
    let text =
        format!("---\ntitle: {title}\nsummary: About {title}.\nthemes: [{themes}]\n---\n{body}");
    fs::write(root.join(format!("articles/{slug}.md")), text).expect("write article");
}

/// a and b on apology (b links to a by a title-less wiki link), c on patience.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    fs::create_dir(root.join("articles")).expect("articles/");
    fs::write(root.join("mend.yaml"), CONFIG).expect("mend.yaml");
    save(
        root,
        "a",
        "Alpha",
        "apology",
        "Intro.\n\n## One {.apology}\n\nText one.\n",
    );
    save(
        root,
        "b",
        "Beta",
        "apology",
        "See [[a]].\n\n## Two {.apology}\n\nText two.\n",
    );
    save(
        root,
        "c",
        "Gamma",
        "patience",
        "Intro.\n\n## Three {.patience}\n\nText three.\n",
    );
    dir
}

/// A file of the search index (not the search page).
fn search_index(path: &str) -> bool {
    path.starts_with("search/") && !path.ends_with(".html")
}

type Site = HashMap<Arc<str>, Arc<[u8]>>;

/// The site without the search index (made apart from updates).
fn pages(files: &Site) -> HashMap<String, Vec<u8>> {
    files
        .iter()
        .filter(|(path, _)| !search_index(path))
        .map(|(path, bytes)| (path.to_string(), bytes.to_vec()))
        .collect()
}

/// Update a session after `edit` and check it against the site before and a
/// fresh build after; the output paths that changed.
fn after(edit: impl FnOnce(&Path)) -> (BTreeSet<String>, Update) {
    let dir = project();
    let options = BuildOptions {
        root: dir.path().to_path_buf(),
        ..BuildOptions::default()
    };
    let mut session = Session::new(options.clone());
    let before = pages(&session.update().expect("first update").files);
    edit(dir.path());
    let update = session.update().expect("update after the edit");
    let now = pages(&update.files);
    let fresh: HashMap<String, Vec<u8>> = generate(&options)
        .expect("fresh build")
        .files
        .into_iter()
        .filter(|f| !search_index(&f.path))
        .map(|f| (f.path, f.bytes))
        .collect();
    assert_eq!(
        now.keys().collect::<BTreeSet<_>>(),
        fresh.keys().collect::<BTreeSet<_>>(),
        "the session's files are a fresh build's"
    );
    for (path, bytes) in &fresh {
        assert!(now[path] == *bytes, "{path} differs from a fresh build");
    }
    let differs: BTreeSet<String> = before
        .keys()
        .chain(now.keys())
        .filter(|p| before.get(*p) != now.get(*p))
        .cloned()
        .collect();
    let changed: BTreeSet<String> = update
        .changed
        .iter()
        .filter(|p| !search_index(p))
        .cloned()
        .collect();
    assert_eq!(changed, differs, "changed is exactly what differs");
    (changed, update)
}

/// Assert that every page of `pages` is among the `changed` ones.
#[track_caller]
fn includes(changed: &BTreeSet<String>, pages: &[String]) {
    for page in pages {
        assert!(
            changed.contains(page),
            "{page} should have changed: {changed:?}"
        );
    }
}

fn page(slug: &str) -> String {
    format!("articles/{slug}/index.html")
}

#[test]
fn a_first_sentence_edit_renders_the_theme_page_that_quotes_it() {
    let (changed, _) = after(|root| {
        save(
            root,
            "c",
            "Gamma",
            "patience",
            "Intro.\n\n## Three {.patience}\n\nText three, longer now.\n",
        );
    });
    assert_eq!(
        changed,
        BTreeSet::from([page("c"), "themes/patience/index.html".into()])
    );
}

#[test]
fn a_body_edit_renders_only_that_article() {
    // Not the first sentence of a section: theme pages show that.
    let (changed, update) = after(|root| {
        save(
            root,
            "c",
            "Gamma",
            "patience",
            "Intro.\n\n## Three {.patience}\n\nText three.\n\nA second paragraph.\n",
        );
    });
    assert!(update.incremental);
    assert_eq!(changed, BTreeSet::from([page("c")]));
}

#[test]
fn a_title_edit_renders_the_pages_that_show_the_title() {
    let (changed, update) = after(|root| {
        save(
            root,
            "a",
            "Alpha Renamed",
            "apology",
            "Intro.\n\n## One {.apology}\n\nText one.\n",
        );
    });
    // Linked again: the shared pages are made again too.
    assert!(!update.incremental);
    // The navigation beside every page lists the articles by title.
    let every_page: BTreeSet<String> = update
        .files
        .keys()
        .filter(|p| p.ends_with(".html"))
        .map(|p| p.to_string())
        .collect();
    assert_eq!(changed, every_page);
}

#[test]
fn a_heading_edit_renders_the_theme_pages_that_list_the_section() {
    let (changed, _) = after(|root| {
        save(
            root,
            "a",
            "Alpha",
            "apology",
            "Intro.\n\n## Uno {.apology}\n\nText one.\n",
        );
    });
    includes(&changed, &[page("a"), "themes/apology/index.html".into()]);
    assert!(
        !changed.contains("themes/patience/index.html"),
        "{changed:?}"
    );
    assert!(
        !changed.contains(&page("c")),
        "c shows nothing of a's sections: {changed:?}"
    );
}

#[test]
fn a_theme_edit_renders_both_themes_pages() {
    let (changed, _) = after(|root| {
        save(
            root,
            "c",
            "Gamma",
            "apology",
            "Intro.\n\n## Three {.apology}\n\nText three.\n",
        );
    });
    includes(
        &changed,
        &[
            page("c"),
            "themes/apology/index.html".into(),
            "themes/patience/index.html".into(),
        ],
    );
}

#[test]
fn a_deleted_article_leaves_the_site_and_the_lists() {
    let (changed, update) = after(|root| {
        fs::remove_file(root.join("articles/c.md")).expect("delete c");
    });
    assert!(!update.files.contains_key(page("c").as_str()));
    includes(
        &changed,
        &[
            page("c"),
            "index.html".into(),
            "articles/index.html".into(),
            "themes/patience/index.html".into(),
        ],
    );
}

#[test]
fn a_renamed_article_moves_to_its_new_address() {
    let (changed, update) = after(|root| {
        fs::rename(root.join("articles/c.md"), root.join("articles/d.md")).expect("rename c");
    });
    assert!(!update.files.contains_key(page("c").as_str()));
    assert!(update.files.contains_key(page("d").as_str()));
    assert!(
        changed.contains(&page("c")) && changed.contains(&page("d")),
        "{changed:?}"
    );
}
