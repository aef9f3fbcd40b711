use super::*;
use crate::render::highlight::{scoped, syntax_css};

#[test]
fn escapes_the_five_characters_and_keeps_the_rest() {
    assert_eq!(
        escape("a<b>&\"c'd é—\u{2028}"),
        "a&lt;b&gt;&amp;&quot;c&#39;d é—\u{2028}"
    );
    assert_eq!(escape(""), "");
    assert_eq!(escape("<"), "&lt;");
}

#[test]
fn highlights_known_languages_with_prefixed_classes() {
    let html = highlight("rust", "fn main() {}\n", 100);
    assert!(html.contains("class=\"hl-"), "{html}");
    assert!(html.starts_with("<pre class=\"code hl-code\" data-lang=\"rust\">"));
}

#[test]
fn leaves_unknown_languages_and_long_lines_plain_but_escaped() {
    assert_eq!(
        highlight("nope", "<b>\n", 100),
        "<pre class=\"code\" data-lang=\"nope\"><code>&lt;b&gt;\n</code></pre>\n"
    );
    let line = "let x = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\";\n";
    assert!(highlight("rust", line, line.len() - 1).contains("hl-"));
    assert!(!highlight("rust", line, line.len() - 2).contains("hl-"));
}

#[test]
fn syntax_css_has_light_and_dark_palettes() {
    let css = syntax_css();
    assert!(css.contains(".hl-code"));
    assert!(css.contains("@media (prefers-color-scheme: dark)"));
    assert!(css.contains("  :root:not([data-scheme=\"light\"]) .hl-code {"));
    assert!(css.contains("\n:root[data-scheme=\"dark\"] .hl-code {"));
}

#[test]
fn scoping_prefixes_every_selector_of_a_list() {
    assert_eq!(
        scoped(".a, .b .c {\n color: red;\n}\n", "S"),
        "S .a, S .b .c {\n color: red;\n}\n"
    );
}
