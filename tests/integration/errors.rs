use crate::harness::{CONFIG, Site};

/// The headline (first line) of every diagnostic in stderr.
fn headlines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains(": error: ") || l.starts_with("error: "))
        .collect()
}

#[test]
fn front_matter_errors_name_the_line_in_the_md_file_with_snippet_and_hint() {
    let site = Site::new();
    site.file(
        "articles/a.md",
        "---\ntitle: A\nsummary: S\nthemes: [apology, forgivness]\n---\nBody\n",
    );
    let run = site.build_fails(1);
    assert!(
        run.stderr.starts_with(
            "articles/a.md:4:19: error: unknown theme `forgivness`\n  |\n4 | themes: [apology, forgivness]\n  |                   ^^^^^^^^^^\n  = help: did you mean `forgiveness`?\n"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .ends_with("build failed with 1 error; no site was written\n")
    );
}

#[test]
fn unknown_and_missing_front_matter_keys_are_errors() {
    let site = Site::new();
    site.file(
        "articles/a.md",
        "---\ntitle: A\nsummary: S\nthemes: [apology]\ncolour: red\n---\n",
    )
    .file("articles/b.md", "---\ntitle: B\nthemes: [apology]\n---\n")
    .file(
        "articles/c.md",
        "---\ntitle: C\nsummary: S\nthemes: []\n---\n",
    );
    let run = site.build_fails(1);
    assert_eq!(
        headlines(&run.stderr),
        [
            "articles/a.md:5:1: error: unknown key `colour`",
            "articles/b.md:1:1: error: the front matter has no `summary`",
            "articles/c.md:4:1: error: an article needs at least one theme",
        ]
    );
}

#[test]
fn every_error_of_the_run_is_reported_not_just_the_first() {
    let site = Site::new();
    site.article("a", "apology", "## Sorry {.apology .forgivnes}\n\nSee [b](b.md#lisen) and [x](javascript:alert(1)).\n")
        .article("b", "apology", "## Listen\n")
        .file("articles/c.md", "---\ntitle: C\nsummary: S\nthemes: [apology]\n---\n## Hi {onclick=alert(1)}\n[[a#sory]] [bb](bee.md)\n");
    let run = site.build_fails(1);
    assert_eq!(
        headlines(&run.stderr),
        [
            "articles/a.md:6:21: error: unknown theme `forgivnes` on heading",
            "articles/a.md:8:5: error: no section `#lisen` in `b`",
            "articles/a.md:8:25: error: `javascript:` links are not allowed (allowed: http, https, mailto, tel and relative links)",
            "articles/c.md:6:8: error: heading attribute `onclick` is not allowed",
            "articles/c.md:7:1: error: no section `#sory` in `a`",
            "articles/c.md:7:12: error: link to missing article `bee`",
        ]
    );
    assert!(run.stderr.contains("  = help: did you mean `#listen`?"));
    assert!(run.stderr.contains("  = help: did you mean `#sorry`?"));
    assert!(run.stderr.contains("  = help: did you mean `b`?"));
    assert!(run.stderr.contains("build failed with 6 errors"));
}

#[test]
fn links_to_missing_articles_and_sections_report_file_line_col() {
    let site = Site::new();
    site.article(
        "a",
        "apology",
        "Line one.\n\nText [[listening]] and [same](#nowhere).\n",
    )
    .article("listen", "apology", "");
    let run = site.build_fails(1);
    assert_eq!(
        headlines(&run.stderr),
        [
            "articles/a.md:8:6: error: link to missing article `listening`",
            "articles/a.md:8:24: error: no section `#nowhere` in this article",
        ]
    );
    assert!(run.stderr.contains("8 | Text [[listening]] and [same](#nowhere).\n  |      ^^^^^^^^^^^^^\n  = help: did you mean `listen`?"), "{}", run.stderr);
}

#[test]
fn script_schemes_are_rejected_after_decoding() {
    let site = Site::new();
    site.article(
        "a",
        "apology",
        "[a](JaVaScRiPt:x) [b](java%0Ascript:x) [c](data:text/html,x) [d](vbscript:x)\n",
    );
    let run = site.build_fails(1);
    let heads = headlines(&run.stderr);
    assert_eq!(heads.len(), 4, "{}", run.stderr);
    assert!(heads[0].starts_with("articles/a.md:6:1: error: `javascript:` links are not allowed"));
    assert!(heads[1].starts_with("articles/a.md:6:19: error: `javascript:` links are not allowed"));
    assert!(heads[2].starts_with("articles/a.md:6:40: error: `data:` links are not allowed"));
    assert!(heads[3].starts_with("articles/a.md:6:62: error: `vbscript:` links are not allowed"));
}

#[test]
fn bad_file_names_are_errors_with_a_suggested_slug() {
    let site = Site::new();
    site.article("Good_Name", "apology", "");
    let run = site.build_fails(1);
    assert!(
        run.stderr.starts_with(
            "articles/Good_Name.md: error: `Good_Name` is not a valid slug: use lowercase ASCII letters, digits and hyphens\n  = help: rename it to articles/good-name.md"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn front_matter_must_be_present_and_closed() {
    let site = Site::new();
    site.file("articles/a.md", "# Just a heading\n")
        .file("articles/b.md", "---\ntitle: B\n");
    let run = site.build_fails(1);
    assert_eq!(
        headlines(&run.stderr),
        [
            "articles/a.md:1:1: error: missing front matter: an article starts with a `---` line",
            "articles/b.md:1:1: error: front matter is not closed: no `---` line after it",
        ]
    );
}

#[test]
fn config_errors_exit_with_two_and_name_mend_yaml() {
    let site = Site::new();
    site.file("mend.yaml", &format!("{CONFIG}colour: red\n"));
    let run = site.build_fails(2);
    assert!(
        run.stderr
            .starts_with("mend.yaml:8:1: error: unknown field `colour`"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_missing_config_is_a_usage_error() {
    let site = Site::new();
    std::fs::remove_file(site.root().join("mend.yaml")).unwrap();
    let run = site.build_fails(2);
    assert!(
        run.stderr.starts_with("error: no mend.yaml in "),
        "{}",
        run.stderr
    );
}

#[test]
fn template_syntax_errors_name_the_template_line_and_column() {
    let site = Site::new();
    site.article("a", "apology", "");
    site.with_plain_theme("plain", "ok").file(
        "themes/plain/templates/theme.html",
        "line one\n{{ oops( }}\n",
    );
    let run = site.build_fails(2);
    assert!(
        run.stderr
            .starts_with("themes/plain/templates/theme.html:2:"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_missing_template_names_the_template_and_the_theme() {
    let site = Site::new();
    site.article("a", "apology", "");
    site.with_plain_theme("plain", "ok")
        .file("themes/plain/templates/4O4.html", "x");
    std::fs::remove_file(site.root().join("themes/plain/templates/404.html")).unwrap();
    let run = site.build_fails(1);
    assert!(
        run.stderr.starts_with("themes/plain/templates: error: template `404.html` not found in theme `plain`\n  = help: did you mean `4O4.html`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn template_runtime_errors_name_the_article_and_get_env_is_disabled() {
    let site = Site::new();
    site.article("a", "apology", "");
    site.with_plain_theme("plain", "ok").file(
        "themes/plain/templates/article.html",
        "{{ get_env(name=\"HOME\") }}",
    );
    let run = site.build_fails(1);
    assert!(run.stderr.starts_with("themes/plain/templates/article.html: error: while rendering articles/a.md with theme `plain`"), "{}", run.stderr);
    assert!(
        run.stderr.contains("function get_env is disabled"),
        "{}",
        run.stderr
    );
}

#[test]
fn links_to_drafts_explain_themselves() {
    let site = Site::new();
    site.article("a", "apology", "[[d]]\n").file(
        "articles/d.md",
        "---\ntitle: D\nsummary: S\nthemes: [apology]\ndraft: true\n---\n",
    );
    let run = site.build_fails(1);
    assert!(
        run.stderr
            .starts_with("articles/a.md:6:1: error: link to `d`, a draft left out of this build"),
        "{}",
        run.stderr
    );
    assert_eq!(site.mend(&["build", "--drafts"]).code, 0);
}
