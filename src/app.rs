//! Orchestration: load → open outputs → run → summarise → write. Errors get their
//! context here, and their exit code: 2 for a bad scenario or usage, 1 for a failed run.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{anyhow, Context, Result};
use tariffsim::engine::{self, RowSink, RunSpec};
use tariffsim::model::Plan;
use tariffsim::output::{self, manifest::Manifest, Point};
use tariffsim::scenario::{self, Built, ScenarioError};
use tariffsim::summary;

use crate::cli::{CheckArgs, Cli, Command, RunArgs};
use crate::progress::Progress;

/// A failure and the exit code it deserves.
enum Failure {
    /// Bad scenario or usage: exit 2.
    Input(anyhow::Error),
    /// The run failed: exit 1.
    Run(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Run(e)
    }
}

/// Runs the command; returns the process exit code.
pub fn main(cli: Cli) -> i32 {
    let result = match cli.command {
        Command::Run(args) => run(args),
        Command::Check(args) => check(args),
    };
    match result {
        Ok(()) => 0,
        Err(Failure::Input(e)) => {
            eprintln!("{e:#}");
            2
        }
        Err(Failure::Run(e)) => {
            eprintln!("Error: {e:#}");
            1
        }
    }
}

/// A scenario read from disk and validated.
struct Loaded {
    path: PathBuf,
    built: Built,
    resolved: String,
}

fn load(path: &Path) -> Result<Loaded, Failure> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read scenario {}", path.display()))
        .map_err(Failure::Input)?;
    let file = path.display().to_string();
    let mut d = scenario::diag::Diagnostics::default();
    let root = scenario::tree::parse(&file, &text, &mut d);
    let built = if d.has_errors() {
        Err(ScenarioError {
            errors: d.errors(),
            warnings: d.warnings(),
        })
    } else {
        scenario::build::build(&root, &file)
    };
    let built = built.map_err(|e| Failure::Input(anyhow!(e)))?;
    Ok(Loaded {
        path: path.to_path_buf(),
        built,
        resolved: scenario::tree::to_toml(&root),
    })
}

fn print_warnings(l: &Loaded) {
    for w in &l.built.warnings {
        eprintln!("{w}");
    }
}

fn check(args: CheckArgs) -> Result<(), Failure> {
    let mut failed = None;
    let mut out = String::new();
    for path in &args.scenarios {
        match load(path) {
            Ok(l) => {
                print_warnings(&l);
                let plan =
                    Plan::new(l.built.scenario.clone()).map_err(|e| Failure::Input(anyhow!(e)))?;
                describe(&mut out, &l, &plan);
            }
            Err(e) => {
                if let Some(Failure::Input(prev)) = failed.replace(e) {
                    eprintln!("{prev:#}");
                }
            }
        }
    }
    print_stdout(&out);
    match failed {
        Some(f) => Err(f),
        None => Ok(()),
    }
}

/// Prints to stdout; a closed pipe (`| head`) is not an error.
fn print_stdout(s: &str) {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(s.as_bytes());
    let _ = o.flush();
}

fn pct(x: f64) -> String {
    let p = (x * 1e6).round() / 1e4;
    format!("{p}%")
}

/// The `check` report: each regime's duty stack for every origin that appears.
fn describe(out: &mut String, l: &Loaded, plan: &Plan) {
    let s = &l.built.scenario;
    let _ = writeln!(
        out,
        "{}: OK: {} routes, {} regimes, {} warnings",
        l.path.display(),
        s.routes.len(),
        s.regimes.len(),
        l.built.warnings.len()
    );
    let mut origins: Vec<&str> = Vec::new();
    for r in &s.routes {
        for o in [r.true_origin(), r.filed_origin()] {
            if !origins.contains(&o) {
                origins.push(o);
            }
        }
    }
    for (g, regime) in s.regimes.iter().enumerate() {
        let _ = writeln!(out, "  regime `{}`", regime.name);
        for o in &origins {
            let mut claims: Vec<(String, u64)> = vec![("no preference".into(), 0)];
            for (i, a) in regime.agreements.iter().enumerate() {
                if a.origins.iter().any(|x| x == o) {
                    claims.push((format!("claiming {}", a.name), 1u64 << i));
                }
            }
            for (label, mask) in claims {
                let (names, rate, per_unit) = plan.duty_stack(g, o, mask);
                let list = if names.is_empty() {
                    "no measures".to_string()
                } else {
                    names.join(" + ")
                };
                let specific = if per_unit > 0.0 {
                    format!(" + {per_unit} USD/unit")
                } else {
                    String::new()
                };
                let _ = writeln!(
                    out,
                    "    origin {o} ({label}): {list} = {} ad valorem{specific}",
                    pct(rate)
                );
            }
        }
    }
}

