//! Loading the pictures `mend.yaml` names (`logo`, `favicon`).
//!
//! Takes the project root, the text of `mend.yaml` and the parsed
//! configuration; reads each picture (a regular file below the root, not
//! through a symbolic link, at most [`picture::MAX_BYTES`]) and gives it
//! its bytes and size. Every problem is an error at the value in
//! `mend.yaml`, a missing file with the nearest picture in the project
//! (not in `themes/` nor in a built site).

use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use walkdir::WalkDir;

use super::{SourceFile, is_ignored_name};
use crate::config::picture::{self, MAX_BYTES, Picture};
use crate::config::{FILE_NAME, SiteConfig};
use crate::error::{Diagnostic, Kind, did_you_mean};
use crate::write::MARKER;
use crate::yaml::Block;

/// Read and check every picture `site` names, filling in its bytes and size.
pub fn pictures(
    root: &Path,
    config: &SourceFile,
    site: &mut SiteConfig,
) -> Result<(), Vec<Diagnostic>> {
    let block = Block::whole(&config.path, &config.text, Kind::Usage);
    let mut errors = Vec::new();
    for picture in [&mut site.logo, &mut site.favicon].into_iter().flatten() {
        if let Err(problem) = read(root, picture) {
            let d = block.error_at_value(picture.role.key, &picture.source, problem.message);
            errors.push(match problem.hint {
                Some(hint) => d.with_hint(hint),
                None => d,
            });
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn read(root: &Path, picture: &mut Picture) -> Result<(), picture::Problem> {
    let path = path_below_root(root, picture)?;
    let bytes = read_bytes(&path, picture)?;
    let (width, height) = picture::inspect(picture, &bytes)?;
    picture.bytes = bytes.into();
    picture.width = width;
    picture.height = height;
    Ok(())
}

fn problem(message: String, hint: Option<String>) -> picture::Problem {
    picture::Problem { message, hint }
}

/// Where the picture is, not through a link anywhere below the root, as
/// for every other input.
fn path_below_root(root: &Path, picture: &Picture) -> Result<PathBuf, picture::Problem> {
    let (key, source) = (picture.role.key, &picture.source);
    let mut path = root.to_path_buf();
    for part in Path::new(source).components() {
        if let Component::Normal(name) = part {
            path.push(name);
            match fs::symlink_metadata(&path) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    return Err(problem(
                        format!(
                            "`{key}` path `{source}` goes through a symbolic link, and links below the project root are not followed"
                        ),
                        Some("copy the picture into the project".to_string()),
                    ));
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(problem(
                        format!("`{key}` file `{source}` not found"),
                        Some(nearest(root, picture)),
                    ));
                }
                Err(e) => return Err(problem(format!("`{key}` file `{source}`: {e}"), None)),
            }
        }
    }
    Ok(path)
}

/// The picture's bytes: a regular file of at most [`MAX_BYTES`].
fn read_bytes(path: &Path, picture: &Picture) -> Result<Vec<u8>, picture::Problem> {
    let (key, source) = (picture.role.key, &picture.source);
    let meta =
        fs::metadata(path).map_err(|e| problem(format!("`{key}` file `{source}`: {e}"), None))?;
    if !meta.is_file() {
        return Err(problem(
            format!("`{key}` path `{source}` is not a regular file"),
            None,
        ));
    }
    let too_big = |len: u64| {
        problem(
            format!(
                "`{key}` file `{source}` is {len} bytes, more than the limit of {MAX_BYTES} bytes (256 KB)"
            ),
            Some(
                "it is fetched with every first page a reader opens: an SVG, or a PNG a few hundred pixels wide, is far smaller"
                    .to_string(),
            ),
        )
    };
    if meta.len() > MAX_BYTES {
        return Err(too_big(meta.len()));
    }
    let mut bytes = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(MAX_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| problem(format!("`{key}` file `{source}`: {e}"), None))?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

/// How far below the root, and how many entries, the search for a
/// did-you-mean looks: an error path, but a project may hold a large output.
const NEAREST_DEPTH: usize = 4;
const NEAREST_ENTRIES: usize = 20_000;

/// The hint for a picture that is not there: the nearest picture of an
/// accepted format in the project, the few there are, or where paths start.
fn nearest(root: &Path, missing: &Picture) -> String {
    let mut found = Vec::new();
    let walker = WalkDir::new(root)
        .follow_links(false)
        .min_depth(1)
        .max_depth(NEAREST_DEPTH)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_str();
            let skipped =
                name.is_some_and(|n| is_ignored_name(n) || n == "node_modules" || n == "target");
            // Not a built site's copies (`site/logo.svg`), nor a theme's own files.
            let output = e.file_type().is_dir() && e.path().join(MARKER).exists();
            let theme = e.depth() == 1 && name == Some("themes");
            !(skipped || output || theme)
        })
        .take(NEAREST_ENTRIES);
    for entry in walker.flatten() {
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let Some(rel) = rel.to_str().map(|r| r.replace('\\', "/")) else {
            continue;
        };
        if picture::check_path(missing.role, &rel).is_ok() {
            found.push(rel);
        }
    }
    if let Some(near) = did_you_mean(&missing.source, found.iter().map(String::as_str)) {
        return format!("did you mean `{near}`?");
    }
    match found.len() {
        0 => format!("paths are relative to the folder of {FILE_NAME}"),
        1..=5 => format!(
            "pictures in the project: {}",
            found
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => format!("paths are relative to the folder of {FILE_NAME}"),
    }
}
