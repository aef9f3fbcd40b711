//! Load: the only stage that reads the project from disk.
//!
//! Takes the project root; gives plain values: the text of `mend.yaml`, every
//! article's text with its slug, the site theme's templates and static files,
//! the logo and favicon `mend.yaml` names, and the other files in
//! `articles/` (listed; read once `link` knows which of them articles link
//! to).
//! Never follows symbolic links below the root (the root itself may be reached
//! through one), skips hidden and editor temporary files, and names the path in
//! every I/O error. Never parses content.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::config::{self, Limits};
use crate::error::{Diagnostic, Kind};

mod files;
mod picture;
mod scan;
mod site_theme;

pub use files::{Files, linked_files};
pub use picture::pictures;
pub use scan::{Found, Scan, scan_articles, scan_articles_trusting};
pub use site_theme::{REQUIRED_TEMPLATES, SiteTheme, builtin_site_theme, site_theme};

/// A text file of the project, with the path shown in diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Relative to the project root, e.g. `articles/apology.md`.
    pub path: PathBuf,
    /// Shared, so a rebuild that re-reads nothing copies nothing.
    pub text: std::sync::Arc<str>,
}

/// An article's file: its slug comes from the file stem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleSource {
    pub slug: String,
    pub file: SourceFile,
}

/// `mend.yaml` larger than this is refused before it is read (the shipped
/// one is under 2 KiB).
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Read `mend.yaml` at the root: a regular file (a link to one is fine), at
/// most [`MAX_CONFIG_BYTES`]; a FIFO or a device is refused before it is
/// opened, so neither can stall the build or fill the memory.
pub(crate) fn config(root: &Path) -> Result<SourceFile, Diagnostic> {
    let path = root.join(config::FILE_NAME);
    let shown = Path::new(config::FILE_NAME);
    let usage = |d: Diagnostic| Diagnostic {
        kind: Kind::Usage,
        ..d
    };
    match fs::canonicalize(&path) {
        Ok(real) => read_text(&real, shown, MAX_CONFIG_BYTES, false)
            .map(|text| SourceFile {
                path: PathBuf::from(config::FILE_NAME),
                text: text.into(),
            })
            .map_err(usage),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(
                Diagnostic::usage(format!("no {} in {}", config::FILE_NAME, root.display()))
                    .with_hint("run mend in a knowledge base folder, or pass --root DIR"),
            )
        }
        Err(e) => Err(usage(Diagnostic::io(shown, "cannot read", &e))),
    }
}

/// Whether a file name is an editor's backup, swap or lock file, or hidden.
pub(crate) fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913"
}

/// Article texts read earlier. A file read again with the same text gives
/// back the text cached for it, so the rebuild sees it unchanged by a
/// pointer comparison and parses it no more. Files are always read again
/// when looked at: a save may keep the length and the modification time
/// (file systems with 1-second times, `rsync -a`, `cp -p`, unzip), so
/// neither tells an edit apart.
#[derive(Debug, Default)]
pub struct FileCache {
    /// By slug (hashing a path walks its components: slow for 10,000).
    files: rustc_hash::FxHashMap<String, Arc<str>>,
}

/// What [`read_all`] read: the articles it could, and an error for each
/// it could not.
#[derive(Debug, Default)]
pub(crate) struct Articles {
    pub(crate) sources: Vec<ArticleSource>,
    pub(crate) warnings: Vec<Diagnostic>,
    pub(crate) errors: Vec<Diagnostic>,
    /// Slugs of the articles found but not read (their errors are in `errors`).
    pub(crate) failed: Vec<String>,
    /// The other files in `articles/`, listed, not read.
    pub(crate) files: Files,
}

/// Every `articles/*.md`, sorted by slug, plus warnings about skipped entries.
pub fn articles(
    root: &Path,
    limits: &Limits,
) -> Result<(Vec<ArticleSource>, Vec<Diagnostic>), Vec<Diagnostic>> {
    articles_cached(root, limits, &mut FileCache::default())
}

