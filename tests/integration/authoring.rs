use std::fs;

use crate::harness::{CONFIG, Site, run, tree};

const SORRY_PATH: &str = "articles/offering-a-real-apology.md";

/// Two articles linking each other, both with a tagged section: `mend check` finds nothing.
fn connected_site() -> Site {
    let site = Site::new();
    site.article("a", "apology", "## One {.apology}\n\n[[b]]\n")
        .article("b", "apology", "## Two {.apology}\n\n[[a]]\n");
    site
}

#[test]
fn new_writes_an_article_that_builds() {
    let site = Site::new();
    let r = site.mend(&[
        "new",
        "Offering a Real Apology",
        "--themes",
        "apology,forgiveness",
    ]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert_eq!(r.stdout, format!("{SORRY_PATH}\n"));
    let text = fs::read_to_string(site.root().join(SORRY_PATH)).unwrap();
    assert!(
        text.starts_with(
            "---\ntitle: Offering a Real Apology\nsummary: Replace this with one or two sentences about the article.\nthemes: [apology, forgiveness]\n---\n"
        ),
        "{text}"
    );
    assert!(text.contains("\n## First section {.apology .forgiveness}\n"));
    assert!(text.contains("\n## Second section {.apology .forgiveness}\n"));
    site.build();
    assert!(
        site.read("articles/offering-a-real-apology/index.html")
            .contains("Offering a Real Apology")
    );
}

#[test]
fn new_defaults_to_the_first_theme_and_takes_a_summary() {
    let site = Site::new();
    let r = site.mend(&["new", "Sorry: a guide", "--summary", "How to say sorry."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = fs::read_to_string(site.root().join("articles/sorry-a-guide.md")).unwrap();
    assert!(
        text.starts_with(
            "---\ntitle: \"Sorry: a guide\"\nsummary: How to say sorry.\nthemes: [apology]\n---\n"
        ),
        "{text}"
    );
    site.build();
}

#[test]
fn new_with_root_prints_the_path_under_the_root() {
    let site = Site::new();
    let elsewhere = tempfile::tempdir().unwrap();
    let root = site.root().to_str().unwrap();
    let r = run(elsewhere.path(), &["new", "Listening", "--root", root], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        format!("{}\n", site.root().join("articles/listening.md").display())
    );
    assert!(site.root().join("articles/listening.md").is_file());
}

#[test]
fn new_refuses_to_overwrite_an_article() {
    let site = Site::new();
    site.file(SORRY_PATH, "my own words\n");
    let r = site.mend(&["new", "Offering a Real Apology"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        format!(
            "{SORRY_PATH}: error: the file already exists; mend new never overwrites an article\n  = help: choose another title, or edit the existing article\n"
        )
    );
    assert_eq!(
        fs::read_to_string(site.root().join(SORRY_PATH)).unwrap(),
        "my own words\n"
    );
}

#[test]
fn new_with_an_unknown_theme_is_a_usage_error_with_a_suggestion() {
    let site = Site::new();
    let r = site.mend(&["new", "Letting Go", "--themes", "apology,forgivnes"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: --themes: unknown theme `forgivnes`\n  = help: did you mean `forgiveness`?\n"
    );
    assert!(!site.root().join("articles/letting-go.md").exists());
}

#[test]
fn check_is_quiet_on_a_clean_site_and_writes_nothing() {
    let site = connected_site();
    let before = tree(site.root());
    let r = site.mend(&["check"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stderr, "checked 2 articles: 0 errors, 0 warnings\n");
    assert_eq!(tree(site.root()), before);
    assert!(!site.root().join("site").exists());
}

#[test]
fn check_warns_about_orphan_articles_but_not_start_here() {
    let site = connected_site();
    site.article("c", "apology", "## Three {.apology}\n\n[[a]]\n")
        .article("start-here", "apology", "## Begin {.apology}\n");
    let r = site.mend(&["check"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stderr,
        "articles/c.md: warning: no other article links to this one\n  = help: link to it from a related article with `[[c]]`\n\nchecked 4 articles: 0 errors, 1 warning\n"
    );
}

#[test]
fn check_warns_about_a_theme_one_article_uses_at_its_front_matter_entry() {
    let site = connected_site();
    site.article("a", "apology, therapy", "## One {.apology}\n\n[[b]]\n");
    let r = site.mend(&["check"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stderr,
        "articles/a.md:4:19: warning: theme `therapy` is used by this article only\n  |\n4 | themes: [apology, therapy]\n  |                   ^^^^^^^\n  = help: tag related sections of other articles with `{.therapy}` too, or fold it into a broader theme\n\nchecked 2 articles: 0 errors, 1 warning\n"
    );
}

#[test]
fn check_warns_about_a_theme_one_article_uses_at_its_section_tag() {
    let site = connected_site();
    site.article("b", "apology", "[[a]]\n\n## Two {.apology .forgiveness}\n");
    let r = site.mend(&["check"]);
    assert_eq!(
        r.stderr,
        "articles/b.md:8:19: warning: theme `forgiveness` is used by this article only\n  |\n8 | ## Two {.apology .forgiveness}\n  |                   ^^^^^^^^^^^\n  = help: tag related sections of other articles with `{.forgiveness}` too, or fold it into a broader theme\n\nchecked 2 articles: 0 errors, 1 warning\n"
    );
}

#[test]
fn check_warns_about_articles_without_a_tagged_section() {
    let site = connected_site();
    site.article("b", "apology", "## Two\n\n[[a]]\n");
    let r = site.mend(&["check"]);
    assert_eq!(
        r.stderr,
        "articles/b.md: warning: no section is tagged with a theme\n  = help: tag each `##` section with the themes it treats, e.g. `## A heading {.apology}`\n\nchecked 2 articles: 0 errors, 1 warning\n"
    );
}

#[test]
fn check_warns_about_long_summaries_at_the_summary_line() {
    let site = connected_site();
    let summary = "x".repeat(301);
    site.file(
        "articles/a.md",
        &format!("---\ntitle: A\nsummary: {summary}\nthemes: [apology]\n---\n## One {{.apology}}\n\n[[b]]\n"),
    );
    let r = site.mend(&["check"]);
    assert_eq!(
        r.stderr,
        format!(
            "articles/a.md:3:1: warning: summary is 301 characters long, more than 300\n  |\n3 | summary: {}…\n  | ^^^^^^^\n  = help: lists and search results show the summary whole: one or two sentences read best\n\nchecked 2 articles: 0 errors, 1 warning\n",
            // A long line is quoted around the spot, up to 70 characters on.
            &summary[..61]
        )
    );
}

#[test]
fn check_strict_turns_warnings_into_errors() {
    let site = connected_site();
    site.article("b", "apology", "## Two\n\n[[a]]\n");
    let r = site.mend(&["check", "--strict"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .starts_with("articles/b.md: error: no section is tagged with a theme\n"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .ends_with("\nchecked 2 articles: 1 error, 0 warnings\n")
    );
}

#[test]
fn check_reports_build_errors_with_exit_code_one_and_writes_nothing() {
    let site = Site::new();
    site.article("a", "apology, forgivness", "## One {.apology}\n");
    let r = site.mend(&["check"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        "articles/a.md:4:19: error: unknown theme `forgivness`\n  |\n4 | themes: [apology, forgivness]\n  |                   ^^^^^^^^^^\n  = help: did you mean `forgiveness`?\n\nchecked 1 article: 1 error, 0 warnings\n"
    );
    assert!(!site.root().join("site").exists());
}

/// `mend check` reads its inputs once and builds from them: a warning made
/// while loading is reported once (not once per load), and when the build
/// fails the article count is that of the same load, under the limits
/// `mend.yaml` sets (a second load with default limits counted differently).
#[cfg(unix)]
#[test]
fn check_loads_once() {
    let site = connected_site();
    std::os::unix::fs::symlink(
        site.root().join("articles/a.md"),
        site.root().join("articles/alias.md"),
    )
    .unwrap();
    let r = site.mend(&["check", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout.matches("symbolic links are not followed").count(),
        1,
        "{}",
        r.stdout
    );

    site.file("mend.yaml", &format!("{CONFIG}limits:\n  slug_bytes: 3\n"));
    site.article("long-name", "apology", "## Three {.apology}\n\n[[a]]\n");
    let r = site.mend(&["check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("symbolic links are not followed").count(),
        1,
        "{}",
        r.stderr
    );
    assert_eq!(
        r.stderr.matches("more than the limit of 3 bytes").count(),
        1
    );
    assert!(
        r.stderr
            .ends_with("\nchecked 2 articles: 1 error, 1 warning\n"),
        "{}",
        r.stderr
    );
}

#[test]
fn check_reports_configuration_errors_with_exit_code_two() {
    let site = connected_site();
    site.file(
        "mend.yaml",
        "title: T\nthemes:\n  apology: {title: A}\ncolour: red\n",
    );
    let r = site.mend(&["check"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("mend.yaml:4:1: error: unknown field `colour`"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .ends_with("\nchecked 2 articles: 1 error, 0 warnings\n")
    );
}

#[test]
fn check_json_lists_errors_and_warnings_with_every_field() {
    let site = connected_site();
    site.article("a", "apology, therapy", "## One {.apology}\n\n[[b]]\n")
        .article("c", "apology", "## Three {.apology}\n\n[[a]]\n");
    let r = site.mend(&["check", "--format", "json"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!([
            {
                "severity": "warning",
                "path": "articles/a.md",
                "line": 4,
                "column": 19,
                "message": "theme `therapy` is used by this article only",
                "hint": "tag related sections of other articles with `{.therapy}` too, or fold it into a broader theme",
            },
            {
                "severity": "warning",
                "path": "articles/c.md",
                "line": null,
                "column": null,
                "message": "no other article links to this one",
                "hint": "link to it from a related article with `[[c]]`",
            },
        ])
    );

    site.article("d", "apology", "[[nowhere]]\n");
    let r = site.mend(&["check", "--format", "json"]);
    assert_eq!(r.code, 1);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!([{
            "severity": "error",
            "path": "articles/d.md",
            "line": 6,
            "column": 1,
            "message": "link to missing article `nowhere`",
            "hint": "articles are linked by file name, e.g. `[text](other.md)` or `[[other]]`",
        }])
    );
}

#[test]
fn init_writes_a_knowledge_base_that_builds_and_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &["init", "kb"], &[]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    for line in [
        "created kb/mend.yaml\n",
        "created kb/articles/welcome.md\n",
        "created kb/.gitignore\n",
        "created kb/themes/default/templates/base.html\n",
        "created kb/themes/default/static/style.css\n",
    ] {
        assert!(
            r.stdout.contains(line),
            "{line} missing from:\n{}",
            r.stdout
        );
    }
    assert!(
        r.stdout.contains("\n  cd kb && mend serve\n"),
        "{}",
        r.stdout
    );

    let kb = dir.path().join("kb");
    assert_eq!(
        fs::read_to_string(kb.join(".gitignore")).unwrap(),
        "site/\n"
    );
    assert_eq!(
        fs::read(kb.join("themes/default/templates/article.html")).unwrap(),
        fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/themes/default/templates/article.html"
        ))
        .unwrap()
    );
    let r = run(dir.path(), &["check", "--root", "kb"], &[]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (0, "checked 2 articles: 0 errors, 0 warnings\n")
    );
    let r = run(dir.path(), &["build", "--root", "kb"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let welcome = fs::read_to_string(kb.join("site/articles/welcome/index.html")).unwrap();
    assert!(welcome.contains("How the site is organised"));
}

#[test]
fn init_fills_an_empty_folder_and_refuses_a_non_empty_one() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("empty")).unwrap();
    assert_eq!(run(dir.path(), &["init", "empty"], &[]).code, 0);

    fs::create_dir(dir.path().join("kb")).unwrap();
    fs::write(dir.path().join("kb/notes.txt"), "mine").unwrap();
    let r = run(dir.path(), &["init", "kb"], &[]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "kb: error: the folder is not empty\n  = help: mend init writes a new knowledge base into a new or empty folder\n"
    );
    assert_eq!(
        tree(&dir.path().join("kb")).into_keys().collect::<Vec<_>>(),
        [std::path::PathBuf::from("notes.txt")]
    );
}

#[test]
fn completions_name_the_subcommands() {
    let site = Site::new();
    let r = site.mend(&["completions", "bash"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("_mend()"), "{}", r.stdout);
    for command in ["build", "new", "check", "init", "completions"] {
        assert!(
            r.stdout.contains(&format!("mend,{command})")),
            "{command} missing"
        );
    }
    assert!(r.stdout.contains("--format --strict"), "{}", r.stdout);
    assert_eq!(site.mend(&["completions", "tcsh"]).code, 2);
}
