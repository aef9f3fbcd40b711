//! Property-based runs of the parsers, the whole build and the search
//! tokenizer on random but structured input, plus the replay of inputs the
//! fuzzers in `fuzz/` once crashed on (`tests/fixtures/fuzz/<target>-<name>`).
//!
//! No property-testing crate: a splitmix64 generator with fixed seeds keeps
//! every run identical, and a failure names the case's seed and input.

use std::collections::HashMap;
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use mend::Diagnostic;
use mend::config::{SiteConfig, Theme};
use mend::load::{ArticleSource, SourceFile};
use mend::render::{RenderOptions, Templates};
use mend::search::{MAX_TOKEN_CHARS, fold, terms, tokens};
use mend::write::OutputFile;
use rust_stemmers::{Algorithm, Stemmer};

/// Cases per property.
const CASES: u64 = 300;

/// splitmix64: tiny, fast and good enough to pick among choices. It also
/// carries the generators' one setting.
struct Rng {
    state: u64,
    /// Generate only what a correct site holds: links to `start-here`,
    /// known themes and valid ids in heading attributes, no drafts.
    clean: bool,
}

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng {
            state: seed,
            clean: false,
        }
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// For seeds `0..CASES`: `generate` an input, then `check` it; a panic in
/// either names the case, its seed and the input.
fn for_each_case<T: std::fmt::Debug>(
    property: &str,
    mut generate: impl FnMut(&mut Rng) -> T,
    mut check: impl FnMut(&T),
) {
    for case in 0..CASES {
        let seed = 0x6d65_6e64_0000_0000 ^ case.wrapping_mul(0x2545_f491_4f6c_dd1d);
        let input = generate(&mut Rng::new(seed));
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| check(&input))) {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            panic!("{property}: case {case} (seed {seed:#x}) failed: {message}\ninput: {input:#?}");
        }
    }
}

// ---------------------------------------------------------------- generators

const THEMES: [&str; 3] = ["apology", "forgiveness", "therapy"];
const SLUGS: [&str; 4] = ["start-here", "alpha", "beta-2", "gamma"];
const MISSING_SLUGS: [&str; 3] = ["missing", "alpah", "Gamma"];
const IDS: [&str; 5] = ["intro", "z", "two-words", "its-me", "nope"];

const WORDS: [&str; 24] = [
    "sorry",
    "forgive",
    "trust",
    "the",
    "and",
    "it's",
    "don’t",
    "café",
    "naïve",
    "ÉTÉ",
    "İstanbul",
    "straße",
    "ﬁne",
    "日本語",
    "русский",
    "العربية",
    "👩‍💻",
    "x²",
    "c++",
    "a_b",
    "--",
    "...",
    "\"quoted\"",
    "e\u{301}",
];

const RAW_HTML: [&str; 10] = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<style>body{}</style>",
    "<a href=\"javascript:alert(1)\">a</a>",
    "<b>bold</b>",
    "<!-- comment -->",
    "<svg><set attributeName=href to=javascript:alert(1)></svg>",
    "</div>",
    "<div\nclass=x>",
];

/// One to `max` words.
fn some_words(rng: &mut Rng, max: usize) -> String {
    let n = 1 + rng.below(max);
    words(rng, n)
}

fn words(rng: &mut Rng, n: usize) -> String {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(rng.pick(&WORDS));
    }
    out.join(" ")
}

fn slug(rng: &mut Rng) -> &'static str {
    if rng.chance(75) {
        rng.pick(&SLUGS)
    } else {
        rng.pick(&MISSING_SLUGS)
    }
}

