//! `tariffsim._native`: the Rust side of the Python package (issue 15).
//!
//! Thin glue over the library: the same loading steps as the binary
//! ([`tariffsim::job`]: `extends`, `set`, sweeps, validation and the pilot run of every
//! sweep point), the same engine calls, summaries and writers
//! ([`tariffsim::summary::summarise`], [`tariffsim::output::results`],
//! [`tariffsim::breakeven`]), so a Python result holds the very bytes the CLI writes.
//! The Python layer (`python/tariffsim/__init__.py`) turns those bytes into DataFrames
//! and carries the docstrings and type hints.
//!
//! Every simulation runs on a worker thread while the calling thread waits with the GIL
//! released, waking every few milliseconds to run Python's signal handlers: Ctrl-C sets
//! the engine's cancel flag (work stops at the next block) and raises
//! `KeyboardInterrupt`. A panic is caught at the thread boundary and raised as
//! `RuntimeError`; it never crosses into Python.
//!
//! Files: `errors` (failures as Python exceptions), `interrupt` (work with the GIL
//! released), `native` (the `NativeScenario` class), `scenario` (`load` and its methods), `run`, `breakeven`,
//! `rates`.

mod breakeven;
mod errors;
mod interrupt;
mod native;
mod rates;
mod run;
mod scenario;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<native::NativeScenario>()?;
    m.add_function(wrap_pyfunction!(scenario::load, m)?)?;
    m.add_function(wrap_pyfunction!(rates::rates, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("BLOCK", tariffsim::engine::BLOCK)?;
    Ok(())
}
