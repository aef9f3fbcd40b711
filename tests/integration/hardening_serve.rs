//! Rows SRV, SRV-W, LR and W of ../shared/RELIABILITY.md (the preview
//! server, live reload and the watcher), named by their IDs; then a load test
//! and a soak test of `mend serve`.
//!
//! Requests go out as raw bytes over a `TcpStream`. A canary file holding
//! `CANARY-7f3a` sits in the project root (one level above the site) and in
//! the system temp dir (one level above the project); every request row checks
//! that no answer contains it and that `GET /` still answers 200 afterwards.

mod connections;
mod live_reload;
mod load_and_soak;
mod paths_and_hosts;
mod responses;
mod watcher;

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::harness::{Site, tree};
use crate::serve::{Server, article, read_text_frame, save, settle, status_of, wait_for, write};

const CANARY: &str = "CANARY-7f3a";

/// One article, a copy of the default theme (so rows can add theme files) and
/// the canaries.
fn site() -> Site {
    let site = Site::new();
    site.article("a", "apology", "Article text.\n");
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    for (rel, bytes) in tree(&theme) {
        let to = site.root().join("themes/default").join(rel);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::write(to, bytes).unwrap();
    }
    plant_canaries(&site);
    site
}

/// The project root's canary, and the shared one in the temp dir (written
/// atomically: tests running at once all write it).
fn plant_canaries(site: &Site) {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    fs::write(site.root().join("canary"), CANARY).unwrap();
    let shared = std::env::temp_dir().join("canary");
    if fs::read_to_string(&shared).ok().as_deref() != Some(CANARY) {
        let tmp = std::env::temp_dir().join(format!(
            ".canary-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        fs::write(&tmp, CANARY).unwrap();
        fs::rename(&tmp, &shared).unwrap();
    }
}

/// `GET target` for 127.0.0.1, closing after the answer.
fn get(target: impl AsRef<[u8]>) -> Vec<u8> {
    let mut request = b"GET ".to_vec();
    request.extend_from_slice(target.as_ref());
    request.extend_from_slice(b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    request
}

/// Send `request`; the answer must not hold the canary, and `GET /` must
/// still work afterwards. Gives the status and the whole response.
#[track_caller]
fn probe(server: &Server, request: &[u8]) -> (u16, String) {
    let response = String::from_utf8_lossy(&server.raw_bytes(request)).into_owned();
    let shown = String::from_utf8_lossy(&request[..request.len().min(90)]).into_owned();
    assert!(
        !response.contains(CANARY),
        "{shown:?} leaked the canary:\n{response}"
    );
    assert_eq!(server.status("/"), 200, "GET / after {shown:?}");
    (status_of(&response), response)
}

/// A header's value (the first with that name).
fn header<'a>(response: &'a str, name: &str) -> Option<&'a str> {
    let head = response.split("\r\n\r\n").next()?;
    head.lines().skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

fn body(response: &str) -> &str {
    response.split_once("\r\n\r\n").map_or("", |(_, b)| b)
}

fn rebuilds(server: &Server) -> usize {
    server.log().matches(" changed: ").count()
}

fn origin(server: &Server) -> String {
    format!("http://127.0.0.1:{}", server.port)
}

/// Write `text` to `articles/NAME` through a hidden temp file and a rename,
/// as editors do, so no build ever sees it half written.
fn save_atomically(root: &Path, name: &str, text: &str) {
    let tmp = root.join(format!("articles/.{name}.tmp"));
    fs::write(&tmp, text).unwrap();
    fs::rename(&tmp, root.join("articles").join(name)).unwrap();
}

/// A masked client frame (RFC 6455 section 5.3).
fn client_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mask = [0x12, 0x34, 0x56, 0x78];
    let mut frame = vec![0x80 | opcode];
    match payload.len() {
        n if n < 126 => frame.push(0x80 | n as u8),
        n if n <= 0xffff => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    frame
}

/// Read server frames until the server closes the socket (end of stream, a
/// reset or a close frame): true; false if it stays open for 5 s. The
/// payloads of text frames read on the way are appended to `texts`.
fn closed_by_server(stream: &mut TcpStream, texts: &mut String) -> bool {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        // Parse whole frames (server frames are unmasked).
        while buf.len() >= 2 {
            let (opcode, short) = (buf[0] & 0x0f, (buf[1] & 0x7f) as usize);
            let (len, start) = match short {
                126 if buf.len() >= 4 => (u16::from_be_bytes([buf[2], buf[3]]) as usize, 4),
                127 if buf.len() >= 10 => (
                    u64::from_be_bytes(buf[2..10].try_into().unwrap()) as usize,
                    10,
                ),
                126 | 127 => break,
                n => (n, 2),
            };
            if buf.len() < start + len {
                break;
            }
            if opcode == 0x8 {
                return true;
            }
            if opcode == 0x1 {
                texts.push_str(&String::from_utf8_lossy(&buf[start..start + len]));
            }
            buf.drain(..start + len);
        }
        match stream.read(&mut chunk) {
            Ok(0) => return true,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return false;
            }
            Err(_) => return true,
        }
    }
}

