//! Errors: why a call failed ([`Fail`]), and how it becomes a Python exception. The
//! library's load and break-even errors map here, with options spelt as Python's
//! keyword arguments (`set`, `sweep`, `between`).

use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use tariffsim::breakeven::EvalError;
use tariffsim::engine::EngineError;
use tariffsim::job::LoadError;
use tariffsim::scenario::diag::Diagnostic;
use tariffsim::scenario::{ScenarioError, Severity};

/// Why a call failed, before it becomes a Python exception.
pub(crate) enum Fail {
    /// A scenario that does not validate: `tariffsim.ScenarioError`.
    Scenario(ScenarioError),
    /// A scenario that validates but cannot run (pilot run): `ScenarioError` with one
    /// diagnostic located at the file.
    ScenarioText { file: String, message: String },
    /// A bad argument: `ValueError`.
    Value(String),
    /// The run failed: `RuntimeError`.
    Run(String),
    /// Ctrl-C (or the cancel flag): `KeyboardInterrupt`.
    Interrupted,
}

pub(crate) type Res<T> = std::result::Result<T, Fail>;

fn diag_tuple<'py>(py: Python<'py>, d: &Diagnostic) -> PyResult<Bound<'py, PyTuple>> {
    let sev = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let (line, col) = if d.loc.line == 0 {
        (None, None)
    } else {
        (Some(d.loc.line), Some(d.loc.col))
    };
    (
        sev,
        d.loc.file.to_string(),
        line,
        col,
        d.path.clone(),
        d.message.clone(),
        d.help.clone(),
        d.to_string(),
    )
        .into_pyobject(py)
}

/// Builds `tariffsim.ScenarioError(message, errors, warnings)` (defined in Python).
fn scenario_error(
    py: Python<'_>,
    message: String,
    errors: Vec<Bound<'_, PyTuple>>,
    warnings: Vec<Bound<'_, PyTuple>>,
) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let cls = py.import("tariffsim._errors")?.getattr("ScenarioError")?;
        let e = cls.call1((
            message,
            PyList::new(py, errors)?,
            PyList::new(py, warnings)?,
        ))?;
        Ok(PyErr::from_value(e))
    };
    build().unwrap_or_else(|e| e)
}

pub(crate) fn to_py(py: Python<'_>, f: Fail) -> PyErr {
    match f {
        Fail::Scenario(e) => {
            let conv = |v: &[Diagnostic]| -> Vec<Bound<'_, PyTuple>> {
                v.iter().filter_map(|d| diag_tuple(py, d).ok()).collect()
            };
            scenario_error(py, e.to_string(), conv(&e.errors), conv(&e.warnings))
        }
        Fail::ScenarioText { file, message } => {
            let t = (
                "error",
                file.clone(),
                None::<u32>,
                None::<u32>,
                "",
                message.clone(),
                None::<String>,
                format!("error: {message}"),
            )
                .into_pyobject(py);
            let text = format!("{file}: {message}");
            scenario_error(py, text, t.into_iter().collect(), Vec::new())
        }
        Fail::Value(m) => PyValueError::new_err(m),
        Fail::Run(m) => PyRuntimeError::new_err(m),
        Fail::Interrupted => PyKeyboardInterrupt::new_err("interrupted; no results"),
    }
}

pub(crate) fn value(m: impl std::fmt::Display) -> Fail {
    Fail::Value(m.to_string())
}

impl From<LoadError> for Fail {
    fn from(e: LoadError) -> Fail {
        match e {
            LoadError::Scenario(e) => Fail::Scenario(e),
            LoadError::Pilot { file, message } => Fail::ScenarioText { file, message },
            LoadError::Engine(e) => Fail::Run(e.to_string()),
            e => Fail::Value(e.message("")),
        }
    }
}

impl From<EvalError> for Fail {
    fn from(e: EvalError) -> Fail {
        match e {
            EvalError::Load(e) => e.into(),
            EvalError::Refused(m) => Fail::Value(m),
            EvalError::Interrupted => Fail::Interrupted,
            EvalError::Engine(e) => Fail::Run(e.to_string()),
        }
    }
}

/// An engine error: `KeyboardInterrupt` when interrupted, else `RuntimeError`.
pub(crate) fn engine_fail(e: EngineError) -> Fail {
    match e {
        EngineError::Interrupted => Fail::Interrupted,
        e => Fail::Run(e.to_string()),
    }
}
