use super::*;

fn site() -> SiteConfig {
    SiteConfig::with_themes("T", &["apology", "forgiveness"])
}

fn parse(text: &str) -> Result<Article, Vec<Diagnostic>> {
    article(
        &ArticleSource {
            slug: "a".into(),
            file: crate::load::SourceFile {
                path: "articles/a.md".into(),
                text: text.into(),
            },
        },
        &site(),
    )
}

const HEAD: &str = "---\ntitle: A\nsummary: S\nthemes: [apology]\n---\n";

#[test]
fn heading_ids_are_slugs_and_deduplicated() {
    let a = parse(&format!(
        "{HEAD}## It's *me*, again {{.apology}}\n## It's me, again\n## Custom {{#own}}\n"
    ))
    .unwrap();
    let ids: Vec<_> = a.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["its-me-again", "its-me-again-1", "own"]);
    assert_eq!(a.headings[0].themes, ["apology"]);
    assert_eq!(a.headings[0].line, 6);
}

#[test]
fn errors_on_unknown_heading_theme_with_column_and_hint() {
    let err = parse(&format!("{HEAD}## Letting go {{.forgivness}}\n")).unwrap_err();
    assert_eq!(
        err[0].headline(),
        "articles/a.md:6:17: error: unknown theme `forgivness` on heading"
    );
    assert_eq!(err[0].hint.as_deref(), Some("did you mean `forgiveness`?"));
}

#[test]
fn errors_on_heading_attributes_other_than_id_and_class() {
    let err = parse(&format!("{HEAD}## Hi {{onclick=alert(1)}}\n")).unwrap_err();
    assert_eq!(
        err[0].headline(),
        "articles/a.md:6:8: error: heading attribute `onclick` is not allowed"
    );
}

#[test]
fn front_matter_errors_point_into_the_md_file() {
    let err = parse("---\ntitle: A\nsummary: S\nthemes: [apology, forgivness]\ncolor: x\n---\n")
        .unwrap_err();
    let heads: Vec<_> = err.iter().map(Diagnostic::headline).collect();
    assert_eq!(heads[0], "articles/a.md:5:1: error: unknown key `color`");
    assert_eq!(
        err[0].hint.as_deref(),
        Some(
            "keys allowed here: title, summary, themes, source, date, updated, draft, content_note"
        )
    );
    let err = parse("---\ntitle: A\nsummary: S\nthemes: [apology, forgivness]\n---\n").unwrap_err();
    assert_eq!(
        err[0].headline(),
        "articles/a.md:4:19: error: unknown theme `forgivness`"
    );
}

#[test]
fn errors_on_missing_or_unclosed_front_matter() {
    assert_eq!(
        parse("# hi\n").unwrap_err()[0].message,
        "missing front matter: an article starts with a `---` line"
    );
    assert_eq!(
        parse("---\ntitle: A\n").unwrap_err()[0].message,
        "front matter is not closed: no `---` line after it"
    );
}

#[test]
fn classifies_links_the_way_authors_write_them() {
    let a = parse(&format!("{HEAD}[x](b.md) [y](./b.md#two) [z](#top) [[c]] [[c#s|w]] [e](https://e.org) [f](pic.png)\n")).unwrap();
    let t: Vec<_> = a.links.iter().map(|l| l.target.clone()).collect();
    let art = |s: &str, f: Option<&str>| Target::Article {
        slug: s.into(),
        fragment: f.map(String::from),
    };
    assert_eq!(
        t,
        [
            art("b", None),
            art("b", Some("two")),
            Target::Anchor("top".into()),
            art("c", None),
            art("c", Some("s")),
            Target::External("https://e.org".into()),
            Target::File {
                path: "articles/pic.png".into(),
                suffix: String::new()
            },
        ]
    );
    assert!(a.links[3].titled_by_target && !a.links[4].titled_by_target);
}

#[test]
fn images_show_files_or_absolute_urls() {
    let a = parse(&format!(
        "{HEAD}![a](images/x.png) ![b](https://e.org/y.png) ![c](/z.png)\n"
    ))
    .unwrap();
    let t: Vec<_> = a.images.iter().map(|i| i.target.clone()).collect();
    assert_eq!(
        t,
        [
            Target::File {
                path: "articles/images/x.png".into(),
                suffix: String::new()
            },
            Target::External("https://e.org/y.png".into()),
            Target::External("/z.png".into()),
        ]
    );
    assert_eq!((a.images[1].at.line, a.images[1].at.col), (6, 20));
    for (dest, message) in [
        (
            "",
            "empty image source: write the image file's path, e.g. `![A diagram](images/diagram.png)`",
        ),
        (
            "#top",
            "image source `#top` is a section, not an image file",
        ),
        (
            "b.md",
            "image source `b.md` is an article, not an image file",
        ),
        (
            "../../x.png",
            "link to `../../x.png` leads out of the knowledge base",
        ),
    ] {
        let err = parse(&format!("{HEAD}![x]({dest})\n")).unwrap_err();
        assert_eq!(
            err[0].headline(),
            format!("articles/a.md:6:1: error: {message}")
        );
    }
}

#[test]
fn rejects_script_schemes_after_decoding() {
    for dest in [
        "javascript:alert(1)",
        "JaVa%73cript:alert(1)",
        "java\tscript:x",
        "data:text/html,x",
        "vbscript:x",
        "javascript&#58;x",
    ] {
        let err = parse(&format!("{HEAD}[x](<{dest}>)\n")).unwrap_err();
        assert!(
            err[0].message.contains("links are not allowed"),
            "{dest}: {}",
            err[0].message
        );
        assert_eq!((err[0].line, err[0].col), (6, 1));
    }
}

#[test]
fn words_split_by_markup_count_once() {
    let a = parse(&format!(
        "{HEAD}It's [a link](#x). *Emphasis*, done.\n\nNext paragraph\n\n## X\n"
    ))
    .unwrap();
    assert_eq!(
        a.word_count, 8,
        "It's, a, link., Emphasis,, done., Next, paragraph, and the heading X"
    );
}

#[test]
fn raw_html_becomes_text() {
    let a = parse(&format!("{HEAD}<script>x</script>\n\nHi <b>there</b>\n")).unwrap();
    assert!(
        !body_events(&a.markdown, false)
            .any(|(e, _)| matches!(e, Event::Html(_) | Event::InlineHtml(_)))
    );
    assert!(
        body_events(&a.markdown, true)
            .any(|(e, _)| matches!(e, Event::Html(_) | Event::InlineHtml(_)))
    );
}

#[test]
fn validates_dates() {
    assert!(Date::parse("2024-02-29").is_some());
    assert!(Date::parse("2023-02-29").is_none() || Date::parse("2024-13-01").is_none());
    assert!(Date::parse("2024-1-01").is_none());
    let err =
        parse("---\ntitle: A\nsummary: S\nthemes: [apology]\ndate: 2024-13-01\n---\n").unwrap_err();
    assert_eq!(
        err[0].headline(),
        "articles/a.md:5:7: error: `date` must be a date written YYYY-MM-DD, not `2024-13-01`"
    );
}
