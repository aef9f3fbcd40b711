//! Issue 18: links and images to files in `articles/` that are not articles
//! (`worksheet.pdf`, `images/cycle.png`). A missing one is an error at the
//! link with a did-you-mean; a path out of the knowledge base or to a hidden
//! file is refused; the files linked are published beside the pages, with
//! each link rewritten relative to its page, and no other file is.

use std::fs;
use std::path::Path;

use crate::harness::Site;

/// A PNG header and a little more: bytes that are not text.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

fn with_files(body: &str) -> Site {
    let site = Site::new();
    site.article("a", "apology", body)
        .file("articles/worksheet.pdf", "%PDF-1.4 worksheet");
    fs::create_dir_all(site.root().join("articles/images")).unwrap();
    fs::write(site.root().join("articles/images/cycle.png"), PNG).unwrap();
    site
}

/// The value of every `attr="..."` in `html`.
fn values<'h>(html: &'h str, attr: &str) -> Vec<&'h str> {
    let needle = format!(" {attr}=\"");
    html.split(needle.as_str())
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect()
}

#[test]
fn a_missing_file_is_an_error_at_the_link_with_a_did_you_mean() {
    let site = with_files(
        "Print [the worksheet](worksheat.pdf).\n\n![A diagram of the cycle](images/cycl.png)\n",
    );
    let run = site.build_fails(1);
    let expected = "articles/a.md:6:7: error: link to missing file `worksheat.pdf`
  |
6 | Print [the worksheet](worksheat.pdf).
  |       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  = help: did you mean `worksheet.pdf`?

articles/a.md:8:1: error: missing image file `images/cycl.png`
  |
8 | ![A diagram of the cycle](images/cycl.png)
  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  = help: did you mean `images/cycle.png`?

build failed with 2 errors; no site was written
";
    assert_eq!(run.stderr, expected);
    assert!(!site.exists("index.html"));
}

#[test]
fn file_names_are_matched_case_sensitively_as_deploy_hosts_do() {
    let site = with_files("![A diagram](images/Cycle.PNG)\n");
    let run = site.build_fails(1);
    assert!(
        run.stderr
            .starts_with("articles/a.md:6:1: error: missing image file `images/Cycle.PNG`\n"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "= help: did you mean `images/cycle.png`? File names are case-sensitive on web hosts"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_path_out_of_the_knowledge_base_or_to_a_hidden_file_is_refused() {
    let site = with_files("[a](../../etc/passwd) [b](../mend.yaml)\n\n![c](images/.draft.png)\n");
    site.file("articles/images/.draft.png", "PNG");
    let run = site.build_fails(1);
    let expected = "articles/a.md:6:1: error: link to `../../etc/passwd` leads out of the knowledge base
  |
6 | [a](../../etc/passwd) [b](../mend.yaml)
  | ^^^^^^^^^^^^^^^^^^^^^
  = help: only files in articles/ and the folders below it are published; a link to one is its path from the article's folder, e.g. `images/diagram.png`

articles/a.md:6:23: error: link to `../mend.yaml`: only files in articles/ and the folders below it are published
  |
6 | [a](../../etc/passwd) [b](../mend.yaml)
  |                       ^^^^^^^^^^^^^^^^^
  = help: move the file into articles/ (e.g. articles/files/) and link to it there

articles/a.md:8:1: error: link to `images/.draft.png`: hidden files and editor backups are never published
  |
8 | ![c](images/.draft.png)
  | ^^^^^^^^^^^^^^^^^^^^^^^
  = help: rename the file: names starting with `.` or `#`, or ending in `~`, `.swp`, `.swx` or `.tmp`, are left out of the site

build failed with 3 errors; no site was written
";
    assert_eq!(run.stderr, expected);
}

#[test]
fn a_linked_image_and_pdf_are_published_and_their_links_rewritten() {
    let site = with_files(
        "Print [the worksheet](worksheet.pdf#page=2), or [this one](./worksheet.pdf).\n\n![A diagram of the cycle](images/cycle.png \"The cycle\")\n",
    );
    site.build();
    let page = site.read("articles/a/index.html");
    // The page is `articles/a/index.html`; the files sit in `articles/`.
    let hrefs = values(&page, "href");
    assert!(hrefs.contains(&"../worksheet.pdf#page=2"), "{hrefs:?}");
    assert!(hrefs.contains(&"../worksheet.pdf"), "{hrefs:?}");
    assert!(
        page.contains(
            "<img src=\"../images/cycle.png\" alt=\"A diagram of the cycle\" title=\"The cycle\" />"
        ),
        "{page}"
    );
    let out = site.root().join("site/articles");
    assert_eq!(fs::read(out.join("images/cycle.png")).unwrap(), PNG);
    assert_eq!(
        fs::read_to_string(out.join("worksheet.pdf")).unwrap(),
        "%PDF-1.4 worksheet"
    );
}

#[test]
fn files_no_published_article_links_to_are_not_published() {
    let site = with_files("Nothing linked here.\n");
    site.file("articles/stray.txt", "notes").file(
        "articles/d.md",
        "---\ntitle: D\nsummary: S\nthemes: [apology]\ndraft: true\n---\n![x](images/cycle.png)\n",
    );
    site.build();
    for path in [
        "articles/worksheet.pdf",
        "articles/images/cycle.png",
        "articles/stray.txt",
    ] {
        assert!(!site.exists(path), "{path} published");
    }
    assert!(site.exists("articles/a/index.html"));
}

#[test]
fn a_portable_build_links_files_that_open_from_disk() {
    let site = with_files(
        "Print [the worksheet](worksheet.pdf).\n\n![A diagram](images/cycle.png)\n\nAnd [[b]].\n",
    );
    site.article("b", "apology", "Back to [[a]].\n");
    let run = site.mend(&["build", "--portable"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = site.read("articles/a/index.html");
    let folder = site.root().join("site/articles/a");
    let mut files = 0;
    for url in values(&page, "href")
        .into_iter()
        .chain(values(&page, "src"))
    {
        if url.ends_with(".pdf") || url.ends_with(".png") {
            files += 1;
            assert!(folder.join(url).is_file(), "{url} does not open from disk");
        }
    }
    assert_eq!(files, 2, "{page}");
    // Article links are portable ones, with `index.html`.
    assert!(page.contains("href=\"../b/index.html\""), "{page}");
}

#[test]
fn an_edit_keeping_a_linked_file_length_is_published_by_the_next_build() {
    let site = with_files("![A diagram](images/cycle.png)\n");
    site.build();
    let image = site.root().join("articles/images/cycle.png");
    let mut edited = PNG.to_vec();
    edited[12] = b'X';
    fs::write(&image, &edited).unwrap();
    let run = site.build();
    assert!(!run.stderr.contains("nothing changed"), "{}", run.stderr);
    let published = Path::new("site/articles/images/cycle.png");
    assert_eq!(fs::read(site.root().join(published)).unwrap(), edited);
    let again = site.build();
    assert!(again.stderr.contains("nothing changed"), "{}", again.stderr);
}

#[test]
fn a_file_past_the_size_limit_is_an_error_at_the_link() {
    let site = with_files("![A diagram](images/cycle.png)\n");
    site.file(
        "mend.yaml",
        &format!("{}limits: {{file_bytes: 8}}\n", crate::harness::CONFIG),
    );
    let run = site.build_fails(1);
    assert!(
        run.stderr.starts_with(
            "articles/a.md:6:1: error: image `images/cycle.png`: the file is 16 bytes, more than the limit of 8 bytes\n"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("= help: raise it with `limits: {file_bytes: N}` in mend.yaml"),
        "{}",
        run.stderr
    );
}
