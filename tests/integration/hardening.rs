//! Rows of ../shared/RELIABILITY.md, named by their IDs.

use std::fs;
use std::time::Instant;

use crate::harness::{Site, hrefs, run, tree};

fn first_error(site: &Site) -> String {
    let r = site.build_fails(1);
    r.stderr.lines().next().unwrap_or_default().to_string()
}

fn with(site: &Site, text: &str) -> String {
    site.file("articles/a.md", text);
    first_error(site)
}

const FM: &str = "---\ntitle: A\nsummary: S\nthemes: [apology]\n---\n";

#[test]
fn fm_02_empty_files_and_bare_fences_are_errors() {
    let site = Site::new();
    assert_eq!(
        with(&site, ""),
        "articles/a.md:1:1: error: missing front matter: an article starts with a `---` line"
    );
    site.file("articles/a.md", "---\n---\n");
    let r = site.build_fails(1);
    for field in ["title", "summary", "themes"] {
        assert!(
            r.stderr.contains(&format!(
                "articles/a.md:1:1: error: the front matter has no `{field}`"
            )),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn fm_03_unterminated_front_matter_is_not_parsed_over_the_body() {
    let site = Site::new();
    let body = "word ".repeat(400_000);
    let start = Instant::now();
    let err = with(&site, &format!("---\ntitle: A\n{body}\n"));
    assert_eq!(
        err,
        "articles/a.md:1:1: error: front matter is not closed: no `---` line after it"
    );
    assert!(start.elapsed() < crate::harness::HANG_GUARD, "hang guard");
}

#[test]
fn fm_04_yaml_errors_give_the_file_line() {
    let site = Site::new();
    let err = with(
        &site,
        "---\ntitle: A\nsummary: \"x\nthemes: [apology]\n---\n",
    );
    // At the quote that is never closed, not where the parser gave up.
    assert!(
        err.starts_with(
            "articles/a.md:3:10: error: the quote that starts the value of `summary` is never closed"
        ),
        "{err}"
    );
}

#[test]
fn fm_05_tab_indentation_is_an_error_with_a_location() {
    let site = Site::new();
    let err = with(
        &site,
        "---\ntitle: A\nsummary: S\nthemes:\n\t- apology\n---\n",
    );
    assert!(err.starts_with("articles/a.md:5:1: error: "), "{err}");
}

#[test]
fn fm_06_a_byte_order_mark_is_accepted_and_not_emitted() {
    let site = Site::new();
    site.file("articles/a.md", &format!("\u{feff}{FM}Hello\n"));
    site.build();
    assert!(!site.read("articles/a/index.html").contains('\u{feff}'));
}

#[test]
fn fm_07_crlf_files_build_like_lf_and_report_correct_lines() {
    let lf = Site::new();
    lf.file("articles/a.md", &format!("{FM}Hello *there*\n\n## Part\n"));
    lf.build();
    let crlf = Site::new();
    crlf.file(
        "articles/a.md",
        &format!("{FM}Hello *there*\n\n## Part\n").replace('\n', "\r\n"),
    );
    crlf.build();
    assert_eq!(
        lf.read("articles/a/index.html"),
        crlf.read("articles/a/index.html")
    );
    let err = with(&crlf, &format!("{FM}\n[x](#nope)\n").replace('\n', "\r\n"));
    assert_eq!(
        err,
        "articles/a.md:7:1: error: no section `#nope` in this article"
    );
}

#[test]
fn fm_08_wrong_types_name_the_key_and_line() {
    let site = Site::new();
    assert_eq!(
        with(
            &site,
            "---\ntitle: [a]\nsummary: S\nthemes: [apology]\n---\n"
        ),
        "articles/a.md:2:8: error: title: invalid type: sequence, expected a string"
    );
    assert_eq!(
        with(&site, "---\ntitle: A\nsummary: S\nthemes: 5\n---\n"),
        "articles/a.md:4:9: error: themes: invalid type: integer `5`, expected a sequence"
    );
    assert_eq!(
        with(
            &site,
            "---\ntitle: A\nsummary: S\nthemes: [apology]\ndraft: \"yes\"\n---\n"
        ),
        "articles/a.md:5:8: error: draft: invalid type: string \"yes\", expected a boolean"
    );
}

#[test]
fn fm_09_alias_bombs_fail_fast() {
    let site = Site::new();
    let mut yaml = String::from("---\na0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        yaml.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 9].join(", ")
        ));
    }
    yaml.push_str("title: A\nsummary: S\nthemes: [apology]\n---\n");
    let start = Instant::now();
    let err = with(&site, &yaml);
    assert!(err.starts_with("articles/a.md:"), "{err}");
    assert!(start.elapsed() < crate::harness::HANG_GUARD, "hang guard");
}

#[test]
fn fm_10_deep_nesting_and_huge_front_matter_are_refused_before_parsing() {
    let site = Site::new();
    let deep = format!(
        "---\ntitle: A\nsummary: S\nthemes: {}\n---\n",
        "[".repeat(200_000)
    );
    let err = with(&site, &deep);
    assert!(err.contains("more than the limit of 65536 bytes"), "{err}");
    let nested = format!(
        "---\ntitle: A\nsummary: S\nthemes: {}{}\n---\n",
        "[".repeat(100),
        "]".repeat(100)
    );
    assert!(with(&site, &nested).contains("nests deeper than the limit of 64 levels"));
}

#[test]
fn fm_11_a_thematic_break_in_the_body_is_body() {
    let site = Site::new();
    site.file("articles/a.md", &format!("{FM}Before.\n\n---\n\nAfter.\n"));
    site.build();
    let page = site.read("articles/a/index.html");
    assert!(page.contains("Before.") && page.contains("<hr />") && page.contains("After."));
}

#[test]
fn fm_12_unknown_keys_are_errors_not_dropped() {
    let site = Site::new();
    let err = with(&site, "---\ntitel: A\nsummary: S\nthemes: [apology]\n---\n");
    assert!(
        err.starts_with("articles/a.md:2:1: error: unknown key `titel`"),
        "{err}"
    );
}

#[test]
fn fm_14_slugs_come_from_file_names_and_bad_names_are_refused() {
    let site = Site::new();
    for name in ["CON.md", "a b.md", "x..md", "café.md", "-x.md", "x.y.md"] {
        site.file(&format!("articles/{name}"), FM);
    }
    let r = site.build_fails(1);
    assert_eq!(
        r.stderr.matches("is not a valid slug").count(),
        6,
        "{}",
        r.stderr
    );
    assert!(!site.root().join("site").exists());
}

#[test]
fn fm_15_case_twins_cannot_exist_because_slugs_are_lowercase() {
    let site = Site::new();
    site.file("articles/foo.md", FM).file("articles/Foo.md", FM);
    assert!(first_error(&site).starts_with("articles/Foo.md: error: `Foo` is not a valid slug"));
}

#[test]
fn fm_17_titles_are_capped_single_line_and_escaped_everywhere() {
    let site = Site::new();
    let err = with(
        &site,
        &format!(
            "---\ntitle: {}\nsummary: S\nthemes: [apology]\n---\n",
            "x".repeat(2000)
        ),
    );
    assert_eq!(
        err,
        "articles/a.md:2:1: error: `title` is 2000 bytes, more than the limit of 1024"
    );
    let err = with(
        &site,
        "---\ntitle: \"A\\nB\"\nsummary: S\nthemes: [apology]\n---\n",
    );
    assert_eq!(
        err,
        "articles/a.md:2:1: error: `title` must be one line without control characters"
    );
    site.file("articles/a.md", "---\ntitle: \"</h1><script>alert(1)</script> \\\"q\\\" 'a'\"\nsummary: \"<script>s</script>\"\nthemes: [apology]\n---\n");
    site.build();
    for (path, bytes) in tree(&site.root().join("site")) {
        let text = String::from_utf8_lossy(&bytes);
        let p = path.to_string_lossy();
        if p.ends_with(".js") && !p.starts_with("search/") {
            continue; // our own scripts
        }
        assert!(
            !text.contains("<script>alert") && !text.contains("<script>s<"),
            "{p}"
        );
    }
}

#[test]
fn fm_18_invalid_utf8_names_the_line_and_column() {
    let site = Site::new();
    let mut bytes = FM.as_bytes().to_vec();
    bytes.extend_from_slice(b"Line one\nCaf\xe9 au lait\n");
    fs::write(site.root().join("articles/a.md"), bytes).unwrap();
    assert_eq!(
        first_error(&site),
        "articles/a.md:7:4: error: file is not valid UTF-8"
    );
}

#[test]
fn fm_20_null_titles_are_missing_and_odd_scalars_stay_literal() {
    let site = Site::new();
    assert_eq!(
        with(&site, "---\ntitle: ~\nsummary: S\nthemes: [apology]\n---\n"),
        "articles/a.md:2:1: error: `title` must not be empty (it is null)"
    );
    assert_eq!(
        with(
            &site,
            "---\ntitle: null\nsummary: S\nthemes: [apology]\n---\n"
        ),
        "articles/a.md:2:1: error: `title` must not be empty (it is null)"
    );
    site.file(
        "articles/a.md",
        "---\ntitle: 1.10\nsummary: no\nthemes: [apology]\n---\n",
    );
    site.build();
    let page = site.read("articles/a/index.html");
    assert!(
        page.contains("<h1>1.10</h1>") && page.contains("<p class=\"lead\">no</p>"),
        "{page}"
    );
}

#[test]
fn fm_21_duplicate_keys_are_errors_at_the_second_one() {
    let site = Site::new();
    let err = with(
        &site,
        "---\ntitle: A\ntitle: B\nsummary: S\nthemes: [apology]\n---\n",
    );
    assert_eq!(
        err,
        "articles/a.md:3:1: error: duplicate key `title` (first at line 2)"
    );
}

#[test]
fn md_01_to_04_raw_html_and_script_urls_never_reach_the_page() {
    let site = Site::new();
    site.file("articles/a.md", &format!("{FM}<script>alert(1)</script>\n\n<img src=x onerror=alert(1)> <iframe src=x></iframe> <style>body{{}}</style>\n\n<svg><set attributeName=href to=javascript:alert(1)></svg>\n"));
    site.build();
    let page = site.read("articles/a/index.html");
    let start = page.find("<div class=\"body\">").unwrap();
    let body = &page[start..start + page[start..].find("</article>").unwrap()];
    // Escaped, the markup is visible text; no element or attribute survives.
    for bad in [
        "<script>",
        "<img",
        "<iframe",
        "<style>",
        "<svg",
        "onerror=alert(1)>",
    ] {
        assert!(!body.contains(bad), "{bad}");
    }
    assert!(body.contains("&lt;img src=x onerror=alert(1)&gt;"));
    for dest in [
        "jav&#x61;script:alert(1)",
        "<javascript:alert(1)>",
        "<\tjavascript:x>",
    ] {
        let err = with(&site, &format!("{FM}[x]({dest})\n"));
        assert!(
            err.contains("`javascript:` links are not allowed"),
            "{dest}: {err}"
        );
    }
    let err = with(&site, &format!("{FM}<javascript:alert(1)>\n"));
    assert!(
        err.contains("`javascript:` links are not allowed"),
        "autolink: {err}"
    );
    let err = with(&site, &format!("{FM}![i](javascript:alert(1))\n"));
    assert!(
        err.contains("`javascript:` links are not allowed"),
        "image: {err}"
    );
}

#[test]
fn md_05_heading_attributes_keep_only_id_and_theme_classes() {
    let site = Site::new();
    assert!(
        with(
            &site,
            &format!("{FM}# T {{#id onclick=x style=color:red}}\n")
        )
        .contains("heading attribute `onclick` is not allowed")
    );
    // Not an attribute block at all: it stays escaped heading text.
    site.file("articles/a.md", &format!("{FM}# T {{#\"><script>}}\n"));
    site.build();
    let page = site.read("articles/a/index.html");
    assert!(
        !page.contains("\"><script>") && page.contains("&lt;script&gt;"),
        "{page}"
    );
}

#[test]
fn md_06_link_titles_are_attribute_escaped() {
    let site = Site::new();
    site.file(
        "articles/a.md",
        &format!("{FM}[x](https://e.org \"a\\\" onmouseover=alert(1) x=\\\"\")\n"),
    );
    site.build();
    let page = site.read("articles/a/index.html");
    assert!(
        page.contains("title=\"a&quot; onmouseover=alert(1) x=&quot;\""),
        "{page}"
    );
}

#[test]
fn md_07_to_09_pathological_markdown_finishes() {
    let site = Site::new();
    let cases = [
        ">".repeat(100_000),
        (0..5000)
            .map(|i| format!("{}- x\n", "  ".repeat(i)))
            .collect::<String>(),
        "*".repeat(50_000) + "a" + &"*".repeat(50_000),
        "[ (](".repeat(20_000),
        "[*_a".repeat(200_000),
        "a***".repeat(80_000),
        "]([\n".repeat(50_000),
        "[[a|]]".repeat(40),
    ];
    for (i, case) in cases.iter().enumerate() {
        site.file("articles/a.md", &format!("{FM}{case}\n"));
        let start = Instant::now();
        let r = site.mend(&["build", "--quiet"]);
        assert!(r.code == 0 || r.code == 1, "case {i}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "case {i}: {}", r.stderr);
        assert!(
            start.elapsed() < crate::harness::HANG_GUARD,
            "case {i} hang guard"
        );
    }
}

#[test]
fn md_12_pathological_code_lines_are_not_highlighted() {
    let site = Site::new();
    site.file(
        "articles/a.md",
        &format!("{FM}```rust\nlet x = \"{}\";\n```\n", "a".repeat(200_000)),
    );
    site.build();
    assert!(
        site.read("articles/a/index.html")
            .contains("<pre class=\"code\" data-lang=\"rust\">")
    );
}

#[test]
fn md_13_unknown_languages_render_as_plain_code() {
    let site = Site::new();
    site.file("articles/a.md", &format!("{FM}```klingon\nQapla'\n```\n"));
    site.build();
    assert!(
        site.read("articles/a/index.html")
            .contains("<pre class=\"code\" data-lang=\"klingon\"><code>Qapla&#39;\n</code></pre>")
    );
}

#[test]
fn md_14_duplicate_and_odd_headings_get_ids() {
    let site = Site::new();
    site.file(
        "articles/a.md",
        &format!("{FM}## Intro\n## Intro\n## Intro\n## <b>&\"🙂\n## ???\n"),
    );
    site.build();
    let page = site.read("articles/a/index.html");
    for id in ["intro", "intro-1", "intro-2", "b", "section"] {
        assert!(page.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(page.contains("&lt;b&gt;&amp;\u{201c}🙂"), "{page}");
}

#[test]
fn lnk_01_to_03_wiki_links_are_checked_and_never_resolve_paths() {
    let site = Site::new();
    site.file("articles/missing-pages.md", FM);
    assert!(
        with(&site, &format!("{FM}[[missing-page]]\n"))
            .ends_with("error: link to missing article `missing-page`")
    );
    assert!(
        with(&site, &format!("{FM}[[missing-pages#no-such-heading]]\n"))
            .ends_with("error: no section `#no-such-heading` in `missing-pages`")
    );
    assert!(
        with(&site, &format!("{FM}[[../../etc/passwd]]\n"))
            .ends_with("error: link to missing article `../../etc/passwd`")
    );
    site.file(
        "articles/a.md",
        &format!("{FM}[[missing-pages|]] [[ ]] [[missing-pages|b|c]]\n"),
    );
    let r = site.mend(&["build"]);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

#[test]
fn lnk_06_self_links_and_cycles_build() {
    let site = Site::new();
    site.article("a", "apology", "[[a]] [[b]]\n")
        .article("b", "apology", "[[a]] [[b]]\n");
    site.build();
    assert!(hrefs(&site.read("articles/a/index.html")).contains(&"./".to_string()));
}

#[cfg(unix)]
#[test]
fn fs_01_02_symlinks_are_not_followed_and_canaries_never_leak() {
    let site = Site::new();
    site.article("a", "apology", "");
    let outside = tempfile::tempdir().unwrap();
    fs::write(
        outside.path().join("secret.md"),
        format!("{FM}CANARY-7f3a\n"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.md"),
        site.root().join("articles/secret.md"),
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.path(), site.root().join("articles/ext")).unwrap();
    std::os::unix::fs::symlink("..", site.root().join("articles/loop")).unwrap();
    let r = site.build();
    assert!(
        r.stderr
            .contains("articles/secret.md: warning: skipped: symbolic links are not followed"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("articles/loop: warning: skipped"),
        "{}",
        r.stderr
    );
    for bytes in tree(&site.root().join("site")).values() {
        assert!(!String::from_utf8_lossy(bytes).contains("CANARY-7f3a"));
    }
}

#[cfg(unix)]
#[test]
fn fs_08_fifos_are_skipped_without_blocking() {
    let site = Site::new();
    site.article("a", "apology", "");
    let fifo = site.root().join("articles/pipe.md");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let r = site.build();
    assert!(
        r.stderr
            .contains("articles/pipe.md: warning: skipped: not a regular file"),
        "{}",
        r.stderr
    );
}

#[cfg(unix)]
#[test]
fn fs_09_non_utf8_file_names_are_errors_without_panics() {
    use std::os::unix::ffi::OsStrExt;
    let site = Site::new();
    site.article("a", "apology", "");
    let name = std::ffi::OsStr::from_bytes(b"\xff.md");
    fs::write(site.root().join("articles").join(name), FM).unwrap();
    let r = site.build_fails(1);
    assert!(
        r.stderr.contains("error: file name is not valid UTF-8"),
        "{}",
        r.stderr
    );
}

#[test]
fn fs_11_a_folder_named_like_an_article_is_skipped() {
    let site = Site::new();
    site.article("a", "apology", "");
    fs::create_dir(site.root().join("articles/x.md")).unwrap();
    site.build();
    assert!(!site.exists("articles/x/index.html"));
}

#[test]
fn out_02_leftovers_of_a_killed_build_are_cleaned_and_the_site_kept() {
    let site = Site::new();
    site.article("a", "apology", "");
    site.build();
    let before = tree(&site.root().join("site"));
    fs::create_dir_all(site.root().join(".site.mend-staging-999999/articles")).unwrap();
    fs::create_dir_all(site.root().join(".site.mend-old-999998")).unwrap();
    site.build();
    assert_eq!(tree(&site.root().join("site")), before);
    assert!(!site.root().join(".site.mend-staging-999999").exists());
    assert!(!site.root().join(".site.mend-old-999998").exists());
}

#[test]
fn out_04_refuses_home_and_the_file_system_root() {
    let site = Site::new();
    site.article("a", "apology", "");
    let home = tempfile::tempdir().unwrap();
    let r = run(
        site.root(),
        &["build", "-o", home.path().to_str().unwrap()],
        &[("HOME", home.path().to_str().unwrap())],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("it is the home folder"), "{}", r.stderr);
    let r = site.mend(&["build", "-o", "/"]);
    assert_eq!(r.code, 2);
}

#[test]
fn repro_02_no_absolute_paths_leak_into_the_output() {
    let site = Site::new();
    site.article("a", "apology", "```rust\nfn x() {}\n```\n");
    site.build();
    let root = site.root().to_string_lossy().into_owned();
    for (path, bytes) in tree(&site.root().join("site")) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(&root),
            "{}",
            path.display()
        );
    }
}

#[test]
fn tpl_04_self_including_templates_fail_cleanly() {
    let site = Site::new();
    site.article("a", "apology", "");
    site.with_plain_theme("t", "ok").file(
        "themes/t/templates/article.html",
        "{% include \"article.html\" %}",
    );
    let r = site.mend(&["build"]);
    assert!(r.code == 1 || r.code == 2, "{}", r.stderr);
    assert!(
        !r.stderr.contains("overflow") && !r.stderr.contains("panicked"),
        "{}",
        r.stderr
    );
}

#[test]
fn tpl_06_source_urls_must_be_http() {
    let site = Site::new();
    let err = with(
        &site,
        "---\ntitle: A\nsummary: S\nthemes: [apology]\nsource:\n  url: javascript:alert(1)\n---\n",
    );
    assert_eq!(
        err,
        "articles/a.md:6:8: error: `source.url` must be an http:// or https:// URL"
    );
}
