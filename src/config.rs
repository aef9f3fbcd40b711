//! The site configuration, `mend.yaml`.
//!
//! Takes the file's text; gives a validated [`SiteConfig`] or diagnostics with
//! `mend.yaml:line:col`. Strict: unknown keys are errors. Configuration mistakes
//! are usage errors (exit code 2). Never reads files itself.

use std::path::Path;

use indexmap::IndexMap;
use serde::Deserialize;

use crate::error::{Diagnostic, Kind};
use crate::yaml::{Block, Caps};

mod accent;
pub mod picture;

pub use picture::Picture;

/// The name of the configuration file at the project root.
pub const FILE_NAME: &str = "mend.yaml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    base_url: Option<String>,
    #[serde(default = "default_language")]
    language: String,
    #[serde(default = "default_site_theme")]
    site_theme: String,
    themes: IndexMap<String, RawTheme>,
    #[serde(default)]
    allow_raw_html: bool,
    /// The default theme's link and button colour, light scheme (`#rrggbb`).
    #[serde(default)]
    accent: Option<String>,
    /// The same for the dark scheme.
    #[serde(default)]
    accent_dark: Option<String>,
    /// A picture shown before the site title, relative to the project root.
    #[serde(default)]
    logo: Option<String>,
    /// The icon browsers show in tabs and bookmarks, relative to the project root.
    #[serde(default)]
    favicon: Option<String>,
    #[serde(default)]
    search: RawSearch,
    #[serde(default)]
    limits: RawLimits,
    #[serde(default)]
    safety: Option<crate::safety::RawSafety>,
}

/// `limits:` as written: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    front_matter_bytes: Option<u64>,
    front_matter_depth: Option<u64>,
    article_bytes: Option<u64>,
    title_bytes: Option<u64>,
    slug_bytes: Option<u64>,
    page_bytes: Option<u64>,
    search_text_bytes: Option<u64>,
    highlight_line_bytes: Option<u64>,
    file_bytes: Option<u64>,
    files_bytes: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSearch {
    /// Groups of words a search treats as one (`[affair, infidelity, cheating]`).
    #[serde(default)]
    synonyms: Vec<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    title: String,
    #[serde(default)]
    description: String,
}

fn default_language() -> String {
    "en".to_string()
}

fn default_site_theme() -> String {
    "default".to_string()
}

/// A topic theme that articles and sections are cross-linked by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub id: String,
    pub title: String,
    pub description: String,
}

/// Caps on what one article may hold and what one page may become, from
/// `limits:` in `mend.yaml`. Each is checked before the step it guards, so a
/// hostile or broken input costs bounded time and memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Front matter between the `---` fences, checked before YAML parsing.
    pub front_matter_bytes: usize,
    /// Nesting of the front matter, checked by a scan before YAML parsing.
    pub front_matter_depth: usize,
    /// An article file, checked before it is read.
    pub article_bytes: u64,
    /// An article's title.
    pub title_bytes: usize,
    /// An article's slug (its file name without `.md`), a URL path segment.
    pub slug_bytes: usize,
    /// A rendered page, checked while it is written out by the template.
    pub page_bytes: usize,
    /// The text one article contributes to the search index; more is cut, with a warning.
    pub search_text_bytes: usize,
    /// A line of a fenced code block that is still highlighted; a block with a
    /// longer line is shown plain, with a warning.
    pub highlight_line_bytes: usize,
    /// A file an article links to or shows (an image, a PDF), checked
    /// before it is read.
    pub file_bytes: u64,
    /// All the files the articles link to together, checked before any is read.
    pub files_bytes: u64,
}

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;

/// Every `limits:` key with its default and the largest value accepted.
const LIMITS: [(&str, usize, usize); 10] = [
    ("front_matter_bytes", 64 * KIB, 16 * MIB),
    // serde_yaml refuses nesting past 128 levels whatever this says.
    ("front_matter_depth", 64, 128),
    ("article_bytes", 16 * MIB, 1024 * MIB),
    ("title_bytes", KIB, 64 * KIB),
    // A slug is one path segment of the output, and file systems stop at 255 bytes.
    ("slug_bytes", 200, 255),
    ("page_bytes", 32 * MIB, 1024 * MIB),
    ("search_text_bytes", 64 * KIB, 16 * MIB),
    ("highlight_line_bytes", 16 * KIB, MIB),
    ("file_bytes", 16 * MIB, 1024 * MIB),
    // The preview holds every published file in memory.
    ("files_bytes", 256 * MIB, 1024 * MIB),
];

