//! The default theme's reading experience, as built HTML: the three regions,
//! the phone disclosures, one cross-link affordance per section, related
//! articles with one reason, home and theme pages, permalinks and the
//! colour switch.

use crate::harness::{Site, hrefs, hrefs_between};

/// Four articles in reading order: start-here first, then by title.
fn guides() -> Site {
    let site = Site::new();
    site.article(
        "start-here",
        "therapy",
        "Welcome.\n\n## If you were hurt {.forgiveness}\n\nGo slowly. Then rest.\n\n### When to get help {.therapy}\n\nAsk someone trained.\n",
    )
    .article(
        "apologising",
        "apology, forgiveness, therapy",
        "Intro.\n\n## Saying sorry {.apology .forgiveness}\n\nName what you did. Then stop.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n## Later {.forgiveness}\n\nMore.\n",
    )
    .article(
        "listening",
        "apology, forgiveness, therapy",
        "## Hearing the hurt {.apology .forgiveness .therapy}\n\nListen first. Speak later.\n",
    )
    .article(
        "waiting",
        "apology, forgiveness, therapy",
        "## Patience {.forgiveness}\n\nTrust takes time.\n",
    )
    .article(
        "front-only",
        "forgiveness",
        "No tagged sections here.\n",
    );
    site
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no `{start}` in page"));
    let rest = &html[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

#[test]
fn wide_screen_regions_navigation_marks_the_page_and_toc_is_a_column() {
    let site = guides();
    site.build();
    let page = site.read("articles/listening/index.html");
    let sidebar = between(&page, "<nav class=\"sidebar\"", "</nav>");
    assert!(sidebar.contains("<a href=\"../start-here/\">Start here</a>"));
    assert!(
        sidebar.contains("<a href=\"./\" aria-current=\"page\">Title of listening</a>"),
        "{sidebar}"
    );
    assert_eq!(sidebar.matches("aria-current").count(), 1, "{sidebar}");
    assert!(sidebar.contains("../../themes/forgiveness/"));
    // The text comes between the navigation and the "On this page" column.
    let (nav, main, aside) = (
        page.find("class=\"sidebar\"").unwrap(),
        page.find("<main").unwrap(),
        page.find("<aside class=\"toc-column\">").unwrap(),
    );
    assert!(nav < main && main < aside);
    assert_eq!(
        hrefs_between(&page, "<aside class=\"toc-column\">", "</aside>"),
        ["#hearing-the-hurt"]
    );
    let theme = site.read("themes/therapy/index.html");
    assert!(
        between(&theme, "<nav class=\"sidebar\"", "</nav>")
            .contains("<a href=\"./\" aria-current=\"page\">Therapy</a>")
    );
}

#[test]
fn the_current_section_is_marked_by_an_intersection_observer() {
    let site = guides();
    site.build();
    let page = site.read("articles/apologising/index.html");
    assert!(page.contains("new IntersectionObserver("));
    assert!(page.contains("setAttribute(\"aria-current\", \"location\")"));
    let css = site.read("style.css");
    assert!(css.contains(".toc a[aria-current]"));
    assert!(css.contains("position: sticky"));
    // Tables scroll in their own box.
    assert!(css.contains("display: block; max-width: 100%; overflow-x: auto;"));
}

#[test]
fn phones_get_a_menu_and_an_on_this_page_disclosure_that_need_no_script() {
    let site = guides();
    site.build();
    let page = site.read("articles/apologising/index.html");
    let menu = between(&page, "<details class=\"menu\">", "</details>");
    assert!(menu.contains("<summary>Menu</summary>"));
    assert!(menu.contains("aria-current=\"page\">Title of apologising</a>"));
    let toc = between(&page, "<details class=\"toc-phone\">", "</details>");
    assert!(toc.contains("<summary>On this page</summary>"));
    assert_eq!(hrefs(toc), ["#saying-sorry", "#later"]);
    // Themes sit in the one quiet meta line, the source at the end of the text.
    let header = between(&page, "<header class=\"article-header\">", "</header>");
    assert!(
        header.contains(
            "<span class=\"themes\">On <a href=\"../../themes/apology/\">Apology</a>, <a"
        ),
        "{header}"
    );
    assert!(!header.contains("class=\"source\""));
    // The disclosure comes before the text, the pager after it.
    assert!(page.find("toc-phone").unwrap() < page.find("<div class=\"body\">").unwrap());
}

#[test]
fn each_tagged_section_has_one_closed_more_on_disclosure() {
    let site = guides();
    site.build();
    let page = site.read("articles/apologising/index.html");
    let body = between(&page, "<div class=\"body\">", "\n  </div>");
    assert_eq!(
        body.matches("<details class=\"also-on\">").count(),
        2,
        "{body}"
    );
    assert!(!body.contains("<details class=\"also-on\" open"));
    assert!(
        !body.contains("class=\"also-on\">On "),
        "the old row of links"
    );
    let first = between(body, "<details class=\"also-on\">", "</details>");
    assert!(first.contains("<summary>More on Apology and Forgiveness</summary>"));
    assert!(first.contains("<a href=\"../listening/#hearing-the-hurt\">Title of listening</a> <span>› Hearing the hurt</span>"));
}

#[test]
fn related_articles_are_at_most_three_each_with_one_reason() {
    let site = guides();
    site.build();
    let page = site.read("articles/apologising/index.html");
    let related = hrefs_between(&page, "id=\"related-heading\"", "</section>");
    assert_eq!(related.len(), 3, "{related:?}");
    let section = between(&page, "id=\"related-heading\"", "</section>");
    assert_eq!(section.matches("<span class=\"why\">also on ").count(), 3);
    for line in section.lines().filter(|l| l.contains("class=\"why\"")) {
        let why = between(line, "also on ", "</span>");
        assert!(why.split(" and ").count() <= 2, "{line}");
    }
}

#[test]
fn headings_have_permalinks() {
    let site = guides();
    site.build();
    let page = site.read("articles/apologising/index.html");
    assert!(page.contains(
        "<h2 id=\"saying-sorry\">Saying sorry <a class=\"permalink\" href=\"#saying-sorry\" aria-label=\"Link to this section\">#</a></h2>"
    ), "{page}");
    let css = site.read("style.css");
    assert!(css.contains("h2:hover .permalink") && css.contains(".permalink:focus-visible"));
}

#[test]
fn home_has_no_repeated_title_where_to_begin_guides_and_compact_themes() {
    let site = guides();
    site.build();
    let home = site.read("index.html");
    assert!(!home.contains("<h1>Fixture KB</h1>"));
    assert!(home.contains("<h1 id=\"home-heading\" class=\"visually-hidden\">Fixture KB</h1>"));
    assert!(!home.contains("<strong>"), "no bold Start here paragraph");
    assert_eq!(
        hrefs_between(&home, "id=\"begin-heading\"", "</section>"),
        [
            "articles/start-here/#if-you-were-hurt",
            "articles/start-here/#when-to-get-help"
        ]
    );
    let guides = hrefs_between(&home, "id=\"articles-heading\"", "</section>");
    assert_eq!(guides.len(), 4, "every guide but Start here: {guides:?}");
    assert!(home.contains("<ul class=\"theme-grid\">"));
}

#[test]
fn theme_pages_group_sections_by_article_with_first_sentences() {
    let site = guides();
    site.build();
    let page = site.read("themes/forgiveness/index.html");
    assert!(page.contains("<p class=\"lead\">Letting go.</p>"));
    let group = between(&page, "<section class=\"group\"", "</section>");
    assert!(group.contains("<a href=\"../../articles/start-here/\">Title of start-here</a>"));
    assert!(group.contains(
        "<h3><a href=\"../../articles/start-here/#if-you-were-hurt\">If you were hurt</a></h3><p>Go slowly.</p>"
    ), "{group}");
    assert_eq!(page.matches("<section class=\"group\"").count(), 4);
    // An article with the theme only in its front matter is listed once, after.
    let more = hrefs_between(&page, "id=\"more-heading\"", "</section>");
    assert_eq!(more, ["../../articles/front-only/"]);
}

#[test]
fn theme_lists_on_the_article_list_have_no_space_before_commas() {
    let site = guides();
    site.build();
    let page = site.read("articles/index.html");
    assert!(page.contains(
        "<span>On <a href=\"../themes/apology/\">Apology</a>, <a href=\"../themes/forgiveness/\">Forgiveness</a>, "
    ), "{page}");
}

#[test]
fn the_colour_switch_is_remembered_without_a_flash_and_stores_nothing_unasked() {
    let site = guides();
    site.build();
    let page = site.read("articles/listening/index.html");
    // Read in <head>, before the stylesheet: no flash of the other scheme.
    let head = between(&page, "<head>", "</head>");
    let script = head
        .find("localStorage.getItem(\"mend-scheme\")")
        .expect("head script");
    assert!(script < head.find("style.css").unwrap());
    assert!(page.contains("<button type=\"button\" class=\"scheme\" id=\"scheme\" hidden>"));
    assert!(page.contains("localStorage.removeItem(\"mend-scheme\")"));
    let css = site.read("style.css");
    assert!(css.contains(":root[data-scheme=\"dark\"]"));
    assert!(css.contains(":root:not([data-scheme=\"light\"])"));
}

#[test]
fn serve_without_mend_yaml_exits_2_with_the_message_of_build() {
    let site = Site::new();
    std::fs::remove_file(site.root().join("mend.yaml")).unwrap();
    let build = site.mend(&["build"]);
    let serve = site.mend(&["serve", "--port", "0"]);
    assert_eq!((build.code, serve.code), (2, 2), "{}", serve.stderr);
    let diagnostic = |s: &str| s.split("\n\n").next().unwrap_or("").trim_end().to_string();
    assert!(
        serve.stderr.starts_with("error: no mend.yaml in "),
        "{}",
        serve.stderr
    );
    assert_eq!(diagnostic(&serve.stderr), diagnostic(&build.stderr));
}

#[test]
fn an_accent_colour_from_mend_yaml_reaches_every_page() {
    let site = guides();
    site.file(
        "mend.yaml",
        &format!(
            "accent: \"#7A3E00\"\naccent_dark: \"#f0b070\"\n{}",
            crate::harness::CONFIG
        ),
    );
    site.build();
    for page in [
        "index.html",
        "articles/listening/index.html",
        "themes/therapy/index.html",
    ] {
        let html = site.read(page);
        assert!(html.contains("<style>:root{--accent:#7a3e00}@media (prefers-color-scheme:dark){:root:not([data-scheme=\"light\"]){--accent:#f0b070}}:root[data-scheme=\"dark\"]{--accent:#f0b070}</style>"), "{page}");
    }
    // Without one, no extra style.
    let plain = guides();
    plain.build();
    assert!(!plain.read("index.html").contains("--accent:"));
}

#[test]
fn an_accent_colour_that_fails_contrast_is_an_error_saying_which() {
    let site = guides();
    site.file(
        "mend.yaml",
        &format!("accent: \"#8cc4ec\"\n{}", crate::harness::CONFIG),
    );
    let run = site.build_fails(2);
    assert_eq!(
        run.stderr.split("\n\n").next().unwrap(),
        "mend.yaml:1:10: error: `accent` #8cc4ec has a contrast of 1.79:1 with the light scheme's page background #fbfaf7; links and buttons need at least 4.5:1\n  |\n1 | accent: \"#8cc4ec\"\n  |          ^^^^^^^\n  = help: `accent` is for the light scheme, `accent_dark` for the dark one: darken the one, lighten the other"
    );
    site.file(
        "mend.yaml",
        &format!("accent_dark: \"#1f5f8b\"\n{}", crate::harness::CONFIG),
    );
    let run = site.build_fails(2);
    assert!(
        run.stderr
            .starts_with("mend.yaml:1:15: error: `accent_dark` #1f5f8b has a contrast of "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("with the dark scheme's page background #161a1f")
    );
}

#[test]
fn on_a_large_site_the_navigation_lists_the_articles_around_the_page() {
    let site = Site::new();
    for i in 0..30 {
        site.article(&format!("a{i:02}"), "apology", "Text.\n");
    }
    site.build();
    let page = site.read("articles/a20/index.html");
    let sidebar = between(&page, "<nav class=\"sidebar\"", "</nav>");
    let articles: Vec<String> = hrefs(sidebar)
        .into_iter()
        .filter(|h| !h.contains("themes/"))
        .collect();
    // 16 around a20 (a12 to a27), then the rest behind one link.
    assert_eq!(articles.first().map(String::as_str), Some("../a12/"));
    assert!(sidebar.contains("<a href=\"./\" aria-current=\"page\">Title of a20</a>"));
    assert!(
        sidebar.contains("<a href=\"../\">14 more articles</a>"),
        "{sidebar}"
    );
    // The page itself is `./`: fifteen others beside it.
    assert_eq!(
        articles.iter().filter(|h| h.starts_with("../a")).count(),
        15
    );
}
