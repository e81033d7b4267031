//! Scenarios: from TOML text to a validated, runnable [`Scenario`].
//!
//! parse ([`tree`], [`path`] for `--set` and sweep paths) → read and check ([`build`],
//! [`read`], `read_dist`, `routes`, [`regime`], [`checks`], [`from_schedule`]) →
//! [`model`] types; [`sweep`] makes the grid of variants; [`diag`] the located errors.
//!
//! Owns the scenario format (docs/model.md, Part I) and its validation. Must not touch
//! files ([`load`] reads `extends` bases through the caller's reader), run anything or
//! know the cost model's arithmetic: `model` compiles what this produces.

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
