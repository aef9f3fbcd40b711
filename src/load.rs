//! Load: the only stage that reads the project from disk.
//!
//! Takes the project root; gives plain values: the text of `mend.yaml`, every
//! article's text with its slug, and the site theme's templates and static files.
//! Never follows symbolic links below the root (the root itself may be reached
//! through one), skips hidden and editor temporary files, and names the path in
//! every I/O error. Never parses content.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use rayon::prelude::*;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use walkdir::WalkDir;

use crate::config::{self, Limits, is_slug_shaped};
use crate::error::{Diagnostic, Kind, did_you_mean};
use crate::yaml::Block;

/// Theme templates larger than this are refused before they are read.
const MAX_TEMPLATE_BYTES: u64 = 16 * 1024 * 1024;

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

/// A site theme: its Tera templates and the static files copied to the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeFiles {
    pub name: String,
    /// `(template name, source)`, e.g. `("article.html", SourceFile)`.
    pub templates: Vec<(String, SourceFile)>,
    /// `(path under static/ with forward slashes, bytes)`.
    pub static_files: Vec<(String, Vec<u8>)>,
    /// Entries skipped because they are symbolic links.
    pub warnings: Vec<Diagnostic>,
}

/// Read `mend.yaml` at the root.
pub fn config(root: &Path) -> Result<SourceFile, Diagnostic> {
    let path = root.join(config::FILE_NAME);
    match fs::read_to_string(&path) {
        Ok(text) => Ok(SourceFile {
            path: PathBuf::from(config::FILE_NAME),
            text: text.into(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(
                Diagnostic::usage(format!("no {} in {}", config::FILE_NAME, root.display()))
                    .with_hint("run mend in a knowledge base folder, or pass --root DIR"),
            )
        }
        Err(e) => Err(Diagnostic {
            kind: crate::error::Kind::Usage,
            ..Diagnostic::io(Path::new(config::FILE_NAME), "cannot read", &e)
        }),
    }
}

/// Whether a file name is an editor's backup, swap or lock file, or hidden.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913"
}

/// Article texts read earlier, kept with the modification time and length they
/// had, so a rebuild re-reads only the files that changed.
#[derive(Debug, Default)]
pub struct FileCache {
    /// By slug (hashing a path walks its components: slow for 10,000).
    files: rustc_hash::FxHashMap<String, (Option<SystemTime>, u64, Arc<str>)>,
}

/// Every `articles/*.md`, sorted by slug, plus warnings about skipped entries.
pub fn articles(
    root: &Path,
    limits: &Limits,
) -> Result<(Vec<ArticleSource>, Vec<Diagnostic>), Vec<Diagnostic>> {
    articles_cached(root, limits, &mut FileCache::default())
}

/// [`articles`], reusing the text of files whose time and length are unchanged.
pub fn articles_cached(
    root: &Path,
    limits: &Limits,
    cache: &mut FileCache,
) -> Result<(Vec<ArticleSource>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let scan = scan_articles(root, limits)?;
    read_articles(scan, limits, cache)
}

/// An article file found by [`scan_articles`], not read yet.
#[derive(Debug, Clone)]
pub struct Found {
    pub slug: String,
    /// Relative to the project root, as shown in diagnostics.
    pub shown: PathBuf,
    /// `None` when not looked at: then it is taken as the text cached for
    /// it (see [`scan_articles_trusting`]).
    path: Option<PathBuf>,
    /// Modification time and length when scanned.
    stamp: Option<(Option<SystemTime>, u64)>,
}

/// What [`scan_articles`] saw in `articles/`.
#[derive(Debug, Default)]
pub struct Scan {
    pub found: Vec<Found>,
    pub warnings: Vec<Diagnostic>,
    pub errors: Vec<Diagnostic>,
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
    let dir = root.join("articles");
    let mut scan = Scan::default();
    refuse_link(root, &dir).map_err(|d| vec![d])?;
    if !dir.is_dir() {
        return Err(vec![
            Diagnostic::usage("no articles/ folder").in_file(PathBuf::from("articles")),
        ]);
    }
    let shown_dir = PathBuf::from("articles");
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) => {
            return Err(vec![
                Diagnostic::error(format!("cannot read: {e}")).in_file(shown_dir),
            ]);
        }
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                scan.errors.push(
                    Diagnostic::error(format!("cannot read: {e}")).in_file(shown_dir.clone()),
                );
                continue;
            }
        };
        let file_name = entry.file_name();
        let shown = shown_dir.join(&file_name);
        let Some(name) = file_name.to_str() else {
            scan.errors
                .push(Diagnostic::error("file name is not valid UTF-8").in_file(shown));
            continue;
        };
        if is_ignored_name(name) {
            continue;
        }
        let kind = match entry.file_type() {
            Ok(kind) => kind,
            Err(e) => {
                scan.errors
                    .push(Diagnostic::error(format!("cannot read: {e}")).in_file(shown));
                continue;
            }
        };
        if kind.is_dir() {
            scan_nested(root, &entry.path(), limits, &mut scan);
            continue;
        }
        if let Some(slug) = consider(&mut scan, shown.clone(), name, kind, 1, limits) {
            found.push((slug, shown, entry));
        }
    }
    // The time and length that tell an edited article from the one cached,
    // on every core (a full look at 10,000 articles is 10,000 stats), each
    // looked up from the open folder rather than from its whole path.
    scan.found = found
        .into_par_iter()
        .with_min_len(256)
        .map(|(slug, shown, entry)| {
            let looked = look(&slug);
            Found {
                stamp: looked
                    .then(|| entry.metadata().ok().map(|m| (m.modified().ok(), m.len())))
                    .flatten(),
                path: looked.then(|| entry.path()),
                slug,
                shown,
            }
        })
        .collect();
    scan.found
        .sort_unstable_by(|a, b| file_name_order(&a.slug, &b.slug));
    scan.warnings.sort_by(|a, b| a.path.cmp(&b.path));
    scan.errors.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(scan)
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
        if !entry.file_type().is_dir() {
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
        scan.warnings.push(
            Diagnostic::error("skipped: symbolic links are not followed")
                .in_file(shown)
                .warning(),
        );
        return None;
    }
    let stem = name.strip_suffix(".md")?;
    if !kind.is_file() {
        scan.warnings.push(
            Diagnostic::error("skipped: not a regular file")
                .in_file(shown)
                .warning(),
        );
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

/// The second half of [`articles`]: read what [`scan_articles`] found. A
/// file that changed or vanished since the scan is an error naming it.
pub fn read_articles(
    scan: Scan,
    limits: &Limits,
    cache: &mut FileCache,
) -> Result<(Vec<ArticleSource>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let Scan {
        found,
        warnings,
        mut errors,
    } = scan;
    // Read on every core what the cache does not hold; then update it.
    let cached = &cache.files;
    let results: Vec<(Found, Result<Arc<str>, Diagnostic>, bool)> = found
        .into_par_iter()
        .with_min_len(64)
        .map(|file| {
            let hit = match (file.stamp, cached.get(&file.slug)) {
                (_, Some((_, _, text))) if file.path.is_none() => Some(Arc::clone(text)),
                (Some((time, len)), Some((t, l, text)))
                    if time.is_some() && *t == time && *l == len && len <= limits.article_bytes =>
                {
                    Some(Arc::clone(text))
                }
                _ => None,
            };
            match hit {
                Some(text) => (file, Ok(text), true),
                None => {
                    let read = match &file.path {
                        Some(path) => read_text(path, &file.shown, limits.article_bytes, true)
                            .map(Arc::<str>::from),
                        // Only what the cache holds goes unlooked at.
                        None => Err(Diagnostic::error("cannot read: not looked at")
                            .in_file(file.shown.clone())),
                    };
                    (file, read, false)
                }
            }
        })
        .collect();
    let mut sources = Vec::with_capacity(results.len());
    let mut fresh = rustc_hash::FxHashMap::default();
    for (file, read, hit) in results {
        match read {
            Ok(text) => {
                if let (false, Some((time, len))) = (hit, file.stamp) {
                    fresh.insert(file.slug.clone(), (time, len, Arc::clone(&text)));
                }
                sources.push(ArticleSource {
                    slug: file.slug,
                    file: SourceFile {
                        path: file.shown,
                        text,
                    },
                });
            }
            Err(d) => errors.push(d),
        }
    }
    // The cache holds every article read now (they are either hits or
    // fresh); anything more is a file gone, dropped here.
    let added = fresh
        .keys()
        .filter(|slug| !cache.files.contains_key(*slug))
        .count();
    if cache.files.len() + added != sources.len() {
        let present: rustc_hash::FxHashSet<&str> =
            sources.iter().map(|s| s.slug.as_str()).collect();
        cache
            .files
            .retain(|slug, _| present.contains(slug.as_str()));
    }
    cache.files.extend(fresh);
    if errors.is_empty() {
        Ok((sources, warnings))
    } else {
        Err(errors)
    }
}

/// A UTF-8 file of at most `limit` bytes, checked before reading and while
/// reading (it may grow in between). `article` says the limit is `article_bytes`.
fn read_text(path: &Path, shown: &Path, limit: u64, article: bool) -> Result<String, Diagnostic> {
    let too_big = |len: u64| {
        let d = Diagnostic::error(format!(
            "file is {len} bytes, more than the limit of {limit} bytes"
        ))
        .in_file(shown);
        if article {
            d.with_hint(Limits::hint("article_bytes"))
        } else {
            d
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
    String::from_utf8(bytes).map_err(|e| {
        let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
        let at = e.utf8_error().valid_up_to();
        Diagnostic::error("file is not valid UTF-8")
            .in_file(shown)
            .at_offset(&text, at, 1)
    })
}

/// A slug an author could rename a badly named file to: accents dropped
/// (so `café` written NFC or NFD both suggest `cafe`), the rest folded to
/// lowercase ASCII and hyphens.
pub fn suggest_slug(text: &str) -> String {
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

/// The site theme `name` that `config` (the text of `mend.yaml`) asks for:
/// `themes/<name>/` in the project, or the built-in default theme when the
/// project has no such folder and asks for `default`.
pub fn theme(root: &Path, config: &SourceFile, name: &str) -> Result<ThemeFiles, Diagnostic> {
    let themes = root.join("themes");
    let dir = themes.join(name);
    refuse_link(root, &themes)?;
    refuse_link(root, &dir)?;
    if !dir.is_dir() {
        if name == "default" {
            return Ok(builtin_theme());
        }
        let mut available: Vec<String> = fs::read_dir(&themes)
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|n| !is_ignored_name(n))
                    .collect()
            })
            .unwrap_or_default();
        available.push("default".to_string());
        available.sort();
        available.dedup();
        let block = Block {
            path: &config.path,
            file: &config.text,
            offset: 0,
            text: &config.text,
            kind: Kind::Usage,
        };
        let d = block.error_at_value(
            "site_theme",
            name,
            format!("site theme `{name}` not found: no folder themes/{name}/"),
        );
        return Err(
            match did_you_mean(name, available.iter().map(String::as_str)) {
                Some(near) => d.with_hint(format!("did you mean `{near}`?")),
                None => d.with_hint(format!("available: {}", available.join(", "))),
            },
        );
    }
    let mut warnings = Vec::new();
    let mut templates = Vec::new();
    for (rel, path) in files_under(root, &dir.join("templates"), &mut warnings)? {
        let shown = relative(root, &path);
        let text = read_text(&path, &shown, MAX_TEMPLATE_BYTES, false)?;
        templates.push((
            rel,
            SourceFile {
                path: shown,
                text: text.into(),
            },
        ));
    }
    let mut static_files = Vec::new();
    for (rel, path) in files_under(root, &dir.join("static"), &mut warnings)? {
        let bytes = fs::read(&path)
            .map_err(|e| Diagnostic::io(&relative(root, &path), "cannot read", &e))?;
        static_files.push((rel, bytes));
    }
    Ok(ThemeFiles {
        name: name.to_string(),
        templates,
        static_files,
        warnings,
    })
}

/// Regular files under `dir` (none if it is missing), as `(relative path, path)`,
/// sorted; hidden files and editor leftovers are skipped, symbolic links
/// with a warning. `dir` itself being a link is an error.
fn files_under(
    root: &Path,
    dir: &Path,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Vec<(String, PathBuf)>, Diagnostic> {
    let mut out = Vec::new();
    refuse_link(root, dir)?;
    if !dir.is_dir() {
        return Ok(out);
    }
    let walker = WalkDir::new(dir)
        .follow_links(false)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !e.file_name().to_str().is_some_and(is_ignored_name));
    for entry in walker {
        let entry = entry.map_err(|e| {
            Diagnostic::error(format!("cannot read: {e}"))
                .in_file(relative(root, e.path().unwrap_or(dir)))
        })?;
        if entry.file_type().is_symlink() {
            warnings.push(
                Diagnostic::error("skipped: symbolic links are not followed")
                    .in_file(relative(root, entry.path()))
                    .warning(),
            );
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_str()
            .ok_or_else(|| {
                Diagnostic::error("file name is not valid UTF-8")
                    .in_file(relative(root, entry.path()))
            })?
            .replace('\\', "/");
        out.push((rel, entry.path().to_path_buf()));
    }
    Ok(out)
}

macro_rules! builtin {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_str!(concat!("../themes/default/templates/", $name)))),*]
    };
}

/// The default theme embedded in the binary, used when a project has no `themes/default/`.
pub fn builtin_theme() -> ThemeFiles {
    let templates = builtin!(
        "base.html",
        "index.html",
        "article.html",
        "articles.html",
        "theme.html",
        "themes.html",
        "404.html",
        "search.html",
        "nav.html",
        "toc.html",
    );
    ThemeFiles {
        name: "default".to_string(),
        templates: templates
            .iter()
            .map(|(name, text)| {
                (
                    name.to_string(),
                    SourceFile {
                        path: PathBuf::from(format!("themes/default/templates/{name}")),
                        text: (*text).into(),
                    },
                )
            })
            .collect(),
        static_files: vec![
            (
                "search.css".to_string(),
                include_bytes!("../themes/default/static/search.css").to_vec(),
            ),
            (
                "search.js".to_string(),
                include_bytes!("../themes/default/static/search.js").to_vec(),
            ),
            (
                "style.css".to_string(),
                include_bytes!("../themes/default/static/style.css").to_vec(),
            ),
        ],
        warnings: Vec::new(),
    }
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