fn link(rng: &mut Rng) -> String {
    let text = some_words(rng, 2);
    if rng.clean {
        return match rng.below(8) {
            0 => format!("[{text}](start-here.md)"),
            1 => format!("[{text}](./start-here.md)"),
            2 => "[[start-here]]".to_string(),
            3 => format!("[[start-here|{text}]]"),
            4 => format!("[{text}](https://example.org/?a=1&b=2 \"t\")"),
            5 => format!("![{text}](pic.png)"),
            6 => format!("[{text}](mailto:a@example.org)"),
            _ => "<https://example.org/x>".to_string(),
        };
    }
    let s = slug(rng);
    let id = rng.pick(&IDS);
    match rng.below(22) {
        0 => format!("[{text}]({s}.md)"),
        1 => format!("[{text}]({s}.md#{id})"),
        2 => format!("[{text}](./{s}.md)"),
        3 => format!("[{text}](../articles/{s}.md#{id})"),
        4 => format!("[{text}](#{id})"),
        5 => format!("[[{s}]]"),
        6 => format!("[[{s}|{text}]]"),
        7 => format!("[[{s}#{id}|{text}]]"),
        8 => format!("[[{s}#{id}]]"),
        9 => "<https://example.org/a?b=c&d>".to_string(),
        10 => format!("[{text}](https://example.org/{s} \"a title\")"),
        11 => format!("[{text}]({})", rng.pick(&BAD_URLS)),
        12 => format!("[{text}](sub/{s}.md)"),
        13 => format!("[{text}](pic.png)"),
        14 => format!(
            "![{text}]({})",
            rng.pick(&["pic.png", "javascript:x", "data:x"])
        ),
        15 => format!("[{text}][r{id}]\n\n[r{id}]: {s}.md#{id}\n"),
        16 => "[]() [x]( ) [](#)".to_string(),
        17 => format!("[{text}](mailto:a@example.org) [t](tel:123)"),
        18 => format!(
            "[{text}]({s}.md#{})",
            rng.pick(&["%C3%A9", "Ünï", "a%20b", ""])
        ),
        19 => format!("[[{s}.md]] [[ {s} ]] [[]] [[|x]]"),
        20 => format!("<{}>", rng.pick(&BAD_URLS)),
        _ => format!("[**{text}** `code`]({s}.md)"),
    }
}

const BAD_URLS: [&str; 10] = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "<java\tscript:x>",
    "jav&#x61;script:x",
    "java%73cript:x",
    "javascript&#58;x",
    "data:text/html,x",
    "vbscript:x",
    "//evil.example/x",
    "ftp://x",
];

fn attribute_block(rng: &mut Rng) -> String {
    let mut parts = Vec::new();
    for _ in 0..rng.below(4) {
        if rng.clean {
            // Two headings asking for one id is an error (issue 18, F14):
            // a clean article's explicit ids are distinct.
            parts.push(if rng.chance(50) {
                format!(".{}", rng.pick(&THEMES))
            } else {
                format!("#{}-{}", rng.pick(&IDS), rng.below(1_000_000_000))
            });
            continue;
        }
        parts.push(match rng.below(9) {
            0 => format!("#{}", rng.pick(&IDS)),
            1 => format!(".{}", rng.pick(&THEMES)),
            2 => format!(".{}", rng.pick(&["nope", "forgivness", "Apology"])),
            3 => "#bad.id".to_string(),
            4 => "#Ünï".to_string(),
            5 => "onclick=alert(1)".to_string(),
            6 => "style=\"x\"".to_string(),
            7 => "#".to_string(),
            _ => format!("#{}", "x".repeat(rng.below(260))),
        });
    }
    format!("{{{}}}", parts.join(" "))
}

fn heading(rng: &mut Rng) -> String {
    let text = if rng.chance(80) {
        some_words(rng, 4)
    } else {
        link(rng)
    };
    let attrs = if rng.chance(60) {
        format!(" {}", attribute_block(rng))
    } else {
        String::new()
    };
    match rng.below(10) {
        0 => format!("{text}{attrs}\n{}\n", rng.pick(&["===", "---"])),
        1 => format!("{}{text}{attrs} ##\n", "#".repeat(1 + rng.below(7))),
        _ => format!("{} {text}{attrs}\n", "#".repeat(1 + rng.below(6))),
    }
}

fn code_block(rng: &mut Rng) -> String {
    // Highlighting is slow in a debug build, above all the first use of a
    // grammar: one known language, now and then (the fuzzer tries them all).
    let lang = if rng.chance(10) {
        rng.pick(&["rust", "rust,ignore", "rust x"])
    } else {
        rng.pick(&["", "nope", "text", "{.x}", "`"])
    };
    let body = match rng.below(4) {
        0 => "fn main() { println!(\"<b>&amp;\"); }\n".to_string(),
        1 => format!("{}\n", RAW_HTML[rng.below(RAW_HTML.len())]),
        2 => format!("{}\n", words(rng, 5)),
        _ => format!("let s = \"{}\";\n", "a".repeat(rng.below(300))),
    };
    let fence = rng.pick(&["```", "~~~", "````"]);
    match rng.below(6) {
        0 => format!("    {body}"),
        1 => format!("{fence}{lang}\n{body}"), // never closed
        _ => format!("{fence}{lang}\n{body}{fence}\n"),
    }
}

