//! `tariffsim._native`: the Rust side of the Python package (issue 15).
//!
//! Thin glue over the library: the same loading steps as the binary (`extends`, `--set`,
//! sweeps, validation and the pilot run of every sweep point), the same engine calls and
//! the same CSV writers, so a Python result holds the very bytes the CLI writes. The
//! Python layer (`python/tariffsim/__init__.py`) turns those bytes into DataFrames and
//! carries the docstrings and type hints.
//!
//! Every simulation runs on a worker thread while the calling thread waits with the GIL
//! released, waking every few milliseconds to run Python's signal handlers: Ctrl-C sets
//! the engine's cancel flag (work stops at the next block) and raises
//! `KeyboardInterrupt`. A panic is caught at the thread boundary and raised as
//! `RuntimeError`; it never crosses into Python.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use numpy::{PyArray1, PyArrayMethods};
use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};
use rayon::prelude::*;

use tariffsim::assumptions;
use tariffsim::breakeven::{self, Eval, Found};
use tariffsim::engine::{self, Acc, CancelFlag, Precision, RunSpec};
use tariffsim::model::Plan;
use tariffsim::output::{self, manifest::Manifest, manifest::WorstCell, Point};
use tariffsim::scenario::diag::{Diagnostic, Diagnostics};
use tariffsim::scenario::tree::{Node, Table, Value};
use tariffsim::scenario::{self, path, Built, Loc, ScenarioError, Severity};
use tariffsim::schedule::{self, Date, Query, Schedule};
use tariffsim::stats::Sketch;
use tariffsim::summary::{self, Bin, CellSummary, CompareSummary};
use tariffsim::sweep::{self, GridPoint, Sweep};

/// Why a call failed, before it becomes a Python exception.
enum Fail {
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

type Res<T> = std::result::Result<T, Fail>;

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

fn to_py(py: Python<'_>, f: Fail) -> PyErr {
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

fn value(m: impl std::fmt::Display) -> Fail {
    Fail::Value(m.to_string())
}

// ---------------------------------------------------------------------------------------
// Interruptible work with the GIL released.

/// Runs `work` on a worker thread while this thread waits without the GIL, running
/// Python's signal handlers every 20 ms. A pending `KeyboardInterrupt` (or any exception
/// a handler raises) sets the cancel flag, waits for the worker to stop at its next
/// block and is returned.
fn interruptible<T, F>(py: Python<'_>, work: F) -> PyResult<Res<T>>
where
    T: Send,
    F: FnOnce(&AtomicBool) -> Res<T> + Send,
{
    let cancel = AtomicBool::new(false);
    let done = (Mutex::new(false), Condvar::new());
    std::thread::scope(|s| {
        let (cancel, done) = (&cancel, &done);
        let handle = s.spawn(move || {
            struct Notify<'a>(&'a (Mutex<bool>, Condvar));
            impl Drop for Notify<'_> {
                // Also on a panic, so the waiting thread never hangs.
                fn drop(&mut self) {
                    *self.0 .0.lock().unwrap_or_else(|e| e.into_inner()) = true;
                    self.0 .1.notify_all();
                }
            }
            let _n = Notify(done);
            work(cancel)
        });
        let mut interrupt = None;
        loop {
            let finished = py.detach(|| {
                let g = done.0.lock().unwrap_or_else(|e| e.into_inner());
                let (g, _) = done
                    .1
                    .wait_timeout_while(g, Duration::from_millis(20), |d| !*d)
                    .unwrap_or_else(|e| e.into_inner());
                *g
            });
            if finished {
                break;
            }
            if let Err(e) = py.check_signals() {
                cancel.store(true, Ordering::Relaxed);
                interrupt = Some(e);
                break;
            }
        }
        let joined = py.detach(|| handle.join());
        if let Some(e) = interrupt {
            return Err(e);
        }
        match joined {
            Ok(r) => Ok(r),
            Err(p) => {
                let what = p
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| p.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                Err(PyRuntimeError::new_err(format!(
                    "internal error in tariffsim (please report it): {what}"
                )))
            }
        }
    })
}

// ---------------------------------------------------------------------------------------
// Loading: the steps of the binary's `app::load`, through library calls.

/// Largest scenario file read, as the binary's.
const MAX_SCENARIO_BYTES: u64 = 16 << 20;
/// Trials of the pilot run at load time, as the binary's `check`.
const PILOT_TRIALS: u64 = 64;
/// Largest landed cost summed exactly, as the binary's.
const MAX_COST: f64 = 1e11;
/// The file name of a scenario given as text.
const TEXT_FILE: &str = "<string>";

fn read_capped(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let f = std::fs::File::open(path)?;
    if f.metadata()?.is_dir() {
        return Err(std::io::Error::other("is a folder"));
    }
    let mut buf = Vec::new();
    f.take(MAX_SCENARIO_BYTES + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(std::io::Error::other(format!(
            "larger than the limit of {MAX_SCENARIO_BYTES} bytes"
        )));
    }
    String::from_utf8(buf)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))
}

