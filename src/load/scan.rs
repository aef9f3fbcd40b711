//! Listing `articles/`: which files are articles, without reading any.
//!
//! Takes the project root; gives each article's slug and path, the other
//! files there with their lengths (what links may publish), and an error or
//! a warning for every entry that is not one (a bad name, an article in a
//! folder below `articles/`, a link). Never reads a file.

use std::fs;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::{FileCache, Files, is_ignored_name, refuse_link, relative, suggest_slug};
use crate::config::{Limits, is_slug_shaped};
use crate::error::Diagnostic;

/// An article file found by [`scan_articles`], not read yet.
#[derive(Debug, Clone)]
pub struct Found {
    pub slug: String,
    /// Relative to the project root, as shown in diagnostics.
    pub(crate) shown: PathBuf,
    /// `None` when not looked at: then it is taken as the text cached for
    /// it (see [`scan_articles_trusting`]).
    pub(super) path: Option<PathBuf>,
}

/// What [`scan_articles`] saw in `articles/`.
#[derive(Debug, Default)]
pub struct Scan {
    pub found: Vec<Found>,
    /// The files that are not articles, at any depth.
    pub(crate) files: Files,
    pub(crate) warnings: Vec<Diagnostic>,
    pub(crate) errors: Vec<Diagnostic>,
}

/// The first half of [`articles`]: list `articles/` without reading any
/// article, refusing names that are not slugs or are too long for one.
/// Articles sit directly in `articles/`; folders below it are walked only
/// to refuse the articles put there.
pub fn scan_articles(root: &Path, limits: &Limits) -> Result<Scan, Vec<Diagnostic>> {
    scan(root, limits, &|_| true)
}

/// [`scan_articles`] for a rebuild after file-system events that named the
/// articles `edited`: the folder is listed again (so that new, deleted and
/// renamed articles are seen), but only the `edited` articles and those
/// `cache` does not hold are looked at; every other is taken to be as
/// cached. A save then costs one look at one file instead of 10,000. Follow
/// it with a full [`scan_articles`] to catch what the events missed.
pub fn scan_articles_trusting(
    root: &Path,
    limits: &Limits,
    cache: &FileCache,
    edited: &rustc_hash::FxHashSet<String>,
) -> Result<Scan, Vec<Diagnostic>> {
    scan(root, limits, &|slug| {
        edited.contains(slug) || !cache.files.contains_key(slug)
    })
}

fn scan(
    root: &Path,
    limits: &Limits,
    look: &(dyn Fn(&str) -> bool + Sync),
) -> Result<Scan, Vec<Diagnostic>> {
    let entries = read_articles_dir(root)?;
    let mut scan = Scan::default();
    let mut found = Vec::new();
    for entry in entries {
        found.extend(scan_entry(entry, root, limits, &mut scan));
    }
    scan.found = found
        .into_iter()
        .map(|(slug, shown, entry)| Found {
            path: look(&slug).then(|| entry.path()),
            slug,
            shown,
        })
        .collect();
    scan.found
        .sort_unstable_by(|a, b| file_name_order(&a.slug, &b.slug));
    scan.warnings.sort_by(|a, b| a.path.cmp(&b.path));
    scan.errors.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(scan)
}

/// `articles/`, opened for listing: a folder, not a link to one.
fn read_articles_dir(root: &Path) -> Result<fs::ReadDir, Vec<Diagnostic>> {
    let dir = root.join("articles");
    refuse_link(root, &dir).map_err(|d| vec![d])?;
    if !dir.is_dir() {
        return Err(vec![
            Diagnostic::usage("no articles/ folder").in_file(PathBuf::from("articles")),
        ]);
    }
    fs::read_dir(&dir).map_err(|e| {
        vec![Diagnostic::error(format!("cannot read: {e}")).in_file(PathBuf::from("articles"))]
    })
}

/// One entry of `articles/`: the article's slug, shown path and entry when
/// it is one; anything else is listed, walked or refused into `scan`.
fn scan_entry(
    entry: std::io::Result<fs::DirEntry>,
    root: &Path,
    limits: &Limits,
    scan: &mut Scan,
) -> Option<(String, PathBuf, fs::DirEntry)> {
    let shown_dir = Path::new("articles");
    let entry = match entry {
        Ok(e) => e,
        Err(e) => {
            scan.errors
                .push(Diagnostic::error(format!("cannot read: {e}")).in_file(shown_dir));
            return None;
        }
    };
    let file_name = entry.file_name();
    let shown = shown_dir.join(&file_name);
    let Some(name) = file_name.to_str() else {
        scan.errors
            .push(Diagnostic::error("file name is not valid UTF-8").in_file(shown));
        return None;
    };
    if is_ignored_name(name) {
        return None;
    }
    let kind = match entry.file_type() {
        Ok(kind) => kind,
        Err(e) => {
            scan.errors
                .push(Diagnostic::error(format!("cannot read: {e}")).in_file(shown));
            return None;
        }
    };
    if kind.is_dir() {
        scan_nested(root, &entry.path(), limits, scan);
        return None;
    }
    if kind.is_file() && !name.ends_with(".md") {
        list_file(scan, &shown, entry.metadata());
        return None;
    }
    let slug = consider(scan, shown.clone(), name, kind, 1, limits)?;
    Some((slug, shown, entry))
}

