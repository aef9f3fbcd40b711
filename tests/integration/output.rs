use std::fs;

use crate::harness::{Site, run, tree};

#[test]
fn a_failed_build_leaves_the_previous_site_byte_for_byte() {
    let site = Site::new();
    site.article("a", "apology", "## One {.apology}\n")
        .article("b", "therapy", "[[a]]\n");
    site.build();
    let before = tree(&site.root().join("site"));
    site.article("b", "therapy", "[[missing]]\n");
    site.build_fails(1);
    assert_eq!(tree(&site.root().join("site")), before);
    let leftovers = site.leftovers();
    assert!(leftovers.is_empty(), "staging leftovers: {leftovers:?}");
}

#[test]
fn stale_pages_are_removed_on_rebuild() {
    let site = Site::new();
    site.article("a", "apology", "").article("b", "apology", "");
    site.build();
    fs::remove_file(site.root().join("articles/b.md")).unwrap();
    site.build();
    assert!(!site.exists("articles/b/index.html"));
    assert!(site.exists("articles/a/index.html"));
}

#[test]
fn two_builds_are_identical_whatever_the_threads_or_the_folder() {
    let site = Site::new();
    site.article(
        "a",
        "apology, therapy",
        "## One {.apology}\n\n```rust\nfn x() {}\n```\n[[b]]\n",
    )
    .article("b", "therapy", "## Two {.therapy}\n\n[[a#one]]\n")
    .article("c", "forgiveness", "## Three {.forgiveness .apology}\n");
    assert_eq!(
        run(
            site.root(),
            &["build", "-o", "one"],
            &[("RAYON_NUM_THREADS", "1")]
        )
        .code,
        0
    );
    assert_eq!(
        run(
            site.root(),
            &["build", "-o", "two"],
            &[("RAYON_NUM_THREADS", "4")]
        )
        .code,
        0
    );
    let one = tree(&site.root().join("one"));
    assert_eq!(one, tree(&site.root().join("two")));

    let elsewhere = tempfile::tempdir().unwrap();
    let copy = elsewhere.path().join("deeper/project");
    fs::create_dir_all(copy.join("articles")).unwrap();
    fs::copy(site.root().join("mend.yaml"), copy.join("mend.yaml")).unwrap();
    for name in ["a.md", "b.md", "c.md"] {
        fs::copy(
            site.root().join("articles").join(name),
            copy.join("articles").join(name),
        )
        .unwrap();
    }
    assert_eq!(run(&copy, &["build"], &[]).code, 0);
    assert_eq!(tree(&copy.join("site")), one);
}

#[test]
fn refuses_output_folders_that_would_destroy_the_project() {
    let site = Site::new();
    site.article("a", "apology", "");
    site.file("notes.txt", "keep me");
    for (dir, why) in [
        (".", "it is the project root"),
        ("..", "it contains the project"),
        ("articles", "it is inside articles/"),
        ("themes/x", "it is inside themes/"),
        ("notes.txt", "it is a file, not a folder"),
    ] {
        let r = site.mend(&["build", "-o", dir]);
        assert_eq!(r.code, 2, "{dir}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!(
                "refusing to use `{dir}` as the output folder: {why}"
            )),
            "{dir}: {}",
            r.stderr
        );
    }
    assert_eq!(
        fs::read_to_string(site.root().join("notes.txt")).unwrap(),
        "keep me"
    );
    assert!(site.root().join("articles/a.md").exists());
}