fn block(rng: &mut Rng) -> String {
    match rng.below(12) {
        0..=2 => heading(rng),
        3 | 4 => {
            let mut p = Vec::new();
            for _ in 0..1 + rng.below(5) {
                p.push(if rng.chance(40) {
                    link(rng)
                } else {
                    some_words(rng, 6)
                });
            }
            format!("{}\n", p.join(" "))
        }
        5 => format!("{}\n", rng.pick(&RAW_HTML)),
        6 => format!("Inline {} html.\n", rng.pick(&RAW_HTML)),
        7 => code_block(rng),
        8 => format!(
            "| a | {} |\n|---|---|\n| {} | `x` |\n",
            words(rng, 1),
            link(rng)
        ),
        9 => format!(
            "- [ ] {}\n  - {}\n1. {}\n> {}\n",
            words(rng, 2),
            link(rng),
            words(rng, 1),
            heading(rng)
        ),
        10 => format!("Note[^{0}].\n\n[^{0}]: {1}\n", rng.below(3), link(rng)),
        _ => rng
            .pick(&[
                "---\n",
                "***\n",
                "\n",
                "  \n",
                "\t\n",
                "\\\n",
                "&amp; &#0; &#x110000;\n",
            ])
            .to_string(),
    }
}

fn body(rng: &mut Rng) -> String {
    let mut out = String::new();
    for _ in 0..rng.below(12) {
        out.push_str(&block(rng));
        out.push('\n');
    }
    out
}

/// A YAML scalar or collection of a random type.
fn yaml_value(rng: &mut Rng) -> String {
    match rng.below(16) {
        0 => some_words(rng, 3),
        1 => format!("\"{}\"", words(rng, 2).replace('"', "\\\"")),
        2 => format!("'{}'", words(rng, 1).replace('\'', "''")),
        3 => rng.below(1000).to_string(),
        4 => "1.10".to_string(),
        5 => rng.pick(&["true", "false", "yes", "no"]).to_string(),
        6 => rng.pick(&["~", "null", ""]).to_string(),
        7 => format!("[{}]", rng.pick(&THEMES)),
        8 => format!(
            "[{}, {}]",
            rng.pick(&THEMES),
            rng.pick(&["nope", "forgivness"])
        ),
        9 => format!("\n  - {}\n  - {}", rng.pick(&THEMES), rng.pick(&THEMES)),
        10 => format!(
            "{{title: {}, url: {}}}",
            words(rng, 1),
            rng.pick(&["https://e.org", "ftp://x", "javascript:x"])
        ),
        11 => format!("|\n  {}\n  {}", words(rng, 2), words(rng, 2)),
        12 => rng
            .pick(&["2024-02-29", "2023-02-29", "2024-13-45", "2024-1-01"])
            .to_string(),
        13 => format!("&a {}", words(rng, 1)),
        14 => "*a".to_string(),
        _ => format!("{}{}", "[".repeat(rng.below(80)), "]".repeat(rng.below(80))),
    }
}

/// A front matter block with random keys, values and types, sometimes broken.
fn front_matter(rng: &mut Rng) -> String {
    const KEYS: [&str; 11] = [
        "title", "summary", "themes", "date", "updated", "draft", "source", "colour", "titel",
        "title", "themes",
    ];
    let mut out = String::new();
    if rng.chance(5) {
        out.push('\u{feff}');
    }
    if rng.chance(5) {
        out.push('\n');
    }
    out.push_str(rng.pick(&["---\n", "---\n", "---\n", "--- \n", "----\n"]));
    for _ in 0..rng.below(8) {
        let key = rng.pick(&KEYS);
        let indent = rng.pick(&["", "", "", "", " ", "\t"]);
        out.push_str(&format!("{indent}{key}: {}\n", yaml_value(rng)));
    }
    if rng.chance(8) {
        out.push_str(&format!(
            "{}\n",
            rng.pick(&["{", "- x", "key", ": :", "\"open", "\t- tab"])
        ));
    }
    if rng.chance(90) {
        out.push_str(rng.pick(&["---\n", "---\n", "...\n"]));
    }
    out
}

