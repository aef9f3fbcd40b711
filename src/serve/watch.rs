//! What a batch of file-system events means for the preview.
//!
//! Takes the paths of debounced events; gives a [`Change`]: nothing to do, a
//! stylesheet-only change (swapped without a page reload), or a rebuild.
//! Pure, so every editor's save pattern can be unit-tested. The rebuild itself
//! rescans from the root rather than trusting event paths, so renames,
//! deletions and atomic saves all come out right.

use std::path::{Component, Path};

use rustc_hash::FxHashSet;

use crate::load::is_ignored_name;

/// What the preview must do about a batch of events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    /// Nothing the site is built from changed (editor temp files, the output, ...).
    None,
    /// Only theme stylesheets changed.
    Stylesheets,
    /// Articles, files in `articles/`, templates or the configuration changed.
    Rebuild,
}

/// Classify event paths under `root`.
pub(crate) fn classify<P: AsRef<Path>>(root: &Path, paths: &[P]) -> Change {
    let mut change = Change::None;
    for path in paths {
        let Ok(rel) = path.as_ref().strip_prefix(root) else {
            continue;
        };
        let parts: Vec<&str> = rel
            .components()
            .filter_map(|c| match c {
                Component::Normal(s) => s.to_str(),
                _ => None,
            })
            .collect();
        let Some(name) = parts.last() else {
            // The root itself: recreated or removed.
            change = Change::Rebuild;
            continue;
        };
        if parts.iter().any(|p| is_ignored_name(p)) {
            continue;
        }
        let relevant = match parts[0] {
            "mend.yaml" => parts.len() == 1,
            // Articles, folders, and any other file: an image or PDF may be
            // linked (its edit must show), or be the file a broken link
            // waits for. Which files are linked is for the rebuild to know.
            "articles" => true,
            "themes" => true,
            _ => false,
        };
        if !relevant {
            continue;
        }
        let stylesheet =
            parts[0] == "themes" && parts.get(2) == Some(&"static") && name.ends_with(".css");
        change = match (change, stylesheet) {
            (Change::Rebuild, _) | (_, false) => Change::Rebuild,
            (_, true) => Change::Stylesheets,
        };
    }
    change
}

/// The articles (by slug) a batch of events names: a rebuild then looks only
/// at those (see `Session::update_trusting`). It lists `articles/` and walks
/// the folders in it anyway, so other names there (an editor's temp file
/// renamed over an article names the article too, a folder) need no look at
/// an article; nor do theme and configuration events. `None` when an event
/// is about `articles/` itself or the root: then every article is looked at.
pub(crate) fn edited_articles<P: AsRef<Path>>(
    root: &Path,
    paths: &[P],
) -> Option<FxHashSet<String>> {
    let mut edited = FxHashSet::default();
    for path in paths {
        match place(root, path.as_ref()) {
            Place::RootOrArticles => return None,
            Place::Article(slug) => {
                edited.insert(slug.to_string());
            }
            Place::Other => {}
        }
    }
    Some(edited)
}

/// Whether an article file that events name is missing now.
pub(crate) fn articles_gone<P: AsRef<Path>>(root: &Path, paths: &[P]) -> bool {
    paths.iter().any(|path| {
        matches!(place(root, path.as_ref()), Place::Article(_)) && !path.as_ref().exists()
    })
}

/// What an event path under `root` is, for [`edited_articles`] and [`articles_gone`].
enum Place<'a> {
    /// The root itself, or `articles/` itself.
    RootOrArticles,
    /// `articles/SLUG.md` (not an editor's temp name).
    Article(&'a str),
    Other,
}

