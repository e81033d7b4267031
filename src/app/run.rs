//! `tariffsim run`: every scenario, every sweep point, into atomic output files.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{anyhow, Context};
use tariffsim::engine::{self, Precision, RowSink, RunSpec};
use tariffsim::model::Plan;
use tariffsim::output::{self, manifest::Manifest, Point};
use tariffsim::shard::{self, PointState, ShardState};
use tariffsim::summary::{self, Bin, CellSummary, CompareSummary};
use tariffsim::sweep;

use super::load::{self, Job};
use super::outputs::Outputs;
use super::{cancel_flag, threads, Failure};
use crate::cli::RunArgs;
use crate::progress::Progress;

/// Where results of one scenario go.
fn out_dir(args: &RunArgs, name: &str, many: bool) -> PathBuf {
    match (&args.out, many) {
        (Some(d), false) => d.clone(),
        (Some(d), true) => d.join(name),
        (None, _) => PathBuf::from("output").join(name),
    }
}

/// Checks the options that do not depend on a scenario.
fn check_args(args: &RunArgs) -> Result<(), Failure> {
    let bad = |m: &str| Err(Failure::Input(anyhow!("{m}")));
    if args.threads == Some(0) {
        return bad("--threads must be at least 1");
    }
    if args.trials == Some(0) {
        return bad("--trials must be at least 1");
    }
    for (name, v) in [
        ("--target-se", args.target_se),
        ("--target-rse", args.target_rse),
    ] {
        if let Some(v) = v {
            if !(v > 0.0 && v.is_finite()) {
                return bad(&format!("{name} must be a positive number"));
            }
        }
    }
    Ok(())
}

