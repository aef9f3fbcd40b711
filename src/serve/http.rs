//! The preview server's request rules, as pure functions.
//!
//! Takes a request's method, path, Host and Origin; gives what to serve:
//! which file of the in-memory site, or a refusal. Nothing here reads the disk:
//! the preview serves the last good build from memory, so no request can reach
//! a file outside the site whatever its spelling.

use std::collections::HashMap;
use std::sync::Arc;

use unicode_normalization::UnicodeNormalization;

use crate::render::escape;

/// The path of the live-reload WebSocket.
pub(crate) const LIVERELOAD_PATH: &str = "/__mend/livereload";

/// A built site held in memory: output path -> bytes.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    pub(crate) files: HashMap<Arc<str>, Arc<[u8]>>,
    /// Paths whose new bytes are still being made (see `Session::staged`):
    /// a request for one waits for them.
    pub(crate) pending: std::collections::HashSet<Arc<str>>,
}

/// Where a request path leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// A file of the site, by output path.
    File(String),
    /// A folder asked for without its trailing slash: redirect here.
    Redirect(String),
    NotFound,
    /// A path no site file can have (traversal, NUL, backslash, dotfile...).
    BadPath,
}

/// Percent-decode once; `None` when the result is not UTF-8.
fn decode_once(path: &str) -> Option<String> {
    String::from_utf8(crate::urls::percent_decode_bytes(path)).ok()
}

/// Map a request path (without query) to a site file. A non-ASCII path that
/// names no file is tried again in NFC, so a macOS client's decomposed `é`
/// finds the composed file name.
pub(crate) fn route(site: &Snapshot, raw_path: &str) -> Route {
    let Some(path) = decode_once(raw_path) else {
        return Route::BadPath;
    };
    match route_decoded(site, &path, raw_path) {
        Route::NotFound if !path.is_ascii() => {
            let nfc: String = path.nfc().collect();
            if nfc == path {
                Route::NotFound
            } else {
                route_decoded(site, &nfc, raw_path)
            }
        }
        other => other,
    }
}

fn route_decoded(site: &Snapshot, path: &str, raw_path: &str) -> Route {
    if !path.starts_with('/') || path.contains(['\0', '\\']) || path.chars().any(char::is_control) {
        return Route::BadPath;
    }
    let segments: Vec<&str> = path[1..].split('/').collect();
    let (dirs, last) = segments.split_at(segments.len() - 1);
    for (i, segment) in segments.iter().enumerate() {
        let is_last = i + 1 == segments.len();
        if segment.is_empty() && !is_last {
            return Route::BadPath; // `//`
        }
        if segment.starts_with('.')
            || (i == 0 && segment.len() >= 2 && segment.as_bytes()[1] == b':')
        {
            return Route::BadPath; // `..`, dotfiles, `C:`
        }
    }
    let joined = dirs.join("/");
    let prefix = if joined.is_empty() {
        String::new()
    } else {
        format!("{joined}/")
    };
    let last = last[0];
    if last.is_empty() {
        let index = format!("{prefix}index.html");
        return if site.files.contains_key(index.as_str()) {
            Route::File(index)
        } else {
            Route::NotFound
        };
    }
    let file = format!("{prefix}{last}");
    if site.files.contains_key(file.as_str()) {
        Route::File(file)
    } else if site
        .files
        .contains_key(format!("{file}/index.html").as_str())
    {
        Route::Redirect(format!("{raw_path}/"))
    } else {
        Route::NotFound
    }
}

/// The host part of a Host header or an Origin's authority, without the port;
/// `None` when malformed (`[::1` without its `]`, a port that is not a number).
fn host_name(authority: &str) -> Option<&str> {
    let (name, port) = match authority.strip_prefix('[') {
        Some(rest) => {
            let (name, after) = rest.split_once(']')?;
            match after {
                "" => (name, None),
                _ => (name, Some(after.strip_prefix(':')?)),
            }
        }
        None => match authority.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (authority, None),
        },
    };
    let port_ok =
        port.is_none_or(|p| (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    (port_ok && !name.is_empty()).then_some(name)
}

/// Whether a Host header names this machine (DNS rebinding defence).
pub(crate) fn host_allowed(host: &str, extra: &[String]) -> bool {
    let Some(name) = host_name(host.trim()) else {
        return false;
    };
    let name = name.to_ascii_lowercase();
    name == "localhost"
        || name == "127.0.0.1"
        || name == "::1"
        || name.ends_with(".localhost")
        || extra.iter().any(|e| e.eq_ignore_ascii_case(&name))
}

/// Whether a WebSocket's Origin header is one of this server's pages.
pub(crate) fn origin_allowed(origin: Option<&str>, extra: &[String]) -> bool {
    let Some(origin) = origin else {
        // Browsers always send Origin on WebSocket requests; anything else is not a page of ours.
        return false;
    };
    let Some(authority) = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
    else {
        return false;
    };
    !authority.contains('/') && host_allowed(authority, extra)
}

/// What a `Range` header asks of a body (RFC 9110 section 14.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Range {
    /// Send the whole body: no header, a malformed one, or several ranges
    /// (answering `0-0,0-0,...` part by part would multiply the response).
    Whole,
    /// Send bytes `start..=end`.
    Part { start: usize, end: usize },
    /// The range starts past the end: 416.
    Unsatisfiable,
}

