//! Authoring: the commands that help a person write, rather than build.
//!
//! Takes a project root (or a folder to create) and the author's choices; gives
//! a new article file ([`new_article`]), a new knowledge base that builds at
//! once ([`init`]), and a whole-corpus check with style warnings ([`check`],
//! the pure [`lint`]), plus diagnostics as JSON ([`to_json`]). `new` and `init`
//! only ever create files: they never overwrite one, and never write the site
//! (that stays with `write`). `check` writes nothing at all.

mod check;
mod check_safety;
mod init;
mod new;

use std::path::{Path, PathBuf};

pub use check::{CheckReport, MAX_SUMMARY_CHARS, check, lint, to_json};
pub use init::{init, starter_files};
pub use new::{NewArticle, PLACEHOLDER_SUMMARY, article_text, new_article};

/// `rel` under `root` as the author would type it: without a leading `./`
/// when mend runs in the project itself.
fn shown(root: &Path, rel: impl AsRef<Path>) -> PathBuf {
    if root.as_os_str().is_empty() || root == Path::new(".") {
        rel.as_ref().to_path_buf()
    } else {
        root.join(rel)
    }
}
