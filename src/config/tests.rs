use super::*;

fn parse_str(text: &str) -> Result<SiteConfig, Vec<Diagnostic>> {
    parse(Path::new("mend.yaml"), text, None)
}

#[test]
fn keeps_theme_order_and_adds_trailing_slash() {
    let c = parse_str(
        "title: T\nbase_url: https://example.org/kb\nthemes:\n  b: {title: B}\n  a: {title: A}\n",
    )
    .unwrap();
    assert_eq!(c.base_url.as_deref(), Some("https://example.org/kb/"));
    let ids: Vec<_> = c.themes.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["b", "a"]);
}

#[test]
fn errors_on_unknown_key_with_line() {
    let err = parse_str("title: T\nthemes:\n  a: {title: A}\ncolour: red\n").unwrap_err();
    assert_eq!(
        err[0].headline(),
        "mend.yaml:4:1: error: unknown field `colour`, expected one of `title`, `description`, `base_url`, `language`, `site_theme`, `themes`, `allow_raw_html`, `accent`, `accent_dark`, `logo`, `favicon`, `search`, `limits`, `safety`"
    );
    assert_eq!(err[0].kind, Kind::Usage);
}

#[test]
fn errors_on_bad_theme_id_and_base_url() {
    let err =
        parse_str("title: T\nbase_url: ftp://x\nthemes:\n  Bad_Id: {title: A}\n").unwrap_err();
    assert_eq!(err.len(), 2);
    assert_eq!(err[0].line, 4);
    assert_eq!(
        err[1].headline(),
        "mend.yaml:2:11: error: base URL `ftp://x` must start with http:// or https://"
    );
}

#[test]
fn limits_default_when_absent_and_take_what_is_written() {
    let base = "title: T\nthemes:\n  a: {title: A}\n";
    assert_eq!(parse_str(base).unwrap().limits, Limits::default());
    let c = parse_str(&format!(
        "{base}limits:\n  article_bytes: 1000\n  slug_bytes: 255\n"
    ))
    .unwrap();
    assert_eq!(c.limits.article_bytes, 1000);
    assert_eq!(c.limits.slug_bytes, 255);
    assert_eq!(c.limits.title_bytes, 1024);
}

#[test]
fn limits_out_of_range_or_unknown_are_errors_at_their_line() {
    let base = "title: T\nthemes:\n  a: {title: A}\nlimits:\n";
    let err = parse_str(&format!("{base}  slug_bytes: 256\n  page_bytes: 0\n")).unwrap_err();
    let heads: Vec<_> = err.iter().map(Diagnostic::headline).collect();
    assert_eq!(
        heads,
        [
            "mend.yaml:5:15: error: `limits.slug_bytes` must be between 1 and 255, not 256",
            "mend.yaml:6:15: error: `limits.page_bytes` must be between 1 and 1073741824, not 0",
        ]
    );
    assert_eq!(err[0].kind, Kind::Usage);
    let err = parse_str(&format!("{base}  page_size: 10\n")).unwrap_err();
    assert_eq!(
        err[0].headline(),
        "mend.yaml:5:3: error: limits: unknown field `page_size`, expected one of `front_matter_bytes`, `front_matter_depth`, `article_bytes`, `title_bytes`, `slug_bytes`, `page_bytes`, `search_text_bytes`, `highlight_line_bytes`, `file_bytes`, `files_bytes`"
    );
}

#[test]
fn slugs_are_lowercase_ascii_with_inner_hyphens() {
    assert!(is_slug("start-here-2"));
    for bad in ["", "-a", "a-", "A", "a_b", "é", "a.b"] {
        assert!(!is_slug(bad), "{bad}");
    }
}
