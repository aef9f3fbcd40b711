//! The output folder's lock, the swap that puts a new site in place, and
//! the clean-up of what a killed build left.
//!
//! Takes the output path and a finished staging folder beside it; gives the
//! new site in place of the old, or the old one as it was. Never removes a
//! folder another build is writing (the lock keeps builds of one output
//! apart) nor one that holds a `.git` (a deploy checkout's history).
//!
//! The swap: where the system has `renameat2(RENAME_EXCHANGE)` (Linux), the
//! staging folder and the output trade places in one step, so a kill at any
//! moment leaves a complete `site/`, the old or the new; `.git` moves across
//! last. Elsewhere (or on a file system without the exchange) the old site is
//! renamed aside and the new one into its place: a kill between the two
//! renames leaves no `site/`, and the next build renames the old one back
//! before anything else.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::Diagnostic;

/// Held while a build writes an output folder; released (and the lock file
/// removed) on drop, and by the system when the process dies.
pub(crate) struct Lock {
    path: PathBuf,
    _file: fs::File,
}

impl Lock {
    /// Lock `output` for this process: `.NAME.mend-lock` beside it. An error
    /// naming the lock when another build holds it.
    pub(crate) fn acquire(parent: &Path, name: &str, shown: &Path) -> Result<Lock, Diagnostic> {
        let path = parent.join(format!(".{name}.mend-lock"));
        loop {
            let file = fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .map_err(|e| Diagnostic::io(&path, "cannot create the build lock", &e))?;
            match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => {}
                Err(e) if e == rustix::io::Errno::WOULDBLOCK => {
                    return Err(Diagnostic::error(format!(
                        "another mend build is writing `{}` (it holds {})",
                        shown.display(),
                        path.display()
                    ))
                    .with_hint("wait for it to finish, then build again"));
                }
                Err(e) => {
                    return Err(Diagnostic::io(
                        &path,
                        "cannot lock",
                        &io::Error::from_raw_os_error(e.raw_os_error()),
                    ));
                }
            }
            // The holder before us may have removed the file after we
            // opened it: then the lock is on a name no one else will open.
            let same = match (fs::symlink_metadata(&path), file.metadata()) {
                (Ok(on_disk), Ok(ours)) => same_file(&on_disk, &ours),
                _ => false,
            };
            if same {
                return Ok(Lock { path, _file: file });
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held, so no other build locks this file after it is gone.
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &fs::Metadata, _: &fs::Metadata) -> bool {
    true
}

/// Put `staging` in place of `output`, keeping `output/.git`. `old` is
/// where the previous site goes aside when the system cannot exchange the
/// two. Warnings for what went wrong after the new site was in place.
pub(crate) fn swap(
    staging: &Path,
    output: &Path,
    old: &Path,
) -> Result<Vec<Diagnostic>, Diagnostic> {
    let had_old = fs::symlink_metadata(output).is_ok();
    if !had_old {
        fs::rename(staging, output)
            .map_err(|e| Diagnostic::io(output, "cannot move the new site in place", &e))?;
        return Ok(Vec::new());
    }
    let previous = put_in_place(staging, output, old)?;
    Ok(clear_previous(previous, output).into_iter().collect())
}

/// Exchange `staging` and `output`, or (where the system cannot) move
/// `output` aside to `old` and `staging` in; where the previous site is then.
fn put_in_place<'p>(
    staging: &'p Path,
    output: &Path,
    old: &'p Path,
) -> Result<&'p Path, Diagnostic> {
    match exchange(staging, output) {
        Ok(()) => Ok(staging),
        Err(e) if exchange_unsupported(&e) => {
            fs::rename(output, old)
                .map_err(|e| Diagnostic::io(output, "cannot move the previous site aside", &e))?;
            if let Err(e) = fs::rename(staging, output) {
                let _ = fs::rename(old, output);
                return Err(Diagnostic::io(
                    output,
                    "cannot move the new site in place",
                    &e,
                ));
            }
            Ok(old)
        }
        Err(e) => Err(Diagnostic::io(
            output,
            "cannot swap the new site in place",
            &e,
        )),
    }
}

/// Move the deploy checkout's `.git` from the previous site into the new
/// one, then remove the previous site; a warning when either fails.
fn clear_previous(previous: &Path, output: &Path) -> Option<Diagnostic> {
    // The deploy checkout's history moves last: until it has, it is in the
    // previous site, which is then never removed.
    let (git_old, git_new) = (previous.join(".git"), output.join(".git"));
    if fs::symlink_metadata(&git_old).is_ok()
        && let Err(e) = fs::rename(&git_old, &git_new)
    {
        return Some(
            Diagnostic::io(
                &git_old,
                "the new site is in place, but its .git could not be moved into it",
                &e,
            )
            .with_hint(format!(
                "move it by hand: mv {} {}",
                git_old.display(),
                git_new.display()
            ))
            .into_warning(),
        );
    }
    let removed = remove_tree(previous);
    removed.err().map(|e| {
        Diagnostic::io(
            previous,
            "the new site is in place, but the previous one could not be removed",
            &e,
        )
        .with_hint("delete it by hand; the next build tries again")
        .into_warning()
    })
}

/// Exchange two folders in one step.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE)
        .map_err(|e| io::Error::from_raw_os_error(e.raw_os_error()))
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

/// Whether an exchange failed only because the system or the file system
/// cannot do it (old kernels, some network and FUSE file systems).
fn exchange_unsupported(e: &io::Error) -> bool {
    const EINVAL: i32 = 22;
    const ENOSYS: i32 = 38;
    const EOPNOTSUPP: i32 = 95;
    e.kind() == io::ErrorKind::Unsupported
        || matches!(e.raw_os_error(), Some(EINVAL | ENOSYS | EOPNOTSUPP))
}

