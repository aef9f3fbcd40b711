//! What the whole corpus says about each theme and article: the theme index
//! (every article and tagged section per theme) and each article's related
//! articles, ranked by the themes they share.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::{RELATED_LIMIT, Related, ThemeIndex};
use crate::config::SiteConfig;
use crate::parse::Article;

/// Every theme's articles and tagged sections, in one pass over the corpus.
pub(super) fn theme_index(site: &SiteConfig, articles: &[Arc<Article>]) -> Vec<ThemeIndex> {
    let mut index = vec![ThemeIndex::default(); site.themes.len()];
    for (a, article) in articles.iter().enumerate() {
        let mut on: BTreeSet<usize> = article
            .themes
            .iter()
            .filter_map(|t| site.theme_index(t))
            .collect();
        for (h, heading) in article.headings.iter().enumerate() {
            for t in heading.themes.iter().filter_map(|t| site.theme_index(t)) {
                index[t].sections.push((a, h));
                if index[t]
                    .first_sections
                    .last()
                    .is_none_or(|&(last, _)| last != a)
                {
                    index[t].first_sections.push((a, h));
                }
                on.insert(t);
            }
        }
        for t in on {
            index[t].articles.push(a);
        }
    }
    index
}

/// How many neighbours, in a theme's reading order, are considered as related
/// candidates per theme. Bounds the work per article on large corpora, where
/// every theme holds thousands of articles; small ones are searched whole.
pub(super) const RELATED_WINDOW: usize = 64;

/// Related articles for `a`: shared front-matter themes weigh 2, themes shared
/// only through sections weigh 1. Candidates come from the theme index: the
/// articles near `a` in each of its themes' lists. `seen` is scratch space
/// of one slot per article, marked with `a + 1` for the candidates of `a`.
pub(super) fn related(
    a: usize,
    themes_of: &[ArticleThemes],
    themes: &[ThemeIndex],
    site: &SiteConfig,
    seen: &mut [usize],
) -> Vec<Related> {
    let own = &themes_of[a];
    let mut scored: Vec<(usize, usize)> = Vec::new();
    for &t in &own.all {
        let list = &themes[t].articles;
        let at = list.binary_search(&a).unwrap_or_else(|i| i);
        let from = at.saturating_sub(RELATED_WINDOW / 2);
        let to = (from + RELATED_WINDOW + 1).min(list.len());
        for &b in &list[from..to] {
            if b != a && seen[b] != a + 1 {
                seen[b] = a + 1;
                scored.push((own.score(&themes_of[b]), b));
            }
        }
    }
    let order = |x: &(usize, usize), y: &(usize, usize)| y.0.cmp(&x.0).then(x.1.cmp(&y.1));
    if scored.len() > RELATED_LIMIT {
        scored.select_nth_unstable_by(RELATED_LIMIT, order);
        scored.truncate(RELATED_LIMIT);
    }
    scored.sort_unstable_by(order);
    scored
        .into_iter()
        .map(|(score, b)| Related {
            article: b,
            shared: own
                .all
                .iter()
                .filter(|&&t| themes_of[b].all_set.contains(t))
                .map(|&t| site.themes[t].id.clone())
                .collect(),
            score,
        })
        .collect()
}

/// A set of theme indexes, one bit each.
#[derive(Default)]
pub(super) struct ThemeSet(Vec<u64>);

impl ThemeSet {
    fn of(themes: &[usize]) -> ThemeSet {
        let mut set = ThemeSet::default();
        for &t in themes {
            if set.0.len() <= t / 64 {
                set.0.resize(t / 64 + 1, 0);
            }
            set.0[t / 64] |= 1 << (t % 64);
        }
        set
    }

    fn contains(&self, t: usize) -> bool {
        self.0.get(t / 64).is_some_and(|w| w & (1 << (t % 64)) != 0)
    }

    fn shared(&self, other: &ThemeSet) -> usize {
        self.0
            .iter()
            .zip(&other.0)
            .map(|(a, b)| (a & b).count_ones() as usize)
            .sum()
    }
}

/// An article's theme indexes, sorted: from its front matter, and all (front
/// matter and sections).
pub(super) struct ArticleThemes {
    /// All, as a sorted list.
    all: Vec<usize>,
    front_set: ThemeSet,
    all_set: ThemeSet,
}

impl ArticleThemes {
    /// How related two articles are: each shared theme counts 1, and 1 more
    /// when both have it in their front matter.
    fn score(&self, other: &ArticleThemes) -> usize {
        self.all_set.shared(&other.all_set) + self.front_set.shared(&other.front_set)
    }
}

pub(super) fn article_themes(site: &SiteConfig, article: &Article) -> ArticleThemes {
    let mut front: Vec<usize> = article
        .themes
        .iter()
        .filter_map(|t| site.theme_index(t))
        .collect();
    front.sort_unstable();
    front.dedup();
    let mut all = front.clone();
    all.extend(
        article
            .headings
            .iter()
            .flat_map(|h| h.themes.iter())
            .filter_map(|t| site.theme_index(t)),
    );
    all.sort_unstable();
    all.dedup();
    ArticleThemes {
        front_set: ThemeSet::of(&front),
        all_set: ThemeSet::of(&all),
        all,
    }
}
