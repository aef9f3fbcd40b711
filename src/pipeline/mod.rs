//! The build, stage by stage: load -> parse -> link -> render -> search -> write.
//! Between link and render, `load` reads the files the articles link to
//! (only linked files are published, and only link knows which they are).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::{Diagnostic, Failure};
use crate::link::KnowledgeBase;
use crate::load::{ArticleSource, SiteTheme};
use crate::render::RenderOptions;
use crate::report::{BuildReport, Counts};
use crate::write::OutputFile;
use rayon::prelude::*;

use crate::{config, link, load, parse, render, search, write};

mod build;
mod session;

pub use build::{build, build_with_progress};

pub use session::{SearchIndex, SearchJob, Session, Update};

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

/// A rendered site, not yet written.
#[derive(Debug, Clone)]
pub struct Generated {
    pub files: Vec<OutputFile>,
    pub(crate) report: BuildReport,
}

/// What the stages before rendering produce.
struct Prepared {
    kb: KnowledgeBase,
    /// The files the articles link to, as they are published.
    linked: Vec<OutputFile>,
    site_theme: SiteTheme,
    templates: render::Templates,
    warnings: Vec<Diagnostic>,
    stages: Vec<(&'static str, Duration)>,
}

/// Every input of a build, read once: `mend.yaml`, the articles and the
/// site theme. The one load sequence: the build, `mend check` and the
/// preview's full rebuilds start from it.
pub(crate) struct Inputs {
    config_text: Arc<str>,
    site: config::SiteConfig,
    sources: Vec<ArticleSource>,
    /// The other files in `articles/`, listed.
    files: load::Files,
    site_theme: SiteTheme,
    warnings: Vec<Diagnostic>,
    /// What could not be read (the build fails, after parsing and linking
    /// the rest to report their errors too).
    errors: Vec<Diagnostic>,
    /// The slugs of articles that could not be read: links to them are not broken.
    failed: Vec<String>,
}

impl Inputs {
    /// Read every input `options` names. Fails only when `mend.yaml` cannot
    /// be read or is invalid, or the articles folder cannot be listed; an
    /// unreadable article or theme is kept as an error, so that one run
    /// reports everything.
    pub(crate) fn load(options: &BuildOptions) -> Result<Inputs, Failure> {
        let root = &options.root;
        let config_file = load::config(root)?;
        let site = config::parse(
            &config_file.path,
            &config_file.text,
            options.base_url.as_deref(),
        )?;
        let articles = load::articles_all(root, &site.limits)?;
        Ok(loaded(root, config_file, site, articles))
    }

