//! `mend check`: every error a build would report, then style warnings.

use std::collections::HashMap;
use std::time::Instant;

use serde::Serialize;

use crate::error::{Diagnostic, Severity, sort};
use crate::link::KnowledgeBase;
use crate::load::{self, ArticleSource};
use crate::parse::Article;
use crate::pipeline::{self, BuildOptions, Inputs};
use crate::yaml::Block;

/// Summaries longer than this draw a warning: lists and search results show them whole.
pub const MAX_SUMMARY_CHARS: usize = 300;

use crate::urls::START_HERE;

/// What `mend check` found.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// Article files read, drafts included.
    pub(crate) articles: usize,
    /// Errors and warnings, sorted by file and line.
    pub diagnostics: Vec<Diagnostic>,
}

impl CheckReport {
    pub(crate) fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub(crate) fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }

    /// 2 for usage or configuration errors, 1 for other errors, otherwise 0.
    pub fn exit_code(&self) -> i32 {
        crate::error::exit_code(&self.diagnostics)
    }

    /// Every warning turned into an error, for `--strict`.
    pub fn strict(mut self) -> CheckReport {
        for d in &mut self.diagnostics {
            d.severity = Severity::Error;
        }
        self
    }

    /// `checked 6 articles: 0 errors, 2 warnings`
    pub fn summary(&self) -> String {
        let count = |n: usize, what: &str| format!("{n} {what}{}", crate::report::plural(n));
        format!(
            "checked {}: {}, {}",
            count(self.articles, "article"),
            count(self.errors(), "error"),
            count(self.warnings(), "warning")
        )
    }
}

/// Run every stage of a build but `write` (so nothing is written) on inputs
/// loaded once, then, when that succeeds, [`lint`] the linked corpus.
pub fn check(options: &BuildOptions) -> CheckReport {
    let (articles, mut diagnostics) = match Inputs::load(options) {
        // mend.yaml is invalid (or the articles folder unreadable): count the
        // article files listed, none of them read (no limits are known).
        Err(failure) => (
            load::scan_articles(&options.root, &Default::default()).map_or(0, |s| s.found.len()),
            failure.diagnostics,
        ),
        Ok(inputs) => {
            // The texts stay shared with the build (`Arc<str>`): lint points
            // at their lines.
            let sources = inputs.sources().to_vec();
            match pipeline::generate_from(inputs, Instant::now(), options) {
                Ok((generated, kb)) => {
                    let mut diagnostics = generated.report.warnings;
                    diagnostics.extend(lint(&kb, &sources));
                    (sources.len(), diagnostics)
                }
                Err(failure) => (sources.len(), failure.diagnostics),
            }
        }
    };
    sort(&mut diagnostics);
    CheckReport {
        articles,
        diagnostics,
    }
}

/// Warnings about a linked corpus that builds: orphan articles, themes only
/// one article uses, articles without a tagged section, long or placeholder
/// summaries, and (with `safety:`) hard subjects without a link to help.
/// `sources` give the lines to point at; an article without one is warned
/// about by file only.
pub fn lint(kb: &KnowledgeBase, sources: &[ArticleSource]) -> Vec<Diagnostic> {
    let texts: HashMap<&str, &str> = sources
        .iter()
        .map(|s| (s.slug.as_str(), &*s.file.text))
        .collect();
    let mut warnings = Vec::new();
    for (article, connections) in kb.articles.iter().zip(kb.connections.iter()) {
        if article.slug != START_HERE && connections.backlinks.is_empty() {
            warnings.push(
                Diagnostic::warning("no other article links to this one")
                    .in_file(&article.path)
                    .with_hint(format!(
                        "link to it from a related article with `[[{}]]`",
                        article.slug
                    )),
            );
        }
        if article.headings.iter().all(|h| h.themes.is_empty()) {
            let example = article.themes.first().map_or("theme", String::as_str);
            warnings.push(
                Diagnostic::warning("no section is tagged with a theme")
                    .in_file(&article.path)
                    .with_hint(format!(
                        "tag each `##` section with the themes it treats, e.g. `## A heading {{.{example}}}`"
                    )),
            );
        }
        warnings.extend(summary_warnings(article, &texts));
    }
    warnings.extend(lonely_themes(kb, &texts));
    warnings.extend(super::check_safety::lint(kb, &texts));
    sort(&mut warnings);
    warnings
}

