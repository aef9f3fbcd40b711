//! What a link or image destination points at, as an author writes it: an
//! article and section, a section of the same article, a file in
//! `articles/`, or an absolute URL with an allowed scheme.
//!
//! Takes the destination and the article's path; gives a [`Target`] or why
//! it is refused. Never looks at the disk or at other articles.

use std::path::Path;

use super::Target;
use super::files::{Refusal, file_target, percent_decode};

/// The URL scheme of `dest` after decoding and dropping whitespace and control
/// characters (browsers ignore those inside a scheme), lowercased.
pub(super) fn scheme_of(dest: &str) -> Option<String> {
    let decoded: String = percent_decode(&decode_entities(dest))
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    let colon = decoded.find(':')?;
    let scheme = &decoded[..colon];
    let valid = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_ascii_lowercase())
}

/// The few character references that can hide a scheme (`&#58;` for `:` and the like).
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&colon;", ":")
        .replace("&#58;", ":")
        .replace("&#x3a;", ":")
        .replace("&#x3A;", ":")
}

const ALLOWED_SCHEMES: [&str; 4] = ["http", "https", "mailto", "tel"];

pub(super) fn check_scheme(dest: &str) -> Result<(), String> {
    match scheme_of(dest) {
        Some(scheme) if !ALLOWED_SCHEMES.contains(&scheme.as_str()) => Err(format!(
            "`{scheme}:` links are not allowed (allowed: http, https, mailto, tel and relative links)"
        )),
        _ => Ok(()),
    }
}

/// Why a relative link that means an article (`other.MD`, `other.md?x=1`,
/// `other.md/`) would not reach it on the site, or `None`.
fn misspelt_article_link(path: &str) -> Option<String> {
    let (file, query) = match path.split_once('?') {
        Some((file, query)) => (file, Some(query)),
        None => (path, None),
    };
    let lower = file.to_ascii_lowercase();
    let stem_of = |suffix: &str| {
        lower
            .strip_suffix(suffix)
            .map(|_| &file[..file.len() - suffix.len()])
    };
    if let Some(stem) = stem_of(".md/") {
        return Some(format!(
            "link to `{path}`: write `{stem}.md`, without the `/`"
        ));
    }
    let stem = stem_of(".md")?;
    if query.is_some() {
        return Some(format!(
            "link to `{path}`: a link to an article cannot carry a query; write `{stem}.md`"
        ));
    }
    (!file.ends_with(".md"))
        .then(|| format!("link to `{path}`: write the extension in lowercase, `{stem}.md`"))
}

/// What a link destination in the article at `article` points at.
pub(super) fn classify(dest: &str, wiki: bool, article: &Path) -> Result<Target, Refusal> {
    check_scheme(dest)?;
    if scheme_of(dest).is_some() || dest.starts_with("//") {
        return Ok(Target::External(dest.to_string()));
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(percent_decode(f))),
        None => (dest, None),
    };
    if path.is_empty() {
        return match fragment {
            Some(f) if !f.is_empty() => Ok(Target::Anchor(f)),
            _ => Err("empty link".into()),
        };
    }
    let path = percent_decode(path);
    let path = path.strip_prefix("./").unwrap_or(&path);
    let path = path.strip_prefix("../articles/").unwrap_or(path);
    if wiki {
        let slug = path.strip_suffix(".md").unwrap_or(path).trim();
        if slug.is_empty() {
            return Err("empty wiki link: write the target's file name, e.g. `[[other]]`".into());
        }
        return Ok(Target::Article {
            slug: slug.to_string(),
            fragment,
        });
    }
    if let Some(message) = misspelt_article_link(path) {
        return Err(message.into());
    }
    match path.strip_suffix(".md") {
        Some(stem) if stem.contains('/') => {
            Err(format!("link to `{path}`: articles live directly in articles/").into())
        }
        Some(stem) => Ok(Target::Article {
            slug: stem.to_string(),
            fragment,
        }),
        None => file_target(dest, article),
    }
}

/// What an image source in the article at `article` shows: a file there or
/// an absolute URL.
pub(super) fn classify_image(dest: &str, article: &Path) -> Result<Target, Refusal> {
    check_scheme(dest)?;
    if scheme_of(dest).is_some() || dest.starts_with('/') {
        return Ok(Target::External(dest.to_string()));
    }
    if dest.is_empty() {
        return Err("empty image source: write the image file's path, e.g. `![A diagram](images/diagram.png)`".into());
    }
    if dest.starts_with('#') {
        return Err(format!("image source `{dest}` is a section, not an image file").into());
    }
    let file = dest.split(['?', '#']).next().unwrap_or(dest);
    if file.to_ascii_lowercase().ends_with(".md") {
        return Err(format!("image source `{file}` is an article, not an image file").into());
    }
    file_target(dest, article)
}
