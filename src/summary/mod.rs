//! Summarising accumulators into the numbers every output reports.
//!
//! Owns the definitions of the reported statistics (quantiles by nearest rank from the
//! sketch, sample sd, standard error, CVaR, shares; the intervals come from
//! `stats::intervals`), one row type per output table, a whole run's summary
//! ([`summarise`]) and the precision verdict ([`worst_cell`]). It must not format or
//! write: the `output` module turns these into CSV, and never sees an accumulator.

use crate::engine::acc::{count, sum, Acc};
use crate::model::Plan;
use crate::stats::Sketch;

/// The quantile levels of `summary.csv`, with their column names.
pub const QUANTILES: [(&str, f64); 9] = [
    ("p01", 0.01),
    ("p05", 0.05),
    ("p10", 0.10),
    ("p25", 0.25),
    ("p50", 0.50),
    ("p75", 0.75),
    ("p90", 0.90),
    ("p95", 0.95),
    ("p99", 0.99),
];

mod precision;
mod run;

pub use crate::stats::intervals::{wilson, Est, Z95};
pub use precision::{precision, worst_cell, PrecisionOutcome, WorstCell};
pub use run::{summarise, PointResult, RunSummary};

/// Values of the swept paths that a block of rows belongs to (empty without sweeps).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Point {
    /// `(path, value)` per swept path, in sweep order.
    pub values: Vec<(String, String)>,
}

/// The summary of one (regime, route) cell.
#[derive(Clone, Debug, PartialEq)]
pub struct CellSummary {
    /// Regime name.
    pub regime: String,
    /// Route name.
    pub route: String,
    /// Trials.
    pub trials: u64,
    /// Mean landed cost, with a CI from the standard error.
    pub mean: Est,
    /// Sample standard deviation.
    pub sd: f64,
    /// Standard error of the mean.
    pub se: f64,
    /// Smallest cost seen.
    pub min: f64,
    /// Quantiles at [`QUANTILES`], each with an order-statistic CI.
    pub quantiles: [Est; 9],
    /// Largest cost seen.
    pub max: f64,
    /// Mean of the worst 5% of costs.
    pub cvar95: f64,
    /// Mean of each component, in `model::COMPONENTS` order.
    pub components: [f64; 9],
    /// Mean duty / mean customs value over trials whose own shipment entered.
    pub effective_duty_rate: Option<f64>,
    /// Mean delivery days.
    pub days_mean: f64,
    /// Median delivery days.
    pub days_p50: f64,
    /// 95th percentile of delivery days.
    pub days_p95: f64,
    /// Share of trials where this route was (one of) the cheapest, with a Wilson CI.
    pub p_cheapest: Est,
    /// Share of trials where this route's own shipment entered and was (one of) the
    /// cheapest, with a Wilson CI: a shipment rerouted to (or lost and replaced by) its
    /// fallback ties with the fallback and counts in `p_cheapest` but not here.
    pub p_cheapest_own: Est,
    /// Share of trials with each flag, in `model::FLAGS` order, with Wilson CIs.
    pub flags: [Est; 9],
    /// Mean landed cost over trials where a false claim was caught.
    pub mean_if_caught: Option<f64>,
}

/// A paired comparison `a - b` over the same trials.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareSummary {
    /// `routes` (two routes in one regime) or `regimes` (one route under two regimes).
    pub kind: &'static str,
    /// Regime of `a`.
    pub regime_a: String,
    /// Route of `a`.
    pub route_a: String,
    /// Regime of `b`.
    pub regime_b: String,
    /// Route of `b`.
    pub route_b: String,
    /// Trials.
    pub trials: u64,
    /// Mean of `a - b`, with a CI from the paired standard error.
    pub mean: Est,
    /// Sample sd of `a - b`.
    pub sd: f64,
    /// Paired standard error.
    pub se: f64,
    /// 5th, 50th and 95th percentiles of `a - b`.
    pub p05: f64,
    /// Median difference.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Share of trials where `a` is strictly cheaper, with a Wilson CI.
    pub p_first_cheaper: Est,
    /// Mean difference of each component.
    pub components: [f64; 9],
    /// The decision margin X (USD per unit) of `p_first_cheaper_by_margin`.
    pub margin: f64,
    /// Share of trials where `a` is cheaper than `b` by more than `margin`
    /// (`a - b < -margin`), with a Wilson CI. Counted from the difference's sketch: a
    /// sketch bucket (0.1% wide) counts when its midpoint lies below `-margin`.
    pub p_first_cheaper_by_margin: Est,
}

