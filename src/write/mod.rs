//! Write: the only code that touches the output folder.
//!
//! Takes rendered [`OutputFile`]s and the output path; writes them into a
//! staging folder beside the output and swaps it in only when every file is
//! written, so a failed build leaves the previous site byte-for-byte untouched.
//! Refuses output folders that would destroy the project (the root, an
//! ancestor of it, `articles/`, `themes/`, a regular file) or a folder that
//! mend did not create (no marker file) unless forced. Keeps the output's
//! `.git` (a deploy checkout) across builds. One build at a time writes an
//! output folder (see [`commit::Lock`]); the swap is atomic where the system
//! allows it (see [`commit`]).

mod commit;

use std::fs;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::error::Diagnostic;

/// A file of the generated site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Relative path with forward slashes, e.g. `articles/apology/index.html`.
    pub path: String,
    pub bytes: Vec<u8>,
}

/// The marker file that says "mend made this folder; it may be replaced".
pub const MARKER: &str = ".mend-output";

/// An absolute, lexically normalised path (no `.` or `..`), with symbolic links
/// in the existing part resolved.
pub(crate) fn absolute(path: &Path) -> PathBuf {
    let out = lexical(path);
    // Resolve the longest existing prefix so `site` and a link to it compare equal.
    let mut existing = out.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (
            existing.file_name().map(|n| n.to_os_string()),
            existing.parent(),
        ) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => return out,
        }
    }
    let mut resolved = fs::canonicalize(&existing).unwrap_or(existing);
    for name in rest.into_iter().rev() {
        resolved.push(name);
    }
    resolved
}

/// An absolute, lexically normalised path (no `.`, `..` or trailing slash),
/// links left as they are.
fn lexical(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Refuse output folders that must never be replaced. Called before any work.
pub(crate) fn check_output(root: &Path, output: &Path, force: bool) -> Result<(), Diagnostic> {
    let shown = output.display().to_string();
    let refuse = |why: &str| {
        Err(Diagnostic::usage(format!(
            "refusing to use `{shown}` as the output folder: {why}"
        )))
    };
    // Before anything resolves links: a linked output would be followed
    // (and its target replaced, losing its owner and mode).
    if fs::symlink_metadata(lexical(output)).is_ok_and(|m| m.file_type().is_symlink()) {
        return refuse("it is a symbolic link");
    }
    let root = absolute(root);
    let out = absolute(output);
    if out == root {
        return refuse("it is the project root");
    }
    if root.starts_with(&out) {
        return refuse("it contains the project");
    }
    for protected in ["articles", "themes"] {
        if out.starts_with(root.join(protected)) {
            return refuse(&format!("it is inside {protected}/"));
        }
    }
    if out.parent().is_none() {
        return refuse("it is the file system root");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty())
        && out == absolute(Path::new(&home))
    {
        return refuse("it is the home folder");
    }
    match fs::symlink_metadata(&out) {
        Err(_) => Ok(()),
        Ok(meta) if meta.file_type().is_symlink() => refuse("it is a symbolic link"),
        Ok(meta) if !meta.is_dir() => refuse("it is a file, not a folder"),
        Ok(_) => {
            let empty = fs::read_dir(&out)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false);
            if empty || force || out.join(MARKER).is_file() {
                Ok(())
            } else {
                Err(Diagnostic::usage(format!(
                    "refusing to replace `{shown}`: it is not empty and was not made by mend (no {MARKER} file)"
                ))
                .with_hint("choose another --output-dir, or pass --force to replace it"))
            }
        }
    }
}

/// A build being written beside the output folder. Files are added in
/// batches (so a large site need not sit in memory whole); [`Staging::commit`]
/// swaps it in; dropping it uncommitted removes it, leaving the previous site
/// as it was. It holds the output's lock throughout.
pub(crate) struct Staging {
    output: PathBuf,
    staging: PathBuf,
    old: PathBuf,
    written: std::sync::Mutex<std::collections::HashSet<String>>,
    /// `(length, hash)` of every file of the previous site, from its marker.
    previous: std::collections::HashMap<String, (u64, u64)>,
    /// The same for this build, written into the marker on commit.
    manifest: std::sync::Mutex<Vec<(String, u64, u64)>>,
    committed: bool,
    /// The file each output path was copied from, where there is one (a
    /// theme's static files), to name it when a generated page wants its path.
    sources: std::collections::HashMap<String, PathBuf>,
    /// Declared last: released after the staging folder is gone.
    _lock: commit::Lock,
}

