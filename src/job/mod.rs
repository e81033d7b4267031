//! Jobs: a scenario file made ready to run, the same way for the binary and the Python
//! package. The document with its `extends` bases (read through a closure the caller
//! gives), the `--set` overrides, the sweeps (the file's, then the caller's), and one
//! validated scenario per grid point, each checked by a short pilot run.
//!
//! Owns the loading steps and their refusals (too many sweep points, a landed cost that
//! is not finite or too large to sum exactly). It must not touch files itself (the one
//! reader it offers, [`read_capped`], is for the front ends to hand in), print, or know
//! the command line: errors say which option they concern, and each front end spells it.

mod pilot;

use std::path::{Path, PathBuf};

use crate::engine::EngineError;
use crate::scenario::diag::Diagnostics;
use crate::scenario::tree::Table;
use crate::scenario::{self, path, Built, ScenarioError};
use crate::sweep::{self, GridPoint, Sweep};

pub use pilot::{pilot, MAX_COST, PILOT_TRIALS};

/// Why a job cannot be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The document or a grid point does not validate.
    Scenario(ScenarioError),
    /// A bad option value: `--set` or `--sweep` (as `option`, without dashes), the value
    /// as given when the message is about its form, and what is wrong.
    Arg {
        /// The option: `"set"` or `"sweep"`.
        option: &'static str,
        /// The value as given, when the message is about its form.
        spec: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// A grid point's setting cannot be applied (`sweep: ...`).
    Point(String),
    /// The scenario file's sweeps make too many points.
    TooManyPoints {
        /// The scenario file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// The scenario validates but cannot run: the pilot run found a landed cost that is
    /// not finite or too large to sum.
    Pilot {
        /// The scenario file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// The scenario cannot be compiled into a plan.
    Plan(String),
    /// The pilot run failed for another reason than the scenario.
    Engine(EngineError),
}

impl LoadError {
    /// The message, with options spelt `{prefix}{option}` (`"--"` for the binary's
    /// `--set`, `""` for the Python package's `set`).
    pub fn message(&self, prefix: &str) -> String {
        match self {
            LoadError::Scenario(e) => e.to_string(),
            LoadError::Arg {
                option,
                spec,
                message,
            } => match spec {
                Some(s) => format!("{prefix}{option} {s}: {message}"),
                None => format!("{prefix}{option}: {message}"),
            },
            LoadError::Point(m) => format!("sweep: {m}"),
            LoadError::TooManyPoints { file, message } | LoadError::Pilot { file, message } => {
                format!("{file}: {message}")
            }
            LoadError::Plan(m) => m.clone(),
            LoadError::Engine(e) => e.to_string(),
        }
    }
}

/// A scenario ready to run: one validated variant per sweep point.
pub struct Job {
    /// The file as given.
    pub path: PathBuf,
    /// The document after `extends` and `--set`, sweeps removed.
    pub root: Table,
    /// The sweeps (from the file, then the caller's).
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

    /// The sweeps as `(path, value labels)`, as the manifest records them.
    pub fn sweep_labels(&self) -> Vec<(String, Vec<String>)> {
        sweep_labels(&self.sweeps)
    }
}

/// Sweeps as `(path, value labels)`, as the manifest records them.
pub fn sweep_labels(sweeps: &[Sweep]) -> Vec<(String, Vec<String>)> {
    sweeps
        .iter()
        .map(|s| {
            (
                s.path.clone(),
                s.values.iter().map(|v| sweep::label(&v.value)).collect(),
            )
        })
        .collect()
}

/// Largest scenario file (or `extends` base) read: real ones are a few kB.
pub const MAX_SCENARIO_BYTES: u64 = 16 << 20;

/// Reads a file of at most `max` bytes: a larger one (or `/dev/zero`) is refused after
/// reading `max + 1` bytes, never read whole. The library's only file access, for the
/// front ends to use in the reader they hand to [`document`].
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

/// A scenario file's text, at most [`MAX_SCENARIO_BYTES`] of UTF-8: the reader both
/// front ends give [`document`] for files.
pub fn read_scenario_file(path: &Path) -> std::io::Result<String> {
    let bytes = read_capped(path, MAX_SCENARIO_BYTES)?;
    String::from_utf8(bytes)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))
}

