//! One rebuild of the preview: run the session on what changed, serve the
//! update (both stages of a staged one), and tell what it did.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::super::http::Snapshot;
use super::super::watch::{self, Change};
use super::super::{Changes, Outcome, Preview, ServeEvent};
use crate::error::Failure;
use crate::pipeline::{Session, Update};

/// Rebuild if `paths` hold a relevant change; tell what happened. Whether it rebuilt.
pub(super) fn rebuild(
    session: &mut Session,
    root: &Path,
    paths: &[PathBuf],
    preview: &Preview,
) -> bool {
    let change = watch::classify(root, paths);
    if change == Change::None {
        return false;
    }
    let start = Instant::now();
    let what = describe(root, paths);
    preview.tell(ServeEvent::Rebuilding { what: what.clone() });
    let message = if change == Change::Stylesheets {
        "css"
    } else {
        "reload"
    };
    // Look only at the articles the events name; once the burst of saves
    // is over, the loop looks at all of them (`look_at_every_article`).
    let edited = watch::edited_articles(root, paths);
    let result = match &edited {
        Some(edited) => session.update_trusting(edited),
        None => session.update(),
    };
    serve_update(session, preview, result, message, &what, start);
    true
}

/// Serve an update's pages and tell it; after the first stage of a staged
/// update, make the rest and serve it (requests for those pages wait for it:
/// no second reload is needed).
fn serve_update(
    session: &mut Session,
    preview: &Preview,
    result: Result<Update, Failure>,
    message: &'static str,
    what: &str,
    start: Instant,
) {
    tell_stages(preview, &result);
    let staged = result.as_ref().is_ok_and(|u| !u.pending.is_empty());
    let outcome = preview.apply(result, message);
    report(preview, outcome, what, start);
    if !staged {
        return;
    }
    let Some(result) = session.finish() else {
        preview.settle();
        return;
    };
    tell_stages(preview, &result);
    match result {
        Ok(update) => {
            preview.tell(ServeEvent::SecondStage {
                changes: Changes::of(&update.changed, start.elapsed(), update.incremental),
            });
            preview.swap(Snapshot {
                files: update.files,
                pending: update.pending,
            });
        }
        Err(failure) => {
            // The pages of the first stage stay, with the error over them.
            preview.settle();
            let outcome = preview.apply(Err(failure), "reload");
            report(preview, outcome, what, start);
        }
    }
}

/// Look at every article, in case file events missed an edit that a
/// rebuild trusting them did not see (RELIABILITY: re-scan from the root).
/// Silent when nothing new turns up.
pub(super) fn look_at_every_article(session: &mut Session, preview: &Preview) {
    let start = Instant::now();
    let failed = preview.error().is_some();
    let result = session.update();
    let news = match &result {
        // After a failure, success is news even with nothing changed: the overlay must go.
        Ok(update) => failed || !update.changed.is_empty() || !update.pending.is_empty(),
        Err(_) => !failed,
    };
    if news {
        serve_update(
            session,
            preview,
            result,
            "reload",
            "an article the file events did not name",
            start,
        );
    }
}

/// Whether a build error may go away by itself: the process was out of
/// file descriptors (EMFILE, ENFILE), memory (ENOMEM) or was told to try
/// again (EAGAIN). Diagnostics carry I/O errors as text, which always ends
/// with the system's `(os error N)`.
pub(super) fn transient(error: &str) -> bool {
    [
        "(os error 11)",
        "(os error 12)",
        "(os error 23)",
        "(os error 24)",
    ]
    .iter()
    .any(|code| error.contains(code))
}

/// The time of each stage of a rebuild.
fn tell_stages(preview: &Preview, result: &Result<Update, Failure>) {
    if let Ok(update) = result {
        for &(stage, took) in &update.report.stages {
            preview.tell(ServeEvent::StageTime { stage, took });
        }
    }
}

/// Tell what a rebuild did.
fn report(preview: &Preview, outcome: Outcome, what: &str, start: Instant) {
    let event = match outcome {
        // A save that changed nothing (an editor's last event of a save
        // already rebuilt, an unchanged file written again) is not news.
        Outcome::Built {
            changed,
            recovered: false,
            ..
        } if changed.is_empty() => ServeEvent::NothingChanged {
            what: what.to_string(),
            took: start.elapsed(),
        },
        Outcome::Built {
            changed,
            incremental,
            warnings,
            ..
        } => {
            for w in warnings {
                preview.tell(ServeEvent::Warning(w));
            }
            ServeEvent::Rebuilt {
                what: what.to_string(),
                changes: Changes::of(&changed, start.elapsed(), incremental),
            }
        }
        Outcome::Failed(failure) => ServeEvent::Failed {
            what: what.to_string(),
            failure,
        },
    };
    preview.tell(event);
}

/// `articles/a.md` for one relevant path, or a count.
fn describe(root: &Path, paths: &[PathBuf]) -> String {
    let mut shown: Vec<String> = paths
        .iter()
        .filter(|p| watch::classify(root, std::slice::from_ref(p)) != Change::None)
        .filter_map(|p| p.strip_prefix(root).ok())
        .filter(|p| !p.as_os_str().is_empty())
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    shown.sort();
    shown.dedup();
    match shown.len() {
        0 => "the knowledge base".to_string(),
        1 => shown.remove(0),
        n => format!("{n} files"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Diagnostic;
    use std::path::Path;

    #[test]
    fn only_errors_that_pass_by_themselves_are_retried() {
        let io = |code| {
            Diagnostic::io(
                Path::new("mend.yaml"),
                "cannot read",
                &std::io::Error::from_raw_os_error(code),
            )
            .to_string()
        };
        assert!(transient(&io(24)));
        assert!(transient(&io(23)));
        assert!(!transient(&io(2)));
        assert!(!transient("articles/a.md:3:1: error: unknown theme `x`"));
    }
}