/// A whole article: front matter that is valid, or random and maybe broken.
fn article(rng: &mut Rng, valid: bool) -> String {
    let front = if valid {
        let mut themes: Vec<&str> = vec![rng.pick(&THEMES)];
        if rng.chance(30) {
            themes.push(rng.pick(&THEMES));
            themes.dedup();
        }
        let mut f = format!(
            "---\ntitle: \"{}\"\nsummary: {}\nthemes: [{}]\n",
            some_words(rng, 3).replace('"', "'"),
            rng.pick(&["A summary.", "'<b>bold</b> & more'", "Plain"]),
            themes.join(", ")
        );
        if rng.chance(20) {
            f.push_str("date: 2024-02-29\nupdated: 2024-03-01\n");
        }
        if !rng.clean && rng.chance(10) {
            f.push_str("draft: true\n");
        }
        if rng.chance(10) {
            f.push_str("source:\n  title: A book\n  url: https://example.org/book\n");
        }
        f.push_str("---\n");
        f
    } else {
        front_matter(rng)
    };
    let text = front + &body(rng);
    if rng.chance(10) {
        text.replace('\n', "\r\n")
    } else {
        text
    }
}

/// Random text for the tokenizer: runs of letters, marks, digits and punctuation.
fn tokenizer_text(rng: &mut Rng) -> String {
    const PIECES: [&str; 30] = [
        "a",
        "Z",
        "é",
        "e\u{301}",
        "\u{301}",
        "\u{308}",
        "İ",
        "ı",
        "ß",
        "ẞ",
        "ﬁ",
        "Σ",
        "ς",
        "Å",
        "\u{212b}",
        "\u{2126}",
        "中",
        "ー",
        "٣",
        "²",
        "Ⅻ",
        "👩\u{200d}💻",
        "'",
        "’",
        "‘",
        " ",
        "\t",
        "-",
        "_",
        "0",
    ];
    let mut out = String::new();
    for _ in 0..rng.below(40) {
        let piece = rng.pick(&PIECES);
        let times = if rng.chance(5) { 20 + rng.below(30) } else { 1 };
        out.push_str(&piece.repeat(times));
    }
    out
}

// ---------------------------------------------------------------- checks

fn site_config(allow_raw_html: bool) -> SiteConfig {
    SiteConfig {
        title: "Property KB".into(),
        description: "Random sites.".into(),
        base_url: None,
        language: "en".into(),
        site_theme: "default".into(),
        themes: THEMES
            .iter()
            .map(|id| Theme {
                id: id.to_string(),
                title: id.to_string(),
                description: String::new(),
            })
            .collect(),
        allow_raw_html,
        accent: None,
        accent_dark: None,
        logo: None,
        favicon: None,
        synonyms: Vec::new(),
        limits: Default::default(),
        safety: None,
    }
}

fn source(slug: &str, text: &str) -> ArticleSource {
    ArticleSource {
        slug: slug.into(),
        file: SourceFile {
            path: format!("articles/{slug}.md").into(),
            text: text.into(),
        },
    }
}

/// Every diagnostic about `text` names its file and a line and column inside it.
fn check_located(diagnostics: &[Diagnostic], path: &Path, text: &str) {
    let lines: Vec<&str> = text.split('\n').collect();
    for d in diagnostics {
        assert_eq!(d.path.as_deref(), Some(path), "wrong or no path: {d}");
        assert!(d.line >= 1 && d.col >= 1, "not located: {d}");
        assert!(
            d.line <= lines.len(),
            "line {} of a {}-line file: {d}",
            d.line,
            lines.len()
        );
        let line = lines[d.line - 1].trim_end_matches('\r');
        assert!(
            d.col <= line.chars().count() + 1,
            "column {} past the end of line {} ({line:?}): {d}",
            d.col,
            d.line
        );
        let _ = d.to_string();
    }
}

/// How many `<script` tags each page holds, by path.
type Scripts = HashMap<String, usize>;

fn scripts(files: &[OutputFile]) -> Scripts {
    files
        .iter()
        .map(|f| {
            let html = String::from_utf8_lossy(&f.bytes).to_ascii_lowercase();
            (f.path.clone(), html.matches("<script").count())
        })
        .collect()
}

/// [`check_page`] on every page, where `theme` holds the theme's own scripts.
fn check_pages(files: &[OutputFile], theme: &Scripts) {
    for file in files.iter().filter(|f| f.path.ends_with(".html")) {
        check_page(file, theme.get(&file.path).copied().unwrap_or(0));
    }
}

