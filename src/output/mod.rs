//! Output files as bytes: CSV tables, the manifest, the check report, and what a run or
//! a break-even search writes as a whole.
//!
//! Every writer is pure (`rows -> Vec<u8>`), so it is tested without files; the front
//! ends (the binary, the Python package) write or hand over the bytes. Column orders are
//! part of the format, defined once in [`schema`] (which the report reads too) and
//! documented in the README ("Output reference"). Numbers print as the shortest text that
//! reads back to the same f64, so files are byte-identical whenever the numbers are.
//!
//! Must not run anything or import the engine: it writes summaries (`summary`), not
//! accumulators.

pub mod breakeven;
mod check;
mod csvs;
pub mod manifest;
pub mod results;
pub mod schema;
mod text;
pub mod trials;

pub use crate::summary::Point;
pub use check::check_text;
pub use csvs::{
    compare_csv, exceedance_csv, histogram_csv, sensitivity_csv, summary_columns, summary_csv,
    timing_csv,
};
pub use text::{escape_controls, guard, guard_value, unguard};
