//! The `safety:` block: quick exit, safety page, help note, content notes and
//! the check warning; located configuration errors; all off without the block.

use crate::harness::{CONFIG, Site};

const SAFETY: &str = "safety:
  exit_url: https://weather.example/
  page:
    title: Safe reading
    intro: Steps that help.
  resources:
    - name: Samaritans
      region: United Kingdom and Ireland
      phone: 116 123
      url: https://www.samaritans.org/
    - name: 988 Lifeline
      region: United States
      phone: \"988\"
      text: \"988\"
    - name: Samaritans Ireland
      region: United Kingdom and Ireland
      chat: https://chat.example/
    - name: Find A Helpline
      url: https://findahelpline.com/
";

/// A site with `safety:` and two linked articles.
fn safe_site() -> Site {
    let site = Site::new();
    site.file("mend.yaml", &format!("{CONFIG}{SAFETY}"));
    site.article("a", "apology", "## One {.apology}\n\nSee [[b]].\n")
        .article("b", "apology", "## Two {.apology}\n\nSee [[a]].\n");
    site
}

/// `mend build` of `mend.yaml` = CONFIG + `safety`, expecting exit code 2; its stderr.
#[track_caller]
fn config_error(safety: &str) -> String {
    let site = Site::new();
    site.file("mend.yaml", &format!("{CONFIG}{safety}"));
    site.article("a", "apology", "Text.\n");
    site.build_fails(2).stderr
}

/// The first line of each diagnostic in `stderr`.
fn headlines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains(": error: ")).collect()
}

const PAGES: [&str; 8] = [
    "index.html",
    "articles/index.html",
    "articles/a/index.html",
    "themes/index.html",
    "themes/apology/index.html",
    "search/index.html",
    "404.html",
    "safety/index.html",
];

#[test]
fn an_exit_url_that_is_not_http_is_a_located_error() {
    let stderr = config_error("safety:\n  exit_url: javascript:alert(1)\n");
    assert_eq!(
        headlines(&stderr),
        [
            "mend.yaml:9:13: error: `safety.exit_url` must be an http:// or https:// address, not `javascript:alert(1)`"
        ]
    );
}

#[test]
fn a_resource_without_a_name_or_a_way_to_reach_it_is_a_located_error() {
    let stderr = config_error(
        "safety:\n  resources:\n    - name: Kept\n      phone: 116 123\n    - region: UK\n      phone: \"999\"\n    - name: Nothing to call\n      region: UK\n",
    );
    assert_eq!(
        headlines(&stderr),
        [
            "mend.yaml:12:7: error: safety.resources[1] needs a `name`",
            "mend.yaml:14:7: error: safety.resources[2] (`Nothing to call`) needs a way to reach it",
        ]
    );
    assert!(
        stderr.contains("= help: add at least one of `phone`, `text`, `chat` or `url`"),
        "{stderr}"
    );
}

#[test]
fn unknown_keys_and_bad_addresses_in_safety_are_located_errors() {
    let stderr = config_error("safety:\n  exit_url: https://weather.example/\n  colour: red\n");
    assert_eq!(
        headlines(&stderr),
        [
            "mend.yaml:10:3: error: safety: unknown field `colour`, expected one of `exit_url`, `page`, `note`, `resources`, `check_terms`"
        ]
    );
    let stderr = config_error(
        "safety:\n  resources:\n    - name: A\n      url: ftp://a.example/\n    - name: B\n      phone: call me\n",
    );
    assert_eq!(
        headlines(&stderr),
        [
            "mend.yaml:11:12: error: safety.resources[0] (`A`): `url` must be an http:// or https:// address, not `ftp://a.example/`",
            "mend.yaml:13:14: error: safety.resources[1] (`B`): phone `call me` must be digits, with spaces, `+`, `-`, `(`, `)` or `.` at most",
        ]
    );
}

