use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::Site;

/// A running `mend serve`, killed on drop.
pub(crate) struct Server {
    child: Child,
    pub(crate) port: u16,
    log: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub(crate) fn start(site: &Site, extra: &[&str]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_mend"));
        command
            .arg("serve")
            .args(if extra.contains(&"--port") {
                &[][..]
            } else {
                &["-p", "0"][..]
            })
            .args(extra);
        Server::start_command(site, command)
    }

    /// `mend serve` with the watcher's timings lengthened (`MEND_WATCH_MS`:
    /// events settle for 100 ms, a burst ends after 2 s of quiet, a moved-aside
    /// article is waited for up to 30 s, a request for a pending page waits up
    /// to 10 min), for tests that count rebuilds or need every page current:
    /// a busy machine that stalls the test between two writes of one save
    /// must not split it, nor a slow second stage make a request give up. Not
    /// for tests that delete an article for good (each such rebuild would
    /// wait the 30 s).
    pub(crate) fn start_counting(site: &Site, extra: &[&str]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_mend"));
        command
            .args(["serve", "-p", "0"])
            .args(extra)
            .env("MEND_WATCH_MS", "100,2000,30000,600000");
        Server::start_command(site, command)
    }

    /// Run `command` (which ends up as `mend serve` on 127.0.0.1) in the
    /// site's root, with `MEND_LOG=debug` so that [`settle`] can see the
    /// rebuild loop go idle.
    pub(crate) fn start_command(site: &Site, mut command: Command) -> Server {
        let log = site.root().join("serve.log");
        let mut child = command
            .env("MEND_LOG", "debug")
            .current_dir(site.root())
            .stdout(Stdio::piped())
            .stderr(fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("serving http://127.0.0.1:")
            .and_then(|r| r.split('/').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no URL in {line:?}"));
        Server { child, port, log }
    }

    /// The server's process id, for reading /proc.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process is still running.
    pub(crate) fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Send raw bytes, read the whole response.
    pub(crate) fn raw(&self, request: &str) -> String {
        String::from_utf8_lossy(&self.raw_bytes(request.as_bytes())).into_owned()
    }

    /// Send raw bytes, read the whole response as bytes.
    pub(crate) fn raw_bytes(&self, request: &[u8]) -> Vec<u8> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        // A request for a pending page waits for it: on a busy machine, longer
        // than anyone would guess.
        stream.set_read_timeout(Some(DEADLINE)).unwrap();
        // The server may answer and close before reading everything (431, 414).
        let _ = stream.write_all(request);
        let mut out = Vec::new();
        let _ = stream.read_to_end(&mut out);
        out
    }

    pub(crate) fn get(&self, path: &str) -> String {
        self.raw(&format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        ))
    }

    pub(crate) fn status(&self, path: &str) -> u16 {
        status_of(&self.get(path))
    }

    /// Open the live-reload socket with `origin`; the raw handshake response and the stream.
    pub(crate) fn websocket(&self, origin: Option<&str>) -> (String, TcpStream) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let origin = origin
            .map(|o| format!("Origin: {o}\r\n"))
            .unwrap_or_default();
        let request = format!(
            "GET /__mend/livereload HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n{origin}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
            self.port
        );
        stream.write_all(request.as_bytes()).unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            if stream.read(&mut byte).unwrap_or(0) == 0 {
                break;
            }
            head.push(byte[0]);
        }
        (String::from_utf8_lossy(&head).into_owned(), stream)
    }

    pub(crate) fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }
}

