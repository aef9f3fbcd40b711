//! SRV-01 to SRV-13: request paths, hosts and request targets.

use super::*;

#[test]
fn srv_01_dot_dot_segments_never_leave_the_site() {
    let site = site();
    let server = Server::start(&site, &[]);
    assert_eq!(
        fs::read_to_string(std::env::temp_dir().join("canary")).unwrap(),
        CANARY
    );
    for target in [
        "/../../../../../../tmp/canary",
        "/../canary",
        "/articles/../../canary",
        "/articles/a/../../../canary",
        "/../../../../../../etc/passwd",
    ] {
        let (status, response) = probe(&server, &get(target));
        assert!(matches!(status, 400 | 404), "{target}: {status}");
        assert!(!response.contains("root:x:0:0"), "{target}");
    }
}

#[test]
fn srv_02_percent_encoded_traversal_is_refused() {
    let site = site();
    let mut server = Server::start(&site, &[]);
    for target in [
        "/%2e%2e/%2e%2e/tmp/canary",
        "/%2E%2E/canary",
        "/..%2f..%2ftmp%2fcanary",
        "/%2e%2e%2fcanary",
        "/.%2e/canary",
        "/%2e./canary",
        "/%2e%2e%5ccanary",
        "/articles/%2e%2e/%2e%2e/canary",
    ] {
        let (status, _) = probe(&server, &get(target));
        assert!(matches!(status, 400 | 404), "{target}: {status}");
        assert!(server.alive(), "the server died on {target}");
    }
}

#[test]
fn srv_03_double_encoded_traversal_is_decoded_once() {
    let site = site();
    // `%41.txt` is a real file name: one decode of `%2541.txt` must find it,
    // and `%41.txt` itself decodes to `A.txt`, which does not exist.
    site.file("themes/default/static/%41.txt", "percent-named file");
    let server = Server::start(&site, &[]);
    for target in [
        "/%252e%252e%252f%252e%252e%252ftmp/canary",
        "/%252e%252e/%252e%252e/canary",
        "/%25252e%25252e/canary",
    ] {
        assert_eq!(probe(&server, &get(target)).0, 404, "{target}");
    }
    let (status, response) = probe(&server, &get("/%2541.txt"));
    assert_eq!(status, 200);
    assert_eq!(body(&response), "percent-named file");
    assert_eq!(probe(&server, &get("/%41.txt")).0, 404);
}

#[test]
fn srv_04_query_and_fragment_play_no_part_in_file_mapping() {
    let site = site();
    let server = Server::start(&site, &[]);
    let home = server.get("/");
    for target in ["/index.html?raw??", "/?import&raw", "/?../../canary"] {
        let (status, response) = probe(&server, &get(target));
        assert_eq!(status, 200, "{target}");
        assert_eq!(body(&response), body(&home), "{target}");
    }
    let (status, response) = probe(&server, &get("/articles/a/?path=../../../canary"));
    assert_eq!(status, 200);
    assert!(body(&response).contains("Article text."));
    for target in ["/x?import&raw", "/x?raw", "/x#../../canary", "/canary?x"] {
        let (status, _) = probe(&server, &get(target));
        assert!(matches!(status, 400 | 404), "{target}: {status}");
    }
}

#[test]
fn srv_05_backslashes_are_not_found() {
    let site = site();
    let server = Server::start(&site, &[]);
    for target in [
        "/..\\..\\tmp\\canary",
        "/..\\canary",
        "/%5c..%5ccanary",
        "/articles\\a\\",
        "/articles/a/..%5c..%5c..%5ccanary",
    ] {
        assert_eq!(probe(&server, &get(target)).0, 404, "{target}");
    }
}

#[test]
fn srv_06_absolute_and_drive_paths_are_not_found() {
    let site = site();
    let server = Server::start(&site, &[]);
    let canary = std::env::temp_dir().join("canary");
    let absolute = format!("/{}", canary.display());
    for target in [
        "//tmp/canary",
        absolute.as_str(),
        "/%2ftmp%2fcanary",
        "/c:/windows/win.ini",
        "/C:%5cwindows",
        "/c%3a/windows/win.ini",
        "/articles//a/",
    ] {
        assert_eq!(probe(&server, &get(target)).0, 404, "{target}");
    }
}

#[test]
fn srv_07_nul_bytes_are_refused() {
    let site = site();
    let mut server = Server::start(&site, &[]);
    for target in [
        &b"/index.html%00.png"[..],
        b"/%00",
        b"/articles/a/%00/",
        b"/index.html\0.png",
        b"/\0",
    ] {
        let (status, _) = probe(&server, &get(target));
        assert!(
            matches!(status, 400 | 404),
            "{}: {status}",
            String::from_utf8_lossy(target)
        );
    }
    assert!(server.alive());
    assert!(!server.log().contains("panicked"), "{}", server.log());
}