pub fn run(args: RunArgs) -> Result<(), Failure> {
    check_args(&args)?;
    // Validate every scenario (and sweep point) before running any.
    let mut jobs = Vec::new();
    let mut errors = Vec::new();
    for p in &args.scenarios {
        match load::job(p, &args.set, &args.sweep) {
            Ok(j) => jobs.push(j),
            Err(Failure::Input(e)) => errors.push(format!("{e:#}")),
            Err(f) => return Err(f),
        }
    }
    if !errors.is_empty() {
        return Err(Failure::Input(anyhow!(errors.join("\n"))));
    }
    let many = jobs.len() > 1;
    check_names(&args, &jobs, many)?;
    check_memory(&args, &jobs)?;
    // Every folder is locked before anything runs, so a concurrent run fails at once.
    // A batch with --out is one folder (its scenarios are folders inside it).
    let top = match (&args.out, many && args.shard.is_none()) {
        (Some(d), true) => Some(Outputs::open(d)?),
        _ => None,
    };
    let mut job_files = Vec::new();
    for job in &jobs {
        let dir = out_dir(&args, job.name(), many);
        job_files.push(match &top {
            _ if args.shard.is_some() => Outputs::files_in(&dir)?,
            Some(t) => t.inside(job.name())?,
            None => Outputs::open(&dir)?,
        });
    }
    let mut combined: Vec<(String, Vec<(Point, CellSummary)>)> = Vec::new();
    for (job, files) in jobs.iter().zip(job_files) {
        for w in &job.points[0].1.warnings {
            say!("{w}");
        }
        let dir = out_dir(&args, job.name(), many);
        let cells = run_job(&args, job, &dir, files)?;
        combined.push((job.name().to_string(), cells));
    }
    // Shards write state files only; the combined summary comes from merging.
    if many && args.shard.is_none() {
        let dir = args.out.clone().unwrap_or_else(|| PathBuf::from("output"));
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
        if !args.no_charts {
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
fn check_memory(args: &RunArgs, jobs: &[Job]) -> Result<(), Failure> {
    let workers = threads(args.threads) as u64;
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
    if mib > args.max_memory {
        return Err(Failure::Input(anyhow!(
            "this run needs an estimated {mib} MiB of memory (sketches of every regime, \
             route and route pair, per sweep point and per thread), more than --max-memory \
             {} MiB; raise --max-memory if the machine has it, or use fewer routes, sweep \
             points or threads",
            args.max_memory
        )));
    }
    Ok(())
}

/// Files a batch writes beside its scenario folders.
const BATCH_FILES: &[&str] = &["summary.csv", "charts", "report.html"];

/// Refuses, before anything runs, scenario names that cannot be folder names, two
/// scenarios of a batch with one name (one would overwrite the other), and names that
/// collide with the batch's own files.
fn check_names(args: &RunArgs, jobs: &[Job], many: bool) -> Result<(), Failure> {
    let folder_named = many || args.out.is_none();
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

/// Parses `--shard K/N` (1-based K).
pub fn parse_shard(spec: &str) -> Result<(u64, u64), Failure> {
    let bad = || {
        Failure::Input(anyhow!(
            "--shard {spec}: expected K/N with 1 <= K <= N, e.g. --shard 2/4"
        ))
    };
    let (k, n) = spec.split_once('/').ok_or_else(bad)?;
    let (k, n): (u64, u64) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if k == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

/// Runs every point of a job and writes its folder (or, for a shard, its state file).
/// Returns its summary rows.
fn run_job(
    args: &RunArgs,
    job: &Job,
    dir: &Path,
    mut files: Outputs,
) -> Result<Vec<(Point, CellSummary)>, Failure> {
    let first = &job.points[0].1.scenario;
    let trials = args.trials.unwrap_or(first.trials);
    let seed = args.seed.unwrap_or(first.seed);
    let threads = threads(args.threads);
    let shard = args.shard.as_deref().map(parse_shard).transpose()?;
    let stop = (args.target_se.is_some() || args.target_rse.is_some()).then_some(Precision {
        se: args.target_se,
        rse: args.target_rse,
    });
    let mut trial_stream = if args.trials_csv {
        let mut s = files.stream("trials.csv")?;
        let mut header = String::new();
        for (p, _) in &job.points[0].0.labels() {
            header.push_str(&tariffsim::engine::csv_field(&tariffsim::output::guard(p)));
            header.push(',');
        }
        header.push_str(&engine::trial_header());
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
        spec.stop = stop;
        if let Some((k, n)) = shard {
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
            args.quiet,
            cancel_flag(),
        );
        let acc = match trial_stream.as_mut() {
            Some(stream) => {
                let prefix: String = point
                    .values
                    .iter()
                    .map(|(_, v)| {
                        format!("{},", engine::csv_field(&tariffsim::output::guard_value(v)))
                    })
                    .collect();
                let mut sink = Prefixed {
                    inner: stream,
                    prefix: prefix.into_bytes(),
                    buf: Vec::new(),
                };
                engine::run(&plan, &spec, &progress, Some(&mut sink))
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
        let sensitivity = if args.sensitivity {
            let mut spec2 = RunSpec::new(acc.trials, seed, threads);
            spec2.blocks = 0..engine::n_blocks(acc.trials);
            let sketches: Vec<&tariffsim::stats::Sketch> =
                acc.cells.iter().map(|c| &c.cost_sketch).collect();
            let progress = Progress::new(
                acc.trials,
                &format!("{label} sensitivity"),
                args.quiet,
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
    if let Some((k, n)) = shard {
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
        if !args.quiet {
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
        target_se: args.target_se,
        target_rse: args.target_rse,
        threads: Some(threads),
        wall_seconds: Some(wall),
        merged_shards: None,
        overrides: job.overrides.clone(),
        sweep: job
            .sweeps
            .iter()
            .map(|s| {
                (
                    s.path.clone(),
                    s.values.iter().map(|v| sweep::label(&v.value)).collect(),
                )
            })
            .collect(),
        warnings: job.points[0]
            .1
            .warnings
            .iter()
            .map(|w| w.to_string())
            .collect(),
        resolved_scenario: tariffsim::scenario::tree::to_toml(&job.root),
        margin: args.margin.unwrap_or(0.0),
    };
    let cells = write_results(&mut files, &results, &provenance)?;
    if !args.no_charts {
        super::report::add_report(&mut files)?;
    }
    files.commit()?;
    if !args.quiet {
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

/// The accumulators of one sweep point, with what is needed to summarise them.
pub struct PointResult {
    /// The point's swept values.
    pub point: Point,
    /// Its scenario, as resolved TOML.
    pub scenario_toml: String,
    /// Its compiled scenario.
    pub plan: Plan,
    /// Its accumulators.
    pub acc: tariffsim::engine::Acc,
    /// Its sensitivity rows, when asked for.
    pub sensitivity: Option<Vec<summary::SensitivityRow>>,
}

/// What the manifest records besides the results.
pub struct Provenance {
    pub scenario_file: String,
    pub scenario: String,
    pub seed: u64,
    pub trials: u64,
    pub target_se: Option<f64>,
    pub target_rse: Option<f64>,
    pub threads: Option<usize>,
    pub wall_seconds: Option<f64>,
    pub merged_shards: Option<u64>,
    pub overrides: Vec<String>,
    pub sweep: Vec<(String, Vec<String>)>,
    pub warnings: Vec<String>,
    pub resolved_scenario: String,
    /// `--margin` of compare.csv's `p_first_cheaper_by_margin` (0 when not given).
    pub margin: f64,
}

/// Summarises every point and adds summary.csv, compare.csv, histogram.csv and
/// manifest.json to `files`. Shared by `run` and `merge`, so both write the same bytes.
pub fn write_results(
    files: &mut Outputs,
    results: &[PointResult],
    p: &Provenance,
) -> Result<Vec<(Point, CellSummary)>, Failure> {
    let mut cells_out = Vec::new();
    let mut compares_out: Vec<(Point, CompareSummary)> = Vec::new();
    let mut bins_out: Vec<(Point, Bin)> = Vec::new();
    let mut timing_out = Vec::new();
    for r in results {
        timing_out.extend(
            summary::timing(&r.plan, &r.acc)
                .into_iter()
                .map(|t| (r.point.clone(), t)),
        );
        let cells = summary::cells(&r.plan, &r.acc);
        compares_out.extend(
            summary::compares_with_margin(&r.plan, &r.acc, &cells, p.margin)
                .into_iter()
                .map(|c| (r.point.clone(), c)),
        );
        bins_out.extend(
            summary::histograms(&r.plan, &r.acc)
                .into_iter()
                .map(|b| (r.point.clone(), b)),
        );
        cells_out.extend(cells.into_iter().map(|c| (r.point.clone(), c)));
    }
    let rows: Vec<_> = cells_out
        .iter()
        .map(|(pt, c)| (Vec::new(), pt.clone(), c))
        .collect();
    files.add("summary.csv", &output::summary_csv(&[], &rows))?;
    let rows: Vec<_> = compares_out.iter().map(|(pt, c)| (pt.clone(), c)).collect();
    files.add("compare.csv", &output::compare_csv(&rows))?;
    let rows: Vec<_> = bins_out.iter().map(|(pt, b)| (pt.clone(), b)).collect();
    files.add("histogram.csv", &output::histogram_csv(&rows))?;
    let sens: Vec<(Point, &summary::SensitivityRow)> = results
        .iter()
        .flat_map(|r| {
            r.sensitivity
                .iter()
                .flatten()
                .map(move |row| (r.point.clone(), row))
        })
        .collect();
    if results.iter().any(|r| r.sensitivity.is_some()) {
        files.add("sensitivity.csv", &output::sensitivity_csv(&sens))?;
    }
    if !timing_out.is_empty() {
        let rows: Vec<_> = timing_out.iter().map(|(pt, t)| (pt.clone(), t)).collect();
        files.add("timing.csv", &output::timing_csv(&rows))?;
    }
    super::extras::add_extras(files, results, p)?;
    let precision = super::extras::precision(results, p);
    let done: u64 = results.iter().map(|r| r.acc.trials).sum();
    let manifest = Manifest {
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_file: p.scenario_file.clone(),
        scenario: p.scenario.clone(),
        seed: p.seed,
        trials: p.trials,
        trials_used: results.iter().map(|r| r.acc.trials).collect(),
        target_se: p.target_se,
        target_rse: p.target_rse,
        target_met: precision.as_ref().map(|w| w.0),
        worst_cell: precision.map(|w| w.1),
        threads: p.threads,
        wall_seconds: p.wall_seconds,
        trials_per_second: p.wall_seconds.map(|w| done as f64 / w.max(1e-9)),
        merged_shards: p.merged_shards,
        overrides: p.overrides.clone(),
        sweep: p.sweep.clone(),
        warnings: p.warnings.clone(),
        resolved_scenario: p.resolved_scenario.clone(),
    };
    files.add("manifest.json", &manifest.to_json())?;
    Ok(cells_out)
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
