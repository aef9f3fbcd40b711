//! The preview's incremental rebuilds (`pipeline::Session`): after every
//! kind of edit, the site it holds is byte for byte the site a fresh build
//! of the same files gives, while only the pages whose content changed are
//! rendered again.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use mend::BuildOptions;
use mend::pipeline::Session;

use crate::harness::Site;

type Files = BTreeMap<String, Vec<u8>>;

fn fresh_build(root: &Path) -> Files {
    let generated = mend::generate(&options(root)).expect("fresh build");
    generated
        .files
        .into_iter()
        .map(|f| (f.path, f.bytes))
        .collect()
}

fn options(root: &Path) -> BuildOptions {
    BuildOptions {
        root: root.to_path_buf(),
        ..BuildOptions::default()
    }
}

/// Update the session and check it against a fresh build; the paths that
/// changed, and whether only some article pages were rendered.
#[track_caller]
fn update_matches_fresh_build(
    session: &mut Session,
    root: &Path,
    step: &str,
) -> (Vec<String>, bool) {
    let update = session
        .update()
        .unwrap_or_else(|e| panic!("{step}: update failed: {e}"));
    // A staged session's second stage, if it left one.
    let update = match session.finish() {
        Some(rest) => rest.unwrap_or_else(|e| panic!("{step}: second stage failed: {e}")),
        None => update,
    };
    // The pages come first; the search index follows.
    let (changed, partial) = (update.changed, update.incremental);
    let files = match session.refresh_search() {
        Some(refreshed) => refreshed.files,
        None => update.files,
    };
    assert!(!session.search_is_stale());
    let held: Files = files
        .iter()
        .map(|(p, b)| (p.to_string(), b.to_vec()))
        .collect();
    let fresh = fresh_build(root);
    let missing: Vec<&String> = fresh.keys().filter(|p| !held.contains_key(*p)).collect();
    let extra: Vec<&String> = held.keys().filter(|p| !fresh.contains_key(*p)).collect();
    let differ: Vec<&String> = fresh
        .iter()
        .filter(|(p, b)| held.get(*p).is_some_and(|h| h != *b))
        .map(|(p, _)| p)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && differ.is_empty(),
        "{step}: the preview differs from a fresh build: missing {missing:?}, extra {extra:?}, different {differ:?}"
    );
    (changed, partial)
}

fn edit(root: &Path, slug: &str, f: impl FnOnce(&str) -> String) {
    let path = root.join("articles").join(format!("{slug}.md"));
    let text = fs::read_to_string(&path).expect("article");
    fs::write(&path, f(&text)).expect("write article");
}

#[test]
fn title_theme_heading_and_file_edits_give_the_fresh_build_and_render_only_what_changed() {
    let site = Site::new();
    site.article(
        "a",
        "apology",
        "See [[b]] and [b's part](b.md#part).\n\n## Own {.apology}\n",
    )
    .article(
        "b",
        "apology, therapy",
        "## Part {.therapy}\n\nBody of b.\n",
    )
    .article("c", "therapy", "## Help {.therapy}\n")
    .article("d", "forgiveness", "## Alone {.forgiveness}\n")
    .article("e", "forgiveness", "## Also alone {.forgiveness}\n");
    let root = site.root();
    let mut session = Session::new(options(root));
    update_matches_fresh_build(&mut session, root, "first build");

    // A title shows on every page: the navigation lists every article.
    edit(root, "b", |t| {
        t.replace("title: Title of b", "title: Title of bb")
    });
    let (changed, _) = update_matches_fresh_build(&mut session, root, "title edit");
    for page in [
        "articles/a/index.html",
        "articles/b/index.html",
        "articles/e/index.html",
        "index.html",
    ] {
        assert!(
            changed.iter().any(|p| p == page),
            "{page} not rebuilt: {changed:?}"
        );
    }

    edit(root, "b", |t| {
        t.replace("themes: [apology, therapy]", "themes: [forgiveness]")
    });
    update_matches_fresh_build(&mut session, root, "themes edit");

    edit(root, "c", |t| {
        format!("{t}\n## Later {{.apology .forgiveness}}\n\nMore.\n")
    });
    update_matches_fresh_build(&mut session, root, "new tagged heading");

    // A section's tags show on the pages of articles treating those themes;
    // d and e (forgiveness only) do not change.
    edit(root, "b", |t| {
        t.replace("## Part {.therapy}", "## Part {.therapy .apology}")
    });
    let (changed, partial) = update_matches_fresh_build(&mut session, root, "section tags edit");
    assert!(partial, "a section tags edit re-rendered every page");
    for page in ["articles/a/index.html", "articles/b/index.html"] {
        assert!(
            changed.iter().any(|p| p == page),
            "{page} not rebuilt: {changed:?}"
        );
    }
    assert!(
        !changed.iter().any(|p| p == "articles/e/index.html"),
        "an unrelated page changed: {changed:?}"
    );

    edit(root, "d", |t| format!("{t}\nA longer body for d.\n"));
    let (changed, _) = update_matches_fresh_build(&mut session, root, "body edit");
    assert!(changed.iter().any(|p| p == "articles/d/index.html"));

    site.article("f", "therapy", "Links to [[c]].\n");
    update_matches_fresh_build(&mut session, root, "new article");

    fs::remove_file(root.join("articles/f.md")).expect("remove f");
    update_matches_fresh_build(&mut session, root, "deleted article");

    fs::rename(root.join("articles/e.md"), root.join("articles/g.md")).expect("rename");
    update_matches_fresh_build(&mut session, root, "renamed article");
}

