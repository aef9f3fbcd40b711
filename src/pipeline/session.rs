//! [`Session`]: successive builds of one project in memory, for `mend serve`.
//!
//! Takes build options; gives the whole site after each update, what
//! changed, and the search index made apart. Never writes to disk.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use super::{BuildOptions, Inputs, every_error, loaded};
use crate::error::{Diagnostic, Failure};
use crate::link::KnowledgeBase;
use crate::load::SiteTheme;
use crate::parse::Article;
use crate::report::{BuildReport, Counts};
use crate::write::OutputFile;
use crate::{config, load, render, search};
use output::OutputMap;

mod in_place;
mod output;
mod stages;
#[cfg(test)]
mod tests;

/// The result of one [`Session::update`].
#[derive(Debug)]
pub struct Update {
    /// The whole site as it is now.
    pub files: HashMap<Arc<str>, Arc<[u8]>>,
    /// Output files whose bytes changed since the previous update.
    pub changed: Vec<String>,
    /// Whether only the edited articles' pages were rendered.
    pub incremental: bool,
    pub(crate) report: BuildReport,
    /// Paths that may still change: after the first stage of a staged
    /// update (see [`Session::staged`]), every page but the edited
    /// articles'; [`Session::finish`] makes them. Empty otherwise.
    pub pending: std::collections::HashSet<Arc<str>>,
}

/// The search index of a [`Session`]'s articles, made apart from the pages.
pub struct SearchJob {
    kb: Arc<KnowledgeBase>,
    portable: bool,
    generation: u64,
    cancel: Arc<AtomicBool>,
}

/// What a [`SearchJob`] made.
pub struct SearchIndex {
    /// `None` when the job was cancelled.
    files: Option<Vec<OutputFile>>,
    warnings: Vec<Diagnostic>,
    generation: u64,
    took: Duration,
}

impl SearchJob {
    /// Set it to give the job up (the preview does when a save comes in:
    /// the index would be out of date, and the save needs the cores).
    pub fn cancel_handle(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.cancel)
    }

    pub fn run(self) -> SearchIndex {
        let start = Instant::now();
        let made = search::make(&self.kb, self.portable, &self.cancel);
        let (files, mut warnings) = match made {
            Some(made) => (Some(made.files), made.warnings),
            None => (None, Vec::new()),
        };
        crate::error::sort(&mut warnings);
        SearchIndex {
            files,
            warnings,
            generation: self.generation,
            took: start.elapsed(),
        }
    }
}

/// Successive builds of one project, for `mend serve`. Unchanged files are
/// not re-read and unchanged articles not re-parsed. An edit that leaves an
/// article's title, summary, themes, dates, headings, links and reading time
/// alone re-renders only that article's page (every other page shows only
/// those), without linking again. Any other edit links the corpus again and
/// re-renders the shared pages (home, lists, theme pages, feeds) and only
/// the article pages whose key changed: a hash of what the page shows,
/// computed without rendering (`render::article_keys`). A change to the
/// configuration or the theme renders everything. A staged session
/// ([`Session::staged`], the preview's) answers an edit that links again in
/// two stages: the edited pages first, the rest in [`Session::finish`]. The
/// search index is not made during an update but after it
/// ([`Session::search_job`]), so pages reload first; once accepted, the site
/// is byte for byte a fresh build's.
pub struct Session {
    options: BuildOptions,
    files: load::FileCache,
    last: Option<Last>,
    /// Whether updates that link again come in two stages.
    staged: bool,
    /// Between the two stages: what the second one starts from.
    linked: Option<Linked>,
}

/// What an update was made from, besides the knowledge base: the inputs
/// as read and the compiled theme. Shared by both stages of an update
/// ([`Linked`]) and the last good one ([`Last`]).
struct Basis {
    config_text: Arc<str>,
    site_theme: SiteTheme,
    templates: render::Templates,
    /// Every parsed article by slug, drafts included, with the text it came from.
    parsed: rustc_hash::FxHashMap<String, (Arc<str>, Arc<Article>)>,
    /// The other files in `articles/` as they were listed (`kb.files` are
    /// the ones published).
    listing: load::Files,
}

/// A knowledge base linked again, not yet rendered.
struct Linked {
    basis: Basis,
    kb: KnowledgeBase,
    /// The files `kb` publishes, read.
    linked: Vec<OutputFile>,
    /// Slugs of the articles parsed again (their text changed).
    edited: Vec<String>,
    warnings: Vec<Diagnostic>,
    stages: Vec<(&'static str, Duration)>,
    start: Instant,
}

/// What the previous successful update made.
struct Last {
    basis: Basis,
    /// Shared with a [`SearchJob`] running on another thread.
    kb: Arc<KnowledgeBase>,
    /// Per article slug, the key of its page (see `render::article_keys`).
    keys: HashMap<String, u64>,
    output: OutputMap,
    /// The search index's files in `output`.
    search_paths: Vec<Arc<str>>,
    /// Whether they were made from older articles than `kb` holds.
    search_stale: bool,
    /// Counts the changes to `kb`, so that a search index made from an
    /// older one is not taken.
    generation: u64,
}

impl Session {
    pub fn new(options: BuildOptions) -> Session {
        Session {
            options,
            files: load::FileCache::default(),
            last: None,
            staged: false,
            linked: None,
        }
    }