fn apply_sets(root: &mut Table, sets: &[String]) -> Res<()> {
    for s in sets {
        let Some((p, v)) = s.split_once('=') else {
            return Err(value(format!("set {s}: expected PATH=VALUE")));
        };
        let node = path::parse_value(p.trim(), v).map_err(|e| value(format!("set: {e}")))?;
        path::set(root, p.trim(), node).map_err(|e| value(format!("set: {e}")))?;
    }
    Ok(())
}

fn build_point(root: &Table, file: &str, point: &GridPoint) -> Res<Built> {
    let mut t = root.clone();
    for (p, v) in &point.settings {
        path::set(&mut t, p, v.clone()).map_err(|e| value(format!("sweep: {e}")))?;
    }
    scenario::build::build(&t, file).map_err(Fail::Scenario)
}

fn pilot(file: &str, built: &Built) -> Res<()> {
    let s = &built.scenario;
    let plan = Plan::new(s.clone()).map_err(value)?;
    let spec = RunSpec::new(PILOT_TRIALS, s.seed, 1);
    let hint = "a value such as unit_value or units_per_feu is too large or too small";
    let text = |message: String| Fail::ScenarioText {
        file: file.to_string(),
        message,
    };
    let acc = match engine::run(&plan, &spec, &engine::Silent, None) {
        Ok(acc) => acc,
        Err(engine::EngineError::NonFinite { regime, route, .. }) => {
            return Err(text(format!(
            "regime `{regime}`, route `{route}`: the landed cost is not a finite number ({hint})"
        )))
        }
        Err(e) => return Err(Fail::Run(e.to_string())),
    };
    for (i, c) in acc.cells.iter().enumerate() {
        let m = c.cost_sketch.min().unwrap_or(0.0).abs();
        let m = m.max(c.cost_sketch.max().unwrap_or(0.0).abs());
        if m > MAX_COST {
            let routes = plan.n_routes();
            return Err(text(format!(
                "regime `{}`, route `{}`: a landed cost of {m:e} USD per unit is beyond \
                 {MAX_COST:e}, the largest summed exactly ({hint})",
                s.regimes[i / routes].name,
                s.routes[i % routes].name
            )));
        }
    }
    Ok(())
}

/// Every grid point of `sweeps`, built and piloted.
fn points(root: &Table, file: &str, sweeps: &[Sweep]) -> Res<Vec<(GridPoint, Built)>> {
    match sweep::grid_size(sweeps) {
        Some(n) if n <= sweep::MAX_POINTS => {}
        n => {
            return Err(value(format!(
                "{file}: the sweeps make {} points, more than the {} a run may have",
                n.map_or("over 2^64".to_string(), |n| n.to_string()),
                sweep::MAX_POINTS
            )))
        }
    }
    let mut out = Vec::new();
    for p in sweep::grid(sweeps) {
        let built = build_point(root, file, &p)?;
        pilot(file, &built)?;
        out.push((p, built));
    }
    Ok(out)
}

/// A loaded, validated scenario (every sweep point of its file).
#[pyclass(frozen, module = "tariffsim._native")]
struct NativeScenario {
    /// The file as given, or `<string>`.
    file: String,
    /// The document after `extends` and the overrides, sweeps removed.
    root: Table,
    /// The file's sweeps.
    sweeps: Vec<Sweep>,
    /// The overrides, as `PATH=VALUE`.
    overrides: Vec<String>,
    /// The first grid point.
    base: Built,
    /// How many grid points the file's sweeps make.
    n_points: usize,
}

