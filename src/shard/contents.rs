//! A shard file is trusted for nothing: every array's shape is checked against the plan
//! of its embedded scenario, every count against the trials it ran, the embedded
//! scenario against its hash, and every sketch for finite, tight bounds, before any of
//! it is merged. Each failure names the file and the field.

use crate::engine::acc::{count, pairs, sum, CellAcc};
use crate::engine::block_start;
use crate::model::Plan;

use super::{scenario_hash, ShardError, ShardState};

fn bad(file: &str, field: String, why: impl Into<String>) -> ShardError {
    ShardError::Contents {
        file: file.into(),
        field,
        why: why.into(),
    }
}

/// Checks that the embedded scenarios of `s` are the ones its `scenario_hash` names.
pub fn check_hash(file: &str, s: &ShardState) -> Result<(), ShardError> {
    let ids: Vec<(Vec<(String, String)>, String)> = s
        .points
        .iter()
        .map(|p| (p.labels.clone(), p.scenario_toml.clone()))
        .collect();
    if scenario_hash(&ids) != s.scenario_hash {
        return Err(bad(
            file,
            "scenario_hash".into(),
            "does not match the embedded scenarios (points[].labels, points[].scenario_toml)",
        ));
    }
    Ok(())
}

/// The trials in a shard's blocks, without overflow for any trial count.
pub fn trials_in(trials: u64, blocks: (u64, u64)) -> u64 {
    block_start(trials, blocks.1) - block_start(trials, blocks.0)
}

/// Checks every point of `s` against `plans` (one per point, built from the first
/// file's embedded scenarios).
pub fn check(file: &str, s: &ShardState, plans: &[Plan]) -> Result<(), ShardError> {
    if s.points.len() != plans.len() {
        return Err(bad(
            file,
            "points".into(),
            format!(
                "{} sweep points, the run has {}",
                s.points.len(),
                plans.len()
            ),
        ));
    }
    let n = trials_in(s.trials, s.blocks);
    for (i, (p, plan)) in s.points.iter().zip(plans).enumerate() {
        let f = |rest: &str| format!("points[{i}].acc.{rest}");
        let acc = &p.acc;
        if acc.trials != n {
            return Err(bad(
                file,
                f("trials"),
                format!("{} trials, its blocks hold {n}", acc.trials),
            ));
        }
        let (regimes, routes) = (plan.n_regimes(), plan.n_routes());
        let want = regimes * routes;
        if acc.cells.len() != want {
            return Err(bad(
                file,
                f("cells"),
                format!("{} cells, the scenario has {want}", acc.cells.len()),
            ));
        }
        for (c, cell) in acc.cells.iter().enumerate() {
            let measures = plan.scenario().regimes[c / routes].measures.len();
            check_cell(file, &f(&format!("cells[{c}]")), cell, measures, n)?;
        }
        if acc.pairs != pairs(regimes, routes) {
            return Err(bad(file, f("pairs"), "not the pairs of the scenario"));
        }
        if acc.pair_accs.len() != acc.pairs.len() {
            return Err(bad(
                file,
                f("pair_accs"),
                format!(
                    "{} entries, expected {}",
                    acc.pair_accs.len(),
                    acc.pairs.len()
                ),
            ));
        }
        for (k, pa) in acc.pair_accs.iter().enumerate() {
            let at = f(&format!("pair_accs[{k}]"));
            if pa.diff.n() != n || !pa.diff.sum().is_finite() || !pa.diff.sum_sq().is_finite() {
                return Err(bad(file, format!("{at}.diff"), "not the shard's trials"));
            }
            sketch(file, &format!("{at}.sketch"), &pa.sketch, n)?;
            if pa.first_cheaper > n {
                return Err(bad(
                    file,
                    format!("{at}.first_cheaper"),
                    "exceeds the trials",
                ));
            }
        }
    }
    Ok(())
}

fn check_cell(
    file: &str,
    at: &str,
    cell: &CellAcc,
    measures: usize,
    n: u64,
) -> Result<(), ShardError> {
    if cell.cost.n() != n || !cell.cost.sum().is_finite() || !cell.cost.sum_sq().is_finite() {
        return Err(bad(
            file,
            format!("{at}.cost"),
            format!("count {} or sums do not match {n} trials", cell.cost.n()),
        ));
    }
    sketch(file, &format!("{at}.cost_sketch"), &cell.cost_sketch, n)?;
    sketch(file, &format!("{at}.days_sketch"), &cell.days_sketch, n)?;
    let arrays: [(&str, usize, usize); 3] = [
        ("sums", cell.sums.len(), sum::N),
        ("counts", cell.counts.len(), count::N),
        ("before_effective", cell.before_effective.len(), measures),
    ];
    for (name, len, want) in arrays {
        if len != want {
            return Err(bad(
                file,
                format!("{at}.{name}"),
                format!("{len} entries, expected {want}"),
            ));
        }
    }
    if let Some(k) = cell.sums.iter().position(|s| !s.is_finite()) {
        return Err(bad(file, format!("{at}.sums[{k}]"), "not finite"));
    }
    for (name, v) in [
        ("counts", &cell.counts),
        ("before_effective", &cell.before_effective),
    ] {
        if let Some(k) = v.iter().position(|&c| c > n) {
            return Err(bad(
                file,
                format!("{at}.{name}[{k}]"),
                format!("{} exceeds the shard's {n} trials", v[k]),
            ));
        }
    }
    Ok(())
}

fn sketch(file: &str, at: &str, s: &crate::stats::Sketch, n: u64) -> Result<(), ShardError> {
    if s.count() != n {
        return Err(bad(
            file,
            at.into(),
            format!("holds {} values, expected {n}", s.count()),
        ));
    }
    s.check_finite().map_err(|why| bad(file, at.into(), why))
}