pub(crate) fn status_of(response: &str) -> u16 {
    response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Read one unmasked text frame from the server.
pub(crate) fn read_text_frame(stream: &mut TcpStream) -> Option<String> {
    let mut header = [0u8; 2];
    stream.read_exact(&mut header).ok()?;
    let len = (header[1] & 0x7f) as usize;
    let mut payload = vec![0u8; len];
    stream.read_exact(&mut payload).ok()?;
    (header[0] & 0x0f == 1).then(|| String::from_utf8_lossy(&payload).into_owned())
}

/// How long any wait for something the server does may take: generous, so
/// that a busy machine is never mistaken for a broken server.
pub(crate) const DEADLINE: Duration = Duration::from_secs(60);

#[track_caller]
pub(crate) fn wait_for(what: &str, mut condition: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < DEADLINE {
        if condition() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting for {what}");
}

/// Wait until the server has dealt with every file event before this call:
/// write a hidden fence file (which changes nothing) and wait for the
/// rebuild loop to say `idle after:` with the fence among the files it dealt
/// with. File events reach the loop in the order they happened, so all the
/// earlier ones, and the rebuilds they caused, are done by then.
#[track_caller]
pub(crate) fn settle(server: &Server, root: &Path) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static FENCES: AtomicUsize = AtomicUsize::new(0);
    let fence = format!(".mend-fence-{}", FENCES.fetch_add(1, Ordering::Relaxed));
    fs::write(root.join("articles").join(&fence), "fence").unwrap();
    let needle = format!("articles/{fence}");
    let start = Instant::now();
    while start.elapsed() < DEADLINE {
        let idle = server
            .log()
            .lines()
            .filter_map(|line| line.trim_start().strip_prefix("idle after: "))
            .any(|names| names.split(", ").any(|name| name == needle));
        if idle {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "timed out waiting for the rebuild loop to deal with {needle}; its log:\n{}",
        server.log()
    );
}

/// Write `text` to `path` (under `root`) through a hidden temp file and a
/// rename, as most editors save: no rebuild can read it half written, which
/// a busy machine otherwise makes likely (a write in place is a truncation,
/// then the text: a stalled test between the two shows an empty file).
pub(crate) fn save(root: &Path, path: &str, text: &str) {
    let to = root.join(path);
    let name = to.file_name().unwrap().to_string_lossy().into_owned();
    let tmp = to.with_file_name(format!(".{name}.tmp"));
    fs::write(&tmp, text).unwrap();
    fs::rename(&tmp, &to).unwrap();
}

/// Write `text` to `path` in place (truncate, then write), as some editors do.
pub(crate) fn write(root: &Path, path: &str, text: &str) {
    fs::write(root.join(path), text).unwrap();
}

pub(crate) fn article(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\nsummary: S\nthemes: [apology]\n---\n{body}")
}

#[test]
fn serves_pages_with_safe_headers_and_the_live_reload_script() {
    let site = Site::new();
    site.article("a", "apology", "Hello.\n");
    let server = Server::start(&site, &[]);
    let response = server.get("/articles/a/");
    assert_eq!(status_of(&response), 200);
    let lower = response.to_ascii_lowercase();
    assert!(lower.contains("x-content-type-options: nosniff"));
    assert!(lower.contains("cache-control: no-store"));
    assert!(lower.contains("content-type: text/html; charset=utf-8"));
    assert!(!lower.contains("access-control-allow-origin"));
    assert!(response.contains("/__mend/livereload"));
    assert!(
        server
            .get("/style.css")
            .to_ascii_lowercase()
            .contains("content-type: text/css")
    );
    // The live-reload script exists only in served pages, never in `mend build` output.
    site.build();
    assert!(!site.read("articles/a/index.html").contains("livereload"));
}

#[test]
fn head_redirects_and_the_theme_404_page() {
    let site = Site::new();
    site.article("a", "apology", "");
    let server = Server::start(&site, &[]);
    let head = server.raw(&format!(
        "HEAD /articles/a/ HTTP/1.1\r\nHost: localhost:{}\r\nConnection: close\r\n\r\n",
        server.port
    ));
    assert_eq!(status_of(&head), 200);
    assert!(head.ends_with("\r\n\r\n"), "HEAD has no body: {head}");
    let redirect = server.get("/articles/a");
    assert_eq!(status_of(&redirect), 308);
    assert!(
        redirect
            .to_ascii_lowercase()
            .contains("location: /articles/a/")
    );
    let missing = server.get("/nowhere");
    assert_eq!(status_of(&missing), 404);
    assert!(missing.contains("Page not found"));
}

#[test]
fn path_traversal_is_refused_in_every_spelling() {
    let site = Site::new();
    site.article("a", "apology", "");
    let server = Server::start(&site, &[]);
    for path in [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/%252e%252e/%252e%252e/etc/passwd",
        "/..%5c..%5cetc%5cpasswd",
        "/articles/..\\..\\mend.yaml",
        "/%00",
        "/C:/Windows/win.ini",
        "/.mend-output",
        "//etc/passwd",
    ] {
        let r = server.raw(&format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        ));
        let status = status_of(&r);
        assert!(status == 400 || status == 404, "{path}: {status}");
        assert!(
            !r.contains("root:") && !r.contains("title: Fixture KB"),
            "{path} leaked: {r}"
        );
    }
}

#[test]
fn an_edit_rebuilds_then_sends_reload_and_the_page_shows_it() {
    let site = Site::new();
    site.article("a", "apology", "First text.\n");
    let server = Server::start(&site, &[]);
    let (head, mut ws) = server.websocket(Some(&format!("http://localhost:{}", server.port)));
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    write(
        site.root(),
        "articles/a.md",
        &article("A", "Second text.\n"),
    );
    assert_eq!(read_text_frame(&mut ws).as_deref(), Some("reload"));
    // The new page is in place before the reload notice is sent.
    assert!(server.get("/articles/a/").contains("Second text."));
    wait_for("the rebuild log line", || {
        server.log().contains("articles/a.md changed: ")
    });
}

#[test]
fn atomic_saves_deletions_and_renames_are_followed() {
    let site = Site::new();
    site.article("a", "apology", "One.\n")
        .article("b", "apology", "Bee.\n");
    let server = Server::start(&site, &[]);
    // An editor's atomic save: write a temp file, rename it over the article.
    write(site.root(), "articles/.a.md.tmp", &article("A", "Two.\n"));
    fs::rename(
        site.root().join("articles/.a.md.tmp"),
        site.root().join("articles/a.md"),
    )
    .unwrap();
    wait_for("the atomic save", || {
        server.get("/articles/a/").contains("Two.")
    });
    fs::remove_file(site.root().join("articles/b.md")).unwrap();
    wait_for("the deletion", || server.status("/articles/b/") == 404);
    fs::rename(
        site.root().join("articles/a.md"),
        site.root().join("articles/c.md"),
    )
    .unwrap();
    wait_for("the rename", || {
        server.status("/articles/c/") == 200 && server.status("/articles/a/") == 404
    });
    // A swap file never becomes a page: an edit after it is served, so the
    // swap file's events were dealt with before.
    write(site.root(), "articles/.c.md.swp", "junk");
    save(
        site.root(),
        "articles/c.md",
        &article("C", "After the swap file.\n"),
    );
    wait_for("the edit after the swap file", || {
        server.get("/articles/c/").contains("After the swap file.")
    });
    assert_eq!(server.status("/articles/.c.md/"), 404);
}

#[test]
fn a_burst_of_saves_ends_with_the_last_content_in_few_rebuilds() {
    let site = Site::new();
    site.article("a", "apology", "Start.\n");
    let server = Server::start_counting(&site, &[]);
    for i in 0..100 {
        write(
            site.root(),
            "articles/a.md",
            &article("A", &format!("Save number {i}.\n")),
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    wait_for("the last save", || {
        server.get("/articles/a/").contains("Save number 99.")
    });
    settle(&server, site.root());
    let rebuilds = server.log().matches(" changed: ").count();
    assert!(
        (1..=6).contains(&rebuilds),
        "{rebuilds} rebuilds:\n{}",
        server.log()
    );
}

#[test]
fn a_stylesheet_change_swaps_css_without_a_reload() {
    let site = Site::new();
    site.article("a", "apology", "");
    site.with_plain_theme("plain", "<html><body>{{ site.title }}</body></html>")
        .file("themes/plain/static/style.css", "body { color: red }");
    let server = Server::start(&site, &[]);
    let (_, mut ws) = server.websocket(Some(&format!("http://127.0.0.1:{}", server.port)));
    write(
        site.root(),
        "themes/plain/static/style.css",
        "body { color: blue }",
    );
    assert_eq!(read_text_frame(&mut ws).as_deref(), Some("css"));
    assert!(server.get("/style.css").contains("blue"));
}

#[test]
fn a_body_edit_re_renders_only_its_page_and_a_title_edit_everything() {
    let site = Site::new();
    site.article("a", "apology", "First body.\n")
        .article("b", "apology", "[[a]]\n");
    let server = Server::start(&site, &[]);
    site.article("a", "apology", "Second body.\n");
    wait_for("the body edit", || {
        server.get("/articles/a/").contains("Second body.")
    });
    wait_for("the log line", || {
        server.log().contains("articles/a.md changed: 1 page in ")
    });
    assert!(!server.log().contains("(full rebuild)"), "{}", server.log());

    write(
        site.root(),
        "articles/a.md",
        &article("A new title", "Second body.\n"),
    );
    wait_for("the title on another page", || {
        server.get("/articles/b/").contains("A new title")
    });
    wait_for("the full rebuild", || {
        server.log().contains("(full rebuild)")
    });
    assert!(
        server.get("/").contains("A new title"),
        "the home page lists the new title"
    );
}

#[test]
fn a_save_that_changes_nothing_sends_no_reload() {
    let site = Site::new();
    site.article("a", "apology", "Same.\n");
    let server = Server::start(&site, &[]);
    let (_, mut ws) = server.websocket(Some(&format!("http://127.0.0.1:{}", server.port)));
    ws.set_read_timeout(Some(Duration::from_millis(1500)))
        .unwrap();
    let same = fs::read_to_string(site.root().join("articles/a.md")).unwrap();
    write(site.root(), "articles/a.md", &same);
    assert_eq!(read_text_frame(&mut ws), None);
    assert!(
        !server.log().contains(" changed: "),
        "a save that changed nothing was logged:\n{}",
        server.log()
    );
    write(site.root(), "articles/a.md", &article("A", "Different.\n"));
    ws.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    assert_eq!(read_text_frame(&mut ws).as_deref(), Some("reload"));
}

/// A title edit reloads the edited page first and makes the pages that
/// list the title right after; a page requested in between waits for them,
/// so no page is ever served stale. On 1,000 articles the second stage
/// takes long enough that a request right after the reload falls into it.
#[test]
fn after_a_title_edit_reload_every_page_that_lists_it_is_current() {
    let site = Site::new();
    fs::remove_file(site.root().join("mend.yaml")).unwrap();
    fs::remove_dir(site.root().join("articles")).unwrap();
    let slugs = crate::harness::generated_corpus(site.root(), 1000, 11);
    let server = Server::start_counting(&site, &[]);
    let (head, mut ws) = server.websocket(Some(&format!("http://localhost:{}", server.port)));
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    let slug = &slugs[500];
    let path = site.root().join("articles").join(format!("{slug}.md"));
    let text = fs::read_to_string(&path).unwrap();
    let theme = text
        .lines()
        .find_map(|l| l.strip_prefix("themes: ["))
        .and_then(|l| l.split([',', ']']).next())
        .map(str::trim)
        .expect("a theme")
        .to_string();
    save(
        site.root(),
        &format!("articles/{slug}.md"),
        &text.replacen("title: \"", "title: \"Zqx renamed ", 1),
    );
    assert_eq!(read_text_frame(&mut ws).as_deref(), Some("reload"));
    for page in [
        "/".to_string(),
        format!("/themes/{theme}/"),
        format!("/articles/{slug}/"),
    ] {
        assert!(
            server.get(&page).contains("Zqx renamed "),
            "{page} was served stale after the reload"
        );
    }
    wait_for("the second stage's log line", || {
        server.log().contains("and every page that shows it: ")
    });
}

/// When the second stage of a rebuild fails (here a home page template
/// that breaks once there are two articles), the pages it would have made
/// are not waited for: they come at once, under the error overlay.
#[test]
fn a_failed_second_stage_leaves_no_page_waiting() {
    let site = Site::new();
    site.article("a", "apology", "Body of a.\n");
    site.with_plain_theme("plain", "<p>{{ site.title }}</p>")
        .file(
            "themes/plain/templates/index.html",
            "{% if articles | length > 1 %}{{ missing.value }}{% endif %}<p>Home</p>",
        );
    let server = Server::start(&site, &[]);
    assert!(server.get("/").contains("<p>Home</p>"));
    let (head, mut ws) = server.websocket(Some(&format!("http://localhost:{}", server.port)));
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    site.article("b", "apology", "Body of b.\n");
    assert_eq!(read_text_frame(&mut ws).as_deref(), Some("reload"));
    wait_for("the failed second stage", || {
        server.log().contains("the build failed")
    });
    let start = Instant::now();
    let home = server.get("/");
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "the home page waited {:?}",
        start.elapsed()
    );
    assert!(home.contains("mend-overlay"), "{home}");
}

/// An editor that moves the old file aside before writing the new one
/// (emacs, vim with backups) gets a moment between the two: one rebuild,
/// and the page is never dropped in between.
#[test]
fn a_save_that_moves_the_old_file_aside_first_rebuilds_once() {
    let site = Site::new();
    site.article("a", "apology", "First.\n");
    // The wait for a moved-aside article is 30 s here, not 100 ms: the
    // test's pause between the two steps is then always within it.
    let server = Server::start_counting(&site, &[]);
    let dir = site.root().join("articles");
    settle(&server, site.root());
    fs::rename(dir.join("a.md"), dir.join("a.md~")).unwrap();
    // The rename alone is seen (events settle) before the new file comes.
    wait_for("the loop to wait for the moved article", || {
        server
            .log()
            .contains("waiting for a moved article to come back")
    });
    write(site.root(), "articles/a.md", &article("A", "Second.\n"));
    fs::remove_file(dir.join("a.md~")).unwrap();
    wait_for("the save", || {
        server.get("/articles/a/").contains("Second.")
    });
    settle(&server, site.root());
    let log = server.log();
    assert_eq!(log.matches(" changed: ").count(), 1, "{log}");
}