    /// The articles read, each with its file's text.
    pub(crate) fn sources(&self) -> &[ArticleSource] {
        &self.sources
    }
}

/// Load the pictures `mend.yaml` names and the site theme after the
/// articles; a picture or theme that cannot be loaded is one more error
/// (the built-in theme stands in, never rendered).
fn loaded(
    root: &std::path::Path,
    config_file: load::SourceFile,
    mut site: config::SiteConfig,
    articles: load::Articles,
) -> Inputs {
    let load::Articles {
        sources,
        mut warnings,
        mut errors,
        failed,
        files,
    } = articles;
    if let Err(mut e) = load::pictures(root, &config_file, &mut site) {
        errors.append(&mut e);
    }
    let theme = match load::site_theme(root, &config_file, &site.site_theme) {
        Ok(theme) => theme,
        Err(d) => {
            errors.push(d);
            load::builtin_site_theme()
        }
    };
    warnings.extend(theme.warnings.iter().cloned());
    Inputs {
        config_text: config_file.text,
        site,
        sources,
        files,
        site_theme: theme,
        warnings,
        errors,
        failed,
    }
}

/// Every error of a build that cannot go on: what could not be loaded,
/// every article's parse errors, and the broken links among what parsed,
/// with the warnings.
fn every_error(loaded: Inputs, drafts: bool) -> Failure {
    let Inputs {
        site,
        sources,
        files,
        mut warnings,
        mut errors,
        failed,
        ..
    } = loaded;
    let mut parsed = parse::articles(&sources, &site);
    drop(sources);
    errors.append(&mut parsed.errors);
    warnings.append(&mut parsed.warnings);
    let mut unparsed = parsed.failed;
    unparsed.extend(failed);
    if let Err(mut e) =
        link::knowledge_base_trusting(site, parsed.articles, drafts, &unparsed, &files)
    {
        errors.append(&mut e);
    }
    errors.append(&mut warnings);
    errors.into()
}

/// A hash of everything the output depends on: this mend executable, the
/// options that change bytes, `mend.yaml` and the pictures it names, the
/// theme and every article. Equal fingerprints mean equal output.
fn fingerprint(options: &BuildOptions, loaded: &Inputs) -> String {
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
    // A picture's file may change while `mend.yaml` stays the same.
    for picture in [&loaded.site.logo, &loaded.site.favicon] {
        picture.as_ref().map(|p| &p.bytes).hash(&mut h);
    }
    loaded.site_theme.name.hash(&mut h);
    for (name, file) in &loaded.site_theme.templates {
        (name, &file.text).hash(&mut h);
    }
    loaded.site_theme.static_files.hash(&mut h);
    let articles: Vec<(u64, u64)> = loaded
        .sources
        .par_iter()
        .map(|s| {
            (
                crate::hash::stable(s.slug.as_bytes()),
                crate::hash::stable(s.file.text.as_bytes()),
            )
        })
        .collect();
    articles.hash(&mut h);
    format!("{:016x}", h.finish())
}

/// Parse and link what was loaded, and compile the templates. The stages
/// start with `load`, which took `load_time`.
fn prepare(
    loaded: Inputs,
    load_time: Duration,
    options: &BuildOptions,
) -> Result<Prepared, Failure> {
    if !loaded.errors.is_empty() {
        return Err(every_error(loaded, options.drafts));
    }
    let mut stages = vec![("load", load_time)];
    let mut t = Instant::now();
    let Inputs {
        site,
        sources,
        files,
        site_theme: theme,
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
        if let Err(mut e) = link::knowledge_base_trusting(
            site,
            parsed.articles,
            options.drafts,
            &parsed.failed,
            &files,
        ) {
            errors.append(&mut e);
        }
        errors.append(&mut warnings);
        return Err(errors.into());
    }
    let kb = link::knowledge_base(site, parsed.articles, options.drafts, &files)?;
    let templates = render::Templates::compile(&theme)?;
    stages.push(("link", t.elapsed()));
    t = Instant::now();
    let linked = linked_files(&options.root, &kb)?;
    stages.push(("linked files", t.elapsed()));
    crate::error::sort(&mut warnings);
    Ok(Prepared {
        kb,
        linked,
        site_theme: theme,
        templates,
        warnings,
        stages,
    })
}

/// The files the linked corpus publishes, read from `root`: output files
/// with the same path and bytes.
fn linked_files(root: &Path, kb: &KnowledgeBase) -> Result<Vec<OutputFile>, Failure> {
    let read = load::linked_files(root, &kb.files, &kb.site.limits)?;
    Ok(read
        .into_iter()
        .map(|(path, bytes)| OutputFile { path, bytes })
        .collect())
}

/// Whether the files a previous build published still hold the bytes it
/// copied (the fingerprint covers the texts, not these files).
fn linked_unchanged(root: &Path, record: &write::Record, limits: &config::Limits) -> bool {
    let paths: Vec<String> = record.linked.iter().map(|(p, _)| p.clone()).collect();
    load::linked_files(root, &paths, limits).is_ok_and(|read| {
        read.iter()
            .zip(&record.linked)
            .all(|((_, bytes), (_, hash))| crate::hash::stable(bytes) == *hash)
    })
}

/// Run every stage but `write`: the whole site in memory.
pub fn generate(options: &BuildOptions) -> Result<Generated, Failure> {
    let start = Instant::now();
    let inputs = Inputs::load(options)?;
    generate_from(inputs, start, options).map(|(generated, _)| generated)
}

/// [`generate`] from inputs already loaded (since `start`); with the linked
/// knowledge base the pages were made from.
pub(crate) fn generate_from(
    loaded: Inputs,
    start: Instant,
    options: &BuildOptions,
) -> Result<(Generated, KnowledgeBase), Failure> {
    let mut p = prepare(loaded, start.elapsed(), options)?;
    let mut t = Instant::now();
    let mut files = render::site_with(&p.kb, &p.templates, &p.site_theme, options.render)?;
    files.extend(p.linked);
    p.stages.push(("render", t.elapsed()));
    t = Instant::now();
    let never = std::sync::atomic::AtomicBool::new(false);
    let made = search::make(&p.kb, options.render.portable, &never).unwrap_or_default();
    files.extend(made.files);
    p.warnings.extend(made.warnings);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    p.stages.push(("search index", t.elapsed()));
    let (kb, warnings, stages) = (p.kb, p.warnings, p.stages);
    let pages = files.iter().filter(|f| f.path.ends_with(".html")).count();
    let report = BuildReport::new(Counts::of(&kb, pages), warnings, stages, start.elapsed());
    Ok((Generated { files, report }, kb))
}