/// One bin of a landed-cost histogram.
#[derive(Clone, Debug, PartialEq)]
pub struct Bin {
    /// Regime name.
    pub regime: String,
    /// Route name.
    pub route: String,
    /// Bin number, from 0.
    pub bin: usize,
    /// Lower edge, USD per unit (inclusive).
    pub lo: f64,
    /// Upper edge (exclusive, but inclusive for the last bin).
    pub hi: f64,
    /// Trials in the bin.
    pub count: u64,
    /// Share of trials.
    pub share: f64,
}

/// Bins per histogram.
pub const BINS: usize = 60;

fn quantile_est(s: &Sketch, q: f64) -> Est {
    let value = s.quantile(q).unwrap_or(f64::NAN);
    let (lo, hi) = s.rank_bounds(q, Z95).unwrap_or((f64::NAN, f64::NAN));
    Est { value, lo, hi }
}

/// The count of trials whose false claim was caught: the flag counts come first in a
/// cell's counts, in the order of [`crate::model::FLAGS`].
const CAUGHT: usize = crate::model::flag::CAUGHT.trailing_zeros() as usize;

/// Summarises every cell of a run.
pub fn cells(plan: &Plan, acc: &Acc) -> Vec<CellSummary> {
    let s = plan.scenario();
    let routes = plan.n_routes();
    acc.cells
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let n = c.cost.n();
            let nf = n as f64;
            let mean = c.cost.mean().unwrap_or(f64::NAN);
            let sd = c.cost.variance().map_or(f64::NAN, f64::sqrt);
            let se = c.cost.se().unwrap_or(f64::NAN);
            let mut components = [0.0; 9];
            for (k, x) in components.iter_mut().enumerate() {
                *x = c.sums[k].to_f64() / nf;
            }
            let entered = c.counts[count::ENTERED];
            let cv = c.sums[sum::CV_ENTERED].to_f64();
            let caught = c.counts[CAUGHT];
            CellSummary {
                regime: s.regimes[i / routes].name.clone(),
                route: s.routes[i % routes].name.clone(),
                trials: n,
                mean: Est::normal(mean, se),
                sd,
                se,
                min: c.cost_sketch.min().unwrap_or(f64::NAN),
                quantiles: QUANTILES.map(|(_, q)| quantile_est(&c.cost_sketch, q)),
                max: c.cost_sketch.max().unwrap_or(f64::NAN),
                cvar95: c.cost_sketch.mean_above(0.95).unwrap_or(f64::NAN),
                components,
                effective_duty_rate: (entered > 0 && cv > 0.0)
                    .then(|| c.sums[sum::DUTY_ENTERED].to_f64() / cv),
                days_mean: c.sums[sum::DAYS].to_f64() / nf,
                days_p50: c.days_sketch.quantile(0.5).unwrap_or(f64::NAN),
                days_p95: c.days_sketch.quantile(0.95).unwrap_or(f64::NAN),
                p_cheapest: wilson(c.counts[count::CHEAPEST], n),
                p_cheapest_own: wilson(c.counts.get(count::CHEAPEST_OWN).copied().unwrap_or(0), n),
                flags: std::array::from_fn(|k| wilson(c.counts[k], n)),
                mean_if_caught: (caught > 0)
                    .then(|| c.sums[sum::COST_CAUGHT].to_f64() / caught as f64),
            }
        })
        .collect()
}

/// Summarises every paired comparison of a run.
pub fn compares(plan: &Plan, acc: &Acc, cells: &[CellSummary]) -> Vec<CompareSummary> {
    compares_with_margin(plan, acc, cells, 0.0)
}

/// Trials of a difference sketch below `-margin` (bucket midpoints).
fn count_below(s: &Sketch, limit: f64) -> u64 {
    s.buckets()
        .filter(|(lo, hi, _)| {
            let mid = if lo.is_finite() && hi.is_finite() {
                0.5 * (lo + hi)
            } else {
                *lo
            };
            mid < limit
        })
        .map(|(_, _, k)| k)
        .sum()
}