#[pyfunction]
#[pyo3(signature = (source, is_text, sets))]
fn load(
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
            read_capped(p)
        }
    };
    let mut d = Diagnostics::default();
    let mut root = scenario::load::load_tree(&path, &read, &mut d);
    let sweeps = sweep::take_from_doc(&mut root, &mut d);
    if d.has_errors() {
        return Err(Fail::Scenario(ScenarioError {
            errors: d.errors(),
            warnings: d.warnings(),
        }));
    }
    apply_sets(&mut root, sets)?;
    let pts = points(&root, &file, &sweeps)?;
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

// ---------------------------------------------------------------------------------------
// Running.

/// One sweep point's accumulators.
struct PointRun {
    point: Point,
    plan: Plan,
    acc: Acc,
    sensitivity: Option<Vec<summary::SensitivityRow>>,
    costs: Option<Vec<f64>>,
}

/// The run's options.
struct RunOpts {
    trials: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    sweeps: Vec<String>,
    target_se: Option<f64>,
    target_rse: Option<f64>,
    sensitivity: bool,
    margin: Option<f64>,
    trials_out: bool,
}

/// One sweep point's labels, per-trial costs and trial count.
type PointCosts = (Vec<(String, String)>, Vec<f64>, u64);

/// What a run hands to Python: output files (name, bytes), warnings, and per point the
/// per-trial costs (row-major: trial, regime, route).
struct RunOut {
    files: Vec<(String, Vec<u8>)>,
    warnings: Vec<String>,
    costs: Vec<PointCosts>,
    regimes: Vec<String>,
    routes: Vec<String>,
}

fn threads(asked: Option<usize>) -> usize {
    asked.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

fn check_opts(o: &RunOpts) -> Res<()> {
    if o.threads == Some(0) {
        return Err(value("threads must be at least 1"));
    }
    if o.trials == Some(0) {
        return Err(value("trials must be at least 1"));
    }
    for (name, v) in [
        ("target_se", o.target_se),
        ("target_rse", o.target_rse),
        ("margin", o.margin),
    ] {
        if let Some(v) = v {
            let ok = v.is_finite() && (v > 0.0 || (name == "margin" && v >= 0.0));
            if !ok {
                return Err(value(format!("{name} must be a positive number, got {v}")));
            }
        }
    }
    Ok(())
}

fn engine_fail(e: engine::EngineError) -> Fail {
    match e {
        engine::EngineError::Interrupted => Fail::Interrupted,
        e => Fail::Run(e.to_string()),
    }
}

/// The landed cost of every trial and cell, computed again trial by trial (each trial
/// depends only on the seed and its index, so these are the engine's very numbers).
fn trial_costs(
    plan: &Plan,
    seed: u64,
    trials: u64,
    threads: usize,
    cancel: &AtomicBool,
) -> Res<Vec<f64>> {
    let cells = plan.n_regimes() * plan.n_routes();
    let n = usize::try_from(trials)
        .ok()
        .and_then(|t| t.checked_mul(cells))
        .filter(|&n| n <= (1usize << 33))
        .ok_or_else(|| {
            value(format!(
                "trials_out: {trials} trials x {cells} cells is too large to keep in memory"
            ))
        })?;
    let mut out = vec![0.0f64; n];
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Fail::Run(e.to_string()))?;
    let block = engine::BLOCK as usize * cells;
    pool.install(|| {
        out.par_chunks_mut(block).enumerate().try_for_each_init(
            || plan.scratch(),
            |scratch, (b, chunk)| {
                if cancel.load(Ordering::Relaxed) {
                    return Err(Fail::Interrupted);
                }
                let first = b as u64 * engine::BLOCK;
                for (k, row) in chunk.chunks_mut(cells).enumerate() {
                    plan.trial(seed, first + k as u64, scratch);
                    for (x, o) in row.iter_mut().zip(&scratch.outcomes) {
                        *x = o.cost;
                    }
                }
                Ok(())
            },
        )
    })?;
    Ok(out)
}

