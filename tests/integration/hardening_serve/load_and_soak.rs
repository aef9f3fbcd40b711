//! A load test and a soak test of `mend serve`.

use super::connections::{Footprint, KEEP_ALIVE_GET, read_response, runtime};
use super::*;

/// GETs on one keep-alive connection every 500 ms until `stop`; how many.
async fn looping_client(
    port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> Result<usize, String> {
    use tokio::io::AsyncWriteExt;
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let mut buf = Vec::new();
    let mut answered = 0;
    while !stop.load(Ordering::Relaxed) {
        stream
            .write_all(KEEP_ALIVE_GET)
            .await
            .map_err(|e| format!("write after {answered}: {e}"))?;
        match read_response(&mut stream, &mut buf).await {
            Ok(200) => answered += 1,
            other => return Err(format!("after {answered}: {other:?}")),
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Ok(answered)
}

/// A slowloris client: one header byte every 3 s; how long until the server
/// closed the connection (`None`: it never did).
async fn slowloris(port: u16) -> Option<Duration> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .ok()?;
    let opened = Instant::now();
    let mut buf = [0u8; 256];
    for byte in b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: yes\r\n" {
        if stream.write_all(&[*byte]).await.is_err() {
            return Some(opened.elapsed());
        }
        if tokio::time::timeout(Duration::from_secs(3), stream.read(&mut buf))
            .await
            .is_ok()
        {
            return Some(opened.elapsed());
        }
    }
    None
}

#[cfg(target_os = "linux")]
#[test]
fn load_500_keep_alive_and_200_slowloris_clients_leave_the_server_responsive() {
    let site = site();
    let server = Server::start(&site, &[]);
    let port = server.port;
    let footprint = Footprint::at_rest(&server, 1600);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let runtime = runtime();
    let loopers: Vec<_> = (0..500)
        .map(|_| runtime.spawn(looping_client(port, std::sync::Arc::clone(&stop))))
        .collect();
    let slow: Vec<_> = (0..200).map(|_| runtime.spawn(slowloris(port))).collect();
    // Ordinary requests on fresh connections while all of that is open.
    let start = Instant::now();
    let mut normal = Vec::new();
    for at in [2, 5, 8] {
        std::thread::sleep(Duration::from_secs(at).saturating_sub(start.elapsed()));
        assert_eq!(server.status("/articles/a/"), 200);
        normal.push(start.elapsed());
    }
    let cut_off: Vec<Option<Duration>> = runtime.block_on(async {
        let mut out = Vec::new();
        for client in slow {
            out.push(client.await.unwrap());
        }
        out
    });
    stop.store(true, Ordering::Relaxed);
    let answered: Vec<Result<usize, String>> = runtime.block_on(async {
        let mut out = Vec::new();
        for client in loopers {
            out.push(client.await.unwrap());
        }
        out
    });
    drop(runtime);
    let mut server = server;
    assert!(server.alive());
    let failed: Vec<&String> = answered.iter().filter_map(|a| a.as_ref().err()).collect();
    assert!(
        failed.is_empty(),
        "{} keep-alive clients failed, e.g. {:?}",
        failed.len(),
        failed.first()
    );
    // Every keep-alive client was answered again and again all along (one
    // GET every 500 ms; how many depends on the machine, so only "more than
    // once" is judged).
    let gets: usize = answered.iter().filter_map(|a| a.as_ref().ok()).sum();
    let fewest = answered.iter().filter_map(|a| a.as_ref().ok()).min();
    assert!(
        fewest >= Some(&2),
        "a keep-alive client got {fewest:?} answers"
    );
    let cut: Vec<Duration> = cut_off.iter().filter_map(|c| *c).collect();
    assert_eq!(cut.len(), 200, "some slowloris clients were never cut off");
    let (first, last) = (cut.iter().min().unwrap(), cut.iter().max().unwrap());
    // Not before the 10 s header timeout (a busy machine only makes it later).
    assert!(
        *first >= Duration::from_secs(8),
        "slowloris clients cut off between {first:?} and {last:?}"
    );
    // The normal requests of 2 s and 5 s were answered while every slowloris
    // client still held its connection: none was kept waiting for a slot.
    assert!(
        normal[..2].iter().all(|at| at < first),
        "normal requests answered at {normal:?}, after slowloris clients were cut at {first:?}"
    );
    // Measured: about 12 MiB more for 700 connections.
    let footprint = footprint.check();
    eprintln!(
        "load: {gets} GETs; normal requests {normal:?}; slowloris cut after {first:?}..{last:?}; {footprint}"
    );
}

/// `served` is `built` with the live-reload script before `</body>` and nothing else.
fn is_built_page_plus_reload_script(served: &[u8], built: &[u8]) -> bool {
    let at = built
        .windows(7)
        .rposition(|w| w == b"</body>")
        .unwrap_or(built.len());
    if served.len() <= built.len()
        || !served.starts_with(&built[..at])
        || !served.ends_with(&built[at..])
    {
        return false;
    }
    let added = String::from_utf8_lossy(&served[at..served.len() - (built.len() - at)]);
    added.starts_with("<script>")
        && added.ends_with("</script>")
        && added.matches("<script>").count() == 1
        && added.contains("/__mend/livereload")
}

#[cfg(target_os = "linux")]
#[test]
fn soak_1000_saves_across_50_files_end_as_a_fresh_build() {
    let site = Site::new();
    let text = |i: usize, save: usize| {
        // Every tenth save renames the article (all pages list titles).
        let title = if save % 10 == 0 {
            format!("Article {i} at save {save}")
        } else {
            format!("Article {i}")
        };
        format!(
            "---\ntitle: {title}\nsummary: Number {i}.\nthemes: [apology]\n---\nBody of {i}, save {save}.\n\n[[a{:02}]]\n",
            (i + 1) % 50
        )
    };
    for i in 0..50 {
        site.file(&format!("articles/a{i:02}.md"), &text(i, 0));
    }
    let mut server = Server::start(&site, &[]);
    let pid = server.pid();
    let (fds, watches) = (resting_fds(&server), inotify_watches(pid));
    let start = Instant::now();
    for save in 1..=1000 {
        let i = (save * 7) % 50;
        let name = format!("a{i:02}.md");
        if save % 2 == 0 {
            save_atomically(site.root(), &name, &text(i, save));
        } else {
            write(site.root(), &format!("articles/{name}"), &text(i, save));
        }
        std::thread::sleep(Duration::from_millis(3));
    }
    let saving = start.elapsed();
    // Settled: the last save is served, every event dealt with and the
    // search index made.
    wait_for("the last save", || {
        server.get("/articles/a00/").contains("save 1000.")
    });
    settle(&server, site.root());
    let seen = rebuilds(&server);
    assert!(server.alive());
    site.build();
    let built = tree(&site.root().join("site"));
    let mut pages = 0;
    for (path, bytes) in &built {
        let path = path.to_string_lossy().replace('\\', "/");
        if path.starts_with('.') {
            continue;
        }
        let response = server.raw_bytes(&get(format!("/{path}")));
        let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        assert!(response.starts_with(b"HTTP/1.1 200"), "{path}");
        let served = &response[split..];
        if path.ends_with(".html") {
            assert!(
                is_built_page_plus_reload_script(served, bytes),
                "{path} differs from the build:\n--- served\n{}\n--- built\n{}",
                String::from_utf8_lossy(served),
                String::from_utf8_lossy(bytes)
            );
            pages += 1;
        } else {
            assert!(served == &bytes[..], "{path} differs from the build");
        }
    }
    assert!(pages > 50, "{pages} pages compared");
    let log = server.log();
    assert!(!log.contains("panicked"), "{log}");
    let after = fds_settle(pid, fds);
    assert!(after <= fds + 2, "{fds} descriptors before, {after} after");
    assert_eq!(inotify_watches(pid), watches, "inotify watches leaked");
    eprintln!(
        "soak: 1,000 saves in {saving:?}, {seen} rebuilds, {pages} pages and {} other files identical to the build; fds {fds} -> {after}, {watches} watches",
        built.len() - pages
    );
}
