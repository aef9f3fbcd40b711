//! Issue 18, the parse and diagnostics half: long lines, many errors, repeated
//! headings, control characters and noncharacters, heading id clashes,
//! reserved file names, misspelt article links and YAML mistakes. Costs are
//! bounded by work (bytes, kilobytes of memory, CPU seconds as a kill
//! limit), never by wall time.

use std::process::Command;

use crate::harness::{Run, Site};
use crate::serve::Server;

const HEAD: &str = "---\ntitle: T\nsummary: S\nthemes: [apology]\n---\n";

fn headlines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains(": error: ") || l.contains(": warning: "))
        .collect()
}

/// `mend build` under a cap on address space (so a regression fails rather
/// than taking the machine's memory) and `/usr/bin/time`: its run and its
/// peak RSS in kilobytes.
fn build_measured(site: &Site) -> (Run, u64) {
    let out = Command::new("prlimit")
        .args(["--as=3000000000", "/usr/bin/time", "-f", "peak %M"])
        .arg(env!("CARGO_BIN_EXE_mend"))
        .args(["build", "--quiet"])
        .current_dir(site.root())
        .output()
        .expect("prlimit and /usr/bin/time (util-linux, time) are installed");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let peak = stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("peak "))
        .and_then(|k| k.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak RSS in {stderr}"));
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    };
    (run, peak)
}

#[test]
fn f01_twenty_thousand_links_on_one_line_cost_what_they_cost_one_per_line() {
    let one_line = Site::new();
    one_line.file(
        "articles/a.md",
        &format!("{HEAD}{}\n", "<https://a.b/> ".repeat(20_000)),
    );
    let per_line = Site::new();
    per_line.file(
        "articles/a.md",
        &format!("{HEAD}{}", "<https://a.b/>\n\n".repeat(20_000)),
    );
    let (run, long) = build_measured(&one_line);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (run, short) = build_measured(&per_line);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        long <= 2 * short,
        "one line: {long} KB peak, one link per line: {short} KB"
    );
}

#[test]
fn f01_a_link_error_on_a_long_line_quotes_a_window_of_it() {
    let site = Site::new();
    site.file(
        "articles/a.md",
        &format!(
            "{HEAD}{}[b](missing.md) {}\n",
            "<https://a.b/> ".repeat(2_000),
            "word ".repeat(2_000)
        ),
    );
    let run = site.build_fails(1);
    let col = 15 * 2_000 + 1;
    assert_eq!(
        headlines(&run.stderr),
        [format!(
            "articles/a.md:6:{col}: error: link to missing article `missing`"
        )]
    );
    let snippet = "6 | ….b/> <https://a.b/> <https://a.b/> <https://a.b/> [b](missing.md) word word word word word word word word word word word…\n  |                                                    ^^^^^^^^^^^^^^^\n";
    assert!(run.stderr.contains(snippet), "{}", run.stderr);
    assert!(run.stderr.len() < 1_000, "{} bytes", run.stderr.len());
}

#[test]
fn f02_errors_per_file_are_capped_with_a_count_of_the_rest() {
    let site = Site::new();
    site.file(
        "articles/a.md",
        &format!("{HEAD}{}\n", "[x](javascript:a) ".repeat(5_000)),
    );
    let run = site.build_fails(1);
    let heads = headlines(&run.stderr);
    assert_eq!(heads.len(), 10, "{}", run.stderr);
    assert_eq!(
        heads[0],
        "articles/a.md:6:1: error: `javascript:` links are not allowed (allowed: http, https, mailto, tel and relative links)"
    );
    assert!(run.stderr.contains(
        "articles/a.md: and 4990 more errors in this file\n\nbuild failed with 5000 errors; no site was written"
    ), "{}", run.stderr);
    assert!(
        run.stderr.len() < 8 * 1024,
        "{} bytes of stderr",
        run.stderr.len()
    );
}

#[test]
fn f02_the_preview_error_page_stays_small() {
    let site = Site::new();
    site.file(
        "articles/a.md",
        &format!("{HEAD}{}\n", "[x](javascript:a) ".repeat(2_000)),
    );
    let server = Server::start(&site, &[]);
    let page = server.get("/");
    assert!(page.contains("and 1990 more errors in this file"), "{page}");
    assert!(page.len() < 1024 * 1024, "{} bytes", page.len());
}