/// [`compares`], with `P(a - b < -margin)` for a decision margin in USD per unit.
pub fn compares_with_margin(
    plan: &Plan,
    acc: &Acc,
    cells: &[CellSummary],
    margin: f64,
) -> Vec<CompareSummary> {
    let routes = plan.n_routes();
    let s = plan.scenario();
    acc.pairs
        .iter()
        .zip(&acc.pair_accs)
        .map(|(p, pa)| {
            let n = pa.diff.n();
            let mean = pa.diff.mean().unwrap_or(f64::NAN);
            let se = pa.diff.se().unwrap_or(f64::NAN);
            let (ca, cb) = (&cells[p.a], &cells[p.b]);
            CompareSummary {
                kind: if p.a / routes == p.b / routes {
                    "routes"
                } else {
                    "regimes"
                },
                regime_a: s.regimes[p.a / routes].name.clone(),
                route_a: s.routes[p.a % routes].name.clone(),
                regime_b: s.regimes[p.b / routes].name.clone(),
                route_b: s.routes[p.b % routes].name.clone(),
                trials: n,
                mean: Est::normal(mean, se),
                sd: pa.diff.variance().map_or(f64::NAN, f64::sqrt),
                se,
                p05: pa.sketch.quantile(0.05).unwrap_or(f64::NAN),
                p50: pa.sketch.quantile(0.50).unwrap_or(f64::NAN),
                p95: pa.sketch.quantile(0.95).unwrap_or(f64::NAN),
                p_first_cheaper: wilson(pa.first_cheaper, n),
                components: std::array::from_fn(|k| ca.components[k] - cb.components[k]),
                margin,
                p_first_cheaper_by_margin: wilson(count_below(&pa.sketch, -margin), n),
            }
        })
        .collect()
}

/// Landed-cost histograms: per (regime, route), [`BINS`] equal bins over that route's
/// central 99% (p0.5 to p99.5), so a heavy tail on one route does not flatten the others.
/// The 0.5% in each tail lies outside the bins (summary.csv's min, p01, p99 and max
/// describe it), so a route's shares sum to about 0.99. Counts come from the sketch:
/// each sketch bucket (0.1% wide) falls in the bin holding its midpoint.
pub fn histograms(plan: &Plan, acc: &Acc) -> Vec<Bin> {
    let s = plan.scenario();
    let routes = plan.n_routes();
    let mut out = Vec::new();
    for (i, c) in acc.cells.iter().enumerate() {
        let (Some(lo), Some(hi)) = (c.cost_sketch.quantile(0.005), c.cost_sketch.quantile(0.995))
        else {
            continue;
        };
        let width = if hi > lo {
            (hi - lo) / BINS as f64
        } else {
            0.0
        };
        let mut counts = [0u64; BINS];
        for (blo, bhi, k) in c.cost_sketch.buckets() {
            let mid = 0.5 * (blo + bhi);
            if width == 0.0 {
                if (mid - lo).abs() <= 1e-9 * lo.abs().max(1.0) || (blo <= lo && lo <= bhi) {
                    counts[0] += k;
                }
                continue;
            }
            if mid < lo || mid > hi {
                continue;
            }
            counts[(((mid - lo) / width) as usize).min(BINS - 1)] += k;
        }
        let n = c.cost_sketch.count().max(1) as f64;
        let bins = if width == 0.0 { 1 } else { BINS };
        for (b, &k) in counts.iter().enumerate().take(bins) {
            out.push(Bin {
                regime: s.regimes[i / routes].name.clone(),
                route: s.routes[i % routes].name.clone(),
                bin: b,
                lo: lo + width * b as f64,
                hi: if b + 1 == bins {
                    hi
                } else {
                    lo + width * (b + 1) as f64
                },
                count: k,
                share: k as f64 / n,
            });
        }
    }
    out
}

/// For a timed measure: the share of a route's shipments that reached the US before it
/// took effect.
#[derive(Clone, Debug, PartialEq)]
pub struct TimingSummary {
    /// Regime name.
    pub regime: String,
    /// Route name.
    pub route: String,
    /// Measure name.
    pub measure: String,
    /// Share of trials (Wilson 95% CI) whose own shipment entered before the effective day.
    pub before: Est,
}

/// Timing shares of every timed measure, per (regime, route).
pub fn timing(plan: &Plan, acc: &Acc) -> Vec<TimingSummary> {
    let s = plan.scenario();
    let routes = plan.n_routes();
    let mut out = Vec::new();
    for (i, c) in acc.cells.iter().enumerate() {
        let regime = &s.regimes[i / routes];
        for (k, m) in regime.measures.iter().enumerate() {
            if m.effective_day.is_none() && m.end_day.is_none() {
                continue;
            }
            out.push(TimingSummary {
                regime: regime.name.clone(),
                route: s.routes[i % routes].name.clone(),
                measure: m.name.clone(),
                before: wilson(c.before_effective[k], c.cost.n()),
            });
        }
    }
    out
}

