//! `mend serve`: the live preview.
//!
//! Takes build options and where to listen; builds the site into memory,
//! serves the last good build over HTTP on loopback, watches `articles/`,
//! `themes/` and `mend.yaml`, rebuilds on change and tells open pages to
//! reload over a WebSocket (only after the new build is in place; pages a
//! rebuild's second stage is still making are held back, and a request for
//! one waits for them, see `Session::staged`). A failed
//! rebuild keeps the last good pages and shows an overlay on every page until
//! the file is fixed. Never writes to the output folder.
//!
//! The server owns its state in [`Preview`]; [`watch::classify`] turns file
//! events into a [`watch::Change`]; the rebuild loop stays short.

mod conn;
mod events;
pub mod http;
mod rebuild;
mod respond;
pub mod watch;
mod watcher;

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::any;
use tokio::sync::{Semaphore, broadcast};

use self::http::{LIVERELOAD_PATH, Route, Snapshot};
use self::respond::{catch_panics, livereload, page};
use self::watcher::start_watcher;
use crate::error::{Diagnostic, Failure};
use crate::pipeline::{BuildOptions, Session, Update};

pub use self::events::{Changes, Events, ServeEvent};

pub use self::conn::{HEADER_READ_TIMEOUT, MAX_CONNECTIONS, MAX_HEAD_BYTES, WRITE_TIMEOUT};
/// Live-reload sockets open at once, within [`MAX_CONNECTIONS`]: one per
/// tab, so this is many tabs; past it the upgrade gets a 503.
pub const MAX_LIVE_RELOADS: usize = 128;
/// Request targets longer than this get a 414: slugs are at most 200 bytes,
/// so no page of a site has a path anywhere near it.
pub(crate) const MAX_TARGET_BYTES: usize = 8 * 1024;
/// More pings than this in a second close a live-reload socket (pages send none).
const MAX_PINGS_PER_SECOND: u32 = 16;
/// Events on one path within this window arrive as one (an editor's atomic
/// save is several events within a millisecond or two).
pub(crate) const SETTLE: Duration = Duration::from_millis(10);
/// After a rebuild, saves keep coming for at least this long: a burst, and
/// the loop waits for it to end before rebuilding once more.
pub(crate) const QUIET: Duration = Duration::from_millis(150);
/// How long a rebuild waits for an article that events named and that is
/// gone to come back (an editor moves the old file aside, then writes).
pub(crate) const MID_SAVE_WAIT: Duration = Duration::from_millis(100);
/// A burst longer than this still gets a rebuild, to show progress.
pub const MAX_COALESCE: Duration = Duration::from_secs(2);
/// How often an idle rebuild loop looks whether a deleted project root is
/// back (its watches went with it, so no event will say so).
const ROOT_CHECK: Duration = Duration::from_millis(500);
/// The longest a request waits for a pending page (the second stage of a
/// staged rebuild) before it gets the previous one.
const PENDING_WAIT: Duration = Duration::from_secs(30);
/// Ports tried after the requested one is taken.
const PORT_ATTEMPTS: u16 = 10;

/// What `mend serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub build: BuildOptions,
    pub interface: IpAddr,
    /// 0 lets the system choose.
    pub port: u16,
    /// Use the polling watcher (network drives, containers, exhausted inotify).
    pub poll: bool,
    /// Host names accepted besides localhost and loopback addresses.
    pub allowed_hosts: Vec<String>,
    /// How long the watcher waits at each step.
    pub timings: Timings,
}

/// How long the watcher waits at each step, and a request for a pending
/// page. The defaults ([`SETTLE`], [`QUIET`], [`MID_SAVE_WAIT`],
/// [`PENDING_WAIT`]) suit an editor on a machine that keeps up;
/// `MEND_WATCH_MS=SETTLE,QUIET,MID_SAVE[,PENDING]` (read by the binary)
/// lengthens them, which the tests do so that a busy machine cannot split a
/// save or a burst they make into more rebuilds than the rows allow, nor make
/// a request give up on a slow second stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timings {
    pub(crate) settle: Duration,
    pub(crate) quiet: Duration,
    pub(crate) mid_save_wait: Duration,
    /// How long a request waits for a page of a rebuild's second stage.
    pub(crate) pending_wait: Duration,
}

impl Default for Timings {
    fn default() -> Timings {
        Timings {
            settle: SETTLE,
            quiet: QUIET,
            mid_save_wait: MID_SAVE_WAIT,
            pending_wait: PENDING_WAIT,
        }
    }
}

