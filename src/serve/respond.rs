//! The preview's answers: pages from the last good build with the reload
//! script (and the overlay after a failed one), and the live-reload socket.
//!
//! Takes a request and the [`Preview`]; gives a response. Checks the Host on
//! every request and the Origin of a socket; serves GET and HEAD only, from
//! memory. Never reads the disk.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::broadcast;

use super::http::{self, Route};
use super::{MAX_PINGS_PER_SECOND, MAX_TARGET_BYTES, Preview, conn};

/// A panic in a handler answers that request with a 500 instead of dropping
/// the connection without a word.
pub(super) async fn catch_panics(request: Request, next: axum::middleware::Next) -> Response {
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

pub(super) async fn page(State(preview): State<Arc<Preview>>, request: Request) -> Response {
    failpoint(request.uri().path());
    if let Some(refusal) = refusal(&preview, &request) {
        return refusal;
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
    let (content_type, bytes) = match (&path, &error) {
        (Some(path), _) => file(&site, path, error.as_deref()),
        (None, Some(error)) => ("text/html; charset=utf-8", http::error_page(error)),
        (None, None) => return plain(StatusCode::NOT_FOUND, "not found\n"),
    };
    respond(&request, status, content_type, bytes)
}

/// The answer to a request no page is served for: an unknown Host, a method
/// other than GET and HEAD, a target that is not a path or is too long.
fn refusal(preview: &Preview, request: &Request) -> Option<Response> {
    if let Some(refusal) = host_refusal(preview, request.headers()) {
        return Some(refusal);
    }
    let method = request.method();
    if method != Method::GET && method != Method::HEAD {
        let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return Some(response);
    }
    // Only a path: not `http://host/...` (the Host check would not cover it), `*` or `name`.
    if request.uri().authority().is_some() || !request.uri().path().starts_with('/') {
        return Some(plain(
            StatusCode::BAD_REQUEST,
            "bad request: the target must be a path\n",
        ));
    }
    let target = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    (target > MAX_TARGET_BYTES).then(|| plain(StatusCode::URI_TOO_LONG, "URI too long\n"))
}

/// A site file's type and bytes; a page carries the build error's overlay.
fn file(site: &http::Snapshot, path: &str, error: Option<&str>) -> (&'static str, Vec<u8>) {
    let bytes = site.files.get(path).map(|b| b.to_vec()).unwrap_or_default();
    if path.ends_with(".html") {
        ("text/html; charset=utf-8", http::inject(&bytes, error))
    } else {
        (http::content_type(path), bytes)
    }
}

/// The response with `bytes` (or the range of them asked for; none for a
/// HEAD) and its headers.
fn respond(
    request: &Request,
    status: StatusCode,
    content_type: &'static str,
    bytes: Vec<u8>,
) -> Response {
    let method = request.method();
    let total = bytes.len();
    let whole_file = status == StatusCode::OK;
    // Ranges apply to GETs of files (RFC 9110: a HEAD ignores them); a
    // conditional range has no validator to match, so it gets everything.
    let range =
        if whole_file && method == Method::GET && !request.headers().contains_key(header::IF_RANGE)
        {
            let asked = request.headers().get(header::RANGE);
            http::range(asked.and_then(|r| r.to_str().ok()), total)
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
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if whole_file {
        headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    }
    if let Some(value) = content_range.and_then(|v| HeaderValue::from_str(&v).ok()) {
        headers.insert(header::CONTENT_RANGE, value);
    }
    response
}

pub(super) async fn livereload(State(preview): State<Arc<Preview>>, request: Request) -> Response {
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
    let Ok(place) = Arc::clone(&preview.live_reloads).try_acquire_owned() else {
        let mut response = plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "too many live-reload sockets are open; close some tabs\n",
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return response;
    };
    // The socket keeps its connection's slot once upgraded, and its own place.
    let slot = parts.extensions.remove::<conn::Slot>();
    let receiver = preview.reload.subscribe();
    upgrade
        .max_message_size(1024)
        .max_frame_size(1024)
        .on_upgrade(move |socket| async move {
            push_reloads(socket, receiver).await;
            drop((place, slot));
        })
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
