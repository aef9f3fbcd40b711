//! Links and images that lead to files in `articles/` (`images/cycle.png`):
//! each checked against the files listed there, a missing one with a
//! did-you-mean, and the set of files the site publishes (only those linked).
//!
//! Takes the listing `load` made and the site configuration; gives, per
//! link, that it may be published or why not (a message and a hint). Never
//! reads a file.

use std::collections::{BTreeSet, HashMap};

use rustc_hash::FxHashMap;

use crate::config::{Limits, SiteConfig};
use crate::error::did_you_mean;
use crate::load::Files;
use crate::parse::FILES_FOLDER;

/// How many missing files a build looks for a near name for: each look
/// compares the name with every listed file.
const MAX_HINTS: usize = 64;

/// Extensions of files a browser opens as a page or runs as a script: they
/// could run scripts on the site, so they are published only where raw HTML
/// is allowed.
const ACTIVE: [&str; 11] = [
    "html", "htm", "xhtml", "xht", "svg", "svgz", "xml", "xsl", "xslt", "js", "mjs",
];

/// Why a link to a file cannot be published: a message and a hint.
pub(super) type Refusal = (String, String);

/// The file links of a corpus being checked, and the files they publish.
pub(super) struct FileLinks<'a> {
    files: &'a Files,
    site: &'a SiteConfig,
    /// The published articles by slug: their pages' paths are taken.
    slugs: &'a FxHashMap<&'a str, usize>,
    /// The files to publish, by path from the project root.
    pub(super) linked: BTreeSet<String>,
    total: u64,
    over_total: bool,
    /// Listed paths by their lowercase, made at the first missing file.
    lowercase: Option<HashMap<String, &'a str>>,
    hints: usize,
}

impl<'a> FileLinks<'a> {
    pub(super) fn new(
        files: &'a Files,
        site: &'a SiteConfig,
        slugs: &'a FxHashMap<&'a str, usize>,
    ) -> FileLinks<'a> {
        FileLinks {
            files,
            site,
            slugs,
            linked: BTreeSet::new(),
            total: 0,
            over_total: false,
            lowercase: None,
            hints: 0,
        }
    }

    /// Check a link (or, with `image`, an image) to the file at `path`
    /// (from the project root); on success it is published.
    pub(super) fn check(&mut self, path: &str, image: bool) -> Result<(), Refusal> {
        let shown = shown(path);
        let what = if image { "image" } else { "link to" };
        let Some(len) = self.files.len_of(path) else {
            let message = if image {
                format!("missing image file `{shown}`")
            } else {
                format!("link to missing file `{shown}`")
            };
            return Err((message, self.missing_hint(path)));
        };
        if let Some(page) = self.page_at(path) {
            return Err((
                format!("{what} `{shown}`: the site has {page} at that path"),
                "rename or move the file".to_string(),
            ));
        }
        let extension = shown.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        if !self.site.allow_raw_html && extension.is_some_and(|e| ACTIVE.contains(&e.as_str())) {
            return Err((
                format!("{what} `{shown}`: a browser opens this kind of file as a page or script, and it could run scripts on the site"),
                "`allow_raw_html` is off in mend.yaml: convert the file (an SVG diagram to PNG, a page to PDF), or set `allow_raw_html: true` if you trust every file".to_string(),
            ));
        }
        let limits = &self.site.limits;
        if len > limits.file_bytes {
            return Err((
                format!(
                    "{what} `{shown}`: the file is {len} bytes, more than the limit of {} bytes",
                    limits.file_bytes
                ),
                Limits::hint("file_bytes"),
            ));
        }
        if self.linked.insert(path.to_string()) {
            self.total += len;
            if self.total > limits.files_bytes && !self.over_total {
                self.over_total = true;
                return Err((
                    format!(
                        "{what} `{shown}`: with it the linked files come to {} bytes, more than the limit of {} bytes",
                        self.total, limits.files_bytes
                    ),
                    Limits::hint("files_bytes"),
                ));
            }
        }
        Ok(())
    }

    /// The generated page a file at `path` would replace, if any.
    fn page_at(&self, path: &str) -> Option<String> {
        let rest = path.strip_prefix(FILES_FOLDER)?.strip_prefix('/')?;
        if rest == "index.html" {
            return Some("the article list".to_string());
        }
        let slug = rest.strip_suffix("/index.html").unwrap_or(rest);
        self.slugs
            .contains_key(slug)
            .then(|| format!("the page of the article `{slug}`"))
    }

    fn missing_hint(&mut self, path: &str) -> String {
        let shown = shown(path);
        let lowercase = self
            .lowercase
            .get_or_insert_with(|| self.files.paths().map(|p| (p.to_lowercase(), p)).collect());
        if let Some(other) = lowercase.get(&path.to_lowercase()) {
            return format!(
                "did you mean `{}`? File names are case-sensitive on web hosts",
                self::shown(other)
            );
        }
        if self.slugs.contains_key(shown) {
            return format!("to link to the article, write `{shown}.md` or `[[{shown}]]`");
        }
        if self.hints < MAX_HINTS {
            self.hints += 1;
            let width = shown.len() / 3 + 2;
            let near = did_you_mean(
                shown,
                self.files
                    .paths()
                    .map(self::shown)
                    .filter(|p| p.len().abs_diff(shown.len()) <= width),
            );
            if let Some(near) = near {
                return format!("did you mean `{near}`?");
            }
        }
        if shown.starts_with("www.") {
            return format!("a web address needs its scheme: `https://{shown}`");
        }
        format!(
            "a file is linked by its path from the article's folder ({FILES_FOLDER}/), e.g. `images/diagram.png`; there is no {path}"
        )
    }
}

