use super::*;

#[test]
fn linked_files_are_served_with_their_type_whatever_the_case_of_the_extension() {
    assert_eq!(content_type("articles/images/IMG_1.JPG"), "image/jpeg");
    assert_eq!(content_type("articles/sheet.pdf"), "application/pdf");
    assert_eq!(content_type("articles/a.PNG"), "image/png");
    assert_eq!(content_type("articles/notes"), "application/octet-stream");
}

fn site() -> Snapshot {
    let mut files = HashMap::new();
    for path in [
        "index.html",
        "articles/a/index.html",
        "style.css",
        "search/t/fo.js",
    ] {
        files.insert(Arc::from(path), Arc::from(&b"x"[..]));
    }
    Snapshot {
        files,
        pending: Default::default(),
    }
}

#[test]
fn maps_folders_files_and_redirects() {
    let s = site();
    assert_eq!(route(&s, "/"), Route::File("index.html".into()));
    assert_eq!(
        route(&s, "/articles/a/"),
        Route::File("articles/a/index.html".into())
    );
    assert_eq!(
        route(&s, "/articles/a"),
        Route::Redirect("/articles/a/".into())
    );
    assert_eq!(route(&s, "/style.css"), Route::File("style.css".into()));
    assert_eq!(
        route(&s, "/search/t/fo.js"),
        Route::File("search/t/fo.js".into())
    );
    assert_eq!(route(&s, "/nope"), Route::NotFound);
    assert_eq!(
        route(&s, "/articles/%61/"),
        Route::File("articles/a/index.html".into())
    );
}

#[test]
fn refuses_traversal_in_every_spelling() {
    let s = site();
    for bad in [
        "/../etc/passwd",
        "/articles/../../etc/passwd",
        "/%2e%2e/etc/passwd",
        "/%2E%2E%2Fetc%2Fpasswd",
        "/..%5c..%5cwindows",
        "/a\\b",
        "/%00index.html",
        "/C:/windows/win.ini",
        "/c%3A/x",
        "//etc/passwd",
        "/.mend-output",
        "/.git/config",
        "/%ff",
    ] {
        assert_eq!(route(&s, bad), Route::BadPath, "{bad}");
    }
    // Double encoding decodes once: `%252e` is the literal name `%2e`, which does not exist.
    assert_eq!(route(&s, "/%252e%252e/etc/passwd"), Route::NotFound);
}

#[test]
fn hosts_are_limited_to_this_machine() {
    for ok in [
        "localhost",
        "localhost:1111",
        "127.0.0.1:1111",
        "[::1]:1111",
        "kb.localhost:8080",
        "LOCALHOST",
    ] {
        assert!(host_allowed(ok, &[]), "{ok}");
    }
    for bad in [
        "evil.example",
        "evil.example:1111",
        "127.0.0.1.evil.example",
        "localhost.evil.example",
        "",
    ] {
        assert!(!host_allowed(bad, &[]), "{bad}");
    }
    assert!(host_allowed(
        "192.168.1.5:1111",
        &["192.168.1.5".to_string()]
    ));
}

#[test]
fn malformed_hosts_are_refused() {
    for bad in [
        "[::1",
        "[::1]x",
        "[::1]:",
        "localhost:",
        "localhost:80:80",
        "localhost:abc",
        "localhost:123456",
        ":80",
        "::1",
    ] {
        assert!(!host_allowed(bad, &[]), "{bad}");
    }
    assert!(host_allowed("[::1]", &[]));
}

#[test]
fn decomposed_paths_find_composed_file_names() {
    let mut files = HashMap::new();
    files.insert(Arc::from("caf\u{e9}.txt"), Arc::from(&b"x"[..]));
    let s = Snapshot {
        files,
        pending: Default::default(),
    };
    let want = Route::File("caf\u{e9}.txt".into());
    assert_eq!(route(&s, "/caf%C3%A9.txt"), want);
    assert_eq!(route(&s, "/cafe%CC%81.txt"), want);
    assert_eq!(route(&s, "/caf%E9.txt"), Route::BadPath);
}

#[test]
fn ranges_honour_one_byte_range() {
    let part = |start, end| Range::Part { start, end };
    assert_eq!(range(None, 100), Range::Whole);
    assert_eq!(range(Some("bytes=0-9"), 100), part(0, 9));
    assert_eq!(range(Some("bytes=90-"), 100), part(90, 99));
    assert_eq!(range(Some("bytes=90-500"), 100), part(90, 99));
    assert_eq!(range(Some("bytes=-10"), 100), part(90, 99));
    assert_eq!(range(Some("bytes=-500"), 100), part(0, 99));
    assert_eq!(range(Some("BYTES=0-0"), 100), part(0, 0));
    assert_eq!(range(Some("bytes=999999999-"), 100), Range::Unsatisfiable);
    assert_eq!(range(Some("bytes=100-"), 100), Range::Unsatisfiable);
    assert_eq!(range(Some("bytes=-0"), 100), Range::Unsatisfiable);
    assert_eq!(range(Some("bytes=-5"), 0), Range::Unsatisfiable);
    for whole in [
        "x",
        "bytes=",
        "bytes=-",
        "bytes=a-b",
        "bytes=9-1",
        "bytes=0-0,0-0",
        "items=0-9",
        "bytes=99999999999999999999999-",
    ] {
        assert_eq!(range(Some(whole), 100), Range::Whole, "{whole}");
    }
}

#[test]
fn websocket_origins_must_be_local_pages() {
    assert!(origin_allowed(Some("http://127.0.0.1:1111"), &[]));
    assert!(origin_allowed(Some("http://localhost:1111"), &[]));
    assert!(!origin_allowed(Some("https://evil.example"), &[]));
    assert!(!origin_allowed(Some("null"), &[]));
    assert!(!origin_allowed(None, &[]));
}

#[test]
fn injects_reload_and_an_escaped_overlay_before_body_end() {
    let page = String::from_utf8(inject(
        b"<html><body><p>x</p></body></html>",
        Some("a.md:1:1: <img src=x onerror=alert(1)>"),
    ))
    .unwrap();
    assert!(page.ends_with("</div></body></html>"));
    assert!(page.contains("/__mend/livereload"));
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!page.contains("<img src=x"));
    assert!(page.contains("The page below is the last good version"));
}

#[test]
fn the_first_failed_build_promises_no_page_below() {
    let page = String::from_utf8(error_page("a.md:1:1: broken")).unwrap();
    assert!(page.contains("The site did not build yet."), "{page}");
    assert!(!page.contains("page below"));
    assert!(page.contains("#mend-overlay,#mend-overlay *{all:revert}"));
}
