//! `manifest.json`: what produced a folder of results, so a reviewer can reproduce it.

use serde::Serialize;

/// The cell furthest from a precision target and how it is found: defined with the
/// other summaries, re-exported here for the manifest's users.
pub use crate::summary::{worst_cell, WorstCell};

/// The provenance of a run.
#[derive(Clone, Debug, Serialize)]
pub struct Manifest {
    /// tariffsim's version.
    pub version: String,
    /// The scenario file(s) as given on the command line.
    pub scenario_file: String,
    /// The scenario's name.
    pub scenario: String,
    /// Seed used.
    pub seed: u64,
    /// Trials asked for (per sweep point).
    pub trials: u64,
    /// Trials actually run per sweep point (fewer when a precision target stopped early).
    pub trials_used: Vec<u64>,
    /// `--target-se`, if given.
    pub target_se: Option<f64>,
    /// `--target-rse`, if given.
    pub target_rse: Option<f64>,
    /// With a precision target: whether every cell of every sweep point reached it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_met: Option<bool>,
    /// With a precision target: the cell furthest from it, over all sweep points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worst_cell: Option<WorstCell>,
    /// Worker threads (does not change results); absent for merged shards.
    pub threads: Option<usize>,
    /// Wall-clock seconds of the simulation (not writing); absent for merged shards.
    pub wall_seconds: Option<f64>,
    /// Trials per second (trials × sweep points / wall time); absent for merged shards.
    pub trials_per_second: Option<f64>,
    /// Number of shard files merged, for a merged run.
    pub merged_shards: Option<u64>,
    /// Overrides given with `--set`, in order.
    pub overrides: Vec<String>,
    /// The swept paths and their values, if any.
    pub sweep: Vec<(String, Vec<String>)>,
    /// Warnings found while validating.
    pub warnings: Vec<String>,
    /// The scenario as resolved (after `extends` and overrides), as TOML text.
    pub resolved_scenario: String,
}

impl Manifest {
    /// The manifest as pretty JSON bytes.
    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).unwrap_or_default();
        v.push(b'\n');
        v
    }
}
