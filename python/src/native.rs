//! The `NativeScenario` class's data: a loaded scenario, which `scenario` (the Python
//! methods), `run` and `breakeven` all use, so that none of them uses another's file.

use pyo3::prelude::*;

use tariffsim::scenario::tree::Table;
use tariffsim::scenario::Built;
use tariffsim::sweep::Sweep;

/// A loaded, validated scenario (every sweep point of its file).
#[pyclass(frozen, module = "tariffsim._native")]
pub(crate) struct NativeScenario {
    /// The file as given, or `<string>`.
    pub(crate) file: String,
    /// The document after `extends` and the overrides, sweeps removed.
    pub(crate) root: Table,
    /// The file's sweeps.
    pub(crate) sweeps: Vec<Sweep>,
    /// The overrides, as `PATH=VALUE`.
    pub(crate) overrides: Vec<String>,
    /// The first grid point.
    pub(crate) base: Built,
    /// How many grid points the file's sweeps make.
    pub(crate) n_points: usize,
}
