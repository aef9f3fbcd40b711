//! The site's own logo and favicon from `mend.yaml`: checked where they are
//! named, published beside the pages, linked from every page at any depth.

use std::fs;

use crate::harness::{CONFIG, Site};

const SVG_LOGO: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 96 32\"><rect width=\"96\" height=\"32\"/></svg>";

/// The first bytes of a PNG of `width` x `height` pixels: as far as mend reads.
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend(width.to_be_bytes());
    bytes.extend(height.to_be_bytes());
    bytes.extend([8, 6, 0, 0, 0]);
    bytes
}

/// A site with two articles and `extra` at the top of its `mend.yaml`.
fn site_with(extra: &str) -> Site {
    let site = Site::new();
    site.file("mend.yaml", &format!("{extra}{CONFIG}"));
    site.article("start-here", "apology", "## Begin {.apology}\n\nText.\n");
    site.article("listening", "apology", "## Listen {.apology}\n\nText.\n");
    site
}

fn write(site: &Site, path: &str, bytes: &[u8]) {
    let path = site.root().join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

/// The first diagnostic of a run, in full.
fn first_error(stderr: &str) -> &str {
    stderr.split("\n\n").next().unwrap()
}

#[test]
fn a_missing_logo_is_an_error_at_its_value_with_the_nearest_picture() {
    let site = site_with("logo: assets/mrak.svg\n");
    site.file("assets/mark.svg", SVG_LOGO);
    let run = site.build_fails(2);
    assert_eq!(
        first_error(&run.stderr),
        "mend.yaml:1:7: error: `logo` file `assets/mrak.svg` not found\n  |\n1 | logo: assets/mrak.svg\n  |       ^^^^^^^^^^^^^^^\n  = help: did you mean `assets/mark.svg`?"
    );
    // `mend check` says the same.
    let check = site.mend(&["check"]);
    assert_eq!(check.code, 2, "{}", check.stderr);
    assert!(
        check
            .stderr
            .starts_with("mend.yaml:1:7: error: `logo` file `assets/mrak.svg` not found"),
        "{}",
        check.stderr
    );
    // With nothing near, where paths start from.
    let site = site_with("favicon: icon.png\n");
    let run = site.build_fails(2);
    assert_eq!(
        first_error(&run.stderr),
        "mend.yaml:1:10: error: `favicon` file `icon.png` not found\n  |\n1 | favicon: icon.png\n  |          ^^^^^^^^\n  = help: paths are relative to the folder of mend.yaml"
    );
}

#[test]
fn a_picture_of_a_format_browsers_do_not_show_or_not_what_its_name_says_is_an_error() {
    let site = site_with("favicon: assets/icon.gif\n");
    site.file("assets/icon.gif", "GIF89a");
    let run = site.build_fails(2);
    assert_eq!(
        first_error(&run.stderr),
        "mend.yaml:1:10: error: `favicon` must be an SVG, PNG or ICO file (.svg, .png or .ico), not `assets/icon.gif`\n  |\n1 | favicon: assets/icon.gif\n  |          ^^^^^^^^^^^^^^^"
    );

    let site = site_with("logo: assets/logo.png\n");
    // A JPEG's start: SOI, then a frame header of 30 x 40 pixels.
    write(
        &site,
        "assets/logo.png",
        b"\xff\xd8\xff\xc0\0\x11\x08\0\x1e\0\x28",
    );
    let run = site.build_fails(2);
    assert_eq!(
        first_error(&run.stderr),
        "mend.yaml:1:7: error: `logo` file `assets/logo.png` is a JPEG image, not PNG as its name says\n  |\n1 | logo: assets/logo.png\n  |       ^^^^^^^^^^^^^^^\n  = help: rename it to `assets/logo.jpg`"
    );

    // An SVG without the SVG namespace shows nothing in an <img>.
    let site = site_with("logo: logo.svg\n");
    site.file("logo.svg", "<svg viewBox=\"0 0 10 10\"></svg>");
    let run = site.build_fails(2);
    assert_eq!(
        first_error(&run.stderr),
        "mend.yaml:1:7: error: `logo` file `logo.svg` is not an SVG image: its content is not one browsers show\n  |\n1 | logo: logo.svg\n  |       ^^^^^^^^\n  = help: save it again as SVG"
    );
}

#[test]
fn a_picture_over_256_kb_is_an_error() {
    let site = site_with("logo: assets/big.png\n");
    let mut bytes = png(4000, 1000);
    bytes.resize(300_000, 0);
    write(&site, "assets/big.png", &bytes);
    let run = site.build_fails(2);
    assert_eq!(
        first_error(&run.stderr),
        "mend.yaml:1:7: error: `logo` file `assets/big.png` is 300000 bytes, more than the limit of 262144 bytes (256 KB)\n  |\n1 | logo: assets/big.png\n  |       ^^^^^^^^^^^^^^\n  = help: it is fetched with every first page a reader opens: an SVG, or a PNG a few hundred pixels wide, is far smaller"
    );
    // At the limit it is fine.
    bytes.truncate(256 * 1024);
    write(&site, "assets/big.png", &bytes);
    site.build();
}

#[test]
fn logo_and_favicon_are_published_and_linked_from_every_depth() {
    let site = site_with("logo: assets/mark.svg\nfavicon: assets/icon.png\n");
    site.file("assets/mark.svg", SVG_LOGO);
    write(&site, "assets/icon.png", &png(48, 48));
    site.build();
    assert_eq!(site.read("logo.svg"), SVG_LOGO);
    assert_eq!(
        fs::read(site.root().join("site/favicon.png")).unwrap(),
        png(48, 48)
    );
    // 96 x 32 shown 32 pixels high; the title names the link, so the logo is decorative.
    let icon =
        |root: &str| format!("<link rel=\"icon\" href=\"{root}favicon.png\" type=\"image/png\">");
    for (page, home, root) in [
        ("index.html", "./", ""),
        ("articles/index.html", "../", "../"),
        ("articles/listening/index.html", "../../", "../../"),
        ("themes/apology/index.html", "../../", "../../"),
    ] {
        let html = site.read(page);
        let header = format!(
            "<a class=\"site-title\" href=\"{home}\"><img class=\"site-logo\" src=\"{root}logo.svg\" width=\"96\" height=\"32\" alt=\"\">Fixture KB</a>"
        );
        assert!(html.contains(&header), "{page}: {html}");
        assert!(html.contains(&icon(root)), "{page}");
    }
    // The 404 page is served at any depth: its links start from the base path.
    let html = site.read("404.html");
    assert!(html.contains("src=\"/kb/logo.svg\""));
    assert!(html.contains(&icon("/kb/")));

    // --portable: the same files, linked as files.
    let run = site.mend(&["build", "--portable", "-o", "portable"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html =
        fs::read_to_string(site.root().join("portable/articles/listening/index.html")).unwrap();
    assert!(html.contains("<a class=\"site-title\" href=\"../../index.html\"><img class=\"site-logo\" src=\"../../logo.svg\""));
    assert!(html.contains(&icon("../../")));
    assert!(site.root().join("portable/logo.svg").is_file());
}

#[test]
fn without_a_favicon_the_default_theme_declares_its_own() {
    let site = site_with("");
    site.build();
    let icon = fs::read_to_string(site.root().join("site/favicon.svg")).unwrap();
    assert!(icon.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(icon.len() < 400, "{} bytes", icon.len());
    assert!(
        site.read("articles/listening/index.html")
            .contains("<link rel=\"icon\" href=\"../../favicon.svg\" type=\"image/svg+xml\">")
    );
    assert!(!site.read("index.html").contains("class=\"site-logo\""));
    // A favicon.svg of the site's own stands in for the theme's.
    let site = site_with("favicon: brand/favicon.svg\n");
    site.file("brand/favicon.svg", SVG_LOGO);
    site.build();
    assert_eq!(site.read("favicon.svg"), SVG_LOGO);
}

#[test]
fn a_new_logo_under_the_same_name_is_built_again() {
    let site = site_with("logo: logo.png\n");
    write(&site, "logo.png", &png(32, 32));
    site.build();
    write(&site, "logo.png", &png(64, 32));
    let run = site.build();
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(!said.contains("nothing changed"), "{said}");
    assert!(
        site.read("index.html")
            .contains("width=\"64\" height=\"32\"")
    );
    // A logo wider than 3:1 is fitted into that box.
    write(&site, "logo.png", &png(600, 100));
    site.build();
    assert!(
        site.read("index.html")
            .contains("width=\"96\" height=\"32\"")
    );
}
