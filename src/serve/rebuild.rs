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

use super::watch::{self, Change};
use super::watcher::Watching;
use super::{MAX_COALESCE, Preview, ROOT_CHECK, ServeEvent, Timings};

mod apply;
use crate::pipeline::{SearchIndex, SearchJob, Session};
use apply::{look_at_every_article, rebuild, transient};

/// Rebuild at once on the first change (fast feedback), then, while saves
/// keep coming, wait for a quiet moment and rebuild once more: a burst of
/// saves costs two rebuilds and ends with the last content.
///
/// It tells [`ServeEvent::Idle`] each time it has dealt with every event it
/// was given, the search index is up to date, and it waits for more: the
/// tests wait for that line (`MEND_LOG=debug`), naming a file they wrote
/// last, instead of guessing how long a rebuild takes.
pub(super) fn rebuild_loop(
    session: Session,
    watching: Watching,
    timings: Timings,
    preview: Arc<Preview>,
) {
    let (search_done, search_results) = mpsc::channel();
    let mut looping = Loop {
        session,
        watching,
        timings,
        preview,
        handled: Vec::new(),
        searching: None,
        search_done,
        search_results,
    };
    while looping.turn().is_some() {}
}

/// The rebuild loop's state between turns.
struct Loop {
    session: Session,
    watching: Watching,
    timings: Timings,
    preview: Arc<Preview>,
    /// Event paths dealt with since the loop last went idle.
    handled: Vec<PathBuf>,
    /// The running search job's cancel flag. Pages are rebuilt first; the
    /// search index is made after, on a thread of its own, and taken only
    /// if no edit came in meanwhile.
    searching: Option<Arc<AtomicBool>>,
    search_done: mpsc::Sender<SearchIndex>,
    search_results: mpsc::Receiver<SearchIndex>,
}

impl Loop {
    /// One turn: take a finished search index, wait for events, rebuild,
    /// coalesce the burst. `None` when the watcher is gone.
    fn turn(&mut self) -> Option<()> {
        self.take_search_index();
        let Some(mut paths) = self.next_events()? else {
            return Some(());
        };
        self.wait_for_moved_articles(&mut paths);
        // A save makes the index being made out of date; give the cores to the pages.
        if let Some(cancel) = &self.searching
            && watch::classify(&self.watching.root, &paths) != Change::None
        {
            cancel.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        let rebuilt = self.rebuild(&paths);
        self.handled.extend(paths);
        if !rebuilt {
            return Some(());
        }
        self.refresh_watches();
        self.coalesce()?;
        // The burst is over and its pages are served: now the slow, sure look.
        look_at_every_article(&mut self.session, &self.preview);
        Some(())
    }

    /// Take a search index that is done; start one when the pages are ahead
    /// of it; tell [`ServeEvent::Idle`] when every event is dealt with and
    /// the index is up to date.
    fn take_search_index(&mut self) {
        while let Ok(index) = self.search_results.try_recv() {
            self.searching = None;
            if let Some(update) = self.session.accept_search(index) {
                self.preview.apply_quietly(update);
            }
        }
        if self.searching.is_none()
            && let Some(job) = self.session.search_job()
        {
            self.searching = Some(job.cancel_handle());
            spawn_search(job, self.search_done.clone());
        }
        if self.searching.is_none() && !self.handled.is_empty() {
            let handled = std::mem::take(&mut self.handled);
            self.preview.tell(idle(&self.watching.root, &handled));
        }
    }

    /// The paths of the next events and of any right behind them; `Some(None)`
    /// after a wait with none (the root and a failed build are looked at
    /// then); `None` when the watcher is gone.
    fn next_events(&mut self) -> Option<Option<Vec<PathBuf>>> {
        // While an index is being made, look for it more often.
        let wait = if self.searching.is_some() {
            self.timings.quiet
        } else {
            ROOT_CHECK
        };
        let batch = match self.watching.events.recv_timeout(wait) {
            Ok(batch) => batch,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if self.watches_changed() {
                    self.rebuild_everything();
                } else if self.preview.error().is_some_and(|e| transient(&e)) {
                    // Out of file descriptors or memory for a moment: no
                    // save will come to say it is over, so try again.
                    look_at_every_article(&mut self.session, &self.preview);
                }
                return Some(None);
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => return None,
        };
        let mut paths = self.paths_of(batch);
        while let Ok(more) = self.watching.events.try_recv() {
            paths.extend(self.paths_of(more));
        }
        Some(Some(paths))
    }

    /// An article named but gone may be an editor mid-save (the old file
    /// moved aside, the new one not written yet): give it a moment.
    fn wait_for_moved_articles(&self, paths: &mut Vec<PathBuf>) {
        let deadline = Instant::now() + self.timings.mid_save_wait;
        let mut told = false;
        while watch::articles_gone(&self.watching.root, paths) {
            if !std::mem::replace(&mut told, true) {
                self.preview.tell(ServeEvent::WaitingForMovedArticle);
            }
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                break;
            };
            match self.watching.events.recv_timeout(left) {
                Ok(more) => paths.extend(self.paths_of(more)),
                Err(_) => break,
            }
        }
    }

    /// While saves keep coming, wait for a quiet moment (rebuilding at least
    /// every [`MAX_COALESCE`]), then rebuild once more. `None` when the
    /// watcher is gone.
    fn coalesce(&mut self) -> Option<()> {
        let mut pending: Vec<PathBuf> = Vec::new();
        let mut burst = Instant::now();
        loop {
            match self.watching.events.recv_timeout(self.timings.quiet) {
                Ok(batch) => {
                    let paths = self.paths_of(batch);
                    self.handled.extend(paths.iter().cloned());
                    pending.extend(paths);
                    if burst.elapsed() > MAX_COALESCE {
                        self.rebuild(&std::mem::take(&mut pending));
                        burst = Instant::now();
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return None,
            }
        }
        if self.rebuild(&pending) {
            self.refresh_watches();
        }
        Some(())
    }

    /// The paths a batch of events names (the root when the watcher failed).
    fn paths_of(&self, batch: DebounceEventResult) -> Vec<PathBuf> {
        match batch {
            Ok(events) => changed_paths(events),
            Err(errors) => {
                for e in errors {
                    self.preview.tell(ServeEvent::WatchError(e.to_string()));
                }
                vec![self.watching.root.clone()]
            }
        }
    }

    fn rebuild(&mut self, paths: &[PathBuf]) -> bool {
        rebuild(&mut self.session, &self.watching.root, paths, &self.preview)
    }

    /// Whether the folders watched changed (one was added or removed, or
    /// the root came back).
    fn watches_changed(&mut self) -> bool {
        let Watching {
            root,
            watcher,
            watched,
            ..
        } = &mut self.watching;
        watched.refresh(watcher, root).unwrap_or(false)
    }

    fn rebuild_everything(&mut self) {
        let root = self.watching.root.clone();
        self.rebuild(std::slice::from_ref(&root));
    }

    /// After a rebuild: when the folders watched changed, rebuild from the root.
    fn refresh_watches(&mut self) {
        if self.watches_changed() {
            self.rebuild_everything();
        }
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

/// Paths of events that change content; reads (our own rebuild opens every
/// file) are not changes.
fn changed_paths(events: Vec<notify_debouncer_full::DebouncedEvent>) -> Vec<PathBuf> {
    events
        .into_iter()
        .filter(|e| !matches!(e.event.kind, notify::EventKind::Access(_)))
        .flat_map(|e| e.event.paths)
        .collect()
}