/// Lock the output folder `output` (absolute) for this build and clean up
/// what killed builds left beside it. Its parent and name.
fn lock(output: &Path, shown: &Path) -> Result<(commit::Lock, PathBuf, String), Diagnostic> {
    let parent = output
        .parent()
        .ok_or_else(|| Diagnostic::usage("the output folder has no parent"))?
        .to_path_buf();
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site".into());
    fs::create_dir_all(&parent).map_err(|e| Diagnostic::io(&parent, "cannot create folder", &e))?;
    let lock = commit::Lock::acquire(&parent, &name, shown)?;
    commit::recover_leftovers(&parent, &name, &lock);
    Ok((lock, parent, name))
}

impl Staging {
    /// Start writing a build of `output`. With `force`, every file is
    /// written anew (none is taken over from the previous site).
    pub(crate) fn create(output: &Path, force: bool) -> Result<Staging, Diagnostic> {
        let shown = output.to_path_buf();
        let output = absolute(output);
        let (lock, parent, name) = lock(&output, &shown)?;
        let pid = std::process::id();
        let staging = parent.join(format!(".{name}.mend-staging-{pid}"));
        let old = parent.join(format!(".{name}.mend-old-{pid}"));
        fs::create_dir_all(&staging)
            .map_err(|e| Diagnostic::io(&staging, "cannot create the staging folder", &e))?;
        let previous = if force {
            Default::default()
        } else {
            read_manifest(&output.join(MARKER))
        };
        Ok(Staging {
            output,
            staging,
            old,
            written: Default::default(),
            previous,
            manifest: Default::default(),
            committed: false,
            sources: Default::default(),
            _lock: lock,
        })
    }

    /// Name the file each of these output paths is copied from, for errors.
    pub(crate) fn copied_from(&mut self, sources: impl IntoIterator<Item = (String, PathBuf)>) {
        self.sources.extend(sources);
    }

    /// Write files into the staging folder, several at a time. A file whose
    /// length and hash equal the previous site's (as its marker recorded
    /// them) is hard-linked from it instead, without reading it: it keeps
    /// its time, deploys that compare times (rsync) send only what changed,
    /// and a rebuild with nothing changed writes almost nothing.
    /// Batches may come from several threads at once.
    pub(crate) fn add(&self, files: &[OutputFile]) -> Result<(), Diagnostic> {
        let failed = || Diagnostic::error("a thread writing the site failed");
        {
            let mut written = self.written.lock().map_err(|_| failed())?;
            for file in files {
                if !written.insert(file.path.clone()) {
                    let path = &file.path;
                    return Err(match self.sources.get(path) {
                        Some(source) => Diagnostic::error(format!(
                            "static file `{path}` would overwrite a generated page"
                        ))
                        .in_file(source)
                        .with_hint("rename or remove this file: mend generates that path"),
                        None => {
                            Diagnostic::error(format!("two outputs want the same path `{path}`"))
                        }
                    });
                }
            }
        }
        let entries = files
            .par_iter()
            .map(|file| self.put(file))
            .collect::<Result<Vec<_>, Diagnostic>>()?;
        self.manifest.lock().map_err(|_| failed())?.extend(entries);
        Ok(())
    }

    /// Write or link one file; its manifest entry.
    fn put(&self, file: &OutputFile) -> Result<(String, u64, u64), Diagnostic> {
        let path = contained(&self.staging, &file.path)?;
        if let Some(dir) = path.parent()
            && !dir.is_dir()
        {
            fs::create_dir_all(dir).map_err(|e| Diagnostic::io(dir, "cannot create folder", &e))?;
        }
        let len = file.bytes.len() as u64;
        let hash = crate::hash::stable(&file.bytes);
        let unchanged = self.previous.get(&file.path) == Some(&(len, hash))
            && contained(&self.output, &file.path).is_ok_and(|previous| {
                fs::symlink_metadata(&previous).is_ok_and(|m| m.is_file() && m.len() == len)
                    && fs::hard_link(&previous, &path).is_ok()
            });
        if !unchanged {
            fs::write(&path, &file.bytes).map_err(|e| Diagnostic::io(&path, "cannot write", &e))?;
        }
        Ok((file.path.clone(), len, hash))
    }

