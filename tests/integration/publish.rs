use crate::harness::{CONFIG, Site, hrefs};

fn dated(site: &Site, slug: &str, date: Option<&str>, title: &str) {
    let date = date.map(|d| format!("date: {d}\n")).unwrap_or_default();
    site.file(&format!("articles/{slug}.md"), &format!("---\ntitle: '{title}'\nsummary: About {slug} & more.\nthemes: [apology]\n{date}---\nText.\n"));
}

#[test]
fn the_atom_feed_lists_dated_articles_newest_first_then_undated() {
    let site = Site::new();
    dated(&site, "old", Some("2020-01-02"), "Old");
    dated(&site, "new", Some("2024-05-06"), "New <one> & \"quoted\"");
    dated(&site, "undated", None, "Undated");
    site.build();
    let feed = site.read("feed.xml");
    assert!(feed.starts_with(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\""
    ));
    let ids: Vec<&str> = feed
        .split("<id>")
        .skip(1)
        .map(|s| s.split("</id>").next().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "https://example.org/kb/",
            "https://example.org/kb/articles/new/",
            "https://example.org/kb/articles/old/",
            "https://example.org/kb/articles/undated/",
        ]
    );
    assert!(
        feed.contains("<title>New &lt;one&gt; &amp; &quot;quoted&quot;</title>"),
        "{feed}"
    );
    assert!(feed.contains("<updated>2024-05-06T00:00:00Z</updated>"));
    assert!(feed.contains("<summary>About new &amp; more.</summary>"));
}

#[test]
fn sitemap_and_robots_use_absolute_urls() {
    let site = Site::new();
    dated(&site, "a", Some("2021-03-04"), "A");
    site.build();
    let sitemap = site.read("sitemap.xml");
    assert!(
        sitemap.contains(
            "<url><loc>https://example.org/kb/articles/a/</loc><lastmod>2021-03-04</lastmod></url>"
        ),
        "{sitemap}"
    );
    assert!(sitemap.contains("<loc>https://example.org/kb/themes/therapy/</loc>"));
    assert!(!sitemap.contains("search/") && !sitemap.contains("404"));
    assert_eq!(
        site.read("robots.txt"),
        "User-agent: *\nAllow: /\nSitemap: https://example.org/kb/sitemap.xml\n"
    );
}

#[test]
fn without_a_base_url_there_is_no_feed_or_sitemap() {
    let site = Site::new();
    site.file(
        "mend.yaml",
        &CONFIG.replace("base_url: https://example.org/kb/\n", ""),
    );
    site.article("a", "apology", "");
    site.build();
    assert!(!site.exists("feed.xml") && !site.exists("sitemap.xml"));
    assert_eq!(site.read("robots.txt"), "User-agent: *\nAllow: /\n");
    assert!(!site.read("index.html").contains("rel=\"canonical\""));
}

#[test]
fn every_page_has_description_canonical_and_open_graph() {
    let site = Site::new();
    site.article("a", "apology", "");
    site.build();
    let page = site.read("articles/a/index.html");
    for needle in [
        "<meta name=\"description\" content=\"Summary of a.\">",
        "<link rel=\"canonical\" href=\"https://example.org/kb/articles/a/\">",
        "<meta property=\"og:title\" content=\"Title of a · Fixture KB\">",
        "<meta property=\"og:description\" content=\"Summary of a.\">",
        "<meta property=\"og:type\" content=\"article\">",
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Fixture KB\" href=\"https://example.org/kb/feed.xml\">",
    ] {
        assert!(page.contains(needle), "missing {needle}");
    }
}

#[test]
fn portable_builds_link_every_page_by_its_index_html() {
    let site = Site::new();
    site.article("a", "apology", "[[b]] and [b's section](b.md#two)\n")
        .article("b", "therapy", "## Two {.therapy}\n");
    assert_eq!(site.mend(&["build", "--portable"]).code, 0);
    for page in [
        "index.html",
        "articles/a/index.html",
        "themes/therapy/index.html",
        "search/index.html",
    ] {
        for href in hrefs(&site.read(page)) {
            let internal = !href.starts_with("http") && !href.starts_with('#');
            let file = href.split('#').next().unwrap();
            assert!(
                !internal
                    || file.ends_with(".html")
                    || file.ends_with(".css")
                    || file.ends_with(".xml"),
                "{page}: {href}"
            );
        }
    }
    assert!(
        site.read("articles/a/index.html")
            .contains("href=\"../b/index.html#two\"")
    );
    assert!(site.read("search/d/0.js").contains("articles/a/index.html"));
    assert!(
        !site.exists("404.html"),
        "its absolute links cannot work from disk"
    );
}
