//! Arbitrary text as the body of an article with valid front matter: parsing
//! never panics; when it succeeds, the whole in-memory pipeline (link, render,
//! search index) runs on a two-article site, and the pages carry no script,
//! no event-handler attribute and no `javascript:`-like URL from the body.

#![no_main]

use std::collections::HashMap;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mend::link::KnowledgeBase;
use mend::load::SiteTheme;
use mend::render::{RenderOptions, Templates};
use mend::write::OutputFile;

#[path = "common.rs"]
mod common;

const HEAD: &str = "---\ntitle: Fuzzed <b>\nsummary: S\nthemes: [apology]\n---\n";

/// The other article: sections with ids and themes for the fuzzed links to hit.
const OTHER: &str = "---\ntitle: Other\nsummary: The other one.\nthemes: [forgiveness]\n---\nIntro [[a]].\n\n## Zed {#z .apology}\n\nText.\n\n### Two words {.forgiveness}\n\nMore.\n";

/// The built-in theme, compiled once.
fn theme() -> &'static (SiteTheme, Templates) {
    static THEME: OnceLock<(SiteTheme, Templates)> = OnceLock::new();
    THEME.get_or_init(|| {
        let theme = mend::load::builtin_site_theme();
        let templates = match Templates::compile(&theme) {
            Ok(t) => t,
            Err(e) => panic!("built-in theme does not compile: {e:?}"),
        };
        (theme, templates)
    })
}

/// How many `<script` each page holds when the fuzzed body is empty: the theme's own.
fn theme_scripts() -> &'static HashMap<String, usize> {
    static SCRIPTS: OnceLock<HashMap<String, usize>> = OnceLock::new();
    SCRIPTS.get_or_init(|| {
        let Some((files, _)) = pipeline("") else {
            panic!("the site with an empty body does not build");
        };
        files
            .iter()
            .map(|f| {
                let html = String::from_utf8_lossy(&f.bytes).to_ascii_lowercase();
                (f.path.clone(), html.matches("<script").count())
            })
            .collect()
    })
}

/// Parse, link and render the two-article site; `None` when the fuzzed
/// article does not parse or link (after checking its diagnostics).
fn pipeline(body: &str) -> Option<(Vec<OutputFile>, KnowledgeBase)> {
    let site = common::site();
    let text = format!("{HEAD}{body}");
    let article = match mend::parse::article(&common::source("a", &text), &site) {
        Ok(article) => article,
        Err(diagnostics) => {
            assert!(!diagnostics.is_empty());
            common::check_diagnostics(&diagnostics, &text);
            return None;
        }
    };
    let other = match mend::parse::article(&common::source("b", OTHER), &site) {
        Ok(other) => other,
        Err(e) => panic!("fixed article does not parse: {e:?}"),
    };
    let kb = match mend::link::knowledge_base(
        site,
        vec![article.into(), other.into()],
        false,
        &common::files(),
    ) {
        Ok(kb) => kb,
        Err(diagnostics) => {
            assert!(!diagnostics.is_empty());
            for d in &diagnostics {
                assert!(d.path.is_some(), "link diagnostic without a path: {d:?}");
            }
            return None;
        }
    };
    let (theme, templates) = theme();
    match mend::render::site_with(&kb, templates, theme, RenderOptions::default()) {
        Ok(files) => Some((files, kb)),
        Err(diagnostics) => {
            assert!(!diagnostics.is_empty());
            None
        }
    }
}

fuzz_target!(|body: &str| {
    let Some((files, kb)) = pipeline(body) else {
        return;
    };
    let theme_scripts = theme_scripts();
    for file in &files {
        if file.path.ends_with(".html") || file.path.ends_with(".xml") {
            let html = String::from_utf8_lossy(&file.bytes);
            let own = theme_scripts.get(&file.path).copied().unwrap_or(0);
            check_html(&file.path, &html, own);
        }
    }
    for file in mend::search::index(&kb, false) {
        let js = String::from_utf8_lossy(&file.bytes);
        assert!(
            !js.contains(['<', '>', '\u{2028}', '\u{2029}']),
            "{}: search data can end a script element",
            file.path
        );
    }
});