/// A path from the project root as an article in `articles/` writes it.
fn shown(path: &str) -> &str {
    path.strip_prefix(FILES_FOLDER)
        .and_then(|p| p.strip_prefix('/'))
        .unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(paths: &[(&str, u64)]) -> Files {
        paths.iter().map(|(p, n)| (p.to_string(), *n)).collect()
    }

    fn check(files: &Files, site: &SiteConfig, path: &str) -> Result<(), Refusal> {
        let slugs: FxHashMap<&str, usize> = [("apology", 0)].into_iter().collect();
        FileLinks::new(files, site, &slugs).check(path, false)
    }

    #[test]
    fn a_missing_file_suggests_a_near_name_or_says_where_files_are() {
        let site = SiteConfig::with_themes("T", &[]);
        let listed = files(&[("articles/images/cycle.png", 10), ("articles/sheet.pdf", 5)]);
        let (message, hint) = check(&listed, &site, "articles/images/cycl.png").unwrap_err();
        assert_eq!(message, "link to missing file `images/cycl.png`");
        assert_eq!(hint, "did you mean `images/cycle.png`?");
        let (_, hint) = check(&listed, &site, "articles/Images/Cycle.png").unwrap_err();
        assert_eq!(
            hint,
            "did you mean `images/cycle.png`? File names are case-sensitive on web hosts"
        );
        let (_, hint) = check(&listed, &site, "articles/apology").unwrap_err();
        assert_eq!(
            hint,
            "to link to the article, write `apology.md` or `[[apology]]`"
        );
        let (_, hint) = check(&listed, &site, "articles/www.example.org").unwrap_err();
        assert_eq!(
            hint,
            "a web address needs its scheme: `https://www.example.org`"
        );
        let (_, hint) = check(&listed, &site, "articles/far/away/thing.docx").unwrap_err();
        assert!(
            hint.ends_with("there is no articles/far/away/thing.docx"),
            "{hint}"
        );
    }

    #[test]
    fn files_that_would_replace_a_page_or_run_scripts_are_refused() {
        let mut site = SiteConfig::with_themes("T", &[]);
        let listed = files(&[
            ("articles/apology/index.html", 1),
            ("articles/chart.svg", 1),
        ]);
        let (message, _) = check(&listed, &site, "articles/apology/index.html").unwrap_err();
        assert_eq!(
            message,
            "link to `apology/index.html`: the site has the page of the article `apology` at that path"
        );
        let (message, hint) = check(&listed, &site, "articles/chart.svg").unwrap_err();
        assert!(message.contains("could run scripts"), "{message}");
        assert!(hint.contains("allow_raw_html"), "{hint}");
        site.allow_raw_html = true;
        assert!(check(&listed, &site, "articles/chart.svg").is_ok());
    }

    #[test]
    fn the_size_caps_hold_per_file_and_for_all_files() {
        let mut site = SiteConfig::with_themes("T", &[]);
        site.limits.file_bytes = 10;
        site.limits.files_bytes = 15;
        let listed = files(&[
            ("articles/a.pdf", 8),
            ("articles/b.pdf", 8),
            ("articles/c.pdf", 11),
        ]);
        let slugs = FxHashMap::default();
        let mut links = FileLinks::new(&listed, &site, &slugs);
        let (message, hint) = links.check("articles/c.pdf", false).unwrap_err();
        assert_eq!(
            message,
            "link to `c.pdf`: the file is 11 bytes, more than the limit of 10 bytes"
        );
        assert_eq!(hint, "raise it with `limits: {file_bytes: N}` in mend.yaml");
        assert!(links.check("articles/a.pdf", false).is_ok());
        assert!(links.check("articles/a.pdf", true).is_ok(), "counted once");
        let (message, _) = links.check("articles/b.pdf", true).unwrap_err();
        assert_eq!(
            message,
            "image `b.pdf`: with it the linked files come to 16 bytes, more than the limit of 15 bytes"
        );
    }
}