/// No script, event handler or script URL in a page came from an article:
/// as many scripts as the theme writes (`own`), and every tag read with its
/// attributes (text that merely looks like a tag,
/// `&lt;a href="javascript:x"&gt;`, is fine).
fn check_page(file: &OutputFile, own: usize) {
    let html = String::from_utf8_lossy(&file.bytes).to_ascii_lowercase();
    let scripts = html.matches("<script").count();
    assert_eq!(
        scripts, own,
        "{}: a <script> that is not the theme's",
        file.path
    );
    for tag in ["<iframe", "<style", "<svg", "<math", "<object", "<embed"] {
        assert!(!html.contains(tag), "{}: `{tag}` in the page", file.path);
    }
    let mut rest = html.as_str();
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt + 1..];
        if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let (attributes, end) = tag_attributes(rest);
        for (name, value) in attributes {
            assert!(
                !name.starts_with("on"),
                "{}: event handler in <{}",
                file.path,
                &rest[..end]
            );
            if name == "href" || name == "src" || name == "action" {
                let scheme = scheme(&value);
                // `data:` is only dangerous where it is navigated to (a
                // theme's `<link rel="icon" href="data:,">` is fine).
                let link = rest.starts_with("a ") || rest.starts_with("form ");
                let dangerous = match scheme.as_deref() {
                    Some("javascript" | "vbscript") => true,
                    Some("data") => link,
                    _ => false,
                };
                assert!(
                    !dangerous,
                    "{}: {name}=\"{value}\" in <{}",
                    file.path,
                    &rest[..end]
                );
            }
        }
        let script = rest.starts_with("script");
        rest = &rest[end..];
        // A script's text is not markup (the theme's own, counted above).
        if script {
            rest = rest.find("</script").map_or("", |e| &rest[e..]);
        }
    }
}

/// The attributes of a tag (`rest` starts at its name), and where the tag ends.
fn tag_attributes(rest: &str) -> (Vec<(String, String)>, usize) {
    let b = rest.as_bytes();
    let mut i = 0;
    let skip = |i: &mut usize, stop: &dyn Fn(u8) -> bool| {
        while *i < b.len() && !stop(b[*i]) {
            *i += 1;
        }
    };
    skip(&mut i, &|c| {
        c.is_ascii_whitespace() || c == b'>' || c == b'/'
    });
    let mut attributes = Vec::new();
    loop {
        skip(&mut i, &|c| !(c.is_ascii_whitespace() || c == b'/'));
        if i >= b.len() || b[i] == b'>' {
            return (attributes, (i + 1).min(b.len()));
        }
        let name_start = i;
        skip(&mut i, &|c| {
            c.is_ascii_whitespace() || matches!(c, b'=' | b'>' | b'/')
        });
        let name = rest[name_start..i].to_string();
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let quote = b[i];
                i += 1;
                let value_start = i;
                skip(&mut i, &|c| c == quote);
                value = rest[value_start..i].to_string();
                i = (i + 1).min(b.len());
            } else {
                let value_start = i;
                skip(&mut i, &|c| c.is_ascii_whitespace() || c == b'>');
                value = rest[value_start..i].to_string();
            }
        }
        if name.is_empty() {
            i += 1;
        } else {
            attributes.push((name, value));
        }
    }
}

/// The scheme a browser would see in an attribute value: character
/// references and percent escapes decoded, whitespace and controls dropped.
fn scheme(value: &str) -> Option<String> {
    let mut decoded = String::new();
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        decoded.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let semi = rest.find(';').filter(|&e| e <= 12);
        let c = semi.and_then(|e| match &rest[1..e] {
            "colon" => Some(':'),
            "tab" => Some('\t'),
            "newline" => Some('\n'),
            "amp" => Some('&'),
            entity => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        });
        match (c, semi) {
            (Some(c), Some(e)) => {
                decoded.push(c);
                rest = &rest[e + 1..];
            }
            _ => {
                decoded.push('&');
                rest = &rest[1..];
            }
        }
    }
    decoded.push_str(rest);
    let decoded = mend::parse::percent_decode(&decoded);
    let cleaned: String = decoded
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    let (scheme, _) = cleaned.split_once(':')?;
    (!scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then(|| scheme.to_string())
}

fn check_tokens(text: &str, stemmer: &Stemmer) {
    let folded = fold(text);
    assert_eq!(fold(&folded), folded, "fold is not idempotent");
    let toks = tokens(text);
    assert_eq!(tokens(&folded), toks, "tokens change after folding");
    for t in &toks {
        assert!(!t.is_empty(), "empty token");
        assert!(t.chars().count() <= MAX_TOKEN_CHARS, "token {t:?} too long");
        assert!(
            t.chars().all(|c| c.is_alphabetic() || c.is_numeric()),
            "token {t:?} is not alphanumeric"
        );
    }
    for t in terms(text, stemmer) {
        assert!(!t.is_empty(), "empty term");
    }
}