/// A summary still the placeholder, or longer than [`MAX_SUMMARY_CHARS`].
fn summary_warnings(article: &Article, texts: &HashMap<&str, &str>) -> Vec<Diagnostic> {
    let at_summary = |message: String| match front_matter(article, texts) {
        Some(block) => block.error_at_key("summary", message).into_warning(),
        None => Diagnostic::warning(message).in_file(&article.path),
    };
    let mut warnings = Vec::new();
    if article.summary.trim() == super::new::PLACEHOLDER_SUMMARY {
        let message = "the summary is still the placeholder `mend new` wrote";
        warnings
            .push(at_summary(message.to_string()).with_hint(
                "replace it with one or two sentences saying what the article is about",
            ));
    }
    let chars = article.summary.chars().count();
    if chars > MAX_SUMMARY_CHARS {
        let message = format!("summary is {chars} characters long, more than {MAX_SUMMARY_CHARS}");
        warnings.push(at_summary(message).with_hint(
            "lists and search results show the summary whole: one or two sentences read best",
        ));
    }
    warnings
}

/// A theme only one article uses, at its front matter entry or section tag.
fn lonely_themes(kb: &KnowledgeBase, texts: &HashMap<&str, &str>) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    for (theme, index) in kb.site.themes.iter().zip(&kb.themes) {
        let &[only] = index.articles.as_slice() else {
            continue;
        };
        let article = &kb.articles[only];
        let id = theme.id.as_str();
        let message = format!("theme `{id}` is used by this article only");
        let d = match (
            front_matter(article, texts),
            texts.get(article.slug.as_str()),
        ) {
            (Some(block), _) if article.themes.iter().any(|t| t == id) => {
                block.error_at_value("themes", id, message).into_warning()
            }
            (_, Some(text)) => at_heading_tag(message, article, text, id),
            _ => Diagnostic::warning(message).in_file(&article.path),
        };
        warnings.push(d.with_hint(format!(
            "tag related sections of other articles with `{{.{id}}}` too, or fold it into a broader theme"
        )));
    }
    warnings
}

/// The front matter of an article that parsed, as a YAML block for locating keys.
fn front_matter<'a>(article: &'a Article, texts: &HashMap<&str, &'a str>) -> Option<Block<'a>> {
    let text = *texts.get(article.slug.as_str())?;
    crate::parse::front_matter_block(article.path.as_path(), text)
}

/// A warning at the `.id` tag of the first heading carrying theme `id`.
fn at_heading_tag(message: String, article: &Article, text: &str, id: &str) -> Diagnostic {
    let d = Diagnostic::warning(message).in_file(&article.path);
    let Some(heading) = article
        .headings
        .iter()
        .find(|h| h.themes.iter().any(|t| t == id))
    else {
        return d;
    };
    let line_text = text
        .lines()
        .nth(heading.line.saturating_sub(1))
        .unwrap_or("");
    let tag = format!(".{id}");
    let col = line_text
        .rfind('{')
        .and_then(|brace| line_text[brace..].find(&tag).map(|i| brace + i + 1))
        .map_or(1, |at| line_text[..at].chars().count() + 1);
    d.at(heading.line, col, line_text, id.chars().count())
}

/// One diagnostic in `mend check --format json`.
#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: &'static str,
    path: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    message: &'a str,
    hint: Option<&'a str>,
}

/// The diagnostics as a JSON array of `{severity, path, line, column, message,
/// hint}`; unknown locations are `null`.
pub fn to_json(diagnostics: &[Diagnostic]) -> Result<String, Diagnostic> {
    let items: Vec<JsonDiagnostic<'_>> = diagnostics
        .iter()
        .map(|d| JsonDiagnostic {
            severity: match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            path: d
                .path
                .as_ref()
                .map(|p| p.to_string_lossy().replace('\\', "/")),
            line: (d.line > 0).then_some(d.line),
            column: (d.col > 0).then_some(d.col),
            message: &d.message,
            hint: d.hint.as_deref(),
        })
        .collect();
    serde_json::to_string_pretty(&items)
        .map_err(|e| Diagnostic::error(format!("cannot write the report as JSON: {e}")))
}

#[cfg(test)]
mod tests;
