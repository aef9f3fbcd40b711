//! `mend build`: the stages in order, into the output folder, atomically;
//! nothing written when every input is as the last build found it.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::{BuildOptions, Inputs, Prepared, fingerprint, linked_unchanged, prepare, report};
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
    // `--force` rewrites every file, whatever the marker says is there; a
    // file that could not be read fails the build whatever was built before.
    let reuse = !options.force && loaded.errors.is_empty();
    if let Some(record) = write::up_to_date(&output, &inputs)
        .filter(|_| reuse)
        .filter(|record| linked_unchanged(&options.root, record, &loaded.site.limits))
    {
        write::clean_leftovers(&output)?;
        let counts = Counts {
            articles: record.articles,
            themes: record.themes,
            pages: record.pages,
            files: record.files,
        };
        let stages = vec![("load", start.elapsed())];
        return Ok(
            BuildReport::new(counts, record.warnings, stages, start.elapsed()).nothing_changed(),
        );
    }
    let Prepared {
        kb,
        linked,
        theme,
        templates,
        mut warnings,
        mut stages,
    } = prepare(loaded, start.elapsed(), options)?;
    let mut staging = write::Staging::create(&output, options.force)?;
    staging.copied_from(theme.static_files.iter().map(|(path, _)| {
        let from = format!("themes/{}/static/{path}", theme.name);
        (path.clone(), PathBuf::from(from))
    }));
    let (mut rendering, mut writing, mut indexing) =
        (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let (mut pages, mut files) = (0, 0);
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
    // Then the linked files, as they are.
    let t = Instant::now();
    staging.add(&linked)?;
    writing += t.elapsed();
    files += linked.len();
    let record_linked: Vec<(String, u64)> = linked
        .iter()
        .map(|f| (f.path.clone(), crate::hash::stable(&f.bytes)))
        .collect();
    drop(linked);
    // Then the article pages, a batch at a time: each page's Markdown is
    // walked once, for its HTML and for the text the search index counts.
    let mut counter = search::Counter::new(&kb);
    let made = article_batches(&kb, &templates, options, &staging, &mut counter, progress)?;
    rendering += made.rendering;
    writing += made.writing;
    indexing += made.indexing;
    pages += made.files;
    files += made.files;
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
        linked: record_linked,
    };
    warnings.extend(staging.commit(&record)?);
    stages.push(("write", writing + t.elapsed()));
    Ok(report(&kb, pages, files, warnings, stages, start))
}

/// What writing the article pages took, and how many files they were.
struct Batches {
    files: usize,
    rendering: Duration,
    writing: Duration,
    indexing: Duration,
}

/// Render, write and count the article pages [`BATCH`] at a time: while one
/// batch is rendered, the one before is written and counted for the search
/// index. Calls `progress(done, total)` after each batch is written.
fn article_batches(
    kb: &KnowledgeBase,
    templates: &render::Templates,
    options: &BuildOptions,
    staging: &write::Staging,
    counter: &mut search::Counter,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Batches, Failure> {
    let total = kb.articles.len();
    let mut made_all = Batches {
        files: 0,
        rendering: Duration::ZERO,
        writing: Duration::ZERO,
        indexing: Duration::ZERO,
    };
    let mut done = 0;
    let all: Vec<usize> = (0..total).collect();
    let mut chunks = all.chunks(BATCH);
    let mut previous: Option<(&[usize], Vec<OutputFile>, Vec<search::Sections>)> = None;
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
                        render::article_pages_and_sections(kb, templates, options.render, chunk);
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
                            counter.count(kb, chunk, &sections);
                            t.elapsed()
                        },
                    );
                    (chunk.len(), batch.len(), written, counted)
                })
            },
        );
        if let Some((articles, made, (written, write_time), count_time)) = handled {
            written?;
            made_all.writing += write_time;
            made_all.indexing += count_time;
            made_all.files += made;
            done += articles;
            progress(done, total);
        }
        if let Some((chunk, made, render_time)) = rendered {
            made_all.rendering += render_time;
            let (batch, sections) = made?;
            previous = Some((chunk, batch, sections));
        }
    }
    Ok(made_all)
}
