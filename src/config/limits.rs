//! `limits:` in `mend.yaml`: the caps on what an article may hold and what a
//! page may become, each validated where it is written.

use serde::Deserialize;

use crate::error::Diagnostic;
use crate::yaml::{Block, Caps};

/// `limits:` as written: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLimits {
    front_matter_bytes: Option<u64>,
    front_matter_depth: Option<u64>,
    article_bytes: Option<u64>,
    title_bytes: Option<u64>,
    slug_bytes: Option<u64>,
    page_bytes: Option<u64>,
    search_text_bytes: Option<u64>,
    highlight_line_bytes: Option<u64>,
    file_bytes: Option<u64>,
    files_bytes: Option<u64>,
}

/// Caps on what one article may hold and what one page may become, from
/// `limits:` in `mend.yaml`. Each is checked before the step it guards, so a
/// hostile or broken input costs bounded time and memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Front matter between the `---` fences, checked before YAML parsing.
    pub(crate) front_matter_bytes: usize,
    /// Nesting of the front matter, checked by a scan before YAML parsing.
    pub(crate) front_matter_depth: usize,
    /// An article file, checked before it is read.
    pub(crate) article_bytes: u64,
    /// An article's title.
    pub(crate) title_bytes: usize,
    /// An article's slug (its file name without `.md`), a URL path segment.
    pub(crate) slug_bytes: usize,
    /// A rendered page, checked while it is written out by the template.
    pub(crate) page_bytes: usize,
    /// The text one article contributes to the search index; more is cut, with a warning.
    pub(crate) search_text_bytes: usize,
    /// A line of a fenced code block that is still highlighted; a block with a
    /// longer line is shown plain, with a warning.
    pub(crate) highlight_line_bytes: usize,
    /// A file an article links to or shows (an image, a PDF), checked
    /// before it is read.
    pub(crate) file_bytes: u64,
    /// All the files the articles link to together, checked before any is read.
    pub(crate) files_bytes: u64,
}

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;

/// Every `limits:` key with its default and the largest value accepted.
const LIMITS: [(&str, usize, usize); 10] = [
    ("front_matter_bytes", 64 * KIB, 16 * MIB),
    // serde_yaml refuses nesting past 128 levels whatever this says.
    ("front_matter_depth", 64, 128),
    ("article_bytes", 16 * MIB, 1024 * MIB),
    ("title_bytes", KIB, 64 * KIB),
    // A slug is one path segment of the output, and file systems stop at 255 bytes.
    ("slug_bytes", 200, 255),
    ("page_bytes", 32 * MIB, 1024 * MIB),
    ("search_text_bytes", 64 * KIB, 16 * MIB),
    ("highlight_line_bytes", 16 * KIB, MIB),
    ("file_bytes", 16 * MIB, 1024 * MIB),
    // The preview holds every published file in memory.
    ("files_bytes", 256 * MIB, 1024 * MIB),
];

impl Default for Limits {
    fn default() -> Self {
        let d = |i: usize| LIMITS[i].1;
        Limits {
            front_matter_bytes: d(0),
            front_matter_depth: d(1),
            article_bytes: d(2) as u64,
            title_bytes: d(3),
            slug_bytes: d(4),
            page_bytes: d(5),
            search_text_bytes: d(6),
            highlight_line_bytes: d(7),
            file_bytes: d(8) as u64,
            files_bytes: d(9) as u64,
        }
    }
}

impl Limits {
    /// The help line of a diagnostic about the limit `key`.
    pub(crate) fn hint(key: &str) -> String {
        format!("raise it with `limits: {{{key}: N}}` in mend.yaml")
    }

    /// The caps on an article's front matter, for the YAML parser.
    pub(crate) fn front_matter(&self) -> Caps {
        Caps {
            bytes: self.front_matter_bytes,
            depth: self.front_matter_depth,
            raise_hint: Some(Limits::hint),
        }
    }

    /// Validate `limits:` as written; a value out of range is an error at its line.
    pub(super) fn from_raw(
        raw: &RawLimits,
        block: &Block<'_>,
        errors: &mut Vec<Diagnostic>,
    ) -> Limits {
        let written = [
            raw.front_matter_bytes,
            raw.front_matter_depth,
            raw.article_bytes,
            raw.title_bytes,
            raw.slug_bytes,
            raw.page_bytes,
            raw.search_text_bytes,
            raw.highlight_line_bytes,
            raw.file_bytes,
            raw.files_bytes,
        ];
        let mut values = [0usize; 10];
        for (i, ((key, default, max), value)) in LIMITS.iter().zip(written).enumerate() {
            values[i] = match value {
                None => *default,
                Some(v) if v >= 1 && v <= *max as u64 => v as usize,
                Some(v) => {
                    errors.push(block.error_at_value(
                        key,
                        &v.to_string(),
                        format!("`limits.{key}` must be between 1 and {max}, not {v}"),
                    ));
                    *default
                }
            };
        }
        Limits {
            front_matter_bytes: values[0],
            front_matter_depth: values[1],
            article_bytes: values[2] as u64,
            title_bytes: values[3],
            slug_bytes: values[4],
            page_bytes: values[5],
            search_text_bytes: values[6],
            highlight_line_bytes: values[7],
            file_bytes: values[8] as u64,
            files_bytes: values[9] as u64,
        }
    }
}
