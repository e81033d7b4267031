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

/// Trials of the pilot run at check time.
const PILOT_TRIALS: u64 = 64;
/// Largest landed cost per unit that is summed exactly (a block's sum of squares must
/// stay inside the fixed-point range; beyond it a mean would come out as `inf`).
pub const MAX_COST: f64 = 1e11;

/// What `check` accepts must run: a few trials of the scenario, refused (exit 2) if a
/// cost is not finite or too large to sum, e.g. `unit_value = 1e308` or
/// `units_per_feu = 5e-324`.
fn pilot(file: &str, built: &Built) -> Result<(), Failure> {
    use tariffsim::engine::{self, RunSpec, Silent};
    let s = &built.scenario;
    let plan = tariffsim::model::Plan::new(s.clone()).map_err(input)?;
    let spec = RunSpec::new(PILOT_TRIALS, s.seed, 1);
    let hint = "a value such as unit_value or units_per_feu is too large or too small";
    let acc = match engine::run(&plan, &spec, &Silent, None) {
        Ok(acc) => acc,
        Err(engine::EngineError::NonFinite { regime, route, .. }) => {
            return Err(input(anyhow!(
                "{file}: regime `{regime}`, route `{route}`: the landed cost is not a finite \
                 number ({hint})"
            )))
        }
        Err(e) => return Err(Failure::Run(anyhow!(e))),
    };
    for (i, c) in acc.cells.iter().enumerate() {
        let m = c.cost_sketch.min().unwrap_or(0.0).abs();
        let m = m.max(c.cost_sketch.max().unwrap_or(0.0).abs());
        if m > MAX_COST {
            let routes = plan.n_routes();
            return Err(input(anyhow!(
                "{file}: regime `{}`, route `{}`: a landed cost of {m:e} USD per unit is \
                 beyond {MAX_COST:e}, the largest summed exactly ({hint})",
                s.regimes[i / routes].name,
                s.routes[i % routes].name
            )));
        }
    }
    Ok(())
}

/// Loads a job: document, overrides, sweeps (file ones first, then `cli_sweeps`), and a
/// validated scenario per grid point.
pub fn job(path: &Path, sets: &[String], cli_sweeps: &[String]) -> Result<Job, Failure> {
    let (root, mut sweeps) = document(path, sets)?;
    for s in cli_sweeps {
        sweeps.push(sweep::parse_cli(s).map_err(|e| input(anyhow!("--sweep: {e}")))?);
    }
    let file = path.display().to_string();
    match sweep::grid_size(&sweeps) {
        Some(n) if n <= sweep::MAX_POINTS => {}
        n => {
            return Err(input(anyhow!(
                "{file}: the sweeps make {} points, more than the {} a run may have",
                n.map_or("over 2^64".to_string(), |n| n.to_string()),
                sweep::MAX_POINTS
            )))
        }
    }
    let mut points = Vec::new();
    for p in sweep::grid(&sweeps) {
        let built = build_point(&root, &file, &p)?;
        pilot(&file, &built)?;
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
