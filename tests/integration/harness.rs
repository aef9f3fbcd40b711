//! A fixture site in a temp dir, and the real binary run on it.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const CONFIG: &str = "title: Fixture KB\ndescription: A fixture.\nbase_url: https://example.org/kb/\nthemes:\n  apology: {title: Apology, description: Saying sorry.}\n  forgiveness: {title: Forgiveness, description: Letting go.}\n  therapy: {title: Therapy, description: Getting help.}\n";

pub struct Site {
    pub dir: tempfile::TempDir,
}

/// The result of running `mend`.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Site {
    /// An empty project with the standard fixture `mend.yaml`.
    pub fn new() -> Site {
        let site = Site {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        site.file("mend.yaml", CONFIG);
        fs::create_dir_all(site.root().join("articles")).expect("articles dir");
        site
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(&self, path: &str, text: &str) -> &Site {
        let path = self.root().join(path);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, text).expect("write fixture");
        self
    }

    /// A site theme `name` whose every required template is `text`, named
    /// by `mend.yaml` (the fixture's, with `site_theme:`). Write a template
    /// again to give it other text.
    pub fn with_plain_theme(&self, name: &str, text: &str) -> &Site {
        for template in mend::render::REQUIRED_TEMPLATES {
            self.file(&format!("themes/{name}/templates/{template}"), text);
        }
        self.file(
            "mend.yaml",
            &CONFIG.replace("themes:\n", &format!("site_theme: {name}\nthemes:\n")),
        )
    }

    /// An article with the given themes and body.
    pub fn article(&self, slug: &str, themes: &str, body: &str) -> &Site {
        self.file(
            &format!("articles/{slug}.md"),
            &format!("---\ntitle: Title of {slug}\nsummary: Summary of {slug}.\nthemes: [{themes}]\n---\n{body}"),
        )
    }

    /// Run `mend ARGS` in the project root.
    #[track_caller]
    pub fn mend(&self, args: &[&str]) -> Run {
        run(self.root(), args, &[])
    }

    /// `mend build`, expecting success.
    #[track_caller]
    pub fn build(&self) -> Run {
        let run = self.mend(&["build"]);
        assert_eq!(run.code, 0, "build failed:\n{}", run.stderr);
        run
    }

    /// `mend build`, expecting failure with `code`.
    #[track_caller]
    pub fn build_fails(&self, code: i32) -> Run {
        let run = self.mend(&["build"]);
        assert_eq!(
            run.code, code,
            "unexpected exit code; stderr:\n{}",
            run.stderr
        );
        run
    }

    #[track_caller]
    pub fn read(&self, path: &str) -> String {
        let path = self.root().join("site").join(path);
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Staging or set-aside folders a build left beside the output.
    pub fn leftovers(&self) -> Vec<String> {
        fs::read_dir(self.root())
            .expect("project dir")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".mend-"))
            .collect()
    }

    pub fn exists(&self, path: &str) -> bool {
        self.root().join("site").join(path).exists()
    }
}

#[track_caller]
pub fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mend"));
    cmd.args(args).current_dir(dir).env_remove("RUST_BACKTRACE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("run mend");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// How long a run may take before a test calls it hung: generous, so a busy
/// machine is never mistaken for a hang (a hang is far longer).
pub const HANG_GUARD: std::time::Duration = std::time::Duration::from_secs(120);

/// `mend ARGS` in `dir` and the CPU time it used (user and system, all its
/// threads), from bash's `times`: unlike wall time, it does not grow when
/// other work shares the machine.
#[track_caller]
pub fn cpu_timed(dir: &Path, args: &[&str]) -> (Run, std::time::Duration) {
    let out = Command::new("bash")
        .arg("-c")
        .arg("\"$0\" \"$@\" 2>\"$MEND_CPU_STDERR\"; code=$?; times; exit $code")
        .arg(env!("CARGO_BIN_EXE_mend"))
        .args(args)
        .env("MEND_CPU_STDERR", dir.join(".mend-cpu-stderr"))
        .env_remove("RUST_BACKTRACE")
        .current_dir(dir)
        .output()
        .expect("run bash");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    // `times` prints the shell's user and system time, then its children's.
    let mut lines: Vec<&str> = stdout.lines().collect();
    let children = lines.pop().unwrap_or_default().to_string();
    lines.pop();
    let seconds = |field: &str| -> f64 {
        let (minutes, rest) = field.split_once('m').unwrap_or(("0", field));
        minutes.parse::<f64>().unwrap_or(0.0) * 60.0
            + rest.trim_end_matches('s').parse::<f64>().unwrap_or(0.0)
    };
    let cpu: f64 = children.split_whitespace().map(seconds).sum();
    let stderr = fs::read_to_string(dir.join(".mend-cpu-stderr")).unwrap_or_default();
    let _ = fs::remove_file(dir.join(".mend-cpu-stderr"));
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: lines.join("\n"),
        stderr,
    };
    (run, std::time::Duration::from_secs_f64(cpu))
}

/// Every file under `dir` with its bytes, keyed by relative path.
pub fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .expect("prefix")
                .to_path_buf();
            out.insert(rel, fs::read(entry.path()).expect("read"));
        }
    }
    out
}

/// The `href` values of every `<a>` inside the element that starts with `start` (up to its `end`).
pub fn hrefs_between(html: &str, start: &str, end: &str) -> Vec<String> {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no `{start}` in page"));
    let rest = &html[from..];
    let to = rest.find(end).unwrap_or(rest.len());
    hrefs(&rest[..to])
}

pub fn hrefs(html: &str) -> Vec<String> {
    html.split("<a ")
        .skip(1)
        .filter_map(|a| a.split("href=\"").nth(1).and_then(|h| h.split('"').next()))
        .map(str::to_string)
        .collect()
}

/// A project made by the benchmark's corpus generator (`examples/corpus.rs`)
/// at `root`: `articles` articles from `seed`. Their slugs, sorted.
pub fn generated_corpus(root: &Path, articles: usize, seed: u64) -> Vec<String> {
    let args = [
        "--articles".to_string(),
        articles.to_string(),
        "--out".to_string(),
        root.to_str().expect("utf-8 temp path").to_string(),
        "--seed".to_string(),
        seed.to_string(),
    ];
    let args = crate::corpus::parse_args(args.into_iter())
        .expect("corpus arguments")
        .expect("not --help");
    crate::corpus::run(&args).expect("generate the corpus");
    let mut slugs: Vec<String> = fs::read_dir(root.join("articles"))
        .expect("articles dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".md").map(str::to_string))
        .collect();
    slugs.sort();
    slugs
}