/// Where results of one scenario go.
fn out_dir(args: &RunArgs, name: &str, many: bool) -> PathBuf {
    match (&args.out, many) {
        (Some(d), false) => d.clone(),
        (Some(d), true) => d.join(name),
        (None, _) => PathBuf::from("output").join(name),
    }
}

fn run(args: RunArgs) -> Result<(), Failure> {
    if args.threads == Some(0) {
        return Err(Failure::Input(anyhow!("--threads must be at least 1")));
    }
    if args.trials == Some(0) {
        return Err(Failure::Input(anyhow!("--trials must be at least 1")));
    }
    // Validate every scenario before running any, so a typo in the last file fails fast.
    let mut loaded = Vec::new();
    let mut errors = Vec::new();
    for p in &args.scenarios {
        match load(p) {
            Ok(l) => loaded.push(l),
            Err(Failure::Input(e)) => errors.push(format!("{e:#}")),
            Err(f) => return Err(f),
        }
    }
    if !errors.is_empty() {
        return Err(Failure::Input(anyhow!(errors.join("\n"))));
    }
    let cancel = Arc::new(AtomicBool::new(false));
    {
        let c = cancel.clone();
        let _ = ctrlc::set_handler(move || c.store(true, Ordering::Relaxed));
    }
    let many = loaded.len() > 1;
    let mut combined: Vec<(String, Vec<summary::CellSummary>)> = Vec::new();
    for l in &loaded {
        print_warnings(l);
        let dir = out_dir(&args, &l.built.scenario.name, many);
        let cells = run_one(&args, l, &dir, &cancel)?;
        combined.push((l.built.scenario.name.clone(), cells));
    }
    if many {
        let dir = args.out.clone().unwrap_or_else(|| PathBuf::from("output"));
        let rows: Vec<(Vec<String>, Point, &summary::CellSummary)> = combined
            .iter()
            .flat_map(|(name, cells)| {
                cells
                    .iter()
                    .map(move |c| (vec![name.clone()], Point::default(), c))
            })
            .collect();
        let bytes = output::summary_csv(&["scenario"], &rows);
        let mut files = Outputs::open(&dir)?;
        files.add("summary.csv", bytes)?;
        files.commit()?;
    }
    Ok(())
}

