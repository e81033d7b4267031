//! A run's files into its folder: the library summarises ([`tariffsim::summary::summarise`])
//! and formats ([`tariffsim::output::results::run_files`]); this adds the bytes to the
//! staged folder and warns on stderr when a precision target was not reached. Used by
//! `run` and `merge`, so both write the same bytes.

use tariffsim::output::results::{run_files, Provenance};
use tariffsim::output::Point;
use tariffsim::summary::{self, CellSummary, PointResult, RunSummary};

use super::outputs::Outputs;
use super::Failure;

/// Summarises every point (compare.csv's `margin`: `--margin`, 0 when not given) and
/// adds the run's files to `files`. Returns the summary rows (for a batch's summary).
pub fn write_results(
    files: &mut Outputs,
    results: &[PointResult],
    p: &Provenance,
    margin: f64,
) -> Result<Vec<(Point, CellSummary)>, Failure> {
    let s = summary::summarise(
        results,
        margin,
        p.target_se,
        p.target_rse,
        &p.resolved_scenario,
    );
    warn_precision(&s, p);
    for (name, bytes) in run_files(&s, p) {
        files.add(name, &bytes)?;
    }
    Ok(s.cells)
}

/// With `--target-se` or `--target-rse` not reached: says so, with the worst cell.
fn warn_precision(s: &RunSummary, p: &Provenance) {
    let Some((false, w)) = &s.precision else {
        return;
    };
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

/// Four significant digits.
fn short(x: f64) -> String {
    format!("{}", format!("{x:.4e}").parse::<f64>().unwrap_or(x))
}