/// The files in `articles/` beside the generated articles: the picture
/// their links and images show.
fn pictures() -> mend::load::Files {
    [("articles/pic.png".to_string(), 3)].into_iter().collect()
}

/// The stages after loading, in memory, on one fuzzed body and a fixed
/// second article, as the `markdown` fuzz target runs them: the pages, or
/// `None` when the article does not parse or link.
fn two_article_site(body: &str) -> Option<Vec<OutputFile>> {
    const HEAD: &str = "---\ntitle: Fuzzed <b>\nsummary: S\nthemes: [apology]\n---\n";
    const OTHER: &str = "---\ntitle: Other\nsummary: The other one.\nthemes: [forgiveness]\n---\nIntro [[a]].\n\n## Zed {#z .apology}\n\nText.\n";
    let site = site_config(false);
    let text = format!("{HEAD}{body}");
    let a = match mend::parse::article(&source("a", &text), &site) {
        Ok(a) => a,
        Err(e) => {
            check_located(&e, Path::new("articles/a.md"), &text);
            return None;
        }
    };
    let b = mend::parse::article(&source("b", OTHER), &site).unwrap();
    let kb = mend::link::knowledge_base(site, vec![a.into(), b.into()], false, &pictures()).ok()?;
    let _ = mend::search::index(&kb, false);
    let theme = mend::load::builtin_site_theme();
    mend::render::site(&kb, &theme, RenderOptions::default()).ok()
}

// ---------------------------------------------------------------- properties

#[test]
fn parsing_random_articles_never_panics_and_locates_every_error() {
    let site = site_config(false);
    let path = Path::new("articles/a.md");
    for_each_case(
        "parse",
        |rng| {
            let valid = rng.chance(30);
            article(rng, valid)
        },
        |text| {
            if let Err(errors) = mend::parse::article(&source("a", text), &site) {
                assert!(!errors.is_empty(), "failed without a diagnostic");
                check_located(&errors, path, text);
            }
        },
    );
}

/// A random project: raw HTML allowed or not, and `(path, text)` per article.
#[derive(Debug)]
struct Project {
    clean: bool,
    allow_raw_html: bool,
    articles: Vec<(PathBuf, String)>,
}

fn project(rng: &mut Rng) -> Project {
    rng.clean = rng.chance(50);
    let allow_raw_html = rng.chance(15);
    let n = 1 + rng.below(SLUGS.len());
    let articles = SLUGS[..n]
        .iter()
        .map(|slug| {
            let valid = rng.clean || rng.chance(90);
            (
                PathBuf::from(format!("articles/{slug}.md")),
                article(rng, valid),
            )
        })
        .collect();
    Project {
        clean: rng.clean,
        allow_raw_html,
        articles,
    }
}

/// Every diagnostic is about one of the project's articles, located inside it.
fn check_about_articles(project: &Project, diagnostics: &[Diagnostic]) {
    assert!(!diagnostics.is_empty(), "failed without a diagnostic");
    for d in diagnostics {
        let Some((path, text)) = project
            .articles
            .iter()
            .find(|(p, _)| d.path.as_ref() == Some(p))
        else {
            panic!("diagnostic not about an article: {d}");
        };
        check_located(std::slice::from_ref(d), path, text);
    }
}

/// A build of `project` failed with `errors`: fine, unless it is a clean one.
fn failed(project: &Project, errors: &[Diagnostic]) -> bool {
    check_about_articles(project, errors);
    let all: Vec<String> = errors.iter().map(Diagnostic::to_string).collect();
    assert!(
        !project.clean,
        "a clean project does not build:\n{}",
        all.join("\n")
    );
    false
}

