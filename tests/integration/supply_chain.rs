//! Supply chain rows of ../shared/RELIABILITY.md (SUP-01 to SUP-03), named by their IDs.
//!
//! SUP-01 stands in for `cargo deny check bans licenses sources` wherever
//! cargo-deny is not installed (see deny.toml): the bans and the license
//! allow-list are read from deny.toml itself, the dependency graph from
//! Cargo.lock and `cargo metadata`. SUP-03 builds every regression fixture in
//! tests/fixtures/advisories/ and checks its defined behaviour and a time bound.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::harness::Site;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(rel: &str) -> String {
    fs::read_to_string(Path::new(ROOT).join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// One `[[package]]` of Cargo.lock.
#[derive(Debug)]
struct Locked {
    name: String,
    version: String,
    source: Option<String>,
}

fn cargo_lock() -> Vec<Locked> {
    let text = read("Cargo.lock");
    let field = |block: &str, key: &str| {
        block.lines().find_map(|l| {
            l.strip_prefix(&format!("{key} = \""))
                .and_then(|v| v.strip_suffix('"'))
                .map(str::to_string)
        })
    };
    let packages: Vec<Locked> = text
        .split("[[package]]")
        .skip(1)
        .map(|block| Locked {
            name: field(block, "name").expect("name"),
            version: field(block, "version").expect("version"),
            source: field(block, "source"),
        })
        .collect();
    assert!(packages.len() > 50, "Cargo.lock parsed: {}", packages.len());
    packages
}

/// The quoted strings of the array `key = [` in `[table]` of deny.toml.
fn deny_list(table: &str, key: &str, item: &str) -> Vec<String> {
    let text = read("deny.toml");
    let start = text
        .find(&format!("\n[{table}]\n"))
        .unwrap_or_else(|| panic!("deny.toml has no [{table}]"));
    let body = &text[start + table.len() + 4..];
    let body = &body[..body.find("\n[").unwrap_or(body.len())];
    let open = body
        .find(&format!("\n{key} = ["))
        .unwrap_or_else(|| panic!("[{table}] has no {key}"));
    let list = &body[open..];
    let list = &list[..list.find("\n]").expect("array end")];
    list.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| {
            let at = l.find(item)? + item.len();
            let rest = &l[at..];
            Some(rest[..rest.find('"')?].to_string())
        })
        .collect()
}

/// `0.9.34+deprecated` -> `[0, 9, 34]`.
fn semver(v: &str) -> Vec<u64> {
    v.split(['+', '-'])
        .next()
        .unwrap_or_default()
        .split('.')
        .map(|n| n.parse().expect("numeric version"))
        .collect()
}

#[test]
fn sup_01_banned_crates_are_absent_and_every_crate_comes_from_the_one_registry() {
    let banned = deny_list("bans", "deny", "crate = \"");
    assert_eq!(banned, ["serde_yml", "libyml"], "deny.toml bans");
    let lock = cargo_lock();
    for p in &lock {
        assert!(
            !banned.contains(&p.name),
            "{} {} is banned by deny.toml",
            p.name,
            p.version
        );
    }
    // Only mend itself has no source; the rest come from one registry, none from git.
    let local: Vec<&str> = lock
        .iter()
        .filter(|p| p.source.is_none())
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(local, ["mend"]);
    let sources: BTreeSet<&str> = lock.iter().filter_map(|p| p.source.as_deref()).collect();
    assert_eq!(sources.len(), 1, "more than one source: {sources:?}");
    let only = sources.iter().next().expect("a source");
    assert!(
        only.starts_with("registry+") || only.starts_with("sparse+"),
        "not a registry: {only}"
    );
}

