//! The fast path of a [`Session`] update: an edit that leaves what other
//! pages show of the edited articles alone re-renders only their pages,
//! without linking again.

use std::sync::Arc;
use std::time::Instant;

use super::{Inputs, Last, Session, Update, same_pictures, same_text};
use crate::error::Failure;
use crate::load::ArticleSource;
use crate::parse::Article;
use crate::report::{BuildReport, Counts};
use crate::{parse, render};

impl Session {
    /// The fast path: same configuration, pictures, theme and set of articles, and every
    /// edited article still shows other pages the same facts.
    pub(super) fn edit_in_place(
        &mut self,
        loaded: &Inputs,
        start: Instant,
    ) -> Result<Option<Update>, Failure> {
        let Some(last) = &mut self.last else {
            return Ok(None);
        };
        let Some(fresh) = reparse_in_place(last, loaded)? else {
            return Ok(None);
        };
        let load_parse = start.elapsed();
        let t = Instant::now();
        let indices = replace_articles(last, fresh);
        let options = self.options.render;
        let mut pages = render::article_pages(&last.kb, &last.basis.templates, options, &indices)
            .map_err(Failure::from)?;
        // A linked file edited in place (same length) is read again.
        pages.extend(crate::pipeline::linked_files(&self.options.root, &last.kb)?);
        let keys = render::article_keys(&last.kb, &last.basis.templates, options, &indices);
        for (&i, key) in indices.iter().zip(keys) {
            last.keys.insert(last.kb.articles[i].slug.clone(), key);
        }
        if !indices.is_empty() {
            last.search_stale = true;
            last.generation += 1;
        }
        let mut changed = Vec::new();
        for page in pages {
            last.output.replace(page, &mut changed);
        }
        changed.sort();
        let report = BuildReport::new(
            Counts::of(&last.kb, indices.len()),
            loaded.warnings.to_vec(),
            vec![("load and parse", load_parse), ("render", t.elapsed())],
            start.elapsed(),
        );
        Ok(Some(Update {
            files: last.output.files().clone(),
            changed,
            incremental: true,
            report,
            pending: std::collections::HashSet::new(),
        }))
    }
}

/// The articles of `loaded` whose text changed since `last`, parsed, when
/// the fast path applies: the same configuration, pictures, theme, listing
/// and articles, and each edited one shows other pages what it showed.
/// `None` when it does not.
fn reparse_in_place<'a>(
    last: &Last,
    loaded: &'a Inputs,
) -> Result<Option<Vec<(&'a ArticleSource, Article)>>, Failure> {
    let basis = &last.basis;
    // A file added, removed or resized in `articles/` may make a link
    // work or break: that is for `link`.
    if basis.config_text != loaded.config_text
        || !same_pictures(&last.kb.site, &loaded.site)
        || basis.site_theme != loaded.site_theme
        || loaded.sources.len() != basis.parsed.len()
        || basis.listing != loaded.files
    {
        return Ok(None);
    }
    // The same articles (as many, each known), some with new text.
    let mut edited = Vec::new();
    for source in &loaded.sources {
        match basis.parsed.get(&source.slug) {
            None => return Ok(None),
            Some((text, old)) if !same_text(text, &source.file.text) => edited.push((source, old)),
            Some(_) => {}
        }
    }
    let mut fresh = Vec::with_capacity(edited.len());
    for (source, old) in edited {
        let article = parse::article(source, &last.kb.site).map_err(Failure::from)?;
        if !same_for_other_pages(old, &article) {
            return Ok(None);
        }
        fresh.push((source, article));
    }
    Ok(Some(fresh))
}

/// Put the re-parsed articles in `last`'s knowledge base; their indices.
fn replace_articles(last: &mut Last, fresh: Vec<(&ArticleSource, Article)>) -> Vec<usize> {
    let mut indices = Vec::new();
    for (source, article) in fresh {
        let article = Arc::new(article);
        if let Some(i) = last.kb.article_index(&article.slug) {
            // Cheap even while a search job shares the old one: a copy
            // of the knowledge base shares its articles.
            Arc::make_mut(&mut last.kb).articles[i] = Arc::clone(&article);
            indices.push(i);
        }
        last.basis.parsed.insert(
            source.slug.clone(),
            (Arc::clone(&source.file.text), article),
        );
    }
    indices
}

/// Whether two versions of an article look the same from every page but its
/// own: home, lists, theme pages (with each tagged section's first sentence),
/// related and backlink lists, links into it, the feed and the sitemap; and
/// link to the same articles and files.
fn same_for_other_pages(a: &Article, b: &Article) -> bool {
    let links = |x: &Article| {
        x.links
            .iter()
            .map(|l| (l.target.clone(), l.titled_by_target))
            .collect::<Vec<_>>()
    };
    // Where images lead is not shown on other pages, but which files the
    // site publishes is.
    let images = |x: &Article| {
        x.images
            .iter()
            .map(|i| i.target.clone())
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
        && images(a) == images(b)
        && render::tagged_excerpts(a) == render::tagged_excerpts(b)
}