impl Timings {
    /// `SETTLE,QUIET,MID_SAVE[,PENDING]` in milliseconds; `None` unless each
    /// is a number.
    pub fn parse(text: &str) -> Option<Timings> {
        let mut ms = text
            .split(',')
            .map(|part| part.trim().parse::<u64>().ok().map(Duration::from_millis));
        let timings = Timings {
            settle: ms.next()??,
            quiet: ms.next()??,
            mid_save_wait: ms.next()??,
            pending_wait: match ms.next() {
                Some(pending) => pending?,
                None => PENDING_WAIT,
            },
        };
        ms.next().is_none().then_some(timings)
    }
}

/// The server's state: the last good build, the last error, the reload channel.
pub(crate) struct Preview {
    site: RwLock<Arc<Snapshot>>,
    /// Counts the snapshots swapped in, for requests waiting on a pending page.
    swapped: tokio::sync::watch::Sender<u64>,
    error: RwLock<Option<String>>,
    reload: broadcast::Sender<&'static str>,
    /// Places for live-reload sockets (see [`MAX_LIVE_RELOADS`]).
    live_reloads: Arc<Semaphore>,
    allowed_hosts: Vec<String>,
    /// How long a request waits for a pending page.
    pending_wait: Duration,
    /// Where what the preview has to say goes.
    events: Events,
}

impl Preview {
    fn snapshot(&self) -> Arc<Snapshot> {
        self.site.read().map(|s| Arc::clone(&s)).unwrap_or_default()
    }

    fn tell(&self, event: ServeEvent) {
        (self.events)(event);
    }

    fn error(&self) -> Option<String> {
        self.error.read().ok().and_then(|e| e.clone())
    }

    /// Take a build's result: swap in the new site *then* notify pages, so a
    /// page reloading at once never sees a half-built site.
    /// Serve an update that changes no page (the search index catching up):
    /// no reload, and no overlay change.
    fn apply_quietly(&self, update: Update) {
        for w in update.report.warnings {
            self.tell(ServeEvent::Warning(w));
        }
        self.swap(Snapshot {
            files: update.files,
            pending: update.pending,
        });
    }

    /// Serve `snapshot` from now on, and wake requests waiting for a page.
    fn swap(&self, snapshot: Snapshot) {
        if let Ok(mut site) = self.site.write() {
            *site = Arc::new(snapshot);
        }
        self.swapped.send_modify(|n| *n += 1);
    }

    /// Stop waiting for pending pages: serve the current snapshot as it is
    /// (its second stage failed; the error overlay says why).
    fn settle(&self) {
        let site = self.snapshot();
        if !site.pending.is_empty() {
            self.swap(Snapshot {
                files: site.files.clone(),
                pending: Default::default(),
            });
        }
    }

    /// The snapshot to serve `raw_path` from: the current one, or, while
    /// the page is pending, the one that has it (waiting at most
    /// `pending_wait`, [`PENDING_WAIT`] unless the tests lengthen it).
    async fn snapshot_for(&self, raw_path: &str) -> Arc<Snapshot> {
        let waiting = |site: &Snapshot| {
            !site.pending.is_empty()
                && matches!(http::route(site, raw_path), Route::File(path) if site.pending.contains(path.as_str()))
        };
        let site = self.snapshot();
        if !waiting(&site) {
            return site;
        }
        // Subscribed before looking again, so that no swap is missed.
        let mut swapped = self.swapped.subscribe();
        let deadline = tokio::time::Instant::now() + self.pending_wait;
        loop {
            let site = self.snapshot();
            if !waiting(&site) {
                return site;
            }
            if tokio::time::timeout_at(deadline, swapped.changed())
                .await
                .is_err()
            {
                return site;
            }
        }
    }

    fn apply(&self, result: Result<Update, Failure>, message: &'static str) -> Outcome {
        let had_error = self.error().is_some();
        let outcome = match result {
            Ok(update) => {
                self.swap(Snapshot {
                    files: update.files,
                    pending: update.pending,
                });
                if let Ok(mut error) = self.error.write() {
                    *error = None;
                }
                Outcome::Built {
                    changed: update.changed,
                    incremental: update.incremental,
                    warnings: update.report.warnings,
                    recovered: had_error,
                }
            }
            Err(failure) => {
                if let Ok(mut error) = self.error.write() {
                    *error = Some(failure.to_string());
                }
                Outcome::Failed(failure)
            }
        };
        let notice = match &outcome {
            // A save that changed no output needs no reload, unless an overlay must go.
            Outcome::Built { changed, .. } if changed.is_empty() && !had_error => None,
            Outcome::Built { .. } => Some(message),
            Outcome::Failed(_) => Some("reload"),
        };
        if let Some(notice) = notice {
            let _ = self.reload.send(notice);
        }
        outcome
    }
}

