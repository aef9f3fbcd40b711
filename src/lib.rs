//! mend: a static knowledge-base site generator.
//!
//! Markdown articles with YAML front matter go in; a static, cross-linked site
//! comes out. The build is a pipeline of stages, each taking the previous
//! stage's plain values and returning its own:
//!
//! 1. [`load`]: read `mend.yaml`, `articles/*.md` and the site theme from disk.
//! 2. [`parse`]: one article at a time (in parallel): front matter, headings
//!    with ids and section themes, links with their locations.
//! 3. [`link`]: the whole corpus: resolve links (with did-you-mean errors),
//!    backlinks, related articles, the theme index.
//! 4. [`render`]: pure: every page as bytes, through the theme's Tera templates.
//! 5. [`search`]: pure: the full-text index for the browser, as files. A
//!    build counts it from the text rendering gathers ([`search::Sections`]),
//!    so each article's Markdown is walked once for both.
//! 6. [`write`]: the only writer: stage the output and swap it in atomically.
//!
//! [`pipeline::build`] runs them in order, from [`pipeline::Inputs`] (the one
//! load sequence, also used by `mend check` and the preview). Around them:
//! [`urls`] (every page's address and the links between pages), [`report`]
//! (what a build made), [`pipeline::Session`] (the preview's incremental
//! builds, in `pipeline/session/`), [`serve`] (the preview server, which
//! tells [`serve::ServeEvent`]s instead of printing) and [`author`] (`mend
//! new`, `check`, `init`). Every problem is an [`error::Diagnostic`] with
//! `path:line:col`; nothing in the library prints: `main.rs` does.
//!
//! Two words are easy to mix up. A **theme** is a topic readers browse by
//! (`themes:` in front matter and `mend.yaml`, `{.apology}` on a section,
//! `/themes/<id>/`; [`config::Theme`], [`link::ThemeIndex`]). A **site
//! theme** is the look: the templates and static files under
//! `themes/<name>/`, chosen by `site_theme:` ([`load::SiteTheme`]).

pub mod author;
pub mod config;
pub mod error;
mod hash;
pub mod link;
pub mod load;
pub mod parse;
pub mod pipeline;
pub mod render;
pub mod report;
pub mod safety;
pub mod search;
pub mod serve;
pub mod urls;
pub mod write;
mod yaml;

pub use error::{Diagnostic, Failure};

pub use pipeline::{BuildOptions, build, generate};
pub use report::BuildReport;