/// The build's stages after loading, in memory: the pages, or `None` when
/// the site does not build. `shared` also renders the pages every article
/// shares (home, theme pages, feeds; with fenced code, the costly
/// highlighting stylesheet).
fn render_in_memory(
    project: &Project,
    templates: &Templates,
    shared: bool,
) -> Option<Vec<OutputFile>> {
    let site = site_config(project.allow_raw_html);
    let sources: Vec<ArticleSource> = project
        .articles
        .iter()
        .map(|(path, text)| {
            let slug = path.file_stem().unwrap().to_str().unwrap();
            source(slug, text)
        })
        .collect();
    let parsed = mend::parse::articles(&sources, &site);
    if !parsed.errors.is_empty() {
        failed(project, &parsed.errors);
        return None;
    }
    let kb = match mend::link::knowledge_base(site, parsed.articles, false, &pictures()) {
        Ok(kb) => kb,
        Err(errors) => {
            failed(project, &errors);
            return None;
        }
    };
    let options = RenderOptions::default();
    let all: Vec<usize> = (0..kb.articles.len()).collect();
    let mut files = mend::render::article_pages(&kb, templates, options, &all).unwrap();
    if shared {
        let theme = mend::load::builtin_site_theme();
        files.extend(mend::render::shared_pages(&kb, templates, &theme, options).unwrap());
    }
    for file in mend::search::index(&kb, false) {
        let js = String::from_utf8_lossy(&file.bytes);
        assert!(
            !js.contains(['<', '>', '\u{2028}', '\u{2029}']),
            "{}: search data could end a script element",
            file.path
        );
    }
    Some(files)
}

/// The theme's own scripts on every page a project can have: the pages of
/// a site holding every slug, with empty articles.
fn theme_scripts(templates: &Templates) -> Scripts {
    let front = format!(
        "---\ntitle: T\nsummary: S\nthemes: [{}]\n---\n",
        THEMES.join(", ")
    );
    let project = Project {
        clean: true,
        allow_raw_html: false,
        articles: SLUGS
            .iter()
            .map(|slug| (PathBuf::from(format!("articles/{slug}.md")), front.clone()))
            .collect(),
    };
    scripts(&render_in_memory(&project, templates, true).unwrap())
}

/// The real build on disk, as `mend build` runs it but without writing: true when it built.
fn build_on_disk(project: &Project, theme: &Scripts) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let themes: String = THEMES
        .iter()
        .map(|t| format!("  {t}: {{title: {t}}}\n"))
        .collect();
    let config = format!(
        "title: Property KB\nallow_raw_html: {}\nthemes:\n{themes}",
        project.allow_raw_html
    );
    fs::write(root.join("mend.yaml"), config).unwrap();
    fs::create_dir(root.join("articles")).unwrap();
    for (path, text) in &project.articles {
        fs::write(root.join(path), text).unwrap();
    }
    // What `pictures()` lists, for the links and images to it.
    fs::write(root.join("articles/pic.png"), "PNG").unwrap();
    let options = mend::BuildOptions {
        root: root.to_path_buf(),
        ..Default::default()
    };
    match mend::generate(&options) {
        Ok(generated) => {
            assert!(generated.files.iter().any(|f| f.path == "index.html"));
            if !project.allow_raw_html {
                check_pages(&generated.files, theme);
            }
            true
        }
        Err(failure) => {
            assert!(failure.error_count() > 0, "failed without an error");
            failed(project, &failure.diagnostics)
        }
    }
}

#[test]
fn building_random_sites_succeeds_or_fails_with_located_diagnostics() {
    // Compiling the templates and highlighting code are slow in a debug
    // build: templates are compiled once, and the whole on-disk build and
    // the shared pages run on a sample of the cases.
    let templates = Templates::compile(&mend::load::builtin_site_theme()).unwrap();
    let theme = theme_scripts(&templates);
    let (mut case, mut built, mut failed) = (0, 0, 0);
    for_each_case("build", project, |project| {
        case += 1;
        let has_code = project
            .articles
            .iter()
            .any(|(_, t)| t.contains("```") || t.contains("~~~"));
        let files = render_in_memory(project, &templates, !has_code);
        if let (Some(files), false) = (&files, project.allow_raw_html) {
            check_pages(files, &theme);
        }
        let ok = files.is_some();
        if case % 50 == 0 {
            let on_disk = build_on_disk(project, &theme);
            assert_eq!(on_disk, ok, "on disk and in memory disagree");
        }
        if ok {
            built += 1;
        } else {
            failed += 1;
        }
    });
    // The generators must reach both outcomes, or the property tests little.
    assert!(
        built > CASES / 5 && failed > CASES / 5,
        "built {built}, failed {failed}"
    );
}

#[test]
fn tokenizer_keeps_its_invariants_on_random_text() {
    let stemmer = Stemmer::create(Algorithm::English);
    for_each_case("tokenizer", tokenizer_text, |text| {
        check_tokens(text, &stemmer)
    });
}

