//! `tariffsim run`: every scenario, every sweep point, into atomic output files.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{anyhow, Context};
use tariffsim::engine::{self, Precision, RowSink, RunSpec};
use tariffsim::model::Plan;
use tariffsim::output::{self, manifest::Manifest, Point};
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
    let mut combined: Vec<(String, Vec<(Point, CellSummary)>)> = Vec::new();
    for job in &jobs {
        for w in &job.points[0].1.warnings {
            eprintln!("{w}");
        }
        let dir = out_dir(&args, job.name(), many);
        let cells = run_job(&args, job, &dir)?;
        combined.push((job.name().to_string(), cells));
    }
    if many {
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
        let mut files = Outputs::open(&dir)?;
        files.add("summary.csv", &output::summary_csv(&["scenario"], &rows))?;
        files.commit()?;
    }
    Ok(())
}

/// Runs every point of a job and writes its folder. Returns its summary rows.
fn run_job(args: &RunArgs, job: &Job, dir: &Path) -> Result<Vec<(Point, CellSummary)>, Failure> {
    let first = &job.points[0].1.scenario;
    let trials = args.trials.unwrap_or(first.trials);
    let seed = args.seed.unwrap_or(first.seed);
    let threads = threads(args.threads);
    let stop = (args.target_se.is_some() || args.target_rse.is_some()).then_some(Precision {
        se: args.target_se,
        rse: args.target_rse,
    });
    let mut files = Outputs::open(dir)?;
    let mut trial_stream = if args.trials_csv {
        let mut s = files.stream("trials.csv")?;
        let mut header = String::new();
        for (p, _) in &job.points[0].0.labels() {
            header.push_str(&tariffsim::engine::csv_field(p));
            header.push(',');
        }
        header.push_str(&engine::trial_header());
        s.write_rows(header.as_bytes())
            .context("writing trials.csv")?;
        Some(s)
    } else {
        None
    };
    let mut cells_out = Vec::new();
    let mut compares_out: Vec<(Point, CompareSummary)> = Vec::new();
    let mut bins_out: Vec<(Point, Bin)> = Vec::new();
    let mut trials_used = Vec::new();
    let started = Instant::now();
    let mut done_trials = 0u64;
    for (gp, built) in &job.points {
        let plan = Plan::new(built.scenario.clone()).map_err(|e| Failure::Input(anyhow!(e)))?;
        let mut spec = RunSpec::new(trials, seed, threads);
        spec.stop = stop;
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
        let progress = Progress::new(trials, &label, args.quiet, cancel_flag());
        let acc = match trial_stream.as_mut() {
            Some(stream) => {
                let prefix: String = point
                    .values
                    .iter()
                    .map(|(_, v)| format!("{},", engine::csv_field(v)))
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
        done_trials += acc.trials;
        trials_used.push(acc.trials);
        let cells = summary::cells(&plan, &acc);
        compares_out.extend(
            summary::compares(&plan, &acc, &cells)
                .into_iter()
                .map(|c| (point.clone(), c)),
        );
        bins_out.extend(
            summary::histograms(&plan, &acc)
                .into_iter()
                .map(|b| (point.clone(), b)),
        );
        cells_out.extend(cells.into_iter().map(|c| (point.clone(), c)));
    }
    let wall = started.elapsed().as_secs_f64();
    if let Some(s) = trial_stream {
        s.finish_into(&mut files)?;
    }
    let rows: Vec<_> = cells_out
        .iter()
        .map(|(p, c)| (Vec::new(), p.clone(), c))
        .collect();
    files.add("summary.csv", &output::summary_csv(&[], &rows))?;
    let rows: Vec<_> = compares_out.iter().map(|(p, c)| (p.clone(), c)).collect();
    files.add("compare.csv", &output::compare_csv(&rows))?;
    let rows: Vec<_> = bins_out.iter().map(|(p, b)| (p.clone(), b)).collect();
    files.add("histogram.csv", &output::histogram_csv(&rows))?;
    let manifest = Manifest {
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_file: job.path.display().to_string(),
        scenario: job.name().to_string(),
        seed,
        trials,
        trials_used,
        target_se: args.target_se,
        target_rse: args.target_rse,
        threads,
        wall_seconds: wall,
        trials_per_second: done_trials as f64 / wall.max(1e-9),
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
    };
    files.add("manifest.json", &manifest.to_json())?;
    files.commit()?;
    if !args.quiet {
        let s = &job.points[0].1.scenario;
        eprintln!(
            "{}: {done_trials} trials x {} regimes x {} routes{} in {wall:.2} s ({:.0} trials/s) -> {}",
            s.name,
            s.regimes.len(),
            s.routes.len(),
            if job.points.len() > 1 { format!(" over {} sweep points", job.points.len()) } else { String::new() },
            done_trials as f64 / wall.max(1e-9),
            dir.display()
        );
    }
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