#[test]
fn f06_fifty_thousand_identical_headings_build_within_a_cpu_budget() {
    let site = Site::new();
    site.file(
        "articles/a.md",
        &format!("{HEAD}{}", "## a\n\n".repeat(50_000)),
    );
    // A kill limit on CPU seconds, not a timing: the build needs about one
    // in a debug build; the quadratic ids needed minutes.
    let out = Command::new("sh")
        .args(["-c", "ulimit -t 30 && exec \"$0\" build --quiet"])
        .arg(env!("CARGO_BIN_EXE_mend"))
        .current_dir(site.root())
        .output()
        .expect("sh");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = site.read("articles/a/index.html");
    assert!(page.contains("id=\"a-49999\""));
    assert!(!page.contains("id=\"a-50000\""));
}

#[test]
fn f10_control_characters_are_escaped_in_diagnostics_and_json() {
    let named = Site::new();
    named.file("articles/bad\x1b]0;PWNED\x07.md", "x");
    let run = named.build_fails(1);
    assert_eq!(
        headlines(&run.stderr),
        [
            "articles/bad\\u{1b}]0;PWNED\\u{7}.md: error: `bad\\u{1b}]0;PWNED\\u{7}` is not a valid slug: use lowercase ASCII letters, digits and hyphens"
        ]
    );
    assert!(!run.stderr.contains(['\x1b', '\x07']), "{:?}", run.stderr);

    let site = Site::new();
    site.file(
        "articles/a.md",
        "---\ntitle: T\nsummary: S\nthemes: [\"ap\\e]0;PWNED\\aology\"]\n---\n[[\x1b]52;c;SGk=\x07]]\n",
    );
    let run = site.build_fails(1);
    assert!(!run.stderr.contains(['\x1b', '\x07']), "{:?}", run.stderr);
    assert_eq!(
        headlines(&run.stderr),
        [
            "articles/a.md:4:1: error: unknown theme `ap\\u{1b}]0;PWNED\\u{7}ology`",
            "articles/a.md:6:1: error: link to missing article `\\u{1b}]52;c;SGk=\\u{7}`",
        ]
    );
    // The wiki link's line is quoted escaped, the caret under the whole link.
    assert!(
        run.stderr
            .contains("6 | [[\\u{1b}]52;c;SGk=\\u{7}]]\n  | ^^^^^^^^^^^^^^^^^^^^^^^^^\n"),
        "{}",
        run.stderr
    );
    let check = site.mend(&["check", "--format", "json"]);
    assert!(!check.stdout.contains(['\x1b', '\x07']));
    assert!(
        check
            .stdout
            .contains("link to missing article `\\u001b]52;c;SGk=\\u0007`"),
        "{}",
        check.stdout
    );
}

#[test]
fn f12_noncharacters_in_title_or_summary_are_refused() {
    let site = Site::new();
    site.file(
        "articles/a.md",
        "---\ntitle: \"A\\uFFFE B\"\nsummary: \"S \\uFFFF\"\nthemes: [apology]\n---\n",
    );
    let run = site.build_fails(1);
    assert_eq!(
        headlines(&run.stderr),
        [
            "articles/a.md:2:1: error: `title` holds U+FFFE, a noncharacter that a page or feed may not hold",
            "articles/a.md:3:1: error: `summary` holds U+FFFF, a noncharacter that a page or feed may not hold",
        ]
    );
}

#[test]
fn f13_a_nul_in_the_body_becomes_the_replacement_character() {
    let site = Site::new();
    site.file("articles/a.md", &format!("{HEAD}a\0b\n\n## c\0d\n"));
    site.build();
    let page = site.read("articles/a/index.html");
    assert!(!page.contains('\0'));
    assert!(page.contains("a\u{FFFD}b"), "{page}");
    assert!(page.contains("c\u{FFFD}d <a class=\"permalink\""), "{page}");
}

#[test]
fn f14_an_explicit_heading_id_wins_and_page_and_footnote_ids_are_kept() {
    let site = Site::new();
    site.file(
        "articles/a.md",
        &format!("{HEAD}## A\n\n## A\n\n## Custom {{#a-1}}\n\n## Main\n\n## 1\n\nSee [c](#a-1).[^1]\n\n[^1]: Note.\n"),
    );
    site.build();
    let page = site.read("articles/a/index.html");
    for id in ["a", "a-2", "a-1", "main-1", "1-1"] {
        assert!(page.contains(&format!("<h2 id=\"{id}\"")), "{id}: {page}");
    }
    assert!(page.contains("<h2 id=\"a-1\">Custom <a"), "{page}");
}

