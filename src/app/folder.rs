//! An output folder as one unit: a lock beside it, a staging folder beside it that a run
//! writes into, and a swap that puts the staging folder in its place whole. A reader of
//! the folder sees the previous run or the new one, never a mix; leftovers of killed
//! runs (staging folders, a folder moved aside) are cleaned by the next run.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::anyhow;

use super::Failure;

/// Names a run puts at the top of an output folder; a folder holding anything else is
/// not replaced (it may be the user's).
const OUTPUT_NAMES: &[&str] = &[
    "summary.csv",
    "compare.csv",
    "histogram.csv",
    "manifest.json",
    "trials.csv",
    "timing.csv",
    "sensitivity.csv",
    "breakeven.csv",
    "breakeven-manifest.json",
    "frontier.csv",
    "exceedance.csv",
    "assumptions.json",
    "report.html",
    "charts",
];

/// The target folder with its name split off: `parent/name`.
pub struct Target {
    /// The folder as given.
    pub dir: PathBuf,
    parent: PathBuf,
    name: String,
}

impl Target {
    /// Splits `dir`; refuses `/`, `.` and `..`, which cannot be swapped.
    pub fn new(dir: &Path) -> Result<Target, Failure> {
        let abs = std::path::absolute(dir)
            .map_err(|e| Failure::Input(anyhow!("output folder {}: {e}", dir.display())))?;
        let name = abs.file_name().and_then(|n| n.to_str()).map(str::to_string);
        let (Some(name), Some(parent)) = (name, abs.parent()) else {
            return Err(Failure::Input(anyhow!(
                "output folder {}: name a folder of its own (not `/`, `.` or `..`)",
                dir.display()
            )));
        };
        if name == ".." {
            return Err(Failure::Input(anyhow!(
                "output folder {}: name a folder of its own (not `..`)",
                dir.display()
            )));
        }
        Ok(Target {
            dir: dir.to_path_buf(),
            parent: parent.to_path_buf(),
            name,
        })
    }

    fn sibling(&self, what: &str) -> PathBuf {
        self.parent.join(format!(".{}.{what}", self.name))
    }

    fn stage_prefix(&self) -> String {
        format!(".{}.tariffsim-stage-", self.name)
    }

    fn old_prefix(&self) -> String {
        format!(".{}.tariffsim-old-", self.name)
    }
}

/// An exclusive lock on a target folder: the file `.NAME.lock` beside it, locked with
/// the kernel's advisory lock (released even if the process is killed) and removed
/// when dropped.
pub struct Lock {
    path: PathBuf,
    _file: File,
}

impl Lock {
    /// Takes the lock, or fails at once if another run holds it.
    pub fn take(t: &Target) -> Result<Lock, Failure> {
        std::fs::create_dir_all(&t.parent).map_err(|e| {
            Failure::Run(anyhow!(
                "cannot create output folder {}: {e}",
                t.dir.display()
            ))
        })?;
        let path = t.sibling("lock");
        // A lock file removed by its holder between our open and our lock would leave us
        // holding a lock on a deleted file: retry until the locked file is the one at
        // the path.
        for _ in 0..100 {
            let file = File::options()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .map_err(|e| {
                    Failure::Run(anyhow!(
                        "cannot create lock file {} for output folder {}: {e}",
                        path.display(),
                        t.dir.display()
                    ))
                })?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(Failure::Input(anyhow!(
                        "output folder {} is in use by another tariffsim run (lock file {}); \
                         wait for it to finish or choose another --out",
                        t.dir.display(),
                        path.display()
                    )))
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(Failure::Run(anyhow!(
                        "cannot lock {} for output folder {}: {e}",
                        path.display(),
                        t.dir.display()
                    )))
                }
            }
            if same_file(&file, &path) {
                return Ok(Lock { path, _file: file });
            }
        }
        Err(Failure::Run(anyhow!(
            "cannot lock {}: it keeps being replaced",
            path.display()
        )))
    }
}

