//! The files of a run. A run's folder is one unit: it is written into a staging folder
//! beside the target and swapped in whole at [`Outputs::commit`], under a lock that
//! refuses a second run into the same folder (see `folder`). An error or a signal
//! (SIGINT, SIGTERM, SIGHUP) before the swap leaves the previous folder as it was and
//! removes the staging folder. Shard files, which many tasks write into one shared
//! folder, are instead written one by one, each to a temporary file renamed into place.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use tariffsim::engine::RowSink;

use super::folder::{self, Lock, Stage, Target};
use super::Failure;

/// The pending files of one output folder.
pub struct Outputs {
    /// The folder as the user named it (for messages).
    dir: PathBuf,
    /// Where files are written now: the staging folder (or a folder inside it).
    root: PathBuf,
    mode: Mode,
    /// Copies of the complete files added, so a report can be drawn from them.
    added: Vec<(String, Vec<u8>)>,
}

enum Mode {
    /// A whole folder, staged, swapped in at commit.
    Staged {
        target: Target,
        stage: Stage,
        _lock: Lock,
    },
    /// A folder inside a staged batch folder: committed with it.
    Inside,
    /// Files into a shared folder, each renamed into place at commit.
    Files {
        pending: Vec<(tempfile::NamedTempFile, String)>,
    },
}

/// A file that rows are streamed into (trials.csv).
pub struct Stream {
    file: std::io::BufWriter<std::fs::File>,
    name: String,
}

impl RowSink for Stream {
    fn write_rows(&mut self, rows: &[u8]) -> std::io::Result<()> {
        self.file.write_all(rows)
    }
}

impl Stream {
    /// Finishes the stream; it is swapped in with the other files.
    pub fn finish_into(self, _outputs: &mut Outputs) -> Result<(), Failure> {
        let name = self.name;
        self.file
            .into_inner()
            .map_err(|e| anyhow!("writing {name}: {}", e.error()))?;
        Ok(())
    }
}

impl Outputs {
    /// A new run's folder: locks it, cleans leftovers of killed runs, and stages it
    /// empty, so no file of an earlier run survives the swap. Refuses (exit 2) a folder
    /// holding files that tariffsim does not write.
    pub fn open(dir: &Path) -> Result<Outputs, Failure> {
        Self::staged(dir, None)
    }

    /// Adds to an existing folder: stages it with its current files except the
    /// top-level entries `replace`, which this command writes anew.
    pub fn update(dir: &Path, replace: &[&str]) -> Result<Outputs, Failure> {
        Self::staged(dir, Some(replace))
    }

    fn staged(dir: &Path, keep_except: Option<&[&str]>) -> Result<Outputs, Failure> {
        let target = Target::new(dir)?;
        let lock = Lock::take(&target)?;
        folder::clean_leftovers(&target);
        if keep_except.is_none() && !folder::replaceable(dir)? {
            return Err(Failure::Input(anyhow!(
                "output folder {} holds files tariffsim did not write; tariffsim replaces \
                 its output folder whole, so choose a new or empty folder",
                dir.display()
            )));
        }
        let stage = Stage::create(&target)?;
        if let Some(except) = keep_except {
            stage.keep_from(dir, except)?;
        }
        Ok(Outputs {
            dir: dir.to_path_buf(),
            root: stage.path.clone(),
            mode: Mode::Staged {
                target,
                stage,
                _lock: lock,
            },
            added: Vec::new(),
        })
    }

    /// A folder `name` inside this staged folder (a batch's scenario folder).
    pub fn inside(&self, name: &str) -> Result<Outputs, Failure> {
        let root = self.root.join(name);
        std::fs::create_dir_all(&root)
            .with_context(|| format!("cannot create {}", self.dir.join(name).display()))?;
        Ok(Outputs {
            dir: self.dir.join(name),
            root,
            mode: Mode::Inside,
            added: Vec::new(),
        })
    }