/// The order of the files `a.md` and `b.md`, from the slugs `a` and `b`:
/// `a-b.md` comes before `a.md`.
fn file_name_order(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len().min(b.len());
    a[..n]
        .cmp(&b[..n])
        .then_with(|| match (a.get(n), b.get(n)) {
            (None, Some(&c)) => b'.'.cmp(&c).then(std::cmp::Ordering::Less),
            (Some(&c), None) => c.cmp(&b'.').then(std::cmp::Ordering::Greater),
            _ => std::cmp::Ordering::Equal,
        })
}

/// Refuse the articles in a folder below `articles/`, and warn about links there.
fn scan_nested(root: &Path, dir: &Path, limits: &Limits, scan: &mut Scan) {
    let walker = WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !e.file_name().to_str().is_some_and(is_ignored_name));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e
                    .path()
                    .map_or_else(|| PathBuf::from("articles"), |p| relative(root, p));
                scan.errors
                    .push(Diagnostic::error(format!("cannot read: {e}")).in_file(path));
                continue;
            }
        };
        let shown = relative(root, entry.path());
        let Some(name) = entry.file_name().to_str() else {
            scan.errors
                .push(Diagnostic::error("file name is not valid UTF-8").in_file(shown));
            continue;
        };
        if entry.file_type().is_file() && !name.ends_with(".md") {
            list_file(scan, &shown, entry.metadata().map_err(std::io::Error::from));
        } else if !entry.file_type().is_dir() {
            consider(
                scan,
                shown,
                name,
                entry.file_type(),
                entry.depth() + 1,
                limits,
            );
        }
    }
}

/// Add a file that is not an article to the listing, with its length.
fn list_file(scan: &mut Scan, shown: &Path, meta: std::io::Result<fs::Metadata>) {
    match meta {
        Ok(meta) => scan.files.insert(shown, meta.len()),
        Err(e) => scan
            .errors
            .push(Diagnostic::error(format!("cannot read: {e}")).in_file(shown)),
    }
}

/// Whether the entry `name` at `depth` below `articles/` is an article; if
/// so its slug, else any warning or error about it is added to `scan`.
fn consider(
    scan: &mut Scan,
    shown: PathBuf,
    name: &str,
    kind: fs::FileType,
    depth: usize,
    limits: &Limits,
) -> Option<String> {
    if kind.is_symlink() {
        scan.warnings
            .push(Diagnostic::warning("skipped: symbolic links are not followed").in_file(shown));
        return None;
    }
    let stem = name.strip_suffix(".md")?;
    if !kind.is_file() {
        scan.warnings
            .push(Diagnostic::warning("skipped: not a regular file").in_file(shown));
        return None;
    }
    if depth > 1 {
        scan.errors.push(
            Diagnostic::error("articles must sit directly in articles/")
                .in_file(shown)
                .with_hint(format!("move it to articles/{name}")),
        );
        return None;
    }
    if stem.len() > limits.slug_bytes {
        scan.errors.push(
            Diagnostic::error(format!(
                "the file name gives a slug of {} bytes, more than the limit of {} bytes",
                stem.len(),
                limits.slug_bytes
            ))
            .in_file(shown)
            .with_hint(Limits::hint("slug_bytes")),
        );
        return None;
    }
    if !is_slug_shaped(stem) {
        scan.errors.push(
            Diagnostic::error(format!(
                "`{stem}` is not a valid slug: use lowercase ASCII letters, digits and hyphens"
            ))
            .in_file(shown)
            .with_hint(format!("rename it to articles/{}.md", suggest_slug(stem))),
        );
        return None;
    }
    Some(stem.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_come_in_file_name_order() {
        let mut slugs = vec!["a", "a-b", "ab", "b", "a-"];
        slugs.sort_by(|a, b| file_name_order(a, b));
        let mut names: Vec<String> = slugs.iter().map(|s| format!("{s}.md")).collect();
        let sorted = names.clone();
        names.sort();
        assert_eq!(names, sorted);
        assert_eq!(
            slugs,
            ["a-.md", "a-b", "a", "ab", "b"].map(|s| s.trim_end_matches(".md"))
        );
    }
}