#[test]
fn a_run_of_edits_on_a_generated_corpus_always_matches_a_fresh_build() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("kb");
    let slugs = crate::harness::generated_corpus(&root, 40, 3);
    let themes = ["apology", "therapy", "patience", "boundaries"];

    // Staged, as the preview runs it (the helper finishes each second stage).
    let mut session = Session::staged(options(&root));
    update_matches_fresh_build(&mut session, &root, "first build");
    let mut saw_partial = false;
    for step in 0..16 {
        let slug = &slugs[(step * 7 + 3) % slugs.len()];
        let what = match step % 4 {
            0 => {
                edit(&root, slug, |t| {
                    t.replacen("title: \"", "title: \"Renamed ", 1)
                });
                "title"
            }
            1 => {
                let theme = themes[step % themes.len()];
                edit(&root, slug, |t| {
                    let start = t.find("themes: [").expect("themes");
                    let end = start + t[start..].find(']').expect("]");
                    format!("{}themes: [{theme}]{}", &t[..start], &t[end + 1..])
                });
                "themes"
            }
            2 => {
                let theme = themes[(step + 1) % themes.len()];
                edit(&root, slug, |t| {
                    format!("{t}\n## Added part {step} {{.{theme}}}\n\nWords.\n")
                });
                "heading"
            }
            _ => {
                edit(&root, slug, |t| {
                    format!("{t}\nOne more paragraph, number {step}.\n")
                });
                "body"
            }
        };
        let update_step = format!("step {step}: {what} of {slug}");
        let (_, partial) = update_matches_fresh_build(&mut session, &root, &update_step);
        saw_partial |= partial && what != "body";
    }
    assert!(
        saw_partial,
        "every title, theme or heading edit re-rendered every page"
    );
}

/// After file events, the preview looks only at the articles they name
/// (fast on a large corpus) and then at every article, which catches an
/// edit the events missed. New and deleted articles are seen either way:
/// the folder is always listed again.
#[test]
fn a_trusting_update_reads_only_named_articles_and_a_full_update_catches_the_rest() {
    let site = Site::new();
    site.article("a", "apology", "Body of a.\n")
        .article("b", "apology", "Body of b.\n");
    let root = site.root();
    let mut session = Session::new(options(root));
    update_matches_fresh_build(&mut session, root, "first build");
    let page = |update: &mend::pipeline::Update, slug: &str| {
        let bytes = &update.files[format!("articles/{slug}/index.html").as_str()];
        String::from_utf8_lossy(bytes).into_owned()
    };

    edit(root, "a", |t| t.replace("Body of a.", "Edited a."));
    edit(root, "b", |t| t.replace("Body of b.", "Edited b."));
    let named: rustc_hash::FxHashSet<String> = ["a".to_string()].into_iter().collect();
    let update = session.update_trusting(&named).expect("trusting update");
    assert!(page(&update, "a").contains("Edited a."));
    assert!(
        page(&update, "b").contains("Body of b."),
        "b was read though no event named it"
    );
    assert_eq!(update.changed, ["articles/a/index.html"]);

    let (changed, _) = update_matches_fresh_build(&mut session, root, "full look");
    assert!(changed.iter().any(|p| p == "articles/b/index.html"));

    site.article("c", "apology", "Body of c.\n");
    fs::remove_file(root.join("articles/a.md")).expect("remove a");
    let update = session
        .update_trusting(&rustc_hash::FxHashSet::default())
        .expect("trusting update");
    assert!(update.files.contains_key("articles/c/index.html"));
    assert!(!update.files.contains_key("articles/a/index.html"));
}

/// A search job given up (the preview does when a save comes in) is not
/// taken, and the index stays due; a job run to the end is taken.
#[test]
fn a_cancelled_search_job_is_not_taken() {
    let site = Site::new();
    site.article("a", "apology", "Body of a.\n");
    let root = site.root();
    let mut session = Session::new(options(root));
    session.update().expect("first build");
    edit(root, "a", |t| t.replace("Body of a.", "Searchable words."));
    session.update().expect("body edit");
    assert!(session.search_is_stale());

    let job = session.search_job().expect("a job");
    job.cancel_handle()
        .store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(session.accept_search(job.run()).is_none());
    assert!(session.search_is_stale(), "a cancelled index was taken");

    let job = session.search_job().expect("a job again");
    assert!(session.accept_search(job.run()).is_some());
    assert!(!session.search_is_stale());
}

