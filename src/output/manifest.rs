//! `manifest.json`: what produced a folder of results, so a reviewer can reproduce it.

use serde::Serialize;

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

/// The cell furthest from a precision target.
#[derive(Clone, Debug, Serialize)]
pub struct WorstCell {
    /// Its regime.
    pub regime: String,
    /// Its route.
    pub route: String,
    /// Its sweep point (`path = value`, ...), empty without a sweep.
    pub point: String,
    /// The standard error of its mean, USD per unit.
    pub se: f64,
    /// That standard error relative to its mean.
    pub rse: f64,
}

impl Manifest {
    /// The manifest as pretty JSON bytes.
    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).unwrap_or_default();
        v.push(b'\n');
        v
    }
}

/// Over the precision outcomes of every sweep point (with its `(path, value)` labels):
/// whether every point reached its target, and the cell furthest from it (the largest
/// ratio of its standard error to the target). `None` without a target or a point.
pub fn worst_cell<'a>(
    outcomes: impl IntoIterator<Item = (&'a [(String, String)], crate::summary::PrecisionOutcome)>,
    target_se: Option<f64>,
    target_rse: Option<f64>,
) -> Option<(bool, WorstCell)> {
    let mut met = true;
    let mut worst: Option<(f64, WorstCell)> = None;
    for (labels, o) in outcomes {
        met &= o.met;
        let ratio = target_se
            .map_or(0.0, |t| o.worst_se / t)
            .max(target_rse.map_or(0.0, |t| o.worst_rse / t));
        if worst.as_ref().is_none_or(|w| ratio > w.0) {
            let point = labels
                .iter()
                .map(|(k, v)| format!("{k} = {v}"))
                .collect::<Vec<_>>()
                .join(", ");
            worst = Some((
                ratio,
                WorstCell {
                    regime: o.worst_regime,
                    route: o.worst_route,
                    point,
                    se: o.worst_se,
                    rse: o.worst_rse,
                },
            ));
        }
    }
    worst.map(|(_, w)| (met, w))
}
