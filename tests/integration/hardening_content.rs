//! Content-side rows of ../shared/RELIABILITY.md (FM, MD, LNK, FS, OUT, REPRO,
//! TPL) not covered in `hardening`, named by their IDs, and the configurable
//! input limits of design requirement 2 (`limits:` in mend.yaml).

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::harness::{CONFIG, Run, Site, run, tree};

const FM: &str = "---\ntitle: A\nsummary: S\nthemes: [apology]\n---\n";

/// The headline (first line) of every error and warning in stderr.
fn headlines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains(": error: ") || l.contains(": warning: "))
        .collect()
}

/// The project's `mend.yaml` with `limits: {...}` added.
fn with_limits(site: &Site, limits: &str) {
    site.file("mend.yaml", &format!("{CONFIG}limits: {{{limits}}}\n"));
}

/// A site theme `t` whose templates say "ok", with `article.html` as given.
fn theme_with_article(site: &Site, article: &str) {
    site.with_plain_theme("t", "ok")
        .file("themes/t/templates/article.html", article);
}

/// `mend ARGS` in a shell after `setup` (e.g. `ulimit -f 100`).
fn mend_in_shell(site: &Site, setup: &str, args: &str) -> Run {
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("{setup}; exec \"$0\" {args}"))
        .arg(env!("CARGO_BIN_EXE_mend"))
        .current_dir(site.root())
        .output()
        .expect("run bash");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `mend ARGS` and the CPU time it took (user and system, all threads):
/// unlike wall time, it does not grow when other work shares the machine.
/// Also the peak RSS in KB where GNU time (/usr/bin/time) is installed.
fn timed(site: &Site, args: &[&str]) -> (Run, Duration, Option<u64>) {
    let report = site.root().join("time.txt");
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%U %S %M", "-o"])
        .arg(&report)
        .arg(env!("CARGO_BIN_EXE_mend"))
        .args(args)
        .current_dir(site.root())
        .output();
    let Ok(out) = out else {
        let (r, cpu) = crate::harness::cpu_timed(site.root(), args);
        return (r, cpu, None);
    };
    let text = fs::read_to_string(&report).unwrap_or_default();
    let fields: Vec<f64> = text
        .lines()
        .last()
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    match fields[..] {
        [user, system, rss] => (
            run,
            Duration::from_secs_f64(user + system),
            Some(rss as u64),
        ),
        _ => panic!("unexpected /usr/bin/time report: {text:?}"),
    }
}

/// A site built once, and the tree of its output.
fn built(site: &Site) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    site.build();
    tree(&site.root().join("site"))
}

/// Every search term (stem) of the built index.
fn index_terms(site: &Site) -> Vec<String> {
    let mut terms = Vec::new();
    for entry in fs::read_dir(site.root().join("site/search/t")).unwrap() {
        let text = fs::read_to_string(entry.unwrap().path()).unwrap();
        let json = &text[text.find(',').unwrap() + 1..text.rfind(')').unwrap()];
        let shard: serde_json::Map<String, serde_json::Value> = serde_json::from_str(json).unwrap();
        terms.extend(shard.keys().cloned());
    }
    terms
}

// ---------------------------------------------------------------------------
// Design requirement 2: input limits, each configurable under `limits:`.
// ---------------------------------------------------------------------------

#[test]
fn limits_front_matter_bytes() {
    let site = Site::new();
    let big = format!(
        "---\ntitle: A\nsummary: {}\nthemes: [apology]\n---\n",
        "s".repeat(70 * 1024)
    );
    site.file("articles/a.md", &big);
    let r = site.build_fails(1);
    assert_eq!(
        headlines(&r.stderr),
        ["articles/a.md:2:1: error: YAML block is 71717 bytes, more than the limit of 65536 bytes"]
    );
    assert!(
        r.stderr
            .contains("= help: raise it with `limits: {front_matter_bytes: N}` in mend.yaml"),
        "{}",
        r.stderr
    );
    with_limits(&site, "front_matter_bytes: 100000");
    site.build();
    site.file("articles/a.md", FM);
    with_limits(&site, "front_matter_bytes: 20");
    assert_eq!(
        headlines(&site.build_fails(1).stderr),
        ["articles/a.md:2:1: error: YAML block is 38 bytes, more than the limit of 20 bytes"]
    );
}

#[test]
fn limits_front_matter_depth() {
    let site = Site::new();
    let deep = format!(
        "---\ntitle: A\nsummary: S\nthemes: {}apology{}\n---\n",
        "[".repeat(80),
        "]".repeat(80)
    );
    site.file("articles/a.md", &deep);
    let r = site.build_fails(1);
    assert_eq!(
        headlines(&r.stderr),
        ["articles/a.md:4:72: error: YAML nests deeper than the limit of 64 levels"]
    );
    assert!(r.stderr.contains("`limits: {front_matter_depth: N}`"));
    // Raised, the guard lets the parser see it, and the schema refuses it.
    with_limits(&site, "front_matter_depth: 128");
    assert_eq!(
        headlines(&site.build_fails(1).stderr),
        ["articles/a.md:4:10: error: themes[0]: invalid type: sequence, expected a string"]
    );
    // `source:` nests two levels: fine by default, too deep at 1.
    site.file(
        "articles/a.md",
        "---\ntitle: A\nsummary: S\nthemes: [apology]\nsource:\n  title: T\n---\n",
    );
    with_limits(&site, "front_matter_depth: 2");
    site.build();
    with_limits(&site, "front_matter_depth: 1");
    assert_eq!(
        headlines(&site.build_fails(1).stderr),
        ["articles/a.md:4:9: error: YAML nests deeper than the limit of 1 levels"]
    );
}

#[test]
fn limits_article_bytes_are_checked_before_reading() {
    let site = Site::new();
    let cap = 16 * 1024 * 1024;
    // An HTML comment: cheap to parse and render, so the raised limit is quick.
    let mut text = format!("{FM}<!-- ");
    text.push_str(&"x".repeat(cap + 1 - text.len() - 4));
    text.push_str(" -->");
    assert_eq!(text.len(), cap + 1);
    site.file("articles/a.md", &text);
    let r = site.build_fails(1);
    assert_eq!(
        headlines(&r.stderr),
        ["articles/a.md: error: file is 16777217 bytes, more than the limit of 16777216 bytes"]
    );
    assert!(r.stderr.contains("`limits: {article_bytes: N}`"));
    with_limits(&site, "article_bytes: 16777217");
    site.build();
    with_limits(&site, "article_bytes: 1000");
    site.file("articles/b.md", &format!("{FM}{}\n", "word ".repeat(300)));
    site.file("articles/a.md", FM);
    assert_eq!(
        headlines(&site.build_fails(1).stderr),
        ["articles/b.md: error: file is 1547 bytes, more than the limit of 1000 bytes"]
    );
}