/// A license expression: does some choice satisfy it with `allowed`?
/// Grammar: or := and ("OR" and)*; and := atom ("AND" atom)*;
/// atom := "(" or ")" | id ["WITH" id]. The old `A/B` form means `A OR B`.
fn satisfied(expr: &str, allowed: &BTreeSet<String>) -> bool {
    let spaced = expr
        .replace('(', " ( ")
        .replace(')', " ) ")
        .replace('/', " OR ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    let mut at = 0;
    let ok = or(&tokens, &mut at, allowed);
    assert_eq!(at, tokens.len(), "unparsed license expression `{expr}`");
    ok
}

fn or(t: &[&str], at: &mut usize, allowed: &BTreeSet<String>) -> bool {
    let mut ok = and(t, at, allowed);
    while t.get(*at) == Some(&"OR") {
        *at += 1;
        ok |= and(t, at, allowed);
    }
    ok
}

fn and(t: &[&str], at: &mut usize, allowed: &BTreeSet<String>) -> bool {
    let mut ok = atom(t, at, allowed);
    while t.get(*at) == Some(&"AND") {
        *at += 1;
        ok &= atom(t, at, allowed);
    }
    ok
}

fn atom(t: &[&str], at: &mut usize, allowed: &BTreeSet<String>) -> bool {
    let token = t[*at];
    *at += 1;
    if token == "(" {
        let ok = or(t, at, allowed);
        assert_eq!(t.get(*at), Some(&")"), "unbalanced license expression");
        *at += 1;
        return ok;
    }
    let mut id = token.to_string();
    if t.get(*at) == Some(&"WITH") {
        id = format!("{id} WITH {}", t[*at + 1]);
        *at += 2;
    }
    allowed.contains(&id)
}

/// `name vX.Y.Z` -> license of every package the build and the tests use,
/// from `cargo tree` (features resolved as they are built, all platforms:
/// mend is built for Windows and macOS too, so their crates count). A build
/// on Linux downloads only Linux's crates, so this is not `--offline`: cargo
/// fetches the other platforms' crates the first time (from the registry
/// the build uses, pinned by Cargo.lock) instead of depending on what a
/// machine's cache happens to hold.
/// `cargo metadata` would do, but its graph lists optional dependencies that
/// are only named by weak features (`zlib-rs?/std`) and never built.
fn used_licenses() -> BTreeMap<String, String> {
    let cargo = option_env!("CARGO").unwrap_or("cargo");
    let out = Command::new(cargo)
        .args(["tree", "--locked", "--target", "all"])
        .args(["-e", "normal,build,dev", "--prefix", "none"])
        .args(["--format", "{p}|{l}"])
        .arg("--manifest-path")
        .arg(Path::new(ROOT).join("Cargo.toml"))
        .output()
        .expect("run cargo tree");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let (package, license) = l.trim_end_matches(" (*)").split_once('|')?;
            // `mend v0.1.0 (/path)`: the name and version are enough.
            let package = package.split(" (").next().unwrap_or(package);
            let license = if license.is_empty() {
                "(none)"
            } else {
                license
            };
            Some((package.to_string(), license.to_string()))
        })
        .collect()
}

#[test]
fn sup_01_every_license_is_allowed_and_every_allowed_license_is_used() {
    let allowed: BTreeSet<String> = deny_list("licenses", "allow", "\"").into_iter().collect();
    assert!(allowed.contains("MIT") && allowed.contains("Apache-2.0"));
    let used = used_licenses();
    assert!(used.len() > 50, "{} packages", used.len());
    let refused: Vec<String> = used
        .iter()
        .filter(|(_, l)| !satisfied(l, &allowed))
        .map(|(p, l)| format!("{p}: {l}"))
        .collect();
    assert_eq!(refused, Vec::<String>::new(), "licenses outside deny.toml");
    // Exactly the licenses needed: without any one of them, something is refused.
    for license in &allowed {
        let mut fewer = allowed.clone();
        fewer.remove(license);
        assert!(
            used.values().any(|l| !satisfied(l, &fewer)),
            "`{license}` is allowed in deny.toml but no dependency needs it"
        );
    }
}

#[test]
fn sup_01_the_license_evaluator_reads_spdx_expressions() {
    let allowed: BTreeSet<String> = ["MIT", "Apache-2.0 WITH LLVM-exception", "Unicode-3.0"]
        .map(String::from)
        .into();
    assert!(satisfied("MIT OR Apache-2.0", &allowed));
    assert!(satisfied("(MIT OR Apache-2.0) AND Unicode-3.0", &allowed));
    assert!(satisfied("MIT/BSD-3-Clause", &allowed));
    assert!(satisfied("Apache-2.0 WITH LLVM-exception", &allowed));
    assert!(!satisfied("Apache-2.0", &allowed));
    assert!(!satisfied("MIT AND BSD-3-Clause", &allowed));
    assert!(!satisfied("(MIT OR Apache-2.0) AND BSD-3-Clause", &allowed));
    assert!(!satisfied("GPL-3.0-only", &allowed));
}