/// [`articles`], sharing the text of files that are unchanged.
pub(crate) fn articles_cached(
    root: &Path,
    limits: &Limits,
    cache: &mut FileCache,
) -> Result<(Vec<ArticleSource>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let scan = scan_articles(root, limits)?;
    read_articles(scan, limits, cache)
}

/// Every article that can be read, and an error for every one that cannot
/// (a bad file name, a file that is not UTF-8): a build goes on to parse
/// and link the rest, so that one run reports every error. `Err` only when
/// there is no `articles/` folder to read.
pub(crate) fn articles_all(root: &Path, limits: &Limits) -> Result<Articles, Vec<Diagnostic>> {
    let scan = scan_articles(root, limits)?;
    Ok(read_all(scan, limits, &mut FileCache::default()))
}

/// The second half of [`articles`]: read what [`scan_articles`] found. A
/// file that changed or vanished since the scan is an error naming it.
pub fn read_articles(
    scan: Scan,
    limits: &Limits,
    cache: &mut FileCache,
) -> Result<(Vec<ArticleSource>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let read = read_all(scan, limits, cache);
    if read.errors.is_empty() {
        Ok((read.sources, read.warnings))
    } else {
        Err(read.errors)
    }
}

/// [`read_articles`], keeping what could be read when some cannot.
pub(crate) fn read_all(scan: Scan, limits: &Limits, cache: &mut FileCache) -> Articles {
    let Scan {
        found,
        files,
        warnings,
        mut errors,
    } = scan;
    // Read on every core; a text equal to the cached one is the cached one.
    let cached = &cache.files;
    let results: Vec<(Found, Result<Arc<str>, Diagnostic>)> = found
        .into_par_iter()
        .with_min_len(64)
        .map(|file| {
            let read = match (&file.path, cached.get(&file.slug)) {
                (None, Some(text)) => Ok(Arc::clone(text)),
                (Some(path), cached) => read_text(path, &file.shown, limits.article_bytes, true)
                    .map(|text| match cached {
                        Some(old) if **old == *text => Arc::clone(old),
                        _ => Arc::from(text),
                    }),
                // Only what the cache holds goes unlooked at.
                (None, None) => {
                    Err(Diagnostic::error("cannot read: not looked at").in_file(file.shown.clone()))
                }
            };
            (file, read)
        })
        .collect();
    let mut sources = Vec::with_capacity(results.len());
    let mut failed = Vec::new();
    for (file, read) in results {
        match read {
            Ok(text) => sources.push(ArticleSource {
                slug: file.slug,
                file: SourceFile {
                    path: file.shown,
                    text,
                },
            }),
            Err(d) => {
                errors.push(d);
                failed.push(file.slug);
            }
        }
    }
    // The cache holds exactly the articles read now; a file gone is dropped.
    cache.files = sources
        .iter()
        .map(|s| (s.slug.clone(), Arc::clone(&s.file.text)))
        .collect();
    Articles {
        sources,
        warnings,
        errors,
        failed,
        files,
    }
}

/// A UTF-8 file of at most `limit` bytes, checked before reading and while
/// reading (it may grow in between). `article` says the limit is `article_bytes`.
fn read_text(path: &Path, shown: &Path, limit: u64, article: bool) -> Result<String, Diagnostic> {
    let key = if article { "article_bytes" } else { "" };
    let bytes = read_bytes(path, shown, limit, key)?;
    String::from_utf8(bytes).map_err(|e| {
        let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
        let at = e.utf8_error().valid_up_to();
        Diagnostic::error("file is not valid UTF-8")
            .in_file(shown)
            .at_offset(&text, at, 1)
    })
}

/// A regular file of at most `limit` bytes, checked before reading and
/// while reading (it may grow in between), never through a symbolic link.
/// `key` names the `limits:` key that raises the limit, if there is one.
fn read_bytes(path: &Path, shown: &Path, limit: u64, key: &str) -> Result<Vec<u8>, Diagnostic> {
    let too_big = |len: u64| {
        let d = Diagnostic::error(format!(
            "file is {len} bytes, more than the limit of {limit} bytes"
        ))
        .in_file(shown);
        if key.is_empty() {
            d
        } else {
            d.with_hint(Limits::hint(key))
        }
    };
    let io = |e: std::io::Error| Diagnostic::io(shown, "cannot read", &e);
    // Not following a link that replaced the file since it was listed.
    let meta = fs::symlink_metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(Diagnostic::error("cannot read: not a regular file").in_file(shown));
    }
    let len = meta.len();
    if len > limit {
        return Err(too_big(len));
    }
    let file = fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

