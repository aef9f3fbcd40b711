//! Page addresses: where every page of the site lives, and how one page links
//! to another. The one place that spells `articles/{slug}/`.
//!
//! A [`Page`] knows its path from the site root (`articles/apology/`) and
//! its output file (`articles/apology/index.html`). [`Urls`] makes links from
//! one page to the others: relative, so a site works under any sub-path, and
//! with `index.html` written in for a site read from disk
//! ([`LinkStyle::Portable`]).

/// The article the home page and the navigation put first.
pub(crate) const START_HERE: &str = "start-here";

/// The stylesheet of highlighted code, written while some article has a code block.
pub(crate) const SYNTAX_CSS: &str = "syntax.css";

/// A page of the generated site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Page<'a> {
    Home,
    /// The list of every article.
    Articles,
    /// An article's page, by slug.
    Article(&'a str),
    /// The list of themes.
    Themes,
    /// A theme's page, by id.
    Theme(&'a str),
    Search,
    /// The page of help and safety resources.
    Safety,
    /// The page served for a missing address, at any depth.
    NotFound,
}

impl Page<'_> {
    /// The page's path from the site root as a reader's browser asks for it:
    /// a folder (`articles/apology/`, `""` for home) or, for the 404 page, a file.
    pub(crate) fn path(self) -> String {
        match self {
            Page::Home => String::new(),
            Page::Articles => "articles/".into(),
            Page::Article(slug) => format!("articles/{slug}/"),
            Page::Themes => "themes/".into(),
            Page::Theme(id) => format!("themes/{id}/"),
            Page::Search => "search/".into(),
            Page::Safety => format!("{}/", crate::safety::PAGE_SLUG),
            Page::NotFound => "404.html".into(),
        }
    }

    /// The file the page is written to, e.g. `articles/apology/index.html`.
    pub(crate) fn output_path(self) -> String {
        match self {
            Page::NotFound => self.path(),
            _ => format!("{}index.html", self.path()),
        }
    }

    /// Whether it is an article's page.
    pub(crate) fn is_article(self) -> bool {
        matches!(self, Page::Article(_))
    }
}

/// How internal links are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum LinkStyle {
    /// `articles/a/`: for a site served over HTTP.
    #[default]
    Served,
    /// `articles/a/index.html`: for a site opened from disk (`--portable`).
    Portable,
}

impl LinkStyle {
    /// [`LinkStyle::Portable`] when the site is to be read from disk.
    pub fn portable_if(portable: bool) -> LinkStyle {
        if portable {
            LinkStyle::Portable
        } else {
            LinkStyle::Served
        }
    }
}

/// Relative URLs from one page to the others.
#[derive(Debug, Clone)]
pub(crate) struct Urls {
    /// The folder the page sits in, as segments (`["articles", "apology"]`).
    here: Vec<String>,
    /// An absolute base path (`/kb/`) for pages served at any depth, like 404.html.
    absolute: Option<String>,
    style: LinkStyle,
}

impl Urls {
    /// Links from `page`.
    pub(crate) fn at(page: Page<'_>, style: LinkStyle) -> Urls {
        let path = page.path();
        let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
        Urls {
            here: dir
                .split('/')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            absolute: None,
            style,
        }
    }

    /// Links that work from any depth, from the site's base path (`/kb/`).
    pub(crate) fn from_base_path(base_path: String, style: LinkStyle) -> Urls {
        Urls {
            here: Vec::new(),
            absolute: Some(base_path),
            style,
        }
    }

    /// The link to `page`, e.g. `../b/` (or `../b/index.html`).
    pub(crate) fn to(&self, page: Page<'_>) -> String {
        let path = page.path();
        if page == Page::NotFound {
            return self.relative(&path);
        }
        let mut url = self.relative(&path);
        if self.style == LinkStyle::Portable {
            url.push_str("index.html");
        } else if url.is_empty() {
            url.push_str("./");
        }
        url
    }

    /// A file from the site root, e.g. `style.css` -> `../../style.css`.
    pub(crate) fn asset(&self, path: &str) -> String {
        self.relative(path)
    }

    /// The shortest relative path from this page's folder to `path` (from the site root).
    fn relative(&self, path: &str) -> String {
        if let Some(base) = &self.absolute {
            return format!("{base}{path}");
        }
        // Drop the folders this page and `path` share, then climb out of the rest.
        let mut rest = path;
        let mut common = 0;
        for dir in &self.here {
            match rest.split_once('/') {
                Some((first, after)) if first == dir => {
                    rest = after;
                    common += 1;
                }
                _ => break,
            }
        }
        let ups = self.here.len() - common;
        let mut url = String::with_capacity(3 * ups + rest.len() + 16);
        for _ in 0..ups {
            url.push_str("../");
        }
        url.push_str(rest);
        url
    }
}

/// Percent-decode a URL path or destination once, as bytes: `%2F` is `/`,
/// a `%` not followed by two hex digits stays as it is. The one decoder:
/// links in articles (`parse`) and request paths (the preview) use it.
pub(crate) fn percent_decode_bytes(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_happens_once_and_keeps_stray_percents() {
        assert_eq!(percent_decode_bytes("a%20b%252F"), b"a b%2F");
        assert_eq!(percent_decode_bytes("100%"), b"100%");
        assert_eq!(
            percent_decode_bytes("%zz%e2%80%99"),
            "%zz\u{2019}".as_bytes()
        );
    }

    #[test]
    fn pages_know_their_paths_and_files() {
        assert_eq!(Page::Home.output_path(), "index.html");
        assert_eq!(Page::Article("a").path(), "articles/a/");
        assert_eq!(Page::Article("a").output_path(), "articles/a/index.html");
        assert_eq!(Page::Theme("t").output_path(), "themes/t/index.html");
        assert_eq!(Page::Safety.path(), "safety/");
        assert_eq!(Page::NotFound.output_path(), "404.html");
    }

    #[test]
    fn urls_are_relative_and_portable_on_request() {
        let served = LinkStyle::Served;
        let urls = Urls::at(Page::Article("a"), served);
        assert_eq!(urls.to(Page::Article("b")), "../b/");
        assert_eq!(urls.to(Page::Article("a")), "./");
        assert_eq!(urls.to(Page::Theme("t")), "../../themes/t/");
        assert_eq!(urls.asset("style.css"), "../../style.css");
        assert_eq!(Urls::at(Page::Home, served).to(Page::Home), "./");
        assert_eq!(
            Urls::at(Page::Home, served).to(Page::Article("a")),
            "articles/a/"
        );
        let portable = Urls::at(Page::Themes, LinkStyle::Portable);
        assert_eq!(portable.to(Page::Home), "../index.html");
        assert_eq!(portable.to(Page::Theme("t")), "t/index.html");
        assert_eq!(
            Urls::from_base_path("/kb/".into(), served).to(Page::Article("a")),
            "/kb/articles/a/"
        );
        assert_eq!(
            Urls::at(Page::Article("a"), served).to(Page::NotFound),
            "../../404.html"
        );
    }
}
