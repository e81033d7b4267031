//! `NativeScenario.run`: every sweep point through the engine, then the library's summary
//! and writers ([`tariffsim::summary::summarise`], [`tariffsim::output::results`]), so a
//! Python result holds the very bytes the CLI writes; optionally every trial's cost.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use tariffsim::engine::{self, CancelFlag, Precision, RunSpec};
use tariffsim::job;
use tariffsim::model::{CellSink, Outcome, Plan};
use tariffsim::output::results::{run_files, Provenance};
use tariffsim::output::Point;
use tariffsim::scenario::{self, Built};
use tariffsim::stats::Sketch;
use tariffsim::summary::{self, PointResult};
use tariffsim::sweep::{GridPoint, Sweep};

use crate::errors::{engine_fail, value, Fail, Res};
use crate::native::NativeScenario;

/// The run's options.
pub(crate) struct RunOpts {
    pub(crate) trials: Option<u64>,
    pub(crate) seed: Option<u64>,
    pub(crate) threads: Option<usize>,
    pub(crate) sweeps: Vec<String>,
    pub(crate) target_se: Option<f64>,
    pub(crate) target_rse: Option<f64>,
    pub(crate) sensitivity: bool,
    pub(crate) margin: Option<f64>,
    pub(crate) trials_out: bool,
}

/// One sweep point's labels, per-trial costs and trial count.
type PointCosts = (Vec<(String, String)>, Vec<f64>, u64);

/// What a run hands to Python: output files (name, bytes), warnings, and per point the
/// per-trial costs (row-major: trial, regime, route).
pub(crate) struct RunOut {
    pub(crate) files: Vec<(String, Vec<u8>)>,
    pub(crate) warnings: Vec<String>,
    pub(crate) costs: Vec<PointCosts>,
    pub(crate) regimes: Vec<String>,
    pub(crate) routes: Vec<String>,
}

/// Worker threads: as asked, else every core.
pub(crate) fn threads(asked: Option<usize>) -> usize {
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

/// The landed cost of every trial and cell, computed again block by block (each trial
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
            || plan.block_scratch(engine::BLOCK as usize),
            |scratch, (b, rows)| {
                if cancel.load(Ordering::Relaxed) {
                    return Err(Fail::Interrupted);
                }
                let first = b as u64 * engine::BLOCK;
                let n = rows.len() / cells.max(1);
                plan.simulate(seed, first, n, scratch, &mut Costs { rows, cells });
                Ok(())
            },
        )
    })?;
    Ok(out)
}

/// Writes each outcome's cost into trial-major rows (`t * cells + cell`).
struct Costs<'a> {
    rows: &'a mut [f64],
    cells: usize,
}

impl CellSink for Costs<'_> {
    fn outcome(&mut self, cell: usize, t: usize, o: &Outcome) {
        self.rows[t * self.cells + cell] = o.cost;
    }
}

/// How the points were run.
struct Ran {
    results: Vec<PointResult>,
    trials: u64,
    seed: u64,
    threads: usize,
    wall: f64,
}

fn run_points(
    file: &str,
    pts: &[(GridPoint, Built)],
    o: &RunOpts,
    cancel: &AtomicBool,
) -> Res<Ran> {
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
    let mut results = Vec::new();
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
        results.push(PointResult {
            point: Point {
                values: gp.labels(),
            },
            scenario_toml: built.document.clone(),
            plan,
            acc,
            sensitivity,
        });
    }
    let wall = started.elapsed().as_secs_f64();
    Ok(Ran {
        results,
        trials,
        seed,
        threads,
        wall,
    })
}

impl NativeScenario {
    /// Runs every sweep point (the file's sweeps, then `o.sweeps`).
    pub(crate) fn run_inner(&self, o: &RunOpts, cancel: &AtomicBool) -> Res<RunOut> {
        check_opts(o)?;
        let mut sweeps = self.sweeps.clone();
        job::add_sweeps(&mut sweeps, &o.sweeps)?;
        let pts = job::points(&self.root, &self.file, &sweeps)?;
        let ran = run_points(&self.file, &pts, o, cancel)?;
        let mut costs = Vec::new();
        if o.trials_out {
            for r in &ran.results {
                let c = trial_costs(&r.plan, ran.seed, r.acc.trials, ran.threads, cancel)?;
                costs.push((r.point.values.clone(), c, r.acc.trials));
            }
        }
        let (files, warnings) = self.outputs(&sweeps, o, &ran);
        let s = &pts[0].1.scenario;
        Ok(RunOut {
            files,
            warnings,
            regimes: s.regimes.iter().map(|r| r.name.clone()).collect(),
            routes: s.routes.iter().map(|r| r.name.clone()).collect(),
            costs,
        })
    }

    /// The files of a run folder, as the CLI's (no report or charts), and the warning
    /// of a precision target not reached.
    fn outputs(
        &self,
        sweeps: &[Sweep],
        o: &RunOpts,
        ran: &Ran,
    ) -> (Vec<(String, Vec<u8>)>, Vec<String>) {
        let resolved = scenario::tree::to_toml(&self.root);
        let s = summary::summarise(
            &ran.results,
            o.margin.unwrap_or(0.0),
            o.target_se,
            o.target_rse,
            &resolved,
        );
        let mut warnings = Vec::new();
        if let Some((false, w)) = &s.precision {
            let target = match (o.target_se, o.target_rse) {
                (Some(se), _) => format!("target_se={se}"),
                (None, Some(rse)) => format!("target_rse={rse}"),
                _ => String::new(),
            };
            warnings.push(format!(
                "{target} not reached with {} trials: worst cell {} / {} has se {:.4e} USD (relative {:.3e}); raise trials",
                ran.trials, w.regime, w.route, w.se, w.rse
            ));
        }
        let p = Provenance {
            scenario_file: self.file.clone(),
            scenario: self.base.scenario.name.clone(),
            seed: ran.seed,
            trials: ran.trials,
            target_se: o.target_se,
            target_rse: o.target_rse,
            threads: Some(ran.threads),
            wall_seconds: Some(ran.wall),
            merged_shards: None,
            overrides: self.overrides.clone(),
            sweep: job::sweep_labels(sweeps),
            warnings: self.base.warnings.iter().map(|w| w.to_string()).collect(),
            resolved_scenario: resolved,
        };
        let files = run_files(&s, &p)
            .into_iter()
            .map(|(n, b)| (n.to_string(), b))
            .collect();
        (files, warnings)
    }
}
