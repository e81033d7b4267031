//! Output files as bytes: CSV tables and the manifest.
//!
//! Every writer is pure (`rows -> Vec<u8>`), so it is tested without files; the binary
//! writes the bytes atomically. Column orders are part of the format and documented in
//! the README ("Output reference"). Numbers print as the shortest text that reads back
//! to the same f64, so files are byte-identical whenever the numbers are.

mod check;
mod csvs;
pub mod manifest;
mod text;

pub use check::check_text;
pub use csvs::{
    compare_csv, exceedance_csv, histogram_csv, sensitivity_csv, summary_columns, summary_csv,
    timing_csv, Point,
};
pub use text::{escape_controls, guard, guard_value, unguard};
