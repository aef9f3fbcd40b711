//! The stages of a [`Session`] update: link again, render the edited pages
//! first, complete the rest (the fast path is in `in_place.rs`).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use super::{Basis, Inputs, Last, Linked, OutputMap, Session, Update, same_pictures, same_text};
use crate::config::SiteConfig;
use crate::error::{Diagnostic, Failure};
use crate::link::KnowledgeBase;
use crate::load::ArticleSource;
use crate::parse::Article;
use crate::report::{BuildReport, Counts};
use crate::urls::Page;
use crate::write::OutputFile;
use crate::{link, parse, render, search};

/// Every parsed article by slug, with the text it came from.
type BySlug = rustc_hash::FxHashMap<String, (Arc<str>, Arc<Article>)>;

/// The articles of an update: every one, the same by slug, and the slugs
/// of those parsed again.
struct Reparsed {
    articles: Vec<Arc<Article>>,
    by_slug: BySlug,
    edited: Vec<String>,
}

impl Session {
    /// Parse the articles whose text changed, and link them all again.
    /// Leaves `self.last` alone (as do [`Session::first_stage`] and
    /// [`Session::complete`]), so a failure keeps the last good build.
    pub(super) fn link_again(&self, loaded: Inputs, start: Instant) -> Result<Linked, Failure> {
        let Inputs {
            config_text,
            site,
            sources,
            files: listing,
            site_theme: theme,
            mut warnings,
            ..
        } = loaded;
        let mut stages = vec![("load", start.elapsed())];
        let t = Instant::now();
        let Reparsed {
            articles,
            by_slug: parsed,
            edited,
        } = self.parse_changed(&config_text, &site, &sources, &mut warnings)?;
        stages.push(("parse", t.elapsed()));
        let t = Instant::now();
        let kb = link::knowledge_base(site, articles, self.options.drafts, &listing)?;
        stages.push(("link", t.elapsed()));
        let t = Instant::now();
        let linked = crate::pipeline::linked_files(&self.options.root, &kb)?;
        stages.push(("linked files", t.elapsed()));
        let templates = render::Templates::compile(&theme)?;
        Ok(Linked {
            basis: Basis {
                config_text,
                site_theme: theme,
                templates,
                parsed,
                listing,
            },
            kb,
            linked,
            edited,
            warnings,
            stages,
            start,
        })
    }

