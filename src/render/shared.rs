//! The pages every article shares: home, the lists, theme pages, 404,
//! search, the safety page, feeds, the highlighting stylesheet, the theme's
//! static files and the site's pictures, each on a thread of its own.

use std::collections::HashMap;

use rayon::prelude::*;

use super::{RenderOptions, Renderer, Templates, feeds, highlight, identity, nav, safety};
use crate::error::Diagnostic;
use crate::link::KnowledgeBase;
use crate::load::SiteTheme;
use crate::write::OutputFile;

/// Everything but the article pages: home, lists, theme pages, 404, the
/// search page, feeds, the highlighting stylesheet and the theme's static
/// files. With [`article_pages`] in batches, a large site is rendered without
/// holding every page in memory.
pub fn shared_pages(
    kb: &KnowledgeBase,
    templates: &Templates,
    theme: &SiteTheme,
    options: RenderOptions,
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let r = Renderer {
        kb,
        templates,
        options,
    };
    let jobs = jobs(kb, options);
    let excerpts = excerpts(kb);
    let made: Vec<Result<Vec<OutputFile>, Diagnostic>> = jobs
        .into_par_iter()
        .with_max_len(1)
        .map(|job| make(&r, job, &excerpts))
        .collect();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for result in made {
        match result {
            Ok(mut made) => files.append(&mut made),
            Err(d) => errors.push(d),
        }
    }
    if kb.articles.iter().any(|a| a.has_fenced_code) {
        files.push(OutputFile {
            path: crate::urls::SYNTAX_CSS.to_string(),
            bytes: highlight::syntax_css().into_bytes(),
        });
    }
    add_static_files(kb, theme, &mut files, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(files)
}

/// One shared page (or, for the feeds and the safety page, a few), rendered
/// on a thread of its own: at 50,000 articles the home page and the article
/// list are megabytes each, and the feeds more.
enum Shared {
    Index,
    Articles,
    Themes,
    NotFound,
    Search,
    Theme(usize),
    Feeds,
    Safety,
}

/// The shared pages this site has.
fn jobs(kb: &KnowledgeBase, options: RenderOptions) -> Vec<Shared> {
    let mut jobs = vec![
        Shared::Feeds,
        Shared::Index,
        Shared::Articles,
        Shared::Themes,
    ];
    if !options.portable {
        // Served at any depth from a server; read from disk it is never shown,
        // and its absolute links would not resolve there.
        jobs.push(Shared::NotFound);
    }
    jobs.push(Shared::Search);
    if kb.site.safety.is_some() {
        jobs.push(Shared::Safety);
    }
    jobs.extend((0..kb.site.themes.len()).map(Shared::Theme));
    jobs
}

/// Each tagged section's first sentence, for the theme pages: every
/// article's Markdown walked once, not once per theme it treats.
fn excerpts(kb: &KnowledgeBase) -> Vec<Vec<String>> {
    (0..kb.articles.len())
        .into_par_iter()
        .map(|a| {
            let tagged = kb.articles[a].headings.iter().any(|h| !h.themes.is_empty());
            if tagged {
                nav::first_sentences(kb, a)
            } else {
                Vec::new()
            }
        })
        .collect()
}

/// Render the files of one job.
fn make(
    r: &Renderer,
    job: Shared,
    excerpts: &[Vec<String>],
) -> Result<Vec<OutputFile>, Diagnostic> {
    match job {
        Shared::Index => r.index().map(|f| vec![f]),
        Shared::Articles => r.articles_page().map(|f| vec![f]),
        Shared::Themes => r.themes_page().map(|f| vec![f]),
        Shared::NotFound => r.not_found().map(|f| vec![f]),
        Shared::Search => r.search_page().map(|f| vec![f]),
        Shared::Theme(t) => r.theme(t, excerpts).map(|f| vec![f]),
        Shared::Feeds => Ok(feeds::files(r.kb)),
        Shared::Safety => match &r.kb.site.safety {
            Some(s) => safety::page(r, s).map(|f| vec![f]),
            None => Ok(Vec::new()),
        },
    }
}

/// Add the theme's static files to `files` (the pages made so far), an
/// error for each that would overwrite one, then the site's pictures.
fn add_static_files(
    kb: &KnowledgeBase,
    theme: &SiteTheme,
    files: &mut Vec<OutputFile>,
    errors: &mut Vec<Diagnostic>,
) {
    let generated: HashMap<String, ()> = files.iter().map(|f| (f.path.clone(), ())).collect();
    // The site's own logo and favicon stand in for a theme file of the same name.
    let pictures = identity::files(&kb.site);
    for (path, bytes) in &theme.static_files {
        if pictures.iter().any(|p| p.path == *path) {
            continue;
        }
        if generated.contains_key(path) {
            errors.push(
                Diagnostic::error(format!(
                    "static file `{path}` would overwrite a generated page"
                ))
                .in_file(format!("themes/{}/static/{path}", theme.name)),
            );
            continue;
        }
        files.push(OutputFile {
            path: path.clone(),
            bytes: bytes.clone(),
        });
    }
    files.extend(pictures);
}
