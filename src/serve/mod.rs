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

pub mod http;
pub mod watch;

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, new_debouncer, new_debouncer_opt};
use tokio::sync::{Semaphore, broadcast};

use self::http::{LIVERELOAD_PATH, Route, Snapshot};
use self::watch::Change;
use crate::error::{Diagnostic, Failure};
use crate::pipeline::{BuildOptions, SearchIndex, SearchJob, Session, Update, plural};

/// Slow clients get this long to send their request headers.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections served at once. A browser tab needs at most six plus its
/// live-reload socket, so this leaves room for many tabs and load tests, and
/// stays under the usual limit of 1,024 open files with the server's own.
/// Connections past it get a 503 and are closed.
pub const MAX_CONNECTIONS: usize = 768;
/// Connections past the cap being answered with a 503 at once; past this too
/// they are closed without an answer.
const MAX_REFUSALS: usize = 256;
/// A refused connection gets this long to take its 503.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(1);
/// Pause after a failed accept (out of file descriptors, typically), so the
/// loop waits for connections to close instead of spinning.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);
/// Request line and headers together larger than this get a 431.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Request targets longer than this get a 414: slugs are at most 200 bytes,
/// so no page of a site has a path anywhere near it.
pub const MAX_TARGET_BYTES: usize = 8 * 1024;
/// More pings than this in a second close a live-reload socket (pages send none).
const MAX_PINGS_PER_SECOND: u32 = 16;
/// Events on one path within this window arrive as one (an editor's atomic
/// save is several events within a millisecond or two).
pub const SETTLE: Duration = Duration::from_millis(10);
/// After a rebuild, saves keep coming for at least this long: a burst, and
/// the loop waits for it to end before rebuilding once more.
pub const QUIET: Duration = Duration::from_millis(150);
/// How long a rebuild waits for an article that events named and that is
/// gone to come back (an editor moves the old file aside, then writes).
pub const MID_SAVE_WAIT: Duration = Duration::from_millis(100);
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
}

/// The server's state: the last good build, the last error, the reload channel.
pub struct Preview {
    site: RwLock<Arc<Snapshot>>,
    /// Counts the snapshots swapped in, for requests waiting on a pending page.
    swapped: tokio::sync::watch::Sender<u64>,
    error: RwLock<Option<String>>,
    reload: broadcast::Sender<&'static str>,
    allowed_hosts: Vec<String>,
}

impl Preview {
    fn snapshot(&self) -> Arc<Snapshot> {
        self.site.read().map(|s| Arc::clone(&s)).unwrap_or_default()
    }

    fn error(&self) -> Option<String> {
        self.error.read().ok().and_then(|e| e.clone())
    }

