//! The `mend` command line: parse arguments, call the library, print
//! diagnostics, set the exit code (0 ok, 1 content or build errors, 2 usage or
//! configuration errors).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use mend::render::RenderOptions;
use mend::{BuildOptions, Failure};

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
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Build the site into the output folder (site/ by default)
    Build(BuildArgs),
}

#[derive(Args, Debug)]
struct BuildArgs {
    /// The knowledge base folder, holding mend.yaml
    #[arg(long, value_name = "DIR", default_value = ".")]
    root: PathBuf,
    /// Where to write the site [default: <ROOT>/site]
    #[arg(short = 'o', long, value_name = "DIR")]
    output_dir: Option<PathBuf>,
    /// Absolute URL the site will be published at (overrides base_url in mend.yaml)
    #[arg(short = 'u', long, value_name = "URL")]
    base_url: Option<String>,
    /// Include articles marked `draft: true`
    #[arg(long)]
    drafts: bool,
    /// Replace an output folder that mend did not create
    #[arg(long)]
    force: bool,
    /// Print nothing on success
    #[arg(short, long)]
    quiet: bool,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command {
        Command::Build(args) => build(args),
    }
}

fn build(args: BuildArgs) -> ExitCode {
    let options = BuildOptions {
        root: args.root,
        output: args.output_dir,
        base_url: args.base_url,
        drafts: args.drafts,
        force: args.force,
        render: RenderOptions::default(),
    };
    let mut stderr = std::io::stderr().lock();
    match mend::build(&options) {
        Ok(report) => {
            for warning in &report.warnings {
                let _ = writeln!(stderr, "{warning}\n");
            }
            if !args.quiet {
                let _ = writeln!(stderr, "{}", report.summary());
            }
            ExitCode::SUCCESS
        }
        Err(failure) => {
            let _ = writeln!(stderr, "{failure}\n");
            let _ = writeln!(stderr, "{}", failure_summary(&failure));
            ExitCode::from(failure.exit_code() as u8)
        }
    }
}

fn failure_summary(failure: &Failure) -> String {
    let n = failure.error_count();
    format!(
        "build failed with {n} error{}; the previous site was left untouched",
        if n == 1 { "" } else { "s" }
    )
}
