//! Scenarios: from TOML text to a validated, runnable [`Scenario`].
//!
//! parse ([`tree`]) → read and check ([`build`], [`regime`], [`checks`]) → [`model`] types.
//! Nothing here touches files: the caller hands in text and a file name for messages.

pub mod build;
pub mod checks;
pub mod countries;
pub mod diag;
pub mod from_schedule;
pub mod load;
pub mod model;
pub mod path;
pub mod read;
mod read_dist;
pub mod regime;
mod regime_raw;
mod regime_schedule;
mod routes;
pub mod sweep;
mod tables;
pub mod tree;

pub use build::Built;
pub use diag::{Diagnostic, Loc, ScenarioError, Severity};
pub use model::*;

/// Parses and validates one scenario file's text. `file` names it in messages.
pub fn from_str(file: &str, text: &str) -> Result<Built, ScenarioError> {
    let mut d = diag::Diagnostics::default();
    let root = tree::parse(file, text, &mut d);
    if d.has_errors() {
        return Err(ScenarioError {
            errors: d.errors(),
            warnings: d.warnings(),
        });
    }
    build::build(&root, file)
}