    /// Take a build's result: swap in the new site *then* notify pages, so a
    /// page reloading at once never sees a half-built site.
    /// Serve an update that changes no page (the search index catching up):
    /// no reload, and no overlay change.
    fn apply_quietly(&self, update: Update) {
        for w in &update.report.warnings {
            eprintln!("{w}\n");
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
    /// [`PENDING_WAIT`]).
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
        let deadline = tokio::time::Instant::now() + PENDING_WAIT;
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

/// Bind, build, watch and serve until Ctrl-C. `on_ready` gets the URL.
pub fn serve(options: ServeOptions, on_ready: impl FnOnce(&str)) -> Result<(), Failure> {
    // Not a knowledge base folder: the same usage error as `mend build`,
    // rather than an error page served for a folder that can never build.
    crate::load::config(&options.build.root)?;
    let (listener, addr, note) = bind(options.interface, options.port)?;
    let (reload, _) = broadcast::channel(16);
    let preview = Arc::new(Preview {
        site: RwLock::new(Arc::new(Snapshot::default())),
        swapped: tokio::sync::watch::Sender::new(0),
        error: RwLock::new(None),
        reload,
        allowed_hosts: allowed_hosts(&options),
    });

    let start = Instant::now();
    let mut session = Session::staged(options.build.clone());
    match preview.apply(session.update(), "reload") {
        Outcome::Built { warnings, .. } => {
            for w in warnings {
                eprintln!("{w}\n");
            }
            eprintln!("built in {} ms", start.elapsed().as_millis());
        }
        Outcome::Failed(failure) => {
            eprintln!(
                "{failure}\n\nthe first build failed; serving an error page until it is fixed"
            );
        }
    }

    start_watcher(&options, session, Arc::clone(&preview))?;
    if let Some(note) = note {
        eprintln!("{note}");
    }
    if !addr.ip().is_loopback() {
        eprintln!(
            "warning: serving on {}, which other machines can reach; the preview is meant for this machine only",
            addr.ip()
        );
    }
    let host = match addr.ip() {
        IpAddr::V6(ip) => format!("[{ip}]"),
        IpAddr::V4(ip) => ip.to_string(),
    };
    let url = format!("http://{host}:{}/", addr.port());
    on_ready(&url);

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

/// Bind the requested port, or the next free one (saying so).
fn bind(
    interface: IpAddr,
    port: u16,
) -> Result<(TcpListener, SocketAddr, Option<String>), Failure> {
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
                let note = (offset > 0)
                    .then(|| format!("port {port} is in use; serving on {} instead", addr.port()));
                listener
                    .set_nonblocking(true)
                    .map_err(|e| Diagnostic::usage(format!("cannot configure the socket: {e}")))?;
                return Ok((listener, addr, note));
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
    let listener = tokio::net::TcpListener::from_std(listener)
        .map_err(|e| Diagnostic::usage(format!("cannot listen: {e}")))?;
    let router = Router::new()
        .route(LIVERELOAD_PATH, any(livereload))
        .fallback(page)
        .layer(axum::middleware::from_fn(catch_panics))
        .with_state(Arc::clone(&preview));
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let refusals = Arc::new(Semaphore::new(MAX_REFUSALS));
    let stop = tokio::signal::ctrl_c();
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = &mut stop => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(_) => {
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let Ok(permit) = Arc::clone(&slots).try_acquire_owned() else {
            if let Ok(refusal) = Arc::clone(&refusals).try_acquire_owned() {
                tokio::spawn(async move {
                    refuse(stream).await;
                    drop(refusal);
                });
            }
            continue;
        };
        // Small responses otherwise wait for Nagle's algorithm: 24 ms per request.
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            // The header timeout also closes keep-alive connections idle that long.
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .max_header_size(MAX_HEAD_BYTES)
                .max_buf_size(MAX_HEAD_BYTES)
                .keep_alive(true);
            let _ = builder
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades()
                .await;
            drop(permit);
        });
    }
    eprintln!("stopped");
    Ok(())
}

/// Answer a connection past [`MAX_CONNECTIONS`] with a 503 and close it.
async fn refuse(mut stream: tokio::net::TcpStream) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let text = "the preview server is at its connection limit; retry in a moment\n";
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\nx-content-type-options: nosniff\r\ncache-control: no-store\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{text}",
        text.len()
    );
    let _ = tokio::time::timeout(REFUSAL_TIMEOUT, async {
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await?;
        // Closing with the request unread would reset the connection and
        // could discard the answer before the client reads it.
        let mut sink = [0u8; 4096];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<_, std::io::Error>(())
    })
    .await;
}

/// A panic in a handler answers that request with a 500 instead of dropping
/// the connection without a word.
async fn catch_panics(request: Request, next: axum::middleware::Next) -> Response {
    match CatchUnwind(Box::pin(next.run(request))).await {
        Ok(response) => response,
        Err(_) => plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error in the preview server (details in its terminal)\n",
        ),
    }
}

/// A future whose panic comes out as `Err`.
struct CatchUnwind<F>(std::pin::Pin<Box<F>>);