    /// A session whose updates that link again (a title, theme, heading or
    /// link edit) come in two stages, as the preview serves them: first the
    /// edited articles' pages, with every other page listed as pending
    /// ([`Update::pending`]); then [`Session::finish`] renders the rest. The
    /// page being edited reloads without waiting for the theme and list
    /// pages; those are served once made, never stale.
    pub fn staged(options: BuildOptions) -> Session {
        Session {
            staged: true,
            ..Session::new(options)
        }
    }

    /// The second stage of a staged update: every page, byte for byte what
    /// [`Session::update`] gives. `None` when no first stage is waiting.
    pub fn finish(&mut self) -> Option<Result<Update, Failure>> {
        let linked = self.linked.take()?;
        Some(self.complete(linked).map(|(last, update)| {
            self.last = Some(last);
            update
        }))
    }

    pub fn update(&mut self) -> Result<Update, Failure> {
        self.update_from(None)
    }

    /// [`Session::update`] after file-system events that named the articles
    /// `edited` (by slug): the other articles are not looked at, only the
    /// list of them (see [`load::scan_articles_trusting`]). Follow it with
    /// [`Session::update`] to catch an edit the events missed.
    pub fn update_trusting(
        &mut self,
        edited: &rustc_hash::FxHashSet<String>,
    ) -> Result<Update, Failure> {
        self.update_from(Some(edited))
    }

    fn update_from(
        &mut self,
        edited: Option<&rustc_hash::FxHashSet<String>>,
    ) -> Result<Update, Failure> {
        // A second stage still waiting is out of date: this starts again
        // from the last complete site.
        self.linked = None;
        let start = Instant::now();
        let root = &self.options.root;
        let config_file = load::config(root)?;
        let site = config::parse(
            &config_file.path,
            &config_file.text,
            self.options.base_url.as_deref(),
        )?;
        let scan = match edited {
            Some(edited) => load::scan_articles_trusting(root, &site.limits, &self.files, edited)?,
            None => load::scan_articles(root, &site.limits)?,
        };
        let articles = load::read_all(scan, &site.limits, &mut self.files);
        let loaded = loaded(root, config_file, site, articles);
        if !loaded.errors.is_empty() {
            return Err(every_error(loaded, self.options.drafts));
        }
        if let Some(update) = self.edit_in_place(&loaded, start)? {
            return Ok(update);
        }
        let linked = self.link_again(loaded, start)?;
        if self.staged
            && let Some(first) = self.first_stage(&linked)
        {
            let first = first?;
            self.linked = Some(linked);
            return Ok(first);
        }
        let (last, update) = self.complete(linked)?;
        self.last = Some(last);
        Ok(update)
    }

    /// Whether the search index lags behind the pages (see [`Session::refresh_search`]).
    pub fn search_is_stale(&self) -> bool {
        self.last.as_ref().is_some_and(|l| l.search_stale)
    }

    /// The work of bringing the search index up to date with the pages,
    /// when an update left it behind (every update but the first does: the
    /// pages are served first). Run it anywhere, then hand the result to
    /// [`Session::accept_search`]. `None` when the index is up to date.
    pub fn search_job(&self) -> Option<SearchJob> {
        let last = self.last.as_ref().filter(|l| l.search_stale)?;
        Some(SearchJob {
            kb: Arc::clone(&last.kb),
            portable: self.options.render.portable,
            generation: last.generation,
            cancel: Arc::default(),
        })
    }

    /// Take a finished [`SearchJob`]'s index into the site, unless the
    /// articles changed since it started or it was cancelled (then `None`,
    /// and the index is still stale).
    pub fn accept_search(&mut self, index: SearchIndex) -> Option<Update> {
        let last = self
            .last
            .as_mut()
            .filter(|l| l.search_stale && l.generation == index.generation)?;
        let files = index.files?;
        let mut changed = Vec::new();
        let paths: Vec<Arc<str>> = files
            .into_iter()
            .map(|file| last.output.replace(file, &mut changed))
            .collect();
        let kept: std::collections::HashSet<&Arc<str>> = paths.iter().collect();
        for gone in last.search_paths.iter().filter(|p| !kept.contains(p)) {
            last.output.remove(gone, &mut changed);
        }
        changed.sort();
        last.search_paths = paths;
        last.search_stale = false;
        let report = BuildReport::new(
            Counts::of(&last.kb, 0),
            index.warnings,
            vec![("search index", index.took)],
            index.took,
        );
        Some(Update {
            files: last.output.files().clone(),
            changed,
            incremental: true,
            report,
            pending: std::collections::HashSet::new(),
        })
    }

    /// [`Session::search_job`] run here and accepted at once.
    pub fn refresh_search(&mut self) -> Option<Update> {
        let index = self.search_job()?.run();
        self.accept_search(index)
    }
}

/// Whether two configurations name the same pictures, byte for byte (a
/// picture's file may change while `mend.yaml` does not).
pub(super) fn same_pictures(a: &crate::config::SiteConfig, b: &crate::config::SiteConfig) -> bool {
    a.logo == b.logo && a.favicon == b.favicon
}

/// Equal texts, cheaply when the file cache handed out the same one again.
pub(super) fn same_text(a: &Arc<str>, b: &Arc<str>) -> bool {
    Arc::ptr_eq(a, b) || a == b
}
