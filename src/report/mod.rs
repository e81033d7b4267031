//! Charts (SVG) and a one-page report (`report.html`) rebuilt from the CSV files of an
//! output folder, so that a merged cluster run gets the same report as a single run.
//!
//! No I/O here: the caller reads the folder's files into [`Inputs`] and writes what
//! [`render`] returns. The output depends only on the inputs' bytes (no clock, no
//! thread count, no wall time), so byte-identical CSVs give a byte-identical report.
//!
//! Every route's marks in a chart are one `<g class="series" data-series="ROUTE">`.
//!
//! Reads the files back by the column names of `output::schema` (see `data`), never
//! retyped; must not import the engine or rerun anything: what is not in the files is
//! not in the report. [`render`] draws one section per function (`render.rs`).

mod assume;
mod be;
mod charts;
mod data;
mod fmt;
mod headline;
mod html;
mod parts;
mod prov;
mod render;
mod svg;
mod sweeps;
mod swing;
mod tails;

pub use be::{breakeven_svg, frontier_svg};
use data::{rows_of, Group, Summary, Table};
use fmt::esc;
use headline::headline;
use parts::{color_of, point_text};
pub use render::render;

use crate::output::schema::col;

/// Texts of an output folder's files (`None` when absent).
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    /// `summary.csv` (required).
    pub summary: String,
    /// `compare.csv`.
    pub compare: Option<String>,
    /// `histogram.csv`.
    pub histogram: Option<String>,
    /// `manifest.json`.
    pub manifest: Option<String>,
    /// `breakeven.csv`.
    pub breakeven: Option<String>,
    /// `sensitivity.csv`: `regime,route,input,spearman,share` (and `swing`, `swing_lo`,
    /// `swing_hi` when written by a newer run).
    pub sensitivity: Option<String>,
    /// `exceedance.csv`: each route's cost at fine quantile levels, tails included.
    pub exceedance: Option<String>,
    /// `assumptions.json`: each regime's duty stacks and settings.
    pub assumptions: Option<String>,
    /// `breakeven-manifest.json`: what a break-even run searched.
    pub breakeven_manifest: Option<String>,
    /// `frontier.csv`: a two-parameter break-even frontier.
    pub frontier: Option<String>,
}

/// Why a report could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file is not readable CSV.
    #[error("{file}: {message}")]
    Csv {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A column the report needs is missing.
    #[error("{file}: missing column `{column}`")]
    MissingColumn {
        /// The file.
        file: String,
        /// The column.
        column: String,
    },
    /// A field that should hold a number does not.
    #[error("{file} line {line}, column `{column}`: `{value}` is not a number")]
    BadNumber {
        /// The file.
        file: String,
        /// Its line (1-based, counting the header).
        line: u64,
        /// The column.
        column: String,
        /// The field.
        value: String,
    },
    /// A file has a header but no rows.
    #[error("{file}: no rows")]
    Empty {
        /// The file.
        file: String,
    },
    /// `manifest.json` is not valid JSON.
    #[error("manifest.json: {0}")]
    Manifest(String),
}

/// The quantile columns of `summary.csv` with their probabilities (min and max as 0 and 1).
const TABLE_NOTE: &str = "Mean, p05 and p95: mean, 5th and 95th percentile of the landed cost per unit. \
    CVaR 95: mean cost of the costliest 5% of shipments. P(cheapest), ties count (summary.csv’s p_cheapest, as \
    docs/model.md defines it): share of simulated shipments in which the route is (one of) the cheapest of its regime; a \
    tie counts for every route in it, so a route rerouted to its fallback counts as cheapest whenever the fallback is, \
    and the shares of a regime can add up to more than 100%. P(cheapest), own shipment (p_cheapest_own): the share in \
    which the route’s own shipment entered and was cheapest; ties with a fallback do not count. The highlighted route has \
    the lowest mean; “mean vs cheapest” is how much more a route costs on average.";

const SWING_CAPTION: &str = "Swing: the route’s mean cost when the input is in its top decile minus in its \
    bottom decile (an event: when it happens minus when it does not), in USD with a 95% CI. It shows how much an input \
    moves the mean, even one that matters rarely but a lot; it cannot show interactions between inputs or effects in the \
    middle of an input’s range. Spearman’s ρ beside it measures how consistently the cost rises with the input over all \
    trials; it can rank a rare, large effect low.";

const QUANTILE_KNOTS: [(f64, &str); 11] = [
    (0.0, "min"),
    (0.01, "p01"),
    (0.05, "p05"),
    (0.10, "p10"),
    (0.25, "p25"),
    (0.50, "p50"),
    (0.75, "p75"),
    (0.90, "p90"),
    (0.95, "p95"),
    (0.99, "p99"),
    (1.0, "max"),
];

/// The name of the report file.
pub const REPORT_FILE: &str = "report.html";