fn place<'a>(root: &Path, path: &'a Path) -> Place<'a> {
    let Ok(rel) = path.strip_prefix(root) else {
        return Place::Other;
    };
    let mut parts = rel.components().map(|c| match c {
        Component::Normal(s) => s.to_str(),
        _ => None,
    });
    match (parts.next(), parts.next(), parts.next()) {
        (None, ..) | (Some(Some("articles")), None, _) => Place::RootOrArticles,
        (Some(Some("articles")), Some(Some(name)), None) if !is_ignored_name(name) => name
            .strip_suffix(".md")
            .map_or(Place::Other, Place::Article),
        _ => Place::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify_rel(paths: &[&str]) -> Change {
        let root = Path::new("/kb");
        let full: Vec<_> = paths.iter().map(|p| root.join(p)).collect();
        classify(root, &full)
    }

    fn edited(paths: &[&str]) -> Option<Vec<String>> {
        let root = Path::new("/kb");
        let full: Vec<_> = paths.iter().map(|p| root.join(p)).collect();
        let mut slugs: Vec<String> = edited_articles(root, &full)?.into_iter().collect();
        slugs.sort();
        Some(slugs)
    }

    #[test]
    fn saves_name_the_articles_they_touched() {
        assert_eq!(
            edited(&["articles/a.md", "articles/.a.md.tmp", "articles/b.md"]),
            Some(vec!["a".to_string(), "b".to_string()])
        );
        assert_eq!(
            edited(&[
                "themes/default/templates/base.html",
                "mend.yaml",
                "site/x.html"
            ]),
            Some(vec![])
        );
    }

    #[test]
    fn events_on_the_folder_or_root_look_at_every_article() {
        for p in ["articles", ""] {
            assert_eq!(edited(&["articles/a.md", p]), None, "{p}");
        }
        // The folder is listed and walked anyway.
        for p in [
            "articles/sub",
            "articles/sub/b.md",
            "articles/notes.txt",
            "articles/sed1x2Y",
        ] {
            assert_eq!(
                edited(&["articles/a.md", p]),
                Some(vec!["a".to_string()]),
                "{p}"
            );
        }
    }

    #[test]
    fn a_named_article_that_is_gone_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("articles")).unwrap();
        std::fs::write(root.join("articles/a.md"), "x").unwrap();
        let here = [root.join("articles/a.md"), root.join("articles/.b.md.swp")];
        assert!(!articles_gone(root, &here));
        assert!(articles_gone(root, &[root.join("articles/b.md")]));
        assert!(!articles_gone(
            root,
            &[root.join("articles/b.md~"), root.join("mend.yaml")]
        ));
    }

    #[test]
    fn article_edits_and_config_edits_rebuild() {
        assert_eq!(classify_rel(&["articles/a.md"]), Change::Rebuild);
        assert_eq!(classify_rel(&["mend.yaml"]), Change::Rebuild);
        assert_eq!(
            classify_rel(&["themes/default/templates/base.html"]),
            Change::Rebuild
        );
    }

    #[test]
    fn editor_temp_and_swap_files_are_ignored() {
        for p in [
            "articles/.a.md.swp",
            "articles/a.md~",
            "articles/.#a.md",
            "articles/4913",
            "articles/#a.md#",
        ] {
            assert_eq!(classify_rel(&[p]), Change::None, "{p}");
        }
    }

    #[test]
    fn an_atomic_save_rebuilds_once_whatever_the_temp_name() {
        // Write to a temp file, then rename it over the article: one batch.
        assert_eq!(
            classify_rel(&["articles/.a.md.tmp", "articles/a.md"]),
            Change::Rebuild
        );
    }

    #[test]
    fn output_and_unrelated_files_are_ignored() {
        assert_eq!(
            classify_rel(&["site/index.html", "target/debug/mend", "README.md"]),
            Change::None
        );
        assert_eq!(
            classify(Path::new("/kb"), &[Path::new("/elsewhere/a.md")]),
            Change::None
        );
    }

    #[test]
    fn files_in_articles_rebuild_whether_edited_added_or_deleted() {
        for p in [
            "articles/image.png",
            "articles/images/cycle.png",
            "articles/worksheets/sheet.pdf",
        ] {
            assert_eq!(classify_rel(&[p]), Change::Rebuild, "{p}");
        }
        assert_eq!(
            classify_rel(&["articles/images/.cycle.png.swp"]),
            Change::None
        );
        // Not an article: the rebuild looks at the articles it knows.
        assert_eq!(edited(&["articles/images/cycle.png"]), Some(vec![]));
    }

    #[test]
    fn stylesheet_only_changes_swap_css() {
        assert_eq!(
            classify_rel(&["themes/default/static/style.css"]),
            Change::Stylesheets
        );
        assert_eq!(
            classify_rel(&["themes/default/static/style.css", "articles/a.md"]),
            Change::Rebuild
        );
    }

    #[test]
    fn deleted_folders_and_the_root_rebuild() {
        assert_eq!(classify_rel(&["articles"]), Change::Rebuild);
        assert_eq!(classify_rel(&["articles/sub"]), Change::Rebuild);
        assert_eq!(
            classify(Path::new("/kb"), &[Path::new("/kb")]),
            Change::Rebuild
        );
    }
}
