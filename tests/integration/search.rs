use std::collections::BTreeMap;

use crate::harness::{Site, run, tree};

/// The JSON inside `mendSearchLoad("name", JSON);`.
fn data(site: &Site, name: &str) -> serde_json::Value {
    let text = site.read(&format!("search/{name}.js"));
    let prefix = format!("mendSearchLoad(\"{name}\",");
    let json = text
        .strip_prefix(&prefix)
        .and_then(|t| t.strip_suffix(");\n"))
        .unwrap_or_else(|| panic!("bad wrapper: {text}"));
    serde_json::from_str(json).unwrap()
}

fn docs(site: &Site) -> Vec<serde_json::Value> {
    let manifest = data(site, "manifest");
    let n = manifest["docs"].as_u64().unwrap() as usize;
    let chunk = manifest["chunk"].as_u64().unwrap() as usize;
    (0..n.div_ceil(chunk))
        .flat_map(|i| data(site, &format!("d/{i}")).as_array().unwrap().clone())
        .collect()
}

fn fixture() -> Site {
    let site = Site::new();
    site.article("apologising", "apology", "Intro words here.\n\n## Saying sorry {.apology}\n\nApologizing sincerely matters.\n\n#### Deeper\n\nNested text.\n\n## Letting go {.forgiveness}\n\nForgiveness takes time.\n")
        .article("listening", "therapy", "## Finding a therapist {.therapy}\n\nCounsellors help.\n")
        .file("articles/secret.md", "---\ntitle: Secret draft\nsummary: S\nthemes: [apology]\ndraft: true\n---\nUnpublishedword here.\n");
    site
}

#[test]
fn every_h2_and_h3_is_a_document_with_its_anchor() {
    let site = fixture();
    site.build();
    let urls: Vec<String> = docs(&site)
        .iter()
        .map(|d| d[0].as_str().unwrap().to_string())
        .collect();
    // listening has no introduction of its own: it is not a document.
    assert_eq!(
        urls,
        [
            "articles/apologising/",
            "articles/apologising/#saying-sorry",
            "articles/apologising/#letting-go",
            "articles/listening/#finding-a-therapist",
        ]
    );
    let all = docs(&site);
    assert_eq!(all[1][2], "Saying sorry");
    assert_eq!(
        all[1][4],
        "Apologizing sincerely matters. Deeper Nested text."
    );
    assert_eq!(all[0][1], "Title of apologising");
    assert_eq!(
        all[0][3],
        serde_json::json!([]),
        "introductions carry no themes"
    );
    assert_eq!(all[1][3], serde_json::json!([0]), "the section's own tag");
}

#[test]
fn stems_point_at_the_right_sections_with_theme_masks() {
    let site = fixture();
    site.build();
    let shard = data(&site, "t/ap");
    let postings = shard["apolog"].as_array().unwrap();
    let mut docs: Vec<u64> = postings.iter().map(|p| p[0].as_u64().unwrap()).collect();
    docs.sort();
    assert_eq!(
        docs,
        [1],
        "the section saying it, not the introduction of an article with the theme: {postings:?}"
    );
    assert!(
        postings.iter().all(|p| p[2] == 1),
        "apology is theme bit 0: {postings:?}"
    );
    let forgiveness = &data(&site, "t/fo")["forgiv"];
    assert_eq!(forgiveness[0][0], 2);
    assert_eq!(
        forgiveness[0][2], 2,
        "the section's own tag (forgiveness, bit 1), not its article's apology"
    );
    let therapist = &data(&site, "t/th")["therapist"];
    assert_eq!(therapist[0][0], 3);
    assert_eq!(therapist[0][2], 4, "therapy is theme bit 2");
}

#[test]
fn sections_with_nothing_of_their_own_are_not_documents() {
    let site = Site::new();
    site.article(
        "notes",
        "apology",
        "*This article restates a guide, in our own words.*\n\n## Navigating forgiveness\n\n### First step\n\nForgiveness is slow.\n\n### Second step\n\nKeep going.\n",
    );
    site.build();
    let all = docs(&site);
    let headings: Vec<&str> = all.iter().map(|d| d[2].as_str().unwrap()).collect();
    assert_eq!(headings, ["First step", "Second step"]);
    let all: String = tree(&site.root().join("site/search"))
        .values()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(!all.contains("restat"), "the note is not indexed");
    assert!(!all.contains("\"navig\""), "the empty H2 is not indexed");
}

#[test]
fn drafts_never_reach_the_index() {
    let site = fixture();
    site.build();
    let all: String = tree(&site.root().join("site/search"))
        .values()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(!all.contains("Secret draft"));
    assert!(!all.contains("unpublishedword"));
}

#[test]
fn the_manifest_lists_shards_themes_stop_words_and_stemmed_synonyms() {
    let site = fixture();
    site.file(
        "mend.yaml",
        &format!(
            "{}search:\n  synonyms:\n    - [therapist, Counsellor, counselling]\n",
            crate::harness::CONFIG
        ),
    );
    site.build();
    let m = data(&site, "manifest");
    assert_eq!(m["v"], 2);
    assert_eq!(m["docs"], 4);
    assert_eq!(
        m["themes"][1],
        serde_json::json!(["forgiveness", "Forgiveness"])
    );
    assert!(
        m["stop"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("the"))
    );
    assert_eq!(
        m["syn"],
        serde_json::json!([["therapist", "counsellor", "counsel"]])
    );
    for key in m["shards"].as_array().unwrap() {
        assert!(site.exists(&format!("search/t/{}.js", key.as_str().unwrap())));
    }
}

#[test]
fn titles_that_look_like_markup_cannot_break_out_of_the_script() {
    let site = Site::new();
    site.file("articles/x.md", "---\ntitle: \"</script><script>alert(1)</script> \\u2028 <img src=x onerror=alert(1)>\"\nsummary: S\nthemes: [apology]\n---\nBody & more\n");
    site.build();
    let text = site.read("search/d/0.js");
    assert!(
        !text.contains('<')
            && !text.contains('>')
            && !text.contains('&')
            && !text.contains('\u{2028}'),
        "{text}"
    );
    assert!(text.contains("\\u003c/script\\u003e"));
}

#[test]
fn the_index_is_identical_across_builds_and_thread_counts() {
    let site = fixture();
    assert_eq!(
        run(
            site.root(),
            &["build", "-o", "a"],
            &[("RAYON_NUM_THREADS", "1")]
        )
        .code,
        0
    );
    assert_eq!(
        run(
            site.root(),
            &["build", "-o", "b"],
            &[("RAYON_NUM_THREADS", "3")]
        )
        .code,
        0
    );
    let a: BTreeMap<_, _> = tree(&site.root().join("a/search"));
    assert!(!a.is_empty());
    assert_eq!(a, tree(&site.root().join("b/search")));
}

#[test]
fn every_page_has_the_search_box_and_the_search_page_has_the_results_list() {
    let site = fixture();
    site.build();
    for page in [
        "index.html",
        "articles/listening/index.html",
        "themes/apology/index.html",
        "404.html",
    ] {
        let html = site.read(page);
        assert!(
            html.contains("<form class=\"search-box\" role=\"search\""),
            "{page}"
        );
        // The runtime loads on first use, not with every page.
        assert!(html.contains("js.src = root + \"search.js\""), "{page}");
        assert!(!html.contains("search.js\" defer></script>"), "{page}");
    }
    let page = site.read("search/index.html");
    assert!(page.contains("<ol id=\"search-results\"></ol>"));
    assert!(page.contains("<script src=\"../search.js\" defer></script>"));
    assert!(page.contains("data-root=\"../\""));
}
