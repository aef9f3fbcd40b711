use super::*;
use crate::load::{ArticleSource, SourceFile};

fn site() -> SiteConfig {
    SiteConfig::with_themes("T", &["apology", "therapy", "patience"])
}

fn art(slug: &str, themes: &str, body: &str) -> Arc<Article> {
    let text = format!("---\ntitle: {slug}\nsummary: s\nthemes: [{themes}]\n---\n{body}");
    let source = ArticleSource {
        slug: slug.into(),
        file: SourceFile {
            path: format!("articles/{slug}.md").into(),
            text: text.into(),
        },
    };
    Arc::new(crate::parse::article(&source, &site()).unwrap())
}

#[test]
fn resolves_links_and_collects_backlinks() {
    let kb = knowledge_base(
        site(),
        vec![
            art("a", "apology", "[b](b.md#two)\n"),
            art("b", "therapy", "## Two\n"),
        ],
        false,
        &Files::default(),
    )
    .unwrap();
    assert_eq!(
        kb.connections[0].links,
        [Resolved::Article {
            index: 1,
            heading: Some(0)
        }]
    );
    assert_eq!(kb.connections[1].backlinks, [0]);
    assert!(kb.connections[0].backlinks.is_empty());
}

#[test]
fn links_and_images_to_files_resolve_and_publish_each_file_once() {
    let files: Files = [
        ("articles/a.pdf".to_string(), 3),
        ("articles/img/b.png".to_string(), 4),
        ("articles/unused.txt".to_string(), 1),
    ]
    .into_iter()
    .collect();
    let body = "[x](a.pdf#p=2) ![y](img/b.png) [z](./a.pdf)\n";
    let kb = knowledge_base(site(), vec![art("a", "apology", body)], false, &files).unwrap();
    assert_eq!(kb.files, ["articles/a.pdf", "articles/img/b.png"]);
    let file = |path: &str, suffix: &str| Resolved::File {
        path: path.into(),
        suffix: suffix.into(),
    };
    assert_eq!(
        kb.connections[0].links,
        [file("articles/a.pdf", "#p=2"), file("articles/a.pdf", "")]
    );
    assert_eq!(kb.connections[0].images, [file("articles/img/b.png", "")]);
    let err = knowledge_base(
        site(),
        vec![art("a", "apology", "\n![y](img/c.png)\n")],
        false,
        &files,
    )
    .unwrap_err();
    assert_eq!(
        err[0].headline(),
        "articles/a.md:7:1: error: missing image file `img/c.png`"
    );
    assert_eq!(err[0].hint.as_deref(), Some("did you mean `img/b.png`?"));
}

#[test]
fn links_to_missing_anchor_report_line_and_suggestion() {
    let err = knowledge_base(
        site(),
        vec![
            art("a", "apology", "\n[b](b.md#tow)\n"),
            art("b", "therapy", "## Two\n"),
        ],
        false,
        &Files::default(),
    )
    .unwrap_err();
    assert_eq!(
        err[0].headline(),
        "articles/a.md:7:1: error: no section `#tow` in `b`"
    );
    assert_eq!(err[0].hint.as_deref(), Some("did you mean `#two`?"));
}

#[test]
fn related_ranks_front_matter_themes_above_section_themes() {
    let kb = knowledge_base(
        site(),
        vec![
            art("a", "apology, therapy", ""),
            art("b", "patience", "## X {.apology}\n"),
            art("c", "therapy", ""),
            art("d", "patience", ""),
        ],
        false,
        &Files::default(),
    )
    .unwrap();
    let rel: Vec<_> = kb.connections[0]
        .related
        .iter()
        .map(|r| {
            (
                kb.articles[r.article].slug.as_str(),
                r.shared.clone(),
                r.score,
            )
        })
        .collect();
    assert_eq!(
        rel,
        [
            ("c", vec!["therapy".to_string()], 2),
            ("b", vec!["apology".to_string()], 1)
        ]
    );
}

#[test]
fn theme_index_lists_tagged_sections_grouped_by_article() {
    let kb = knowledge_base(
        site(),
        vec![
            art(
                "b",
                "therapy",
                "## One {.apology}\n## Two\n## Three {.apology}\n",
            ),
            art("a", "apology", "## A {.apology}\n"),
        ],
        false,
        &Files::default(),
    )
    .unwrap();
    assert_eq!(kb.themes[0].sections, [(0, 0), (1, 0), (1, 2)]);
    assert_eq!(kb.themes[0].articles, [0, 1]);
}

#[test]
fn drafts_are_left_out_and_links_to_them_explained() {
    let mut draft = art("d", "apology", "");
    Arc::make_mut(&mut draft).draft = true;
    let kb = knowledge_base(
        site(),
        vec![art("a", "apology", ""), draft.clone()],
        false,
        &Files::default(),
    )
    .unwrap();
    assert_eq!(kb.articles.len(), 1);
    let err = knowledge_base(
        site(),
        vec![art("a", "apology", "[[d]]\n"), draft],
        false,
        &Files::default(),
    )
    .unwrap_err();
    assert_eq!(
        err[0].message,
        "link to `d`, a draft left out of this build"
    );
}
