//! `mend build`: the stages in order, into the output folder, atomically;
//! nothing written when every input is as the last build found it.
//!
//! [`build_with_progress`] (a little over 60 lines) stays whole: it is the build's
//! table of contents, one stage after another, and each stage is a call.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::{BuildOptions, Inputs, Prepared, fingerprint, linked_unchanged, prepare};
use crate::error::Failure;
use crate::link::KnowledgeBase;
use crate::report::{BuildReport, Counts};
use crate::write::OutputFile;
use crate::{render, search, write};

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
    let loaded = Inputs::load(options)?;
    let inputs = fingerprint(options, &loaded);
    if let Some(report) = nothing_changed(options, &output, &loaded, &inputs, start)? {
        return Ok(report);
    }
    let Prepared {
        kb,
        linked,
        site_theme: theme,
        templates,
        mut warnings,
        mut stages,
    } = prepare(loaded, start.elapsed(), options)?;
    let mut staging = write::Staging::create(&output, options.force)?;
    staging.copied_from(theme.static_files.iter().map(|(path, _)| {
        let from = format!("themes/{}/static/{path}", theme.name);
        (path.clone(), PathBuf::from(from))
    }));
    let mut tally = Tally::default();
    let shared = Shared {
        kb: &kb,
        templates: &templates,
        options,
        staging: &staging,
    };
    let record_linked = shared.pages_and_files(&theme, linked, &mut tally)?;
    // Then the article pages, a batch at a time: each page's Markdown is
    // walked once, for its HTML and for the text the search index counts.
    let mut indexer = search::Indexer::new(&kb);
    shared.article_batches(&mut indexer, progress, &mut tally)?;
    // Then the search index's files. (Not alongside the shared pages: the
    // theme pages' contexts and the index's scored lists together made the
    // build's peak memory.)
    let t = Instant::now();
    let emit = |files: Vec<OutputFile>| staging.add(&files);
    let (index_files, index_warnings) = indexer.emit(&kb, options.render.portable, &emit)?;
    tally.indexing += t.elapsed();
    tally.files += index_files;
    warnings.extend(index_warnings);
    stages.push(("render", tally.rendering));
    stages.push(("search index", tally.indexing));
    let t = Instant::now();
    let record = write::Record {
        inputs,
        articles: kb.articles.len(),
        themes: kb.site.themes.len(),
        pages: tally.pages,
        files: tally.files,
        warnings: warnings.clone(),
        linked: record_linked,
    };
    warnings.extend(staging.commit(&record)?);
    stages.push(("write", tally.writing + t.elapsed()));
    let counts = Counts::of(&kb, tally.pages);
    Ok(BuildReport::new(counts, warnings, stages, start.elapsed()))
}

/// The report of a build that writes nothing, when every input is as the
/// build already in `output` found it (and `--force` was not given).
fn nothing_changed(
    options: &BuildOptions,
    output: &std::path::Path,
    loaded: &Inputs,
    inputs: &str,
    start: Instant,
) -> Result<Option<BuildReport>, Failure> {
    // `--force` rewrites every file, whatever the marker says is there; a
    // file that could not be read fails the build whatever was built before.
    let reuse = !options.force && loaded.errors.is_empty();
    let Some(record) = write::up_to_date(output, inputs)
        .filter(|_| reuse)
        .filter(|record| linked_unchanged(&options.root, record, &loaded.site.limits))
    else {
        return Ok(None);
    };
    write::clean_leftovers(output)?;
    let counts = Counts {
        articles: record.articles,
        themes: record.themes,
        pages: record.pages,
    };
    let stages = vec![("load", start.elapsed())];
    let report = BuildReport::new(counts, record.warnings, stages, start.elapsed());
    Ok(Some(report.nothing_changed()))
}

/// What a build wrote so far, and the time it took.
#[derive(Default)]
struct Tally {
    pages: usize,
    files: usize,
    rendering: Duration,
    writing: Duration,
    indexing: Duration,
}

/// A batch written and counted: how many articles and files, and how long.
struct Handled {
    articles: usize,
    files: usize,
    written: Result<(), crate::error::Diagnostic>,
    writing: Duration,
    counting: Duration,
}

/// What every step of writing the site shares.
struct Shared<'a> {
    kb: &'a KnowledgeBase,
    templates: &'a render::Templates,
    options: &'a BuildOptions,
    staging: &'a write::Staging,
}

/// A batch of article pages rendered, with their sections for the search index.
type Batch<'c> = (&'c [usize], Vec<OutputFile>, Vec<search::Sections>);

impl Shared<'_> {
    /// The shared pages (home, lists, themes, feeds), then the linked files
    /// as they are; each linked file's path and hash, for the record.
    fn pages_and_files(
        &self,
        theme: &crate::load::SiteTheme,
        linked: Vec<OutputFile>,
        tally: &mut Tally,
    ) -> Result<Vec<(String, u64)>, Failure> {
        let t = Instant::now();
        let shared = render::shared_pages(self.kb, self.templates, theme, self.options.render)?;
        tally.rendering += t.elapsed();
        let t = Instant::now();
        self.staging.add(&shared)?;
        self.staging.add(&linked)?;
        tally.writing += t.elapsed();
        tally.pages += shared.iter().filter(|f| f.path.ends_with(".html")).count();
        tally.files += shared.len() + linked.len();
        Ok(linked
            .iter()
            .map(|f| (f.path.clone(), crate::hash::stable(&f.bytes)))
            .collect())
    }

    /// Render, write and count the article pages [`BATCH`] at a time: while
    /// one batch is rendered, the one before is written and counted for the
    /// search index. Calls `progress(done, total)` after each batch is written.
    fn article_batches(
        &self,
        indexer: &mut search::Indexer,
        progress: &(dyn Fn(usize, usize) + Sync),
        tally: &mut Tally,
    ) -> Result<(), Failure> {
        let total = self.kb.articles.len();
        let mut done = 0;
        let all: Vec<usize> = (0..total).collect();
        let mut chunks = all.chunks(BATCH);
        let mut previous: Option<Batch> = None;
        loop {
            let chunk = chunks.next();
            if chunk.is_none() && previous.is_none() {
                break;
            }
            let (rendered, handled) = rayon::join(
                || {
                    chunk.map(|chunk| {
                        let t = Instant::now();
                        let made = render::article_pages_and_sections(
                            self.kb,
                            self.templates,
                            self.options.render,
                            chunk,
                        );
                        (chunk, made, t.elapsed())
                    })
                },
                || {
                    previous
                        .take()
                        .map(|batch| self.write_and_count(batch, indexer))
                },
            );
            if let Some(handled) = handled {
                handled.written?;
                tally.writing += handled.writing;
                tally.indexing += handled.counting;
                tally.pages += handled.files;
                tally.files += handled.files;
                done += handled.articles;
                progress(done, total);
            }
            if let Some((chunk, made, render_time)) = rendered {
                tally.rendering += render_time;
                let (batch, sections) = made?;
                previous = Some((chunk, batch, sections));
            }
        }
        Ok(())
    }

    /// Write a rendered batch and count it for the search index, at once.
    fn write_and_count(
        &self,
        (chunk, batch, sections): Batch,
        indexer: &mut search::Indexer,
    ) -> Handled {
        let ((written, writing), counting) = rayon::join(
            || {
                let t = Instant::now();
                (self.staging.add(&batch), t.elapsed())
            },
            || {
                let t = Instant::now();
                indexer.count(self.kb, chunk, &sections);
                t.elapsed()
            },
        );
        Handled {
            articles: chunk.len(),
            files: batch.len(),
            written,
            writing,
            counting,
        }
    }
}
