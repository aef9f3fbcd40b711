//! The build, stage by stage: load -> parse -> link -> render -> search -> write.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crate::error::{Diagnostic, Failure};
use crate::link::KnowledgeBase;
use crate::load::{ArticleSource, ThemeFiles};
use crate::parse::Article;
use crate::render::{OutputFile, RenderOptions};
use rayon::prelude::*;

use crate::{config, link, load, parse, render, search, write};

/// What `mend build` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The project root, holding `mend.yaml`.
    pub root: PathBuf,
    /// The output folder; `<root>/site` when `None`.
    pub output: Option<PathBuf>,
    /// Overrides `base_url` in `mend.yaml`.
    pub base_url: Option<String>,
    /// Include articles marked `draft: true`.
    pub drafts: bool,
    /// Replace an output folder that mend did not make.
    pub force: bool,
    pub render: RenderOptions,
}

impl BuildOptions {
    pub fn output_dir(&self) -> PathBuf {
        self.output
            .clone()
            .unwrap_or_else(|| self.root.join("site"))
    }
}

/// What a successful build made, and how long each stage took.
#[derive(Debug, Clone)]
pub struct BuildReport {
    pub articles: usize,
    pub themes: usize,
    /// HTML pages written.
    pub pages: usize,
    /// All files written, pages included.
    pub files: usize,
    pub warnings: Vec<Diagnostic>,
    pub stages: Vec<(&'static str, Duration)>,
    pub elapsed: Duration,
    /// Nothing changed since the previous build: the output was left as it was.
    pub unchanged: bool,
}

impl BuildReport {
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

/// A rendered site, not yet written.
#[derive(Debug, Clone)]
pub struct Generated {
    pub files: Vec<OutputFile>,
    pub report: BuildReport,
}

/// What the stages before rendering produce.
struct Prepared {
    kb: KnowledgeBase,
    theme: ThemeFiles,
    templates: render::Templates,
    warnings: Vec<Diagnostic>,
    stages: Vec<(&'static str, Duration)>,
}

/// What `load` read: every input of a build.
struct Loaded {
    config_text: Arc<str>,
    site: config::SiteConfig,
    sources: Vec<ArticleSource>,
    theme: ThemeFiles,
    warnings: Vec<Diagnostic>,
}

fn load(options: &BuildOptions) -> Result<Loaded, Failure> {
    let root = &options.root;
    let config_file = load::config(root)?;
    let site = config::parse(
        &config_file.path,
        &config_file.text,
        options.base_url.as_deref(),
    )?;
    let (sources, mut warnings) = load::articles(root, &site.limits)?;
    let theme = load::theme(root, &config_file, &site.site_theme)?;
    warnings.extend(theme.warnings.iter().cloned());
    Ok(Loaded {
        config_text: config_file.text,
        site,
        sources,
        theme,
        warnings,
    })
}

/// A hash of everything the output depends on: this mend executable, the
/// options that change bytes, `mend.yaml`, the theme and every article.
/// Equal fingerprints mean equal output.
fn fingerprint(options: &BuildOptions, loaded: &Loaded) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    // A rebuilt mend (same version, other code or built-in theme) must not
    // reuse the output of the old one.
    if let Ok(exe) = std::env::current_exe()
        && let Ok(meta) = std::fs::metadata(exe)
    {
        meta.len().hash(&mut h);
        meta.modified().ok().hash(&mut h);
    }
    (&options.base_url, options.drafts, options.render.portable).hash(&mut h);
    loaded.config_text.hash(&mut h);
    loaded.theme.name.hash(&mut h);
    for (name, file) in &loaded.theme.templates {
        (name, &file.text).hash(&mut h);
    }
    loaded.theme.static_files.hash(&mut h);
    let articles: Vec<(u64, u64)> = loaded
        .sources
        .par_iter()
        .map(|s| {
            (
                crate::stable_hash(s.slug.as_bytes()),
                crate::stable_hash(s.file.text.as_bytes()),
            )
        })
        .collect();
    articles.hash(&mut h);
    format!("{:016x}", h.finish())
}

/// Parse and link what was loaded, and compile the templates. The stages
/// start with `load`, which took `load_time`.
fn prepare(
    loaded: Loaded,
    load_time: Duration,
    options: &BuildOptions,
) -> Result<Prepared, Failure> {
    let mut stages = vec![("load", load_time)];
    let mut t = Instant::now();
    let Loaded {
        site,
        sources,
        theme,
        mut warnings,
        ..
    } = loaded;
    let mut parsed = parse::articles(&sources, &site);
    drop(sources);
    warnings.append(&mut parsed.warnings);
    stages.push(("parse", t.elapsed()));
    t = Instant::now();

    if !parsed.errors.is_empty() {
        // Still link what parsed, so one run reports every error.
        let mut errors = parsed.errors;
        if let Err(mut e) = link::check_links(site, parsed.articles, options.drafts, &parsed.failed)
        {
            errors.append(&mut e);
        }
        errors.append(&mut warnings);
        return Err(errors.into());
    }
    let kb = link::knowledge_base(site, parsed.articles, options.drafts)?;
    let templates = render::Templates::compile(&theme)?;
    stages.push(("link", t.elapsed()));
    crate::error::sort(&mut warnings);
    Ok(Prepared {
        kb,
        theme,
        templates,
        warnings,
        stages,
    })
}

fn report(
    kb: &KnowledgeBase,
    pages: usize,
    files: usize,
    warnings: Vec<Diagnostic>,
    stages: Vec<(&'static str, Duration)>,
    start: Instant,
) -> BuildReport {
    BuildReport {
        articles: kb.articles.len(),
        themes: kb.site.themes.len(),
        pages,
        files,
        warnings,
        stages,
        elapsed: start.elapsed(),
        unchanged: false,
    }
}

/// Run every stage but `write`: the whole site in memory.
pub fn generate(options: &BuildOptions) -> Result<Generated, Failure> {
    let start = Instant::now();
    let loaded = load(options)?;
    let Prepared {
        kb,
        theme,
        templates,
        mut warnings,
        mut stages,
    } = prepare(loaded, start.elapsed(), options)?;
    let mut t = Instant::now();
    let mut files = render::site_with(&kb, &templates, &theme, options.render)?;
    stages.push(("render", t.elapsed()));
    t = Instant::now();
    let (index, index_warnings) = search::index_with_warnings(&kb, options.render.portable);
    files.extend(index);
    warnings.extend(index_warnings);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    stages.push(("search index", t.elapsed()));
    let pages = files.iter().filter(|f| f.path.ends_with(".html")).count();
    let report = report(&kb, pages, files.len(), warnings, stages, start);
    Ok(Generated { files, report })
}

/// Article pages rendered and written per batch, bounding memory.
const BATCH: usize = 256;

/// Build the site into the output folder, atomically: pages are written into
/// a staging folder as they are rendered, and it replaces the output only
/// when everything succeeded. When every input is as it was for the build
/// already in the output folder, that build is kept and nothing is written.
pub fn build(options: &BuildOptions) -> Result<BuildReport, Failure> {
    build_with_progress(options, &|_, _| {})
}

/// [`build`], calling `progress(done, total)` as article pages are written.
pub fn build_with_progress(
    options: &BuildOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<BuildReport, Failure> {
    let start = Instant::now();
    let output = options.output_dir();
    write::check_output(&options.root, &output, options.force)?;
    let loaded = load(options)?;
    let inputs = fingerprint(options, &loaded);
    if let Some(record) = write::up_to_date(&output, &inputs) {
        write::clean_leftovers(&output);
        return Ok(BuildReport {
            articles: record.articles,
            themes: record.themes,
            pages: record.pages,
            files: record.files,
            warnings: record.warnings,
            stages: vec![("load", start.elapsed())],
            elapsed: start.elapsed(),
            unchanged: true,
        });
    }
    let Prepared {
        kb,
        theme,
        templates,
        mut warnings,
        mut stages,
    } = prepare(loaded, start.elapsed(), options)?;
    let staging = write::Staging::create(&output)?;
    let total = kb.articles.len();
    let (mut rendering, mut writing, mut indexing) =
        (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let (mut pages, mut files, mut done) = (0, 0, 0);
    // The shared pages (home, lists, themes, feeds) first.
    let t = Instant::now();
    let shared = render::shared_pages(&kb, &templates, &theme, options.render)?;
    rendering += t.elapsed();
    let t = Instant::now();
    staging.add(&shared)?;
    writing += t.elapsed();
    pages += shared.iter().filter(|f| f.path.ends_with(".html")).count();
    files += shared.len();
    drop(shared);
    // Then the article pages, a batch at a time: each page's Markdown is
    // walked once, for its HTML and for the text the search index counts.
    let mut counter = search::Counter::new(&kb);
    let all: Vec<usize> = (0..total).collect();
    let mut chunks = all.chunks(BATCH);
    // While one batch is rendered, the one before is written and counted.
    let mut previous: Option<(&[usize], Vec<OutputFile>, Vec<render::Sections>)> = None;
    loop {
        let chunk = chunks.next();
        if chunk.is_none() && previous.is_none() {
            break;
        }
        let (rendered, handled) = rayon::join(
            || {
                chunk.map(|chunk| {
                    let t = Instant::now();
                    let made =
                        render::article_pages_and_sections(&kb, &templates, options.render, chunk);
                    (chunk, made, t.elapsed())
                })
            },
            || {
                previous.take().map(|(chunk, batch, sections)| {
                    let (written, counted) = rayon::join(
                        || {
                            let t = Instant::now();
                            (staging.add(&batch), t.elapsed())
                        },
                        || {
                            let t = Instant::now();
                            counter.count(&kb, chunk, &sections);
                            t.elapsed()
                        },
                    );
                    (chunk.len(), batch.len(), written, counted)
                })
            },
        );
        if let Some((articles, made, (written, write_time), count_time)) = handled {
            written?;
            writing += write_time;
            indexing += count_time;
            pages += made;
            files += made;
            done += articles;
            progress(done, total);
        }
        if let Some((chunk, made, render_time)) = rendered {
            rendering += render_time;
            let (batch, sections) = made?;
            previous = Some((chunk, batch, sections));
        }
    }
    // Then the search index's files. (Not alongside the shared pages: the
    // theme pages' contexts and the index's scored lists together made the
    // build's peak memory.)
    let t = Instant::now();
    let emit = |files: Vec<OutputFile>| staging.add(&files);
    let (index_files, index_warnings) = counter.emit(&kb, options.render.portable, &emit)?;
    indexing += t.elapsed();
    warnings.extend(index_warnings);
    stages.push(("render", rendering));
    stages.push(("search index", indexing));
    let t = Instant::now();
    let files = files + index_files;
    let record = write::Record {
        inputs,
        articles: kb.articles.len(),
        themes: kb.site.themes.len(),
        pages,
        files,
        warnings: warnings.clone(),
    };
    staging.commit(&record)?;
    stages.push(("write", writing + t.elapsed()));
    Ok(report(&kb, pages, files, warnings, stages, start))
}

/// The result of one [`Session::update`].
#[derive(Debug)]
pub struct Update {
    /// The whole site as it is now.
    pub files: HashMap<Arc<str>, Arc<[u8]>>,
    /// Output files whose bytes changed since the previous update.
    pub changed: Vec<String>,
    /// Whether only the edited articles' pages were rendered.
    pub incremental: bool,
    pub report: BuildReport,
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
        let made = search::index_unless_cancelled(&self.kb, self.portable, &self.cancel);
        let (files, mut warnings) = match made {
            Some((files, warnings)) => (Some(files), warnings),
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

/// A knowledge base linked again, with what rendering it needs.
struct Linked {
    config_text: Arc<str>,
    theme: ThemeFiles,
    templates: render::Templates,
    parsed: rustc_hash::FxHashMap<String, (Arc<str>, Arc<Article>)>,
    kb: KnowledgeBase,
    /// Slugs of the articles parsed again (their text changed).
    edited: Vec<String>,
    warnings: Vec<Diagnostic>,
    stages: Vec<(&'static str, Duration)>,
    start: Instant,
}

/// What the previous successful update was made from.
struct Last {
    config_text: Arc<str>,
    theme: ThemeFiles,
    templates: render::Templates,
    /// Every parsed article by slug, drafts included, with the text it came from.
    parsed: rustc_hash::FxHashMap<String, (Arc<str>, Arc<Article>)>,
    /// Shared with a [`SearchJob`] running on another thread.
    kb: Arc<KnowledgeBase>,
    /// Per article slug, the key of its page (see `render::article_keys`).
    keys: HashMap<String, u64>,
    output: HashMap<Arc<str>, Arc<[u8]>>,
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
        let (sources, mut warnings) = load::read_articles(scan, &site.limits, &mut self.files)?;
        let theme = load::theme(root, &config_file, &site.site_theme)?;
        warnings.extend(theme.warnings.iter().cloned());
        if let Some(update) =
            self.edit_in_place(&config_file.text, &theme, &sources, &warnings, start)?
        {
            return Ok(update);
        }

        let linked = self.link_again(config_file, site, &sources, theme, warnings, start)?;
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
        let paths: Vec<Arc<str>> = files.iter().map(|f| Arc::from(f.path.as_str())).collect();
        let mut old: HashMap<Arc<str>, Arc<[u8]>> = last
            .search_paths
            .iter()
            .filter_map(|p| last.output.remove(p).map(|b| (Arc::clone(p), b)))
            .collect();
        let mut changed = Vec::new();
        for file in files {
            let path: Arc<str> = Arc::from(file.path);
            let bytes: Arc<[u8]> = Arc::from(file.bytes);
            if old.remove(&path).as_ref() != Some(&bytes) {
                changed.push(path.to_string());
            }
            last.output.insert(path, bytes);
        }
        changed.extend(old.into_keys().map(|p| p.to_string()));
        changed.sort();
        last.search_paths = paths;
        last.search_stale = false;
        let report = BuildReport {
            articles: last.kb.articles.len(),
            themes: last.kb.site.themes.len(),
            pages: 0,
            files: last.output.len(),
            warnings: index.warnings,
            stages: vec![("search index", index.took)],
            elapsed: index.took,
            unchanged: false,
        };
        Some(Update {
            files: last.output.clone(),
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

    /// Parse the articles whose text changed, and link them all again.
    /// Leaves `self.last` alone (as do [`Session::first_stage`] and
    /// [`Session::complete`]), so a failure keeps the last good build.
    fn link_again(
        &self,
        config_file: load::SourceFile,
        site: config::SiteConfig,
        sources: &[ArticleSource],
        theme: ThemeFiles,
        mut warnings: Vec<Diagnostic>,
        start: Instant,
    ) -> Result<Linked, Failure> {
        // Everything again, but re-parse only what changed.
        let mut t = Instant::now();
        let mut stages = vec![("load", start.elapsed())];
        let previous = self.last.as_ref();
        let reusable = previous.filter(|l| same_text(&l.config_text, &config_file.text));
        let (reused, fresh): (Vec<&ArticleSource>, Vec<&ArticleSource>) =
            sources.iter().partition(|s| {
                reusable
                    .and_then(|l| l.parsed.get(&s.slug))
                    .is_some_and(|(text, _)| same_text(text, &s.file.text))
            });
        let fresh: Vec<ArticleSource> = fresh.into_iter().cloned().collect();
        let mut parsed = parse::articles(&fresh, &site);
        warnings.append(&mut parsed.warnings);
        if !parsed.errors.is_empty() {
            let mut errors = parsed.errors;
            errors.append(&mut warnings);
            return Err(errors.into());
        }
        if let Some(last) = reusable {
            parsed.articles.extend(
                reused
                    .iter()
                    .filter_map(|s| last.parsed.get(&s.slug))
                    .map(|(_, a)| Arc::clone(a)),
            );
        }
        let texts: HashMap<&str, &Arc<str>> = sources
            .iter()
            .map(|s| (s.slug.as_str(), &s.file.text))
            .collect();
        let by_slug: rustc_hash::FxHashMap<String, (Arc<str>, Arc<Article>)> = parsed
            .articles
            .iter()
            .filter_map(|a| {
                texts
                    .get(a.slug.as_str())
                    .map(|text| (a.slug.clone(), (Arc::clone(text), Arc::clone(a))))
            })
            .collect();
        stages.push(("parse", t.elapsed()));
        t = Instant::now();
        let kb = link::knowledge_base(site, parsed.articles, self.options.drafts)?;
        stages.push(("link", t.elapsed()));
        let templates = render::Templates::compile(&theme)?;
        Ok(Linked {
            config_text: config_file.text,
            theme,
            templates,
            parsed: by_slug,
            kb,
            edited: fresh.into_iter().map(|s| s.slug).collect(),
            warnings,
            stages,
            start,
        })
    }

    /// The first stage of a staged update: only the pages of the articles
    /// whose text changed, the rest of the site as before, and the paths
    /// that may still change. `None` when there is no previous site with
    /// the same configuration and theme to start from.
    fn first_stage(&self, linked: &Linked) -> Option<Result<Update, Failure>> {
        let last = self.last.as_ref().filter(|l| {
            same_text(&l.config_text, &linked.config_text) && l.theme == linked.theme
        })?;
        let t = Instant::now();
        let kb = &linked.kb;
        let first: Vec<usize> = linked
            .edited
            .iter()
            .filter_map(|slug| kb.article_index(slug))
            .collect();
        let pages = match render::article_pages(kb, &linked.templates, self.options.render, &first)
        {
            Ok(pages) => pages,
            Err(e) => return Some(Err(e.into())),
        };
        let mut output = last.output.clone();
        let mut changed = Vec::new();
        let present: std::collections::HashSet<&str> =
            kb.articles.iter().map(|a| a.slug.as_str()).collect();
        for gone in last
            .kb
            .articles
            .iter()
            .filter(|a| !present.contains(a.slug.as_str()))
        {
            let path = render::article_path(&gone.slug);
            if output.remove(path.as_str()).is_some() {
                changed.push(path);
            }
        }
        let mut fresh = std::collections::HashSet::new();
        for page in pages {
            let path: Arc<str> = Arc::from(page.path);
            fresh.insert(Arc::clone(&path));
            if output.get(&path).is_none_or(|old| **old != *page.bytes) {
                changed.push(path.to_string());
                output.insert(path, Arc::from(page.bytes));
            }
        }
        changed.sort();
        let pending: std::collections::HashSet<Arc<str>> = output
            .keys()
            .filter(|p| (p.ends_with(".html") || p.ends_with(".xml")) && !fresh.contains(*p))
            .cloned()
            // Made, or dropped, as the articles with code blocks come and go.
            .chain(std::iter::once(Arc::from("syntax.css")))
            .collect();
        let mut stages = linked.stages.clone();
        stages.push(("first pages", t.elapsed()));
        let report = BuildReport {
            articles: kb.articles.len(),
            themes: kb.site.themes.len(),
            pages: first.len(),
            files: output.len(),
            warnings: linked.warnings.clone(),
            stages,
            elapsed: linked.start.elapsed(),
            unchanged: false,
        };
        Some(Ok(Update {
            files: output,
            changed,
            incremental: true,
            report,
            pending,
        }))
    }

    /// Key, render and carry over the pages of a linked knowledge base: the
    /// whole update, or the second stage of a staged one.
    fn complete(&self, linked: Linked) -> Result<(Last, Update), Failure> {
        let Linked {
            config_text,
            theme,
            templates,
            parsed: by_slug,
            kb,
            edited: _,
            mut warnings,
            mut stages,
            start,
        } = linked;
        let previous = self.last.as_ref();
        let reusable = previous.filter(|l| same_text(&l.config_text, &config_text));
        let mut t = Instant::now();
        let options = self.options.render;
        let all: Vec<usize> = (0..kb.articles.len()).collect();
        let keys: HashMap<String, u64> = kb
            .articles
            .iter()
            .map(|a| a.slug.clone())
            .zip(render::article_keys(&kb, &templates, options, &all))
            .collect();
        // With the same theme, an article page whose key is unchanged is
        // the previous one; only the others are rendered.
        let same_theme = reusable.filter(|l| l.theme == theme);
        let (dirty, kept): (Vec<usize>, Vec<usize>) = all.iter().partition(|&&i| {
            let slug = &kb.articles[i].slug;
            same_theme.is_none_or(|l| l.keys.get(slug) != keys.get(slug))
        });
        stages.push(("page keys", t.elapsed()));
        t = Instant::now();
        let mut files = render::shared_pages(&kb, &templates, &theme, options)?;
        stages.push(("shared pages", t.elapsed()));
        t = Instant::now();
        files.extend(render::article_pages(&kb, &templates, options, &dirty)?);
        stages.push(("render", t.elapsed()));
        t = Instant::now();
        // With a previous build the search index follows in
        // `refresh_search`, so that the pages are served first.
        let (search_paths, search_stale) = match same_theme {
            Some(last) => (last.search_paths.clone(), true),
            None => {
                let (index, index_warnings) = search::index_with_warnings(&kb, options.portable);
                warnings.extend(index_warnings);
                let paths = index.iter().map(|f| Arc::from(f.path.as_str())).collect();
                files.extend(index);
                stages.push(("search index", t.elapsed()));
                (paths, false)
            }
        };

        let carried: Vec<(Arc<str>, Arc<[u8]>)> = same_theme
            .map(|last| {
                kept.iter()
                    .map(|&i| Arc::from(render::article_path(&kb.articles[i].slug)))
                    .chain(last.search_paths.iter().cloned())
                    .filter_map(|path: Arc<str>| {
                        last.output
                            .get_key_value(&path)
                            .map(|(p, b)| (Arc::clone(p), Arc::clone(b)))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let (rendered, total) = (dirty.len(), kb.articles.len());
        let output: HashMap<Arc<str>, Arc<[u8]>> = files
            .into_iter()
            .map(|f| (Arc::from(f.path), Arc::from(f.bytes)))
            .chain(carried)
            .collect();
        let empty = HashMap::new();
        let old = previous.map_or(&empty, |l| &l.output);
        let mut changed: Vec<String> = output
            .iter()
            .filter(|(path, bytes)| old.get(*path) != Some(bytes))
            .map(|(path, _)| path.to_string())
            .chain(
                old.keys()
                    .filter(|p| !output.contains_key(*p))
                    .map(|p| p.to_string()),
            )
            .collect();
        changed.sort();
        crate::error::sort(&mut warnings);
        let report = BuildReport {
            articles: kb.articles.len(),
            themes: kb.site.themes.len(),
            pages: output.keys().filter(|p| p.ends_with(".html")).count(),
            files: output.len(),
            warnings,
            stages,
            elapsed: start.elapsed(),
            unchanged: false,
        };
        let last = Last {
            config_text,
            theme,
            templates,
            parsed: by_slug,
            kb: Arc::new(kb),
            keys,
            output: output.clone(),
            search_paths,
            search_stale,
            generation: previous.map_or(0, |l| l.generation + 1),
        };
        Ok((
            last,
            Update {
                files: output,
                changed,
                incremental: rendered < total,
                report,
                pending: std::collections::HashSet::new(),
            },
        ))
    }

    /// The fast path: same configuration, theme and set of articles, and every
    /// edited article still shows other pages the same facts.
    fn edit_in_place(
        &mut self,
        config_text: &str,
        theme: &ThemeFiles,
        sources: &[ArticleSource],
        warnings: &[Diagnostic],
        start: Instant,
    ) -> Result<Option<Update>, Failure> {
        let Some(last) = &mut self.last else {
            return Ok(None);
        };
        if *last.config_text != *config_text
            || last.theme != *theme
            || sources.len() != last.parsed.len()
        {
            return Ok(None);
        }
        // The same articles (as many, each known), some with new text.
        let mut edited: Vec<&ArticleSource> = Vec::new();
        for source in sources {
            match last.parsed.get(&source.slug) {
                None => return Ok(None),
                Some((text, _)) if !same_text(text, &source.file.text) => edited.push(source),
                Some(_) => {}
            }
        }
        let mut fresh = Vec::with_capacity(edited.len());
        for source in &edited {
            let article = parse::article(source, &last.kb.site).map_err(Failure::from)?;
            let Some((_, old)) = last.parsed.get(&source.slug) else {
                return Ok(None);
            };
            if !same_for_other_pages(old, &article) {
                return Ok(None);
            }
            fresh.push((source, article));
        }
        let load_parse = start.elapsed();
        let t = Instant::now();
        let mut indices = Vec::new();
        for (source, article) in fresh {
            let article = Arc::new(article);
            if let Some(i) = last.kb.article_index(&article.slug) {
                // Cheap even while a search job shares the old one: a copy
                // of the knowledge base shares its articles.
                Arc::make_mut(&mut last.kb).articles[i] = Arc::clone(&article);
                indices.push(i);
            }
            last.parsed.insert(
                source.slug.clone(),
                (Arc::clone(&source.file.text), article),
            );
        }
        let pages = render::article_pages(&last.kb, &last.templates, self.options.render, &indices)
            .map_err(Failure::from)?;
        let keys = render::article_keys(&last.kb, &last.templates, self.options.render, &indices);
        for (&i, key) in indices.iter().zip(keys) {
            last.keys.insert(last.kb.articles[i].slug.clone(), key);
        }
        if !indices.is_empty() {
            last.search_stale = true;
            last.generation += 1;
        }
        let mut changed = Vec::new();
        for page in pages {
            if last
                .output
                .get(page.path.as_str())
                .is_none_or(|old| **old != *page.bytes)
            {
                changed.push(page.path.clone());
                last.output
                    .insert(Arc::from(page.path), Arc::from(page.bytes));
            }
        }
        changed.sort();
        let report = BuildReport {
            articles: last.kb.articles.len(),
            themes: last.kb.site.themes.len(),
            pages: indices.len(),
            files: last.output.len(),
            warnings: warnings.to_vec(),
            stages: vec![("load and parse", load_parse), ("render", t.elapsed())],
            elapsed: start.elapsed(),
            unchanged: false,
        };
        Ok(Some(Update {
            files: last.output.clone(),
            changed,
            incremental: true,
            report,
            pending: std::collections::HashSet::new(),
        }))
    }
}

/// Equal texts, cheaply when the file cache handed out the same one again.
fn same_text(a: &Arc<str>, b: &Arc<str>) -> bool {
    Arc::ptr_eq(a, b) || a == b
}

/// Whether two versions of an article look the same from every page but its
/// own: home, lists, theme pages (with each tagged section's first sentence),
/// related and backlink lists, links into it, the feed and the sitemap.
fn same_for_other_pages(a: &Article, b: &Article) -> bool {
    let links = |x: &Article| {
        x.links
            .iter()
            .map(|l| (l.target.clone(), l.titled_by_target))
            .collect::<Vec<_>>()
    };
    let headings = |x: &Article| {
        x.headings
            .iter()
            .map(|h| (h.level, h.text.clone(), h.id.clone(), h.themes.clone()))
            .collect::<Vec<_>>()
    };
    a.title == b.title
        && a.summary == b.summary
        && a.themes == b.themes
        && a.source == b.source
        && a.date == b.date
        && a.updated == b.updated
        && a.draft == b.draft
        && a.has_fenced_code == b.has_fenced_code
        && render::reading_minutes(a.word_count) == render::reading_minutes(b.word_count)
        && headings(a) == headings(b)
        && links(a) == links(b)
        && render::tagged_excerpts(a) == render::tagged_excerpts(b)
}
