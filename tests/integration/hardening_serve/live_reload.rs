//! LR: the live-reload socket.

use super::*;

#[test]
fn lr_01_the_socket_wants_a_local_origin_and_host() {
    let site = site();
    let server = Server::start(&site, &[]);
    let origin = origin(&server);
    for bad in [
        Some("https://evil.example"),
        Some("null"),
        Some("http://127.0.0.1.evil.example"),
        None,
    ] {
        let (head, _) = server.websocket(bad);
        assert!(head.starts_with("HTTP/1.1 403"), "{bad:?}: {head}");
    }
    let foreign_host = format!(
        "GET /__mend/livereload HTTP/1.1\r\nHost: evil.example\r\nOrigin: {origin}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    assert_eq!(probe(&server, foreign_host.as_bytes()).0, 403);
    for good in [origin.clone(), format!("http://localhost:{}", server.port)] {
        let (head, _) = server.websocket(Some(&good));
        assert!(head.starts_with("HTTP/1.1 101"), "{good}: {head}");
    }
}

#[test]
fn lr_02_a_misbehaving_client_loses_its_socket_and_nobody_else_does() {
    let site = site();
    let mut server = Server::start(&site, &[]);
    let origin = origin(&server);
    let (_, mut bystander) = server.websocket(Some(&origin));
    let mut ten_mb_header = vec![0x82, 0x80 | 127];
    ten_mb_header.extend_from_slice(&(10u64 << 20).to_be_bytes());
    ten_mb_header.extend_from_slice(&[1, 2, 3, 4]);
    ten_mb_header.extend(std::iter::repeat_n(0u8, 64 * 1024));
    let pings: Vec<u8> = (0..1000).flat_map(|_| client_frame(0x9, b"p")).collect();
    for (what, bytes) in [
        ("non-JSON text", client_frame(0x1, b"hello, not json")),
        ("JSON text", client_frame(0x1, br#"{"command":"hello"}"#)),
        ("binary", client_frame(0x2, &[0, 1, 2, 255])),
        ("a 10 MB frame", ten_mb_header),
        ("1,000 pings", pings),
    ] {
        let (head, mut ws) = server.websocket(Some(&origin));
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        let _ = ws.write_all(&bytes);
        let mut texts = String::new();
        assert!(
            closed_by_server(&mut ws, &mut texts),
            "{what}: the socket stays open"
        );
        assert!(server.alive(), "{what}");
    }
    // A few pings are fine: a socket that pings now and then stays.
    let (_, mut polite) = server.websocket(Some(&origin));
    polite.write_all(&client_frame(0x9, b"p")).unwrap();
    write(site.root(), "articles/a.md", &article("A", "Edited.\n"));
    assert_eq!(read_text_frame(&mut bystander).as_deref(), Some("reload"));
    let mut texts = String::new();
    polite
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    // The pong, then the reload.
    let mut seen = Vec::new();
    let mut chunk = [0u8; 256];
    while !String::from_utf8_lossy(&seen).contains("reload") {
        let n = polite.read(&mut chunk).unwrap();
        assert!(n > 0, "the polite socket was closed");
        seen.extend_from_slice(&chunk[..n]);
    }
    texts.push_str(&String::from_utf8_lossy(&seen));
    assert!(texts.contains("reload"));
    assert_eq!(server.status("/"), 200);
}

#[test]
fn lr_03_the_socket_never_answers_requests_for_files() {
    let site = site();
    let server = Server::start(&site, &[]);
    let origin = origin(&server);
    let (_, mut bystander) = server.websocket(Some(&origin));
    let canary = std::env::temp_dir().join("canary");
    for command in [
        format!(r#"{{"command":"read","path":"{}"}}"#, canary.display()),
        r#"{"command":"read","path":"/etc/passwd"}"#.to_string(),
        r#"{"command":"hello","protocols":["http://livereload.com/protocols/official-7"]}"#
            .to_string(),
        r#"{"command":"info","url":"file:///etc/passwd"}"#.to_string(),
    ] {
        let (_, mut ws) = server.websocket(Some(&origin));
        ws.write_all(&client_frame(0x1, command.as_bytes()))
            .unwrap();
        let mut texts = String::new();
        assert!(closed_by_server(&mut ws, &mut texts), "{command}");
        assert_eq!(texts, "", "{command}: the socket answered");
        assert_eq!(server.status("/"), 200);
    }
    write(
        site.root(),
        "articles/a.md",
        &article("A", "Still pushing.\n"),
    );
    assert_eq!(read_text_frame(&mut bystander).as_deref(), Some("reload"));
}

#[test]
fn lr_04_reload_comes_after_the_new_site_is_in_place() {
    let site = site();
    let server = Server::start(&site, &[]);
    let (_, mut ws) = server.websocket(Some(&origin(&server)));
    for i in 0..3 {
        let name = format!("new{i}");
        save_atomically(
            site.root(),
            &format!("{name}.md"),
            &article(&name, &format!("Fresh {i}.\n")),
        );
        assert_eq!(read_text_frame(&mut ws).as_deref(), Some("reload"));
        let page = server.get(&format!("/articles/{name}/"));
        assert_eq!(status_of(&page), 200, "{name} after its reload");
        assert!(page.contains(&format!("Fresh {i}.")));
        assert!(
            server
                .get("/")
                .contains(&format!("href=\"articles/{name}/\"")),
            "the home page lists {name}"
        );
    }
    fs::rename(
        site.root().join("articles/new0.md"),
        site.root().join("articles/moved.md"),
    )
    .unwrap();
    assert_eq!(read_text_frame(&mut ws).as_deref(), Some("reload"));
    assert_eq!(server.status("/articles/moved/"), 200);
    assert_eq!(server.status("/articles/new0/"), 404);
}

#[test]
fn lr_05_a_restarted_server_takes_back_a_hundred_sockets() {
    // The page script's back-off (0.5 s doubling to 10 s, reset on open) is
    // checked in a real browser by tests/browser/reconnect.test.js; this is
    // the server's half: a hundred sockets see the stop at once, and the next
    // server on the same port takes them all back and pushes to each.
    let site = site();
    let server = Server::start(&site, &[]);
    let port = server.port;
    let origin = origin(&server);
    let mut sockets: Vec<TcpStream> = (0..100)
        .map(|_| server.websocket(Some(&origin)).1)
        .collect();
    drop(server);
    for ws in &mut sockets {
        let mut texts = String::new();
        assert!(
            closed_by_server(ws, &mut texts),
            "a socket outlived its server"
        );
    }
    let server = Server::start(&site, &["--port", &port.to_string()]);
    assert_eq!(server.port, port);
    let mut sockets: Vec<TcpStream> = (0..100)
        .map(|_| {
            let (head, ws) = server.websocket(Some(&origin));
            assert!(head.starts_with("HTTP/1.1 101"), "{head}");
            ws
        })
        .collect();
    write(
        site.root(),
        "articles/a.md",
        &article("A", "After the restart.\n"),
    );
    for ws in &mut sockets {
        assert_eq!(read_text_frame(ws).as_deref(), Some("reload"));
    }
}