impl<F: std::future::Future> std::future::Future for CatchUnwind<F> {
    type Output = std::thread::Result<F::Output>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let inner = self.0.as_mut();
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(poll) => poll.map(Ok),
            Err(panic) => std::task::Poll::Ready(Err(panic)),
        }
    }
}

/// Debug builds only: `MEND_FAILPOINT=serve-panic` makes requests for
/// `/__mend/panic` panic, so the suite can check [`catch_panics`].
#[cfg(debug_assertions)]
fn failpoint(path: &str) {
    if path == "/__mend/panic"
        && std::env::var_os("MEND_FAILPOINT").is_some_and(|f| f == "serve-panic")
    {
        panic!("failpoint serve-panic");
    }
}

#[cfg(not(debug_assertions))]
fn failpoint(_: &str) {}

/// Headers every response carries.
fn common_headers(headers: &mut HeaderMap) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    let mut response = (status, text).into_response();
    common_headers(response.headers_mut());
    response
}

/// The answer to a request without exactly one Host header (400), or with
/// one that does not name this machine (403); `None` when the Host is fine.
fn host_refusal(preview: &Preview, headers: &HeaderMap) -> Option<Response> {
    let mut hosts = headers.get_all(header::HOST).iter();
    let (Some(host), None) = (hosts.next(), hosts.next()) else {
        return Some(plain(
            StatusCode::BAD_REQUEST,
            "bad request: expected one Host header\n",
        ));
    };
    let allowed = host
        .to_str()
        .is_ok_and(|h| http::host_allowed(h, &preview.allowed_hosts));
    (!allowed).then(|| plain(StatusCode::FORBIDDEN, "forbidden: unknown Host\n"))
}

async fn page(State(preview): State<Arc<Preview>>, request: Request) -> Response {
    failpoint(request.uri().path());
    if let Some(refusal) = host_refusal(&preview, request.headers()) {
        return refusal;
    }
    let method = request.method().clone();
    if method != Method::GET && method != Method::HEAD {
        let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    // Only a path: not `http://host/...` (the Host check would not cover it), `*` or `name`.
    if request.uri().authority().is_some() || !request.uri().path().starts_with('/') {
        return plain(
            StatusCode::BAD_REQUEST,
            "bad request: the target must be a path\n",
        );
    }
    if request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len())
        > MAX_TARGET_BYTES
    {
        return plain(StatusCode::URI_TOO_LONG, "URI too long\n");
    }
    let site = preview.snapshot_for(request.uri().path()).await;
    let error = preview.error();
    let (status, path) = match http::route(&site, request.uri().path()) {
        Route::File(path) => (StatusCode::OK, Some(path)),
        Route::Redirect(to) => {
            let mut response = plain(StatusCode::PERMANENT_REDIRECT, "moved\n");
            if let Ok(value) = HeaderValue::from_str(&to) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            return response;
        }
        // A path no site file can have is just not found, like any other.
        Route::NotFound | Route::BadPath => (
            StatusCode::NOT_FOUND,
            site.files
                .contains_key("404.html")
                .then(|| "404.html".to_string()),
        ),
    };
    let (content_type, bytes): (&str, Vec<u8>) = match (&path, &error) {
        (Some(path), _) => {
            let bytes = site
                .files
                .get(path.as_str())
                .map(|b| b.to_vec())
                .unwrap_or_default();
            if path.ends_with(".html") {
                (
                    "text/html; charset=utf-8",
                    http::inject(&bytes, error.as_deref()),
                )
            } else {
                (http::content_type(path), bytes)
            }
        }
        (None, Some(error)) => ("text/html; charset=utf-8", http::error_page(error)),
        (None, None) => return plain(StatusCode::NOT_FOUND, "not found\n"),
    };
    let total = bytes.len();
    let whole_file = status == StatusCode::OK;
    // Ranges apply to GETs of files (RFC 9110: a HEAD ignores them); a
    // conditional range has no validator to match, so it gets everything.
    let range =
        if whole_file && method == Method::GET && !request.headers().contains_key(header::IF_RANGE)
        {
            http::range(
                request
                    .headers()
                    .get(header::RANGE)
                    .and_then(|r| r.to_str().ok()),
                total,
            )
        } else {
            http::Range::Whole
        };
    let (status, bytes, content_range) = match range {
        http::Range::Whole => (status, bytes, None),
        http::Range::Part { start, end } => (
            StatusCode::PARTIAL_CONTENT,
            bytes
                .get(start..=end)
                .map(<[u8]>::to_vec)
                .unwrap_or_default(),
            Some(format!("bytes {start}-{end}/{total}")),
        ),
        http::Range::Unsatisfiable => (
            StatusCode::RANGE_NOT_SATISFIABLE,
            Vec::new(),
            Some(format!("bytes */{total}")),
        ),
    };
    let length = bytes.len();
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    common_headers(headers);
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(static_type(content_type)),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if whole_file {
        headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    }
    if let Some(value) = content_range.and_then(|v| HeaderValue::from_str(&v).ok()) {
        headers.insert(header::CONTENT_RANGE, value);
    }
    response
}

