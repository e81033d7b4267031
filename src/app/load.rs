//! Loading a scenario for a command: files (with `extends`), `--set` overrides, sweeps,
//! and validation of every sweep point before anything runs.

use std::path::{Path, PathBuf};

use anyhow::anyhow;
use tariffsim::scenario::diag::Diagnostics;
use tariffsim::scenario::tree::Table;
use tariffsim::scenario::{self, path, Built, ScenarioError};
use tariffsim::sweep::{self, GridPoint, Sweep};

use super::Failure;

/// A scenario ready to run: one validated variant per sweep point.
pub struct Job {
    /// The file as given.
    pub path: PathBuf,
    /// The document after `extends` and `--set`, sweeps removed.
    pub root: Table,
    /// The sweeps (from the file, then the command line).
    pub sweeps: Vec<Sweep>,
    /// `--set` overrides as given.
    pub overrides: Vec<String>,
    /// The grid points, each with its validated scenario.
    pub points: Vec<(GridPoint, Built)>,
}

impl Job {
    /// The scenario's name (the same at every point).
    pub fn name(&self) -> &str {
        &self.points[0].1.scenario.name
    }
}

fn input(e: impl Into<anyhow::Error>) -> Failure {
    Failure::Input(e.into())
}

/// Largest scenario file (or `extends` base) read: real ones are a few kB.
pub const MAX_SCENARIO_BYTES: u64 = 16 << 20;

/// Reads a file of at most `max` bytes: a larger one (or `/dev/zero`) is refused after
/// reading `max + 1` bytes, never read whole.
pub fn read_capped(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let f = std::fs::File::open(path)?;
    if f.metadata()?.is_dir() {
        return Err(std::io::Error::other("is a folder"));
    }
    let mut buf = Vec::new();
    f.take(max + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > max {
        return Err(std::io::Error::other(format!(
            "larger than the limit of {max} bytes"
        )));
    }
    Ok(buf)
}

/// Reads the document of `path` with its bases, then applies `sets` (`PATH=VALUE`).
pub fn document(path: &Path, sets: &[String]) -> Result<(Table, Vec<Sweep>), Failure> {
    let mut d = Diagnostics::default();
    let read = |p: &Path| {
        let bytes = read_capped(p, MAX_SCENARIO_BYTES)?;
        String::from_utf8(bytes)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))
    };
    let mut root = scenario::load::load_tree(path, &read, &mut d);
    let sweeps = sweep::take_from_doc(&mut root, &mut d);
    if d.has_errors() {
        return Err(input(ScenarioError {
            errors: d.errors(),
            warnings: d.warnings(),
        }));
    }
    for s in sets {
        let Some((p, v)) = s.split_once('=') else {
            return Err(input(anyhow!("--set {s}: expected PATH=VALUE")));
        };
        let value = path::parse_value(p.trim(), v).map_err(|e| input(anyhow!("--set: {e}")))?;
        path::set(&mut root, p.trim(), value).map_err(|e| input(anyhow!("--set: {e}")))?;
    }
    Ok((root, sweeps))
}

/// Builds the scenario at one grid point.
pub fn build_point(root: &Table, file: &str, point: &GridPoint) -> Result<Built, Failure> {
    let mut t = root.clone();
    for (p, v) in &point.settings {
        path::set(&mut t, p, v.clone()).map_err(|e| input(anyhow!("sweep: {e}")))?;
    }
    scenario::build::build(&t, file).map_err(input)
}

/// Loads a job: document, overrides, sweeps (file ones first, then `cli_sweeps`), and a
/// validated scenario per grid point.
pub fn job(path: &Path, sets: &[String], cli_sweeps: &[String]) -> Result<Job, Failure> {
    let (root, mut sweeps) = document(path, sets)?;
    for s in cli_sweeps {
        sweeps.push(sweep::parse_cli(s).map_err(|e| input(anyhow!("--sweep: {e}")))?);
    }
    let file = path.display().to_string();
    let mut points = Vec::new();
    for p in sweep::grid(&sweeps) {
        let built = build_point(&root, &file, &p)?;
        points.push((p, built));
    }
    Ok(Job {
        path: path.to_path_buf(),
        root,
        sweeps,
        overrides: sets.to_vec(),
        points,
    })
}