    /// Parse the articles whose text changed since the last update (all of
    /// them when the configuration changed) and take the others as they
    /// were.
    fn parse_changed(
        &self,
        config_text: &Arc<str>,
        site: &SiteConfig,
        sources: &[ArticleSource],
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<Reparsed, Failure> {
        let reusable = self
            .last
            .as_ref()
            .filter(|l| same_text(&l.basis.config_text, config_text));
        let (reused, fresh): (Vec<&ArticleSource>, Vec<&ArticleSource>) =
            sources.iter().partition(|s| {
                reusable
                    .and_then(|l| l.basis.parsed.get(&s.slug))
                    .is_some_and(|(text, _)| same_text(text, &s.file.text))
            });
        let fresh: Vec<ArticleSource> = fresh.into_iter().cloned().collect();
        let mut parsed = parse::articles(&fresh, site);
        warnings.append(&mut parsed.warnings);
        if !parsed.errors.is_empty() {
            let mut errors = parsed.errors;
            errors.append(warnings);
            return Err(errors.into());
        }
        if let Some(last) = reusable {
            parsed.articles.extend(
                reused
                    .iter()
                    .filter_map(|s| last.basis.parsed.get(&s.slug))
                    .map(|(_, a)| Arc::clone(a)),
            );
        }
        let texts: HashMap<&str, &Arc<str>> = sources
            .iter()
            .map(|s| (s.slug.as_str(), &s.file.text))
            .collect();
        let by_slug: BySlug = parsed
            .articles
            .iter()
            .filter_map(|a| {
                texts
                    .get(a.slug.as_str())
                    .map(|text| (a.slug.clone(), (Arc::clone(text), Arc::clone(a))))
            })
            .collect();
        let edited = fresh.into_iter().map(|s| s.slug).collect();
        Ok(Reparsed {
            articles: parsed.articles,
            by_slug,
            edited,
        })
    }

    /// The previous update, when its configuration, theme and pictures are
    /// those of `basis` and `kb`: its pages can be carried over.
    fn same_look(&self, basis: &Basis, kb: &KnowledgeBase) -> Option<&Last> {
        self.last.as_ref().filter(|l| {
            same_text(&l.basis.config_text, &basis.config_text)
                && l.basis.site_theme == basis.site_theme
                && same_pictures(&l.kb.site, &kb.site)
        })
    }

    /// The first stage of a staged update: only the pages of the articles
    /// whose text changed, the rest of the site as before, and the paths
    /// that may still change. `None` when there is no previous site with
    /// the same configuration and theme to start from.
    pub(super) fn first_stage(&self, linked: &Linked) -> Option<Result<Update, Failure>> {
        let last = self.same_look(&linked.basis, &linked.kb)?;
        let t = Instant::now();
        let kb = &linked.kb;
        let first: Vec<usize> = linked
            .edited
            .iter()
            .filter_map(|slug| kb.article_index(slug))
            .collect();
        let templates = &linked.basis.templates;
        let pages = match render::article_pages(kb, templates, self.options.render, &first) {
            Ok(pages) => pages,
            Err(e) => return Some(Err(e.into())),
        };
        let mut output = last.output.clone();
        let mut changed = Vec::new();
        let present: HashSet<&str> = kb.articles.iter().map(|a| a.slug.as_str()).collect();
        for gone in last
            .kb
            .articles
            .iter()
            .filter(|a| !present.contains(a.slug.as_str()))
        {
            output.remove(&Page::Article(&gone.slug).output_path(), &mut changed);
        }
        for gone in last.kb.files.iter().filter(|p| !kb.files.contains(p)) {
            output.remove(gone, &mut changed);
        }
        let fresh: HashSet<Arc<str>> = pages
            .into_iter()
            .chain(linked.linked.iter().cloned())
            .map(|page| output.replace(page, &mut changed))
            .collect();
        changed.sort();
        let pending: HashSet<Arc<str>> = output
            .files()
            .keys()
            .filter(|p| (p.ends_with(".html") || p.ends_with(".xml")) && !fresh.contains(*p))
            .cloned()
            // Made, or dropped, as the articles with code blocks come and go.
            .chain(std::iter::once(Arc::from(crate::urls::SYNTAX_CSS)))
            .collect();
        let mut stages = linked.stages.clone();
        stages.push(("first pages", t.elapsed()));
        let report = BuildReport::new(
            Counts::of(kb, first.len()),
            linked.warnings.clone(),
            stages,
            linked.start.elapsed(),
        );
        Some(Ok(Update {
            files: output.into_files(),
            changed,
            incremental: true,
            report,
            pending,
        }))
    }

    /// Key, render and carry over the pages of a linked knowledge base: the
    /// whole update, or the second stage of a staged one.
    pub(super) fn complete(&self, linked: Linked) -> Result<(Last, Update), Failure> {
        let Linked {
            basis,
            kb,
            linked,
            mut warnings,
            mut stages,
            start,
            ..
        } = linked;
        let previous = self.last.as_ref();
        let same_look = self.same_look(&basis, &kb);
        let t = Instant::now();
        let options = self.options.render;
        let (keys, dirty, kept) = self.keyed(&kb, &basis, same_look);
        stages.push(("page keys", t.elapsed()));
        let mut files = self.render(&kb, &basis, &dirty, &mut stages)?;
        files.extend(linked);
        let t = Instant::now();
        // With a previous build the search index follows in
        // `refresh_search`, so that the pages are served first.
        let (search_paths, search_stale) = match same_look {
            Some(last) => (last.search_paths.clone(), true),
            None => {
                let made = search::make(&kb, options.portable, &AtomicBool::new(false));
                let made = made.unwrap_or_default();
                warnings.extend(made.warnings);
                let paths = made
                    .files
                    .iter()
                    .map(|f| Arc::from(f.path.as_str()))
                    .collect();
                files.extend(made.files);
                stages.push(("search index", t.elapsed()));
                (paths, false)
            }
        };
        let mut output: OutputMap = files.into_iter().collect();
        if let Some(last) = same_look {
            carry_over(&mut output, last, &kb, &kept);
        }
        crate::error::sort(&mut warnings);
        let update = Update {
            changed: output.diff(previous.map_or(&OutputMap::default(), |l| &l.output)),
            incremental: dirty.len() < kb.articles.len(),
            report: report(&kb, &output, warnings, stages, start.elapsed()),
            files: output.files().clone(),
            pending: HashSet::new(),
        };
        let last = Last {
            basis,
            kb: Arc::new(kb),
            keys,
            output,
            search_paths,
            search_stale,
            generation: previous.map_or(0, |l| l.generation + 1),
        };
        Ok((last, update))
    }

    /// Every article page's key, and which pages must be rendered (`dirty`)
    /// and which can be carried over (`kept`) from `same_look`: with the same
    /// look, an article page whose key is unchanged is the previous one.
    fn keyed(
        &self,
        kb: &KnowledgeBase,
        basis: &Basis,
        same_look: Option<&Last>,
    ) -> (HashMap<String, u64>, Vec<usize>, Vec<usize>) {
        let all: Vec<usize> = (0..kb.articles.len()).collect();
        let keys: HashMap<String, u64> = kb
            .articles
            .iter()
            .map(|a| a.slug.clone())
            .zip(render::article_keys(
                kb,
                &basis.templates,
                self.options.render,
                &all,
            ))
            .collect();
        let (dirty, kept) = all.iter().partition(|&&i| {
            let slug = &kb.articles[i].slug;
            same_look.is_none_or(|l| l.keys.get(slug) != keys.get(slug))
        });
        (keys, dirty, kept)
    }

    /// The shared pages and the pages of the articles `dirty`.
    fn render(
        &self,
        kb: &KnowledgeBase,
        basis: &Basis,
        dirty: &[usize],
        stages: &mut Vec<(&'static str, Duration)>,
    ) -> Result<Vec<OutputFile>, Failure> {
        let options = self.options.render;
        let t = Instant::now();
        let mut files = render::shared_pages(kb, &basis.templates, &basis.site_theme, options)?;
        stages.push(("shared pages", t.elapsed()));
        let t = Instant::now();
        files.extend(render::article_pages(kb, &basis.templates, options, dirty)?);
        stages.push(("render", t.elapsed()));
        Ok(files)
    }
}

/// Carry the pages of the articles `kept`, and the search index, over
/// from the last update.
fn carry_over(output: &mut OutputMap, last: &Last, kb: &KnowledgeBase, kept: &[usize]) {
    for &i in kept {
        let path = Page::Article(&kb.articles[i].slug).output_path();
        output.carry(&last.output, &path);
    }
    for path in &last.search_paths {
        output.carry(&last.output, path);
    }
}

/// The report of an update that made `output`.
fn report(
    kb: &KnowledgeBase,
    output: &OutputMap,
    warnings: Vec<Diagnostic>,
    stages: Vec<(&'static str, Duration)>,
    took: Duration,
) -> BuildReport {
    let pages = output
        .files()
        .keys()
        .filter(|p| p.ends_with(".html"))
        .count();
    BuildReport::new(Counts::of(kb, pages), warnings, stages, took)
}
