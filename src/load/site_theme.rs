//! Loading a site theme: its templates and static files, or the built-in one.
//!
//! Takes the project root and the theme's name; gives its files as plain
//! values. Skips hidden and editor files (but for what deploy hosts read)
//! and symbolic links, with a warning. Never parses a template.

use std::fs;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::{SourceFile, is_ignored_name, read_text, refuse_link, relative};
use crate::error::{Diagnostic, Kind, did_you_mean};
use crate::yaml::Block;

/// Theme templates larger than this are refused before they are read.
const MAX_TEMPLATE_BYTES: u64 = 16 * 1024 * 1024;

/// A site theme: its Tera templates and the static files copied to the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteTheme {
    pub(crate) name: String,
    /// `(template name, source)`, e.g. `("article.html", SourceFile)`.
    pub(crate) templates: Vec<(String, SourceFile)>,
    /// `(path under static/ with forward slashes, bytes)`.
    pub(crate) static_files: Vec<(String, Vec<u8>)>,
    /// Entries skipped because they are symbolic links.
    pub(crate) warnings: Vec<Diagnostic>,
}

/// The site theme `name` that `config` (the text of `mend.yaml`) asks for:
/// `themes/<name>/` in the project, or the built-in default theme when the
/// project has no such folder and asks for `default`.
pub fn site_theme(root: &Path, config: &SourceFile, name: &str) -> Result<SiteTheme, Diagnostic> {
    let themes = root.join("themes");
    let dir = themes.join(name);
    refuse_link(root, &themes)?;
    refuse_link(root, &dir)?;
    if !dir.is_dir() {
        if name == "default" {
            return Ok(builtin_site_theme());
        }
        return Err(not_found(&themes, config, name));
    }
    let mut warnings = Vec::new();
    let mut templates = Vec::new();
    for (rel, path) in files_under(root, &dir.join("templates"), false, &mut warnings)? {
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
    for (rel, path) in files_under(root, &dir.join("static"), true, &mut warnings)? {
        let bytes = fs::read(&path)
            .map_err(|e| Diagnostic::io(&relative(root, &path), "cannot read", &e))?;
        static_files.push((rel, bytes));
    }
    Ok(SiteTheme {
        name: name.to_string(),
        templates,
        static_files,
        warnings,
    })
}

/// The error for a site theme with no folder, naming the ones there are.
fn not_found(themes: &Path, config: &SourceFile, name: &str) -> Diagnostic {
    let mut available: Vec<String> = fs::read_dir(themes)
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
    let block = Block::whole(&config.path, &config.text, Kind::Usage);
    let d = block.error_at_value(
        "site_theme",
        name,
        format!("site theme `{name}` not found: no folder themes/{name}/"),
    );
    match did_you_mean(name, available.iter().map(String::as_str)) {
        Some(near) => d.with_hint(format!("did you mean `{near}`?")),
        None => d.with_hint(format!("available: {}", available.join(", "))),
    }
}

/// Hidden names at the top of a theme's `static/` that deploy hosts read:
/// kept, not skipped like other hidden files.
const DEPLOY_FILES: [&str; 2] = [".well-known", ".nojekyll"];

/// Regular files under `dir` (none if it is missing), as `(relative path, path)`,
/// sorted; hidden files and editor leftovers are skipped (but for
/// [`DEPLOY_FILES`] when `deploy`), symbolic links with a warning. `dir`
/// itself being a link is an error.
fn files_under(
    root: &Path,
    dir: &Path,
    deploy: bool,
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
        .filter_entry(|e| {
            let name = e.file_name().to_str();
            let kept = deploy && e.depth() == 1 && name.is_some_and(|n| DEPLOY_FILES.contains(&n));
            kept || !name.is_some_and(is_ignored_name)
        });
    for entry in walker {
        let entry = entry.map_err(|e| {
            Diagnostic::error(format!("cannot read: {e}"))
                .in_file(relative(root, e.path().unwrap_or(dir)))
        })?;
        if entry.file_type().is_symlink() {
            warnings.push(
                Diagnostic::warning("skipped: symbolic links are not followed")
                    .in_file(relative(root, entry.path())),
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

/// Calls `$then!` with the names of the templates every site theme must
/// provide, then `$extra`: the one list behind [`REQUIRED_TEMPLATES`] and the
/// built-in theme's files (`include_str!` needs each name as a literal).
macro_rules! required_templates {
    ($then:ident $(, $extra:literal)* $(,)?) => {
        $then!(
            "index.html",
            "article.html",
            "articles.html",
            "theme.html",
            "themes.html",
            "404.html",
            "search.html"
            $(, $extra)*
        )
    };
}

macro_rules! names {
    ($($name:literal),*) => {
        [$($name),*]
    };
}

macro_rules! builtin {
    ($($name:literal),*) => {
        [$(($name, include_str!(concat!("../../themes/default/templates/", $name)))),*]
    };
}

/// The templates every site theme must provide.
pub const REQUIRED_TEMPLATES: [&str; 7] = required_templates!(names);

/// The default theme embedded in the binary, used when a project has no `themes/default/`.
pub fn builtin_site_theme() -> SiteTheme {
    let templates = required_templates!(
        builtin,
        "base.html",
        "nav.html",
        "toc.html",
        "safety.html",
        "partials/exit.html",
        "partials/safety-note.html",
    );
    SiteTheme {
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
                "exit.js".to_string(),
                include_bytes!("../../themes/default/static/exit.js").to_vec(),
            ),
            (
                "favicon.svg".to_string(),
                include_bytes!("../../themes/default/static/favicon.svg").to_vec(),
            ),
            (
                "safety.css".to_string(),
                include_bytes!("../../themes/default/static/safety.css").to_vec(),
            ),
            (
                "search.css".to_string(),
                include_bytes!("../../themes/default/static/search.css").to_vec(),
            ),
            (
                "search.js".to_string(),
                include_bytes!("../../themes/default/static/search.js").to_vec(),
            ),
            (
                "style.css".to_string(),
                include_bytes!("../../themes/default/static/style.css").to_vec(),
            ),
        ],
        warnings: Vec::new(),
    }
}