#[test]
fn srv_08_dotfiles_are_not_found() {
    let site = site();
    site.file(".git/config", CANARY)
        .file(".env", CANARY)
        .file("themes/default/static/.env", CANARY)
        .file("themes/default/static/.git/config", CANARY);
    site.build();
    assert!(site.root().join("site/.mend-output").exists());
    let server = Server::start(&site, &[]);
    for target in [
        "/.git/config",
        "/.env",
        "/.mend-output",
        "/%2eenv",
        "/articles/.a.md",
    ] {
        assert_eq!(probe(&server, &get(target)).0, 404, "{target}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn srv_09_huge_urls_and_headers_are_refused_quickly_in_bounded_memory() {
    let site = site();
    let server = Server::start(&site, &[]);
    let before = rss_kib(server.pid());
    let long_url = format!("/{}", "a".repeat(64 * 1024));
    let segments = "/a".repeat(10_000);
    let big_header = format!(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
        "b".repeat(70 * 1024)
    );
    let many_headers = format!(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n{}Connection: close\r\n\r\n",
        (0..2000)
            .map(|i| format!("X-H{i}: v\r\n"))
            .collect::<String>()
    );
    for _ in 0..5 {
        for (what, request) in [
            ("a 64 KiB URL", get(&long_url)),
            ("10,000 segments", get(&segments)),
            ("a 70 KiB header", big_header.clone().into_bytes()),
            ("2,000 headers", many_headers.clone().into_bytes()),
        ] {
            let (status, _) = probe(&server, &request);
            assert!(matches!(status, 400 | 414 | 431), "{what}: {status}");
        }
    }
    let grown = rss_kib(server.pid()).saturating_sub(before);
    // 20 refused requests of 20-70 KiB each: nothing of them may stay.
    assert!(grown < 16 * 1024, "RSS grew by {grown} KiB");
}

#[test]
fn srv_10_invalid_request_targets_are_bad_requests() {
    let site = site();
    let server = Server::start(&site, &[]);
    for target in [
        "@fs/x",
        "http://evil/../x",
        "http://evil.example/",
        "http://127.0.0.1/",
        "*",
        "relative",
        "canary",
    ] {
        assert_eq!(probe(&server, &get(target)).0, 400, "{target}");
    }
}

#[test]
fn srv_11_unicode_paths_match_in_nfc_and_invalid_utf8_is_not_found() {
    let site = site();
    // Slugs are ASCII; theme files may have any name.
    site.file("themes/default/static/caf\u{e9}.txt", "composed name");
    let server = Server::start(&site, &[]);
    for target in ["/caf%C3%A9.txt", "/cafe%CC%81.txt", "/caf%c3%a9.txt"] {
        let (status, response) = probe(&server, &get(target));
        assert_eq!(status, 200, "{target}");
        assert_eq!(body(&response), "composed name", "{target}");
    }
    for target in ["/%ff/", "/caf%E9.txt", "/%C3/", "/%ED%A0%80/"] {
        assert_eq!(probe(&server, &get(target)).0, 404, "{target}");
    }
}

#[test]
fn srv_12_only_this_machine_s_host_names_are_served() {
    let site = site();
    let server = Server::start(&site, &["--allow-host", "kb.example"]);
    let port = server.port;
    let with_host = |host: &str| {
        format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").into_bytes()
    };
    for host in [
        "evil.example",
        "127.0.0.1.nip.io",
        "127.0.0.1.evil.example",
        "localhost.evil.com",
        "localhost.evil.example:80",
        "evil.example:80",
        "kb.example.evil.com",
    ] {
        assert_eq!(probe(&server, &with_host(host)).0, 403, "{host}");
    }
    for host in [
        "localhost".to_string(),
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        format!("kb.localhost:{port}"),
        format!("KB.Example:{port}"),
    ] {
        assert_eq!(probe(&server, &with_host(&host)).0, 200, "{host}");
    }
    let no_host = b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n";
    assert_eq!(probe(&server, no_host).0, 400);
}

#[test]
fn srv_13_malformed_and_repeated_hosts_are_refused() {
    let site = site();
    let mut server = Server::start(&site, &[]);
    for headers in [
        "Host: [::1\r\n",
        "Host: [::1]x\r\n",
        "Host: a b\r\n",
        "Host: localhost:80:80\r\n",
        "Host: localhost\r\nHost: evil.example\r\n",
        "Host: evil.example\r\nHost: localhost\r\n",
        "Host: localhost\r\nHost: localhost\r\n",
        "X-Forwarded-Host: localhost\r\nHost: evil.example\r\n",
    ] {
        let request = format!("GET / HTTP/1.1\r\n{headers}Connection: close\r\n\r\n");
        let (status, _) = probe(&server, request.as_bytes());
        assert!(matches!(status, 400 | 403), "{headers:?}: {status}");
        assert!(server.alive());
    }
    // X-Forwarded-Host is ignored either way.
    let request = "GET / HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-Host: evil.example\r\nConnection: close\r\n\r\n";
    assert_eq!(probe(&server, request.as_bytes()).0, 200);
}
