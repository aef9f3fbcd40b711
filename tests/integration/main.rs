//! Integration tests: the real `mend` binary on small fixture sites in temp dirs.

// Test code may panic on broken fixtures; that is how a test fails.
#![allow(clippy::unwrap_used)]

mod harness;
// The benchmark's corpus generator, to make large fixtures.
#[allow(dead_code)]
#[path = "../../examples/corpus.rs"]
mod corpus;

// Pages, URLs and cross-links of a built site.
mod build;
// Diagnostics: exact messages, locations and exit codes.
mod errors;
// Atomic output, refusals and reproducible bytes.
mod output;
// The bundled knowledge base in articles/ and mend.yaml.
mod knowledge_base;
// The command line: help, version, usage errors.
mod cli;
// The search index written at build time.
mod search;
// The authoring commands: new, check, init, completions.
mod authoring;
// The preview's incremental rebuilds against fresh builds.
mod incremental;
// The live preview server: HTTP rules, watching, reload and overlay.
mod serve;
// Feeds, sitemap, robots, meta tags and the portable edition.
mod publish;
// Rows of the reliability catalogue (../shared/RELIABILITY.md), named by ID.
mod hardening;
// Content-side catalogue rows (FM, MD, LNK, FS, OUT, REPRO, TPL) and the `limits:` caps.
mod hardening_content;
// The catalogue's preview-server, live-reload and watcher rows; load and soak tests.
mod hardening_serve;
// The 2,000-article generated corpus: theme pages, related lists, search.
mod scale;
// Property-based runs of the parsers and the tokenizer, and fuzz regressions.
mod properties;
// Quick exit, safety page, help note, content notes and the check warning (issue 16).
mod safety;
// Issue 18's write, load and serve items (F3-F5, F7-F9, F11, F15-F17, F19), named by ID.
mod robustness_io;
// Supply chain rows: bans, sources, licenses, minimum versions, advisory fixtures.
mod supply_chain;
// The default theme: regions, phone disclosures, cross-links, home and theme pages.
mod theme;
// The site's logo and favicon from mend.yaml: checks, publishing, links at every depth.
mod identity;
// Issue 18, parse and diagnostics: long lines, capped errors, ids, control characters, YAML.
mod robustness_parse;
// Issue 18: links and images to files in articles/: checked, published, rewritten.
mod linked_files;
// House rules the compiler does not check (only main.rs prints).
mod structure;