#[cfg(unix)]
fn same_file(f: &File, p: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (f.metadata(), std::fs::metadata(p)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, p: &Path) -> bool {
    p.exists()
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still locked, so a waiting run re-opens a fresh file.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Whether `dir` may be replaced: missing, empty, or holding only what runs write
/// (hidden leftovers and, for a batch, scenario folders that are themselves outputs).
pub fn replaceable(dir: &Path) -> Result<bool, Failure> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => return Ok(false),
        Err(e) => {
            return Err(Failure::Run(anyhow!(
                "cannot read output folder {}: {e}",
                dir.display()
            )))
        }
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if is_leftover(&name) || OUTPUT_NAMES.contains(&name.as_ref()) {
            continue;
        }
        let sub = e.path();
        let is_output = sub.is_dir()
            && (sub.join("manifest.json").exists() || sub.join("summary.csv").exists());
        if !is_output {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Whether `name` is a temporary file or folder some tariffsim run left (a killed run,
/// or a version that wrote files one by one): `.summary.csv.x7Ab3q`, `.x.tariffsim-stage-1`.
fn is_leftover(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('.') else {
        return false;
    };
    rest.contains(".tariffsim-")
        || rest.starts_with("shard-")
        || OUTPUT_NAMES
            .iter()
            .any(|n| rest.strip_prefix(n).is_some_and(|r| r.starts_with('.')))
}

/// Removes what killed runs left beside the target: staging folders, and a previous
/// folder moved aside (put back if the target is missing). Call with the lock held.
pub fn clean_leftovers(t: &Target) {
    let Ok(entries) = std::fs::read_dir(&t.parent) else {
        return;
    };
    let (stage, old) = (t.stage_prefix(), t.old_prefix());
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(&stage) {
            let _ = std::fs::remove_dir_all(e.path());
        } else if name.starts_with(&old) {
            if !t.dir.exists() {
                let _ = std::fs::rename(e.path(), &t.dir);
            } else {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}

/// A staging folder beside the target, removed when dropped unless swapped in.
pub struct Stage {
    /// Where the run writes.
    pub path: PathBuf,
    done: bool,
}

impl Stage {
    /// Creates an empty staging folder for `t`.
    pub fn create(t: &Target) -> Result<Stage, Failure> {
        let path = t
            .parent
            .join(format!("{}{}", t.stage_prefix(), std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir(&path).map_err(|e| {
            Failure::Run(anyhow!(
                "cannot write in the folder of {}: {e}",
                t.dir.display()
            ))
        })?;
        Ok(Stage { path, done: false })
    }

    /// Hard-links (or copies) the files of `from` into the stage, except leftovers of
    /// killed runs and the top-level entries `except`: a command that adds to a folder
    /// keeps everything else in it, even files tariffsim did not write.
    pub fn keep_from(&self, from: &Path, except: &[&str]) -> Result<(), Failure> {
        link_tree(from, &self.path, except).map_err(|e| {
            Failure::Run(anyhow!(
                "cannot carry the files of {} over: {e}",
                from.display()
            ))
        })
    }

    /// Puts the stage in place of the target: an atomic exchange where the system has
    /// one, else two renames (the previous folder is put back by the next run if this
    /// one dies between them). The previous folder is then removed.
    pub fn swap_into(mut self, t: &Target) -> Result<(), Failure> {
        let fail = |e: std::io::Error| {
            Failure::Run(anyhow!(
                "cannot move the new results into {}: {e}",
                t.dir.display()
            ))
        };
        if !t.dir.exists() {
            std::fs::rename(&self.path, &t.dir).map_err(fail)?;
            self.done = true;
            return Ok(());
        }
        if exchange(&self.path, &t.dir).is_ok() {
            // The stage now holds the previous run.
            super::fault::pause("after-swap");
            let _ = std::fs::remove_dir_all(&self.path);
            self.done = true;
            return Ok(());
        }
        let old = t
            .parent
            .join(format!("{}{}", t.old_prefix(), std::process::id()));
        std::fs::rename(&t.dir, &old).map_err(fail)?;
        if let Err(e) = std::fs::rename(&self.path, &t.dir) {
            let _ = std::fs::rename(&old, &t.dir);
            return Err(fail(e));
        }
        self.done = true;
        super::fault::pause("after-swap");
        let _ = std::fs::remove_dir_all(&old);
        Ok(())
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

fn link_tree(from: &Path, to: &Path, except: &[&str]) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(from) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for e in entries {
        let e = e?;
        let name = e.file_name();
        let s = name.to_string_lossy();
        if is_leftover(&s) || except.contains(&s.as_ref()) {
            continue;
        }
        let (src, dst) = (e.path(), to.join(&name));
        let ty = e.file_type()?;
        if ty.is_dir() {
            std::fs::create_dir(&dst)?;
            link_tree(&src, &dst, &[])?;
        } else if ty.is_symlink() {
            copy_symlink(&src, &dst)?;
        } else if std::fs::hard_link(&src, &dst).is_err() {
            std::fs::copy(&src, &dst)?;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn copy_symlink(src: &Path, dst: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(std::fs::read_link(src)?, dst)
}

#[cfg(not(unix))]
fn copy_symlink(src: &Path, dst: &Path) -> std::io::Result<()> {
    std::fs::copy(src, dst).map(drop)
}
