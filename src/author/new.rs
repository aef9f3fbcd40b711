//! `mend new`: one article file, with valid front matter and a skeleton body.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::{ErrorKind, Write as _};
use std::path::{Path, PathBuf};

use crate::config::{self, SiteConfig};
use crate::error::{Diagnostic, Failure, did_you_mean};
use crate::load::{self, ArticleSource, SourceFile};
use crate::parse;

/// Written when the author gives no `--summary`. It passes validation, so the
/// new article builds at once, and it says plainly that it is to be replaced.
pub const PLACEHOLDER_SUMMARY: &str = "Replace this with one or two sentences about the article.";

/// Slugs longer than this are cut at a hyphen: `config::is_slug` refuses them.
const MAX_SLUG_BYTES: usize = 200;

/// What `mend new` was asked for.
#[derive(Debug, Clone, Default)]
pub struct NewArticle {
    pub title: String,
    /// Theme ids; the first theme of `mend.yaml` when empty.
    pub themes: Vec<String>,
    /// [`PLACEHOLDER_SUMMARY`] when `None`.
    pub summary: Option<String>,
}

/// Write `articles/<slug>.md` under `root`, the slug made from the title, and
/// give the path written. Never overwrites a file.
pub fn new_article(root: &Path, request: &NewArticle) -> Result<PathBuf, Failure> {
    let config_file = load::config(root)?;
    let site = config::parse(&config_file.path, &config_file.text, None)?;
    let title = request.title.trim();
    if title.is_empty() {
        return Err(Diagnostic::usage("the title must not be empty").into());
    }
    let summary = match request.summary.as_deref().map(str::trim) {
        Some("") => return Err(Diagnostic::usage("--summary must not be empty").into()),
        Some(summary) => summary,
        None => PLACEHOLDER_SUMMARY,
    };
    let themes = chosen_themes(&request.themes, &site)?;
    let slug = slug_for(title);
    let rel = PathBuf::from(format!("articles/{slug}.md"));
    let text = article_text(title, summary, &themes);

    // Parse the file before writing it, so "it builds" holds whatever the
    // title and summary contain.
    let source = ArticleSource {
        slug,
        file: SourceFile {
            path: rel.clone(),
            text: text.into(),
        },
    };
    parse::article(&source, &site)?;

    let path = super::shown(root, &rel);
    let articles = root.join("articles");
    fs::create_dir_all(&articles)
        .map_err(|e| Diagnostic::io(&super::shown(root, "articles"), "cannot create", &e))?;
    let mut file = match fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(root.join(&rel))
    {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            return Err(Diagnostic::error(
                "the file already exists; mend new never overwrites an article",
            )
            .in_file(path)
            .with_hint("choose another title, or edit the existing article")
            .into());
        }
        Err(e) => return Err(Diagnostic::io(&path, "cannot create", &e).into()),
    };
    file.write_all(source.file.text.as_bytes())
        .map_err(|e| Diagnostic::io(&path, "cannot write", &e))?;
    Ok(path)
}

