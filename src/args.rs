//! The command line's arguments, as clap reads them. Part of the binary, not
//! the library: `main.rs` turns them into the library's options.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// mend builds a static knowledge base from Markdown articles.
///
/// Articles live in articles/<slug>.md with YAML front matter; mend.yaml names
/// the site and its themes. `mend build` renders everything into site/.
#[derive(Parser, Debug)]
#[command(
    name = "mend",
    version,
    about,
    long_about,
    propagate_version = true,
    disable_help_subcommand = false
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Build the site into the output folder (site/ by default)
    Build(BuildArgs),
    /// Write a new article with front matter and a skeleton to fill in
    New(NewArgs),
    /// Report every error a build would, plus warnings; writes nothing
    Check(CheckArgs),
    /// Create a new knowledge base that builds at once
    Init(InitArgs),
    /// Print shell completions for mend
    Completions(CompletionsArgs),
    /// Build into memory and serve a live preview that reloads as you save
    Serve(ServeArgs),
}

#[derive(Args, Debug)]
pub(crate) struct BuildArgs {
    /// The knowledge base folder, holding mend.yaml
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub(crate) root: PathBuf,
    /// Where to write the site [default: <ROOT>/site]
    #[arg(short = 'o', long, value_name = "DIR")]
    pub(crate) output_dir: Option<PathBuf>,
    /// Absolute URL the site will be published at (overrides base_url in mend.yaml)
    #[arg(short = 'u', long, value_name = "URL")]
    pub(crate) base_url: Option<String>,
    /// Include articles marked `draft: true`
    #[arg(long)]
    pub(crate) drafts: bool,
    /// Replace an output folder that mend did not create
    #[arg(long)]
    pub(crate) force: bool,
    /// Write index.html into every internal link, so the site reads from disk with no server
    #[arg(long)]
    pub(crate) portable: bool,
    /// Print nothing on success
    #[arg(short, long)]
    pub(crate) quiet: bool,
}

#[derive(Args, Debug)]
pub(crate) struct ServeArgs {
    /// The knowledge base folder, holding mend.yaml
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub(crate) root: PathBuf,
    /// The address to listen on; anything but loopback is reachable by other machines
    #[arg(short, long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub(crate) interface: std::net::IpAddr,
    /// The port to listen on (the next free one is taken if it is busy; 0 lets the system choose)
    #[arg(short, long, default_value_t = 1111)]
    pub(crate) port: u16,
    /// Open the site in the default browser
    #[arg(short = 'O', long)]
    pub(crate) open: bool,
    /// Include articles marked `draft: true`
    #[arg(long)]
    pub(crate) drafts: bool,
    /// Poll for changes instead of using native file events
    #[arg(long)]
    pub(crate) poll: bool,
    /// Also accept this Host name (repeatable), e.g. for a LAN address
    #[arg(long, value_name = "NAME")]
    pub(crate) allow_host: Vec<String>,
}

#[derive(Args, Debug)]
pub(crate) struct NewArgs {
    /// The article's title; its file name is made from it
    pub(crate) title: String,
    /// Themes from mend.yaml, comma-separated [default: the first theme in mend.yaml]
    #[arg(long, value_name = "THEMES", value_delimiter = ',')]
    pub(crate) themes: Vec<String>,
    /// One or two sentences for lists and search results [default: a placeholder to replace]
    #[arg(long, value_name = "TEXT")]
    pub(crate) summary: Option<String>,
    /// The knowledge base folder, holding mend.yaml
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub(crate) root: PathBuf,
}

#[derive(Args, Debug)]
pub(crate) struct CheckArgs {
    /// The knowledge base folder, holding mend.yaml
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub(crate) root: PathBuf,
    /// Include articles marked `draft: true`
    #[arg(long)]
    pub(crate) drafts: bool,
    /// `human` (on stderr) or `json` (an array on stdout)
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = CheckFormat::Human)]
    pub(crate) format: CheckFormat,
    /// Treat warnings as errors (exit code 1)
    #[arg(long)]
    pub(crate) strict: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CheckFormat {
    Human,
    Json,
}

#[derive(Args, Debug)]
pub(crate) struct InitArgs {
    /// The folder to create (it must be new or empty)
    pub(crate) dir: PathBuf,
}

#[derive(Args, Debug)]
pub(crate) struct CompletionsArgs {
    /// The shell to print completions for
    pub(crate) shell: clap_complete::Shell,
}