#[test]
fn every_page_type_has_the_exit_button_and_the_safety_link_when_configured() {
    let site = safe_site();
    site.build();
    for page in PAGES {
        let html = site.read(page);
        assert!(
            html.contains(r#"<a class="exit-button" href="https://weather.example/" data-exit-link rel="noreferrer">Exit this page"#),
            "{page}"
        );
        assert!(
            html.contains(r#"<a class="exit-skip" href="https://weather.example/""#),
            "{page}"
        );
        assert!(html.contains("exit.js\"></script>"), "{page}");
        assert!(
            html.contains(r#"<p class="exit-status" id="exit-status" aria-live="polite"></p>"#),
            "{page}"
        );
    }
    // Relative everywhere but the 404 page, which is served at any depth.
    assert!(
        site.read("articles/a/index.html")
            .contains(r#"<a class="exit-about" href="../../safety/">Safety and quick exit</a>"#)
    );
    assert!(
        site.read("404.html")
            .contains(r#"<a class="exit-about" href="/kb/safety/">"#)
    );
    assert!(site.exists("exit.js") && site.exists("safety.css"));
}

#[test]
fn articles_carry_the_help_note_and_other_pages_do_not() {
    let site = safe_site();
    site.build();
    let article = site.read("articles/a/index.html");
    let note = article.find(r#"<aside class="safety-note""#).expect("note");
    assert!(note < article.find(r#"<div class="body">"#).expect("body"));
    assert!(article.contains("not professional advice"));
    assert!(article.contains(r#"<a href="../../safety/#help">Where to find help now</a>"#));
    for page in PAGES.iter().filter(|p| !p.starts_with("articles/a")) {
        assert!(!site.read(page).contains("safety-note"), "{page}");
    }
}

#[test]
fn the_note_text_is_configurable() {
    let site = safe_site();
    site.file(
        "mend.yaml",
        &format!("{CONFIG}{SAFETY}  note: Talk to someone you trust.\n"),
    );
    site.build();
    assert!(site.read("articles/a/index.html").contains(
        "<p>Talk to someone you trust. <a href=\"../../safety/#help\">Where to find help now</a>.</p>"
    ));
}

#[test]
fn the_safety_page_groups_resources_by_region_with_tel_links() {
    let site = safe_site();
    site.build();
    let html = site.read("safety/index.html");
    assert!(html.contains("<title>Safe reading · Fixture KB</title>"));
    assert!(html.contains("<p class=\"lead\">Steps that help.</p>"));
    let regions: Vec<&str> = html
        .split("<h3>")
        .skip(1)
        .filter_map(|s| s.split("</h3>").next())
        .collect();
    assert_eq!(
        regions,
        ["United Kingdom and Ireland", "United States", "Anywhere"]
    );
    assert!(html.contains(r#"Call <a href="tel:116123">116 123</a>"#));
    assert!(html.contains(r#"Call <a href="tel:988">988</a>"#));
    assert!(html.contains("<li>Text 988</li>"));
    assert!(html.contains(r#"<a href="https://chat.example/">Chat online</a>"#));
    // The two UK and Ireland services sit together, in the order written.
    let uk = html.find("<strong>Samaritans</strong>").expect("first");
    let ie = html
        .find("<strong>Samaritans Ireland</strong>")
        .expect("second");
    let us = html.find("<strong>988 Lifeline</strong>").expect("us");
    assert!(uk < ie && ie < us);
    for section in [
        "exit",
        "private-browsing",
        "clear-history",
        "another-device",
        "help",
    ] {
        assert!(html.contains(&format!("id=\"{section}\"")), "{section}");
    }
    assert!(html.contains("It does not erase your browsing history"));
}

#[test]
fn nothing_of_it_without_a_safety_block() {
    let site = Site::new();
    site.article("a", "apology", "## One {.apology}\n\nSee [[a]].\n");
    site.build();
    for page in PAGES.iter().filter(|p| **p != "safety/index.html") {
        let html = site.read(page);
        for absent in [
            "exit-button",
            "exit-skip",
            "exit.js",
            "safety.css",
            "safety-note",
            "safety/",
        ] {
            assert!(!html.contains(absent), "{page} has {absent}");
        }
    }
    assert!(!site.exists("safety/index.html"));
}

#[test]
fn a_content_note_shows_before_the_text_and_is_not_searchable() {
    let site = safe_site();
    site.file(
        "articles/c.md",
        "---\ntitle: C\nsummary: S.\nthemes: [apology]\ncontent_note: describes a quokkafight in detail\n---\n## Three {.apology}\n\nBody words. [[a]]\n",
    );
    site.build();
    let html = site.read("articles/c/index.html");
    let note = html
        .find(r#"<p class="content-note"><span class="content-note-label">Content note:</span> describes a quokkafight in detail</p>"#)
        .expect("content note");
    assert!(note < html.find(r#"<div class="body">"#).expect("body"));
    let mut searched = String::new();
    for entry in walk(&site.root().join("site/search")) {
        searched.push_str(&std::fs::read_to_string(entry).unwrap_or_default());
    }
    assert!(searched.contains("three"), "the index holds the article");
    assert!(!searched.contains("quokkafight"));
}

#[test]
fn an_empty_content_note_is_a_located_error() {
    let site = Site::new();
    site.file(
        "articles/a.md",
        "---\ntitle: A\nsummary: S.\nthemes: [apology]\ncontent_note: \"  \"\n---\nText.\n",
    );
    let stderr = site.build_fails(1).stderr;
    assert_eq!(
        headlines(&stderr),
        ["articles/a.md:5:1: error: `content_note` must be one line of text, not empty"]
    );
}

#[test]
fn articles_link_to_the_safety_page_by_name() {
    let site = safe_site();
    site.article(
        "a",
        "apology",
        "## One {.apology}\n\nSee [[b]], [[safety]] and [help](safety.md#help).\n",
    );
    site.build();
    let html = site.read("articles/a/index.html");
    assert!(
        html.contains(r#"<a href="../../safety/">Safe reading</a>"#),
        "{html}"
    );
    assert!(html.contains(r##"<a href="../../safety/#help">help</a>"##));
    site.article(
        "a",
        "apology",
        "## One {.apology}\n\n[[safety#nope]] [[b]]\n",
    );
    let stderr = site.build_fails(1).stderr;
    assert_eq!(
        headlines(&stderr),
        [
            "articles/a.md:8:1: error: no section `#nope` on the safety page (sections: #exit, #private-browsing, #clear-history, #another-device, #help)"
        ]
    );
}

#[test]
fn check_warns_about_hard_subjects_without_a_link_to_help() {
    let site = safe_site();
    site.article(
        "b",
        "apology",
        "## Two {.apology}\n\nSee [[a]]. When there is Abuse, stop.\n",
    );
    let r = site.mend(&["check"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stderr,
        "articles/b.md:8:26: warning: mentions `abuse` but links neither to the safety page nor to a help service\n  |\n8 | See [[a]]. When there is Abuse, stop.\n  |                          ^^^^^\n  = help: a reader this concerns may need help now: link to `[[safety]]` or `[[safety#help]]`\n\nchecked 2 articles: 0 errors, 1 warning\n"
    );
    // A link to the page, or to a service by its number, is enough.
    for link in ["[[safety#help]]", "[call](tel:116-123)"] {
        site.article(
            "b",
            "apology",
            &format!("## Two {{.apology}}\n\nSee [[a]]. When there is abuse, {link}.\n"),
        );
        assert_eq!(
            site.mend(&["check"]).stderr,
            "checked 2 articles: 0 errors, 0 warnings\n"
        );
    }
    // The word list is configurable, and nothing is said without `safety:`.
    site.file(
        "mend.yaml",
        &format!("{CONFIG}{SAFETY}  check_terms: [stop]\n"),
    );
    site.article(
        "b",
        "apology",
        "## Two {.apology}\n\nSee [[a]]. Abuse. Stop.\n",
    );
    assert!(
        site.mend(&["check"])
            .stderr
            .contains("warning: mentions `stop`")
    );
    site.file("mend.yaml", CONFIG);
    assert_eq!(
        site.mend(&["check"]).stderr,
        "checked 2 articles: 0 errors, 0 warnings\n"
    );
}

#[test]
fn the_portable_build_links_the_safety_page_by_file() {
    let site = safe_site();
    let r = site.mend(&["build", "--portable"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        site.read("index.html")
            .contains(r#"<a class="exit-about" href="safety/index.html">"#)
    );
}

/// Every file under `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
