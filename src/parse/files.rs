//! Links and images that lead to a file which is not an article
//! (`worksheet.pdf`, `images/cycle.png`): where the path written in an
//! article leads inside the knowledge base, or why it cannot be published.
//!
//! Takes the article's path and the destination as written; gives a
//! [`Target::File`] whose path is the file's path from the project root,
//! which is also its path in the site. Never looks at the disk: whether the
//! file is there is for `link`.

use std::path::{Component, Path};

use super::Target;
use crate::load::is_ignored_name;

/// Percent-decode (once), for checking schemes and matching slugs and anchors.
pub fn percent_decode(s: &str) -> String {
    String::from_utf8_lossy(&crate::urls::percent_decode_bytes(s)).into_owned()
}

/// Why a link or image destination is refused: a message, and a hint where
/// one helps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
}

impl From<&str> for Refusal {
    fn from(message: &str) -> Refusal {
        Refusal::from(message.to_string())
    }
}

impl From<String> for Refusal {
    fn from(message: String) -> Refusal {
        Refusal {
            message,
            hint: None,
        }
    }
}

/// The folder every linked file must sit in (or in a folder below it): it
/// is published as it is, beside the article pages.
pub const FILES_FOLDER: &str = "articles";

/// A link or image destination that is a relative path (not an article, not
/// `#section`, no scheme, not `/root-absolute`): the file it names, with the
/// query and fragment kept as written for the published link. A destination
/// with only a query (`?x=1`) or a root-absolute one is kept as written.
pub(super) fn file_target(dest: &str, article: &Path) -> Result<Target, Refusal> {
    let end = dest.find(['?', '#']).unwrap_or(dest.len());
    let (raw, suffix) = dest.split_at(end);
    if raw.is_empty() || raw.starts_with('/') {
        return Ok(Target::External(dest.to_string()));
    }
    let path = resolve_file(article, &percent_decode(raw))?;
    Ok(Target::File {
        path,
        suffix: suffix.to_string(),
    })
}

/// Where `written` (a relative path, percent-decoded, without query or
/// fragment) leads from the folder of the article at `article`
/// (`articles/x.md`): the file's path from the project root, segments
/// joined by `/` (`images/cycle.png` gives `articles/images/cycle.png`).
///
/// Refused when it leaves the knowledge base or `articles/`, names a
/// folder, or names a file that is never published (hidden files, editor
/// backups, names a deploy host or another system cannot hold). Case is
/// kept: deploy hosts match file names case-sensitively.
pub fn resolve_file(article: &Path, written: &str) -> Result<String, Refusal> {
    if written.contains('\\') {
        return Err(refused(written, "write `/` between folders, not `\\`", ""));
    }
    let mut parts = article_folder(article)
        .ok_or_else(|| refused(written, "the article's own path cannot be followed", ""))?;
    follow(&mut parts, written)?;
    check_published(&parts, written)?;
    Ok(parts.join("/"))
}

/// The refusal of a link to `written` because `why`, with `hint` unless it
/// is empty.
fn refused(written: &str, why: &str, hint: &str) -> Refusal {
    Refusal {
        message: format!("link to `{written}`: {why}"),
        hint: (!hint.is_empty()).then(|| hint.to_string()),
    }
}

/// The folders the article is in, `None` when one of them is not a plain
/// name.
fn article_folder(article: &Path) -> Option<Vec<&str>> {
    let mut parts = Vec::new();
    if let Some(folder) = article.parent() {
        for c in folder.components() {
            match (c, c.as_os_str().to_str()) {
                (Component::Normal(_), Some(name)) => parts.push(name),
                (Component::CurDir, _) => {}
                _ => return None,
            }
        }
    }
    Some(parts)
}

