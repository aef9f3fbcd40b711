//! The stages of a [`Session`] update: link again, render the edited pages
//! first, complete the rest (the fast path is in `in_place.rs`).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use super::{Inputs, Last, Linked, OutputMap, Session, Update, same_pictures, same_text};
use crate::error::Failure;
use crate::load::ArticleSource;
use crate::parse::Article;
use crate::report::{BuildReport, Counts};
use crate::urls::Page;
use crate::{link, parse, render, search};

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
            theme,
            mut warnings,
            ..
        } = loaded;
        // Everything again, but re-parse only what changed.
        let mut t = Instant::now();
        let mut stages = vec![("load", start.elapsed())];
        let previous = self.last.as_ref();
        let reusable = previous.filter(|l| same_text(&l.config_text, &config_text));
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
        let kb = link::knowledge_base(site, parsed.articles, self.options.drafts, &listing)?;
        stages.push(("link", t.elapsed()));
        t = Instant::now();
        let linked = crate::pipeline::linked_files(&self.options.root, &kb)?;
        stages.push(("linked files", t.elapsed()));
        let templates = render::Templates::compile(&theme)?;
        Ok(Linked {
            config_text,
            theme,
            templates,
            parsed: by_slug,
            kb,
            listing,
            linked,
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
    pub(super) fn first_stage(&self, linked: &Linked) -> Option<Result<Update, Failure>> {
        let last = self.last.as_ref().filter(|l| {
            same_text(&l.config_text, &linked.config_text)
                && l.theme == linked.theme
                && same_pictures(&l.kb.site, &linked.kb.site)
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
            output.remove(&Page::Article(&gone.slug).output_path(), &mut changed);
        }
        for gone in last.kb.files.iter().filter(|p| !kb.files.contains(p)) {
            output.remove(gone, &mut changed);
        }
        let fresh: std::collections::HashSet<Arc<str>> = pages
            .into_iter()
            .chain(linked.linked.iter().cloned())
            .map(|page| output.replace(page, &mut changed))
            .collect();
        changed.sort();
        let pending: std::collections::HashSet<Arc<str>> = output
            .files()
            .keys()
            .filter(|p| (p.ends_with(".html") || p.ends_with(".xml")) && !fresh.contains(*p))
            .cloned()
            // Made, or dropped, as the articles with code blocks come and go.
            .chain(std::iter::once(Arc::from("syntax.css")))
            .collect();
        let mut stages = linked.stages.clone();
        stages.push(("first pages", t.elapsed()));
        let report = BuildReport::new(
            Counts::of(kb, first.len(), output.len()),
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
            config_text,
            theme,
            templates,
            parsed: by_slug,
            kb,
            listing,
            linked,
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
        let same_theme =
            reusable.filter(|l| l.theme == theme && same_pictures(&l.kb.site, &kb.site));
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
        files.extend(linked);
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

        let (rendered, total) = (dirty.len(), kb.articles.len());
        let mut output: OutputMap = files.into_iter().collect();
        if let Some(last) = same_theme {
            for &i in &kept {
                output.carry(
                    &last.output,
                    &Page::Article(&kb.articles[i].slug).output_path(),
                );
            }
            for path in &last.search_paths {
                output.carry(&last.output, path);
            }
        }
        let changed = output.diff(previous.map_or(&OutputMap::default(), |l| &l.output));
        crate::error::sort(&mut warnings);
        let report = BuildReport::new(
            Counts::of(
                &kb,
                output
                    .files()
                    .keys()
                    .filter(|p| p.ends_with(".html"))
                    .count(),
                output.len(),
            ),
            warnings,
            stages,
            start.elapsed(),
        );
        let last = Last {
            config_text,
            theme,
            templates,
            parsed: by_slug,
            kb: Arc::new(kb),
            listing,
            keys,
            output: output.clone(),
            search_paths,
            search_stale,
            generation: previous.map_or(0, |l| l.generation + 1),
        };
        Ok((
            last,
            Update {
                files: output.into_files(),
                changed,
                incremental: rendered < total,
                report,
                pending: std::collections::HashSet::new(),
            },
        ))
    }
}