/// The requested themes, checked against `mend.yaml`, duplicates dropped;
/// the site's first theme when none is requested.
fn chosen_themes(requested: &[String], site: &SiteConfig) -> Result<Vec<String>, Vec<Diagnostic>> {
    let mut themes: Vec<String> = Vec::new();
    let mut errors = Vec::new();
    for theme in requested.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        if site.theme(theme).is_none() {
            let d = Diagnostic::usage(format!("--themes: unknown theme `{theme}`"));
            errors.push(
                match did_you_mean(theme, site.themes.iter().map(|t| t.id.as_str())) {
                    Some(near) => d.with_hint(format!("did you mean `{near}`?")),
                    None => d.with_hint(format!(
                        "themes in mend.yaml: {}",
                        site.themes
                            .iter()
                            .map(|t| t.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                },
            );
        } else if !themes.iter().any(|t| t == theme) {
            themes.push(theme.to_string());
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if themes.is_empty() {
        themes.extend(site.themes.first().map(|t| t.id.clone()));
    }
    Ok(themes)
}

/// The title's slug, cut at a word boundary when it would be too long to be one.
fn slug_for(title: &str) -> String {
    let slug = load::suggest_slug(title);
    if slug.len() <= MAX_SLUG_BYTES {
        return slug;
    }
    // suggest_slug gives ASCII only, so any byte index is a character boundary.
    let cut = slug[..=MAX_SLUG_BYTES].rfind('-').unwrap_or(MAX_SLUG_BYTES);
    slug[..cut].trim_end_matches('-').to_string()
}

/// A new article's text: front matter, an opening prompt and two sections
/// tagged with `themes`.
pub fn article_text(title: &str, summary: &str, themes: &[String]) -> String {
    let tags = themes
        .iter()
        .map(|t| format!(".{t}"))
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "---
title: {title}
summary: {summary}
themes: [{themes}]
---

Start with a short paragraph: who this article is for, and what they will take
away from it.

## First section {{{tags}}}

Write the first part here. Keep the theme tags in braces that fit this section
and remove the others.

## Second section {{{tags}}}

Write the second part here. Link to related articles with a wiki link such as
`[[other-article]]`, or to one of their sections with
`[text](other-article.md#a-section)`.
",
        title = yaml_scalar(title),
        summary = yaml_scalar(summary),
        themes = themes.join(", "),
    )
}

/// `s` as a YAML scalar: plain when it reads back unchanged as the value of a
/// key, double-quoted otherwise (a title like `Sorry: a guide` or `#1 rule`).
fn yaml_scalar(s: &str) -> String {
    let plain = !s.contains(['\n', '\r'])
        && serde_yaml::from_str::<BTreeMap<String, String>>(&format!("key: {s}\n"))
            .is_ok_and(|map| map.get("key").map(String::as_str) == Some(s));
    if plain {
        return s.to_string();
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> SiteConfig {
        config::parse(
            Path::new("mend.yaml"),
            "title: T\nthemes:\n  apology: {title: A}\n  forgiveness: {title: F}\n",
            None,
        )
        .unwrap()
    }

    fn parses(title: &str, summary: &str, themes: &[&str]) -> parse::Article {
        let themes: Vec<String> = themes.iter().map(|t| t.to_string()).collect();
        let source = ArticleSource {
            slug: "a".into(),
            file: SourceFile {
                path: "articles/a.md".into(),
                text: article_text(title, summary, &themes).into(),
            },
        };
        parse::article(&source, &site()).unwrap()
    }

    #[test]
    fn skeleton_tags_both_sections_with_the_chosen_themes() {
        let a = parses(
            "Offering a Real Apology",
            PLACEHOLDER_SUMMARY,
            &["apology", "forgiveness"],
        );
        assert_eq!(a.title, "Offering a Real Apology");
        assert_eq!(a.summary, PLACEHOLDER_SUMMARY);
        assert_eq!(a.themes, ["apology", "forgiveness"]);
        let sections: Vec<_> = a
            .headings
            .iter()
            .map(|h| (h.id.as_str(), h.themes.len()))
            .collect();
        assert_eq!(sections, [("first-section", 2), ("second-section", 2)]);
        assert!(a.links.is_empty());
    }

    #[test]
    fn quotes_titles_and_summaries_that_yaml_would_misread() {
        for title in [
            "Sorry: a guide",
            "#1 rule",
            "[draft] notes",
            "\"Quoted\" \\ back",
            "yes",
            "123",
            "a\tb",
        ] {
            assert_eq!(parses(title, "S: t", &["apology"]).title, title);
        }
        assert_eq!(yaml_scalar("Plain words"), "Plain words");
        assert_eq!(yaml_scalar("Sorry: a guide"), "\"Sorry: a guide\"");
    }

    #[test]
    fn unknown_themes_are_usage_errors_with_a_suggestion() {
        let err = chosen_themes(&["apology".into(), "forgivnes".into()], &site()).unwrap_err();
        assert_eq!(
            err[0].headline(),
            "error: --themes: unknown theme `forgivnes`"
        );
        assert_eq!(err[0].hint.as_deref(), Some("did you mean `forgiveness`?"));
        assert_eq!(err[0].kind, crate::error::Kind::Usage);
        let err = chosen_themes(&["banana".into()], &site()).unwrap_err();
        assert_eq!(
            err[0].hint.as_deref(),
            Some("themes in mend.yaml: apology, forgiveness")
        );
    }

    #[test]
    fn defaults_to_the_first_theme_and_drops_duplicates() {
        assert_eq!(chosen_themes(&[], &site()).unwrap(), ["apology"]);
        let twice = ["forgiveness".into(), " forgiveness ".into()];
        assert_eq!(chosen_themes(&twice, &site()).unwrap(), ["forgiveness"]);
    }

    #[test]
    fn long_titles_give_slugs_cut_at_a_word() {
        let slug = slug_for(&"word ".repeat(100));
        assert!(
            slug.len() <= MAX_SLUG_BYTES && config::is_slug(&slug),
            "{slug}"
        );
        assert!(slug.ends_with("word"));
    }
}
