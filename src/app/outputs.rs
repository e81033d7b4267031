//! Output files of one folder, written atomically: each to a temporary file beside its
//! target, renamed into place only when all of a run's files are complete. An error or
//! Ctrl-C leaves no partial file behind (the temporary files are removed on drop).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use tariffsim::engine::RowSink;

use super::Failure;

/// The pending files of one output folder.
pub struct Outputs {
    dir: PathBuf,
    pending: Vec<(tempfile::NamedTempFile, String)>,
    /// Copies of the complete files added, so a report can be drawn from them.
    added: Vec<(String, Vec<u8>)>,
}

/// A temporary file that rows are streamed into (trials.csv).
pub struct Stream {
    file: std::io::BufWriter<tempfile::NamedTempFile>,
    name: String,
}

impl RowSink for Stream {
    fn write_rows(&mut self, rows: &[u8]) -> std::io::Result<()> {
        self.file.write_all(rows)
    }
}

impl Stream {
    /// Hands the finished stream to `outputs` to be renamed with the others.
    pub fn finish_into(self, outputs: &mut Outputs) -> Result<(), Failure> {
        let name = self.name;
        let file = self
            .file
            .into_inner()
            .map_err(|e| anyhow!("writing {name}: {}", e.error()))?;
        outputs.pending.push((file, name));
        Ok(())
    }
}

impl Outputs {
    /// Creates the folder and checks it is writable now, not after an hour's run.
    pub fn open(dir: &Path) -> Result<Outputs, Failure> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create output folder {}", dir.display()))?;
        tempfile::NamedTempFile::new_in(dir)
            .with_context(|| format!("cannot write in output folder {}", dir.display()))?;
        Ok(Outputs {
            dir: dir.to_path_buf(),
            pending: Vec::new(),
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

    fn temp(&self, name: &str) -> Result<tempfile::NamedTempFile, Failure> {
        // Files in a subfolder (charts/x.svg) get their temporary file beside them.
        let target = self.dir.join(name);
        let parent = target.parent().unwrap_or(&self.dir).to_path_buf();
        std::fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create folder {}", parent.display()))?;
        let base = target.file_name().and_then(|n| n.to_str()).unwrap_or("out");
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

    /// Adds a complete file.
    pub fn add(&mut self, name: &str, bytes: &[u8]) -> Result<(), Failure> {
        let mut f = self.temp(name)?;
        f.write_all(bytes)
            .and_then(|_| f.flush())
            .with_context(|| format!("writing {}", self.dir.join(name).display()))?;
        self.pending.push((f, name.to_string()));
        self.added.push((name.to_string(), bytes.to_vec()));
        Ok(())
    }

    /// Starts a file written in pieces.
    pub fn stream(&mut self, name: &str) -> Result<Stream, Failure> {
        Ok(Stream {
            file: std::io::BufWriter::with_capacity(1 << 20, self.temp(name)?),
            name: name.to_string(),
        })
    }

    /// Renames every pending file into place.
    pub fn commit(self) -> Result<(), Failure> {
        for (f, name) in self.pending {
            let target = self.dir.join(&name);
            f.persist(&target)
                .map_err(|e| anyhow!("cannot write {}: {}", target.display(), e.error))?;
        }
        Ok(())
    }
}