#[test]
fn sup_02_minimum_versions_of_the_parsers_of_untrusted_input() {
    let lock = cargo_lock();
    // pulldown-cmark 0.13.0 to 0.13.4: RUSTSEC-2026-0414; tera 1.20.1; ammonia
    // 4.1.4 if it is ever used.
    for (name, min, required) in [
        ("pulldown-cmark", [0, 13, 5], true),
        ("tera", [1, 20, 1], true),
        ("ammonia", [4, 1, 4], false),
    ] {
        let found: Vec<&Locked> = lock.iter().filter(|p| p.name == name).collect();
        assert!(
            !required || !found.is_empty(),
            "{name} is not in Cargo.lock"
        );
        for p in found {
            assert!(
                semver(&p.version) >= min.to_vec(),
                "{name} {} is older than {}",
                p.version,
                min.map(|n| n.to_string()).join(".")
            );
        }
    }
}

/// A fixture's expected outcome: exit code, the first line of stderr (or the
/// text it contains), and checks on the built site.
struct Expect {
    file: &'static str,
    code: i32,
    first_line: &'static str,
    /// CPU time (all threads) of the whole `mend build`, debug binary: the
    /// vulnerable versions take minutes to forever on these inputs.
    bound: Duration,
    site: fn(&Site),
}

fn body(site: &Site) -> String {
    let page = site.read("articles/a/index.html");
    let start = page.find("<div class=\"body\">").expect("article body");
    let end = start + page[start..].find("</article>").expect("article end");
    page[start..end].to_string()
}

fn nothing(_: &Site) {}

const CPU_BOUND: Duration = Duration::from_secs(2);

const FIXTURES: &[Expect] = &[
    Expect {
        file: "rustsec-2026-0414-wikilinks-x18.md",
        code: 0,
        first_line: "",
        bound: CPU_BOUND,
        // On pulldown-cmark 0.13.4 these 126 bytes render to 4.4 MB.
        site: |site| {
            let page = site.read("articles/a/index.html");
            assert!(page.len() < 64 * 1024, "{} bytes", page.len());
            assert_eq!(body(site).matches("<a href=\"./\">").count(), 18);
        },
    },
    Expect {
        file: "rustsec-2026-0414-wikilinks-x40.md",
        code: 0,
        first_line: "",
        bound: CPU_BOUND,
        site: |site| assert_eq!(body(site).matches("<a href=\"./\">").count(), 40),
    },
    Expect {
        file: "serde-277-billion-laughs.md",
        code: 1,
        first_line: "articles/a.md:2:1: error: unknown key `a0`",
        bound: CPU_BOUND,
        site: nothing,
    },
    Expect {
        file: "serde-277-billion-laughs-in-themes.md",
        code: 1,
        first_line: "articles/a.md:4:10: error: themes[0]: invalid type: sequence, expected a string",
        bound: CPU_BOUND,
        site: nothing,
    },
    Expect {
        file: "serde-277-ten-thousand-aliases.md",
        code: 1,
        first_line: "articles/a.md:4:13: error: theme `apology` is listed twice",
        bound: CPU_BOUND,
        site: nothing,
    },
    Expect {
        file: "rustsec-2018-0005-nesting-200000.md",
        code: 1,
        first_line: "articles/a.md:2:1: error: YAML block is 200055 bytes, more than the limit of 65536 bytes",
        bound: CPU_BOUND,
        site: nothing,
    },
    Expect {
        file: "unsafe-libyaml-nesting-50000.md",
        code: 1,
        first_line: "articles/a.md:4:72: error: YAML nests deeper than the limit of 64 levels",
        bound: CPU_BOUND,
        site: nothing,
    },
    Expect {
        file: "syntect-477-long-line.md",
        code: 0,
        first_line: "articles/a.md:7:1: warning: line 8 of this `rust` block is 200011 bytes, more than the limit of 16384 bytes for highlighting: the block is shown plain",
        bound: Duration::from_secs(6),
        site: |site| {
            let body = body(site);
            assert!(
                body.contains("<pre class=\"code\" data-lang=\"rust\"><code>let x = &quot;aaaa")
            );
            assert!(body.contains("<pre class=\"code\" data-lang=\"html\"><code>&lt;a &lt;a "));
            assert!(!body.contains("<span class="), "nothing was highlighted");
        },
    },
    Expect {
        file: "hugo-cve-2026-50133-raw-html.md",
        code: 0,
        first_line: "",
        bound: CPU_BOUND,
        site: |site| {
            let body = body(site);
            assert!(
                body.contains("<p>&lt;script&gt;alert(1)&lt;/script&gt;"),
                "{body}"
            );
            for bad in ["<script", "<img", "<iframe", "<style"] {
                assert!(!body.contains(bad), "{bad} in {body}");
            }
        },
    },
    Expect {
        file: "ghsa-m6mh-2hw2-555x-sanitiser-bypass.md",
        code: 0,
        first_line: "",
        bound: CPU_BOUND,
        site: |site| {
            let body = body(site);
            assert!(
                body.contains("&lt;svg&gt;&lt;set attributeName=href"),
                "{body}"
            );
            for bad in ["<svg", "<set", "<math", "<a href=\"&", "<img", "<style"] {
                assert!(!body.contains(bad), "{bad} in {body}");
            }
        },
    },
    Expect {
        file: "hugo-ghsa-ppf8-hhpp-f5hj-link-title.md",
        code: 0,
        first_line: "",
        bound: CPU_BOUND,
        site: |site| {
            assert!(body(site).contains(
                "<a href=\"https://example.org/\" title=\"a&quot; onmouseover=alert(1) x=&quot;\">x</a>"
            ));
        },
    },
    Expect {
        file: "serde-json-537-script-in-title.md",
        code: 0,
        first_line: "",
        bound: CPU_BOUND,
        site: |site| {
            let index = site.read("search/d/0.js");
            assert!(
                index.contains("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e \\u2028 \\u2029 end"),
                "{index}"
            );
            for (path, bytes) in crate::harness::tree(&site.root().join("site")) {
                let text = String::from_utf8_lossy(&bytes);
                assert!(
                    !text.contains("<script>alert(1)") && !text.contains("</script><script>"),
                    "{} lets the title out",
                    path.display()
                );
            }
        },
    },
];