fn run_one(
    args: &RunArgs,
    l: &Loaded,
    dir: &Path,
    cancel: &AtomicBool,
) -> Result<Vec<summary::CellSummary>, Failure> {
    let s = &l.built.scenario;
    let trials = args.trials.unwrap_or(s.trials);
    let seed = args.seed.unwrap_or(s.seed);
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let plan = Plan::new(s.clone()).map_err(|e| Failure::Input(anyhow!(e)))?;
    // Open the output folder before the long part, so a bad path fails in a second.
    let mut files = Outputs::open(dir)?;
    let spec = RunSpec::new(trials, seed, threads);
    let progress = Progress::new(trials, &s.name, args.quiet, cancel);
    let started = Instant::now();
    let acc = if args.trials_csv {
        let mut sink = files.stream("trials.csv")?;
        sink.write_rows(engine::trial_header().as_bytes())
            .context("writing trials.csv")?;
        let acc = engine::run(&plan, &spec, &progress, Some(&mut sink));
        sink.finish_into(&mut files)?;
        acc
    } else {
        engine::run(&plan, &spec, &progress, None)
    };
    progress.finish();
    let acc = acc.map_err(|e| match e {
        engine::EngineError::Interrupted => {
            Failure::Run(anyhow!("interrupted; no results were written"))
        }
        e => Failure::Run(anyhow!(e).context(format!("running {}", l.path.display()))),
    })?;
    let wall = started.elapsed().as_secs_f64();
    let cells = summary::cells(&plan, &acc);
    let compares = summary::compares(&plan, &acc, &cells);
    let bins = summary::histograms(&plan, &acc);
    let p = Point::default();
    let rows: Vec<_> = cells.iter().map(|c| (Vec::new(), p.clone(), c)).collect();
    files.add("summary.csv", output::summary_csv(&[], &rows))?;
    let rows: Vec<_> = compares.iter().map(|c| (p.clone(), c)).collect();
    files.add("compare.csv", output::compare_csv(&rows))?;
    let rows: Vec<_> = bins.iter().map(|b| (p.clone(), b)).collect();
    files.add("histogram.csv", output::histogram_csv(&rows))?;
    let manifest = Manifest {
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_file: l.path.display().to_string(),
        scenario: s.name.clone(),
        seed,
        trials,
        threads,
        wall_seconds: wall,
        trials_per_second: trials as f64 / wall.max(1e-9),
        overrides: Vec::new(),
        sweep: Vec::new(),
        warnings: l.built.warnings.iter().map(|w| w.to_string()).collect(),
        resolved_scenario: l.resolved.clone(),
    };
    files.add("manifest.json", manifest.to_json())?;
    files.commit()?;
    if !args.quiet {
        eprintln!(
            "{}: {trials} trials x {} regimes x {} routes in {wall:.2} s ({:.0} trials/s) -> {}",
            s.name,
            s.regimes.len(),
            s.routes.len(),
            trials as f64 / wall.max(1e-9),
            dir.display()
        );
    }
    Ok(cells)
}

/// Output files of one folder, written to temporary files and renamed into place only
/// when all of them are complete: an error or Ctrl-C leaves no partial file behind.
struct Outputs {
    dir: PathBuf,
    pending: Vec<(tempfile::NamedTempFile, &'static str)>,
}

/// A temporary file that rows are streamed into (trials.csv).
struct Stream {
    file: std::io::BufWriter<tempfile::NamedTempFile>,
    name: &'static str,
}

impl RowSink for Stream {
    fn write_rows(&mut self, rows: &[u8]) -> std::io::Result<()> {
        use std::io::Write;
        self.file.write_all(rows)
    }
}

impl Stream {
    fn finish_into(self, outputs: &mut Outputs) -> Result<(), Failure> {
        let name = self.name;
        let file = self
            .file
            .into_inner()
            .map_err(|e| anyhow!("writing {name}: {}", e.error()))?;
        outputs.pending.push((file, name));
        Ok(())
    }
}

impl Outputs {
    fn open(dir: &Path) -> Result<Outputs, Failure> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create output folder {}", dir.display()))?;
        // Probe that the folder is writable now rather than after the run.
        tempfile::NamedTempFile::new_in(dir)
            .with_context(|| format!("cannot write in output folder {}", dir.display()))?;
        Ok(Outputs {
            dir: dir.to_path_buf(),
            pending: Vec::new(),
        })
    }

    fn temp(&self, name: &str) -> Result<tempfile::NamedTempFile, Failure> {
        Ok(tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .tempfile_in(&self.dir)
            .with_context(|| format!("cannot create a file in {}", self.dir.display()))?)
    }

    fn add(&mut self, name: &'static str, bytes: Vec<u8>) -> Result<(), Failure> {
        use std::io::Write;
        let mut f = self.temp(name)?;
        f.write_all(&bytes)
            .and_then(|_| f.flush())
            .with_context(|| format!("writing {}", self.dir.join(name).display()))?;
        self.pending.push((f, name));
        Ok(())
    }

    fn stream(&mut self, name: &'static str) -> Result<Stream, Failure> {
        Ok(Stream {
            file: std::io::BufWriter::with_capacity(1 << 20, self.temp(name)?),
            name,
        })
    }

    fn commit(self) -> Result<(), Failure> {
        for (f, name) in self.pending {
            let target = self.dir.join(name);
            f.persist(&target)
                .map_err(|e| anyhow!("cannot write {}: {}", target.display(), e.error))?;
        }
        Ok(())
    }
}