/// The article a `links_headings` fuzz input stands for, expanded as the
/// target expands it (`fuzz/fuzz_targets/links_headings.rs`): a shape byte,
/// then a piece repeated up to 16,130 times, the body capped at 512 KB, on
/// one line or one repetition per line.
pub fn links_headings_text(data: &[u8], times_more: usize) -> Option<String> {
    let (&shape, rest) = data.split_first()?;
    let piece = std::str::from_utf8(rest).ok()?;
    let times = (usize::from(shape & 0x7f).pow(2) + 1).min(512 * 1024 / (piece.len() + 2));
    let separator = if shape & 0x80 == 0 { " " } else { "\n\n" };
    let body = vec![piece; times * times_more].join(separator);
    Some(format!(
        "---\ntitle: T\nsummary: S\nthemes: [apology]\n---\n{body}\n"
    ))
}

/// The `links_headings` target's checks on one input: heading ids distinct
/// and never the theme's, links and diagnostics located inside the file,
/// excerpts and the diagnostics shown bounded. Each check reads the text a
/// bounded number of times (the target's own line lookup once read it per
/// diagnostic, and timed out).
fn check_links_headings(data: &[u8]) {
    let Some(text) = links_headings_text(data, 1) else {
        return;
    };
    let site = SiteConfig::with_themes("Fuzz KB", &["apology", "forgiveness"]);
    let lines = text.matches('\n').count() + 1;
    match mend::parse::article(&source("a", &text), &site) {
        Ok(article) => {
            let mut ids = std::collections::HashSet::new();
            for h in &article.headings {
                assert!(ids.insert(h.id.as_str()), "heading id {} twice", h.id);
                assert!(!mend::parse::THEME_IDS.contains(&h.id.as_str()));
                assert!(h.line >= 1 && h.line <= lines);
            }
            for l in &article.links {
                assert!(l.at.line >= 1 && l.at.line <= lines && l.at.col >= 1);
                assert!(l.at.excerpt(&article.markdown).text.chars().count() <= 130);
            }
        }
        Err(diagnostics) => {
            check_located(&diagnostics, Path::new("articles/a.md"), &text);
            for d in &diagnostics {
                let excerpt = d.source.as_ref().map_or(0, |s| s.text.chars().count());
                assert!(excerpt <= 130, "{d}");
            }
            let shown = mend::error::shown(&diagnostics).concat();
            let bound = 10 * (4 * data.len() + 2048) + 4096;
            assert!(shown.len() <= bound, "{} bytes of diagnostics", shown.len());
        }
    }
}

/// Fuzz findings not fixed yet: each must still fail, so that a fix is
/// noticed and its entry removed (the file then guards against a relapse).
/// `front_matter-lone-cr-in-yaml` (a lone CR moved front-matter error lines)
/// is fixed and now guards against a relapse.
const KNOWN_UNFIXED: [&str; 0] = [];

#[test]
fn fuzz_regressions_replay() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let Ok(entries) = fs::read_dir(&dir) else {
        return;
    };
    let stemmer = Stemmer::create(Algorithm::English);
    let site = site_config(false);
    for entry in entries {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = fs::read(&path).unwrap();
        if name.starts_with("links_headings-") {
            // A shape byte first: the file need not be UTF-8.
            let result = catch_unwind(AssertUnwindSafe(|| check_links_headings(&bytes)));
            assert!(result.is_ok(), "fuzz regression {name} fails");
            continue;
        }
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        let result = catch_unwind(AssertUnwindSafe(|| {
            if name.starts_with("front_matter-") {
                if let Err(e) = mend::parse::article(&source("a", text), &site) {
                    check_located(&e, Path::new("articles/a.md"), text);
                }
            } else if name.starts_with("markdown-") {
                let theme = scripts(&two_article_site("").unwrap());
                if let Some(files) = two_article_site(text) {
                    check_pages(&files, &theme);
                }
            } else if name.starts_with("search_tokenizer-") {
                check_tokens(text, &stemmer);
            } else {
                panic!("unknown fuzz target prefix");
            }
        }));
        if KNOWN_UNFIXED.contains(&name.as_str()) {
            assert!(
                result.is_err(),
                "fuzz regression {name} passes now: remove it from KNOWN_UNFIXED"
            );
        } else {
            assert!(result.is_ok(), "fuzz regression {name} fails");
        }
    }
}
