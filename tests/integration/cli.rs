use crate::harness::Site;

#[test]
fn version_and_help_read_well() {
    let site = Site::new();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mend"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("mend {}\n", env!("CARGO_PKG_VERSION"))
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mend"))
        .args(["help", "build"])
        .current_dir(site.root())
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--root <DIR>",
        "--output-dir <DIR>",
        "--base-url <URL>",
        "--drafts",
        "--quiet",
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
}

#[test]
fn unknown_flags_are_usage_errors() {
    let site = Site::new();
    let r = site.mend(&["build", "--no-such-flag"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unexpected argument '--no-such-flag'"),
        "{}",
        r.stderr
    );
    assert_eq!(site.mend(&["frobnicate"]).code, 2);
}
