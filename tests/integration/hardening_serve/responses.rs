//! SRV-14 to SRV-21: headers, bind address, methods, symbolic links, ranges, panics and error pages.

use super::*;

#[test]
fn srv_14_every_response_has_safe_headers() {
    let site = site();
    let server = Server::start(&site, &[]);
    site.build();
    let index = tree(&site.root().join("site"))
        .into_keys()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .find(|p| p.starts_with("search/") && p.ends_with(".js"))
        .expect("a search index file");
    let request = |method: &str, target: &str, extra: &str| {
        format!(
            "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .into_bytes()
    };
    let cases: Vec<(Vec<u8>, u16, Option<&str>)> = vec![
        (get("/"), 200, Some("text/html; charset=utf-8")),
        (get("/articles/a/"), 200, Some("text/html; charset=utf-8")),
        (get("/style.css"), 200, Some("text/css; charset=utf-8")),
        (get("/search.js"), 200, Some("text/javascript; charset=utf-8")),
        (get(format!("/{index}")), 200, Some("text/javascript; charset=utf-8")),
        (get("/sitemap.xml"), 200, Some("application/xml; charset=utf-8")),
        (get("/robots.txt"), 200, Some("text/plain; charset=utf-8")),
        (get("/nowhere"), 404, Some("text/html; charset=utf-8")),
        (get("/../canary"), 404, Some("text/html; charset=utf-8")),
        (get("/articles/a"), 308, Some("text/plain; charset=utf-8")),
        (get("*"), 400, Some("text/plain; charset=utf-8")),
        (request("POST", "/", ""), 405, Some("text/plain; charset=utf-8")),
        (request("GET", "/", "Range: bytes=0-9\r\n"), 206, Some("text/html; charset=utf-8")),
        (request("GET", "/", "Range: bytes=999999-\r\n"), 416, Some("text/html; charset=utf-8")),
        (
            b"GET / HTTP/1.1\r\nHost: evil.example\r\nOrigin: https://evil.example\r\nConnection: close\r\n\r\n".to_vec(),
            403,
            Some("text/plain; charset=utf-8"),
        ),
        (
            b"GET /__mend/livereload HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://evil.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".to_vec(),
            403,
            Some("text/plain; charset=utf-8"),
        ),
    ];
    for (request, status, content_type) in cases {
        let shown = String::from_utf8_lossy(&request[..40.min(request.len())]).into_owned();
        let (got, response) = probe(&server, &request);
        assert_eq!(got, status, "{shown}");
        assert_eq!(
            header(&response, "access-control-allow-origin"),
            None,
            "{shown}"
        );
        assert_eq!(
            header(&response, "x-content-type-options"),
            Some("nosniff"),
            "{shown}"
        );
        assert_eq!(
            header(&response, "cache-control"),
            Some("no-store"),
            "{shown}"
        );
        assert_eq!(header(&response, "content-type"), content_type, "{shown}");
    }
    // Requests hyper refuses before mend sees them get an empty body (so
    // nothing to sniff) and no CORS header either.
    let (status, response) = probe(&server, &get(format!("/{}", "a".repeat(70_000))));
    assert!(matches!(status, 414 | 431), "{status}");
    assert_eq!(header(&response, "content-length"), Some("0"));
    assert_eq!(header(&response, "access-control-allow-origin"), None);
}

/// This machine's address on its network, if it has one (the source address
/// of a route to a documentation address; no packet is sent).
#[cfg(target_os = "linux")]
fn lan_address() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind(("0.0.0.0", 0)).ok()?;
    socket.connect(("198.51.100.1", 9)).ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

/// Whether `unshare` can make a user namespace here (containers may forbid it).
#[cfg(target_os = "linux")]
pub(super) fn user_namespaces() -> bool {
    Command::new("unshare")
        .args(["--user", "--map-root-user", "true"])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(target_os = "linux")]
#[test]
fn srv_15_the_default_bind_is_loopback_only_and_others_warn() {
    let site = site();
    let server = Server::start(&site, &[]);
    let port = format!(":{:04X}", server.port);
    // Listening sockets (state 0A) on our port: only 127.0.0.1 (0100007F), no IPv6 one.
    let listeners = |table: &str| -> Vec<String> {
        fs::read_to_string(table)
            .unwrap_or_default()
            .lines()
            .skip(1)
            .filter_map(|l| {
                let fields: Vec<&str> = l.split_whitespace().collect();
                (fields.get(3) == Some(&"0A") && fields[1].ends_with(&port))
                    .then(|| fields[1].to_string())
            })
            .collect()
    };
    assert_eq!(listeners("/proc/net/tcp"), [format!("0100007F{port}")]);
    assert_eq!(listeners("/proc/net/tcp6"), Vec::<String>::new());
    match lan_address() {
        Some(lan) => {
            let to = std::net::SocketAddr::new(lan, server.port);
            assert!(
                TcpStream::connect_timeout(&to, Duration::from_secs(2)).is_err(),
                "the preview answers on {to}"
            );
        }
        None => eprintln!("srv_15: no network address here; the /proc/net/tcp check stands in"),
    }
    // Any other interface gets a warning. It is bound inside a new network
    // namespace (only its own loopback, down), so no other machine can reach it.
    if !user_namespaces() {
        eprintln!("srv_15: no user namespaces here; the warning half is not run");
        return;
    }
    let mut command = Command::new("unshare");
    command.args([
        "--user",
        "--map-root-user",
        "--net",
        env!("CARGO_BIN_EXE_mend"),
        "serve",
        "-i",
        "0.0.0.0",
        "-p",
        "0",
    ]);
    let log = site.root().join("wide.log");
    let mut child = command
        .current_dir(site.root())
        .stdout(std::process::Stdio::piped())
        .stderr(fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(line.starts_with("serving http://0.0.0.0:"), "{line}");
    let log = fs::read_to_string(log).unwrap();
    assert!(
        log.contains("warning: serving on 0.0.0.0, which other machines can reach; the preview is meant for this machine only"),
        "{log}"
    );
}

#[test]
fn srv_16_a_rebinding_host_cannot_read_drafts() {
    let site = site();
    site.file(
        "articles/secret.md",
        "---\ntitle: Secret plans\nsummary: S\nthemes: [apology]\ndraft: true\n---\nDRAFT-ONLY-TEXT\n",
    );
    let server = Server::start(&site, &["--drafts"]);
    let own = server.get("/articles/secret/");
    assert_eq!(status_of(&own), 200);
    assert!(
        own.contains("DRAFT-ONLY-TEXT"),
        "the draft is served to this machine"
    );
    for host in [
        "attacker.test".to_string(),
        format!("attacker.test:{}", server.port),
    ] {
        for target in ["/articles/secret/", "/", "/articles/"] {
            let request =
                format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
            let (status, response) = probe(&server, request.as_bytes());
            assert_eq!(status, 403, "{host} {target}");
            assert!(!response.contains("DRAFT-ONLY-TEXT") && !response.contains("Secret plans"));
        }
    }
}

#[test]
fn srv_17_only_get_and_head_are_allowed() {
    let site = site();
    let server = Server::start(&site, &[]);
    let connect = format!(
        "CONNECT 127.0.0.1:{} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        server.port
    );
    let mut requests: Vec<String> = ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"]
        .iter()
        .map(|m| format!("{m} /articles/a/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
        .collect();
    requests.push(connect);
    requests.push("OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".into());
    for request in &requests {
        let (status, response) = probe(&server, request.as_bytes());
        assert_eq!(status, 405, "{request}");
        assert_eq!(header(&response, "allow"), Some("GET, HEAD"), "{request}");
        assert!(
            !response.contains("Article text.") && !response.contains("<html"),
            "{request}"
        );
    }
    let (status, response) = probe(
        &server,
        b"POST /__mend/livereload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 405);
    assert_eq!(header(&response, "allow"), Some("GET"));
}

#[cfg(unix)]
#[test]
fn srv_18_symbolic_links_never_lead_out_of_the_site() {
    use std::os::unix::fs::symlink;
    let site = site();
    site.build();
    let shared = std::env::temp_dir().join("canary");
    let outside = tempfile::tempdir().unwrap();
    fs::write(
        outside.path().join("secret.md"),
        format!("---\ntitle: Leak\nsummary: S\nthemes: [apology]\n---\n{CANARY}\n"),
    )
    .unwrap();
    let root = site.root();
    symlink(&shared, root.join("themes/default/static/leak.txt")).unwrap();
    symlink(std::env::temp_dir(), root.join("themes/default/static/tmp")).unwrap();
    symlink(
        outside.path().join("secret.md"),
        root.join("articles/leak.md"),
    )
    .unwrap();
    // The on-disk output is not what the preview serves, but try it too.
    symlink(&shared, root.join("site/leak.txt")).unwrap();
    let server = Server::start(&site, &[]);
    for target in [
        "/leak.txt",
        "/tmp/canary",
        "/articles/leak/",
        "/site/leak.txt",
        "/themes/default/static/leak.txt",
    ] {
        assert_eq!(probe(&server, &get(target)).0, 404, "{target}");
    }
    for (path, _) in tree(&root.join("site")) {
        let path = path.to_string_lossy().replace('\\', "/");
        if !path.starts_with('.') {
            probe(&server, &get(format!("/{path}")));
        }
    }
    wait_for("the symlink warning", || {
        server
            .log()
            .contains("articles/leak.md: warning: skipped: symbolic links are not followed")
    });
}

#[test]
fn srv_19_head_and_byte_ranges() {
    let site = site();
    let server = Server::start(&site, &[]);
    let request = |method: &str, target: &str, range: &str| {
        format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{range}Connection: close\r\n\r\n")
            .into_bytes()
    };
    for target in ["/articles/a/", "/style.css"] {
        let (status, full) = probe(&server, &get(target));
        assert_eq!(status, 200);
        let whole = body(&full).as_bytes().to_vec();
        let total = whole.len();
        assert_eq!(
            header(&full, "content-length"),
            Some(total.to_string().as_str())
        );
        assert_eq!(header(&full, "accept-ranges"), Some("bytes"));

        let (status, head) = probe(&server, &request("HEAD", target, ""));
        assert_eq!(status, 200);
        assert_eq!(
            header(&head, "content-length"),
            Some(total.to_string().as_str())
        );
        assert_eq!(body(&head), "", "HEAD has no body");
        // A HEAD ignores Range (RFC 9110 section 14.2).
        let (status, _) = probe(&server, &request("HEAD", target, "Range: bytes=0-9\r\n"));
        assert_eq!(status, 200);

        let (status, part) = probe(&server, &request("GET", target, "Range: bytes=0-9\r\n"));
        assert_eq!(status, 206, "{target}");
        assert_eq!(
            header(&part, "content-range"),
            Some(format!("bytes 0-9/{total}").as_str())
        );
        assert_eq!(header(&part, "content-length"), Some("10"));
        assert_eq!(body(&part).as_bytes(), &whole[..10]);

        let (status, tail) = probe(&server, &request("GET", target, "Range: bytes=-7\r\n"));
        assert_eq!(status, 206);
        assert_eq!(body(&tail).as_bytes(), &whole[total - 7..]);

        let (status, beyond) = probe(
            &server,
            &request("GET", target, "Range: bytes=999999999-\r\n"),
        );
        assert_eq!(status, 416);
        assert_eq!(
            header(&beyond, "content-range"),
            Some(format!("bytes */{total}").as_str())
        );
        assert_eq!(body(&beyond), "");

        // A thousand ranges: the whole file once, not a thousand parts.
        let many = format!("Range: bytes={}0-0\r\n", "0-0,".repeat(999));
        let (status, once) = probe(&server, &request("GET", target, &many));
        assert_eq!(status, 200);
        assert_eq!(body(&once).len(), total);

        for malformed in [
            "Range: x\r\n",
            "Range: bytes=9-1\r\n",
            "Range: lines=0-9\r\n",
        ] {
            let (status, response) = probe(&server, &request("GET", target, malformed));
            assert!(matches!(status, 200 | 416), "{malformed}: {status}");
            if status == 200 {
                assert_eq!(body(&response).len(), total, "{malformed}");
            }
        }
    }
    let (status, _) = probe(&server, &request("GET", "/nowhere", "Range: bytes=0-9\r\n"));
    assert_eq!(status, 404, "a missing page ignores Range");
}

#[cfg(unix)]
#[test]
fn srv_20_a_handler_panic_is_a_500_and_disk_faults_never_reach_a_request() {
    // The preview serves a build held in memory: no request reads the disk,
    // so "deleted between stat and read", EISDIR and EACCES cannot happen at
    // request time. What stands in: a debug-build failpoint that makes a
    // handler panic (caught: a 500, and the server lives on), the folder and
    // file mix-ups a request can make, and disk faults during a rebuild.
    let site = site();
    site.article("b", "apology", "Bee.\n");
    let mut command = Command::new(env!("CARGO_BIN_EXE_mend"));
    command
        .args(["serve", "-p", "0"])
        .env("MEND_FAILPOINT", "serve-panic");
    let mut server = Server::start_command(&site, command);
    if cfg!(debug_assertions) {
        for _ in 0..3 {
            let (status, response) = probe(&server, &get("/__mend/panic"));
            assert_eq!(status, 500, "{response}");
            assert_eq!(
                body(&response),
                "internal error in the preview server (details in its terminal)\n"
            );
        }
        assert!(server.alive());
        assert!(server.log().contains("failpoint serve-panic"));
    } else {
        eprintln!("srv_20: release build, no failpoint; the panic half is not run");
    }
    assert_eq!(probe(&server, &get("/articles")).0, 308);
    assert_eq!(probe(&server, &get("/articles/a/index.html/")).0, 404);
    assert_eq!(probe(&server, &get("/style.css/")).0, 404);

    // An article turns into a FIFO: the rebuild skips it without blocking.
    let a = site.root().join("articles/a.md");
    fs::remove_file(&a).unwrap();
    assert!(Command::new("mkfifo").arg(&a).status().unwrap().success());
    wait_for("the FIFO to be skipped", || {
        server.status("/articles/a/") == 404
    });
    assert!(
        server
            .log()
            .contains("articles/a.md: warning: skipped: not a regular file")
    );
    // A file that comes and goes as fast as it can.
    let b = site.root().join("articles/b.md");
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(1) {
        fs::write(&b, article("B", "Flicker.\n")).unwrap();
        let _ = fs::remove_file(&b);
    }
    fs::remove_file(&a).unwrap();
    fs::write(&b, article("B", "Back for good.\n")).unwrap();
    write(site.root(), "articles/a.md", &article("A", "Back again.\n"));
    wait_for("recovery", || {
        server.get("/articles/a/").contains("Back again.")
            && server.get("/articles/b/").contains("Back for good.")
    });
    assert!(server.alive());
    let log = server.log();
    assert_eq!(
        log.matches("panicked").count(),
        if cfg!(debug_assertions) { 3 } else { 0 },
        "{log}"
    );
}

#[test]
fn srv_21_markup_in_a_build_error_shows_as_text() {
    let site = site();
    let bad = |themes: &str| {
        format!("---\ntitle: A\nsummary: S\nthemes: [apology, {themes}]\n---\nBroken.\n")
    };
    site.file("articles/a.md", &bad("<img src=x onerror=alert(1)>"));
    let server = Server::start(&site, &[]);
    // The first build fails: the error page.
    let page = server.get("/");
    assert!(
        page.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{page}"
    );
    assert!(!page.contains("<img src=x"), "{page}");
    write(site.root(), "articles/a.md", &article("A", "Good.\n"));
    wait_for("the fix", || server.get("/articles/a/").contains("Good."));
    // A later edit fails: the overlay over the last good page.
    write(
        site.root(),
        "articles/a.md",
        &bad("</pre><script>alert(1)</script>"),
    );
    // A save read half-written shows another error first; wait for this one.
    wait_for("the overlay", || {
        let page = server.get("/articles/a/");
        page.contains("mend-overlay") && page.contains("&lt;/pre&gt;")
    });
    let page = server.get("/articles/a/");
    assert!(
        page.contains("&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(!page.contains("<script>alert(1)"), "{page}");
}
