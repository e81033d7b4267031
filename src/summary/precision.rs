//! Precision targets (`--target-se`, `--target-rse`): whether every cell's mean reached
//! it, and the cell furthest from it over every sweep point (the manifest's
//! `worst_cell`, the warning of both front ends).

use serde::Serialize;

use crate::engine::Acc;
use crate::model::Plan;

/// Whether a precision target was met, and the cell furthest from it.
#[derive(Clone, Debug, PartialEq)]
pub struct PrecisionOutcome {
    /// Every cell's mean reached the target.
    pub met: bool,
    /// The regime of the cell with the largest standard error (relative, for
    /// `--target-rse`).
    pub worst_regime: String,
    /// Its route.
    pub worst_route: String,
    /// Its standard error of the mean, USD per unit.
    pub worst_se: f64,
    /// Its standard error relative to its mean.
    pub worst_rse: f64,
}

/// Checks every cell's mean against `--target-se` / `--target-rse`.
pub fn precision(
    plan: &Plan,
    acc: &Acc,
    target_se: Option<f64>,
    target_rse: Option<f64>,
) -> Option<PrecisionOutcome> {
    if target_se.is_none() && target_rse.is_none() {
        return None;
    }
    let s = plan.scenario();
    let routes = plan.n_routes();
    let mut worst: Option<(usize, f64, f64, f64)> = None;
    let mut met = true;
    for (i, c) in acc.cells.iter().enumerate() {
        let se = c.cost.se().unwrap_or(f64::INFINITY);
        let mean = c.cost.mean().unwrap_or(0.0);
        let rse = if mean != 0.0 {
            se / mean.abs()
        } else {
            f64::INFINITY
        };
        let ok = target_se.is_none_or(|t| se <= t) && target_rse.is_none_or(|t| rse <= t);
        met &= ok;
        // How far from the target: the larger ratio of the two.
        let ratio = target_se
            .map_or(0.0, |t| se / t)
            .max(target_rse.map_or(0.0, |t| rse / t));
        if worst.is_none_or(|w| ratio > w.3) {
            worst = Some((i, se, rse, ratio));
        }
    }
    let (i, se, rse, _) = worst?;
    Some(PrecisionOutcome {
        met,
        worst_regime: s.regimes[i / routes].name.clone(),
        worst_route: s.routes[i % routes].name.clone(),
        worst_se: se,
        worst_rse: rse,
    })
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

/// Over the precision outcomes of every sweep point (with its `(path, value)` labels):
/// whether every point reached its target, and the cell furthest from it (the largest
/// ratio of its standard error to the target). `None` without a target or a point.
pub fn worst_cell<'a>(
    outcomes: impl IntoIterator<Item = (&'a [(String, String)], PrecisionOutcome)>,
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
