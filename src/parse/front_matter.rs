//! Front matter: the YAML between an article's `---` fences, found, read
//! and checked.
//!
//! Takes the article's text and the site configuration; gives the fields
//! with every mistake located in the file: unknown keys all at once with a
//! did-you-mean, missing keys at the opening fence, values that a page or
//! feed cannot hold. Never reads the Markdown body.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;

use super::{Attribution, Date, theme_list, unknown_theme};
use crate::config::{Limits, SiteConfig};
use crate::error::{Diagnostic, Kind, did_you_mean};
use crate::yaml::Block;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FrontMatter {
    /// `Option` so that `title: ~` is caught as missing rather than read as "~".
    pub(crate) title: Option<String>,
    pub(crate) summary: Option<String>,
    pub(crate) themes: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) source: Option<Attribution>,
    #[serde(default)]
    pub(crate) date: Option<String>,
    #[serde(default)]
    pub(crate) updated: Option<String>,
    #[serde(default)]
    pub(crate) draft: bool,
    /// What the article discusses, shown before its text (see [`crate::safety`]).
    #[serde(default)]
    pub(crate) content_note: Option<String>,
}

/// The front matter between `fm_range`, validated; what could not be read
/// is left `None` and the errors say why.
pub(super) fn read(
    text: &str,
    fm_range: (usize, usize),
    path: &Path,
    site: &SiteConfig,
    errors: &mut Vec<Diagnostic>,
) -> FrontMatter {
    let block = Block {
        path,
        file: text,
        offset: fm_range.0,
        text: &text[fm_range.0..fm_range.1],
        kind: Kind::Content,
    };
    match block.parse(site.limits.front_matter()) {
        Ok(fm) => {
            validate_front_matter(&fm, &block, site, errors);
            fm
        }
        Err(d) => {
            // serde_yaml names the first unknown key only; name them all.
            let unknown = if d.message.starts_with("unknown field") {
                unknown_keys(&block)
            } else {
                Vec::new()
            };
            if unknown.is_empty() {
                errors.push(d);
            } else {
                errors.extend(unknown);
            }
            FrontMatter {
                title: None,
                summary: None,
                themes: None,
                source: None,
                date: None,
                updated: None,
                draft: false,
                content_note: None,
            }
        }
    }
}

/// The YAML between an article's `---` fences as a block of its file, for
/// pointing at its lines; `None` when the fences are not there.
pub(crate) fn block_of<'a>(path: &'a Path, text: &'a str) -> Option<Block<'a>> {
    let ((start, end), _) = split_front_matter(text).ok()?;
    Some(Block {
        path,
        file: text,
        offset: start,
        text: &text[start..end],
        kind: Kind::Content,
    })
}

/// Byte range of the YAML between the `---` fences, and where the body starts.
pub(super) fn split_front_matter(text: &str) -> Result<((usize, usize), usize), Diagnostic> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let first_end = text[start..]
        .find('\n')
        .map_or(text.len(), |i| start + i + 1);
    if text[start..first_end].trim_end() != "---" {
        return Err(
            Diagnostic::error("missing front matter: an article starts with a `---` line")
                .at_line(text, 1)
                .with_hint("add `---`, then `title:`, `summary:` and `themes:`, then `---`"),
        );
    }
    let mut offset = first_end;
    for line in text[first_end..].split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            return Ok(((first_end, offset), offset + line.len()));
        }
        offset += line.len();
    }
    Err(
        Diagnostic::error("front matter is not closed: no `---` line after it")
            .at_line(text, 1)
            .with_hint("end the front matter with a line holding only `---`"),
    )
}

/// Every mistake in the front matter, in the order of its checks.
fn validate_front_matter(
    fm: &FrontMatter,
    block: &Block<'_>,
    site: &SiteConfig,
    errors: &mut Vec<Diagnostic>,
) {
    validate_content_note(fm, block, errors);
    for (key, value) in [("title", &fm.title), ("summary", &fm.summary)] {
        validate_text(key, value.as_deref(), block, site, errors);
    }
    validate_themes(fm, block, site, errors);
    validate_source(fm, block, errors);
    validate_dates(fm, block, errors);
}

