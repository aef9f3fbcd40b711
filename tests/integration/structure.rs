//! The house rules the compiler does not check: only `main.rs` prints (the
//! library reports diagnostics and preview events as values).

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src/") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn only_main_rs_prints() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    assert!(files.len() > 20, "found only {} source files", files.len());
    let printing: Vec<String> = files
        .iter()
        .filter(|p| **p != src.join("main.rs"))
        .flat_map(|p| {
            let text = std::fs::read_to_string(p).expect("read source");
            text.lines()
                .enumerate()
                .filter(|(_, l)| {
                    ["println!", "eprintln!", "print!(", "eprint!(", "dbg!("]
                        .iter()
                        .any(|m| l.contains(m))
                })
                .map(|(i, l)| format!("{}:{}: {}", p.display(), i + 1, l.trim()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        printing.is_empty(),
        "printing outside main.rs:\n{}",
        printing.join("\n")
    );
}