#[test]
fn f14_explicit_ids_that_clash_are_errors() {
    let site = Site::new();
    site.file(
        "articles/a.md",
        &format!("{HEAD}## A {{#x}}\n\n## B {{#x}}\n\n## C {{#main}}\n\n## D {{#n}}\n\nText.[^n]\n\n[^n]: Note.\n"),
    );
    let run = site.build_fails(1);
    assert_eq!(
        headlines(&run.stderr),
        [
            "articles/a.md:8:7: error: heading id `x` is already the id of the heading on line 6",
            "articles/a.md:10:7: error: heading id `main` is used by the page itself",
            "articles/a.md:12:7: error: heading id `n` is the id of the footnote `[^n]`",
        ]
    );
}

#[test]
fn f14_every_id_the_theme_writes_is_kept_from_headings() {
    let templates =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates");
    for entry in walkdir::WalkDir::new(&templates) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        for part in text.split(" id=\"").skip(1) {
            let id = part.split('"').next().unwrap();
            if !id.contains("{{") {
                assert!(mend::parse::THEME_IDS.contains(&id), "theme id `{id}`");
            }
        }
    }
}

#[test]
fn f18_windows_reserved_file_names_are_refused() {
    let site = Site::new();
    for name in ["con", "nul", "aux", "com1", "lpt1"] {
        site.article(name, "apology", "");
    }
    let run = site.build_fails(1);
    let expected: Vec<String> = ["aux", "com1", "con", "lpt1", "nul"]
        .iter()
        .map(|n| format!("articles/{n}.md: error: `{n}` is a reserved file name on Windows: its page could not be checked out there"))
        .collect();
    assert_eq!(headlines(&run.stderr), expected);
    assert!(
        run.stderr
            .contains("= help: rename the file, e.g. to articles/con-article.md")
    );
}

#[test]
fn lesser_misspelt_article_links_are_errors_saying_what_to_write() {
    let site = Site::new();
    site.article("other", "apology", "").article(
        "a",
        "apology",
        "[a](other.MD) [b](other.md?x=1) [c](other.md/) [d](other.md)\n",
    );
    let run = site.build_fails(1);
    assert_eq!(
        headlines(&run.stderr),
        [
            "articles/a.md:6:1: error: link to `other.MD`: write the extension in lowercase, `other.md`",
            "articles/a.md:6:15: error: link to `other.md?x=1`: a link to an article cannot carry a query; write `other.md`",
            "articles/a.md:6:33: error: link to `other.md/`: write `other.md`, without the `/`",
        ]
    );
}