    /// Files into a shared folder (shard state files): creates it and checks it is
    /// writable now, not after an hour's run.
    pub fn files_in(dir: &Path) -> Result<Outputs, Failure> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create output folder {}", dir.display()))?;
        tempfile::NamedTempFile::new_in(dir)
            .with_context(|| format!("cannot write in output folder {}", dir.display()))?;
        Ok(Outputs {
            dir: dir.to_path_buf(),
            root: dir.to_path_buf(),
            mode: Mode::Files {
                pending: Vec::new(),
            },
            added: Vec::new(),
        })
    }

    /// The text of a file added earlier in this run, if any.
    pub fn added(&self, name: &str) -> Option<String> {
        self.added
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
    }

    fn parent_of(&self, name: &str) -> Result<PathBuf, Failure> {
        let target = self.root.join(name);
        let parent = target.parent().unwrap_or(&self.root).to_path_buf();
        std::fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create folder {}", self.shown(name).display()))?;
        Ok(parent)
    }

    /// The path of `name` as the user will see it after the commit.
    fn shown(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn temp(&self, name: &str) -> Result<tempfile::NamedTempFile, Failure> {
        let parent = self.parent_of(name)?;
        let base = Path::new(name)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("out");
        let f = tempfile::Builder::new()
            .prefix(&format!(".{base}."))
            .tempfile_in(&parent)
            .with_context(|| format!("cannot create a file in {}", parent.display()))?;
        // Temporary files are private (0600); results are for sharing, like any file.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = f
                .as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644));
        }
        Ok(f)
    }

    fn create(&self, name: &str) -> Result<std::fs::File, Failure> {
        self.parent_of(name)?;
        std::fs::File::create(self.root.join(name))
            .with_context(|| format!("cannot create {}", self.shown(name).display()))
            .map_err(Failure::Run)
    }

    /// Adds a complete file.
    pub fn add(&mut self, name: &str, bytes: &[u8]) -> Result<(), Failure> {
        let shown = self.shown(name);
        match &mut self.mode {
            Mode::Files { .. } => {
                let mut f = self.temp(name)?;
                f.write_all(bytes)
                    .and_then(|_| f.flush())
                    .with_context(|| format!("writing {}", shown.display()))?;
                if let Mode::Files { pending } = &mut self.mode {
                    pending.push((f, name.to_string()));
                }
            }
            Mode::Staged { .. } | Mode::Inside => {
                let mut f = self.create(name)?;
                f.write_all(bytes)
                    .and_then(|_| f.flush())
                    .with_context(|| format!("writing {}", shown.display()))?;
            }
        }
        self.added.push((name.to_string(), bytes.to_vec()));
        Ok(())
    }

    /// Starts a file written in pieces (never for shard files).
    pub fn stream(&mut self, name: &str) -> Result<Stream, Failure> {
        Ok(Stream {
            file: std::io::BufWriter::with_capacity(1 << 20, self.create(name)?),
            name: name.to_string(),
        })
    }

    /// Puts every file in place: swaps a staged folder in whole, or renames each file.
    /// A signal received before this point aborts the run and keeps the previous
    /// folder; once the swap is done, the run is complete.
    pub fn commit(self) -> Result<(), Failure> {
        super::fault::pause("before-swap");
        if super::cancel_flag().load(std::sync::atomic::Ordering::Relaxed) {
            return Err(Failure::Run(anyhow!(
                "interrupted; no results were written ({} is as it was)",
                self.dir.display()
            )));
        }
        match self.mode {
            Mode::Staged { target, stage, .. } => stage.swap_into(&target),
            Mode::Inside => Ok(()),
            Mode::Files { pending } => {
                for (f, name) in pending {
                    let target = self.root.join(&name);
                    f.persist(&target)
                        .map_err(|e| anyhow!("cannot write {}: {}", target.display(), e.error))?;
                }
                Ok(())
            }
        }
    }
}