/// A slug an author could rename a badly named file to: accents dropped
/// (so `café` written NFC or NFD both suggest `cafe`), the rest folded to
/// lowercase ASCII and hyphens.
pub(crate) fn suggest_slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.nfd().filter(|c| !is_combining_mark(*c)) {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if c == '\'' || c == '\u{2019}' {
            continue;
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() {
        "article".to_string()
    } else {
        out
    }
}

fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// An error if `path` (below `root`) is a symbolic link: the project root may
/// be reached through links, but nothing below it is followed.
fn refuse_link(root: &Path, path: &Path) -> Result<(), Diagnostic> {
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(
            Diagnostic::error("symbolic links below the project root are not followed")
                .in_file(relative(root, path)),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignores_editor_and_hidden_files() {
        for name in [
            ".a.md.swp",
            "a.md~",
            ".#a.md",
            "#a.md#",
            "4913",
            ".hidden.md",
        ] {
            assert!(is_ignored_name(name), "{name}");
        }
        assert!(!is_ignored_name("a.md"));
    }

    #[test]
    fn suggests_a_slug_from_a_title_like_name() {
        assert_eq!(
            suggest_slug("Rebuilding Trust's Steps"),
            "rebuilding-trusts-steps"
        );
        assert_eq!(suggest_slug("__"), "article");
        assert_eq!(suggest_slug("Cafe\u{301} Crème"), "cafe-creme");
    }

    #[test]
    fn an_edit_keeping_length_and_time_is_read_and_an_unchanged_text_is_shared() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("articles")).unwrap();
        let path = dir.path().join("articles/a.md");
        fs::write(&path, "Alpha").unwrap();
        let time = fs::metadata(&path).unwrap().modified().unwrap();
        let (limits, mut cache) = (Limits::default(), FileCache::default());
        let first = articles_cached(dir.path(), &limits, &mut cache).unwrap().0;
        let again = articles_cached(dir.path(), &limits, &mut cache).unwrap().0;
        assert!(Arc::ptr_eq(&first[0].file.text, &again[0].file.text));
        fs::write(&path, "Bravo").unwrap();
        fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(time)
            .unwrap();
        let edited = articles_cached(dir.path(), &limits, &mut cache).unwrap().0;
        assert_eq!(&*edited[0].file.text, "Bravo");
    }

    #[test]
    fn unreadable_articles_are_errors_beside_the_articles_read() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("articles")).unwrap();
        fs::write(dir.path().join("articles/a.md"), "x").unwrap();
        fs::write(dir.path().join("articles/b.md"), b"\xff").unwrap();
        fs::write(dir.path().join("articles/C.md"), "x").unwrap();
        let read = articles_all(dir.path(), &Limits::default()).unwrap();
        assert_eq!(read.sources.len(), 1);
        assert_eq!(read.errors.len(), 2);
        assert_eq!(read.failed, ["b"]);
    }

    #[test]
    fn a_file_gone_between_scan_and_read_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("articles")).unwrap();
        fs::write(dir.path().join("articles/a.md"), "x").unwrap();
        fs::write(dir.path().join("articles/b.md"), "y").unwrap();
        let limits = Limits::default();
        let scan = scan_articles(dir.path(), &limits).unwrap();
        assert_eq!(scan.found.len(), 2);
        fs::remove_file(dir.path().join("articles/b.md")).unwrap();
        let err = read_articles(scan, &limits, &mut FileCache::default()).unwrap_err();
        assert_eq!(err.len(), 1);
        assert!(
            err[0]
                .headline()
                .starts_with("articles/b.md: error: cannot read: No such file or directory"),
            "{}",
            err[0].headline()
        );
    }
}