enum Outcome {
    Built {
        /// Output files whose bytes changed.
        changed: Vec<String>,
        incremental: bool,
        warnings: Vec<Diagnostic>,
        /// Whether it ended a failure (the overlay went).
        recovered: bool,
    },
    Failed(Failure),
}

/// Bind, build, watch and serve until Ctrl-C, telling `events` what
/// happens ([`ServeEvent::Ready`] carries the URL).
pub fn serve(
    options: ServeOptions,
    events: impl Fn(ServeEvent) + Send + Sync + 'static,
) -> Result<(), Failure> {
    // Not a knowledge base folder: the same usage error as `mend build`,
    // rather than an error page served for a folder that can never build.
    crate::load::config(&options.build.root)?;
    let (listener, addr) = bind(options.interface, options.port)?;
    let (reload, _) = broadcast::channel(16);
    let preview = Arc::new(Preview {
        site: RwLock::new(Arc::new(Snapshot::default())),
        swapped: tokio::sync::watch::Sender::new(0),
        error: RwLock::new(None),
        reload,
        live_reloads: Arc::new(Semaphore::new(MAX_LIVE_RELOADS)),
        allowed_hosts: allowed_hosts(&options),
        pending_wait: options.timings.pending_wait,
        events: Arc::new(events),
    });

    let start = Instant::now();
    let mut session = Session::staged(options.build.clone());
    match preview.apply(session.update(), "reload") {
        Outcome::Built { warnings, .. } => {
            for w in warnings {
                preview.tell(ServeEvent::Warning(w));
            }
            preview.tell(ServeEvent::FirstBuilt {
                took: start.elapsed(),
            });
        }
        Outcome::Failed(failure) => preview.tell(ServeEvent::FirstBuildFailed(failure)),
    }

    let watching = start_watcher(&options, &preview)?;
    let (timings, rebuilding) = (options.timings, Arc::clone(&preview));
    std::thread::spawn(move || rebuild::rebuild_loop(session, watching, timings, rebuilding));
    if addr.port() != options.port && options.port != 0 {
        preview.tell(ServeEvent::PortTaken {
            asked: options.port,
            got: addr.port(),
        });
    }
    if !addr.ip().is_loopback() {
        preview.tell(ServeEvent::Exposed(addr.ip()));
    }
    let host = match addr.ip() {
        IpAddr::V6(ip) => format!("[{ip}]"),
        IpAddr::V4(ip) => ip.to_string(),
    };
    let url = format!("http://{host}:{}/", addr.port());
    preview.tell(ServeEvent::Ready { url });

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Diagnostic::error(format!("cannot start the server: {e}")))?;
    runtime.block_on(accept_loop(listener, preview))
}

fn allowed_hosts(options: &ServeOptions) -> Vec<String> {
    let mut hosts = options.allowed_hosts.clone();
    if !options.interface.is_loopback() && !options.interface.is_unspecified() {
        hosts.push(options.interface.to_string());
    }
    hosts
}

/// Bind the requested port, or the next free one.
fn bind(interface: IpAddr, port: u16) -> Result<(TcpListener, SocketAddr), Failure> {
    let attempts = if port == 0 { 1 } else { PORT_ATTEMPTS };
    let mut last_error = None;
    for offset in 0..attempts {
        let Some(candidate) = port.checked_add(offset) else {
            break;
        };
        match TcpListener::bind((interface, candidate)) {
            Ok(listener) => {
                let addr = listener.local_addr().map_err(|e| {
                    Diagnostic::usage(format!("cannot read the bound address: {e}"))
                })?;
                listener
                    .set_nonblocking(true)
                    .map_err(|e| Diagnostic::usage(format!("cannot configure the socket: {e}")))?;
                return Ok((listener, addr));
            }
            Err(e) => last_error = Some(e),
        }
    }
    let why = last_error.map_or_else(String::new, |e| format!(": {e}"));
    Err(Diagnostic::usage(format!(
        "address {interface}:{port} is in use, and so are the next {} ports{why}",
        attempts - 1
    ))
    .with_hint("pass another --port, or 0 to let the system choose")
    .into())
}

async fn accept_loop(listener: TcpListener, preview: Arc<Preview>) -> Result<(), Failure> {
    let router = Router::new()
        .route(LIVERELOAD_PATH, any(livereload))
        .fallback(page)
        .layer(axum::middleware::from_fn(catch_panics))
        .with_state(Arc::clone(&preview));
    conn::accept_loop(listener, router).await?;
    preview.tell(ServeEvent::Stopped);
    Ok(())
}
