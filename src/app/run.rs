//! `tariffsim run`: every scenario, every sweep point, into atomic output files.

use std::path::Path;
use std::time::Instant;

use anyhow::{anyhow, Context};
use tariffsim::engine::{self, RowSink, RunSpec};
use tariffsim::model::Plan;
use tariffsim::output::results::Provenance;
use tariffsim::output::{self, Point};
use tariffsim::shard::{self, PointState, ShardState};
use tariffsim::summary::{self, CellSummary, PointResult};

use super::load::{self, Job};
use super::options::{RunOptions, Shard};
use super::outputs::Outputs;
use super::results::write_results;
use super::{cancel_flag, threads, Failure};
use crate::progress::Progress;

/// Runs every scenario of `o` (each sweep point of each), after checking them all, into
/// their folders; with several scenarios, also the batch's combined summary.
pub fn run(o: &RunOptions) -> Result<(), Failure> {
    // Validate every scenario (and sweep point) before running any.
    let mut jobs = Vec::new();
    let mut errors = Vec::new();
    for p in &o.scenarios {
        match load::job(p, &o.set, &o.sweep) {
            Ok(j) => jobs.push(j),
            Err(Failure::Input(e)) => errors.push(format!("{e:#}")),
            Err(f) => return Err(f),
        }
    }
    if !errors.is_empty() {
        return Err(Failure::Input(anyhow!(errors.join("\n"))));
    }
    let many = jobs.len() > 1;
    check_names(o, &jobs, many)?;
    check_memory(o, &jobs)?;
    // Every folder is locked before anything runs, so a concurrent run fails at once.
    // A batch with --out is one folder (its scenarios are folders inside it).
    let top = match (&o.out, many && o.shard.is_none()) {
        (Some(d), true) => Some(Outputs::open(d)?),
        _ => None,
    };
    let mut job_files = Vec::new();
    for job in &jobs {
        let dir = o.folder(job.name(), many);
        job_files.push(match &top {
            _ if o.shard.is_some() => Outputs::files_in(&dir)?,
            Some(t) => t.inside(job.name())?,
            None => Outputs::open(&dir)?,
        });
    }
    let mut combined: Vec<(String, Vec<(Point, CellSummary)>)> = Vec::new();
    for (job, files) in jobs.iter().zip(job_files) {
        for w in &job.points[0].1.warnings {
            say!("{w}");
        }
        let dir = o.folder(job.name(), many);
        let cells = run_job(o, job, &dir, files)?;
        combined.push((job.name().to_string(), cells));
    }
    // Shards write state files only; the combined summary comes from merging.
    if many && o.shard.is_none() {
        let dir = o.batch_folder();
        // Sweep columns differ between scenarios: use their union, blank where absent.
        let mut paths: Vec<String> = Vec::new();
        for (_, cells) in &combined {
            for (p, _) in cells {
                for (k, _) in &p.values {
                    if !paths.contains(k) {
                        paths.push(k.clone());
                    }
                }
            }
        }
        let rows: Vec<(Vec<String>, Point, &CellSummary)> = combined
            .iter()
            .flat_map(|(name, cells)| {
                let paths = &paths;
                cells.iter().map(move |(p, c)| {
                    let values = paths
                        .iter()
                        .map(|k| {
                            (
                                k.clone(),
                                p.values
                                    .iter()
                                    .find(|(q, _)| q == k)
                                    .map(|(_, v)| v.clone())
                                    .unwrap_or_default(),
                            )
                        })
                        .collect();
                    (vec![name.clone()], Point { values }, c)
                })
            })
            .collect();
        let mut files = match top {
            Some(t) => t,
            None => Outputs::files_in(&dir)?,
        };
        files.add("summary.csv", &output::summary_csv(&["scenario"], &rows))?;
        if o.charts {
            super::report::add_report(&mut files)?;
        }
        files.commit()?;
    }
    Ok(())
}

/// Memory assumed per distribution sketch (a cost spread over ~8 octaves, both signs).
const SKETCH_BYTES: u64 = 64 << 10;

/// Estimates the memory of the run (every sweep point's accumulators are kept until
/// written, and each worker thread has its own) and refuses it past `--max-memory`.
fn check_memory(o: &RunOptions, jobs: &[Job]) -> Result<(), Failure> {
    let workers = threads(o.threads) as u64;
    let mut total: u64 = 0;
    for job in jobs {
        let s = &job.points[0].1.scenario;
        let (g, r) = (s.regimes.len() as u64, s.routes.len() as u64);
        let pairs = g * r * r.saturating_sub(1) / 2 + r * g.saturating_sub(1);
        let per_acc = (2 * g * r + pairs).saturating_mul(SKETCH_BYTES);
        let accs = job.points.len() as u64 + workers;
        total = total.saturating_add(per_acc.saturating_mul(accs));
    }
    let mib = total >> 20;
    if mib > o.max_memory_mib {
        return Err(Failure::Input(anyhow!(
            "this run needs an estimated {mib} MiB of memory (sketches of every regime, \
             route and route pair, per sweep point and per thread), more than --max-memory \
             {} MiB; raise --max-memory if the machine has it, or use fewer routes, sweep \
             points or threads",
            o.max_memory_mib
        )));
    }
    Ok(())
}

