use super::*;

#[test]
fn position_counts_lines_and_characters() {
    let text = "ab\nçd ef\n";
    let p = Position::of(text, text.find('e').unwrap());
    assert_eq!((p.line, p.col), (2, 4));
    assert_eq!(&text[p.line_start..p.line_end], "çd ef");
}

#[test]
fn renders_location_snippet_caret_and_hint() {
    let d = Diagnostic::error("unknown theme `forgivness`")
        .in_file("articles/a.md")
        .at(3, 10, "themes: [forgivness]", 10)
        .with_hint("did you mean `forgiveness`?");
    assert_eq!(
        d.to_string(),
        "articles/a.md:3:10: error: unknown theme `forgivness`\n  |\n3 | themes: [forgivness]\n  |          ^^^^^^^^^^\n  = help: did you mean `forgiveness`?"
    );
}

#[test]
fn quotes_a_window_of_a_long_line_with_the_caret_on_the_spot() {
    let line = format!("{}[b](x.md){}", "a".repeat(500), "z".repeat(500));
    let d = Diagnostic::error("m").in_file("a.md").at(3, 501, &line, 9);
    let shown = d.to_string();
    let expected = format!(
        "a.md:3:501: error: m\n  |\n3 | …{}[b](x.md){}…\n  | {}^^^^^^^^^",
        "a".repeat(50),
        "z".repeat(61),
        " ".repeat(51)
    );
    assert_eq!(shown, expected);
    let short = Excerpt::around("ab\ncd", 4);
    assert_eq!((short.text.as_str(), short.col), ("cd", 2));
}

#[test]
fn escapes_control_characters_and_keeps_the_caret_aligned() {
    let d = Diagnostic::error("bad `\u{1b}]0;x\u{7}`")
        .in_file("a\u{1b}.md")
        .at(1, 3, "\t\u{1b}x", 1);
    assert_eq!(
        d.to_string(),
        "a\\u{1b}.md:1:3: error: bad `\\u{1b}]0;x\\u{7}`\n  |\n1 | →\\u{1b}x\n  |        ^"
    );
}

#[test]
fn shows_ten_diagnostics_a_file_then_counts_the_rest() {
    let mut all: Vec<Diagnostic> = (0..12)
        .map(|i| Diagnostic::error(format!("e{i}")).in_file("a.md"))
        .collect();
    all.push(Diagnostic::warning("w").in_file("a.md"));
    all.push(Diagnostic::error("other").in_file("b.md"));
    let shown = shown(&all);
    assert_eq!(shown.len(), 12);
    assert_eq!(shown[10], "b.md: error: other");
    assert_eq!(
        shown[11],
        "a.md: and 2 more errors and 1 more warning in this file"
    );
}

#[test]
fn suggests_only_close_words() {
    let themes = ["apology", "forgiveness", "therapy"];
    assert_eq!(did_you_mean("forgivness", themes), Some("forgiveness"));
    assert_eq!(did_you_mean("banana", themes), None);
}

#[test]
fn usage_errors_exit_with_two() {
    let f = Failure::from(vec![Diagnostic::error("x"), Diagnostic::usage("y")]);
    assert_eq!(f.exit_code(), 2);
    assert_eq!(Failure::from(Diagnostic::error("x")).exit_code(), 1);
}
