//! Loading a scenario for a command: the library's [`tariffsim::job`] steps with the
//! binary's file reader, and their errors as the binary's failures (options spelt
//! `--set`, `--sweep`; exit 2 for the scenario, 1 for a failed pilot run).

use std::path::Path;

use anyhow::anyhow;
use tariffsim::job::{self, LoadError};
use tariffsim::scenario::tree::Table;
use tariffsim::scenario::Built;
use tariffsim::sweep::{GridPoint, Sweep};

pub use tariffsim::job::{read_capped, Job};

use super::Failure;

/// A load error as the binary reports it.
pub fn failure(e: LoadError) -> Failure {
    match e {
        LoadError::Scenario(e) => Failure::Input(anyhow!(e)),
        LoadError::Engine(e) => Failure::Run(anyhow!(e)),
        e => Failure::Input(anyhow!(e.message("--"))),
    }
}

/// Reads the document of `path` with its bases, then applies `sets` (`PATH=VALUE`).
pub fn document(path: &Path, sets: &[String]) -> Result<(Table, Vec<Sweep>), Failure> {
    job::document(path, &job::read_scenario_file, sets).map_err(failure)
}

/// Builds the scenario at one grid point.
pub fn build_point(root: &Table, file: &str, point: &GridPoint) -> Result<Built, Failure> {
    job::build_point(root, file, point).map_err(failure)
}

/// Loads a job: document, overrides, sweeps (file ones first, then `cli_sweeps`), and a
/// validated scenario per grid point.
pub fn job(path: &Path, sets: &[String], cli_sweeps: &[String]) -> Result<Job, Failure> {
    job::job(path, &job::read_scenario_file, sets, cli_sweeps).map_err(failure)
}