impl Default for Limits {
    fn default() -> Self {
        let d = |i: usize| LIMITS[i].1;
        Limits {
            front_matter_bytes: d(0),
            front_matter_depth: d(1),
            article_bytes: d(2) as u64,
            title_bytes: d(3),
            slug_bytes: d(4),
            page_bytes: d(5),
            search_text_bytes: d(6),
            highlight_line_bytes: d(7),
            file_bytes: d(8) as u64,
            files_bytes: d(9) as u64,
        }
    }
}

impl Limits {
    /// The help line of a diagnostic about the limit `key`.
    pub fn hint(key: &str) -> String {
        format!("raise it with `limits: {{{key}: N}}` in mend.yaml")
    }

    /// The caps on an article's front matter, for the YAML parser.
    pub fn front_matter(&self) -> Caps {
        Caps {
            bytes: self.front_matter_bytes,
            depth: self.front_matter_depth,
            raise_hint: Some(Limits::hint),
        }
    }

    /// Validate `limits:` as written; a value out of range is an error at its line.
    fn from_raw(raw: &RawLimits, block: &Block<'_>, errors: &mut Vec<Diagnostic>) -> Limits {
        let written = [
            raw.front_matter_bytes,
            raw.front_matter_depth,
            raw.article_bytes,
            raw.title_bytes,
            raw.slug_bytes,
            raw.page_bytes,
            raw.search_text_bytes,
            raw.highlight_line_bytes,
            raw.file_bytes,
            raw.files_bytes,
        ];
        let mut values = [0usize; 10];
        for (i, ((key, default, max), value)) in LIMITS.iter().zip(written).enumerate() {
            values[i] = match value {
                None => *default,
                Some(v) if v >= 1 && v <= *max as u64 => v as usize,
                Some(v) => {
                    errors.push(block.error_at_value(
                        key,
                        &v.to_string(),
                        format!("`limits.{key}` must be between 1 and {max}, not {v}"),
                    ));
                    *default
                }
            };
        }
        Limits {
            front_matter_bytes: values[0],
            front_matter_depth: values[1],
            article_bytes: values[2] as u64,
            title_bytes: values[3],
            slug_bytes: values[4],
            page_bytes: values[5],
            search_text_bytes: values[6],
            highlight_line_bytes: values[7],
            file_bytes: values[8] as u64,
            files_bytes: values[9] as u64,
        }
    }
}

/// The validated site configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteConfig {
    pub title: String,
    pub description: String,
    /// Absolute base URL ending in `/`, used for canonical links, feeds and sitemaps.
    /// `None` when the site does not know where it will be published.
    pub base_url: Option<String>,
    pub language: String,
    /// The folder under `themes/` whose templates render the site.
    pub site_theme: String,
    /// Topic themes in the order `mend.yaml` lists them.
    pub themes: Vec<Theme>,
    pub allow_raw_html: bool,
    /// Accent colours (`#rrggbb`) for the light and dark schemes, each checked
    /// for 4.5:1 contrast with the default theme's backgrounds.
    pub accent: Option<String>,
    pub accent_dark: Option<String>,
    /// `logo` and `favicon`: checked as written here, read and measured by
    /// load (`load::pictures`), published as `logo.<ext>` and `favicon.<ext>`.
    pub logo: Option<Picture>,
    pub favicon: Option<Picture>,
    /// Search synonym groups, as written.
    pub synonyms: Vec<Vec<String>>,
    pub limits: Limits,
    /// Quick exit, safety page, help and notes; `None` (all off) without `safety:`.
    pub safety: Option<crate::safety::Safety>,
}

impl SiteConfig {
    /// A site with these theme ids (each titled by its id) and defaults
    /// otherwise, for tests and tools that build a knowledge base in code.
    pub fn with_themes(title: &str, ids: &[&str]) -> SiteConfig {
        SiteConfig {
            title: title.to_string(),
            description: String::new(),
            base_url: None,
            language: default_language(),
            site_theme: default_site_theme(),
            themes: ids
                .iter()
                .map(|id| Theme {
                    id: id.to_string(),
                    title: id.to_string(),
                    description: String::new(),
                })
                .collect(),
            allow_raw_html: false,
            accent: None,
            accent_dark: None,
            logo: None,
            favicon: None,
            synonyms: Vec::new(),
            limits: Limits::default(),
            safety: None,
        }
    }

    pub fn theme(&self, id: &str) -> Option<&Theme> {
        self.themes.iter().find(|t| t.id == id)
    }

    pub fn theme_index(&self, id: &str) -> Option<usize> {
        self.themes.iter().position(|t| t.id == id)
    }
}

