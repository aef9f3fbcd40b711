//! Watching the project: native events, or polling when they cannot be had.
//!
//! Takes the project root; gives a [`Watcher`] whose events go to the
//! rebuild loop, and re-adds its watches when folders come back.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, new_debouncer, new_debouncer_opt};

use super::{Preview, ServeEvent, ServeOptions};
use crate::error::{Diagnostic, Failure};

/// The watcher handle; dropping it stops watching.
pub(crate) enum Watcher {
    Native(
        notify_debouncer_full::Debouncer<
            notify::RecommendedWatcher,
            notify_debouncer_full::RecommendedCache,
        >,
    ),
    Poll(notify_debouncer_full::Debouncer<notify::PollWatcher, notify_debouncer_full::NoCache>),
}

impl Watcher {
    pub(super) fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match self {
            Watcher::Native(d) => d.watch(path, mode),
            Watcher::Poll(d) => d.watch(path, mode),
        }
    }

    pub(super) fn unwatch(&mut self, path: &Path) {
        let _ = match self {
            Watcher::Native(d) => d.unwatch(path),
            Watcher::Poll(d) => d.unwatch(path),
        };
    }
}

/// What watching the project gives the rebuild loop, which owns it from
/// then on: the root as watched, the events, the watcher and what it watches.
pub(super) struct Watching {
    pub(super) root: PathBuf,
    pub(super) events: mpsc::Receiver<DebounceEventResult>,
    pub(super) watcher: Watcher,
    pub(super) watched: Watched,
}

/// Start watching the project (natively, or by polling when asked or when
/// native events are not available, which `preview` is told).
pub(super) fn start_watcher(
    options: &ServeOptions,
    preview: &Preview,
) -> Result<Watching, Failure> {
    let root = crate::write::absolute(&options.build.root);
    let (tx, rx) = mpsc::channel::<DebounceEventResult>();
    let native = if options.poll {
        None
    } else {
        match new_debouncer(options.timings.settle, None, tx.clone()) {
            Ok(d) => Some(Watcher::Native(d)),
            Err(e) => {
                preview.tell(ServeEvent::Polling {
                    reason: e.to_string(),
                    at_start: true,
                });
                None
            }
        }
    };
    let mut watched = Watched::default();
    let watcher = match native {
        Some(mut w) => match watched.refresh(&mut w, &root) {
            Ok(_) => w,
            Err(e) => {
                // Typically the inotify watch limit: polling needs no watches.
                preview.tell(ServeEvent::Polling {
                    reason: e.to_string(),
                    at_start: false,
                });
                watched = Watched::default();
                poll_watcher(tx, options.timings.settle)?
            }
        },
        None => poll_watcher(tx, options.timings.settle)?,
    };
    let mut watcher = watcher;
    if matches!(watcher, Watcher::Poll(_)) {
        watched
            .refresh(&mut watcher, &root)
            .map_err(|e| Diagnostic::usage(format!("cannot watch {}: {e}", root.display())))?;
    }
    Ok(Watching {
        root,
        events: rx,
        watcher,
        watched,
    })
}

fn poll_watcher(
    tx: mpsc::Sender<DebounceEventResult>,
    settle: Duration,
) -> Result<Watcher, Failure> {
    // notify's poller keeps modification times in whole seconds, so a save in
    // the same second as the last scan would go unseen: compare contents too
    // (it reads every watched file each interval; a fallback can afford that).
    let config = notify::Config::default()
        .with_poll_interval(Duration::from_millis(300))
        .with_compare_contents(true);
    new_debouncer_opt::<_, notify::PollWatcher, _>(
        settle,
        None,
        tx,
        notify_debouncer_full::NoCache,
        config,
    )
    .map(Watcher::Poll)
    .map_err(|e| Diagnostic::usage(format!("cannot start the polling watcher: {e}")).into())
}

/// Which folders are watched. The root is watched alone (it holds `site/` and
/// `target/`); `articles/` and `themes/` recursively, and again whenever they,
/// or the root itself, are deleted and recreated.
#[derive(Default)]
pub(super) struct Watched {
    root: bool,
    folders: Vec<&'static str>,
}

impl Watched {
    /// Watch what exists now; whether a folder was newly watched (files made
    /// in it before the watch began are only seen by a rescan).
    pub(super) fn refresh(&mut self, watcher: &mut Watcher, root: &Path) -> notify::Result<bool> {
        if !root.is_dir() {
            // Deleting the root removed every watch under it: start again when it is back.
            if self.root {
                watcher.unwatch(root);
                for dir in self.folders.drain(..) {
                    watcher.unwatch(&root.join(dir));
                }
                self.root = false;
            }
            return Ok(false);
        }
        let mut added = false;
        if !self.root {
            watcher.unwatch(root);
            watcher.watch(root, RecursiveMode::NonRecursive)?;
            self.root = true;
            added = true;
        }
        for dir in ["articles", "themes"] {
            let exists = root.join(dir).is_dir();
            let known = self.folders.contains(&dir);
            if exists && !known {
                // Forget any watch left from a deleted folder of the same name first.
                watcher.unwatch(&root.join(dir));
                watcher.watch(&root.join(dir), RecursiveMode::Recursive)?;
                self.folders.push(dir);
                added = true;
            } else if !exists && known {
                watcher.unwatch(&root.join(dir));
                self.folders.retain(|d| *d != dir);
            }
        }
        Ok(added)
    }
}
