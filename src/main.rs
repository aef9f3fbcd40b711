//! The `mend` command line: parse arguments, call the library, print
//! diagnostics, set the exit code (0 ok, 1 content or build errors, 2 usage or
//! configuration errors).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mend::render::RenderOptions;
use mend::serve::ServeEvent;
use mend::{BuildOptions, Failure};

mod args;
use args::{
    BuildArgs, CheckArgs, CheckFormat, Cli, Command, CompletionsArgs, InitArgs, NewArgs, ServeArgs,
};

/// mimalloc rather than the system allocator: a build makes and frees
/// millions of small strings (events, tokens, template values), and glibc's
/// malloc was about a tenth of a build's CPU time in the profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
        Command::New(args) => new_article(args),
        Command::Check(args) => check(args),
        Command::Init(args) => init(args),
        Command::Completions(args) => completions(args),
        Command::Serve(args) => serve(args),
    }
}

fn build(args: BuildArgs) -> ExitCode {
    let options = BuildOptions {
        root: args.root,
        output: args.output_dir,
        base_url: args.base_url,
        drafts: args.drafts,
        force: args.force,
        render: RenderOptions {
            portable: args.portable,
        },
    };
    let bar = progress_bar(args.quiet);
    // Whether there is a previous site a failure leaves as it was.
    let had_site = options.output_dir().join(mend::write::MARKER).is_file();
    let start = std::time::Instant::now();
    let result = mend::pipeline::build_with_progress(&options, &|done, total| {
        if let Some(bar) = &bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            if bar.is_hidden() && start.elapsed() > progress_after() {
                bar.set_draw_target(ProgressDrawTarget::stderr());
            }
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut stderr = std::io::stderr().lock();
    match result {
        Ok(report) => {
            for warning in mend::error::shown(&report.warnings) {
                let _ = writeln!(stderr, "{warning}\n");
            }
            if !args.quiet {
                let _ = writeln!(stderr, "{}", report.summary());
            }
            if LogLevel::from_env() == LogLevel::Detailed {
                for (stage, took) in &report.stages {
                    let _ = writeln!(
                        stderr,
                        "  {stage:<13} {:>8.1} ms",
                        took.as_secs_f64() * 1000.0
                    );
                }
            }
            ExitCode::SUCCESS
        }
        Err(failure) => {
            let _ = writeln!(stderr, "{failure}\n");
            let _ = writeln!(stderr, "{}", failure_summary(&failure, had_site));
            ExitCode::from(failure.exit_code() as u8)
        }
    }
}

fn serve(args: ServeArgs) -> ExitCode {
    let options = mend::serve::ServeOptions {
        build: BuildOptions {
            root: args.root,
            drafts: args.drafts,
            ..BuildOptions::default()
        },
        interface: args.interface,
        port: args.port,
        poll: args.poll,
        allowed_hosts: args.allow_host,
        timings: watch_timings(),
    };
    let open = args.open;
    let detailed = LogLevel::from_env() == LogLevel::Detailed;
    let result = mend::serve::serve(options, move |event| match event {
        ServeEvent::Ready { ref url } => {
            println!("{event}");
            let _ = std::io::stdout().flush();
            if open {
                open_browser(url);
            }
        }
        event if event.is_detail() && !detailed => {}
        event => eprintln!("{event}"),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{failure}");
            ExitCode::from(failure.exit_code() as u8)
        }
    }
}

/// The watcher's timings: the defaults, or `MEND_WATCH_MS=SETTLE,QUIET,MID_SAVE[,PENDING]`
/// in milliseconds (the tests lengthen them; see `mend::serve::Timings`).
fn watch_timings() -> mend::serve::Timings {
    match std::env::var("MEND_WATCH_MS") {
        Ok(text) => mend::serve::Timings::parse(&text).unwrap_or_else(|| {
            eprintln!("warning: MEND_WATCH_MS={text:?} is not SETTLE,QUIET,MID_SAVE[,PENDING] in milliseconds; using the defaults");
            mend::serve::Timings::default()
        }),
        Err(_) => mend::serve::Timings::default(),
    }
}

/// Best effort: the platform's opener, detached.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(opener)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        eprintln!("warning: cannot open a browser ({opener}: {e}); open {url} yourself");
    }
}