fn run_points(
    file: &str,
    pts: &[(GridPoint, Built)],
    o: &RunOpts,
    cancel: &AtomicBool,
) -> Res<(Vec<PointRun>, u64, u64, usize, f64)> {
    let first = &pts[0].1.scenario;
    let trials = o.trials.unwrap_or(first.trials);
    let seed = o.seed.unwrap_or(first.seed);
    let threads = threads(o.threads);
    let stop = (o.target_se.is_some() || o.target_rse.is_some()).then_some(Precision {
        se: o.target_se,
        rse: o.target_rse,
    });
    let observer = CancelFlag(cancel);
    let started = Instant::now();
    let mut runs = Vec::new();
    for (gp, built) in pts {
        let plan = Plan::new(built.scenario.clone()).map_err(|e| value(format!("{file}: {e}")))?;
        let mut spec = RunSpec::new(trials, seed, threads);
        spec.stop = stop;
        let acc = engine::run(&plan, &spec, &observer, None).map_err(engine_fail)?;
        let sensitivity = if o.sensitivity {
            let mut spec2 = RunSpec::new(acc.trials, seed, threads);
            spec2.blocks = 0..engine::n_blocks(acc.trials);
            let sketches: Vec<&Sketch> = acc.cells.iter().map(|c| &c.cost_sketch).collect();
            let sens = engine::sensitivity::run(&plan, &spec2, &sketches, &observer)
                .map_err(engine_fail)?;
            Some(summary::sensitivity(&plan, &sens))
        } else {
            None
        };
        runs.push(PointRun {
            point: Point {
                values: gp.labels(),
            },
            plan,
            acc,
            sensitivity,
            costs: None,
        });
    }
    let wall = started.elapsed().as_secs_f64();
    if o.trials_out {
        for r in &mut runs {
            r.costs = Some(trial_costs(&r.plan, seed, r.acc.trials, threads, cancel)?);
        }
    }
    Ok((runs, trials, seed, threads, wall))
}

/// The files of a run folder, as the binary's `write_results` and `add_extras` make
/// them (no report or charts).
#[allow(clippy::too_many_arguments)]
fn outputs(
    sc: &NativeScenario,
    sweeps: &[Sweep],
    o: &RunOpts,
    runs: &[PointRun],
    trials: u64,
    seed: u64,
    threads: usize,
    wall: f64,
) -> (Vec<(String, Vec<u8>)>, Vec<String>) {
    let margin = o.margin.unwrap_or(0.0);
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    let mut cells_out: Vec<(Point, CellSummary)> = Vec::new();
    let mut compares_out: Vec<(Point, CompareSummary)> = Vec::new();
    let mut bins_out: Vec<(Point, Bin)> = Vec::new();
    let mut timing_out = Vec::new();
    let mut ex_out = Vec::new();
    for r in runs {
        let pt = &r.point;
        timing_out.extend(
            summary::timing(&r.plan, &r.acc)
                .into_iter()
                .map(|t| (pt.clone(), t)),
        );
        let cells = summary::cells(&r.plan, &r.acc);
        compares_out.extend(
            summary::compares_with_margin(&r.plan, &r.acc, &cells, margin)
                .into_iter()
                .map(|c| (pt.clone(), c)),
        );
        bins_out.extend(
            summary::histograms(&r.plan, &r.acc)
                .into_iter()
                .map(|b| (pt.clone(), b)),
        );
        ex_out.extend(
            summary::exceedance(&r.plan, &r.acc)
                .into_iter()
                .map(|e| (pt.clone(), e)),
        );
        cells_out.extend(cells.into_iter().map(|c| (pt.clone(), c)));
    }
    let rows: Vec<_> = cells_out
        .iter()
        .map(|(pt, c)| (Vec::new(), pt.clone(), c))
        .collect();
    files.push(("summary.csv".into(), output::summary_csv(&[], &rows)));
    let rows: Vec<_> = compares_out.iter().map(|(pt, c)| (pt.clone(), c)).collect();
    files.push(("compare.csv".into(), output::compare_csv(&rows)));
    let rows: Vec<_> = bins_out.iter().map(|(pt, b)| (pt.clone(), b)).collect();
    files.push(("histogram.csv".into(), output::histogram_csv(&rows)));
    if o.sensitivity {
        let sens: Vec<(Point, &summary::SensitivityRow)> = runs
            .iter()
            .flat_map(|r| {
                r.sensitivity
                    .iter()
                    .flatten()
                    .map(move |row| (r.point.clone(), row))
            })
            .collect();
        files.push(("sensitivity.csv".into(), output::sensitivity_csv(&sens)));
    }
    if !timing_out.is_empty() {
        let rows: Vec<_> = timing_out.iter().map(|(pt, t)| (pt.clone(), t)).collect();
        files.push(("timing.csv".into(), output::timing_csv(&rows)));
    }
    let rows: Vec<_> = ex_out.iter().map(|(pt, e)| (pt.clone(), e)).collect();
    files.push(("exceedance.csv".into(), output::exceedance_csv(&rows)));
    let resolved = scenario::tree::to_toml(&sc.root);
    if let Some(r) = runs.first() {
        let bases = assumptions::bases_from_toml(&resolved);
        files.push((
            "assumptions.json".into(),
            assumptions::describe(&r.plan, &bases).to_json(),
        ));
    }
    // The precision target: the library's worst cell, as the binary reports it.
    let mut precision: Option<(bool, WorstCell)> = None;
    if o.target_se.is_some() || o.target_rse.is_some() {
        let outcomes = runs.iter().filter_map(|r| {
            summary::precision(&r.plan, &r.acc, o.target_se, o.target_rse)
                .map(|p| (r.point.values.as_slice(), p))
        });
        let found = output::manifest::worst_cell(outcomes, o.target_se, o.target_rse);
        if let Some((met, w)) = found {
            if !met {
                let target = match (o.target_se, o.target_rse) {
                    (Some(se), _) => format!("target_se={se}"),
                    (None, Some(rse)) => format!("target_rse={rse}"),
                    _ => String::new(),
                };
                warnings.push(format!(
                    "{target} not reached with {trials} trials: worst cell {} / {} has se {:.4e} USD (relative {:.3e}); raise trials",
                    w.regime, w.route, w.se, w.rse
                ));
            }
            precision = Some((met, w));
        }
    }
    let done: u64 = runs.iter().map(|r| r.acc.trials).sum();
    let manifest = Manifest {
        version: tariffsim_version(),
        scenario_file: sc.file.clone(),
        scenario: sc.base.scenario.name.clone(),
        seed,
        trials,
        trials_used: runs.iter().map(|r| r.acc.trials).collect(),
        target_se: o.target_se,
        target_rse: o.target_rse,
        target_met: precision.as_ref().map(|w| w.0),
        worst_cell: precision.map(|w| w.1),
        threads: Some(threads),
        wall_seconds: Some(wall),
        trials_per_second: Some(done as f64 / wall.max(1e-9)),
        merged_shards: None,
        overrides: sc.overrides.clone(),
        sweep: sweeps
            .iter()
            .map(|s| {
                (
                    s.path.clone(),
                    s.values.iter().map(|v| sweep::label(&v.value)).collect(),
                )
            })
            .collect(),
        warnings: sc.base.warnings.iter().map(|w| w.to_string()).collect(),
        resolved_scenario: resolved,
    };
    files.push(("manifest.json".into(), manifest.to_json()));
    (files, warnings)
}