fn static_type(t: &str) -> &'static str {
    match t {
        "text/html; charset=utf-8" => "text/html; charset=utf-8",
        other => http::content_type(&format!("x.{}", extension_of(other))),
    }
}

fn extension_of(content_type: &str) -> &'static str {
    match content_type {
        "text/css; charset=utf-8" => "css",
        "text/javascript; charset=utf-8" => "js",
        "application/json" => "json",
        "application/xml; charset=utf-8" => "xml",
        "text/plain; charset=utf-8" => "txt",
        "image/svg+xml" => "svg",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "image/x-icon" => "ico",
        "font/woff2" => "woff2",
        _ => "bin",
    }
}

async fn livereload(State(preview): State<Arc<Preview>>, request: Request) -> Response {
    let (mut parts, _) = request.into_parts();
    let (method, headers) = (parts.method.clone(), parts.headers.clone());
    if let Some(refusal) = host_refusal(&preview, &headers) {
        return refusal;
    }
    if method != Method::GET {
        let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET"));
        return response;
    }
    let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
    if !http::origin_allowed(origin, &preview.allowed_hosts) {
        return plain(StatusCode::FORBIDDEN, "forbidden: unknown Origin\n");
    }
    let Ok(upgrade) = WebSocketUpgrade::from_request_parts(&mut parts, &()).await else {
        return plain(StatusCode::BAD_REQUEST, "expected a WebSocket upgrade\n");
    };
    let receiver = preview.reload.subscribe();
    upgrade
        .max_message_size(1024)
        .max_frame_size(1024)
        .on_upgrade(move |socket| push_reloads(socket, receiver))
}

/// Push reload notices; the socket only talks one way, so anything a client
/// sends other than control frames, or a flood of those, closes it.
async fn push_reloads(mut socket: WebSocket, mut reloads: broadcast::Receiver<&'static str>) {
    let mut pings = (Instant::now(), 0u32);
    loop {
        tokio::select! {
            notice = reloads.recv() => match notice {
                Ok(text) => if socket.send(Message::Text(text.into())).await.is_err() { break },
                Err(broadcast::error::RecvError::Lagged(_)) => if socket.send(Message::Text("reload".into())).await.is_err() { break },
                Err(broadcast::error::RecvError::Closed) => break,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {
                    if pings.0.elapsed() > Duration::from_secs(1) {
                        pings = (Instant::now(), 0);
                    }
                    pings.1 += 1;
                    if pings.1 > MAX_PINGS_PER_SECOND {
                        break;
                    }
                }
                _ => break,
            },
        }
    }
}