/// Files a batch writes beside its scenario folders.
const BATCH_FILES: &[&str] = &["summary.csv", "charts", "report.html"];

/// Refuses, before anything runs, scenario names that cannot be folder names, two
/// scenarios of a batch with one name (one would overwrite the other), and names that
/// collide with the batch's own files.
fn check_names(o: &RunOptions, jobs: &[Job], many: bool) -> Result<(), Failure> {
    let folder_named = many || o.out.is_none();
    let mut seen: Vec<(&str, &Path)> = Vec::new();
    for job in jobs {
        let name = job.name();
        let file = job.path.display();
        let bad = |why: &str| {
            Err(Failure::Input(anyhow!(
                "{file}: [scenario] name {name:?} {why}"
            )))
        };
        if folder_named {
            if name.is_empty() || name == "." || name == ".." || name.starts_with('.') {
                return bad("cannot become a folder name (empty or starting with `.`)");
            }
            if name
                .chars()
                .any(|c| c.is_control() || c == '/' || c == '\\')
            {
                return bad(
                    "cannot become a folder name (it holds `/`, `\\` or a control character)",
                );
            }
        }
        if many {
            if BATCH_FILES.contains(&name) {
                return bad(&format!(
                    "collides with the batch's own {name}; rename the scenario"
                ));
            }
            if let Some((_, other)) = seen.iter().find(|(n, _)| *n == name) {
                return bad(&format!(
                    "is also the name of {}; each scenario of a batch writes to a folder of \
                     its name, so names must differ",
                    other.display()
                ));
            }
            seen.push((name, &job.path));
        }
    }
    Ok(())
}