/// Builds shorter than this show no progress bar: a second, or
/// `MEND_PROGRESS_AFTER_MS` (the tests set it, as a build's length varies
/// with the machine).
fn progress_after() -> std::time::Duration {
    std::env::var("MEND_PROGRESS_AFTER_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(
            std::time::Duration::from_secs(1),
            std::time::Duration::from_millis,
        )
}

/// A progress bar for `mend build`, drawn on stderr only when it is a
/// terminal and only once the build has taken [`progress_after`]; none with
/// `--quiet`. Plain characters, so `NO_COLOR` has nothing to turn off.
fn progress_bar(quiet: bool) -> Option<ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    let style = ProgressStyle::with_template("{bar:32} {pos}/{len} articles {elapsed}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("#>-");
    bar.set_style(style);
    Some(bar)
}

/// How much the binary says: `MEND_LOG=debug` (or `info`, `trace`) adds
/// each stage's time to `mend build` and each rebuild's details to
/// `mend serve`. The one place `MEND_LOG` is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LogLevel {
    Normal,
    Detailed,
}

impl LogLevel {
    fn from_env() -> LogLevel {
        match std::env::var("MEND_LOG") {
            Ok(v) if matches!(v.to_ascii_lowercase().as_str(), "debug" | "info" | "trace") => {
                LogLevel::Detailed
            }
            _ => LogLevel::Normal,
        }
    }
}

fn failure_summary(failure: &Failure, had_site: bool) -> String {
    let n = failure.error_count();
    format!(
        "build failed with {n} error{}; {}",
        mend::report::plural(n),
        if had_site {
            "the previous site was left untouched"
        } else {
            "no site was written"
        }
    )
}

fn new_article(args: NewArgs) -> ExitCode {
    let request = mend::author::NewArticle {
        title: args.title,
        themes: args.themes,
        summary: args.summary,
    };
    match mend::author::new_article(&args.root, &request) {
        Ok(path) => {
            println!("{}", path.display());
            ExitCode::SUCCESS
        }
        Err(failure) => {
            eprintln!("{failure}");
            ExitCode::from(failure.exit_code() as u8)
        }
    }
}

fn check(args: CheckArgs) -> ExitCode {
    let options = BuildOptions {
        root: args.root,
        drafts: args.drafts,
        ..BuildOptions::default()
    };
    let mut report = mend::author::check(&options);
    if args.strict {
        report = report.strict();
    }
    match args.format {
        CheckFormat::Json => match mend::author::to_json(&report.diagnostics) {
            Ok(json) => println!("{json}"),
            Err(d) => {
                eprintln!("{d}");
                return ExitCode::FAILURE;
            }
        },
        CheckFormat::Human => {
            let mut stderr = std::io::stderr().lock();
            for d in mend::error::shown(&report.diagnostics) {
                let _ = writeln!(stderr, "{d}\n");
            }
            let _ = writeln!(stderr, "{}", report.summary());
        }
    }
    ExitCode::from(report.exit_code() as u8)
}

fn init(args: InitArgs) -> ExitCode {
    match mend::author::init(&args.dir) {
        Ok(written) => {
            for path in &written {
                println!("created {}", path.display());
            }
            println!(
                "\nNext:\n  cd {} && mend serve\n  mend new \"Your first article\"\n  mend check",
                args.dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(failure) => {
            eprintln!("{failure}");
            ExitCode::from(failure.exit_code() as u8)
        }
    }
}

fn completions(args: CompletionsArgs) -> ExitCode {
    let mut command = <Cli as clap::CommandFactory>::command();
    clap_complete::generate(args.shell, &mut command, "mend", &mut std::io::stdout());
    ExitCode::SUCCESS
}
