//! What a break-even search writes: `breakeven.csv` (every evaluation, then the result
//! and its CI), `frontier.csv` (the break-even at every `--over` value) and
//! `breakeven-manifest.json` (what was asked, and the answer). Shared by the binary and
//! the Python package, so both give the same bytes.

use super::schema::{BREAKEVEN, FRONTIER};
use crate::breakeven::{Found, Search};

/// A USD amount for progress lines and messages: cents, or four decimals when smaller.
pub fn money(x: f64) -> String {
    if x.abs() >= 1.0 || x == 0.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.4}")
    }
}

/// The manifest's name (not manifest.json: a run's may share the folder).
pub const MANIFEST: &str = "breakeven-manifest.json";

/// What the manifest records.
pub struct BeProvenance<'a> {
    /// The scenario file as given.
    pub scenario_file: &'a str,
    /// The scenario's name.
    pub scenario: &'a str,
    /// The parameter searched.
    pub param: &'a str,
    /// The two routes compared.
    pub routes: [&'a str; 2],
    /// The regime compared in.
    pub regime: &'a str,
    /// The metric compared (`mean`, `p50`, `p95`).
    pub metric: &'a str,
    /// The interval searched.
    pub between: (f64, f64),
    /// Trials per evaluation.
    pub trials: u64,
    /// The seed.
    pub seed: u64,
    /// `--set` overrides as given.
    pub overrides: &'a [String],
    /// `--over`: the path and its values.
    pub over: Option<(&'a str, Vec<f64>)>,
}

fn found_json(f: &Found) -> serde_json::Value {
    match f {
        Found::Crossing { x, lo, hi } => serde_json::json!({"x": x, "ci_lo": lo, "ci_hi": hi}),
        Found::NoCrossing { why } => serde_json::json!({"x": null, "why": why}),
    }
}

/// The manifest of a break-even run (with one result per `--over` value).
pub fn manifest(p: &BeProvenance, searches: &[Search]) -> Vec<u8> {
    let results: Vec<serde_json::Value> = searches.iter().map(|s| found_json(&s.found)).collect();
    let v = serde_json::json!({
        "version": crate::VERSION,
        "command": "breakeven",
        "scenario_file": p.scenario_file,
        "scenario": p.scenario,
        "param": p.param,
        "routes": p.routes,
        "regime": p.regime,
        "metric": p.metric,
        "between": [p.between.0, p.between.1],
        "trials": p.trials,
        "seed": p.seed,
        "overrides": p.overrides,
        "over": p.over.as_ref().map(|(path, vals)| serde_json::json!({"path": path, "values": vals})),
        "result": if p.over.is_none() { results.first().cloned() } else { None },
        "frontier": if p.over.is_some() { Some(results) } else { None },
    });
    let mut b = serde_json::to_vec_pretty(&v).unwrap_or_default();
    b.push(b'\n');
    b
}

/// `breakeven.csv`: one row per evaluation (`step` from 0), then `result` with the
/// break-even (or `none`) and, for a crossing, `ci_lo` and `ci_hi` in the `x` column.
pub fn breakeven_csv(search: &Search) -> String {
    let mut csv = BREAKEVEN.header();
    for (i, e) in search.evals.iter().enumerate() {
        csv += &BREAKEVEN.row([&i, &e.x, &e.a, &e.b, &e.diff, &e.se]);
    }
    let result =
        |step: &str, x: &dyn std::fmt::Display| BREAKEVEN.row([&step, x, &"", &"", &"", &""]);
    match &search.found {
        Found::Crossing { x, lo, hi } => {
            csv += &result("result", x);
            csv += &result("ci_lo", lo);
            csv += &result("ci_hi", hi);
        }
        Found::NoCrossing { .. } => csv += &result("result", &"none"),
    }
    csv
}

/// `frontier.csv`: the break-even of the parameter at every value of `--over`.
pub fn frontier_csv(values: &[f64], searches: &[Search]) -> String {
    let mut csv = FRONTIER.header();
    for (q, s) in values.iter().zip(searches) {
        let n = s.evals.len();
        csv += &match s.found {
            Found::Crossing { x, lo, hi } => FRONTIER.row([q, &x, &lo, &hi, &n]),
            Found::NoCrossing { .. } => FRONTIER.row([q, &"none", &"", &"", &n]),
        };
    }
    csv
}