/// Parse a `Range` header for a body of `len` bytes; only one byte range is honoured.
pub(crate) fn range(header: Option<&str>, len: usize) -> Range {
    let Some(spec) = header.and_then(|h| {
        let h = h.trim();
        h.get(..6)
            .filter(|unit| unit.eq_ignore_ascii_case("bytes="))
            .map(|_| h[6..].trim())
    }) else {
        return Range::Whole;
    };
    let Some((first, last)) = spec.split_once('-') else {
        return Range::Whole;
    };
    let number = |s: &str| {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<usize>().ok())
            .flatten()
    };
    match (first, last) {
        ("", suffix) => match number(suffix) {
            Some(0) => Range::Unsatisfiable,
            Some(_) if len == 0 => Range::Unsatisfiable,
            Some(n) => Range::Part {
                start: len.saturating_sub(n),
                end: len - 1,
            },
            None => Range::Whole,
        },
        (first, last) => {
            let Some(start) = number(first) else {
                return Range::Whole;
            };
            let end = match last {
                "" => usize::MAX,
                last => match number(last) {
                    Some(end) if end >= start => end,
                    _ => return Range::Whole,
                },
            };
            if start >= len {
                Range::Unsatisfiable
            } else {
                Range::Part {
                    start,
                    end: end.min(len - 1),
                }
            }
        }
    }
}

/// The Content-Type of an output path, by its extension in any case (a
/// linked `IMG_1.JPG` too: with `nosniff`, an image served as bytes of no
/// type is not shown).
pub(crate) fn content_type(path: &str) -> &'static str {
    let extension = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match extension.as_str() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// The live-reload client: reconnects with back-off, swaps stylesheets on a
/// `css` message and reloads on anything else.
const RELOAD_SCRIPT: &str = r#"<script>(function(){var delay=500;function connect(){var ws=new WebSocket((location.protocol==="https:"?"wss://":"ws://")+location.host+"/__mend/livereload");ws.onopen=function(){delay=500;};ws.onmessage=function(e){if(e.data==="css"){document.querySelectorAll('link[rel="stylesheet"]').forEach(function(l){var u=new URL(l.href);u.searchParams.set("mend-reload",Date.now());l.href=u.href;});}else{location.reload();}};ws.onclose=function(){setTimeout(connect,delay);delay=Math.min(delay*2,10000);};}connect();})();</script>"#;

/// Add the live-reload client, and the error overlay when the last build
/// failed, to an HTML page. `mend build` output never contains either.
pub(crate) fn inject(html: &[u8], error: Option<&str>) -> Vec<u8> {
    inject_with(html, error.map(|e| overlay(e, OVER_A_PAGE)))
}

fn inject_with(html: &[u8], overlay: Option<String>) -> Vec<u8> {
    let mut extra = String::from(RELOAD_SCRIPT);
    if let Some(overlay) = overlay {
        extra.push_str(&overlay);
    }
    let text = String::from_utf8_lossy(html);
    let at = text.rfind("</body>").unwrap_or(text.len());
    let mut out = String::with_capacity(text.len() + extra.len());
    out.push_str(&text[..at]);
    out.push_str(&extra);
    out.push_str(&text[at..]);
    out.into_bytes()
}

/// What the overlay says over the last good page.
const OVER_A_PAGE: &str = "The last change did not build. The page below is the last good version; fix the file and it updates by itself.";
/// What it says when no build has succeeded yet, so there is no page below.
const NO_PAGE_YET: &str =
    "The site did not build yet. Fix the file named below and this page updates by itself.";

/// The overlay's own styles, scoped by its id (which outranks any theme
/// selector) after every property is reverted to the browser's defaults:
/// no theme rule reaches it. Its own palette, light and dark.
const OVERLAY_STYLE: &str = "<style>#mend-overlay,#mend-overlay *{all:revert}#mend-overlay{position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:1.5rem;background:#fffdf8;color:#1d1d1f;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color-scheme:light dark;text-align:left}#mend-overlay p{margin:0 0 1rem;padding:0 0 0 .75rem;border-left:4px solid #b3261e;color:#1d1d1f;font:600 16px/1.4 system-ui,sans-serif}#mend-overlay pre{margin:0;padding:0;white-space:pre-wrap;overflow-wrap:anywhere;background:transparent;color:#1d1d1f;border:0;font:inherit}@media (prefers-color-scheme:dark){#mend-overlay{background:#17181b;color:#f1f1f1}#mend-overlay p{border-color:#ff8a80;color:#f1f1f1}#mend-overlay pre{color:#f1f1f1}}</style>";

/// The error overlay: the build's diagnostics as escaped text under `headline`.
pub(crate) fn overlay(error: &str, headline: &str) -> String {
    format!(
        "<div id=\"mend-overlay\" role=\"alert\">{OVERLAY_STYLE}<p>{headline}</p><pre>{}</pre></div>",
        escape(error)
    )
}

/// A whole page for when no build has succeeded yet.
pub(crate) fn error_page(error: &str) -> Vec<u8> {
    inject_with(
        b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Build failed</title></head><body></body></html>",
        Some(overlay(error, NO_PAGE_YET)),
    )
}

#[cfg(test)]
mod tests;