/// Parse and validate `mend.yaml`. `base_url_override` comes from `--base-url`.
pub fn parse(
    path: &Path,
    text: &str,
    base_url_override: Option<&str>,
) -> Result<SiteConfig, Vec<Diagnostic>> {
    let block = Block::whole(path, text, Kind::Usage);
    let raw: RawConfig = block.parse(Caps::CONFIG).map_err(|d| vec![d])?;
    let mut errors = Vec::new();
    let limits = Limits::from_raw(&raw.limits, &block, &mut errors);
    let safety = raw
        .safety
        .map(|s| crate::safety::from_raw(s, &block, &mut errors));

    if raw.title.trim().is_empty() {
        errors.push(block.error_at_key("title", "`title` must not be empty"));
    }
    if !is_segment(&raw.site_theme) {
        errors.push(block.error_at_value(
            "site_theme",
            &raw.site_theme,
            format!("`{}` is not a theme folder name", raw.site_theme),
        ));
    }
    if raw.themes.is_empty() {
        errors.push(block.error_at_key("themes", "at least one theme is needed"));
    }
    let mut themes = Vec::new();
    for (id, theme) in raw.themes {
        if !is_slug(&id) {
            errors.push(
                block
                    .error_at_key(
                        &id,
                        format!(
                            "theme id `{id}` must be lowercase ASCII letters, digits and hyphens"
                        ),
                    )
                    .with_hint("theme ids appear in URLs, e.g. `themes/forgiveness/`"),
            );
        }
        if theme.title.trim().is_empty() {
            errors.push(block.error_at_key(&id, format!("theme `{id}` needs a title")));
        }
        themes.push(Theme {
            id,
            title: theme.title,
            description: theme.description,
        });
    }

    let base_url = match base_url_override.map(str::to_string).or(raw.base_url) {
        None => None,
        Some(url) => match normalize_base_url(&url) {
            Ok(url) => Some(url),
            Err(message) => {
                let d = if base_url_override.is_some() {
                    Diagnostic::usage(format!("--base-url: {message}"))
                } else {
                    block.error_at_value("base_url", &url, message)
                };
                errors.push(d);
                None
            }
        },
    };

    let mut colour = |value: &Option<String>, scheme: &accent::Scheme| {
        let value = value.as_deref()?;
        match accent::check(value, scheme) {
            Ok(colour) => Some(colour),
            Err(message) => {
                errors.push(
                    block
                        .error_at_value(scheme.key, value, message)
                        .with_hint("`accent` is for the light scheme, `accent_dark` for the dark one: darken the one, lighten the other"),
                );
                None
            }
        }
    };
    let accent = colour(&raw.accent, &accent::LIGHT);
    let accent_dark = colour(&raw.accent_dark, &accent::DARK);
    let mut picture = |value: &Option<String>, role: picture::Role| {
        let value = value.as_deref()?;
        picture::check_path(role, value)
            .map_err(|message| errors.push(block.error_at_value(role.key, value, message)))
            .ok()
    };
    let logo = picture(&raw.logo, picture::LOGO);
    let favicon = picture(&raw.favicon, picture::FAVICON);

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(SiteConfig {
        title: raw.title,
        description: raw.description,
        base_url,
        language: raw.language,
        site_theme: raw.site_theme,
        themes,
        allow_raw_html: raw.allow_raw_html,
        accent,
        accent_dark,
        logo,
        favicon,
        synonyms: raw.search.synonyms,
        limits,
        safety,
    })
}

/// An absolute http(s) URL, given a trailing slash.
fn normalize_base_url(url: &str) -> Result<String, String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("base URL `{url}` must start with http:// or https://"))?;
    if rest.is_empty()
        || rest.starts_with('/')
        || url
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>')
    {
        return Err(format!("base URL `{url}` is not a valid absolute URL"));
    }
    let mut url = url.to_string();
    if !url.ends_with('/') {
        url.push('/');
    }
    Ok(url)
}

/// Lowercase ASCII letters, digits and inner hyphens, at most 200 bytes: the
/// shape of theme ids and (with the configured length) of slugs.
pub fn is_slug(s: &str) -> bool {
    s.len() <= 200 && is_slug_shaped(s)
}

/// [`is_slug`] whatever the length.
pub fn is_slug_shaped(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A single safe path segment: no separators, no dot names, no control characters.
fn is_segment(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && !s.starts_with('.')
        && !s.chars().any(|c| c == '/' || c == '\\' || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<SiteConfig, Vec<Diagnostic>> {
        parse(Path::new("mend.yaml"), text, None)
    }

    #[test]
    fn keeps_theme_order_and_adds_trailing_slash() {
        let c = parse_str("title: T\nbase_url: https://example.org/kb\nthemes:\n  b: {title: B}\n  a: {title: A}\n").unwrap();
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
}
