//! What the preview tells its user, as values.
//!
//! The preview prints nothing: each thing worth saying is a [`ServeEvent`]
//! handed to the function the caller gave [`super::serve`]. The binary
//! decides what reaches the terminal (details only with `MEND_LOG=debug`) and
//! prints it with [`ServeEvent`]'s `Display`, which holds every wording the
//! tests and users rely on in one place.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Diagnostic, Failure};
use crate::report::plural;

/// Where the preview sends its events.
pub type Events = Arc<dyn Fn(ServeEvent) + Send + Sync>;

/// Something the preview has to say.
#[derive(Debug, Clone, PartialEq)]
pub enum ServeEvent {
    /// A build's warning.
    Warning(Diagnostic),
    /// The first build succeeded.
    FirstBuilt { took: Duration },
    /// The first build failed: an error page is served until it is fixed.
    FirstBuildFailed(Failure),
    /// The requested port was taken; the preview listens on another.
    PortTaken { asked: u16, got: u16 },
    /// Listening on an address other machines can reach.
    Exposed(IpAddr),
    /// Serving at `url`.
    Ready { url: String },
    /// The file watcher reported an error; everything is looked at again.
    WatchError(String),
    /// Native file events are not available: the preview polls.
    /// `at_start` when the watcher could not be made at all (rather than
    /// failing to watch the folders, typically the inotify limit).
    Polling { reason: String, at_start: bool },
    /// Detail: an article the events named is gone; waiting for it to come back.
    WaitingForMovedArticle,
    /// Detail: a rebuild starts, for `what` (a file, or a count).
    Rebuilding { what: String },
    /// Detail: how long a stage of a rebuild took.
    StageTime { stage: &'static str, took: Duration },
    /// Detail: every event is dealt with and the search index is up to date;
    /// `names` are the files of the events since the last idle.
    Idle { names: Vec<String> },
    /// Detail: a change that changed no output.
    NothingChanged { what: String, took: Duration },
    /// A rebuild's pages are served.
    Rebuilt { what: String, changes: Changes },
    /// The second stage of a staged rebuild (the pages that show an edited
    /// title elsewhere) is served.
    SecondStage { changes: Changes },
    /// A rebuild failed; the last good pages stay, with the error over them.
    Failed { what: String, failure: Failure },
    /// The server stopped.
    Stopped,
}

impl ServeEvent {
    /// Whether this is a detail shown only when asked for (`MEND_LOG=debug`).
    pub fn is_detail(&self) -> bool {
        matches!(
            self,
            ServeEvent::WaitingForMovedArticle
                | ServeEvent::Rebuilding { .. }
                | ServeEvent::StageTime { .. }
                | ServeEvent::Idle { .. }
                | ServeEvent::NothingChanged { .. }
        )
    }
}

/// What a rebuild changed in the output, and how long it took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Changes {
    /// HTML pages whose bytes changed.
    pub(crate) pages: usize,
    /// Other output files whose bytes changed.
    pub(crate) others: usize,
    pub(crate) took: Duration,
    /// Whether only what the change touches was made again.
    pub(crate) incremental: bool,
}

impl Changes {
    /// Count `changed` output paths into pages and other files.
    pub(crate) fn of(changed: &[String], took: Duration, incremental: bool) -> Changes {
        let pages = changed.iter().filter(|p| p.ends_with(".html")).count();
        Changes {
            pages,
            others: changed.len() - pages,
            took,
            incremental,
        }
    }
}

impl fmt::Display for Changes {
    /// `3 pages and 1 other file in 12 ms`, then ` (full rebuild)` when it was one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} page{}", self.pages, plural(self.pages))?;
        if self.others > 0 {
            write!(f, " and {} other file{}", self.others, plural(self.others))?;
        }
        write!(f, " in {} ms", self.took.as_millis())?;
        if !self.incremental {
            f.write_str(" (full rebuild)")?;
        }
        Ok(())
    }
}

impl fmt::Display for ServeEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServeEvent::Warning(w) => writeln!(f, "{w}"),
            ServeEvent::FirstBuilt { took } => write!(f, "built in {} ms", took.as_millis()),
            ServeEvent::FirstBuildFailed(failure) => write!(
                f,
                "{failure}\n\nthe first build failed; serving an error page until it is fixed"
            ),
            ServeEvent::PortTaken { asked, got } => {
                write!(f, "port {asked} is in use; serving on {got} instead")
            }
            ServeEvent::Exposed(ip) => write!(
                f,
                "warning: serving on {ip}, which other machines can reach; the preview is meant for this machine only"
            ),
            ServeEvent::Ready { url } => write!(f, "serving {url} (Ctrl-C to stop)"),
            ServeEvent::WatchError(e) => write!(f, "warning: file watching: {e}"),
            ServeEvent::Polling {
                reason,
                at_start: true,
            } => write!(
                f,
                "warning: cannot use native file watching ({reason}); polling instead"
            ),
            ServeEvent::Polling { reason, .. } => write!(
                f,
                "warning: cannot watch with native events ({reason}); polling instead (see --poll)"
            ),
            ServeEvent::WaitingForMovedArticle => {
                f.write_str("  waiting for a moved article to come back")
            }
            ServeEvent::Rebuilding { what } => write!(f, "  rebuilding: {what}"),
            ServeEvent::StageTime { stage, took } => {
                write!(f, "  {stage:<13} {:>8.1} ms", took.as_secs_f64() * 1000.0)
            }
            ServeEvent::Idle { names } => write!(f, "  idle after: {}", names.join(", ")),
            ServeEvent::NothingChanged { what, took } => {
                write!(f, "{what}: nothing changed ({} ms)", took.as_millis())
            }
            ServeEvent::Rebuilt { what, changes } => write!(f, "{what} changed: {changes}"),
            ServeEvent::SecondStage { changes } => {
                write!(f, "  and every page that shows it: {changes}")
            }
            ServeEvent::Failed { what, failure } => write!(
                f,
                "{what} changed: the build failed; still serving the last good pages\n\n{failure}\n"
            ),
            ServeEvent::Stopped => f.write_str("stopped"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_as_counts_with_plurals_and_the_kind_of_rebuild() {
        let ms = Duration::from_millis(12);
        let changed = |paths: &[&str]| paths.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        let one = Changes::of(&changed(&["a/index.html"]), ms, true);
        assert_eq!(one.to_string(), "1 page in 12 ms");
        let many = Changes::of(
            &changed(&["a/index.html", "index.html", "search.json"]),
            ms,
            false,
        );
        assert_eq!(
            many.to_string(),
            "2 pages and 1 other file in 12 ms (full rebuild)"
        );
        let event = ServeEvent::Rebuilt {
            what: "articles/a.md".into(),
            changes: one,
        };
        assert_eq!(event.to_string(), "articles/a.md changed: 1 page in 12 ms");
        assert!(!event.is_detail());
    }

    #[test]
    fn details_are_the_rebuild_internals_not_the_news() {
        assert!(ServeEvent::Idle { names: vec![] }.is_detail());
        assert!(ServeEvent::Rebuilding { what: "x".into() }.is_detail());
        assert!(!ServeEvent::Stopped.is_detail());
        assert!(!ServeEvent::WatchError("e".into()).is_detail());
        assert_eq!(
            ServeEvent::Idle {
                names: vec!["articles/a.md".into(), "mend.yaml".into()]
            }
            .to_string(),
            "  idle after: articles/a.md, mend.yaml"
        );
    }
}
