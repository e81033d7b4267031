//! The files of a run's folder, as bytes: summary.csv, compare.csv, histogram.csv,
//! sensitivity.csv (when asked for), timing.csv (with timed measures), exceedance.csv,
//! assumptions.json and manifest.json. Shared by the binary's `run` and `merge` and by
//! the Python package, so all write the same bytes. (trials.csv is streamed while the
//! run goes; the report and charts are drawn from these files by `report`.)

use super::manifest::Manifest;
use super::{compare_csv, exceedance_csv, histogram_csv, sensitivity_csv, summary_csv, timing_csv};
use crate::summary::RunSummary;

/// What the manifest records besides the results.
pub struct Provenance {
    /// The scenario file as given.
    pub scenario_file: String,
    /// The scenario's name.
    pub scenario: String,
    /// The seed.
    pub seed: u64,
    /// Trials asked for per point.
    pub trials: u64,
    /// `--target-se`, if given.
    pub target_se: Option<f64>,
    /// `--target-rse`, if given.
    pub target_rse: Option<f64>,
    /// Worker threads (absent for merged shards).
    pub threads: Option<usize>,
    /// Wall-clock seconds of the simulation (absent for merged shards).
    pub wall_seconds: Option<f64>,
    /// Shard files merged, for a merged run.
    pub merged_shards: Option<u64>,
    /// `--set` overrides as given.
    pub overrides: Vec<String>,
    /// The swept paths and their value labels.
    pub sweep: Vec<(String, Vec<String>)>,
    /// Warnings found while validating.
    pub warnings: Vec<String>,
    /// The scenario as resolved, TOML.
    pub resolved_scenario: String,
}

/// A run's files, `(name, bytes)`, in the order written.
pub fn run_files(s: &RunSummary, p: &Provenance) -> Vec<(&'static str, Vec<u8>)> {
    let mut files = Vec::new();
    let rows: Vec<_> = s
        .cells
        .iter()
        .map(|(pt, c)| (Vec::new(), pt.clone(), c))
        .collect();
    files.push(("summary.csv", summary_csv(&[], &rows)));
    let rows: Vec<_> = s.compares.iter().map(|(pt, c)| (pt.clone(), c)).collect();
    files.push(("compare.csv", compare_csv(&rows)));
    let rows: Vec<_> = s.bins.iter().map(|(pt, b)| (pt.clone(), b)).collect();
    files.push(("histogram.csv", histogram_csv(&rows)));
    if let Some(sens) = &s.sensitivity {
        let rows: Vec<_> = sens.iter().map(|(pt, r)| (pt.clone(), r)).collect();
        files.push(("sensitivity.csv", sensitivity_csv(&rows)));
    }
    if !s.timing.is_empty() {
        let rows: Vec<_> = s.timing.iter().map(|(pt, t)| (pt.clone(), t)).collect();
        files.push(("timing.csv", timing_csv(&rows)));
    }
    let rows: Vec<_> = s.exceedance.iter().map(|(pt, e)| (pt.clone(), e)).collect();
    files.push(("exceedance.csv", exceedance_csv(&rows)));
    if let Some(a) = &s.assumptions {
        files.push(("assumptions.json", a.to_json()));
    }
    let done: u64 = s.trials_used.iter().sum();
    let manifest = Manifest {
        version: crate::VERSION.to_string(),
        scenario_file: p.scenario_file.clone(),
        scenario: p.scenario.clone(),
        seed: p.seed,
        trials: p.trials,
        trials_used: s.trials_used.clone(),
        target_se: p.target_se,
        target_rse: p.target_rse,
        target_met: s.precision.as_ref().map(|w| w.0),
        worst_cell: s.precision.as_ref().map(|w| w.1.clone()),
        threads: p.threads,
        wall_seconds: p.wall_seconds,
        trials_per_second: p.wall_seconds.map(|w| done as f64 / w.max(1e-9)),
        merged_shards: p.merged_shards,
        overrides: p.overrides.clone(),
        sweep: p.sweep.clone(),
        warnings: p.warnings.clone(),
        resolved_scenario: p.resolved_scenario.clone(),
    };
    files.push(("manifest.json", manifest.to_json()));
    files
}
