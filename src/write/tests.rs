use super::*;

#[test]
fn refuses_paths_that_step_outside_the_output() {
    let base = Path::new("/tmp/x");
    assert!(contained(base, "a/b.html").is_ok());
    for bad in ["../a", "a/../../b", "/etc/passwd", "a//b", "a\\b", "c:/x"] {
        assert!(contained(base, bad).is_err(), "{bad}");
    }
}

#[test]
fn absolute_normalises_dots() {
    assert_eq!(absolute(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
}
