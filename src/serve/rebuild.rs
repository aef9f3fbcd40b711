//! The rebuild loop: file events in, updates of the [`Preview`] out.
//!
//! Takes the session, the events and the preview; rebuilds on a relevant
//! change, coalesces bursts, makes the search index on a thread of its own,
//! and tries a build again that failed for want of file descriptors or
//! memory. Tells the preview's events what each rebuild did.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;
use std::time::Instant;

use notify_debouncer_full::DebounceEventResult;

use super::http::Snapshot;
use super::watch::{self, Change};
use super::watcher::Watching;
use super::{Changes, MAX_COALESCE, Outcome, Preview, ROOT_CHECK, ServeEvent, Timings};
use crate::error::Failure;
use crate::pipeline::{SearchIndex, SearchJob, Session, Update};

/// Rebuild at once on the first change (fast feedback), then, while saves
/// keep coming, wait for a quiet moment and rebuild once more: a burst of
/// saves costs two rebuilds and ends with the last content.
///
/// It tells [`ServeEvent::Idle`] each time it has dealt with every event it
/// was given, the search index is up to date, and it waits for more: the
/// tests wait for that line (`MEND_LOG=debug`), naming a file they wrote
/// last, instead of guessing how long a rebuild takes.
pub(super) fn rebuild_loop(
    mut session: Session,
    watching: Watching,
    timings: Timings,
    preview: Arc<Preview>,
) {
    let Watching {
        root,
        events,
        mut watcher,
        mut watched,
    } = watching;
    let Timings {
        quiet,
        mid_save_wait,
        ..
    } = timings;
    // Event paths dealt with since the loop last went idle.
    let mut handled: Vec<PathBuf> = Vec::new();
    let paths_of = |batch: DebounceEventResult| -> Vec<PathBuf> {
        match batch {
            Ok(events) => changed_paths(events),
            Err(errors) => {
                for e in errors {
                    preview.tell(ServeEvent::WatchError(e.to_string()));
                }
                vec![root.clone()]
            }
        }
    };
    // Pages are rebuilt first; the search index is made after, on a thread
    // of its own, and taken only if no edit came in meanwhile.
    let (search_done, search_results) = mpsc::channel();
    // The running search job's cancel flag.
    let mut searching: Option<Arc<AtomicBool>> = None;
    loop {
        while let Ok(index) = search_results.try_recv() {
            searching = None;
            if let Some(update) = session.accept_search(index) {
                preview.apply_quietly(update);
            }
        }
        if searching.is_none()
            && let Some(job) = session.search_job()
        {
            searching = Some(job.cancel_handle());
            spawn_search(job, search_done.clone());
        }
        // Idle: every event dealt with, and the search index up to date.
        if searching.is_none() && !handled.is_empty() {
            preview.tell(idle(&root, &std::mem::take(&mut handled)));
        }
        // While an index is being made, look for it more often.
        let wait = if searching.is_some() {
            quiet
        } else {
            ROOT_CHECK
        };
        let batch = match events.recv_timeout(wait) {
            Ok(batch) => batch,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if watched.refresh(&mut watcher, &root).unwrap_or(false) {
                    rebuild(&mut session, &root, std::slice::from_ref(&root), &preview);
                } else if preview.error().is_some_and(|e| transient(&e)) {
                    // Out of file descriptors or memory for a moment: no
                    // save will come to say it is over, so try again.
                    look_at_every_article(&mut session, &preview);
                }
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        };
        let mut paths = paths_of(batch);
        while let Ok(more) = events.try_recv() {
            paths.extend(paths_of(more));
        }
        // An article named but gone may be an editor mid-save (the old file
        // moved aside, the new one not written yet): give it a moment.
        let deadline = Instant::now() + mid_save_wait;
        let mut told = false;
        while watch::articles_gone(&root, &paths) {
            if !std::mem::replace(&mut told, true) {
                preview.tell(ServeEvent::WaitingForMovedArticle);
            }
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                break;
            };
            match events.recv_timeout(left) {
                Ok(more) => paths.extend(paths_of(more)),
                Err(_) => break,
            }
        }
        // A save makes the index being made out of date; give the cores to the pages.
        if let Some(cancel) = &searching
            && watch::classify(&root, &paths) != Change::None
        {
            cancel.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        let rebuilt = rebuild(&mut session, &root, &paths, &preview);
        handled.extend(paths);
        if !rebuilt {
            continue;
        }
        if watched.refresh(&mut watcher, &root).unwrap_or(false) {
            rebuild(&mut session, &root, std::slice::from_ref(&root), &preview);
        }
        let mut pending: Vec<PathBuf> = Vec::new();
        let mut burst = Instant::now();
        loop {
            match events.recv_timeout(quiet) {
                Ok(batch) => {
                    let paths = paths_of(batch);
                    handled.extend(paths.iter().cloned());
                    pending.extend(paths);
                    if burst.elapsed() > MAX_COALESCE {
                        rebuild(&mut session, &root, &std::mem::take(&mut pending), &preview);
                        burst = Instant::now();
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
        }
        if rebuild(&mut session, &root, &pending, &preview)
            && watched.refresh(&mut watcher, &root).unwrap_or(false)
        {
            rebuild(&mut session, &root, std::slice::from_ref(&root), &preview);
        }
        // The burst is over and its pages are served: now the slow, sure look.
        look_at_every_article(&mut session, &preview);
    }
}

/// Make a search index on one thread, so that a save meanwhile still finds
/// a core for its pages; send it to the rebuild loop.
fn spawn_search(job: SearchJob, done: mpsc::Sender<SearchIndex>) {
    std::thread::spawn(move || {
        let index = match rayon::ThreadPoolBuilder::new().num_threads(1).build() {
            Ok(pool) => pool.install(move || job.run()),
            Err(_) => job.run(),
        };
        let _ = done.send(index);
    });
}

/// Rebuild if `paths` hold a relevant change; tell what happened. Whether it rebuilt.
fn rebuild(session: &mut Session, root: &Path, paths: &[PathBuf], preview: &Preview) -> bool {
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
fn look_at_every_article(session: &mut Session, preview: &Preview) {
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
fn transient(error: &str) -> bool {
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

/// The files of the events the loop has dealt with, once it waits for more.
fn idle(root: &Path, handled: &[PathBuf]) -> ServeEvent {
    let mut names: Vec<String> = handled
        .iter()
        .map(|p| {
            p.strip_prefix(root)
                .unwrap_or(p)
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names.dedup();
    ServeEvent::Idle { names }
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

/// Paths of events that change content; reads (our own rebuild opens every
/// file) are not changes.
fn changed_paths(events: Vec<notify_debouncer_full::DebouncedEvent>) -> Vec<PathBuf> {
    events
        .into_iter()
        .filter(|e| !matches!(e.event.kind, notify::EventKind::Access(_)))
        .flat_map(|e| e.event.paths)
        .collect()
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