/// A staged session (the preview's) answers a title edit in two stages:
/// first the edited page, with every other page pending; then `finish`
/// gives byte for byte the fresh build. An update while the second stage
/// waits drops it and starts from the last complete site.
#[test]
fn a_staged_title_edit_serves_the_edited_page_first_then_the_rest() {
    let site = Site::new();
    site.article("a", "apology", "See [[b]].\n")
        .article("b", "apology", "Body of b.\n");
    let root = site.root();
    let mut session = Session::staged(options(root));
    let first = session.update().expect("first build");
    assert!(first.pending.is_empty(), "a first build is whole");

    edit(root, "b", |t| {
        t.replace("title: Title of b", "title: Retitled b")
    });
    let staged = session.update().expect("first stage");
    assert_eq!(staged.changed, ["articles/b/index.html"]);
    let page = |files: &std::collections::HashMap<std::sync::Arc<str>, std::sync::Arc<[u8]>>,
                path: &str| String::from_utf8_lossy(&files[path]).into_owned();
    assert!(page(&staged.files, "articles/b/index.html").contains("Retitled b"));
    assert!(!page(&staged.files, "index.html").contains("Retitled b"));
    for path in [
        "index.html",
        "articles/a/index.html",
        "themes/apology/index.html",
    ] {
        assert!(staged.pending.contains(path), "{path} not pending");
    }
    assert!(!staged.pending.contains("articles/b/index.html"));
    assert!(!staged.pending.contains("style.css"));

    let rest = session.finish().expect("a second stage").expect("made");
    assert!(rest.pending.is_empty());
    assert!(page(&rest.files, "index.html").contains("Retitled b"));
    assert!(session.finish().is_none());
    update_matches_fresh_build(&mut session, root, "after the second stage");

    edit(root, "b", |t| {
        t.replace("title: Retitled b", "title: Again b")
    });
    assert!(!session.update().expect("first stage").pending.is_empty());
    edit(root, "a", |t| t.replace("See [[b]].", "See [[b]] again."));
    update_matches_fresh_build(&mut session, root, "an update over a waiting stage");
}

/// The preview publishes a linked file edited in place (at the same length
/// too, which only its bytes tell), reports its deletion as the broken link
/// it makes, takes it back when it returns, and follows links to files
/// that come and go; files no article links to stay out.
#[test]
fn a_linked_file_edited_deleted_and_restored_gives_the_fresh_build() {
    let site = Site::new();
    site.article("a", "apology", "![A diagram](images/cycle.png)\n")
        .article("b", "apology", "Body of b.\n")
        .file("articles/images/cycle.png", "PNG one")
        .file("articles/images/other.png", "PNG other")
        .file("articles/notes.txt", "not linked yet");
    let root = site.root();
    let image = root.join("articles/images/cycle.png");
    let mut session = Session::staged(options(root));
    let (changed, _) = update_matches_fresh_build(&mut session, root, "first build");
    assert!(changed.iter().any(|p| p == "articles/images/cycle.png"));
    assert!(!changed.iter().any(|p| p == "articles/notes.txt"));

    fs::write(&image, "PNG two").expect("edit");
    let (changed, partial) = update_matches_fresh_build(&mut session, root, "same length");
    assert_eq!(changed, ["articles/images/cycle.png"]);
    assert!(partial, "an image edit re-rendered every page");

    fs::write(&image, "PNG three, longer").expect("edit");
    let (changed, _) = update_matches_fresh_build(&mut session, root, "longer");
    assert!(changed.iter().any(|p| p == "articles/images/cycle.png"));

    // As the watcher asks after the deletion: no article named.
    fs::remove_file(&image).expect("delete");
    let failure = session
        .update_trusting(&rustc_hash::FxHashSet::default())
        .expect_err("a link to a deleted file");
    assert_eq!(
        failure.diagnostics[0].headline(),
        "articles/a.md:6:1: error: missing image file `images/cycle.png`"
    );
    fs::write(&image, "PNG back").expect("restore");
    update_matches_fresh_build(&mut session, root, "restored");

    edit(root, "a", |t| t.replace("cycle.png", "other.png"));
    let (changed, _) = update_matches_fresh_build(&mut session, root, "another image");
    assert!(changed.iter().any(|p| p == "articles/images/other.png"));
    assert!(changed.iter().any(|p| p == "articles/images/cycle.png"));

    edit(root, "b", |t| {
        t.replace("Body of b.", "See [the notes](notes.txt).")
    });
    let (changed, _) = update_matches_fresh_build(&mut session, root, "newly linked");
    assert!(changed.iter().any(|p| p == "articles/notes.txt"));
    edit(root, "b", |t| {
        t.replace("See [the notes](notes.txt).", "Body of b.")
    });
    let (changed, _) = update_matches_fresh_build(&mut session, root, "unlinked");
    assert!(changed.iter().any(|p| p == "articles/notes.txt"));
}
