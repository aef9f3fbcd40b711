//! What a build made: counts, warnings and each stage's time. Every build
//! (`mend build`, `mend check`, each preview update) reports with
//! `BuildReport::new`; only `main.rs` prints it.

use std::time::Duration;

use crate::error::Diagnostic;
use crate::link::KnowledgeBase;

/// What a successful build made, and how long each stage took.
#[derive(Debug, Clone)]
pub struct BuildReport {
    pub(crate) articles: usize,
    pub(crate) themes: usize,
    /// HTML pages written.
    pub(crate) pages: usize,
    pub warnings: Vec<Diagnostic>,
    pub stages: Vec<(&'static str, Duration)>,
    pub(crate) elapsed: Duration,
    /// Nothing changed since the previous build: the output was left as it was.
    pub(crate) unchanged: bool,
}

/// What a build counts: articles and themes of its knowledge base, pages
/// it made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub(crate) articles: usize,
    pub(crate) themes: usize,
    pub(crate) pages: usize,
}

impl Counts {
    /// `kb`'s articles and themes, with `pages` HTML pages.
    pub(crate) fn of(kb: &KnowledgeBase, pages: usize) -> Counts {
        Counts {
            articles: kb.articles.len(),
            themes: kb.site.themes.len(),
            pages,
        }
    }
}

impl BuildReport {
    /// A build that made `counts`, with its warnings and stage times.
    pub fn new(
        counts: Counts,
        warnings: Vec<Diagnostic>,
        stages: Vec<(&'static str, Duration)>,
        elapsed: Duration,
    ) -> BuildReport {
        BuildReport {
            articles: counts.articles,
            themes: counts.themes,
            pages: counts.pages,
            warnings,
            stages,
            elapsed,
            unchanged: false,
        }
    }

    /// The same report, for a build that found its output up to date.
    pub(crate) fn nothing_changed(self) -> BuildReport {
        BuildReport {
            unchanged: true,
            ..self
        }
    }

    /// `built 6 articles, 9 themes, 31 pages in 48 ms`
    /// or, when nothing changed, `... in 9 ms (nothing changed since the last build)`.
    pub fn summary(&self) -> String {
        format!(
            "built {} article{}, {} theme{}, {} page{} in {} ms{}",
            self.articles,
            plural(self.articles),
            self.themes,
            plural(self.themes),
            self.pages,
            plural(self.pages),
            self.elapsed.as_millis(),
            if self.unchanged {
                " (nothing changed since the last build)"
            } else {
                ""
            }
        )
    }
}

/// The plural ending of a count's noun: `""` for 1, `"s"` otherwise.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
