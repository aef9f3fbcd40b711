//! The files in `articles/` that are not articles (images, PDFs, ...): the
//! scan lists them without reading any, and once `link` knows which of them
//! the articles link to, [`linked_files`] reads those (only those are
//! published).
//!
//! Takes the project root and paths from it; gives their lengths, then
//! their bytes, each read with a size cap and never through a symbolic link.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::read_bytes;
use crate::config::Limits;
use crate::error::Diagnostic;

/// The files below `articles/` that are not articles (hidden and editor
/// files and symbolic links left out), by their path from the project root
/// with `/` between folders (`articles/images/cycle.png`), with their
/// lengths in bytes when listed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Files(BTreeMap<String, u64>);

impl Files {
    /// The length of the file at `path`, if it is listed.
    pub(crate) fn len_of(&self, path: &str) -> Option<u64> {
        self.0.get(path).copied()
    }

    /// Every listed path, in order.
    pub(crate) fn paths(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    pub(super) fn insert(&mut self, path: &Path, len: u64) {
        let parts: Vec<String> = path
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        self.0.insert(parts.join("/"), len);
    }
}

impl FromIterator<(String, u64)> for Files {
    fn from_iter<I: IntoIterator<Item = (String, u64)>>(iter: I) -> Self {
        Files(iter.into_iter().collect())
    }
}

/// The bytes of the files at `paths` (from the project root, as [`Files`]
/// lists them), read in parallel, each at most `limits.file_bytes`. A file
/// gone, grown past the cap or turned into a link since the scan is an
/// error naming it.
pub fn linked_files(
    root: &Path,
    paths: &[String],
    limits: &Limits,
) -> Result<Vec<(String, Vec<u8>)>, Vec<Diagnostic>> {
    let read: Vec<Result<(String, Vec<u8>), Diagnostic>> = paths
        .par_iter()
        .with_min_len(16)
        .map(|path| {
            let shown = PathBuf::from(path);
            read_bytes(&root.join(path), &shown, limits.file_bytes, "file_bytes")
                .map(|bytes| (path.clone(), bytes))
        })
        .collect();
    let (read, errors): (Vec<_>, Vec<_>) = read.into_iter().partition(Result::is_ok);
    if errors.is_empty() {
        Ok(read.into_iter().filter_map(Result::ok).collect())
    } else {
        Err(errors.into_iter().filter_map(Result::err).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linked_files_are_read_and_a_missing_one_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("articles/images")).unwrap();
        std::fs::write(dir.path().join("articles/images/a.png"), b"\x89PNG").unwrap();
        let limits = Limits::default();
        let read =
            linked_files(dir.path(), &["articles/images/a.png".to_string()], &limits).unwrap();
        assert_eq!(
            read,
            [("articles/images/a.png".to_string(), b"\x89PNG".to_vec())]
        );
        let err = linked_files(dir.path(), &["articles/b.pdf".to_string()], &limits).unwrap_err();
        assert!(
            err[0]
                .headline()
                .starts_with("articles/b.pdf: error: cannot read:"),
            "{}",
            err[0].headline()
        );
    }

    #[test]
    fn a_linked_file_past_the_cap_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("articles")).unwrap();
        std::fs::write(dir.path().join("articles/big.pdf"), [0u8; 10]).unwrap();
        let limits = Limits {
            file_bytes: 4,
            ..Limits::default()
        };
        let err = linked_files(dir.path(), &["articles/big.pdf".to_string()], &limits).unwrap_err();
        assert_eq!(
            err[0].headline(),
            "articles/big.pdf: error: file is 10 bytes, more than the limit of 4 bytes"
        );
        assert_eq!(
            err[0].hint.as_deref(),
            Some("raise it with `limits: {file_bytes: N}` in mend.yaml")
        );
    }
}
