//! A whole run summarised: every sweep point's accumulators into the rows of every
//! output table, the assumptions and the precision verdict. Shared by `run` and `merge`
//! of the binary and by the Python package, so all three write the same bytes.

use super::{
    cells, compares_with_margin, exceedance, histograms, precision, timing, worst_cell, Bin,
    CellSummary, CompareSummary, ExceedancePoint, Point, SensitivityRow, TimingSummary, WorstCell,
};
use crate::assumptions::{self, Assumptions};
use crate::engine::Acc;
use crate::model::Plan;

/// The accumulators of one sweep point, with what is needed to summarise them.
pub struct PointResult {
    /// The point's swept values.
    pub point: Point,
    /// Its scenario, as resolved TOML.
    pub scenario_toml: String,
    /// Its compiled scenario.
    pub plan: Plan,
    /// Its accumulators.
    pub acc: Acc,
    /// Its sensitivity rows, when asked for.
    pub sensitivity: Option<Vec<SensitivityRow>>,
}

/// Every table of a run, each row with its sweep point.
pub struct RunSummary {
    /// summary.csv.
    pub cells: Vec<(Point, CellSummary)>,
    /// compare.csv.
    pub compares: Vec<(Point, CompareSummary)>,
    /// histogram.csv.
    pub bins: Vec<(Point, Bin)>,
    /// timing.csv (empty without timed measures).
    pub timing: Vec<(Point, TimingSummary)>,
    /// exceedance.csv.
    pub exceedance: Vec<(Point, ExceedancePoint)>,
    /// sensitivity.csv, when any point has sensitivity rows.
    pub sensitivity: Option<Vec<(Point, SensitivityRow)>>,
    /// assumptions.json: the first point's scenario (none without a point).
    pub assumptions: Option<Assumptions>,
    /// With a precision target: whether every point reached it, and the worst cell.
    pub precision: Option<(bool, WorstCell)>,
    /// Trials run per sweep point.
    pub trials_used: Vec<u64>,
}

/// Summarises every point: `margin` is compare.csv's (`--margin`, 0 when not given),
/// `target_se`/`target_rse` the precision target, `resolved_scenario` the document as
/// TOML (whose `extends` bases assumptions.json names).
pub fn summarise(
    results: &[PointResult],
    margin: f64,
    target_se: Option<f64>,
    target_rse: Option<f64>,
    resolved_scenario: &str,
) -> RunSummary {
    let mut s = RunSummary {
        cells: Vec::new(),
        compares: Vec::new(),
        bins: Vec::new(),
        timing: Vec::new(),
        exceedance: Vec::new(),
        sensitivity: None,
        assumptions: None,
        precision: None,
        trials_used: results.iter().map(|r| r.acc.trials).collect(),
    };
    for r in results {
        let (plan, acc, p) = (&r.plan, &r.acc, &r.point);
        s.timing.extend(at(p, timing(plan, acc)));
        let cs = cells(plan, acc);
        s.compares
            .extend(at(p, compares_with_margin(plan, acc, &cs, margin)));
        s.bins.extend(at(p, histograms(plan, acc)));
        s.exceedance.extend(at(p, exceedance(plan, acc)));
        s.cells.extend(at(p, cs));
    }
    if results.iter().any(|r| r.sensitivity.is_some()) {
        s.sensitivity = Some(
            results
                .iter()
                .flat_map(|r| {
                    r.sensitivity
                        .iter()
                        .flatten()
                        .map(move |row| (r.point.clone(), row.clone()))
                })
                .collect(),
        );
    }
    if let Some(r) = results.first() {
        let bases = assumptions::bases_from_toml(resolved_scenario);
        s.assumptions = Some(assumptions::describe(&r.plan, &bases));
    }
    let mut outcomes = Vec::new();
    for r in results {
        match precision(&r.plan, &r.acc, target_se, target_rse) {
            Some(o) => outcomes.push((r.point.values.as_slice(), o)),
            None => return s,
        }
    }
    s.precision = worst_cell(outcomes, target_se, target_rse);
    s
}

/// Rows with their sweep point.
fn at<'a, T: 'a>(p: &'a Point, rows: Vec<T>) -> impl Iterator<Item = (Point, T)> + 'a {
    rows.into_iter().map(move |x| (p.clone(), x))
}
