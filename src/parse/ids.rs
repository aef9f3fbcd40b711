//! Heading ids: unique within an article, an explicit `{#id}` keeping the id
//! it asks for, and never an id the page already gives something else.
//!
//! Takes each heading's explicit id or the id its text gives, and the
//! article's footnote labels; gives every heading its id and the clashes
//! that are the author's to fix. Costs a bounded number of probes per
//! heading: 50,000 headings `## a` used to probe `a-1`, `a-2`, ... from the
//! start each time. Never sees the Markdown.

use std::collections::{HashMap, HashSet};

/// Ids the default theme gives elements of its pages. A heading taking one
/// would make a link to it (or the page's own script) land elsewhere.
pub const THEME_IDS: &[&str] = &[
    "another-device",
    "articles-heading",
    "backlinks-heading",
    "begin-heading",
    "clear-history",
    "exit",
    "exit-overlay",
    "exit-status",
    "home-heading",
    "main",
    "more-heading",
    "private-browsing",
    "related-heading",
    "scheme",
    "search-input",
    "search-page",
    "search-page-input",
    "search-page-status",
    "search-popup",
    "search-popup-results",
    "search-results",
    "search-theme-chips",
    "sections-heading",
    "themes-heading",
    "toc-heading",
];

/// Prefixes of ids the theme's search script makes as it runs: a prefix
/// and a number (`search-opt-3`).
pub const THEME_ID_PREFIXES: &[&str] = &["search-opt-"];

/// Why an explicit id cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Clash {
    /// An earlier heading (by index) asks for the same id.
    Twice(usize),
    /// The theme uses it.
    Theme,
    /// A footnote of the article has it.
    Footnote,
}

/// What a heading asks for.
pub(crate) struct Wanted<'a> {
    /// `{#id}`, if written.
    pub(crate) explicit: Option<&'a str>,
    /// The id its text gives ([`super::heading_id`]).
    pub(crate) from_text: &'a str,
}

/// The ids given, and the explicit ids that clash (by heading index).
#[derive(Debug, Default)]
pub(crate) struct Assigned {
    pub(crate) ids: Vec<String>,
    pub(crate) clashes: Vec<(usize, Clash)>,
    /// Ids looked at while choosing, for the tests that bound the work.
    pub(crate) probes: usize,
}

fn is_theme_id(id: &str) -> bool {
    THEME_IDS.contains(&id)
        || THEME_ID_PREFIXES.iter().any(|p| {
            id.strip_prefix(p)
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// Explicit ids first, so that one wins over an id made from text (`## A`,
/// `## A`, `## B {#a-1}`: the second `A` becomes `a-2`); then the rest in
/// order, each its text's id or that id with the first free `-N`.
pub(crate) fn assign(wanted: &[Wanted<'_>], footnotes: &HashSet<String>) -> Assigned {
    let mut out = Assigned::default();
    let mut taken: HashSet<String> = HashSet::new();
    let mut owner: HashMap<&str, usize> = HashMap::new();
    let mut clashed = vec![false; wanted.len()];
    for (i, w) in wanted.iter().enumerate() {
        let Some(id) = w.explicit else { continue };
        let clash = if let Some(&first) = owner.get(id) {
            Some(Clash::Twice(first))
        } else if is_theme_id(id) {
            Some(Clash::Theme)
        } else if footnotes.contains(id) {
            Some(Clash::Footnote)
        } else {
            None
        };
        match clash {
            Some(clash) => {
                out.clashes.push((i, clash));
                clashed[i] = true;
            }
            None => {
                owner.insert(id, i);
                taken.insert(id.to_string());
            }
        }
    }
    // The next suffix to try for each base: each id is probed past at most
    // once per base, so the work is linear in the headings.
    let mut next: HashMap<String, usize> = HashMap::new();
    let free = |id: &str, taken: &HashSet<String>| {
        !taken.contains(id) && !is_theme_id(id) && !footnotes.contains(id)
    };
    for (i, w) in wanted.iter().enumerate() {
        if let (Some(id), false) = (w.explicit, clashed[i]) {
            out.ids.push(id.to_string());
            continue;
        }
        let base = w.explicit.unwrap_or(w.from_text);
        out.probes += 1;
        let id = if free(base, &taken) {
            base.to_string()
        } else {
            let n = next.entry(base.to_string()).or_insert(1);
            loop {
                let id = format!("{base}-{n}");
                out.probes += 1;
                *n += 1;
                if free(&id, &taken) {
                    break id;
                }
            }
        };
        taken.insert(id.clone());
        out.ids.push(id);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(wanted: &[(Option<&str>, &str)], footnotes: &[&str]) -> Assigned {
        let wanted: Vec<Wanted<'_>> = wanted
            .iter()
            .map(|&(explicit, from_text)| Wanted {
                explicit,
                from_text,
            })
            .collect();
        assign(&wanted, &footnotes.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn an_explicit_id_wins_over_one_made_from_text() {
        let a = ids(&[(None, "a"), (None, "a"), (Some("a-1"), "custom")], &[]);
        assert_eq!(a.ids, ["a", "a-2", "a-1"]);
        assert!(a.clashes.is_empty());
    }

    #[test]
    fn theme_and_footnote_ids_are_never_made_from_text() {
        let a = ids(
            &[(None, "main"), (None, "1"), (None, "search-opt-0")],
            &["1"],
        );
        assert_eq!(a.ids, ["main-1", "1-1", "search-opt-0-1"]);
    }

    #[test]
    fn clashing_explicit_ids_are_reported() {
        let a = ids(
            &[
                (Some("x"), "a"),
                (Some("x"), "b"),
                (Some("main"), "c"),
                (Some("n"), "d"),
            ],
            &["n"],
        );
        assert_eq!(
            a.clashes,
            [
                (1, Clash::Twice(0)),
                (2, Clash::Theme),
                (3, Clash::Footnote)
            ]
        );
        assert_eq!(a.ids, ["x", "x-1", "main-1", "n-1"]);
    }

    #[test]
    fn fifty_thousand_identical_headings_cost_linear_probes() {
        let wanted = vec![(None, "a"); 50_000];
        let a = ids(&wanted, &[]);
        assert_eq!(a.ids[49_999], "a-49999");
        assert!(a.probes <= 2 * 50_000, "{} probes", a.probes);
    }

    #[test]
    fn ids_that_look_suffixed_are_skipped_once() {
        let a = ids(&[(None, "a-1"), (None, "a"), (None, "a"), (None, "a")], &[]);
        assert_eq!(a.ids, ["a-1", "a", "a-2", "a-3"]);
    }
}