/// `content_note`, when given: one line of text.
fn validate_content_note(fm: &FrontMatter, block: &Block<'_>, errors: &mut Vec<Diagnostic>) {
    if let Some(note) = &fm.content_note
        && (note.trim().is_empty() || note.chars().any(char::is_control))
    {
        errors.push(block.error_at_key(
            "content_note",
            "`content_note` must be one line of text, not empty",
        ));
    }
}

/// `title` or `summary`: there, one line of text a page or feed can hold.
fn validate_text(
    key: &str,
    value: Option<&str>,
    block: &Block<'_>,
    site: &SiteConfig,
    errors: &mut Vec<Diagnostic>,
) {
    match value {
        None if find_key_in(block, key) => {
            errors.push(block.error_at_key(key, format!("`{key}` must not be empty (it is null)")));
        }
        None => errors.push(missing(block, key, site)),
        Some(v) if v.trim().is_empty() => {
            errors.push(block.error_at_key(key, format!("`{key}` must not be empty")))
        }
        Some(v) if v.chars().any(|c| c.is_control() && c != '\t') => {
            errors.push(block.error_at_key(
                key,
                format!("`{key}` must be one line without control characters"),
            ));
        }
        Some(v) if v.chars().any(is_noncharacter) => {
            let c = v
                .chars()
                .find(|&c| is_noncharacter(c))
                .unwrap_or('\u{FFFF}');
            errors.push(
                block
                    .error_at_key(
                        key,
                        format!(
                            "`{key}` holds U+{:04X}, a noncharacter that a page or feed may not hold",
                            c as u32
                        ),
                    )
                    .with_hint("remove it"),
            );
        }
        Some(v) if key == "title" && v.len() > site.limits.title_bytes => errors.push(
            block
                .error_at_key(
                    key,
                    format!(
                        "`title` is {} bytes, more than the limit of {}",
                        v.len(),
                        site.limits.title_bytes
                    ),
                )
                .with_hint(Limits::hint("title_bytes")),
        ),
        Some(_) => {}
    }
}

/// At least one theme, each known and listed once.
fn validate_themes(
    fm: &FrontMatter,
    block: &Block<'_>,
    site: &SiteConfig,
    errors: &mut Vec<Diagnostic>,
) {
    let themes = fm.themes.as_deref().unwrap_or_default();
    if fm.themes.is_none() && !find_key_in(block, "themes") {
        errors.push(missing(block, "themes", site));
    } else if themes.is_empty() {
        errors.push(
            block
                .error_at_key("themes", "an article needs at least one theme")
                .with_hint(format!("known themes: {}", theme_list(site))),
        );
    }
    // Each distinct theme is reported once: a YAML alias repeats one 10,000
    // times in 40 KB, and an error per repeat printed the line each time.
    let mut seen = HashSet::new();
    let mut repeated = HashSet::new();
    for theme in themes {
        if seen.insert(theme) {
            if site.theme(theme).is_none() {
                errors.push(unknown_theme(
                    block.error_at_value("themes", theme, format!("unknown theme `{theme}`")),
                    theme,
                    site,
                ));
            }
        } else if repeated.insert(theme) && site.theme(theme).is_some() {
            errors.push(block.error_at_value(
                "themes",
                theme,
                format!("theme `{theme}` is listed twice"),
            ));
        }
    }
}

/// `source`, when given: says something, and its `url` is a web address.
fn validate_source(fm: &FrontMatter, block: &Block<'_>, errors: &mut Vec<Diagnostic>) {
    if let Some(source) = &fm.source {
        if source.title.is_none() && source.publisher.is_none() && source.url.is_none() {
            errors.push(block.error_at_key(
                "source",
                "`source` needs at least one of `title`, `publisher`, `url`",
            ));
        }
        if let Some(url) = &source.url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            errors.push(block.error_at_value(
                "url",
                url,
                "`source.url` must be an http:// or https:// URL",
            ));
        }
    }
}

