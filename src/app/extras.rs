//! Outputs added to a run's folder besides the summaries (issue 14): exceedance.csv,
//! assumptions.json, and the check of a precision target.

use tariffsim::assumptions;
use tariffsim::output::{self, manifest::WorstCell, Point};
use tariffsim::summary::{self, ExceedancePoint};

use super::outputs::Outputs;
use super::run::{PointResult, Provenance};
use super::Failure;

/// Adds exceedance.csv (every point) and assumptions.json (the first point's scenario).
pub fn add_extras(
    files: &mut Outputs,
    results: &[PointResult],
    p: &Provenance,
) -> Result<(), Failure> {
    let mut ex: Vec<(Point, ExceedancePoint)> = Vec::new();
    for r in results {
        ex.extend(
            summary::exceedance(&r.plan, &r.acc)
                .into_iter()
                .map(|e| (r.point.clone(), e)),
        );
    }
    let rows: Vec<_> = ex.iter().map(|(pt, e)| (pt.clone(), e)).collect();
    files.add("exceedance.csv", &output::exceedance_csv(&rows))?;
    if let Some(r) = results.first() {
        let bases = assumptions::bases_from_toml(&p.resolved_scenario);
        files.add(
            "assumptions.json",
            &assumptions::describe(&r.plan, &bases).to_json(),
        )?;
    }
    Ok(())
}

/// With `--target-se` or `--target-rse`: whether every point reached it and the cell
/// furthest from it. Warns on stderr when the target was not reached.
pub fn precision(results: &[PointResult], p: &Provenance) -> Option<(bool, WorstCell)> {
    let mut outcomes = Vec::new();
    for r in results {
        let o = summary::precision(&r.plan, &r.acc, p.target_se, p.target_rse)?;
        outcomes.push((r.point.values.as_slice(), o));
    }
    let (met, w) = output::manifest::worst_cell(outcomes, p.target_se, p.target_rse)?;
    if !met {
        let target = match (p.target_se, p.target_rse) {
            (Some(se), _) => format!("--target-se {se}"),
            (None, Some(rse)) => format!("--target-rse {rse}"),
            _ => String::new(),
        };
        let at = if w.point.is_empty() {
            String::new()
        } else {
            format!(" at {}", w.point)
        };
        say!(
            "warning: {target} not reached with {} trials: worst cell {} / {}{at} has se {} USD (relative {:.3e}); raise --trials",
            p.trials, w.regime, w.route, short(w.se), w.rse
        );
    }
    Some((met, w))
}

/// Four significant digits.
fn short(x: f64) -> String {
    format!("{}", format!("{x:.4e}").parse::<f64>().unwrap_or(x))
}