/// The watcher handle; dropping it stops watching.
pub enum Watcher {
    Native(
        notify_debouncer_full::Debouncer<
            notify::RecommendedWatcher,
            notify_debouncer_full::RecommendedCache,
        >,
    ),
    Poll(notify_debouncer_full::Debouncer<notify::PollWatcher, notify_debouncer_full::NoCache>),
}

impl Watcher {
    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match self {
            Watcher::Native(d) => d.watch(path, mode),
            Watcher::Poll(d) => d.watch(path, mode),
        }
    }

    fn unwatch(&mut self, path: &Path) {
        let _ = match self {
            Watcher::Native(d) => d.unwatch(path),
            Watcher::Poll(d) => d.unwatch(path),
        };
    }
}

/// Start watching and the rebuild loop, which owns the watcher from then on.
fn start_watcher(
    options: &ServeOptions,
    session: Session,
    preview: Arc<Preview>,
) -> Result<(), Failure> {
    let root = crate::write::absolute(&options.build.root);
    let (tx, rx) = mpsc::channel::<DebounceEventResult>();
    let native = if options.poll {
        None
    } else {
        match new_debouncer(SETTLE, None, tx.clone()) {
            Ok(d) => Some(Watcher::Native(d)),
            Err(e) => {
                eprintln!("warning: cannot use native file watching ({e}); polling instead");
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
                eprintln!(
                    "warning: cannot watch with native events ({e}); polling instead (see --poll)"
                );
                watched = Watched::default();
                poll_watcher(tx)?
            }
        },
        None => poll_watcher(tx)?,
    };
    let mut watcher = watcher;
    if matches!(watcher, Watcher::Poll(_)) {
        watched
            .refresh(&mut watcher, &root)
            .map_err(|e| Diagnostic::usage(format!("cannot watch {}: {e}", root.display())))?;
    }
    std::thread::spawn(move || rebuild_loop(session, root, rx, watcher, watched, preview));
    Ok(())
}