/// The library's version, which the binary writes in its manifests.
fn tariffsim_version() -> String {
    tariffsim::VERSION.to_string()
}

fn metric(s: &Sketch, mean: Option<f64>, m: &str) -> f64 {
    match m {
        "mean" => mean.unwrap_or(f64::NAN),
        "p50" => s.quantile(0.5).unwrap_or(f64::NAN),
        _ => s.quantile(0.95).unwrap_or(f64::NAN),
    }
}

/// The numeric value at `p` in the document, if there is one (as the binary's).
fn current_value(root: &Table, p: &str) -> Option<f64> {
    let segs = path::segments(p).ok()?;
    let mut v: &Value = &root.get(&segs[0])?.value;
    for s in &segs[1..] {
        v = match v {
            Value::Table(t) => &t.get(s)?.value,
            Value::Array(a) => {
                &a.iter()
                    .find(|e| matches!(&e.value, Value::Table(t) if t.get("name").is_some_and(|n| n.value == Value::Str(s.clone()))))
                    .or_else(|| a.get(s.parse::<usize>().ok()?))?
                    .value
            }
            _ => return None,
        };
    }
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// Independent slices of a break-even evaluation, as the binary's.
const SLICES: u64 = 10;

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
        self.sweeps
            .iter()
            .map(|s| {
                (
                    s.path.clone(),
                    s.values.iter().map(|v| sweep::label(&v.value)).collect(),
                )
            })
            .collect()
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
        let r = interruptible(py, |cancel| {
            self.breakeven_inner(
                &param,
                &route_a,
                &route_b,
                regime.as_deref(),
                between,
                &metric,
                trials,
                seed,
                threads,
                cancel,
            )
        })?;
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

impl NativeScenario {
    fn run_inner(&self, o: &RunOpts, cancel: &AtomicBool) -> Res<RunOut> {
        check_opts(o)?;
        let mut sweeps = self.sweeps.clone();
        for s in &o.sweeps {
            sweeps.push(sweep::parse_cli(s).map_err(|e| value(format!("sweep: {e}")))?);
        }
        let pts = points(&self.root, &self.file, &sweeps)?;
        let (runs, trials, seed, threads, wall) = run_points(&self.file, &pts, o, cancel)?;
        let (files, warnings) = outputs(self, &sweeps, o, &runs, trials, seed, threads, wall);
        let s = &pts[0].1.scenario;
        Ok(RunOut {
            files,
            warnings,
            regimes: s.regimes.iter().map(|r| r.name.clone()).collect(),
            routes: s.routes.iter().map(|r| r.name.clone()).collect(),
            costs: runs
                .into_iter()
                .filter_map(|r| {
                    let n = r.acc.trials;
                    r.costs.map(|c| (r.point.values, c, n))
                })
                .collect(),
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn breakeven_inner(
        &self,
        param: &str,
        ra: &str,
        rb: &str,
        regime: Option<&str>,
        between: Option<(f64, f64)>,
        metric_name: &str,
        trials: Option<u64>,
        seed: Option<u64>,
        threads_asked: Option<usize>,
        cancel: &AtomicBool,
    ) -> Res<(Vec<Eval>, Found, String, String, String)> {
        if !["mean", "p50", "p95"].contains(&metric_name) {
            return Err(value(format!(
                "metric must be one of mean, p50, p95, got {metric_name:?}"
            )));
        }
        if threads_asked == Some(0) {
            return Err(value("threads must be at least 1"));
        }
        if trials == Some(0) {
            return Err(value("trials must be at least 1"));
        }
        let root = &self.root;
        let file = &self.file;
        let base = build_point(
            root,
            file,
            &GridPoint {
                settings: Vec::new(),
            },
        )?;
        let s = &base.scenario;
        let route_names: Vec<&str> = s.routes.iter().map(|r| r.name.as_str()).collect();
        let find_route = |n: &str| {
            route_names.iter().position(|r| *r == n).ok_or_else(|| {
                value(format!(
                    "routes: no route `{n}`; routes: {}",
                    route_names.join(", ")
                ))
            })
        };
        let (a, b) = (find_route(ra)?, find_route(rb)?);
        let regime_names: Vec<&str> = s.regimes.iter().map(|r| r.name.as_str()).collect();
        let g = match regime {
            Some(n) => regime_names.iter().position(|r| *r == n).ok_or_else(|| {
                value(format!(
                    "regime: no regime `{n}`; regimes: {}",
                    regime_names.join(", ")
                ))
            })?,
            None => 0,
        };
        let (lo, hi) = match between {
            Some(b) => b,
            None => match current_value(root, param) {
                Some(v) if v > 0.0 => (0.0, 2.0 * v),
                _ => (0.0, 1.0),
            },
        };
        if lo.partial_cmp(&hi) != Some(std::cmp::Ordering::Less) {
            return Err(value(format!("between: LO ({lo}) must be below HI ({hi})")));
        }
        let trials = trials.unwrap_or(s.trials);
        let seed = seed.unwrap_or(s.seed);
        let threads = threads(threads_asked);
        let n_routes = s.routes.len();
        let (cell_a, cell_b) = (g * n_routes + a, g * n_routes + b);
        let observer = CancelFlag(cancel);
        let eval_at = |x: f64| -> Res<Eval> {
            let node = Node {
                value: Value::Float(x),
                loc: Loc::synthetic(&format!("--param {param}")),
            };
            let point = GridPoint {
                settings: vec![(param.to_string(), node)],
            };
            let built = build_point(root, file, &point)?;
            let plan = Plan::new(built.scenario).map_err(value)?;
            let mut total: Option<Acc> = None;
            let mut slice_diffs = Vec::new();
            let slices = SLICES.min(engine::n_blocks(trials));
            for k in 0..slices {
                let spec = RunSpec::new(trials, seed, threads).shard(k, slices);
                let acc = engine::run(&plan, &spec, &observer, None).map_err(engine_fail)?;
                let (ca, cb) = (&acc.cells[cell_a], &acc.cells[cell_b]);
                slice_diffs.push(
                    metric(&ca.cost_sketch, ca.cost.mean(), metric_name)
                        - metric(&cb.cost_sketch, cb.cost.mean(), metric_name),
                );
                match total.as_mut() {
                    Some(t) => t.merge(&acc),
                    None => total = Some(acc),
                }
            }
            let total = total.ok_or_else(|| value("no trials to run"))?;
            let (ca, cb) = (&total.cells[cell_a], &total.cells[cell_b]);
            let (ma, mb) = (
                metric(&ca.cost_sketch, ca.cost.mean(), metric_name),
                metric(&cb.cost_sketch, cb.cost.mean(), metric_name),
            );
            let se = if metric_name == "mean" {
                let pair = total
                    .pairs
                    .iter()
                    .position(|p| (p.a, p.b) == (cell_a.min(cell_b), cell_a.max(cell_b)));
                pair.and_then(|k| total.pair_accs[k].diff.se())
                    .unwrap_or(0.0)
            } else {
                let n = slice_diffs.len() as f64;
                let m = slice_diffs.iter().sum::<f64>() / n;
                let var =
                    slice_diffs.iter().map(|d| (d - m) * (d - m)).sum::<f64>() / (n - 1.0).max(1.0);
                (var / n).sqrt()
            };
            Ok(Eval {
                x,
                diff: ma - mb,
                se,
                a: ma,
                b: mb,
            })
        };
        let search = breakeven::find(lo, hi, eval_at)?;
        use std::fmt::Write as _;
        let mut csv = String::from("step,x,metric_a,metric_b,diff,se\n");
        for (i, e) in search.evals.iter().enumerate() {
            let _ = writeln!(csv, "{i},{},{},{},{},{}", e.x, e.a, e.b, e.diff, e.se);
        }
        match &search.found {
            Found::Crossing { x, lo, hi } => {
                let _ = writeln!(csv, "result,{x},,,,\nci_lo,{lo},,,,\nci_hi,{hi},,,,");
            }
            Found::NoCrossing { .. } => csv.push_str("result,none,,,,\n"),
        }
        let found_json = match &search.found {
            Found::Crossing { x, lo, hi } => serde_json::json!({"x": x, "ci_lo": lo, "ci_hi": hi}),
            Found::NoCrossing { why } => serde_json::json!({"x": null, "why": why}),
        };
        let manifest = serde_json::json!({
            "version": tariffsim_version(),
            "command": "breakeven",
            "scenario_file": file,
            "scenario": s.name,
            "param": param,
            "routes": [ra, rb],
            "regime": regime_names[g],
            "metric": metric_name,
            "between": [lo, hi],
            "trials": trials,
            "seed": seed,
            "overrides": self.overrides,
            "over": null,
            "result": found_json,
            "frontier": null,
        })
        .to_string();
        Ok((
            search.evals,
            search.found,
            csv,
            manifest,
            regime_names[g].to_string(),
        ))
    }
}

// ---------------------------------------------------------------------------------------
// Rates.

/// Today's date (UTC).
fn today() -> Option<Date> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    Date::from_unix_seconds(now.ok()?.as_secs())
}

/// The duty stack of the built-in schedule as (csv, table, json) text.
#[pyfunction]
#[pyo3(signature = (hts, origin, date=None, claim=None, metal_share=None))]
fn rates(
    hts: &str,
    origin: &str,
    date: Option<&str>,
    claim: Option<&str>,
    metal_share: Option<f64>,
) -> PyResult<(String, String, String)> {
    let bad = PyValueError::new_err;
    let date = match date {
        Some(d) => Date::parse(d)
            .ok_or_else(|| bad(format!("date: `{d}` is not a date: expected YYYY-MM-DD")))?,
        None => today().ok_or_else(|| bad("cannot read today's date: give date=".to_string()))?,
    };
    if let Some(m) = metal_share {
        if !(0.0..=1.0).contains(&m) {
            return Err(bad(format!("metal_share must lie in [0, 1], found {m}")));
        }
    }
    let q = Query {
        hts,
        origin,
        date,
        claim,
        metal_share,
    };
    let stack = Schedule::us()
        .stack(&q)
        .map_err(|e| bad(format!("rates: {e}")))?;
    Ok((
        schedule::print::csv(&stack),
        schedule::print::table(&stack),
        schedule::print::json(&stack),
    ))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativeScenario>()?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(rates, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("BLOCK", engine::BLOCK)?;
    Ok(())
}
