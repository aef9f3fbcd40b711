//! The typed, borrowed context each template gets (theme authors read these
//! names; changes go in CHANGELOG.md).

use serde::Serialize;

use super::nav::Nav;
use crate::parse::Attribution;

#[derive(Serialize)]
pub(super) struct Crumb {
    pub(super) title: String,
    pub(super) href: String,
}

/// What every page's layout needs.
#[derive(Serialize)]
pub(super) struct SiteContext<'a> {
    pub(super) title: &'a str,
    pub(super) description: &'a str,
    pub(super) language: &'a str,
    /// Prefix for static files, e.g. `../../`.
    pub(super) root: String,
    pub(super) home_url: String,
    pub(super) articles_url: String,
    pub(super) themes_url: String,
    pub(super) search_url: String,
    /// The `<title>` of this page.
    pub(super) page_title: String,
    /// The meta description of this page.
    pub(super) page_description: String,
    pub(super) canonical: Option<String>,
    /// The Atom feed's absolute URL, when the site has a base URL.
    pub(super) feed: Option<String>,
    /// `website` for the home page, `article` for articles (OpenGraph).
    pub(super) og_type: &'static str,
    /// Whether this page links the code highlighting stylesheet.
    pub(super) has_code: bool,
    pub(super) breadcrumbs: Vec<Crumb>,
    /// The quick exit and the help links, when `mend.yaml` has `safety:`.
    pub(super) safety: Option<super::safety::SafetyLinks<'a>>,
    /// The knowledge base's navigation, the page being read marked.
    pub(super) nav: Nav<'a>,
    /// `accent` and `accent_dark` from `mend.yaml` (`#rrggbb`), when set.
    pub(super) accent: Option<&'a str>,
    pub(super) accent_dark: Option<&'a str>,
    /// `logo` from `mend.yaml`: its address from this page and its size in the header.
    pub(super) logo: Option<super::identity::LogoView>,
    /// `favicon` from `mend.yaml`; `None` leaves the theme's own.
    pub(super) favicon: Option<super::identity::IconView>,
}

#[derive(Serialize)]
pub(super) struct ThemeLink<'a> {
    pub(super) id: &'a str,
    pub(super) title: &'a str,
    pub(super) href: String,
}

#[derive(Serialize)]
pub(super) struct ArticleLink<'a> {
    pub(super) title: &'a str,
    pub(super) href: String,
}

#[derive(Serialize)]
pub(super) struct ArticleCard<'a> {
    pub(super) slug: &'a str,
    pub(super) title: &'a str,
    pub(super) summary: &'a str,
    pub(super) href: String,
    pub(super) reading_minutes: usize,
    pub(super) themes: Vec<ThemeLink<'a>>,
}

#[derive(Serialize)]
pub(super) struct ThemeCard<'a> {
    pub(super) id: &'a str,
    pub(super) title: &'a str,
    pub(super) description: &'a str,
    pub(super) href: String,
    pub(super) article_count: usize,
    pub(super) section_count: usize,
}

/// A table-of-contents entry: an H2 with its H3s (an H3 before any H2 stands alone).
#[derive(Serialize)]
pub(super) struct TocEntry<'a> {
    pub(super) text: &'a str,
    pub(super) href: String,
    pub(super) children: Vec<TocEntry<'a>>,
}

#[derive(Serialize)]
pub(super) struct RelatedCard<'a> {
    pub(super) title: &'a str,
    pub(super) summary: &'a str,
    pub(super) href: String,
    /// Titles of the shared themes.
    pub(super) shares: Vec<&'a str>,
}

#[derive(Serialize)]
pub(super) struct DateView {
    pub(super) iso: String,
    pub(super) text: String,
}

#[derive(Serialize)]
pub(super) struct IndexPage<'a> {
    pub(super) site: SiteContext<'a>,
    pub(super) start_here: Option<ArticleCard<'a>>,
    /// The sections of Start here, H2s and H3s in order: where to begin.
    pub(super) start_sections: Vec<ArticleLink<'a>>,
    pub(super) themes: Vec<ThemeCard<'a>>,
    pub(super) articles: Vec<ArticleCard<'a>>,
}

#[derive(Serialize)]
pub(super) struct ArticlesPage<'a> {
    pub(super) site: SiteContext<'a>,
    pub(super) articles: Vec<ArticleCard<'a>>,
}

#[derive(Serialize)]
pub(super) struct ArticlePage<'a> {
    pub(super) site: SiteContext<'a>,
    pub(super) slug: &'a str,
    pub(super) title: &'a str,
    pub(super) summary: &'a str,
    pub(super) source: Option<&'a Attribution>,
    pub(super) date: Option<DateView>,
    pub(super) updated: Option<DateView>,
    pub(super) reading_minutes: usize,
    pub(super) themes: Vec<ThemeLink<'a>>,
    pub(super) content_note: Option<&'a str>,
    pub(super) toc: Vec<TocEntry<'a>>,
    pub(super) body: String,
    pub(super) related: Vec<RelatedCard<'a>>,
    pub(super) backlinks: Vec<ArticleLink<'a>>,
    pub(super) previous: Option<ArticleLink<'a>>,
    pub(super) next: Option<ArticleLink<'a>>,
}

#[derive(Serialize)]
pub(super) struct ThemesPage<'a> {
    pub(super) site: SiteContext<'a>,
    pub(super) themes: Vec<ThemeCard<'a>>,
}

/// A section on a theme page: its heading, link and first sentence.
#[derive(Serialize)]
pub(super) struct SectionLink<'a> {
    pub(super) title: &'a str,
    pub(super) href: String,
    pub(super) excerpt: String,
}

#[derive(Serialize)]
pub(super) struct SectionGroup<'a> {
    pub(super) article: ArticleLink<'a>,
    pub(super) sections: Vec<SectionLink<'a>>,
}

#[derive(Serialize)]
pub(super) struct ThemePage<'a> {
    pub(super) site: SiteContext<'a>,
    pub(super) theme: ThemeCard<'a>,
    pub(super) articles: Vec<ArticleCard<'a>>,
    pub(super) groups: Vec<SectionGroup<'a>>,
    /// Articles with the theme in their front matter but no section tagged with it.
    pub(super) untagged_articles: Vec<ArticleCard<'a>>,
    pub(super) other_themes: Vec<ThemeLink<'a>>,
}

/// The 404 page and the search page need only the layout.
#[derive(Serialize)]
pub(super) struct PlainPage<'a> {
    pub(super) site: SiteContext<'a>,
}
