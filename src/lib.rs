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
//!    build counts it from the text rendering gathers ([`render::Sections`]),
//!    so each article's Markdown is walked once for both.
//! 6. [`write`]: the only writer: stage the output and swap it in atomically.
//!
//! [`pipeline::build`] runs them in order. Every problem is an
//! [`error::Diagnostic`] with `path:line:col`; no stage prints.

pub mod author;
pub mod config;
pub mod error;
pub mod link;
pub mod load;
pub mod parse;
pub mod pipeline;
pub mod render;
pub mod safety;
pub mod search;
pub mod serve;
pub mod urls;
pub mod write;
mod yaml;

pub use error::{Diagnostic, Failure};

/// A stable 64-bit hash of bytes (XXH3, unseeded): the same on every run
/// and machine, so it can be written down (the output manifest) and
/// compared with a later build's. Tens of times faster than the standard
/// library's SipHash on whole pages, which matters when a build hashes
/// every page it writes.
pub fn stable_hash(bytes: &[u8]) -> u64 {
    twox_hash::XxHash3_64::oneshot(bytes)
}
pub use pipeline::{BuildOptions, BuildReport, build, generate};