#[test]
fn limits_title_bytes() {
    let site = Site::new();
    let title = |n: usize| {
        format!(
            "---\ntitle: {}\nsummary: S\nthemes: [apology]\n---\n",
            "t".repeat(n)
        )
    };
    site.file("articles/a.md", &title(1025));
    let r = site.build_fails(1);
    assert_eq!(
        headlines(&r.stderr),
        ["articles/a.md:2:1: error: `title` is 1025 bytes, more than the limit of 1024"]
    );
    assert!(r.stderr.contains("`limits: {title_bytes: N}`"));
    with_limits(&site, "title_bytes: 2000");
    site.build();
    assert!(
        site.read("articles/a/index.html")
            .contains(&"t".repeat(1025))
    );
    with_limits(&site, "title_bytes: 10");
    site.file("articles/a.md", &title(11));
    assert_eq!(
        headlines(&site.build_fails(1).stderr),
        ["articles/a.md:2:1: error: `title` is 11 bytes, more than the limit of 10"]
    );
}

#[test]
fn fs_10_overlong_names_hit_limits_slug_bytes() {
    // A 300-byte name cannot even be created (NAME_MAX is 255 on Linux), so
    // the longest possible names are tried: the limit stops them first.
    let site = Site::new();
    let long = "s".repeat(250);
    site.file(&format!("articles/{long}.md"), FM);
    let r = site.build_fails(1);
    assert_eq!(
        headlines(&r.stderr),
        [format!(
            "articles/{long}.md: error: the file name gives a slug of 250 bytes, more than the limit of 200 bytes"
        )]
    );
    assert!(r.stderr.contains("`limits: {slug_bytes: N}`"));
    with_limits(&site, "slug_bytes: 255");
    site.build();
    assert!(site.exists(&format!("articles/{long}/index.html")));
    with_limits(&site, "slug_bytes: 5");
    fs::remove_file(site.root().join(format!("articles/{long}.md"))).unwrap();
    site.file("articles/sixsix.md", FM);
    assert_eq!(
        headlines(&site.build_fails(1).stderr),
        [
            "articles/sixsix.md: error: the file name gives a slug of 6 bytes, more than the limit of 5 bytes"
        ]
    );
}

#[test]
fn limits_page_bytes() {
    let site = Site::new();
    site.article("a", "apology", "Hello.\n");
    // 40,000 rounds of 1,000 bytes: 40 MB, past the default 32 MiB.
    let template = format!(
        "{{% for i in range(end=40000) %}}{}{{% endfor %}}",
        "x".repeat(1000)
    );
    theme_with_article(&site, &template);
    let r = site.build_fails(1);
    assert_eq!(
        headlines(&r.stderr),
        [
            "themes/t/templates/article.html: error: while rendering articles/a.md with theme `t`: the page is more than the limit of 33554432 bytes"
        ]
    );
    assert!(r.stderr.contains("`limits: {page_bytes: N}`"));
    site.file(
        "mend.yaml",
        &format!(
            "{}limits: {{page_bytes: 50000000}}\n",
            CONFIG.replace("themes:\n", "site_theme: t\nthemes:\n")
        ),
    );
    site.build();
    assert_eq!(site.read("articles/a/index.html").len(), 40_000_000);
    site.file(
        "mend.yaml",
        &format!(
            "{}limits: {{page_bytes: 999}}\n",
            CONFIG.replace("themes:\n", "site_theme: t\nthemes:\n")
        ),
    );
    site.file("themes/t/templates/article.html", &"x".repeat(1000));
    assert_eq!(
        headlines(&site.build_fails(1).stderr),
        [
            "themes/t/templates/article.html: error: while rendering articles/a.md with theme `t`: the page is more than the limit of 999 bytes"
        ]
    );
}

#[test]
fn limits_search_text_bytes_cut_what_one_article_indexes() {
    let site = Site::new();
    let filler = "calm words fill this section again ".repeat(2200); // 77,000 bytes
    site.article(
        "a",
        "apology",
        &format!("Zebrafirst {filler}\n\n## Later\n\n{filler} Yakfinal\n"),
    );
    let r = site.build();
    assert_eq!(
        headlines(&r.stderr),
        [
            "articles/a.md: warning: the article has 154018 bytes of text, more than the limit of 65536: search indexes only the first 65536"
        ]
    );
    assert!(r.stderr.contains("`limits: {search_text_bytes: N}`"));
    let terms = index_terms(&site);
    assert!(terms.contains(&"zebrafirst".to_string()));
    assert!(!terms.contains(&"yakfin".to_string()), "cut off");
    with_limits(&site, "search_text_bytes: 200000");
    assert!(headlines(&site.build().stderr).is_empty());
    assert!(index_terms(&site).contains(&"yakfin".to_string()));
    with_limits(&site, "search_text_bytes: 5");
    site.build();
    let terms = index_terms(&site);
    assert!(!terms.contains(&"zebrafirst".to_string()), "{terms:?}");
}

#[test]
fn limits_highlight_line_bytes() {
    let site = Site::new();
    let line = format!("let x = \"{}\";", "a".repeat(17 * 1024));
    site.article(
        "a",
        "apology",
        &format!("Text.\n\n```rust\nfn f() {{}}\n{line}\n```\n"),
    );
    let r = site.build();
    assert_eq!(
        headlines(&r.stderr),
        [
            "articles/a.md:8:1: warning: line 10 of this `rust` block is 17419 bytes, more than the limit of 16384 bytes for highlighting: the block is shown plain"
        ]
    );
    assert!(r.stderr.contains("`limits: {highlight_line_bytes: N}`"));
    assert!(
        site.read("articles/a/index.html")
            .contains("<pre class=\"code\" data-lang=\"rust\"><code>fn f() {}")
    );
    with_limits(&site, "highlight_line_bytes: 20000");
    assert!(headlines(&site.build().stderr).is_empty());
    assert!(
        site.read("articles/a/index.html")
            .contains("<pre class=\"code hl-code\" data-lang=\"rust\">")
    );
    site.article("a", "apology", "```rust\nfn main() {}\n```\n");
    with_limits(&site, "highlight_line_bytes: 11");
    assert_eq!(
        headlines(&site.build().stderr),
        [
            "articles/a.md:6:1: warning: line 7 of this `rust` block is 12 bytes, more than the limit of 11 bytes for highlighting: the block is shown plain"
        ]
    );
    assert!(!site.read("articles/a/index.html").contains("hl-code"));
}