/// `date` and `updated`: real dates, and not updated before written.
fn validate_dates(fm: &FrontMatter, block: &Block<'_>, errors: &mut Vec<Diagnostic>) {
    for (key, value) in [("date", &fm.date), ("updated", &fm.updated)] {
        if let Some(value) = value
            && Date::parse(value).is_none()
        {
            errors.push(block.error_at_value(
                key,
                value,
                format!("`{key}` must be a date written YYYY-MM-DD, not `{value}`"),
            ));
        }
    }
    let parsed = |value: &Option<String>| value.as_deref().and_then(Date::parse);
    if let (Some(date), Some(updated)) = (&fm.date, &fm.updated)
        && let (Some(written), Some(changed)) = (parsed(&fm.date), parsed(&fm.updated))
        && changed < written
    {
        errors.push(block.error_at_value(
            "updated",
            updated,
            format!("`updated` ({updated}) is before `date` ({date})"),
        ));
    }
}

/// Unicode's noncharacters (U+FDD0 to U+FDEF and the last two code points of
/// every plane): not allowed in XML, so a title holding one broke `feed.xml`.
pub fn is_noncharacter(c: char) -> bool {
    let c = c as u32;
    (0xFDD0..=0xFDEF).contains(&c) || c & 0xFFFE == 0xFFFE
}

/// Windows refuses these names for a file or folder, with or without an
/// extension, so a page at `articles/con/` cannot be checked out there.
const WINDOWS_RESERVED: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// An error for a slug that Windows reserves.
pub(super) fn reserved_name(slug: &str) -> Option<Diagnostic> {
    WINDOWS_RESERVED.contains(&slug).then(|| {
        Diagnostic::error(format!(
            "`{slug}` is a reserved file name on Windows: its page could not be checked out there"
        ))
        .with_hint(format!(
            "rename the file, e.g. to articles/{slug}-article.md (reserved: CON, PRN, AUX, NUL, COM1-COM9, LPT1-LPT9)"
        ))
    })
}

/// The keys front matter may have, and those of `source:`.
const KEYS: &[&str] = &[
    "title",
    "summary",
    "themes",
    "source",
    "date",
    "updated",
    "draft",
    "content_note",
];
const SOURCE_KEYS: &[&str] = &["title", "publisher", "url"];

/// A required key the front matter lacks, reported at its opening `---`:
/// there is no line of the key to point at.
fn missing(block: &Block<'_>, key: &str, site: &SiteConfig) -> Diagnostic {
    let d = Diagnostic::error(format!("the front matter has no `{key}`"))
        .in_file(block.path)
        .at_line(block.file, 1);
    let required = "an article's front matter needs `title`, `summary` and `themes`";
    match key {
        "themes" => d.with_hint(format!("{required}; known themes: {}", theme_list(site))),
        _ => d.with_hint(required),
    }
}

/// Every key the front matter may not have, each with a did-you-mean.
fn unknown_keys(block: &Block<'_>) -> Vec<Diagnostic> {
    crate::yaml::unknown_keys(block.text, KEYS, &[("source", SOURCE_KEYS)])
        .into_iter()
        .map(|u| {
            let message = match u.parent {
                Some(parent) => format!("unknown key `{}` under `{parent}`", u.key),
                None => format!("unknown key `{}`", u.key),
            };
            let hint = match did_you_mean(u.key, u.allowed.iter().copied()) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!("keys allowed here: {}", u.allowed.join(", ")),
            };
            block
                .error_at(u.offset, u.key.len(), message)
                .with_hint(hint)
        })
        .collect()
}

/// Whether the front matter writes `key:` at all (so a `None` was `~`/`null`).
fn find_key_in(block: &Block<'_>, key: &str) -> bool {
    block.text.lines().any(|l| {
        l.strip_prefix(key)
            .is_some_and(|r| r.trim_start().starts_with(':'))
    })
}