/// Reads the document of `path` with its bases (every file through `read`), takes out
/// its sweeps, then applies `sets` (`PATH=VALUE`).
pub fn document(
    path: &Path,
    read: &dyn Fn(&Path) -> std::io::Result<String>,
    sets: &[String],
) -> Result<(Table, Vec<Sweep>), LoadError> {
    let mut d = Diagnostics::default();
    let mut root = scenario::load::load_tree(path, read, &mut d);
    let sweeps = sweep::take_from_doc(&mut root, &mut d);
    if d.has_errors() {
        return Err(LoadError::Scenario(ScenarioError {
            errors: d.errors(),
            warnings: d.warnings(),
        }));
    }
    let set_err = |spec: Option<&str>, message: String| LoadError::Arg {
        option: "set",
        spec: spec.map(str::to_string),
        message,
    };
    for s in sets {
        let Some((p, v)) = s.split_once('=') else {
            return Err(set_err(Some(s), "expected PATH=VALUE".into()));
        };
        let value = path::parse_value(p.trim(), v).map_err(|e| set_err(None, e.to_string()))?;
        path::set(&mut root, p.trim(), value).map_err(|e| set_err(None, e.to_string()))?;
    }
    Ok((root, sweeps))
}

/// Appends the caller's sweeps (`--sweep PATH=...`) to the file's.
pub fn add_sweeps(sweeps: &mut Vec<Sweep>, specs: &[String]) -> Result<(), LoadError> {
    for s in specs {
        sweeps.push(sweep::parse_cli(s).map_err(|e| LoadError::Arg {
            option: "sweep",
            spec: None,
            message: e.to_string(),
        })?);
    }
    Ok(())
}

/// Builds the scenario at one grid point.
pub fn build_point(root: &Table, file: &str, point: &GridPoint) -> Result<Built, LoadError> {
    let mut t = root.clone();
    for (p, v) in &point.settings {
        path::set(&mut t, p, v.clone()).map_err(|e| LoadError::Point(e.to_string()))?;
    }
    scenario::build::build(&t, file).map_err(LoadError::Scenario)
}

/// Every grid point of `sweeps`, built and piloted; refuses more than
/// [`sweep::MAX_POINTS`].
pub fn points(
    root: &Table,
    file: &str,
    sweeps: &[Sweep],
) -> Result<Vec<(GridPoint, Built)>, LoadError> {
    match sweep::grid_size(sweeps) {
        Some(n) if n <= sweep::MAX_POINTS => {}
        n => {
            return Err(LoadError::TooManyPoints {
                file: file.to_string(),
                message: format!(
                    "the sweeps make {} points, more than the {} a run may have",
                    n.map_or("over 2^64".to_string(), |n| n.to_string()),
                    sweep::MAX_POINTS
                ),
            })
        }
    }
    let mut out = Vec::new();
    for p in sweep::grid(sweeps) {
        let built = build_point(root, file, &p)?;
        pilot(file, &built)?;
        out.push((p, built));
    }
    Ok(out)
}

/// Loads a job: document, overrides, sweeps (the file's first, then `cli_sweeps`), and
/// a validated scenario per grid point.
pub fn job(
    path: &Path,
    read: &dyn Fn(&Path) -> std::io::Result<String>,
    sets: &[String],
    cli_sweeps: &[String],
) -> Result<Job, LoadError> {
    let (root, mut sweeps) = document(path, read, sets)?;
    add_sweeps(&mut sweeps, cli_sweeps)?;
    let file = path.display().to_string();
    let points = points(&root, &file, &sweeps)?;
    Ok(Job {
        path: path.to_path_buf(),
        root,
        sweeps,
        overrides: sets.to_vec(),
        points,
    })
}
