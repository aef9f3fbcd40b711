use crate::harness::{Site, hrefs, hrefs_between};

fn three_articles() -> Site {
    let site = Site::new();
    site.article(
        "apologising",
        "apology",
        "Intro.\n\n## Saying sorry {.apology}\n\nText.\n\n## Letting go {.forgiveness}\n\nSee [[listening]] and [the help](listening.md#finding-help).\n",
    )
    .article("listening", "therapy, apology", "## Finding help {.therapy}\n\nBack to [sorry](apologising.md#saying-sorry).\n\n## Untagged\n")
    .article("unrelated", "forgiveness", "## Quiet {.forgiveness}\n\nNothing links here.\n");
    site
}

#[test]
fn builds_every_page_kind_with_a_summary_line() {
    let site = three_articles();
    let run = site.build();
    assert!(
        run.stderr
            .starts_with("built 3 articles, 3 themes, 11 pages in "),
        "{}",
        run.stderr
    );
    for page in [
        "index.html",
        "articles/index.html",
        "articles/apologising/index.html",
        "articles/listening/index.html",
        "articles/unrelated/index.html",
        "themes/index.html",
        "themes/apology/index.html",
        "themes/forgiveness/index.html",
        "themes/therapy/index.html",
        "404.html",
        "style.css",
        ".mend-output",
    ] {
        assert!(site.exists(page), "missing {page}");
    }
    assert!(
        !site.exists("syntax.css"),
        "syntax.css without any fenced code"
    );
}