/// The first diagnostic of a build of `a.md` holding `text`, whole.
fn first_error(text: &str) -> String {
    let site = Site::new();
    site.file("articles/a.md", text);
    let run = site.build_fails(1);
    run.stderr
        .split("\n\n")
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn yaml_a_value_with_a_colon_asks_for_quotes() {
    assert_eq!(
        first_error("---\ntitle: T\nsummary: Note: this breaks\nthemes: [apology]\n---\n"),
        "articles/a.md:3:10: error: the value of `summary` holds `: `, so it must be quoted\n  |\n3 | summary: Note: this breaks\n  |          ^^^^^^^^^^^^^^^^^\n  = help: write `summary: \"Note: this breaks\"`"
    );
}

#[test]
fn yaml_a_tab_is_shown_and_named() {
    assert_eq!(
        first_error("---\ntitle: T\n\tsummary: S\nthemes: [apology]\n---\n"),
        "articles/a.md:3:1: error: a tab: YAML indents with spaces, not tabs\n  |\n3 | →summary: S\n  | ^\n  = help: replace the tab (shown as `→`) with spaces"
    );
}

#[test]
fn yaml_an_unterminated_quote_is_reported_where_it_opens() {
    assert_eq!(
        first_error("---\ntitle: T\nsummary: \"S\nthemes: [\"apology\"]\n---\n"),
        "articles/a.md:3:10: error: the quote that starts the value of `summary` is never closed\n  |\n3 | summary: \"S\n  |          ^\n  = help: end the value with `\"` on the same line"
    );
}

#[test]
fn yaml_a_missing_title_points_at_the_front_matter_and_names_the_required_keys() {
    assert_eq!(
        first_error("---\nsummary: S\nthemes: [apology]\n---\n"),
        "articles/a.md:1:1: error: the front matter has no `title`\n  |\n1 | ---\n  | ^^^\n  = help: an article's front matter needs `title`, `summary` and `themes`"
    );
}

#[test]
fn yaml_a_comma_separated_theme_list_suggests_brackets() {
    assert_eq!(
        first_error("---\ntitle: T\nsummary: S\nthemes: apology, forgiveness\n---\n"),
        "articles/a.md:4:9: error: `themes` must be a list\n  |\n4 | themes: apology, forgiveness\n  |         ^^^^^^^^^^^^^^^^^^^^\n  = help: write `themes: [apology, forgiveness]`"
    );
}

#[test]
fn yaml_every_unknown_key_is_reported_with_a_suggestion() {
    let site = Site::new();
    site.file(
        "articles/a.md",
        "---\ntittle: T\nsummary: S\nthemes: [apology]\ncolour: red\nsource:\n  publsher: P\n---\n",
    );
    let run = site.build_fails(1);
    assert_eq!(
        headlines(&run.stderr),
        [
            "articles/a.md:2:1: error: unknown key `tittle`",
            "articles/a.md:5:1: error: unknown key `colour`",
            "articles/a.md:7:3: error: unknown key `publsher` under `source`",
        ]
    );
    assert!(
        run.stderr
            .contains("2 | tittle: T\n  | ^^^^^^\n  = help: did you mean `title`?")
    );
    assert!(run.stderr.contains(
        "= help: keys allowed here: title, summary, themes, source, date, updated, draft, content_note"
    ));
    assert!(run.stderr.contains("= help: did you mean `publisher`?"));
}

#[test]
fn check_flags_the_placeholder_summary_mend_new_writes() {
    let site = Site::new();
    let made = site.mend(&["new", "Saying Sorry", "--themes", "apology"]);
    assert_eq!(made.code, 0, "{}", made.stderr);
    let run = site.mend(&["check"]);
    assert!(
        run.stderr.contains(
            "articles/saying-sorry.md:3:1: warning: the summary is still the placeholder `mend new` wrote\n  |\n3 | summary: Replace this with one or two sentences about the article.\n  | ^^^^^^^\n  = help: replace it with one or two sentences saying what the article is about"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn raw_html_shown_as_text_is_a_warning_pointing_at_allow_raw_html() {
    let site = Site::new();
    site.file(
        "articles/a.md",
        &format!("{HEAD}Hi <b>there</b> and <i>you</i>.\n"),
    );
    let run = site.build();
    assert_eq!(
        headlines(&run.stderr),
        ["articles/a.md:6:4: warning: raw HTML is shown as text, not as HTML"]
    );
    assert!(run.stderr.contains("= help: `allow_raw_html` is off in mend.yaml; set `allow_raw_html: true` to keep HTML, or write `\\<` to show a `<` as text"), "{}", run.stderr);
}

/// The input the `links_headings` fuzz target stopped on with a timeout
/// (`tests/fixtures/fuzz/links_headings-setext-link-errors`): 10,699 setext
/// headings, each holding a reference, a refused `javasjavcraia:` link and a
/// piped wiki link to a missing article (two errors each). mend's parse is
/// linear in it (the target's own check of each diagnostic's line was
/// quadratic); four times the repetitions cost at most four times the
/// memory and no more bytes of diagnostics shown.
#[test]
fn fuzz_links_headings_timeout_input_costs_linear_work() {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz/links_headings-setext-link-errors");
    let data = std::fs::read(fixture).unwrap();
    let measured = |times: usize| {
        let site = Site::new();
        let text = crate::properties::links_headings_text(&data, times).unwrap();
        site.file("articles/a.md", &text);
        let (run, peak) = build_measured(&site);
        assert_eq!(run.code, 1, "{}", run.stderr);
        (run, peak)
    };
    let (one, one_peak) = measured(1);
    let (four, four_peak) = measured(4);
    assert!(
        four_peak <= 4 * one_peak,
        "1x: {one_peak} KB peak, 4x: {four_peak} KB"
    );
    assert_eq!(headlines(&one.stderr).len(), 10, "{}", one.stderr);
    assert_eq!(headlines(&four.stderr).len(), 10, "{}", four.stderr);
    assert!(
        one.stderr
            .contains("articles/a.md: and 21388 more errors in this file"),
        "{}",
        one.stderr
    );
    assert!(
        four.stderr
            .contains("articles/a.md: and 85582 more errors in this file"),
        "{}",
        four.stderr
    );
    // The same ten diagnostics; only the counts (and the peak line) differ.
    assert!(
        four.stderr.len() <= one.stderr.len() + 16,
        "{} bytes of stderr at 4x, {} at 1x",
        four.stderr.len(),
        one.stderr.len()
    );
}
