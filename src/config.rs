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
mod limits;
pub mod picture;

pub use limits::Limits;
use limits::RawLimits;
pub use picture::Picture;

/// The name of the configuration file at the project root.
pub(crate) const FILE_NAME: &str = "mend.yaml";

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

    pub(crate) fn theme_index(&self, id: &str) -> Option<usize> {
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
    let themes = themes(raw.themes, &block, &mut errors);
    let base_url = base_url(base_url_override, raw.base_url, &block, &mut errors);
    let accent = accent_colour(raw.accent.as_deref(), &accent::LIGHT, &block, &mut errors);
    let accent_dark = accent_colour(
        raw.accent_dark.as_deref(),
        &accent::DARK,
        &block,
        &mut errors,
    );
    let logo = picture_file(raw.logo.as_deref(), picture::LOGO, &block, &mut errors);
    let favicon = picture_file(
        raw.favicon.as_deref(),
        picture::FAVICON,
        &block,
        &mut errors,
    );

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

/// The topic themes in the order written; each id must be a slug and each
/// title not empty.
fn themes(
    raw: IndexMap<String, RawTheme>,
    block: &Block<'_>,
    errors: &mut Vec<Diagnostic>,
) -> Vec<Theme> {
    if raw.is_empty() {
        errors.push(block.error_at_key("themes", "at least one theme is needed"));
    }
    let mut themes = Vec::new();
    for (id, theme) in raw {
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
    themes
}

/// The base URL, `--base-url` before `base_url:`, normalized.
fn base_url(
    base_url_override: Option<&str>,
    written: Option<String>,
    block: &Block<'_>,
    errors: &mut Vec<Diagnostic>,
) -> Option<String> {
    match base_url_override.map(str::to_string).or(written) {
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
    }
}

/// An accent colour, checked against the scheme it is for.
fn accent_colour(
    value: Option<&str>,
    scheme: &accent::Scheme,
    block: &Block<'_>,
    errors: &mut Vec<Diagnostic>,
) -> Option<String> {
    let value = value?;
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
}

/// The logo or favicon, its path checked as written.
fn picture_file(
    value: Option<&str>,
    role: picture::Role,
    block: &Block<'_>,
    errors: &mut Vec<Diagnostic>,
) -> Option<Picture> {
    let value = value?;
    picture::check_path(role, value)
        .map_err(|message| errors.push(block.error_at_value(role.key, value, message)))
        .ok()
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
pub(crate) fn is_slug(s: &str) -> bool {
    s.len() <= 200 && is_slug_shaped(s)
}

/// [`is_slug`] whatever the length.
pub(crate) fn is_slug_shaped(s: &str) -> bool {
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
mod tests;