#[test]
fn limits_bad_values_are_configuration_errors_at_their_line() {
    let site = Site::new();
    site.article("a", "apology", "");
    let line = CONFIG.lines().count() + 2;
    for (value, message) in [
        (
            "page_bytes: 0",
            "`limits.page_bytes` must be between 1 and 1073741824, not 0",
        ),
        (
            "article_bytes: 1099511627776",
            "`limits.article_bytes` must be between 1 and 1073741824, not 1099511627776",
        ),
        (
            "front_matter_bytes: 0",
            "`limits.front_matter_bytes` must be between 1 and 16777216, not 0",
        ),
        (
            "search_text_bytes: 99999999",
            "`limits.search_text_bytes` must be between 1 and 16777216, not 99999999",
        ),
        (
            "highlight_line_bytes: 2000000",
            "`limits.highlight_line_bytes` must be between 1 and 1048576, not 2000000",
        ),
        (
            "front_matter_depth: 1000",
            "`limits.front_matter_depth` must be between 1 and 128, not 1000",
        ),
        (
            "title_bytes: -1",
            "limits.title_bytes: invalid type: integer `-1`, expected u64",
        ),
        (
            "slug_bytes: lots",
            "limits.slug_bytes: invalid type: string \"lots\", expected u64",
        ),
    ] {
        site.file("mend.yaml", &format!("{CONFIG}limits:\n  {value}\n"));
        let r = site.build_fails(2);
        let col = value.find(' ').unwrap() + 4;
        assert_eq!(
            headlines(&r.stderr),
            [format!("mend.yaml:{line}:{col}: error: {message}")],
            "{value}"
        );
    }
    site.file("mend.yaml", &format!("{CONFIG}limits:\n  page_size: 10\n"));
    let r = site.build_fails(2);
    assert!(
        r.stderr.starts_with(&format!(
            "mend.yaml:{line}:3: error: limits: unknown field `page_size`, expected one of `front_matter_bytes`"
        )),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------------------
// Front matter (FM)
// ---------------------------------------------------------------------------

#[test]
fn fm_01_an_article_without_front_matter_is_an_error_and_the_site_is_kept() {
    let site = Site::new();
    site.article("a", "apology", "");
    let before = built(&site);
    site.file("articles/b.md", "# Just a heading\n\nBody.\n");
    let r = site.build_fails(1);
    assert_eq!(
        headlines(&r.stderr),
        ["articles/b.md:1:1: error: missing front matter: an article starts with a `---` line"]
    );
    assert_eq!(tree(&site.root().join("site")), before);
    assert!(site.leftovers().is_empty());
}

/// A slug is the file name, and one folder cannot hold a name twice;
/// articles in subfolders are refused and there is no `slug:` key, so two
/// files can never claim one URL.
#[test]
fn fm_13_two_files_cannot_claim_one_slug() {
    let site = Site::new();
    site.article("foo", "apology", "");
    site.file("articles/sub/foo.md", FM);
    let r = site.build_fails(1);
    assert_eq!(
        headlines(&r.stderr),
        ["articles/sub/foo.md: error: articles must sit directly in articles/"]
    );
    assert!(r.stderr.contains("= help: move it to articles/foo.md"));
    fs::remove_dir_all(site.root().join("articles/sub")).unwrap();
    site.file(
        "articles/bar.md",
        "---\ntitle: A\nslug: foo\nsummary: S\nthemes: [apology]\n---\n",
    );
    assert!(
        headlines(&site.build_fails(1).stderr)[0]
            .starts_with("articles/bar.md:3:1: error: unknown key `slug`"),
    );
}

#[test]
fn fm_16_nfc_and_nfd_names_are_refused_alike_and_unicode_titles_are_stable() {
    let site = Site::new();
    site.file("articles/caf\u{e9}.md", FM);
    site.file("articles/cafe\u{301}.md", FM);
    let r = site.build_fails(1);
    let heads = headlines(&r.stderr);
    assert_eq!(heads.len(), 2, "{}", r.stderr);
    for (head, name) in heads.iter().zip(["cafe\u{301}", "caf\u{e9}"]) {
        assert_eq!(
            *head,
            format!(
                "articles/{name}.md: error: `{name}` is not a valid slug: use lowercase ASCII letters, digits and hyphens"
            )
        );
    }
    assert_eq!(
        r.stderr
            .matches("= help: rename it to articles/cafe.md")
            .count(),
        2,
        "{}",
        r.stderr
    );
    fs::remove_file(site.root().join("articles/caf\u{e9}.md")).unwrap();
    fs::remove_file(site.root().join("articles/cafe\u{301}.md")).unwrap();
    site.file(
        "articles/cafe.md",
        "---\ntitle: \"Caf\u{e9} \u{2615} \u{5fc3}\u{306e}\u{5e73}\u{548c} \u{1F469}\u{200D}\u{1F4BB}\"\nsummary: S\nthemes: [apology]\n---\n",
    );
    let first = built(&site);
    assert!(site.read("articles/cafe/index.html").contains(
        "<h1>Caf\u{e9} \u{2615} \u{5fc3}\u{306e}\u{5e73}\u{548c} \u{1F469}\u{200D}\u{1F4BB}</h1>"
    ));
    assert_eq!(built(&site), first);
}

#[test]
fn fm_19_unknown_themes_get_a_did_you_mean_or_the_list() {
    let site = Site::new();
    site.file(
        "articles/a.md",
        "---\ntitle: A\nsummary: S\nthemes: [apology, forgivness, zzz]\n---\n## Part {.therapyy}\n",
    );
    let r = site.build_fails(1);
    assert_eq!(
        headlines(&r.stderr),
        [
            "articles/a.md:4:19: error: unknown theme `forgivness`",
            "articles/a.md:4:31: error: unknown theme `zzz`",
            "articles/a.md:6:11: error: unknown theme `therapyy` on heading",
        ]
    );
    for hint in [
        "= help: did you mean `forgiveness`?",
        "= help: known themes: apology, forgiveness, therapy",
        "= help: did you mean `therapy`?",
    ] {
        assert!(r.stderr.contains(hint), "{hint}\n{}", r.stderr);
    }
    site.article("a", "apology", "");
    site.file(
        "mend.yaml",
        &CONFIG.replace("themes:\n", "site_theme: defualt\nthemes:\n"),
    );
    let r = site.build_fails(2);
    assert_eq!(
        r.stderr.lines().next(),
        Some("mend.yaml:4:13: error: site theme `defualt` not found: no folder themes/defualt/")
    );
    assert!(
        r.stderr.contains("= help: did you mean `default`?"),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------------------
// Markdown (MD)
// ---------------------------------------------------------------------------

/// The names of the HTML elements in `html` (`<p>` and `</p>` give `p`).
fn element_names(html: &str) -> std::collections::BTreeSet<String> {
    html.split('<')
        .skip(1)
        .filter_map(|tag| {
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            (!name.is_empty()).then(|| name.to_ascii_lowercase())
        })
        .collect()
}

/// The rendered body of article `slug`.
fn body_of(site: &Site, slug: &str) -> String {
    let page = site.read(&format!("articles/{slug}/index.html"));
    let start = page.find("<div class=\"body\">").expect("body") + 18;
    let end = start + page[start..].find("</article>").expect("end of body");
    page[start..end].to_string()
}

#[test]
fn md_02_sanitiser_bypass_corpus_stays_text() {
    let site = Site::new();
    site.article(
        "a",
        "apology",
        "<svg><set attributeName=href to=javascript:alert(1)></set><a><text>x</text></a></svg>\n\n\
         <a href=\"&#106;avascript:alert(1)\">click</a>\n\n\
         <math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>\n\n\
         <noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>\n\n\
         <svg><![CDATA[</svg><img src=x onerror=alert(1)>]]></svg>\n",
    );
    site.build();
    let body = body_of(&site, "a");
    // Every bit of markup arrived as text: the only elements are paragraphs.
    assert_eq!(
        element_names(&body),
        ["div", "p"].iter().map(|s| s.to_string()).collect()
    );
    assert!(body.contains("&lt;svg&gt;&lt;set attributeName=href"));
    assert!(body.contains("&lt;a href=&quot;&amp;#106;avascript:alert(1)&quot;&gt;"));
}

#[test]
fn md_03_script_urls_are_errors_at_their_column() {
    let site = Site::new();
    site.article(
        "a",
        "apology",
        "[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1))\n[c](\tjavascript:alert(1)) [d](data:text/html,x)\n[e](vbscript:msgbox) ![f](javascript:alert(1))\n",
    );
    let r = site.build_fails(1);
    let allowed = "links are not allowed (allowed: http, https, mailto, tel and relative links)";
    assert_eq!(
        headlines(&r.stderr),
        [
            format!("articles/a.md:6:1: error: `javascript:` {allowed}"),
            format!("articles/a.md:6:26: error: `javascript:` {allowed}"),
            format!("articles/a.md:7:1: error: `javascript:` {allowed}"),
            format!("articles/a.md:7:27: error: `data:` {allowed}"),
            format!("articles/a.md:8:1: error: `vbscript:` {allowed}"),
            format!("articles/a.md:8:22: error: `javascript:` {allowed}"),
        ]
    );
    assert!(!site.exists("articles/a/index.html"));
}

#[test]
fn md_04_encoded_schemes_are_checked_after_decoding() {
    let site = Site::new();
    site.article(
        "a",
        "apology",
        "[a](jav&#x61;script:alert(1))\n[b](<javascript:alert(1)>)\n<javascript:alert(1)>\n[c](java%73cript:alert(1))\n[d](javascript&#58;alert(1))\n[e](&#x6A;avascript:alert(1))\n",
    );
    let r = site.build_fails(1);
    let heads = headlines(&r.stderr);
    let lines: Vec<&str> = heads
        .iter()
        .map(|h| h.split(": error: ").next().unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            "articles/a.md:6:1",
            "articles/a.md:7:1",
            "articles/a.md:8:1",
            "articles/a.md:9:1",
            "articles/a.md:10:1",
            "articles/a.md:11:1",
        ],
        "{}",
        r.stderr
    );
    assert!(
        heads
            .iter()
            .all(|h| h.ends_with("error: `javascript:` links are not allowed (allowed: http, https, mailto, tel and relative links)")),
        "{}",
        r.stderr
    );
}

/// The known quadratic inputs of Markdown parsers. The catalogue's budget
/// is 1 s each; release builds take 0.04 to 0.35 s for a whole `mend
/// build`. This runs the debug binary (2 s for the slowest), so it allows 8 s
/// of CPU time: still far below what quadratic behaviour on these sizes costs.
#[test]
fn md_08_known_quadratic_inputs_build_in_bounded_time() {
    let site = Site::new();
    for (name, case) in [
        ("[ (](", "[ (](".repeat(20_000)),
        ("[*_a", "[*_a".repeat(200_000)),
        ("a***", "a***".repeat(80_000)),
        ("* ", "* ".repeat(80_000) + "a"),
        ("]([\\n", "]([\n".repeat(50_000)),
    ] {
        site.file("articles/a.md", &format!("{FM}{case}\n"));
        let (r, cpu, _) = timed(&site, &["build", "--quiet"]);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        assert!(cpu < Duration::from_secs(8), "{name}: {cpu:?}");
    }
}

/// RUSTSEC-2026-0414: pulldown-cmark 0.13.0 to 0.13.4 took exponential time
/// on empty piped wiki links: 40 of them would take longer than anyone
/// waits, 18 a few seconds. Parsing runs here on a thread of its own; each
/// must finish within the generous hang guard (speed itself is the
/// benchmarks' business).
#[test]
fn md_09_piped_empty_wiki_links_parse_fast() {
    for n in [18, 40] {
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let site = mend::config::SiteConfig::with_themes("T", &["apology"]);
            let source = mend::load::ArticleSource {
                slug: "a".into(),
                file: mend::load::SourceFile {
                    path: "articles/a.md".into(),
                    text: format!("{FM}{}\n", "[[a|]]".repeat(n)).into(),
                },
            };
            let links = mend::parse::article(&source, &site).map(|a| a.links.len());
            let _ = done.send(links.is_ok_and(|l| l == n));
        });
        match finished.recv_timeout(crate::harness::HANG_GUARD) {
            Ok(ok) => assert!(ok, "x{n}: not {n} links"),
            Err(_) => panic!("x{n}: still parsing after {:?}", crate::harness::HANG_GUARD),
        }
    }
}

/// A large realistic article: prose, sections and code. The catalogue's
/// case is 10 MB in under 5 s: a release build takes 1.6 s (0.56 s of CPU)
/// and 92 MB on this 2-core machine. The suite runs the debug binary (6.6 s
/// of CPU for 10 MB), so it builds 2 MB and allows 8 s of CPU and 500 MB.
#[test]
fn md_10_a_large_article_builds_within_budget_and_caps() {
    let site = Site::new();
    let words = [
        "trust", "repair", "apology", "listen", "time", "honest", "partner", "feel", "calm",
    ];
    let mut text = String::from("Zebrafirst opens it.\n\n");
    let mut i = 0;
    while text.len() < 2 * 1024 * 1024 {
        i += 1;
        text.push_str(&format!("## Section {i}\n\n"));
        for p in 0..6 {
            let sentence: Vec<&str> = (0..60).map(|w| words[(i + p + w) % words.len()]).collect();
            text.push_str(&sentence.join(" "));
            text.push_str(".\n\n");
        }
        text.push_str(&format!(
            "```rust\nfn f{i}(x: u32) -> u32 {{\n    x + {i}\n}}\n```\n\n"
        ));
    }
    text.push_str("Yakfinal ends it.\n");
    site.article("a", "apology", &text);
    let (r, cpu, rss) = timed(&site, &["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(cpu < Duration::from_secs(8), "{cpu:?}");
    if let Some(kb) = rss {
        assert!(kb < 500 * 1024, "{kb} KB");
    }
    let page = fs::metadata(site.root().join("site/articles/a/index.html")).unwrap();
    assert!(page.len() < 32 * 1024 * 1024);
    assert!(
        r.stderr.contains("articles/a.md: warning: the article has"),
        "{}",
        r.stderr
    );
    let terms = index_terms(&site);
    assert!(terms.contains(&"zebrafirst".to_string()));
    assert!(
        !terms.contains(&"yakfin".to_string()),
        "index contribution capped"
    );
}

#[test]
fn md_11_amplifying_inputs_stay_under_the_page_cap() {
    let site = Site::new();
    // pulldown-cmark expands a reference only so often: 30 KB stay small.
    site.article(
        "a",
        "apology",
        &format!(
            "[x]: https://e.org/{}\n\n{}\n",
            "x".repeat(5000),
            "[x] ".repeat(5000)
        ),
    );
    site.build();
    let page = fs::metadata(site.root().join("site/articles/a/index.html")).unwrap();
    assert!(page.len() < 1024 * 1024, "{} bytes", page.len());
    // A 3,000-column table whose 3,000 rows have one cell: 24 KB in,
    // 2.4 MB out (pulldown-cmark caps the cells it fills in).
    let table = format!(
        "|{}\n|{}\n{}",
        "a|".repeat(3000),
        "-|".repeat(3000),
        "|x|\n".repeat(3000)
    );
    site.article("a", "apology", &table);
    site.build();
    let page = fs::metadata(site.root().join("site/articles/a/index.html")).unwrap();
    assert!(page.len() > 2_000_000 && page.len() < 32 * 1024 * 1024);
    let before = tree(&site.root().join("site"));
    with_limits(&site, "page_bytes: 1000000");
    let r = site.build_fails(1);
    assert_eq!(
        headlines(&r.stderr),
        [
            "articles/a.md: error: the body renders to more than the limit of 1000000 bytes for a page"
        ]
    );
    assert_eq!(tree(&site.root().join("site")), before);
}

// ---------------------------------------------------------------------------
// Links (LNK)
// ---------------------------------------------------------------------------

#[test]
fn lnk_02_missing_anchors_name_the_file_the_target_and_the_anchor() {
    let site = Site::new();
    site.article("b", "apology", "## Part one\n");
    site.article(
        "a",
        "apology",
        "## Here\n\n[[b#no-such-heading]] [x](b.md#nope) [y](#nope) [[b#Part one]]\n",
    );
    let r = site.build_fails(1);
    assert_eq!(
        headlines(&r.stderr),
        [
            "articles/a.md:8:1: error: no section `#no-such-heading` in `b`",
            "articles/a.md:8:23: error: no section `#nope` in `b`",
            "articles/a.md:8:38: error: no section `#nope` in this article",
            "articles/a.md:8:49: error: no section `#Part one` in `b`",
        ]
    );
    assert_eq!(
        r.stderr
            .matches("= help: did you mean `#part-one`?")
            .count(),
        1
    );
    assert!(
        r.stderr.contains("= help: did you mean `#here`?")
            || r.stderr.contains("= help: sections there: #here"),
        "{}",
        r.stderr
    );
}

#[test]
fn lnk_03_odd_wiki_links_have_defined_results() {
    let site = Site::new();
    site.article("b", "apology", "");
    // An empty display shows the target's title, as `[[b]]` does; a second
    // pipe belongs to the display text.
    site.article("a", "apology", "[[b|]] and [[b|c|d]]\n");
    site.build();
    let body = body_of(&site, "a");
    assert!(
        body.contains("<a href=\"../b/\">Title of b</a> and <a href=\"../b/\">c|d</a>"),
        "{body}"
    );
    // No target at all, or a path: errors, never a file outside articles/.
    site.article("a", "apology", "[[ ]]\n\n[[../../etc/passwd]]\n");
    let r = site.build_fails(1);
    assert_eq!(
        headlines(&r.stderr),
        [
            "articles/a.md:6:1: error: empty wiki link: write the target's file name, e.g. `[[other]]`",
            "articles/a.md:8:1: error: link to missing article `../../etc/passwd`",
        ]
    );
}

/// Slugs are lowercase ASCII file names and links must name them exactly:
/// a case or accent variant does not resolve, it gets a suggestion.
#[test]
fn lnk_04_case_and_accent_variants_get_a_suggestion() {
    let site = Site::new();
    site.article("cafe", "apology", "");
    site.article(
        "a",
        "apology",
        "[[Cafe]]\n\n[[caf\u{e9}]]\n\n[[cafe\u{301}]]\n",
    );
    let r = site.build_fails(1);
    assert_eq!(
        headlines(&r.stderr),
        [
            "articles/a.md:6:1: error: link to missing article `Cafe`",
            "articles/a.md:8:1: error: link to missing article `caf\u{e9}`",
            "articles/a.md:10:1: error: link to missing article `cafe\u{301}`",
        ]
    );
    assert_eq!(
        r.stderr.matches("= help: did you mean `cafe`?").count(),
        3,
        "{}",
        r.stderr
    );
}

/// The build half of the row (the preview half is in `hardening_serve`).
#[test]
fn lnk_05_a_link_to_a_deleted_article_is_reported_on_the_next_build() {
    let site = Site::new();
    site.article("a", "apology", "See [[b]].\n")
        .article("b", "apology", "");
    let before = built(&site);
    fs::remove_file(site.root().join("articles/b.md")).unwrap();
    let r = site.build_fails(1);
    assert_eq!(
        headlines(&r.stderr),
        ["articles/a.md:6:5: error: link to missing article `b`"]
    );
    assert_eq!(tree(&site.root().join("site")), before);
}

// ---------------------------------------------------------------------------
// File system (FS)
// ---------------------------------------------------------------------------

const CANARY: &str = "CANARY-7f3a";

#[cfg(unix)]
#[test]
fn fs_02_links_out_of_a_theme_are_skipped_and_the_canary_never_leaks() {
    use std::os::unix::fs::symlink;
    let site = Site::new();
    site.article("a", "apology", "");
    theme_with_article(&site, "ok");
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("id_rsa");
    fs::write(&secret, CANARY).unwrap();
    symlink(&secret, site.root().join("themes/t/templates/x.html")).unwrap();
    site.file("themes/t/static/style.css", "body {}");
    symlink(&secret, site.root().join("themes/t/static/leak.txt")).unwrap();
    symlink(outside.path(), site.root().join("themes/t/static/ext")).unwrap();
    let r = site.build();
    assert_eq!(
        headlines(&r.stderr),
        [
            "themes/t/static/ext: warning: skipped: symbolic links are not followed",
            "themes/t/static/leak.txt: warning: skipped: symbolic links are not followed",
            "themes/t/templates/x.html: warning: skipped: symbolic links are not followed",
        ]
    );
    assert!(site.exists("style.css") && !site.exists("leak.txt") && !site.exists("ext"));
    for (path, bytes) in tree(&site.root().join("site")) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(CANARY),
            "{}",
            path.display()
        );
    }
    // A theme folder that is itself a link is refused, naming it.
    let templates = site.root().join("themes/t/templates");
    fs::rename(&templates, outside.path().join("templates")).unwrap();
    symlink(outside.path().join("templates"), &templates).unwrap();
    let r = site.build_fails(1);
    assert_eq!(
        headlines(&r.stderr),
        ["themes/t/templates: error: symbolic links below the project root are not followed"]
    );
    assert!(!r.stderr.contains(CANARY));
}

#[cfg(unix)]
#[test]
fn fs_03_the_root_may_be_a_link_but_nothing_below_it() {
    use std::os::unix::fs::symlink;
    let site = Site::new();
    site.article("a", "apology", "");
    let links = tempfile::tempdir().unwrap();
    let root_link = links.path().join("kb");
    symlink(site.root(), &root_link).unwrap();
    let r = run(links.path(), &["build", "--root", "kb"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(site.exists("articles/a/index.html"));
    // A parent folder that is a link, and the link as the working folder.
    let parent_link = links.path().join("up");
    symlink(site.root().parent().unwrap(), &parent_link).unwrap();
    let name = site.root().file_name().unwrap().to_str().unwrap();
    let r = run(&parent_link.join(name), &["build", "-o", "out"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(site.root().join("out/articles/a/index.html").exists());
    // articles/ below the root, as a link: refused.
    let elsewhere = tempfile::tempdir().unwrap();
    fs::rename(
        site.root().join("articles"),
        elsewhere.path().join("articles"),
    )
    .unwrap();
    symlink(
        elsewhere.path().join("articles"),
        site.root().join("articles"),
    )
    .unwrap();
    let before = tree(&site.root().join("site"));
    let r = site.build_fails(1);
    assert_eq!(
        headlines(&r.stderr),
        ["articles: error: symbolic links below the project root are not followed"]
    );
    assert_eq!(tree(&site.root().join("site")), before);
}

/// Runs as root in CI, which reads anything: the build drops to `nobody`
/// with setpriv (skipped, saying so, where setpriv is missing).
#[cfg(unix)]
#[test]
fn fs_04_an_unreadable_article_is_an_error_and_the_site_is_kept() {
    use std::os::unix::fs::PermissionsExt;
    let site = Site::new();
    site.article("a", "apology", "").article("b", "apology", "");
    let before = built(&site);
    for dir in [site.root().to_path_buf(), site.root().join("articles")] {
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
    }
    fs::set_permissions(
        site.root().join("articles/b.md"),
        fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    let mut command = if root {
        if Command::new("setpriv").arg("--version").output().is_err() {
            eprintln!("fs_04 skipped: running as root and setpriv is missing");
            return;
        }
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_mend"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_mend"))
    };
    let out = command
        .arg("build")
        .current_dir(site.root())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        headlines(&stderr),
        ["articles/b.md: error: cannot read: Permission denied (os error 13)"]
    );
    assert_eq!(tree(&site.root().join("site")), before);
    assert!(site.leftovers().is_empty());
}

/// The fault is injected at the seam between listing `articles/` and
/// reading it (the two halves of `load::articles`): the file is deleted in
/// between, as an editor or a sync tool might.
#[test]
fn fs_05_a_file_deleted_between_scan_and_read_is_an_error_naming_it() {
    let site = Site::new();
    site.article("a", "apology", "").article("b", "apology", "");
    let limits = mend::config::Limits::default();
    let scan = mend::load::scan_articles(site.root(), &limits).unwrap();
    let found: Vec<&str> = scan.found.iter().map(|f| f.slug.as_str()).collect();
    assert_eq!(found, ["a", "b"]);
    fs::remove_file(site.root().join("articles/b.md")).unwrap();
    let errors = mend::load::read_articles(scan, &limits, &mut Default::default()).unwrap_err();
    let heads: Vec<String> = errors.iter().map(|d| d.headline()).collect();
    assert_eq!(
        heads,
        ["articles/b.md: error: cannot read: No such file or directory (os error 2)"]
    );
    // Replaced by a folder in between: also an error, not a read of a folder.
    let scan = mend::load::scan_articles(site.root(), &limits).unwrap();
    fs::remove_file(site.root().join("articles/a.md")).unwrap();
    fs::create_dir(site.root().join("articles/a.md")).unwrap();
    let errors = mend::load::read_articles(scan, &limits, &mut Default::default()).unwrap_err();
    assert_eq!(
        errors[0].headline(),
        "articles/a.md: error: cannot read: not a regular file"
    );
}

#[cfg(unix)]
#[test]
fn fs_06_a_full_disk_fails_the_build_and_keeps_the_previous_site() {
    let site = Site::new();
    site.article("a", "apology", "Small.\n");
    let before = built(&site);
    site.article("big", "apology", &"Many words here. ".repeat(20_000));
    // 64 KiB per file, and SIGXFSZ ignored: writes past it fail with EFBIG.
    let r = mend_in_shell(&site, "trap '' XFSZ; ulimit -f 64", "build");
    assert_eq!(r.code, 1, "{}", r.stderr);
    let heads = headlines(&r.stderr);
    assert_eq!(heads.len(), 1, "{}", r.stderr);
    assert!(
        heads[0].ends_with(
            "/articles/big/index.html: error: cannot write: File too large (os error 27)"
        ),
        "{}",
        heads[0]
    );
    assert_eq!(tree(&site.root().join("site")), before);
    assert!(site.leftovers().is_empty(), "{:?}", site.leftovers());
}

#[test]
fn fs_07_an_output_path_that_is_a_file_is_refused_before_any_work() {
    let site = Site::new();
    // A broken article: had the build started, this would be exit code 1.
    site.file("articles/a.md", "no front matter\n");
    site.file("public", "a file, not a folder");
    let r = site.mend(&["build", "-o", "public"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr.lines().next(),
        Some("error: refusing to use `public` as the output folder: it is a file, not a folder")
    );
    assert!(!r.stderr.contains("articles/a.md"));
    assert_eq!(
        fs::read_to_string(site.root().join("public")).unwrap(),
        "a file, not a folder"
    );
}

/// Scale (the catalogue's 50,000 articles belong to the benchmarks): a few
/// thousand small articles under a limit of 64 open files prove that
/// descriptors stay bounded whatever the number of articles.
#[cfg(unix)]
#[test]
fn fs_12_many_articles_build_with_few_file_descriptors() {
    let site = Site::new();
    for i in 0..1000 {
        site.article(
            &format!("a{i:04}"),
            "apology",
            "## Part {.apology}\n\nSome words.\n",
        );
    }
    let start = Instant::now();
    let r = mend_in_shell(&site, "ulimit -n 64", "build");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(site.exists("articles/a0999/index.html"));
    eprintln!(
        "fs_12: 1,000 articles under ulimit -n 64 in {:?}",
        start.elapsed()
    );
}

// ---------------------------------------------------------------------------
// Output (OUT) and reproducibility (REPRO)
// ---------------------------------------------------------------------------

/// 600 articles: more than one batch of pages is already in the staging
/// folder when article 500 fails.
#[test]
fn out_01_a_template_error_on_one_article_of_many_keeps_the_previous_site() {
    let site = Site::new();
    for i in 0..600 {
        site.article(&format!("a{i:03}"), "apology", "Words.\n");
    }
    theme_with_article(&site, "{{ title }}");
    let before = built(&site);
    site.file(
        "themes/t/templates/article.html",
        "{{ title }}{% if slug == \"a500\" %}{{ nope }}{% endif %}",
    );
    let r = site.build_fails(1);
    assert_eq!(
        headlines(&r.stderr),
        [
            "themes/t/templates/article.html: error: while rendering articles/a500.md with theme `t`: Failed to render 'article.html': Variable `nope` not found in context while rendering 'article.html'"
        ]
    );
    assert_eq!(tree(&site.root().join("site")), before);
    assert!(site.leftovers().is_empty(), "{:?}", site.leftovers());
}

#[test]
fn out_03_a_deleted_article_leaves_no_page_and_no_index_entry() {
    let site = Site::new();
    site.article("a", "apology", "Alpha words.\n").article(
        "b",
        "apology",
        "## Zebrasection\n\nQuokkaword here.\n",
    );
    site.build();
    assert!(index_terms(&site).contains(&"quokkaword".to_string()));
    fs::remove_file(site.root().join("articles/b.md")).unwrap();
    site.build();
    assert!(!site.root().join("site/articles/b").exists());
    assert!(!index_terms(&site).contains(&"quokkaword".to_string()));
    for (path, bytes) in tree(&site.root().join("site")) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("articles/b/") && !text.contains("Title of b"),
            "{}",
            path.display()
        );
    }
}

#[test]
fn out_05_a_folder_mend_did_not_make_is_replaced_only_with_force() {
    let site = Site::new();
    site.article("a", "apology", "");
    site.file("public/notes.txt", "mine");
    let r = site.mend(&["build", "-o", "public"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.lines().next(),
        Some(
            "error: refusing to replace `public`: it is not empty and was not made by mend (no .mend-output file)"
        )
    );
    assert_eq!(
        fs::read_to_string(site.root().join("public/notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(site.mend(&["build", "-o", "public", "--force"]).code, 0);
    assert!(!site.root().join("public/notes.txt").exists());
    assert!(site.root().join("public/.mend-output").exists());
}

/// A deploy checkout: the output folder is a git work tree. Its `.git` is
/// kept across builds, successful or not; everything else is replaced.
#[test]
fn out_06_the_output_folders_git_is_kept() {
    let site = Site::new();
    site.article("a", "apology", "").article("b", "apology", "");
    site.file("site/.git/HEAD", "ref: refs/heads/main\n");
    site.file("site/.git/objects/ab/cdef", "object");
    site.file("site/old-page.html", "stale");
    assert_eq!(
        site.mend(&["build"]).code,
        2,
        "not made by mend: needs --force"
    );
    assert_eq!(site.mend(&["build", "--force"]).code, 0);
    assert_eq!(site.read(".git/HEAD"), "ref: refs/heads/main\n");
    assert_eq!(site.read(".git/objects/ab/cdef"), "object");
    assert!(!site.exists("old-page.html"));
    fs::remove_file(site.root().join("articles/b.md")).unwrap();
    site.build();
    assert_eq!(site.read(".git/HEAD"), "ref: refs/heads/main\n");
    assert!(!site.exists("articles/b/index.html"));
    let before = tree(&site.root().join("site"));
    site.article("a", "apology", "[[missing]]\n");
    site.build_fails(1);
    assert_eq!(tree(&site.root().join("site")), before);
}

#[test]
fn repro_01_two_clean_builds_are_byte_identical() {
    let site = Site::new();
    site.article(
        "a",
        "apology, therapy",
        "## One {.apology}\n\n```rust\nfn x() {}\n```\n[[b]]\n",
    )
    .article("b", "therapy", "## Two {.therapy}\n\n[[a#one]]\n")
    .file(
        "articles/c.md",
        "---\ntitle: C\nsummary: S\nthemes: [forgiveness]\ndate: 2024-05-01\n---\nText.\n",
    );
    let first = built(&site);
    for file in [
        "feed.xml",
        "sitemap.xml",
        "search/manifest.js",
        "syntax.css",
        ".mend-output",
    ] {
        assert!(first.contains_key(Path::new(file)), "{file}");
    }
    fs::remove_dir_all(site.root().join("site")).unwrap();
    assert_eq!(built(&site), first);
}

// ---------------------------------------------------------------------------
// Templates (TPL)
// ---------------------------------------------------------------------------

/// mend has no per-page `layout:` key: every article renders with the site
/// theme's `article.html`, and an unknown front-matter key is an error.
#[test]
fn tpl_01_a_layout_key_is_an_unknown_key() {
    let site = Site::new();
    site.article("a", "apology", "");
    let before = built(&site);
    site.file(
        "articles/a.md",
        "---\ntitle: A\nsummary: S\nthemes: [apology]\nlayout: wiki-wide\n---\n",
    );
    let r = site.build_fails(1);
    assert_eq!(
        headlines(&r.stderr),
        ["articles/a.md:5:1: error: unknown key `layout`"]
    );
    assert_eq!(tree(&site.root().join("site")), before);
}

#[test]
fn tpl_02_template_syntax_errors_give_file_line_column_and_what_was_expected() {
    let site = Site::new();
    site.article("a", "apology", "");
    theme_with_article(&site, "ok");
    site.file("themes/t/templates/theme.html", "line one\n  {{ oops( }}\n");
    let r = site.build_fails(2);
    let heads = headlines(&r.stderr);
    assert_eq!(heads.len(), 1, "{}", r.stderr);
    assert!(
        heads[0].starts_with(
            "themes/t/templates/theme.html:2:12: error: template syntax error: expected "
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("2 |   {{ oops( }}\n  |            ^"),
        "{}",
        r.stderr
    );
}

#[test]
fn tpl_03_runtime_errors_name_the_template_and_the_article() {
    let site = Site::new();
    site.article("a", "apology", "").article("b", "apology", "");
    theme_with_article(
        &site,
        "{% if slug == \"b\" %}{{ summary | truncate(length=\"x\") }}{% endif %}",
    );
    let r = site.build_fails(1);
    assert_eq!(
        headlines(&r.stderr),
        [
            "themes/t/templates/article.html: error: while rendering articles/b.md with theme `t`: Failed to render 'article.html': Filter call 'truncate' failed: Filter `truncate` received an incorrect type for arg `length`: got `\"x\"` but expected a usize"
        ]
    );
}

#[test]
fn tpl_05_markup_in_titles_is_escaped_in_every_output_format() {
    let site = Site::new();
    site.file(
        "articles/a.md",
        "---\ntitle: \"</h1><script>alert(1)</script> \\\"q\\\" 'a' &amp;\"\nsummary: \"<b>s</b>\"\nthemes: [apology]\ndate: 2024-01-01\n---\n## Part\n",
    );
    site.build();
    let escaped =
        "&lt;/h1&gt;&lt;script&gt;alert(1)&lt;/script&gt; &quot;q&quot; &#39;a&#39; &amp;amp;";
    let page = site.read("articles/a/index.html");
    assert!(page.contains(&format!("<h1>{escaped}</h1>")), "{page}");
    assert!(page.contains(&format!("<title>{escaped}")), "{page}");
    let feed = site.read("feed.xml");
    assert!(
        feed.contains(&format!("<title>{escaped}</title>")),
        "{feed}"
    );
    for (path, bytes) in tree(&site.root().join("site")) {
        let text = String::from_utf8_lossy(&bytes);
        let p = path.to_string_lossy();
        if p.starts_with("search/") && !p.ends_with(".js") || p == "search.js" {
            continue;
        }
        assert!(!text.contains("<script>alert"), "{p}");
        assert!(!text.contains("<b>s</b>"), "{p}");
    }
    // The index is JSON from serde, escaped so it cannot end a script.
    let docs = fs::read_to_string(site.root().join("site/search/d/0.js")).unwrap();
    assert!(
        docs.contains("\\u003c/h1\\u003e\\u003cscript\\u003ealert(1)"),
        "{docs}"
    );
}

#[test]
fn tpl_07_get_env_is_disabled() {
    let site = Site::new();
    site.article("a", "apology", "");
    theme_with_article(&site, "{{ get_env(name=\"AWS_SECRET_ACCESS_KEY\") }}");
    let r = run(
        site.root(),
        &["build"],
        &[("AWS_SECRET_ACCESS_KEY", "CANARY-secret-value")],
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        headlines(&r.stderr),
        [
            "themes/t/templates/article.html: error: while rendering articles/a.md with theme `t`: Failed to render 'article.html': Function call 'get_env' failed: function get_env is disabled: templates cannot read the environment"
        ]
    );
    assert!(!r.stderr.contains("CANARY-secret-value") && !r.stdout.contains("CANARY-secret-value"));
    assert!(!site.root().join("site").exists());
}

#[test]
fn tpl_08_a_runaway_template_stops_at_the_page_cap() {
    let site = Site::new();
    site.article("a", "apology", "");
    theme_with_article(&site, "{% for i in range(end=1000000000) %}x{% endfor %}");
    let r = site.build_fails(1);
    assert_eq!(
        headlines(&r.stderr),
        [
            "themes/t/templates/article.html: error: while rendering articles/a.md with theme `t`: Failed to render 'article.html': Function call 'range' failed: function `range`: 1000000000 numbers is more than the limit of 1000000"
        ]
    );
    // A billion rounds of ten bytes: 10 GB if nothing stopped it.
    site.file(
        "themes/t/templates/article.html",
        "{% for i in range(end=1000000) %}{% for j in range(end=1000) %}xxxxxxxxxx{% endfor %}{% endfor %}",
    );
    let start = Instant::now();
    let r = site.build_fails(1);
    assert_eq!(
        headlines(&r.stderr),
        [
            "themes/t/templates/article.html: error: while rendering articles/a.md with theme `t`: the page is more than the limit of 33554432 bytes"
        ]
    );
    assert!(start.elapsed() < crate::harness::HANG_GUARD, "hang guard");
}
