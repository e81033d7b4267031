//! `NativeScenario`: a loaded, validated scenario (every sweep point of its file), and
//! `load`, through the library's job steps ([`tariffsim::job`]) with a reader that
//! serves a scenario given as text.

use std::path::{Path, PathBuf};

use numpy::{PyArray1, PyArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};

use tariffsim::breakeven::Found;
use tariffsim::job;
use tariffsim::model::Plan;
use tariffsim::scenario;

use crate::errors::{to_py, value, Res};
use crate::interrupt::interruptible;
use crate::native::NativeScenario;
use crate::run::RunOpts;

/// The file name of a scenario given as text.
const TEXT_FILE: &str = "<string>";

/// Loads a scenario file (or text, `is_text`) with overrides `sets` (`PATH=VALUE`).
#[pyfunction]
#[pyo3(signature = (source, is_text, sets))]
pub(crate) fn load(
    py: Python<'_>,
    source: String,
    is_text: bool,
    sets: Vec<String>,
) -> PyResult<NativeScenario> {
    let r = py.detach(|| load_inner(&source, is_text, &sets));
    r.map_err(|f| to_py(py, f))
}

fn load_inner(source: &str, is_text: bool, sets: &[String]) -> Res<NativeScenario> {
    let (path, file) = if is_text {
        (PathBuf::from(TEXT_FILE), TEXT_FILE.to_string())
    } else {
        (PathBuf::from(source), source.to_string())
    };
    let text_path = path.clone();
    let read = |p: &Path| -> std::io::Result<String> {
        if is_text && p == text_path {
            Ok(source.to_string())
        } else {
            job::read_scenario_file(p)
        }
    };
    let (root, sweeps) = job::document(&path, &read, sets)?;
    let pts = job::points(&root, &file, &sweeps)?;
    let n_points = pts.len();
    let base = pts
        .into_iter()
        .next()
        .map(|p| p.1)
        .ok_or_else(|| value("no sweep point"))?;
    Ok(NativeScenario {
        file,
        root,
        sweeps,
        overrides: sets.to_vec(),
        base,
        n_points,
    })
}

#[pymethods]
impl NativeScenario {
    #[getter]
    fn name(&self) -> String {
        self.base.scenario.name.clone()
    }
    #[getter]
    fn file(&self) -> String {
        self.file.clone()
    }
    #[getter]
    fn regimes(&self) -> Vec<String> {
        self.base
            .scenario
            .regimes
            .iter()
            .map(|r| r.name.clone())
            .collect()
    }
    #[getter]
    fn routes(&self) -> Vec<String> {
        self.base
            .scenario
            .routes
            .iter()
            .map(|r| r.name.clone())
            .collect()
    }
    #[getter]
    fn trials(&self) -> u64 {
        self.base.scenario.trials
    }
    #[getter]
    fn seed(&self) -> u64 {
        self.base.scenario.seed
    }
    #[getter]
    fn n_points(&self) -> usize {
        self.n_points
    }
    #[getter]
    fn toml(&self) -> String {
        scenario::tree::to_toml(&self.root)
    }
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.base.warnings.iter().map(|w| w.to_string()).collect()
    }
    #[getter]
    fn sweeps(&self) -> Vec<(String, Vec<String>)> {
        job::sweep_labels(&self.sweeps)
    }

    /// The text of `tariffsim check` for this scenario.
    fn check(&self) -> PyResult<String> {
        let plan = Plan::new(self.base.scenario.clone())
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(tariffsim::output::check_text(
            &self.file,
            &self.base,
            &plan,
            self.n_points,
        ))
    }

    /// Runs every sweep point. Returns (files, warnings, regimes, routes, costs) where
    /// files is a list of (name, bytes) and costs a list of (labels, ndarray).
    #[pyo3(signature = (trials=None, seed=None, threads=None, sweeps=Vec::new(), target_se=None, target_rse=None, sensitivity=false, margin=None, trials_out=false))]
    #[allow(clippy::too_many_arguments)]
    fn run<'py>(
        &self,
        py: Python<'py>,
        trials: Option<u64>,
        seed: Option<u64>,
        threads: Option<usize>,
        sweeps: Vec<String>,
        target_se: Option<f64>,
        target_rse: Option<f64>,
        sensitivity: bool,
        margin: Option<f64>,
        trials_out: bool,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let o = RunOpts {
            trials,
            seed,
            threads,
            sweeps,
            target_se,
            target_rse,
            sensitivity,
            margin,
            trials_out,
        };
        let r = interruptible(py, |cancel| self.run_inner(&o, cancel))?;
        let out = r.map_err(|f| to_py(py, f))?;
        let files = PyDict::new(py);
        for (name, bytes) in &out.files {
            files.set_item(name, PyBytes::new(py, bytes))?;
        }
        let costs = PyList::empty(py);
        let (g, r) = (out.regimes.len(), out.routes.len());
        for (labels, v, n) in out.costs {
            // The Vec becomes the array's memory: no copy.
            let a = PyArray1::from_vec(py, v).reshape([n as usize, g, r])?;
            costs.append((labels, a))?;
        }
        (files, out.warnings, out.regimes, out.routes, costs).into_pyobject(py)
    }

    /// The break-even search; returns (evals, found, csv, manifest, regime).
    #[pyo3(signature = (param, route_a, route_b, regime=None, between=None, metric="mean".to_string(), trials=None, seed=None, threads=None))]
    #[allow(clippy::too_many_arguments)]
    fn breakeven<'py>(
        &self,
        py: Python<'py>,
        param: String,
        route_a: String,
        route_b: String,
        regime: Option<String>,
        between: Option<(f64, f64)>,
        metric: String,
        trials: Option<u64>,
        seed: Option<u64>,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let args = crate::breakeven::BreakevenArgs {
            param: &param,
            routes: [&route_a, &route_b],
            regime: regime.as_deref(),
            between,
            metric: &metric,
            trials,
            seed,
            threads,
        };
        let r = interruptible(py, |cancel| self.breakeven_inner(&args, cancel))?;
        let (evals, found, csv, manifest, regime) = r.map_err(|f| to_py(py, f))?;
        let evals: Vec<(f64, f64, f64, f64, f64)> = evals
            .iter()
            .map(|e| (e.x, e.a, e.b, e.diff, e.se))
            .collect();
        let found = match found {
            Found::Crossing { x, lo, hi } => (Some(x), Some(lo), Some(hi), None),
            Found::NoCrossing { why } => (None, None, None, Some(why)),
        };
        (evals, found, csv, manifest, regime).into_pyobject(py)
    }
}
