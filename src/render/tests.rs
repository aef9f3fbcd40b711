use super::pages::{base_path, date_view, reading_minutes, toc};
use super::templates::position_in;

#[test]
fn long_outlines_list_only_h2s_in_the_toc() {
    let mut text = String::from("---\ntitle: A\nsummary: S\nthemes: [apology]\n---\n");
    for i in 0..13 {
        text.push_str(&format!("## Part {i}\n### Detail {i}\n"));
    }
    let site = crate::config::SiteConfig::with_themes("T", &["apology"]);
    let source = crate::load::ArticleSource {
        slug: "a".into(),
        file: crate::load::SourceFile {
            path: "articles/a.md".into(),
            text: text.into(),
        },
    };
    let article = crate::parse::article(&source, &site).unwrap();
    let entries = toc(&article);
    assert_eq!(entries.len(), 13);
    assert!(entries.iter().all(|e| e.children.is_empty()));
}

#[test]
fn reads_tera_positions() {
    assert_eq!(
        position_in("Failed to parse\n --> 12:7\n  |"),
        Some((12, 7))
    );
    assert_eq!(position_in("nothing"), None);
}

#[test]
fn base_path_of_sub_path_sites() {
    assert_eq!(base_path("https://example.org/kb/"), "/kb/");
    assert_eq!(base_path("https://example.org/"), "/");
}

#[test]
fn reading_time_rounds_up_and_dates_read_naturally() {
    assert_eq!(reading_minutes(0), 1);
    assert_eq!(reading_minutes(201), 2);
    let date = crate::parse::Date::parse("2024-03-05").expect("a date");
    assert_eq!(date_view(&date).text, "5 March 2024");
    assert_eq!(date_view(&date).iso, "2024-03-05");
}