#[test]
fn quiet_build_prints_nothing() {
    let site = three_articles();
    let run = site.mend(&["build", "--quiet"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
}

#[test]
fn links_between_articles_become_relative_urls() {
    let site = three_articles();
    site.build();
    let page = site.read("articles/apologising/index.html");
    let body = hrefs_between(&page, "<div class=\"body\">", "</div>");
    assert!(body.contains(&"../listening/".to_string()), "{body:?}");
    assert!(
        body.contains(&"../listening/#finding-help".to_string()),
        "{body:?}"
    );
    // A wiki link without text shows the target's title.
    assert!(
        page.contains("<a href=\"../listening/\">Title of listening</a>"),
        "{page}"
    );
    let other = site.read("articles/listening/index.html");
    assert!(hrefs(&other).contains(&"../apologising/#saying-sorry".to_string()));
}

#[test]
fn headings_get_stable_ids_and_custom_ids() {
    let site = Site::new();
    site.article("a", "apology", "## Same\n\n## Same\n\n## Same\n\n## Mine {#custom-id .apology}\n\n[x](#same-2) [y](#custom-id)\n");
    site.build();
    let page = site.read("articles/a/index.html");
    for id in ["same", "same-1", "same-2", "custom-id"] {
        assert!(page.contains(&format!("id=\"{id}\"")), "no id {id}");
    }
}

#[test]
fn theme_pages_list_exactly_the_tagged_sections_grouped_by_article() {
    let site = three_articles();
    site.build();
    let page = site.read("themes/forgiveness/index.html");
    let sections = hrefs_between(&page, "<h1>", "</main>");
    assert_eq!(
        sections,
        [
            "../../articles/apologising/",
            "../../articles/apologising/#letting-go",
            "../../articles/unrelated/",
            "../../articles/unrelated/#quiet",
        ]
    );
    let therapy = site.read("themes/therapy/index.html");
    let sections = hrefs_between(&therapy, "<h1>", "</main>");
    assert_eq!(
        sections,
        [
            "../../articles/listening/",
            "../../articles/listening/#finding-help"
        ]
    );
}

#[test]
fn related_articles_are_ranked_and_say_why() {
    let site = three_articles();
    site.build();
    let page = site.read("articles/apologising/index.html");
    let related = hrefs_between(&page, "id=\"related-heading\"", "</section>");
    // listening shares apology in both front matters (2); unrelated shares forgiveness via a section (1).
    assert_eq!(related, ["../listening/", "../unrelated/"]);
    assert!(
        page.contains("<span class=\"why\">also on apology</span>"),
        "{page}"
    );
    assert!(
        page.contains("<span class=\"why\">also on forgiveness</span>"),
        "{page}"
    );
}

#[test]
fn backlinks_list_the_articles_linking_here() {
    let site = three_articles();
    site.build();
    let listening = site.read("articles/listening/index.html");
    assert_eq!(
        hrefs_between(&listening, "id=\"backlinks-heading\"", "</section>"),
        ["../apologising/"]
    );
    let unrelated = site.read("articles/unrelated/index.html");
    assert!(!unrelated.contains("backlinks-heading"));
}

#[test]
fn tagged_sections_say_where_else_the_theme_is_treated() {
    let site = three_articles();
    site.build();
    let page = site.read("articles/apologising/index.html");
    let line = page
        .lines()
        .find(|l| l.contains("class=\"also-on\"") && l.contains("Forgiveness"))
        .expect("also-on line");
    assert_eq!(
        hrefs(line),
        ["../../themes/forgiveness/", "../unrelated/#quiet"]
    );
}

#[test]
fn article_page_has_breadcrumbs_toc_source_and_pager() {
    let site = Site::new();
    site.file(
        "articles/a.md",
        "---\ntitle: A <b>bold</b> title\nsummary: S\nthemes: [apology]\nsource:\n  title: Original guide\n---\n## One\n### One point one\n## Two\n",
    )
    .article("b", "apology", "Text\n");
    site.build();
    let page = site.read("articles/a/index.html");
    assert!(
        page.contains("<h1>A &lt;b&gt;bold&lt;/b&gt; title</h1>"),
        "{page}"
    );
    assert_eq!(
        hrefs_between(&page, "class=\"breadcrumbs\"", "</nav>"),
        ["../../", "../"]
    );
    assert_eq!(
        hrefs_between(&page, "class=\"toc\"", "</nav>"),
        ["#one", "#one-point-one", "#two"]
    );
    assert!(
        page.contains("Restated from <cite>Original guide</cite>, publisher not named."),
        "{page}"
    );
    assert_eq!(hrefs_between(&page, "class=\"pager\"", "</nav>"), ["../b/"]);
    assert!(page.contains("<link rel=\"canonical\" href=\"https://example.org/kb/articles/a/\">"));
}

#[test]
fn home_page_links_start_here_themes_and_articles() {
    let site = Site::new();
    site.article("start-here", "apology", "## Hello {.apology}\n")
        .article("zeta", "therapy", "");
    site.build();
    let home = site.read("index.html");
    assert!(
        home.contains("<a class=\"button\" href=\"articles/start-here/\">Start here</a>"),
        "{home}"
    );
    assert!(
        home.contains("Apology <span class=\"count\">1 section</span>"),
        "{home}"
    );
    assert!(home.contains("href=\"themes/therapy/\""));
    assert!(home.contains("Summary of zeta."));
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let site = Site::new();
    site.article("a", "apology", "").file(
        "articles/d.md",
        "---\ntitle: D\nsummary: S\nthemes: [apology]\ndraft: true\n---\n",
    );
    site.build();
    assert!(!site.exists("articles/d/index.html"));
    assert!(site.mend(&["build", "--drafts"]).code == 0);
    assert!(site.exists("articles/d/index.html"));
}

#[test]
fn raw_html_is_escaped_unless_allowed() {
    let site = Site::new();
    site.article(
        "a",
        "apology",
        "<script>alert(1)</script>\n\nHi <b onclick=x>there</b>\n",
    );
    site.build();
    let page = site.read("articles/a/index.html");
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("&lt;b onclick=x&gt;"));
    site.file(
        "mend.yaml",
        &format!("{}allow_raw_html: true\n", crate::harness::CONFIG),
    );
    site.build();
    assert!(
        site.read("articles/a/index.html")
            .contains("<b onclick=x>there</b>")
    );
}

#[test]
fn fenced_code_is_highlighted_with_classes_and_a_stylesheet() {
    let site = Site::new();
    site.article("a", "apology", "```rust\nfn main() {}\n```\n")
        .article("b", "apology", "No code.\n");
    site.build();
    assert!(site.exists("syntax.css"));
    let page = site.read("articles/a/index.html");
    assert!(page.contains("<pre class=\"code hl-code\" data-lang=\"rust\">"));
    assert!(page.contains("href=\"../../syntax.css\""));
    assert!(!site.read("articles/b/index.html").contains("syntax.css"));
}

#[test]
fn base_url_flag_sets_absolute_urls_and_404_paths() {
    let site = Site::new();
    site.article("a", "apology", "");
    assert_eq!(
        site.mend(&["build", "--base-url", "https://other.example/docs"])
            .code,
        0
    );
    assert!(
        site.read("articles/a/index.html")
            .contains("href=\"https://other.example/docs/articles/a/\"")
    );
    let not_found = site.read("404.html");
    assert!(
        not_found.contains("href=\"/docs/style.css\""),
        "{not_found}"
    );
}

#[test]
fn theme_static_files_and_templates_come_from_the_project() {
    let site = Site::new();
    site.article("a", "apology", "");
    site.with_plain_theme("plain", "<p>{{ site.title }}</p>")
        .file("themes/plain/static/img/x.svg", "<svg/>");
    site.build();
    assert_eq!(site.read("index.html"), "<p>Fixture KB</p>");
    assert_eq!(site.read("img/x.svg"), "<svg/>");
}

#[test]
fn text_is_fully_escaped_and_image_alt_text_survives() {
    let site = Site::new();
    site.article(
        "a",
        "apology",
        "Say `a=\"b\"` and <b title=\"x\">raw</b>.\n\n![An \"odd\" <alt>](pic.png)\n",
    );
    site.file("articles/pic.png", "PNG");
    site.build();
    let page = site.read("articles/a/index.html");
    assert!(page.contains("<code>a=&quot;b&quot;</code>"), "{page}");
    assert!(
        page.contains("&lt;b title=&quot;x&quot;&gt;raw&lt;/b&gt;"),
        "{page}"
    );
    assert!(
        page.contains("<img src=\"../pic.png\" alt=\"An “odd” &lt;alt&gt;\""),
        "{page}"
    );
}

/// `mend build` counts the search index from the text it gathers while
/// rendering each page (one walk of the Markdown for both); `mend::generate`
/// and the preview have search walk the Markdown itself. Both must give
/// the same index, byte for byte, on every kind of heading and text. 300
/// articles make two of the build's batches of 256; the last article, with
/// words no other has, is counted in the second (its terms are numbered
/// again when the batch is merged into the first).
#[test]
fn the_index_gathered_while_rendering_is_the_index_searchs_own_walk_makes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("kb");
    crate::harness::generated_corpus(&root, 299, 11);
    std::fs::write(
        root.join("articles/zz-every-heading.md"),
        "---\ntitle: Every heading\nsummary: Headings of every level.\nthemes: [apology]\n---\n\
         Intro with `code` and *emphasis*,\nover two lines.  \nA hard break.\n\n\
         # A first-level heading\n\nAfter it.\n\n\
         ## Second {.apology}\n\n- a list\n- of two\n\n> a quote\n\n\
         #### Fourth level\n\nBody under it.\n\n\
         ### Third {#custom-id}\n\n| a | b |\n|---|---|\n| c | d |\n\n\
         ```rust\nfn main() {}\n```\n\n<span>raw html</span>\n\n\
         ##### Fifth\n\n## Empty\n\n## Last\n\nThe end[^1].\n\n[^1]: A footnote.\n",
    )
    .expect("write article");
    let built = crate::harness::run(&root, &["build"], &[]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    let generated = mend::generate(&mend::BuildOptions {
        root: root.clone(),
        ..mend::BuildOptions::default()
    })
    .expect("generate");
    let index: Vec<_> = generated
        .files
        .iter()
        .filter(|f| f.path.starts_with("search/") && f.path.ends_with(".js"))
        .collect();
    assert!(index.len() > 10, "{} index files", index.len());
    for file in index {
        let on_disk = std::fs::read(root.join("site").join(&file.path))
            .unwrap_or_else(|e| panic!("{}: {e}", file.path));
        assert!(on_disk == file.bytes, "{} differs", file.path);
    }
    let every = std::fs::read_to_string(root.join("site/search/d/0.js")).expect("d/0.js");
    assert!(every.contains("mendSearchLoad"), "{every}");
}