/// Tags the theme never writes, so any of them came from the body.
const FORBIDDEN_TAGS: [&str; 8] = [
    "iframe",
    "style",
    "object",
    "embed",
    "svg",
    "math",
    "base",
    "meta http-equiv",
];

/// Every tag of a page: no script but the theme's own `own`, no event
/// handlers, no dangerous URL scheme in a URL attribute.
fn check_html(path: &str, html: &str, own: usize) {
    let lower = html.to_ascii_lowercase();
    let scripts = lower.matches("<script").count();
    assert_eq!(scripts, own, "{path}: a <script> that is not the theme's");
    for tag in FORBIDDEN_TAGS {
        assert!(
            !lower.contains(&format!("<{tag}")),
            "{path}: <{tag}> in the page"
        );
    }
    let bytes = lower.as_bytes();
    let mut i = 0;
    while let Some(lt) = lower[i..].find('<') {
        let start = i + lt + 1;
        i = start;
        if !bytes.get(start).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let (attrs, end) = tag_attributes(&lower, start);
        i = end;
        // The theme's own scripts are raw text up to their end tag.
        if lower[start..].starts_with("script") {
            i = lower[end..]
                .find("</script")
                .map_or(lower.len(), |e| end + e);
        }
        for (name, value) in attrs {
            assert!(
                !name.starts_with("on"),
                "{path}: event handler attribute `{name}` in {}",
                &html[start - 1..end.min(html.len())]
            );
            if matches!(
                name.as_str(),
                "href" | "src" | "action" | "formaction" | "xlink:href"
            ) {
                let scheme = scheme(&value);
                // `data:` is only dangerous where it is navigated to (the
                // theme's `<link rel="icon" href="data:,">` is fine).
                let link = ["a ", "form ", "area ", "iframe "]
                    .iter()
                    .any(|t| lower[start..].starts_with(t));
                let dangerous = match scheme.as_deref() {
                    Some("javascript" | "vbscript") => true,
                    Some("data") => link,
                    _ => false,
                };
                assert!(
                    !dangerous,
                    "{path}: {name}=\"{value}\" has a {scheme:?} URL"
                );
            }
        }
    }
}

/// The attributes of the tag whose name starts at `start`, and where it ends.
fn tag_attributes(html: &str, start: usize) -> (Vec<(String, String)>, usize) {
    let b = html.as_bytes();
    let mut i = start;
    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' && b[i] != b'/' {
        i += 1;
    }
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() || b[i] == b'>' {
            return (attrs, (i + 1).min(b.len()));
        }
        let name_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = html[name_start..i].to_string();
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let quote = b[i];
                let value_start = i + 1;
                i = value_start;
                while i < b.len() && b[i] != quote {
                    i += 1;
                }
                value = html[value_start..i].to_string();
                i = (i + 1).min(b.len());
            } else {
                let value_start = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                value = html[value_start..i].to_string();
            }
        }
        if name.is_empty() {
            i += 1;
        } else {
            attrs.push((name, value));
        }
    }
}

/// The scheme a browser would see in an attribute value: character references
/// and percent escapes decoded, whitespace and control characters dropped.
fn scheme(value: &str) -> Option<String> {
    let decoded = percent_decode(&decode_references(value));
    let cleaned: String = decoded
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    let colon = cleaned.find(':')?;
    let scheme = &cleaned[..colon];
    (!scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then(|| scheme.to_string())
}

fn decode_references(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest.find(';').filter(|&e| e <= 12);
        let decoded = end.and_then(|e| {
            let entity = &rest[1..e];
            match entity {
                "colon" => Some(':'),
                "tab" => Some('\t'),
                "newline" => Some('\n'),
                "amp" => Some('&'),
                _ => entity
                    .strip_prefix("#x")
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }
        });
        match (decoded, end) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(byte) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
