//! Writing what `breakeven` computes (the bytes come from
//! [`tariffsim::output::breakeven`]): the manifest and charts/breakeven.svg, and for
//! `--over`, frontier.csv with charts/frontier.svg. Also the printing precision.

use std::fmt::Write as _;

use anyhow::anyhow;
use tariffsim::breakeven::{Found, Search};
pub use tariffsim::output::breakeven::money;
use tariffsim::output::breakeven::{frontier_csv, manifest, BeProvenance, MANIFEST};
use tariffsim::report;

use super::outputs::Outputs;
use super::Failure;

/// Adds the manifest and the chart(s) of a break-even run.
pub fn add_outputs(
    files: &mut Outputs,
    manifest: &[u8],
    breakeven_csv: Option<&str>,
    frontier: Option<&str>,
) -> Result<(), Failure> {
    let m = String::from_utf8_lossy(manifest).into_owned();
    files.add(MANIFEST, manifest)?;
    if let Some(csv) = breakeven_csv {
        let svg = report::breakeven_svg(csv, Some(&m))
            .map_err(|e| Failure::Run(anyhow!(e).context("drawing the break-even chart")))?;
        files.add("charts/breakeven.svg", svg.as_bytes())?;
    }
    if let Some(csv) = frontier {
        let svg = report::frontier_svg(csv, Some(&m))
            .map_err(|e| Failure::Run(anyhow!(e).context("drawing the frontier chart")))?;
        files.add("charts/frontier.svg", svg.as_bytes())?;
    }
    Ok(())
}

/// `x` to the digits its confidence interval supports: two significant digits of the
/// CI's half-width (six significant digits when the CI is zero, e.g. fixed inputs).
pub fn shown(x: f64, lo: f64, hi: f64) -> String {
    let half = (hi - lo).abs() / 2.0;
    let decimals = if half > 0.0 && half.is_finite() {
        (1 - half.log10().floor() as i32).clamp(0, 12) as usize
    } else if x != 0.0 && x.is_finite() {
        (5 - x.abs().log10().floor() as i32).clamp(0, 12) as usize
    } else {
        0
    };
    format!("{x:.decimals$}")
}

/// Runs the break-even search at every `--over` value and writes frontier.csv, the
/// manifest and charts/frontier.svg into `files` (opened, and so locked, before).
pub fn frontier(
    p: &BeProvenance,
    values: &[f64],
    mut files: Outputs,
    quiet: bool,
    mut search_at: impl FnMut(f64, f64) -> Result<Search, Failure>,
) -> Result<(), Failure> {
    let mut searches = Vec::new();
    let mut out = String::new();
    for &q in values {
        if !quiet {
            say!("{} = {q}:", p.over.as_ref().map_or("", |o| o.0));
        }
        let s = search_at(q, q)?;
        let line = match &s.found {
            Found::Crossing { x, lo, hi } => format!(
                "{} = {q}: break-even {} = {} (95% CI {} to {})",
                p.over.as_ref().map_or("", |o| o.0),
                p.param,
                shown(*x, *lo, *hi),
                shown(*lo, *lo, *hi),
                shown(*hi, *lo, *hi)
            ),
            Found::NoCrossing { why } => format!(
                "{} = {q}: no break-even of {} in [{}, {}]: {why}",
                p.over.as_ref().map_or("", |o| o.0),
                p.param,
                p.between.0,
                p.between.1
            ),
        };
        let _ = writeln!(out, "{line}");
        searches.push(s);
    }
    let csv = frontier_csv(values, &searches);
    files.add("frontier.csv", csv.as_bytes())?;
    add_outputs(&mut files, &manifest(p, &searches), None, Some(&csv))?;
    files.commit()?;
    super::print_stdout(&out)
}