/// `parts` (the article's folders) with the segments of `written` followed.
fn follow<'a>(parts: &mut Vec<&'a str>, written: &'a str) -> Result<(), Refusal> {
    let segments: Vec<&str> = written.split('/').collect();
    let last = segments.len() - 1;
    for (i, segment) in segments.into_iter().enumerate() {
        match segment {
            "" if i == last => {
                return Err(refused(
                    written,
                    "a folder, not a file",
                    "link to a file in it",
                ));
            }
            "" => return Err(refused(written, "an empty folder name (`//`)", "")),
            "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(Refusal {
                        message: format!("link to `{written}` leads out of the knowledge base"),
                        hint: Some(format!(
                            "only files in {FILES_FOLDER}/ and the folders below it are published; a link to one is its path from the article's folder, e.g. `images/diagram.png`"
                        )),
                    });
                }
            }
            name => parts.push(name),
        }
    }
    Ok(())
}

/// Whether the file at `parts` is published: below `articles/`, and every
/// name one that is never left out and that any host can hold.
fn check_published(parts: &[&str], written: &str) -> Result<(), Refusal> {
    if parts.len() < 2 || parts[0] != FILES_FOLDER {
        return Err(refused(
            written,
            &format!("only files in {FILES_FOLDER}/ and the folders below it are published"),
            &format!(
                "move the file into {FILES_FOLDER}/ (e.g. {FILES_FOLDER}/files/) and link to it there"
            ),
        ));
    }
    for name in &parts[1..] {
        if is_ignored_name(name) {
            return Err(refused(
                written,
                "hidden files and editor backups are never published",
                "rename the file: names starting with `.` or `#`, or ending in `~`, `.swp`, `.swx` or `.tmp`, are left out of the site",
            ));
        }
        if name.contains(':') || name.chars().any(char::is_control) || name.len() > 255 {
            return Err(refused(
                written,
                "a file name with `:` or a control character, or longer than 255 bytes, cannot be published",
                "rename the file",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_x(written: &str) -> Result<String, String> {
        resolve_file(Path::new("articles/x.md"), written).map_err(|r| r.message)
    }

    #[test]
    fn relative_paths_resolve_against_the_article_folder() {
        assert_eq!(
            from_x("images/cycle.png").unwrap(),
            "articles/images/cycle.png"
        );
        assert_eq!(from_x("./worksheet.pdf").unwrap(), "articles/worksheet.pdf");
        assert_eq!(
            from_x("../articles/images/./a/../cycle.png").unwrap(),
            "articles/images/cycle.png"
        );
        assert_eq!(from_x("Diagram.PNG").unwrap(), "articles/Diagram.PNG");
    }

    #[test]
    fn paths_leaving_the_knowledge_base_or_articles_are_errors() {
        assert_eq!(
            from_x("../../etc/passwd").unwrap_err(),
            "link to `../../etc/passwd` leads out of the knowledge base"
        );
        assert_eq!(
            from_x("../mend.yaml").unwrap_err(),
            "link to `../mend.yaml`: only files in articles/ and the folders below it are published"
        );
        assert!(from_x("images/../../site/x.png").is_err());
    }

    #[test]
    fn hidden_and_backup_files_are_never_published() {
        for written in [
            ".env",
            "images/.cache/x.png",
            "notes.pdf~",
            "#x.png#",
            "a.tmp",
        ] {
            let err = from_x(written).unwrap_err();
            assert!(err.contains("never published"), "{written}: {err}");
        }
    }

    #[test]
    fn folders_and_odd_names_are_errors() {
        assert_eq!(
            from_x("images/").unwrap_err(),
            "link to `images/`: a folder, not a file"
        );
        assert!(
            from_x("images//x.png")
                .unwrap_err()
                .contains("empty folder name")
        );
        assert!(from_x("images\\x.png").unwrap_err().contains("not `\\`"));
        assert!(
            from_x("a:b.png")
                .unwrap_err()
                .contains("cannot be published")
        );
        assert!(
            from_x("a\nb.png")
                .unwrap_err()
                .contains("cannot be published")
        );
    }

    #[test]
    fn a_destination_keeps_its_query_and_fragment() {
        let article = Path::new("articles/x.md");
        assert_eq!(
            file_target("my%20sheet.pdf?v=2#page=3", article).unwrap(),
            Target::File {
                path: "articles/my sheet.pdf".into(),
                suffix: "?v=2#page=3".into()
            }
        );
        for kept in ["/root.png", "?only=query"] {
            assert_eq!(
                file_target(kept, article).unwrap(),
                Target::External(kept.into())
            );
        }
    }
}
