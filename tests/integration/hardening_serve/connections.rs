//! SRV-22 to SRV-24: slow, many and idle clients, and taken ports.

use super::*;

#[test]
fn srv_22_slowloris_clients_are_cut_off_and_others_are_still_served() {
    let site = site();
    let server = Server::start(&site, &[]);
    let request = format!(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: {}",
        "s".repeat(10)
    );
    let mut clients: Vec<(TcpStream, Instant, Option<Duration>)> = (0..200)
        .map(|_| {
            let stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
            stream.set_nonblocking(true).unwrap();
            (stream, Instant::now(), None)
        })
        .collect();
    let start = Instant::now();
    let (mut sent, mut next_byte) = (0, start);
    let mut normal = Vec::new();
    let mut buf = [0u8; 1024];
    while clients.iter().any(|c| c.2.is_none()) && start.elapsed() < crate::serve::DEADLINE {
        // One header byte every 5 s from each client still connected.
        if Instant::now() >= next_byte {
            for (stream, _, closed) in &mut clients {
                if closed.is_none() {
                    let _ = stream.write(&request.as_bytes()[sent..=sent]);
                }
            }
            sent += 1;
            next_byte += Duration::from_secs(5);
        }
        for (stream, opened, closed) in &mut clients {
            if closed.is_none() {
                match stream.read(&mut buf) {
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    _ => *closed = Some(opened.elapsed()),
                }
            }
        }
        // Meanwhile, ordinary requests get through: before any slow client
        // is cut off (so no slot had to be freed for them).
        if normal.len() < 3 && start.elapsed() > Duration::from_secs([1, 4, 7][normal.len()]) {
            assert_eq!(server.status("/"), 200);
            normal.push((
                clients.iter().filter(|c| c.2.is_some()).count(),
                start.elapsed(),
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let closed: Vec<Duration> = clients.iter().filter_map(|c| c.2).collect();
    assert_eq!(closed.len(), 200, "some slow clients were never cut off");
    let (first, last) = (closed.iter().min().unwrap(), closed.iter().max().unwrap());
    // The header timeout is 10 s: nobody is cut before it (a busy machine
    // can only make the cut later).
    assert!(
        *first >= Duration::from_secs(8),
        "cut off between {first:?} and {last:?}"
    );
    assert_eq!(normal.len(), 3);
    assert_eq!(
        normal[0].0, 0,
        "the first normal request (answered at {:?}) waited for slow clients to be cut",
        normal[0].1
    );
}

/// How a keep-alive client of the load rows ended.
enum ClientEnd {
    /// Every GET answered 200; the server closed the connection after it sat idle this long.
    Served {
        idle: Duration,
    },
    /// The first answer was a 503: over the connection cap.
    Refused,
    Failed(String),
}

/// Read one response (head and a Content-Length body) off a keep-alive connection; its status.
pub(super) async fn read_response(
    stream: &mut tokio::net::TcpStream,
    buf: &mut Vec<u8>,
) -> std::io::Result<u16> {
    use tokio::io::AsyncReadExt;
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end + 4]).into_owned();
            let len: usize = header(&head, "content-length")
                .and_then(|l| l.parse().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                buf.drain(..end + 4 + len);
                return Ok(status_of(&head));
            }
        }
        let mut chunk = [0u8; 16 * 1024];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

pub(super) const KEEP_ALIVE_GET: &[u8] = b"GET /articles/a/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

/// `gets` GETs on one connection, then sit idle until the server closes it.
async fn keep_alive_client(port: u16, gets: usize) -> ClientEnd {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else {
        return ClientEnd::Failed("connect".into());
    };
    let mut buf = Vec::new();
    for i in 0..gets {
        if let Err(e) = stream.write_all(KEEP_ALIVE_GET).await {
            return ClientEnd::Failed(format!("write {i}: {e}"));
        }
        match read_response(&mut stream, &mut buf).await {
            Ok(200) => {}
            Ok(503) if i == 0 => return ClientEnd::Refused,
            other => return ClientEnd::Failed(format!("GET {i}: {other:?}")),
        }
    }
    let idle = Instant::now();
    let mut byte = [0u8; 1];
    match tokio::time::timeout(Duration::from_secs(40), stream.read(&mut byte)).await {
        Ok(Ok(0) | Err(_)) => ClientEnd::Served {
            idle: idle.elapsed(),
        },
        Ok(Ok(_)) => ClientEnd::Failed("bytes after the last response".into()),
        Err(_) => ClientEnd::Failed("an idle connection was never closed".into()),
    }
}

/// Sample a process's RSS every 100 ms until dropped; the peak in KiB.
#[cfg(target_os = "linux")]
struct RssPeak {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    sampler: Option<std::thread::JoinHandle<u64>>,
}

#[cfg(target_os = "linux")]
impl RssPeak {
    fn watch(pid: u32) -> RssPeak {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let done = std::sync::Arc::clone(&stop);
        let sampler = std::thread::spawn(move || {
            let mut peak = 0;
            while !done.load(Ordering::Relaxed) {
                peak = peak.max(rss_kib(pid));
                std::thread::sleep(Duration::from_millis(100));
            }
            peak
        });
        RssPeak {
            stop,
            sampler: Some(sampler),
        }
    }

    fn peak(mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.sampler.take().map_or(0, |s| s.join().unwrap())
    }
}

#[cfg(target_os = "linux")]
pub(super) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A server's memory and open files at rest, and its memory's peak while
/// a load test runs.
#[cfg(target_os = "linux")]
pub(super) struct Footprint {
    pid: u32,
    fds: usize,
    rss: u64,
    peak: RssPeak,
}

#[cfg(target_os = "linux")]
impl Footprint {
    /// Raise the open-file limit to what the test needs (or fail), and
    /// take the server's footprint at rest.
    pub(super) fn at_rest(server: &Server, open_files: u64) -> Footprint {
        let limit = raise_fd_limit(4096);
        assert!(
            limit >= open_files,
            "this test needs {open_files} open files; the soft limit is {limit}"
        );
        let pid = server.pid();
        Footprint {
            pid,
            fds: resting_fds(server),
            rss: rss_kib(pid),
            peak: RssPeak::watch(pid),
        }
    }

    /// After the load: memory grew by less than 48 MiB (measured: about
    /// 17 KiB per connection, hyper's buffers and a task; 48 MiB allows a
    /// whole 64 KiB request head for each of 700 or more), and the open
    /// files are back to rest. What it saw, for the test's log line.
    pub(super) fn check(self) -> String {
        let Footprint {
            pid,
            fds,
            rss,
            peak,
        } = self;
        let peak = peak.peak();
        assert!(
            peak.saturating_sub(rss) < 48 * 1024,
            "RSS {rss} KiB -> peak {peak} KiB"
        );
        let after = fds_settle(pid, fds);
        assert!(after <= fds + 3, "{fds} descriptors before, {after} after");
        format!("RSS {rss} -> {peak} KiB; fds {fds} -> {after}")
    }
}

#[cfg(target_os = "linux")]
#[test]
fn srv_23_a_thousand_keep_alive_clients_are_served_or_refused_and_closed_when_idle() {
    let site = site();
    let server = Server::start(&site, &[]);
    let port = server.port;
    let footprint = Footprint::at_rest(&server, 2200);
    let ends: Vec<ClientEnd> = runtime().block_on(async move {
        let clients: Vec<_> = (0..1000)
            .map(|_| tokio::spawn(keep_alive_client(port, 3)))
            .collect();
        let mut ends = Vec::new();
        for client in clients {
            ends.push(client.await.unwrap());
        }
        ends
    });
    let failed: Vec<&str> = ends
        .iter()
        .filter_map(|e| match e {
            ClientEnd::Failed(why) => Some(why.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        failed.is_empty(),
        "{} failed, e.g. {:?}",
        failed.len(),
        failed.first()
    );
    let idles: Vec<Duration> = ends
        .iter()
        .filter_map(|e| match e {
            ClientEnd::Served { idle } => Some(*idle),
            _ => None,
        })
        .collect();
    let refused = ends.len() - idles.len();
    // Served up to the cap, and the rest told so with a 503 at once.
    assert!(
        idles.len() <= mend::serve::MAX_CONNECTIONS,
        "{} served",
        idles.len()
    );
    assert!(
        idles.len() >= mend::serve::MAX_CONNECTIONS - 50,
        "{} served",
        idles.len()
    );
    assert_eq!(refused, 1000 - idles.len());
    // Idle keep-alive connections are closed by the header timeout (10 s),
    // within the catalogue's 30 s.
    let (shortest, longest) = (idles.iter().min().unwrap(), idles.iter().max().unwrap());
    assert!(
        *shortest >= Duration::from_secs(8) && *longest <= Duration::from_secs(30),
        "idle connections closed after {shortest:?} to {longest:?}"
    );
    // Measured: about 13 MiB more for 768 connections.
    let footprint = footprint.check();
    eprintln!(
        "srv_23: {} served, {refused} refused; idle closed after {shortest:?}..{longest:?}; {footprint}",
        idles.len()
    );
}

/// Start `mend serve --port PORT` and give it 10 s to exit; its exit code and stderr.
fn serve_expecting_exit(site: &Site, port: u16) -> (Option<i32>, String) {
    let log = site.root().join("exit.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_mend"))
        .args(["serve", "--port", &port.to_string()])
        .current_dir(site.root())
        .stdout(std::process::Stdio::null())
        .stderr(fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if start.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (code, fs::read_to_string(log).unwrap())
}

#[test]
fn srv_24_a_taken_port_moves_on_and_ten_taken_ports_exit_2() {
    let site = site();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let server = Server::start(&site, &["--port", &port.to_string()]);
    assert_ne!(server.port, port);
    wait_for("the note", || {
        server.log().contains(&format!(
            "port {port} is in use; serving on {} instead",
            server.port
        ))
    });
    drop(server);
    // Ten ports in a row, all taken.
    let (base, _held) = (0..100)
        .find_map(|_| {
            let first = std::net::TcpListener::bind("127.0.0.1:0").ok()?;
            let base = first.local_addr().ok()?.port();
            let mut held = vec![first];
            for p in base.checked_add(1)?..=base.checked_add(9)? {
                held.push(std::net::TcpListener::bind(("127.0.0.1", p)).ok()?);
            }
            Some((base, held))
        })
        .expect("ten free ports in a row");
    let (code, stderr) = serve_expecting_exit(&site, base);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "error: address 127.0.0.1:{base} is in use, and so are the next 9 ports: "
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: pass another --port, or 0 to let the system choose"),
        "{stderr}"
    );
}
