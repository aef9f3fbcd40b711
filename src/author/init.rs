//! `mend init`: a new knowledge base that builds, and checks clean, at once.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Failure};
use crate::load;

/// The example project, kept as real files so they read as what they are.
const STARTER: [(&str, &str); 3] = [
    ("mend.yaml", include_str!("starter/mend.yaml")),
    (
        "articles/welcome.md",
        include_str!("starter/articles/welcome.md"),
    ),
    (
        "articles/writing-articles.md",
        include_str!("starter/articles/writing-articles.md"),
    ),
];

/// Kept out of `starter/` so the repository does not pick it up as its own.
const GITIGNORE: &str = "site/\n";

/// Every file of a new knowledge base, as `(path in the new folder, bytes)`:
/// `mend.yaml`, two example articles, `.gitignore`, and a copy of the
/// built-in theme under `themes/default/` to adapt.
pub fn starter_files() -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = STARTER
        .iter()
        .map(|(path, text)| (PathBuf::from(path), text.as_bytes().to_vec()))
        .collect();
    files.push((PathBuf::from(".gitignore"), GITIGNORE.as_bytes().to_vec()));
    let theme = load::builtin_site_theme();
    for (name, source) in theme.templates {
        files.push((
            PathBuf::from(format!("themes/default/templates/{name}")),
            source.text.as_bytes().to_vec(),
        ));
    }
    for (name, bytes) in theme.static_files {
        files.push((
            PathBuf::from(format!("themes/default/static/{name}")),
            bytes,
        ));
    }
    files
}

/// Write [`starter_files`] into `dir`, which must be new or empty; gives the
/// paths written.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, Failure> {
    if dir.exists() && !dir.is_dir() {
        return Err(Diagnostic::usage("exists and is not a folder")
            .in_file(dir)
            .with_hint("mend init writes a new knowledge base into a new or empty folder")
            .into());
    }
    match fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(Diagnostic::usage("the folder is not empty")
                    .in_file(dir)
                    .with_hint("mend init writes a new knowledge base into a new or empty folder")
                    .into());
            }
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => return Err(Diagnostic::io(dir, "cannot read", &e).into()),
    }
    let mut written = Vec::new();
    for (rel, bytes) in starter_files() {
        let path = dir.join(&rel);
        let shown = super::shown(dir, &rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Diagnostic::io(parent, "cannot create", &e))?;
        }
        fs::write(&path, bytes).map_err(|e| Diagnostic::io(&shown, "cannot write", &e))?;
        written.push(shown);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::author::lint;
    use crate::load::{ArticleSource, SourceFile};
    use crate::{config, link, parse};

    #[test]
    fn the_starter_knowledge_base_links_and_has_no_warnings() {
        let site = config::parse(Path::new("mend.yaml"), STARTER[0].1, None).unwrap();
        let sources: Vec<ArticleSource> = STARTER[1..]
            .iter()
            .map(|(path, text)| ArticleSource {
                slug: Path::new(path)
                    .file_stem()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                file: SourceFile {
                    path: PathBuf::from(path),
                    text: (*text).into(),
                },
            })
            .collect();
        let parsed = parse::articles(&sources, &site);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let kb = link::knowledge_base(site, parsed.articles, false, &Default::default()).unwrap();
        assert_eq!(lint(&kb, &sources), []);
        let welcome = &kb.articles[kb.article_index("welcome").unwrap()];
        assert!(welcome.headings.iter().all(|h| !h.themes.is_empty()));
    }

    #[test]
    fn the_starter_carries_the_whole_built_in_theme_and_a_gitignore() {
        let files = starter_files();
        let has = |p: &str| files.iter().any(|(path, _)| path == Path::new(p));
        for path in [
            "mend.yaml",
            ".gitignore",
            "themes/default/templates/base.html",
            "themes/default/templates/article.html",
            "themes/default/static/style.css",
        ] {
            assert!(has(path), "{path}");
        }
        let theme = load::builtin_site_theme();
        assert_eq!(
            files.len(),
            STARTER.len() + 1 + theme.templates.len() + theme.static_files.len()
        );
    }
}