#[test]
fn sup_03_every_advisory_fixture_has_a_readme_line_and_an_expectation() {
    let dir = Path::new(ROOT).join("tests/fixtures/advisories");
    let readme = read("tests/fixtures/advisories/README.md");
    let mut files: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") && n != "README.md")
        .collect();
    files.sort();
    let mut expected: Vec<&str> = FIXTURES.iter().map(|e| e.file).collect();
    expected.sort();
    assert_eq!(files, expected, "fixtures on disk vs expectations");
    for f in &files {
        assert!(
            readme.contains(&format!("`{f}`")),
            "README.md has no line for {f}"
        );
    }
}

#[test]
fn sup_03_advisory_fixtures_build_to_their_defined_outcome_in_bounded_time() {
    let mut timings = Vec::new();
    for expect in FIXTURES {
        let site = Site::new();
        site.file(
            "articles/a.md",
            &read(&format!("tests/fixtures/advisories/{}", expect.file)),
        );
        // CPU time, not wall time: a busy machine does not change it.
        let (run, took) = crate::harness::cpu_timed(site.root(), &["build"]);
        timings.push(format!("{} {} ms", expect.file, took.as_millis()));
        assert_eq!(run.code, expect.code, "{}: {}", expect.file, run.stderr);
        let first = run.stderr.lines().next().unwrap_or_default();
        if expect.code == 0 && expect.first_line.is_empty() {
            assert!(
                !run.stderr.contains("error"),
                "{}: {}",
                expect.file,
                run.stderr
            );
        } else {
            assert_eq!(first, expect.first_line, "{}", expect.file);
        }
        // One report per problem, not per repetition: a few lines, never megabytes.
        assert!(
            run.stderr.len() < 1024 * 1024,
            "{}: {} bytes of diagnostics",
            expect.file,
            run.stderr.len()
        );
        assert!(
            took < expect.bound,
            "{} took {took:?} of CPU, over {:?}",
            expect.file,
            expect.bound
        );
        (expect.site)(&site);
    }
    eprintln!("advisory fixtures: {}", timings.join(", "));
}
