//! The build, stage by stage: load -> parse -> link -> render -> search -> write.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::error::{Diagnostic, Failure};
use crate::render::{OutputFile, RenderOptions};
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
}

impl BuildReport {
    /// `built 6 articles, 9 themes, 31 pages in 48 ms`
    pub fn summary(&self) -> String {
        format!(
            "built {} article{}, {} theme{}, {} page{} in {} ms",
            self.articles,
            plural(self.articles),
            self.themes,
            plural(self.themes),
            self.pages,
            plural(self.pages),
            self.elapsed.as_millis()
        )
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A rendered site, not yet written.
#[derive(Debug, Clone)]
pub struct Generated {
    pub files: Vec<OutputFile>,
    pub report: BuildReport,
}

/// Run every stage but `write`: the whole site in memory.
pub fn generate(options: &BuildOptions) -> Result<Generated, Failure> {
    let start = Instant::now();
    let mut stages = Vec::new();
    let mut lap = |name: &'static str, since: &mut Instant| {
        stages.push((name, since.elapsed()));
        *since = Instant::now();
    };
    let mut t = Instant::now();
    let root = &options.root;

    let config_file = load::config(root)?;
    let site = config::parse(
        &config_file.path,
        &config_file.text,
        options.base_url.as_deref(),
    )?;
    let (sources, mut warnings) = load::articles(root)?;
    let theme = load::theme(root, &site.site_theme)?;
    lap("load", &mut t);

    let parsed = parse::articles(&sources, &site);
    lap("parse", &mut t);

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
    lap("link", &mut t);

    let mut files = render::site(&kb, &theme, options.render)?;
    lap("render", &mut t);

    files.extend(search::index(&kb, options.render.portable));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    lap("search index", &mut t);

    crate::error::sort(&mut warnings);
    let report = BuildReport {
        articles: kb.articles.len(),
        themes: kb.site.themes.len(),
        pages: files.iter().filter(|f| f.path.ends_with(".html")).count(),
        files: files.len(),
        warnings,
        stages,
        elapsed: start.elapsed(),
    };
    Ok(Generated { files, report })
}

/// Build the site into the output folder, atomically.
pub fn build(options: &BuildOptions) -> Result<BuildReport, Failure> {
    let start = Instant::now();
    let output = options.output_dir();
    write::check_output(&options.root, &output, options.force)?;
    let Generated { files, mut report } = generate(options)?;
    let t = Instant::now();
    write::site(&files, &output)?;
    report.stages.push(("write", t.elapsed()));
    report.elapsed = start.elapsed();
    Ok(report)
}