    /// Swap the staged site in for the previous one, recording what it was
    /// built from in its marker. Warnings for what could not be tidied once
    /// the new site was in place (it is, whatever they say).
    pub(crate) fn commit(mut self, record: &Record) -> Result<Vec<Diagnostic>, Diagnostic> {
        let mut manifest = std::mem::take(
            self.manifest
                .get_mut()
                .map_err(|_| Diagnostic::error("a thread writing the site failed"))?,
        );
        manifest.sort();
        let mut marker = String::from(MARKER_HEADER);
        marker.push_str(RECORD_PREFIX);
        marker.push_str(&serde_json::to_string(record).unwrap_or_else(|_| "null".into()));
        marker.push('\n');
        for (path, len, hash) in &manifest {
            marker.push_str(&format!("{hash:016x} {len} {path}\n"));
        }
        let marker_path = self.staging.join(MARKER);
        fs::write(&marker_path, marker)
            .map_err(|e| Diagnostic::io(&marker_path, "cannot write", &e))?;
        let warnings = commit::swap(&self.staging, &self.output, &self.old)?;
        self.committed = true;
        Ok(warnings)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// Lock the output folder and remove what killed builds left beside it,
/// for a build that otherwise writes nothing (see [`up_to_date`]).
pub(crate) fn clean_leftovers(output: &Path) -> Result<(), Diagnostic> {
    lock(&absolute(output), output).map(drop)
}

/// The marker's first line. The second is the [`Record`]; the rest lists
/// `hash length path` per file.
const MARKER_HEADER: &str =
    "This folder is generated by mend and is replaced on every build. Files:\n";
const RECORD_PREFIX: &str = "build ";

/// What a build was made from and what it made, kept in the marker so that
/// the next build with the very same inputs can stop early.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Record {
    /// The fingerprint of every input (see `pipeline::fingerprint`), in hex.
    pub(crate) inputs: String,
    pub(crate) articles: usize,
    pub(crate) themes: usize,
    pub(crate) pages: usize,
    pub(crate) files: usize,
    pub(crate) warnings: Vec<Diagnostic>,
    /// The files copied from `articles/` with the hash of their bytes: an
    /// edit that keeps a file's length is seen by comparing these.
    #[serde(default)]
    pub(crate) linked: Vec<(String, u64)>,
}

/// The previous build's record, when its inputs were `inputs` and every
/// file it listed is still there with its length: the output is then what
/// a new build would write. Reads the marker and stats each file; writes
/// nothing.
pub(crate) fn up_to_date(output: &Path, inputs: &str) -> Option<Record> {
    let output = absolute(output);
    let text = fs::read_to_string(output.join(MARKER)).ok()?;
    let line = text.lines().nth(1)?.strip_prefix(RECORD_PREFIX)?;
    let record: Record = serde_json::from_str(line).ok()?;
    if record.inputs != inputs {
        return None;
    }
    let manifest = parse_manifest(&text);
    if manifest.len() != record.files {
        return None;
    }
    let intact = manifest.par_iter().all(|(path, (len, _))| {
        contained(&output, path)
            .is_ok_and(|p| fs::symlink_metadata(p).is_ok_and(|m| m.is_file() && m.len() == *len))
    });
    intact.then_some(record)
}

/// The `(length, hash)` per path a previous build recorded; empty when
/// there is none or it cannot be read (then every file is written).
fn read_manifest(path: &Path) -> std::collections::HashMap<String, (u64, u64)> {
    fs::read_to_string(path)
        .map(|text| parse_manifest(&text))
        .unwrap_or_default()
}

fn parse_manifest(text: &str) -> std::collections::HashMap<String, (u64, u64)> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let mut parts = line.splitn(3, ' ');
            let hash = u64::from_str_radix(parts.next()?, 16).ok()?;
            let len = parts.next()?.parse().ok()?;
            Some((parts.next()?.to_string(), (len, hash)))
        })
        .collect()
}

/// Join a relative output path under `base`, segment by segment, refusing
/// anything that could step outside it.
fn contained(base: &Path, relative: &str) -> Result<PathBuf, Diagnostic> {
    let mut path = base.to_path_buf();
    for segment in relative.split('/') {
        let bad = segment.is_empty()
            || segment == "."
            || segment == ".."
            || segment.len() > 255
            || segment.contains(['\\', '\0', ':']);
        if bad {
            return Err(Diagnostic::error(format!(
                "refusing to write `{relative}`: not a plain relative path"
            )));
        }
        path.push(segment);
    }
    Ok(path)
}

#[cfg(test)]
mod tests;
