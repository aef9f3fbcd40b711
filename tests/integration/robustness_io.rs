//! Issue 18, the write, load and serve half: a second build, a kill during
//! the commit, saves the preview must not miss, clients that hold slots,
//! and inputs that are not regular files. Each test is named for its item.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{Site, tree};
use crate::serve::{Server, wait_for};

/// `mend build` in `site` under strace, killed at its `when`-th call of
/// `syscall` (strace counts each system call apart), or not, when it makes
/// fewer. Whether it was killed.
fn build_killed_at(site: &Site, syscall: &str, when: usize) -> bool {
    let status = Command::new("strace")
        .args(["-f", "-qq", "-o", "/dev/null", "-e"])
        .arg(format!("trace={syscall}"))
        .arg("-e")
        .arg(format!("inject={syscall}:signal=KILL:when={when}"))
        .arg(env!("CARGO_BIN_EXE_mend"))
        .arg("build")
        .current_dir(site.root())
        .stderr(Stdio::null())
        .status()
        .expect("run strace");
    !status.success()
}

/// strace, installed when missing (CI runs as root).
fn ensure_strace() {
    let present = |_: ()| {
        Command::new("strace")
            .arg("-V")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !present(()) {
        let _ = Command::new("sh")
            .args(["-c", "apt-get update && apt-get install -y strace"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    assert!(present(()), "this test needs strace");
}

#[test]
fn f03_a_build_while_another_holds_the_output_is_refused_and_changes_nothing() {
    let site = Site::new();
    site.article("a", "apology", "First.\n");
    site.build();
    let before = tree(&site.root().join("site"));
    // Another build of the same output, as a process holding its lock.
    let mut holder = Command::new("flock")
        .args([".site.mend-lock", "sh", "-c", "echo locked; cat"])
        .current_dir(site.root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("flock(1)");
    let mut line = String::new();
    BufReader::new(holder.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "locked\n");
    site.article("a", "apology", "Second.\n");
    let run = site.build_fails(1);
    assert!(
        run.stderr.starts_with(&format!(
            "error: another mend build is writing `./site` (it holds {})\n  = help: wait for it to finish, then build again\n",
            fs::canonicalize(site.root()).unwrap().join(".site.mend-lock").display()
        )),
        "{}",
        run.stderr
    );
    assert_eq!(tree(&site.root().join("site")), before);
    drop(holder.stdin.take());
    holder.wait().unwrap();
    site.build();
    assert!(site.read("articles/a/index.html").contains("Second."));
    assert_eq!(site.leftovers(), Vec::<String>::new());
}

#[test]
fn f03_a_running_build_s_staging_folder_is_never_removed() {
    let site = Site::new();
    site.article("a", "apology", "First.\n");
    // This test process stands for a build still writing (a mend without the lock).
    let live = site
        .root()
        .join(format!(".site.mend-staging-{}", std::process::id()));
    fs::create_dir_all(live.join("articles")).unwrap();
    fs::write(live.join("articles/page.html"), "half written").unwrap();
    site.build();
    assert_eq!(
        fs::read_to_string(live.join("articles/page.html")).unwrap(),
        "half written"
    );
}

#[test]
fn f03_builds_at_once_each_commit_a_whole_site_or_refuse() {
    let site = Site::new();
    for i in 0..100 {
        site.article(&format!("a{i}"), "apology", &format!("Text {i}.\n"));
    }
    site.build();
    site.article("a0", "apology", "Changed.\n");
    let runs: Vec<_> = (0..4)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_mend"))
                .arg("build")
                .current_dir(site.root())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for run in runs {
        let out = run.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() || stderr.contains("another mend build is writing"),
            "{stderr}"
        );
    }
    let built = tree(&site.root().join("site"));
    let fresh = Site::new();
    for i in 0..100 {
        fresh.article(&format!("a{i}"), "apology", &format!("Text {i}.\n"));
    }
    fresh.article("a0", "apology", "Changed.\n");
    fresh.build();
    assert_eq!(built, tree(&fresh.root().join("site")));
    assert_eq!(site.leftovers(), Vec::<String>::new());
}

#[cfg(target_os = "linux")]
#[test]
fn f04_a_kill_at_each_rename_of_the_commit_keeps_a_site_and_its_git() {
    ensure_strace();
    let site = Site::new();
    site.article("a", "apology", "Version 0.\n");
    site.build();
    let git = site.root().join("site/.git");
    fs::create_dir_all(git.join("refs")).unwrap();
    fs::write(git.join("HEAD"), "ref: refs/heads/main\n").unwrap();
    let mut kills = 0;
    let renames = ["renameat2", "rename", "renameat"];
    let attempts = renames.iter().flat_map(|s| (1..=4).map(move |n| (*s, n)));
    for (version, (syscall, when)) in (1..).zip(attempts) {
        let at = format!("{syscall} #{when}");
        site.article("a", "apology", &format!("Version {version}.\n"));
        if !build_killed_at(&site, syscall, when) {
            continue;
        }
        kills += 1;
        // The old site or the new, whole, and the history somewhere.
        let page = site.read("articles/a/index.html");
        assert!(
            page.contains(&format!("Version {}.", version - 1))
                || page.contains(&format!("Version {version}.")),
            "kill at {at}: {page}"
        );
        let heads: Vec<_> = walkdir::WalkDir::new(site.root())
            .into_iter()
            .flatten()
            .filter(|e| e.path().ends_with(".git/HEAD"))
            .collect();
        assert_eq!(heads.len(), 1, "kill at {at}: {heads:?}");
        // The next build succeeds and brings everything back in place.
        site.build();
        assert!(
            site.read("articles/a/index.html")
                .contains(&format!("Version {version}.")),
            "kill at {at}"
        );
        assert_eq!(
            fs::read_to_string(git.join("HEAD")).unwrap(),
            "ref: refs/heads/main\n",
            "kill at {at}"
        );
        assert_eq!(site.leftovers(), Vec::<String>::new(), "kill at {at}");
    }
    // The exchange and the move of `.git` (three renames without the exchange).
    assert!(kills >= 2, "{kills} renames in the commit");
    eprintln!("f04: killed at {kills} renames");
}

/// Run `mend ARGS` in `dir` as the unprivileged user 65534.
#[cfg(target_os = "linux")]
fn mend_as_nobody(dir: &Path, args: &[&str]) -> crate::harness::Run {
    let out = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            env!("CARGO_BIN_EXE_mend"),
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("setpriv");
    crate::harness::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[cfg(target_os = "linux")]
#[test]
fn f08_a_previous_site_that_cannot_be_removed_is_a_warning_about_the_new_site() {
    use std::os::unix::fs::PermissionsExt;
    let site = Site::new();
    site.article("a", "apology", "Old.\n");
    site.build();
    // A folder in the old site whose files the build may not remove.
    fs::create_dir_all(site.root().join("site/keep")).unwrap();
    fs::write(site.root().join("site/keep/file"), "x").unwrap();
    let owned = Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(site.root())
        .status()
        .unwrap();
    assert!(owned.success());
    fs::set_permissions(site.root(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(
        site.root().join("site/keep"),
        fs::Permissions::from_mode(0o555),
    )
    .unwrap();
    site.article("a", "apology", "New.\n");
    let run = mend_as_nobody(site.root(), &["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("warning: the new site is in place, but the previous one could not be removed: Permission denied"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("untouched"), "{}", run.stderr);
    assert!(site.read("articles/a/index.html").contains("New."));
}

#[test]
fn f08_a_failed_first_build_does_not_claim_a_previous_site() {
    let site = Site::new();
    site.file("articles/a.md", "no front matter\n");
    let run = site.build_fails(1);
    assert!(
        run.stderr
            .ends_with("build failed with 1 error; no site was written\n"),
        "{}",
        run.stderr
    );
}

#[cfg(unix)]
#[test]
fn f09_a_symbolic_link_as_the_output_folder_is_refused() {
    let site = Site::new();
    site.article("a", "apology", "Text.\n");
    fs::create_dir(site.root().join("elsewhere")).unwrap();
    fs::write(site.root().join("elsewhere/mine.txt"), "keep").unwrap();
    std::os::unix::fs::symlink("elsewhere", site.root().join("site")).unwrap();
    for args in [
        &["build"][..],
        &["build", "--force"],
        &["build", "--output-dir", "site/"],
    ] {
        let run = site.mend(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr
                .contains("as the output folder: it is a symbolic link"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(
        fs::read_to_string(site.root().join("elsewhere/mine.txt")).unwrap(),
        "keep"
    );
    assert_eq!(
        fs::read_dir(site.root().join("elsewhere")).unwrap().count(),
        1
    );
}

#[test]
fn f11_force_rewrites_a_page_edited_in_place_to_the_same_length() {
    let site = Site::new();
    site.article("a", "apology", "Text.\n");
    site.build();
    let page = site.root().join("site/articles/a/index.html");
    let built = fs::read_to_string(&page).unwrap();
    let edited = built.replace("Text.", "Tamp.");
    assert_eq!(edited.len(), built.len());
    fs::write(&page, &edited).unwrap();
    let run = site.mend(&["build", "--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(fs::read_to_string(&page).unwrap(), built);
    // And again after an edit elsewhere: a full rebuild with --force.
    fs::write(&page, &edited).unwrap();
    site.article("b", "apology", "Other.\n");
    let run = site.mend(&["build", "--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!fs::read_to_string(&page).unwrap().contains("Tamp."));
}

#[test]
fn f05_a_save_that_keeps_length_and_time_is_served() {
    let site = Site::new();
    site.article("a", "apology", "Alpha text.\n");
    let server = Server::start(&site, &[]);
    wait_for("the first page", || {
        server.get("/articles/a/").contains("Alpha text.")
    });
    // As `rsync -a` or `cp -p` save: a new file with the old time, renamed in.
    let path = site.root().join("articles/a.md");
    let time = fs::metadata(&path).unwrap().modified().unwrap();
    let text = fs::read_to_string(&path).unwrap().replace("Alpha", "Bravo");
    let tmp = site.root().join("articles/.a.md.tmp");
    fs::write(&tmp, text).unwrap();
    fs::File::options()
        .write(true)
        .open(&tmp)
        .unwrap()
        .set_modified(time)
        .unwrap();
    fs::rename(&tmp, &path).unwrap();
    assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), time);
    wait_for("the saved text", || {
        server.get("/articles/a/").contains("Bravo text.")
    });
}

#[test]
fn f15_one_run_reports_load_parse_and_link_errors_together() {
    let site = Site::new();
    site.article("good", "apology", "Fine.\n");
    site.file("articles/Bad Name.md", "x");
    fs::write(
        site.root().join("articles/b.md"),
        b"---\ntitle: B\nsummary: S\nthemes: [apology]\n---\n\xff\n",
    )
    .unwrap();
    site.file(
        "articles/c.md",
        "---\ntitle: C\nsummary: S\nthemes: [nope]\n---\n[[b]] [[missing]]\n",
    );
    let run = site.build_fails(1);
    let headlines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains(": error: "))
        .collect();
    assert_eq!(
        headlines,
        [
            "articles/Bad Name.md: error: `Bad Name` is not a valid slug: use lowercase ASCII letters, digits and hyphens",
            "articles/b.md:6:1: error: file is not valid UTF-8",
            "articles/c.md:4:10: error: unknown theme `nope`",
            "articles/c.md:6:7: error: link to missing article `missing`",
        ],
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .ends_with("build failed with 4 errors; no site was written\n"),
        "{}",
        run.stderr
    );
}

/// Run `mend build` in `site`, failing the test if it has not ended within
/// a generous deadline (a hang is the bug).
fn build_within_deadline(site: &Site) -> crate::harness::Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mend"))
        .arg("build")
        .current_dir(site.root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut ended = false;
    wait_for_or(Duration::from_secs(60), || {
        ended = matches!(child.try_wait(), Ok(Some(_)));
        ended
    });
    if !ended {
        let _ = child.kill();
    }
    let out = child.wait_with_output().unwrap();
    assert!(ended, "mend build did not end");
    crate::harness::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Poll `condition` until it holds or `deadline` passes.
fn wait_for_or(deadline: Duration, mut condition: impl FnMut() -> bool) {
    let start = Instant::now();
    while !condition() && start.elapsed() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(unix)]
#[test]
fn f19_a_config_that_is_a_fifo_a_device_or_huge_is_refused_at_once() {
    let site = Site::new();
    site.article("a", "apology", "Text.\n");
    let config = site.root().join("mend.yaml");
    fs::remove_file(&config).unwrap();
    assert!(
        Command::new("mkfifo")
            .arg(&config)
            .status()
            .unwrap()
            .success()
    );
    let run = build_within_deadline(&site);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("mend.yaml: error: cannot read: not a regular file\n"),
        "{}",
        run.stderr
    );
    fs::remove_file(&config).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &config).unwrap();
    let run = build_within_deadline(&site);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("mend.yaml: error: cannot read: not a regular file\n"),
        "{}",
        run.stderr
    );
    fs::remove_file(&config).unwrap();
    let mut huge = crate::harness::CONFIG.to_string();
    huge.push_str(&"# padding\n".repeat(110_000));
    fs::write(&config, &huge).unwrap();
    let run = build_within_deadline(&site);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(&format!(
            "mend.yaml: error: file is {} bytes, more than the limit of 1048576 bytes\n",
            huge.len()
        )),
        "{}",
        run.stderr
    );
    // A link to a regular file is still read.
    fs::write(site.root().join("real.yaml"), crate::harness::CONFIG).unwrap();
    fs::remove_file(&config).unwrap();
    std::os::unix::fs::symlink("real.yaml", &config).unwrap();
    site.build();
}

/// A copy of the built-in theme in the project, to add static files to.
fn with_theme_copy(site: &Site) {
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    for (rel, bytes) in tree(&theme) {
        let to = site.root().join("themes/default").join(rel);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::write(to, bytes).unwrap();
    }
}

#[test]
fn lesser_a_theme_s_well_known_and_nojekyll_files_are_published() {
    let site = Site::new();
    site.article("a", "apology", "Text.\n");
    with_theme_copy(&site);
    site.file("themes/default/static/.nojekyll", "");
    site.file(
        "themes/default/static/.well-known/security.txt",
        "Contact: mailto:kb@example.org\n",
    );
    // Other hidden files and editor leftovers still stay out.
    site.file("themes/default/static/.DS_Store", "x");
    site.file("themes/default/static/.well-known/.security.txt.swp", "x");
    site.build();
    assert!(site.exists(".nojekyll"));
    assert_eq!(
        site.read(".well-known/security.txt"),
        "Contact: mailto:kb@example.org\n"
    );
    assert!(!site.exists(".DS_Store"));
    assert!(!site.exists(".well-known/.security.txt.swp"));
}

#[test]
fn lesser_a_static_file_on_a_generated_path_is_named() {
    let site = Site::new();
    site.article("a", "apology", "Text.\n");
    with_theme_copy(&site);
    site.file("themes/default/static/articles/a/index.html", "mine");
    let run = site.build_fails(1);
    assert!(
        run.stderr.starts_with(
            "themes/default/static/articles/a/index.html: error: static file `articles/a/index.html` would overwrite a generated page\n  = help: rename or remove this file: mend generates that path\n"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn f07_live_reload_sockets_have_a_cap_of_their_own() {
    let site = Site::new();
    site.article("a", "apology", "Text.\n");
    let server = Server::start(&site, &[]);
    let origin = format!("http://127.0.0.1:{}", server.port);
    let mut sockets: Vec<_> = (0..mend::serve::MAX_LIVE_RELOADS)
        .map(|_| {
            let (head, ws) = server.websocket(Some(&origin));
            assert!(head.starts_with("HTTP/1.1 101"), "{head}");
            ws
        })
        .collect();
    let (head, _) = server.websocket(Some(&origin));
    assert!(head.starts_with("HTTP/1.1 503"), "{head}");
    assert_eq!(server.status("/"), 200);
    // A socket closed gives its place back.
    drop(sockets.pop());
    wait_for("a place for a new socket", || {
        let (head, ws) = server.websocket(Some(&origin));
        let taken = head.starts_with("HTTP/1.1 101");
        if taken {
            sockets.push(ws);
        }
        taken
    });
}

#[cfg(target_os = "linux")]
#[test]
fn f07_a_rebuild_out_of_descriptors_is_retried_and_its_overlay_goes() {
    let site = Site::new();
    site.article("a", "apology", "Before.\n");
    let mut command = Command::new("prlimit");
    command.args([
        "--nofile=64:64",
        "--",
        env!("CARGO_BIN_EXE_mend"),
        "serve",
        "-p",
        "0",
    ]);
    let server = Server::start_command(&site, command);
    let origin = format!("http://127.0.0.1:{}", server.port);
    wait_for("the first page", || {
        server.get("/articles/a/").contains("Before.")
    });
    // Live-reload sockets until the process has no descriptor left for one.
    let mut sockets = Vec::new();
    loop {
        let (head, ws) = server.websocket(Some(&origin));
        if !head.starts_with("HTTP/1.1 101") {
            break;
        }
        sockets.push(ws);
        assert!(sockets.len() < 64, "64 sockets open under a limit of 64");
    }
    // Answered (a 503 from the spare descriptor, or a page), never left waiting.
    let status = server.status("/");
    assert!(status == 503 || status == 200, "GET / gave {status}");
    crate::serve::write(
        site.root(),
        "articles/a.md",
        &crate::serve::article("A", "After.\n"),
    );
    wait_for("the rebuild", || {
        server.log().contains("articles/a.md changed")
    });
    eprintln!(
        "f07: {} sockets open; GET / at the limit gave {status}; the rebuild ran out of descriptors: {}",
        sockets.len(),
        server.log().contains("(os error 24)")
    );
    drop(sockets);
    wait_for("the new text without an overlay", || {
        let page = server.get("/articles/a/");
        page.contains("After.") && !page.contains("mend-overlay")
    });
}

/// Whether the server on `server_port` still holds an open connection from
/// the client port `client_port` (from /proc/net/tcp: state 01, ESTABLISHED).
#[cfg(target_os = "linux")]
fn connection_open(server_port: u16, client_port: u16) -> bool {
    let table = fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    let (local, remote) = (
        format!("0100007F:{server_port:04X}"),
        format!("0100007F:{client_port:04X}"),
    );
    table.lines().skip(1).any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        fields.get(1) == Some(&local.as_str())
            && fields.get(2) == Some(&remote.as_str())
            && fields.get(3) == Some(&"01")
    })
}

#[cfg(target_os = "linux")]
#[test]
fn f16_a_client_that_pipelines_and_never_reads_is_cut_off() {
    use std::io::Write;
    let site = Site::new();
    // A page of about 400 KB, asked for 100 times: far more than the
    // socket buffers of both ends hold.
    site.article(
        "a",
        "apology",
        &"Words words words words.\n\n".repeat(16_000),
    );
    let server = Server::start(&site, &[]);
    assert_eq!(server.status("/articles/a/"), 200);
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let request = format!(
        "GET /articles/a/ HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
        server.port
    );
    stream.write_all(request.repeat(100).as_bytes()).unwrap();
    let client_port = stream.local_addr().unwrap().port();
    assert!(connection_open(server.port, client_port));
    // Cut off after the write timeout, without a byte read here.
    wait_for_or(mend::serve::WRITE_TIMEOUT * 4, || {
        !connection_open(server.port, client_port)
    });
    assert!(
        !connection_open(server.port, client_port),
        "the server still holds the connection"
    );
    assert_eq!(server.status("/"), 200);
}

#[test]
fn f17_the_readme_states_the_connection_caps_the_code_has() {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .unwrap()
        .replace('\n', " ");
    let caps = format!(
        "at most {} connections are served at once, live-reload sockets among them ({} at most)",
        mend::serve::MAX_CONNECTIONS,
        mend::serve::MAX_LIVE_RELOADS
    );
    assert!(readme.contains(&caps), "README.md does not say: {caps}");
    let timeouts = format!(
        "Slow clients get {} seconds to send their headers, and a client that takes nothing of what it is sent for {} seconds is cut off",
        mend::serve::HEADER_READ_TIMEOUT.as_secs(),
        mend::serve::WRITE_TIMEOUT.as_secs()
    );
    assert!(
        readme.contains(&timeouts),
        "README.md does not say: {timeouts}"
    );
}