fn poll_watcher(tx: mpsc::Sender<DebounceEventResult>) -> Result<Watcher, Failure> {
    // notify's poller keeps modification times in whole seconds, so a save in
    // the same second as the last scan would go unseen: compare contents too
    // (it reads every watched file each interval; a fallback can afford that).
    let config = notify::Config::default()
        .with_poll_interval(Duration::from_millis(300))
        .with_compare_contents(true);
    new_debouncer_opt::<_, notify::PollWatcher, _>(
        SETTLE,
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
struct Watched {
    root: bool,
    folders: Vec<&'static str>,
}

impl Watched {
    /// Watch what exists now; whether a folder was newly watched (files made
    /// in it before the watch began are only seen by a rescan).
    fn refresh(&mut self, watcher: &mut Watcher, root: &Path) -> notify::Result<bool> {
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

/// Rebuild at once on the first change (fast feedback), then, while saves
/// keep coming, wait for a quiet moment and rebuild once more: a burst of
/// saves costs two rebuilds and ends with the last content.
fn rebuild_loop(
    mut session: Session,
    root: PathBuf,
    events: mpsc::Receiver<DebounceEventResult>,
    mut watcher: Watcher,
    mut watched: Watched,
    preview: Arc<Preview>,
) {
    let paths_of = |batch: DebounceEventResult| -> Vec<PathBuf> {
        match batch {
            Ok(events) => changed_paths(events),
            Err(errors) => {
                for e in errors {
                    eprintln!("warning: file watching: {e}");
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
        // While an index is being made, look for it more often.
        let wait = if searching.is_some() {
            QUIET
        } else {
            ROOT_CHECK
        };
        let batch = match events.recv_timeout(wait) {
            Ok(batch) => batch,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if watched.refresh(&mut watcher, &root).unwrap_or(false) {
                    rebuild(&mut session, &root, std::slice::from_ref(&root), &preview);
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
        let deadline = Instant::now() + MID_SAVE_WAIT;
        while watch::articles_gone(&root, &paths) {
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
        if !rebuild(&mut session, &root, &paths, &preview) {
            continue;
        }
        if watched.refresh(&mut watcher, &root).unwrap_or(false) {
            rebuild(&mut session, &root, std::slice::from_ref(&root), &preview);
        }
        let mut pending: Vec<PathBuf> = Vec::new();
        let mut burst = Instant::now();
        loop {
            match events.recv_timeout(QUIET) {
                Ok(batch) => {
                    pending.extend(paths_of(batch));
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

/// Rebuild if `paths` hold a relevant change; log what happened. Whether it rebuilt.
fn rebuild(session: &mut Session, root: &Path, paths: &[PathBuf], preview: &Preview) -> bool {
    let change = watch::classify(root, paths);
    if change == Change::None {
        return false;
    }
    let start = Instant::now();
    let what = describe(root, paths);
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

/// Serve an update's pages and log it; after the first stage of a staged
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
    log_stages(&result);
    let staged = result.as_ref().is_ok_and(|u| !u.pending.is_empty());
    report(preview.apply(result, message), what, start);
    if !staged {
        return;
    }
    let Some(result) = session.finish() else {
        preview.settle();
        return;
    };
    log_stages(&result);
    match result {
        Ok(update) => {
            let (pages, others) = count(&update.changed);
            eprintln!(
                "  and every page that shows it: {pages} page{}{} in {} ms{}",
                plural(pages),
                others_text(others),
                start.elapsed().as_millis(),
                if update.incremental {
                    ""
                } else {
                    " (full rebuild)"
                }
            );
            preview.swap(Snapshot {
                files: update.files,
                pending: update.pending,
            });
        }
        Err(failure) => {
            // The pages of the first stage stay, with the error over them.
            preview.settle();
            report(preview.apply(Err(failure), "reload"), what, start);
        }
    }
}

fn count(changed: &[String]) -> (usize, usize) {
    let pages = changed.iter().filter(|p| p.ends_with(".html")).count();
    (pages, changed.len() - pages)
}

fn others_text(others: usize) -> String {
    if others > 0 {
        format!(" and {others} other file{}", plural(others))
    } else {
        String::new()
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
        Ok(update) => !update.changed.is_empty() || !update.pending.is_empty(),
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

/// With `MEND_LOG=debug`, the time of each stage of a rebuild.
fn log_stages(result: &Result<Update, Failure>) {
    if let Ok(update) = result
        && debug()
    {
        for (stage, took) in &update.report.stages {
            eprintln!("  {stage:<13} {:>8.1} ms", took.as_secs_f64() * 1000.0);
        }
    }
}

/// Whether `MEND_LOG=debug` asks for each rebuild's details.
fn debug() -> bool {
    std::env::var("MEND_LOG").is_ok_and(|v| v.eq_ignore_ascii_case("debug"))
}

/// Log what a rebuild did.
fn report(outcome: Outcome, what: &str, start: Instant) {
    match outcome {
        // A save that changed nothing (an editor's last event of a save
        // already rebuilt, an unchanged file written again) is not news.
        Outcome::Built {
            changed,
            recovered: false,
            ..
        } if changed.is_empty() => {
            if debug() {
                eprintln!(
                    "{what}: nothing changed ({} ms)",
                    start.elapsed().as_millis()
                );
            }
        }
        Outcome::Built {
            changed,
            incremental,
            warnings,
            ..
        } => {
            for w in warnings {
                eprintln!("{w}\n");
            }
            let (pages, others) = count(&changed);
            eprintln!(
                "{what} changed: {pages} page{}{} in {} ms{}",
                plural(pages),
                others_text(others),
                start.elapsed().as_millis(),
                if incremental { "" } else { " (full rebuild)" }
            );
        }
        Outcome::Failed(failure) => {
            eprintln!(
                "{what} changed: the build failed; still serving the last good pages\n\n{failure}\n"
            );
        }
    }
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