/// `remove_dir_all`, several entries at a time: removing tens of thousands
/// of files one by one is most of a rebuild's time on some disks. Symbolic
/// links are removed, never followed.
pub(crate) fn remove_tree(dir: &Path) -> io::Result<()> {
    use rayon::prelude::*;
    let entries = fs::read_dir(dir)?.collect::<Result<Vec<_>, _>>()?;
    entries.par_iter().try_for_each(|entry| {
        if entry.file_type()?.is_dir() {
            remove_tree(&entry.path())
        } else {
            fs::remove_file(entry.path())
        }
    })?;
    fs::remove_dir(dir)
}

/// What a killed build left beside `output` (`.NAME.mend-staging-PID`,
/// `.NAME.mend-old-PID`), for the build holding the [`Lock`]: a previous
/// site set aside with no `site/` left is put back; a `.git` left in one
/// goes back into a `site/` that has none; the rest is removed, except a
/// folder of a process still running or one that still holds a `.git`.
pub(crate) fn recover_leftovers(parent: &Path, name: &str, _lock: &Lock) {
    let output = parent.join(name);
    let mut leftovers = leftovers(parent, name);
    // The most recent set-aside site first, should there be several.
    leftovers.sort_by_key(|(_, old, pid)| (!old, std::cmp::Reverse(*pid)));
    for (path, old, pid) in leftovers {
        if process_alive(pid) {
            continue;
        }
        if old && fs::symlink_metadata(&output).is_err() && fs::rename(&path, &output).is_ok() {
            continue;
        }
        let git = path.join(".git");
        if fs::symlink_metadata(&git).is_ok()
            && fs::symlink_metadata(output.join(".git")).is_err()
            && output.is_dir()
        {
            let _ = fs::rename(&git, output.join(".git"));
        }
        if fs::symlink_metadata(&git).is_err() {
            let _ = remove_tree(&path);
        }
    }
}

/// The leftovers beside `parent/name`: `(path, set aside by the fallback swap, pid)`.
fn leftovers(parent: &Path, name: &str) -> Vec<(PathBuf, bool, u32)> {
    let staging = format!(".{name}.mend-staging-");
    let old = format!(".{name}.mend-old-");
    let Ok(entries) = fs::read_dir(parent) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|entry| {
            let file_name = entry.file_name();
            let file_name = file_name.to_str()?;
            let (is_old, pid) = match file_name.strip_prefix(staging.as_str()) {
                Some(pid) => (false, pid),
                None => (true, file_name.strip_prefix(old.as_str())?),
            };
            let pid = pid
                .bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| pid.parse().ok())
                .flatten()?;
            Some((entry.path(), is_old, pid))
        })
        .collect()
}

/// Whether a process is running (then its staging folder may be in use:
/// an older mend without the lock). Another running process can have the
/// same id; its folder then waits for a later build.
fn process_alive(pid: u32) -> bool {
    pid == std::process::id() || Path::new("/proc").join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_one_output_is_refused_and_the_first_removes_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let first = Lock::acquire(dir.path(), "site", Path::new("site")).unwrap();
        let second = Lock::acquire(dir.path(), "site", Path::new("site"))
            .err()
            .unwrap();
        assert!(
            second
                .message
                .starts_with("another mend build is writing `site`"),
            "{}",
            second.message
        );
        drop(first);
        assert!(!dir.path().join(".site.mend-lock").exists());
        assert!(Lock::acquire(dir.path(), "site", Path::new("site")).is_ok());
    }

    #[test]
    fn swaps_keep_git_and_remove_the_previous_site() {
        let dir = tempfile::tempdir().unwrap();
        let (output, staging, old) = (
            dir.path().join("site"),
            dir.path().join(".site.mend-staging-1"),
            dir.path().join(".site.mend-old-1"),
        );
        fs::create_dir_all(output.join(".git")).unwrap();
        fs::write(output.join("old.html"), "old").unwrap();
        fs::create_dir_all(&staging).unwrap();
        fs::write(staging.join("new.html"), "new").unwrap();
        assert_eq!(swap(&staging, &output, &old).unwrap(), Vec::new());
        assert!(output.join(".git").is_dir());
        assert!(output.join("new.html").is_file());
        assert!(!output.join("old.html").exists());
        assert!(!staging.exists() && !old.exists());
    }

    #[test]
    fn leftovers_with_git_are_kept_or_given_back() {
        let dir = tempfile::tempdir().unwrap();
        let lock = Lock::acquire(dir.path(), "site", Path::new("site")).unwrap();
        // A set-aside previous site and no `site/`: put back.
        let old = dir.path().join(".site.mend-old-999999999");
        fs::create_dir_all(old.join(".git")).unwrap();
        recover_leftovers(dir.path(), "site", &lock);
        assert!(dir.path().join("site/.git").is_dir());
        assert!(!old.exists());
        // A `.git` left behind while `site/` has one: kept where it is.
        let staging = dir.path().join(".site.mend-staging-999999998");
        fs::create_dir_all(staging.join(".git")).unwrap();
        recover_leftovers(dir.path(), "site", &lock);
        assert!(staging.join(".git").is_dir());
        // Without a `.git`: removed.
        fs::remove_dir(staging.join(".git")).unwrap();
        recover_leftovers(dir.path(), "site", &lock);
        assert!(!staging.exists());
    }
}