/// Runs every point of a job and writes its folder (or, for a shard, its state file).
/// Returns its summary rows.
fn run_job(
    o: &RunOptions,
    job: &Job,
    dir: &Path,
    mut files: Outputs,
) -> Result<Vec<(Point, CellSummary)>, Failure> {
    let first = &job.points[0].1.scenario;
    let trials = o.trials.unwrap_or(first.trials);
    let seed = o.seed.unwrap_or(first.seed);
    let threads = threads(o.threads);
    let shard = o.shard.clone().transpose().map_err(super::options::bad)?;
    let mut trial_stream = if o.trials_csv {
        let mut s = files.stream("trials.csv")?;
        let mut header = String::new();
        for (p, _) in &job.points[0].0.labels() {
            header.push_str(&tariffsim::output::trials::csv_field(
                &tariffsim::output::guard(p),
            ));
            header.push(',');
        }
        header.push_str(&tariffsim::output::trials::header());
        s.write_rows(header.as_bytes())
            .context("writing trials.csv")?;
        Some(s)
    } else {
        None
    };
    let mut results = Vec::new();
    let started = Instant::now();
    for (gp, built) in &job.points {
        let plan = Plan::new(built.scenario.clone()).map_err(|e| Failure::Input(anyhow!(e)))?;
        let mut spec = RunSpec::new(trials, seed, threads);
        spec.stop = o.stop;
        if let Some(Shard { k, n }) = shard {
            spec = spec.shard(k - 1, n);
        }
        let point = Point {
            values: gp.labels(),
        };
        let label = if point.values.is_empty() {
            job.name().to_string()
        } else {
            format!(
                "{} [{}]",
                job.name(),
                point
                    .values
                    .iter()
                    .map(|(_, v)| v.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let blocks = spec.blocks.clone();
        let progress = Progress::new(
            shard::contents::trials_in(trials, (blocks.start, blocks.end)),
            &label,
            o.quiet,
            cancel_flag(),
        );
        let acc = match trial_stream.as_mut() {
            Some(stream) => {
                let prefix: String = point
                    .values
                    .iter()
                    .map(|(_, v)| {
                        format!(
                            "{},",
                            tariffsim::output::trials::csv_field(&tariffsim::output::guard_value(
                                v
                            ))
                        )
                    })
                    .collect();
                let mut sink = Prefixed {
                    inner: stream,
                    prefix: prefix.into_bytes(),
                    buf: Vec::new(),
                };
                let format = |buf: &mut Vec<u8>, first: u64, o: &tariffsim::model::Outcomes| {
                    tariffsim::output::trials::rows(buf, &plan, first, o)
                };
                let rows = engine::Rows {
                    format: &format,
                    sink: &mut sink,
                };
                engine::run(&plan, &spec, &progress, Some(rows))
            }
            None => engine::run(&plan, &spec, &progress, None),
        };
        progress.finish();
        let acc = acc.map_err(|e| match e {
            engine::EngineError::Interrupted => {
                Failure::Run(anyhow!("interrupted; no results were written"))
            }
            e => Failure::Run(anyhow!(e).context(format!("running {}", job.path.display()))),
        })?;
        let sensitivity = if o.sensitivity {
            let mut spec2 = RunSpec::new(acc.trials, seed, threads);
            spec2.blocks = 0..engine::n_blocks(acc.trials);
            let sketches: Vec<&tariffsim::stats::Sketch> =
                acc.cells.iter().map(|c| &c.cost_sketch).collect();
            let progress = Progress::new(
                acc.trials,
                &format!("{label} sensitivity"),
                o.quiet,
                cancel_flag(),
            );
            let sens = engine::sensitivity::run(&plan, &spec2, &sketches, &progress);
            progress.finish();
            let sens = sens.map_err(|e| match e {
                engine::EngineError::Interrupted => {
                    Failure::Run(anyhow!("interrupted; no results were written"))
                }
                e => Failure::Run(anyhow!(e)),
            })?;
            Some(summary::sensitivity(&plan, &sens))
        } else {
            None
        };
        results.push(PointResult {
            point,
            scenario_toml: built.document.clone(),
            plan,
            acc,
            sensitivity,
        });
    }
    let wall = started.elapsed().as_secs_f64();
    let done_trials: u64 = results.iter().map(|r| r.acc.trials).sum();
    if let Some(Shard { k, n }) = shard {
        let ids: Vec<(Vec<(String, String)>, String)> = results
            .iter()
            .map(|r| (r.point.values.clone(), r.scenario_toml.clone()))
            .collect();
        let spec = RunSpec::new(trials, seed, threads).shard(k - 1, n);
        let state = ShardState {
            format: shard::FORMAT.into(),
            version: shard::VERSION,
            tariffsim: env!("CARGO_PKG_VERSION").into(),
            scenario_file: job.path.display().to_string(),
            scenario: job.name().to_string(),
            scenario_hash: shard::scenario_hash(&ids),
            seed,
            trials,
            shard: k,
            shards: n,
            blocks: (spec.blocks.start, spec.blocks.end),
            overrides: job.overrides.clone(),
            resolved_scenario: tariffsim::scenario::tree::to_toml(&job.root),
            content_sha256: None,
            points: results
                .into_iter()
                .map(|r| PointState {
                    labels: r.point.values,
                    scenario_toml: r.scenario_toml,
                    acc: r.acc,
                })
                .collect(),
        };
        files.add(&format!("shard-{k}-of-{n}.json"), &state.to_json())?;
        files.commit()?;
        if !o.quiet {
            say!(
                "{}: shard {k}/{n}: {done_trials} trials in {wall:.2} s -> {}",
                job.name(),
                dir.join(format!("shard-{k}-of-{n}.json")).display()
            );
        }
        return Ok(Vec::new());
    }
    if let Some(s) = trial_stream {
        s.finish_into(&mut files)?;
    }
    let provenance = Provenance {
        scenario_file: job.path.display().to_string(),
        scenario: job.name().to_string(),
        seed,
        trials,
        target_se: o.target_se(),
        target_rse: o.target_rse(),
        threads: Some(threads),
        wall_seconds: Some(wall),
        merged_shards: None,
        overrides: job.overrides.clone(),
        sweep: job.sweep_labels(),
        warnings: job.points[0]
            .1
            .warnings
            .iter()
            .map(|w| w.to_string())
            .collect(),
        resolved_scenario: tariffsim::scenario::tree::to_toml(&job.root),
    };
    let cells = write_results(&mut files, &results, &provenance, o.margin)?;
    if o.charts {
        super::report::add_report(&mut files)?;
    }
    files.commit()?;
    if !o.quiet {
        let s = &job.points[0].1.scenario;
        say!(
            "{}: {done_trials} trials x {} regimes x {} routes{} in {wall:.2} s ({:.0} trials/s) -> {}",
            s.name,
            s.regimes.len(),
            s.routes.len(),
            if job.points.len() > 1 { format!(" over {} sweep points", job.points.len()) } else { String::new() },
            done_trials as f64 / wall.max(1e-9),
            dir.display()
        );
    }
    Ok(cells)
}

/// Prefixes every row of trials.csv with the sweep point's values.
struct Prefixed<'a, S: RowSink> {
    inner: &'a mut S,
    prefix: Vec<u8>,
    buf: Vec<u8>,
}

impl<S: RowSink> RowSink for Prefixed<'_, S> {
    fn write_rows(&mut self, rows: &[u8]) -> std::io::Result<()> {
        if self.prefix.is_empty() {
            return self.inner.write_rows(rows);
        }
        self.buf.clear();
        for line in rows.split_inclusive(|&b| b == b'\n') {
            self.buf.extend_from_slice(&self.prefix);
            self.buf.extend_from_slice(line);
        }
        self.inner.write_rows(&self.buf)
    }
}
