//! [`OutputMap`]: a site in memory, by output path, and the one way a
//! [`Session`](super::Session) tells which paths an update changed.
//!
//! Paths and bytes are shared (`Arc`), so carrying an unchanged page from
//! one update to the next, or handing the whole map to the preview, copies
//! no page.

use std::collections::HashMap;
use std::sync::Arc;

use crate::write::OutputFile;

/// Every file of a site in memory, by output path.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct OutputMap(HashMap<Arc<str>, Arc<[u8]>>);

impl OutputMap {
    pub(super) fn files(&self) -> &HashMap<Arc<str>, Arc<[u8]>> {
        &self.0
    }

    pub(super) fn into_files(self) -> HashMap<Arc<str>, Arc<[u8]>> {
        self.0
    }

    /// Put `file` in; its path joins `changed` when the bytes differ from
    /// those already there (or there were none).
    pub(super) fn replace(&mut self, file: OutputFile, changed: &mut Vec<String>) -> Arc<str> {
        let path: Arc<str> = Arc::from(file.path);
        if self.0.get(&path).is_none_or(|old| **old != *file.bytes) {
            changed.push(path.to_string());
            self.0.insert(Arc::clone(&path), Arc::from(file.bytes));
        }
        path
    }

    /// Take `path` out; it joins `changed` when it was there.
    pub(super) fn remove(&mut self, path: &str, changed: &mut Vec<String>) {
        if self.0.remove(path).is_some() {
            changed.push(path.to_string());
        }
    }

    /// Copy `path` over from `previous`, sharing its bytes (nothing when
    /// `previous` has no such file).
    pub(super) fn carry(&mut self, previous: &OutputMap, path: &str) {
        if let Some((p, b)) = previous.0.get_key_value(path) {
            self.0.insert(Arc::clone(p), Arc::clone(b));
        }
    }

    /// The paths whose bytes differ between `old` and `self`, those only
    /// one of them has included, sorted.
    pub(super) fn diff(&self, old: &OutputMap) -> Vec<String> {
        let mut changed: Vec<String> = self
            .0
            .iter()
            .filter(|(path, bytes)| old.0.get(*path) != Some(bytes))
            .map(|(path, _)| path.to_string())
            .chain(
                old.0
                    .keys()
                    .filter(|p| !self.0.contains_key(*p))
                    .map(|p| p.to_string()),
            )
            .collect();
        changed.sort();
        changed
    }
}

impl FromIterator<OutputFile> for OutputMap {
    fn from_iter<I: IntoIterator<Item = OutputFile>>(files: I) -> Self {
        OutputMap(
            files
                .into_iter()
                .map(|f| (Arc::from(f.path), Arc::from(f.bytes)))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, bytes: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            bytes: bytes.into(),
        }
    }

    #[test]
    fn replace_reports_only_new_or_different_bytes() {
        let mut map: OutputMap = [file("a.html", "A"), file("b.html", "B")]
            .into_iter()
            .collect();
        let mut changed = Vec::new();
        map.replace(file("a.html", "A"), &mut changed);
        map.replace(file("b.html", "B2"), &mut changed);
        map.replace(file("c.html", "C"), &mut changed);
        assert_eq!(changed, ["b.html", "c.html"]);
        assert_eq!(&*map.files()["b.html"], b"B2");
        assert_eq!(map.files().len(), 3);
    }

    #[test]
    fn remove_reports_only_what_was_there() {
        let mut map: OutputMap = [file("a.html", "A")].into_iter().collect();
        let mut changed = Vec::new();
        map.remove("gone.html", &mut changed);
        map.remove("a.html", &mut changed);
        assert_eq!(changed, ["a.html"]);
        assert!(map.files().is_empty());
    }

    #[test]
    fn carry_shares_the_previous_bytes() {
        let previous: OutputMap = [file("a.html", "A")].into_iter().collect();
        let mut map = OutputMap::default();
        map.carry(&previous, "a.html");
        map.carry(&previous, "missing.html");
        assert_eq!(map.files().len(), 1);
        assert!(Arc::ptr_eq(
            &map.files()["a.html"],
            &previous.files()["a.html"]
        ));
    }

    #[test]
    fn diff_lists_changed_added_and_removed_paths_sorted() {
        let old: OutputMap = [file("a", "1"), file("b", "2"), file("d", "4")]
            .into_iter()
            .collect();
        let new: OutputMap = [file("a", "1"), file("b", "3"), file("c", "5")]
            .into_iter()
            .collect();
        assert_eq!(new.diff(&old), ["b", "c", "d"]);
        assert!(new.diff(&new).is_empty());
    }
}