/// Open file descriptors of a process.
#[cfg(target_os = "linux")]
fn fd_count(pid: u32) -> usize {
    fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count())
        .unwrap_or(0)
}

/// Resident memory of a process in KiB.
#[cfg(target_os = "linux")]
fn rss_kib(pid: u32) -> u64 {
    fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// inotify watches a process holds, from /proc/PID/fdinfo.
#[cfg(target_os = "linux")]
fn inotify_watches(pid: u32) -> usize {
    let Ok(dir) = fs::read_dir(format!("/proc/{pid}/fdinfo")) else {
        return 0;
    };
    dir.filter_map(|e| fs::read_to_string(e.ok()?.path()).ok())
        .map(|info| {
            info.lines()
                .filter(|l| l.starts_with("inotify wd:"))
                .count()
        })
        .sum()
}

/// The descriptors of a server at rest: once it has answered a request (its
/// runtime starts after it prints its address), the fewest seen over 250 ms.
#[cfg(target_os = "linux")]
fn resting_fds(server: &Server) -> usize {
    assert_eq!(server.status("/"), 200);
    (0..5)
        .map(|_| {
            std::thread::sleep(Duration::from_millis(50));
            fd_count(server.pid())
        })
        .min()
        .unwrap_or(0)
}

/// Wait (with the generous deadline) until the server holds no more descriptors than
/// `baseline`; the count it settled at.
#[cfg(target_os = "linux")]
fn fds_settle(pid: u32, baseline: usize) -> usize {
    let start = Instant::now();
    loop {
        let now = fd_count(pid);
        if now <= baseline || start.elapsed() > crate::serve::DEADLINE {
            return now;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Raise this process's soft limit on open files to `want` (or the hard
/// limit) with util-linux `prlimit`, so a test can hold `want` sockets; the
/// servers it starts afterwards inherit it.
#[cfg(target_os = "linux")]
fn raise_fd_limit(want: u64) -> u64 {
    let soft_and_hard = || -> (u64, u64) {
        let limits = fs::read_to_string("/proc/self/limits").unwrap_or_default();
        let line = limits
            .lines()
            .find(|l| l.starts_with("Max open files"))
            .unwrap_or_default();
        let mut numbers = line.split_whitespace().filter_map(|w| {
            w.parse::<u64>()
                .ok()
                .or((w == "unlimited").then_some(u64::MAX))
        });
        (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0))
    };
    let (soft, hard) = soft_and_hard();
    if soft < want {
        let target = want.min(hard);
        let _ = Command::new("prlimit")
            .arg(format!("--pid={}", std::process::id()))
            .arg(format!("--nofile={target}:{hard}"))
            .status();
    }
    soft_and_hard().0
}