#[test]
fn refuses_to_replace_a_folder_mend_did_not_make_unless_forced() {
    let site = Site::new();
    site.article("a", "apology", "");
    site.file("public/precious.txt", "mine");
    let r = site.mend(&["build", "-o", "public"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("refusing to replace `public`: it is not empty and was not made by mend"),
        "{}",
        r.stderr
    );
    assert!(site.root().join("public/precious.txt").exists());
    assert_eq!(site.mend(&["build", "-o", "public", "--force"]).code, 0);
    assert!(site.root().join("public/index.html").exists());
    assert_eq!(
        site.mend(&["build", "-o", "public"]).code,
        0,
        "a folder mend made is replaced without --force"
    );
}

#[test]
fn root_flag_builds_another_folder() {
    let site = Site::new();
    site.article("a", "apology", "");
    let r = run(
        std::env::temp_dir().as_path(),
        &["build", "--root", site.root().to_str().unwrap()],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(site.exists("articles/a/index.html"));
}

#[cfg(unix)]
#[test]
fn unchanged_files_keep_their_inode_and_changed_ones_are_rewritten() {
    use std::os::unix::fs::MetadataExt;
    let site = Site::new();
    site.article("a", "apology", "One.\n")
        .article("b", "therapy", "Two.\n");
    site.build();
    let inode = |p: &str| {
        fs::metadata(site.root().join("site").join(p))
            .unwrap()
            .ino()
    };
    let (style, b) = (inode("style.css"), inode("articles/b/index.html"));
    site.article("a", "apology", "One, edited.\n");
    site.build();
    assert_eq!(
        inode("style.css"),
        style,
        "unchanged: linked from the previous site"
    );
    assert_eq!(inode("articles/b/index.html"), b);
    assert!(site.read("articles/a/index.html").contains("One, edited."));
    let marker = site.read(".mend-output");
    assert!(
        marker
            .lines()
            .any(|l| l.ends_with(" articles/a/index.html")),
        "{marker}"
    );
}

const UNCHANGED: &str = "(nothing changed since the last build)";

#[cfg(unix)]
#[test]
fn a_rebuild_with_nothing_changed_keeps_every_file_and_says_so() {
    use std::os::unix::fs::MetadataExt;
    let site = Site::new();
    site.article("a", "apology", "One.\n")
        .article("b", "therapy", "[[a]]\n");
    let first = site.build();
    assert!(!first.stderr.contains(UNCHANGED), "{}", first.stderr);
    let out = site.root().join("site");
    let stamps = |dir: &std::path::Path| -> Vec<(std::path::PathBuf, u64, i64, i64)> {
        walkdir::WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .map(|e| e.unwrap())
            .map(|e| {
                let m = e.metadata().unwrap();
                (e.path().to_path_buf(), m.ino(), m.mtime(), m.mtime_nsec())
            })
            .collect()
    };
    let (before, bytes) = (stamps(&out), tree(&out));
    let again = site.build();
    assert!(
        again.stderr.trim_end().ends_with(UNCHANGED),
        "{}",
        again.stderr
    );
    let counts = |s: &str| s.split(" in ").next().unwrap().to_string();
    assert_eq!(counts(&again.stderr), counts(&first.stderr));
    assert_eq!(stamps(&out), before, "no file was touched");
    assert_eq!(tree(&out), bytes);
}

#[test]
fn every_kind_of_input_change_rebuilds() {
    let site = Site::new();
    site.article("a", "apology", "One.\n");
    site.build();
    let rebuilt = |site: &Site, args: &[&str]| {
        let r = site.mend(args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        !r.stderr.contains(UNCHANGED)
    };
    // An article's text.
    site.article("a", "apology", "One, edited.\n");
    assert!(rebuilt(&site, &["build"]));
    assert!(site.read("articles/a/index.html").contains("One, edited."));
    assert!(!rebuilt(&site, &["build"]));
    // A new article, then its removal.
    site.article("b", "therapy", "Two.\n");
    assert!(rebuilt(&site, &["build"]));
    fs::remove_file(site.root().join("articles/b.md")).unwrap();
    assert!(rebuilt(&site, &["build"]));
    assert!(!site.exists("articles/b/index.html"));
    // The configuration.
    site.file(
        "mend.yaml",
        &crate::harness::CONFIG.replace("Fixture KB", "Renamed KB"),
    );
    assert!(rebuilt(&site, &["build"]));
    assert!(site.read("index.html").contains("Renamed KB"));
    // Options that change the bytes.
    assert!(rebuilt(&site, &["build", "--portable"]));
    assert!(rebuilt(&site, &["build"]));
    assert!(rebuilt(
        &site,
        &["build", "--base-url", "https://example.com/other/"]
    ));
    assert!(rebuilt(&site, &["build"]));
    // A file of the output deleted, or edited to another length, by hand.
    fs::remove_file(site.root().join("site/articles/a/index.html")).unwrap();
    assert!(rebuilt(&site, &["build"]));
    assert!(site.exists("articles/a/index.html"));
    fs::write(site.root().join("site/style.css"), "edited").unwrap();
    assert!(rebuilt(&site, &["build"]));
    assert_ne!(site.read("style.css"), "edited");
    // The theme: a project copy of the built-in one, then an edit to one
    // of its templates.
    let theme = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    for (rel, bytes) in tree(&theme) {
        site.file(
            &format!("themes/default/{}", rel.display()),
            std::str::from_utf8(&bytes).unwrap(),
        );
    }
    site.build();
    assert!(!rebuilt(&site, &["build"]));
    let base = site.root().join("themes/default/templates/base.html");
    let text = fs::read_to_string(&base).unwrap();
    fs::write(&base, text.replacen("<body", "<!-- edited --><body", 1)).unwrap();
    assert!(rebuilt(&site, &["build"]));
    assert!(site.read("index.html").contains("<!-- edited -->"));
}

#[cfg(unix)]
#[test]
fn a_rebuild_with_nothing_changed_repeats_the_warnings() {
    let site = Site::new();
    site.article("a", "apology", "One.\n");
    std::os::unix::fs::symlink("a.md", site.root().join("articles/link.md")).unwrap();
    let first = site.build();
    let again = site.build();
    assert!(again.stderr.contains(UNCHANGED));
    let warnings = |s: &str| s.split("built ").next().unwrap().to_string();
    assert!(warnings(&first.stderr).contains("symbolic links are not followed"));
    assert_eq!(warnings(&again.stderr), warnings(&first.stderr));
}