/// One input's influence on one cell's landed cost.
#[derive(Clone, Debug, PartialEq)]
pub struct SensitivityRow {
    /// Regime name.
    pub regime: String,
    /// Route name.
    pub route: String,
    /// The input, e.g. `routes.direct.legs.0.rate`.
    pub input: String,
    /// Spearman rank correlation with the landed cost.
    pub spearman: f64,
    /// Share of the explained variance: spearman² over the cell's sum of spearman².
    pub share: f64,
    /// Rank of |spearman| within the cell, 1 = strongest.
    pub rank: usize,
    /// Swing, USD per unit, with a 95% CI: the cell's mean cost when the input is in its
    /// top decile minus when it is in its bottom decile (for an event: when it happens
    /// minus when it does not). NaN when either group is empty.
    pub swing: Est,
}

/// Spearman correlations and variance shares per cell, strongest first.
pub fn sensitivity(
    plan: &Plan,
    sens: &crate::engine::sensitivity::Sensitivity,
) -> Vec<SensitivityRow> {
    let s = plan.scenario();
    let routes = plan.n_routes();
    let n = sens.acc.n as f64;
    let mut out = Vec::new();
    for (i, (uses, sums)) in sens.uses.iter().zip(&sens.acc.sums).enumerate() {
        let mut rows: Vec<(String, f64, Est)> = uses
            .iter()
            .zip(sums)
            .map(|(u, s)| {
                let [sx, sy, sxy, sxx, syy, ..] = s.map(|e| e.to_f64());
                let cov = n * sxy - sx * sy;
                let vx = n * sxx - sx * sx;
                let vy = n * syy - sy * sy;
                let r = if vx > 0.0 && vy > 0.0 {
                    (cov / (vx * vy).sqrt()).clamp(-1.0, 1.0)
                } else {
                    0.0
                };
                (sens.inputs[u.input].name.clone(), r, swing(s))
            })
            .collect();
        rows.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then_with(|| a.0.cmp(&b.0)));
        let total: f64 = rows.iter().map(|(_, r, _)| r * r).sum();
        for (k, (input, r, swing)) in rows.into_iter().enumerate() {
            out.push(SensitivityRow {
                regime: s.regimes[i / routes].name.clone(),
                route: s.routes[i % routes].name.clone(),
                input,
                spearman: r,
                share: if total > 0.0 { r * r / total } else { 0.0 },
                rank: k + 1,
                swing,
            });
        }
    }
    out
}

/// The swing of one (cell, input) from its decile sums: mean(top) − mean(bottom), with a
/// CI from the two groups' standard errors (Welch).
fn swing(s: &crate::engine::sensitivity::Sums) -> Est {
    use crate::engine::sensitivity::sums;
    use crate::stats::intervals::{group_mean, welch_diff};
    let f = |i: usize| s[i].to_f64();
    welch_diff(
        group_mean(f(sums::TOP_N), f(sums::TOP_SUM), f(sums::TOP_SQ)),
        group_mean(f(sums::BOT_N), f(sums::BOT_SUM), f(sums::BOT_SQ)),
    )
}

/// The probability levels of `exceedance.csv`: finer in the tails, where heavy-tailed
/// routes put their mass, than summary.csv's quantiles.
pub const EXCEEDANCE_LEVELS: [f64; 33] = [
    0.0, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55,
    0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.925, 0.95, 0.975, 0.99, 0.995, 0.998, 0.999, 0.9995,
    0.9999, 1.0,
];

/// One point of a cell's exceedance curve.
#[derive(Clone, Debug, PartialEq)]
pub struct ExceedancePoint {
    /// Regime name.
    pub regime: String,
    /// Route name.
    pub route: String,
    /// The quantile level q (0 = min, 1 = max).
    pub q: f64,
    /// The cost at q (nearest rank, sketch resolution).
    pub cost: f64,
    /// Share of trials costing more than `cost` (from the sketch, bucket resolution).
    pub p_exceed: f64,
}

/// Exceedance curves: per cell, the cost at every level of [`EXCEEDANCE_LEVELS`] and the
/// share of trials above it, so a report can draw each route's whole distribution.
pub fn exceedance(plan: &Plan, acc: &Acc) -> Vec<ExceedancePoint> {
    let s = plan.scenario();
    let routes = plan.n_routes();
    let mut out = Vec::new();
    for (i, c) in acc.cells.iter().enumerate() {
        let sk = &c.cost_sketch;
        for q in EXCEEDANCE_LEVELS {
            let cost = if q == 0.0 {
                sk.min()
            } else if q == 1.0 {
                sk.max()
            } else {
                sk.quantile(q)
            };
            let Some(cost) = cost else { continue };
            out.push(ExceedancePoint {
                regime: s.regimes[i / routes].name.clone(),
                route: s.routes[i % routes].name.clone(),
                q,
                cost,
                p_exceed: (1.0 - sk.cdf(cost)).max(0.0),
            });
        }
    }
    out
}
