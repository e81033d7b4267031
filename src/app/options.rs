//! Options resolved once (as ripgrep's LowArgs → HiArgs): the command line as clap parsed
//! it (`crate::cli`, the low level) becomes one typed options value per command, checked,
//! with its defaults applied and its conflicts refused. The commands read only these
//! values, never the command line, so an option is interpreted in one place.
//!
//! What is resolved here is what does not depend on a scenario: counts that must be
//! positive, `--shard K/N`, `--target-se`/`--target-rse`, `--routes A,B`, `--between`,
//! `--over`, `--date`, `--metal-share`. What depends on the scenario (a route or regime
//! name, `--set` and `--sweep` paths, the default `--trials` and `--seed`, the default
//! search interval) is checked by the command once the scenario is loaded.
//!
//! What a bad value prints stays as it was. A refusal that always came after the scenario
//! loaded (and printed its warnings, or `breakeven` its note) is a [`Parsed`] value: parsed
//! here, raised by the command at that same point. The thread count is checked here (at
//! least 1) but capped against the cores when the run starts, so its warning prints where
//! it always has.

use std::path::PathBuf;

use anyhow::anyhow;
use tariffsim::breakeven::Metric;
use tariffsim::engine::Precision;
use tariffsim::schedule::Date;

use super::Failure;
use crate::cli::{self, Cli};

/// An option value parsed once, here, or the message refusing it, which the command raises
/// at the point it always did (see the module header).
pub type Parsed<T> = Result<T, String>;

/// A command with its resolved options: what [`super::dispatch`] runs.
pub enum Command {
    /// `tariffsim run`.
    Run(RunOptions),
    /// `tariffsim check`.
    Check(CheckOptions),
    /// `tariffsim merge`.
    Merge(MergeOptions),
    /// `tariffsim report`.
    Report(ReportOptions),
    /// `tariffsim breakeven`.
    Breakeven(BreakevenOptions),
    /// `tariffsim rates`.
    Rates(RatesOptions),
}

/// Shard `k` of `n` of a run's blocks, 1-based (`--shard K/N`, `1 <= k <= n`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard, 1-based.
    pub k: u64,
    /// How many shards.
    pub n: u64,
}

/// The options of `run`, resolved.
pub struct RunOptions {
    /// Scenario files, at least one.
    pub scenarios: Vec<PathBuf>,
    /// Trials per run (at least 1); `None`: the scenario's `trials`.
    pub trials: Option<u64>,
    /// Seed; `None`: the scenario's `seed`.
    pub seed: Option<u64>,
    /// Worker threads asked for (at least 1); `None`: every core. Capped by
    /// [`super::threads`] when the run starts.
    pub threads: Option<usize>,
    /// `--out`: the folder (one scenario) or the batch folder (several).
    pub out: Option<PathBuf>,
    /// Also write trials.csv.
    pub trials_csv: bool,
    /// No progress and no closing line.
    pub quiet: bool,
    /// `--set PATH=VALUE`, in order (checked against each scenario when it loads).
    pub set: Vec<String>,
    /// `--sweep PATH=VALUES`, in order (checked against each scenario when it loads).
    pub sweep: Vec<String>,
    /// The memory estimate refused beyond this, MiB.
    pub max_memory_mib: u64,
    /// Draw charts and report.html.
    pub charts: bool,
    /// The sensitivity pass (sensitivity.csv).
    pub sensitivity: bool,
    /// `--shard`: run only this shard and write its state file instead of results.
    /// Refused (if bad) when the first scenario starts, after the folders are ready.
    pub shard: Option<Parsed<Shard>>,
    /// Stop early at this precision (`--target-se`, `--target-rse`; each positive).
    pub stop: Option<Precision>,
    /// compare.csv's decision margin, USD per unit (0 when not given).
    pub margin: f64,
}

impl RunOptions {
    /// Where the results of scenario `name` go; `many` when the run has several scenarios.
    pub fn folder(&self, name: &str, many: bool) -> PathBuf {
        match (&self.out, many) {
            (Some(d), false) => d.clone(),
            (Some(d), true) => d.join(name),
            (None, _) => PathBuf::from("output").join(name),
        }
    }

    /// The batch folder of a run of several scenarios (its combined summary.csv).
    pub fn batch_folder(&self) -> PathBuf {
        self.out.clone().unwrap_or_else(|| PathBuf::from("output"))
    }

    /// `--target-se`, if given (for the manifest).
    pub fn target_se(&self) -> Option<f64> {
        self.stop.and_then(|p| p.se)
    }

    /// `--target-rse`, if given (for the manifest).
    pub fn target_rse(&self) -> Option<f64> {
        self.stop.and_then(|p| p.rse)
    }
}

/// The options of `check`.
pub struct CheckOptions {
    /// Scenario files, at least one.
    pub scenarios: Vec<PathBuf>,
    /// `--set PATH=VALUE`, in order.
    pub set: Vec<String>,
}

/// The options of `merge`.
pub struct MergeOptions {
    /// Shard files, or folders holding `shard-*.json` files.
    pub inputs: Vec<PathBuf>,
    /// The folder of the merged results.
    pub out: PathBuf,
    /// Draw charts and report.html.
    pub charts: bool,
    /// No closing line.
    pub quiet: bool,
}

/// The options of `report`.
pub struct ReportOptions {
    /// The output folder to redraw.
    pub dir: PathBuf,
    /// No closing line.
    pub quiet: bool,
}

/// The options of `breakeven`.
pub struct BreakevenOptions {
    /// Scenario file.
    pub scenario: PathBuf,
    /// The parameter varied, as a path.
    pub param: String,
    /// The two routes equalised, A and B (looked up in the scenario when it loads; a
    /// count other than two is refused once the scenario has loaded).
    pub routes: Parsed<[String; 2]>,
    /// The regime; `None`: the scenario's first.
    pub regime: Option<String>,
    /// The interval searched, `(LO, HI)` as given; `None`: from the parameter's value.
    /// (Refused, if not two numbers, after the regime is chosen; `LO < HI` is checked
    /// once the interval is known.)
    pub between: Option<Parsed<(f64, f64)>>,
    /// `--over`: the second parameter's path and its values (a frontier); refused, if
    /// bad, after the interval is known.
    pub over: Option<Parsed<(String, Vec<f64>)>>,
    /// The statistic equalised.
    pub metric: Metric,
    /// Trials per evaluation; `None`: the scenario's `trials`.
    pub trials: Option<u64>,
    /// Seed; `None`: the scenario's `seed`.
    pub seed: Option<u64>,
    /// Worker threads asked for; `None`: every core (capped by [`super::threads`]).
    pub threads: Option<usize>,
    /// The folder of breakeven.csv; `None`: output/<scenario name>/.
    pub out: Option<PathBuf>,
    /// `--set PATH=VALUE`, in order.
    pub set: Vec<String>,
    /// Print only the result.
    pub quiet: bool,
}

/// How `rates` prints the stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RatesFormat {
    /// An aligned table.
    Table,
    /// CSV, one row per measure.
    Csv,
    /// A JSON object.
    Json,
}

/// The options of `rates`.
pub struct RatesOptions {
    /// The HTS line as given.
    pub hts: String,
    /// The origin as given.
    pub origin: String,
    /// The entry date (`--date`, or today).
    pub date: Date,
    /// The agreement claimed.
    pub claim: Option<String>,
    /// The metal share, in [0, 1].
    pub metal_share: Option<f64>,
    /// The output format.
    pub format: RatesFormat,
}

/// A usage error (exit 2).
pub fn bad(m: impl std::fmt::Display) -> Failure {
    Failure::Input(anyhow!("{m}"))
}

/// `TARIFFSIM_SIMD=portable|avx2|avx512` caps the vector instructions the draws use
/// (every level gives the same bytes; this is for timing, and for the test that checks
/// it). A value that names no level is a usage error rather than silently ignored.
fn simd_cap() -> Result<(), Failure> {
    let Some(v) = std::env::var_os("TARIFFSIM_SIMD") else {
        return Ok(());
    };
    let names = tariffsim::cpu::Level::ALL.map(|l| l.name()).join(", ");
    let level = v
        .to_str()
        .and_then(tariffsim::cpu::Level::from_name)
        .ok_or_else(|| {
            bad(format!(
                "TARIFFSIM_SIMD: expected one of {names}, got {v:?}"
            ))
        })?;
    tariffsim::cpu::limit(level);
    Ok(())
}

/// Resolves the command line into a command and its options, refusing bad options with
/// exit 2.
pub fn resolve(cli: Cli) -> Result<Command, Failure> {
    simd_cap()?;
    Ok(match cli.command {
        cli::Command::Run(a) => Command::Run(run(a)?),
        cli::Command::Check(a) => Command::Check(CheckOptions {
            scenarios: a.scenarios,
            set: a.set,
        }),
        cli::Command::Merge(a) => Command::Merge(MergeOptions {
            inputs: a.inputs,
            out: a.out,
            charts: !a.no_charts,
            quiet: a.quiet,
        }),
        cli::Command::Report(a) => Command::Report(ReportOptions {
            dir: a.dir,
            quiet: a.quiet,
        }),
        cli::Command::Breakeven(a) => Command::Breakeven(breakeven(a)?),
        cli::Command::Rates(a) => Command::Rates(rates(a)?),
    })
}

/// `run`'s options. (clap already refuses `--shard` with `--trials-csv`, `--target-se`,
/// `--target-rse` or `--sensitivity`, and `--target-se` with `--target-rse`.)
fn run(a: cli::RunArgs) -> Result<RunOptions, Failure> {
    if a.threads == Some(0) {
        return Err(bad("--threads must be at least 1"));
    }
    if a.trials == Some(0) {
        return Err(bad("--trials must be at least 1"));
    }
    for (name, v) in [("--target-se", a.target_se), ("--target-rse", a.target_rse)] {
        if let Some(v) = v {
            if !(v > 0.0 && v.is_finite()) {
                return Err(bad(format!("{name} must be a positive number")));
            }
        }
    }
    let shard = a.shard.as_deref().map(parse_shard);
    let stop = (a.target_se.is_some() || a.target_rse.is_some()).then_some(Precision {
        se: a.target_se,
        rse: a.target_rse,
    });
    Ok(RunOptions {
        scenarios: a.scenarios,
        trials: a.trials,
        seed: a.seed,
        threads: a.threads,
        out: a.out,
        trials_csv: a.trials_csv,
        quiet: a.quiet,
        set: a.set,
        sweep: a.sweep,
        max_memory_mib: a.max_memory,
        charts: !a.no_charts,
        sensitivity: a.sensitivity,
        shard,
        stop,
        margin: a.margin.unwrap_or(0.0),
    })
}

/// Parses `--shard K/N` (1-based K).
fn parse_shard(spec: &str) -> Parsed<Shard> {
    let refuse = || format!("--shard {spec}: expected K/N with 1 <= K <= N, e.g. --shard 2/4");
    let (k, n) = spec.split_once('/').ok_or_else(refuse)?;
    let (k, n): (u64, u64) = (
        k.trim().parse().map_err(|_| refuse())?,
        n.trim().parse().map_err(|_| refuse())?,
    );
    if k == 0 || k > n {
        return Err(refuse());
    }
    Ok(Shard { k, n })
}

/// `breakeven`'s options.
fn breakeven(a: cli::BreakevenArgs) -> Result<BreakevenOptions, Failure> {
    let routes = <[String; 2]>::try_from(a.routes).map_err(|r| {
        format!(
            "--routes takes two route names, e.g. --routes direct,korea-jv (got {})",
            r.len()
        )
    });
    let between = a.between.as_deref().map(|b| match b {
        &[lo, hi] => Ok((lo, hi)),
        _ => Err("--between takes two numbers: LO,HI".to_string()),
    });
    let over = a.over.as_deref().map(parse_over);
    Ok(BreakevenOptions {
        scenario: a.scenario,
        param: a.param,
        routes,
        regime: a.regime,
        between,
        over,
        metric: match a.metric {
            cli::Metric::Mean => Metric::Mean,
            cli::Metric::P50 => Metric::P50,
            cli::Metric::P95 => Metric::P95,
        },
        trials: a.trials,
        seed: a.seed,
        threads: a.threads,
        out: a.out,
        set: a.set,
        quiet: a.quiet,
    })
}

/// Parses `--over Q=FROM:TO:STEPS` into the path and its numeric values.
fn parse_over(spec: &str) -> Parsed<(String, Vec<f64>)> {
    let refuse = |m: String| format!("--over {spec}: {m}");
    if !spec.contains(':') {
        return Err(refuse(
            "expected Q=FROM:TO:STEPS, e.g. --over regimes.R.enforcement.detection=0:0.5:6".into(),
        ));
    }
    let sw = tariffsim::sweep::parse_cli(spec).map_err(|e| refuse(e.to_string()))?;
    let values = sw
        .values
        .iter()
        .map(|n| match n.value {
            tariffsim::scenario::tree::Value::Float(f) => Ok(f),
            tariffsim::scenario::tree::Value::Int(i) => Ok(i as f64),
            _ => Err(refuse("values must be numbers".into())),
        })
        .collect::<Parsed<Vec<f64>>>()?;
    Ok((sw.path, values))
}

/// Today's date (UTC), for `rates` without `--date`.
fn today() -> Option<Date> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    Date::from_unix_seconds(now.ok()?.as_secs())
}

/// `rates`' options.
fn rates(a: cli::RatesArgs) -> Result<RatesOptions, Failure> {
    let date = match &a.date {
        Some(d) => Date::parse(d)
            .ok_or_else(|| bad(format!("--date: `{d}` is not a date: expected YYYY-MM-DD")))?,
        None => today().ok_or_else(|| bad("cannot read today's date: give --date"))?,
    };
    if let Some(m) = a.metal_share {
        if !(0.0..=1.0).contains(&m) {
            return Err(bad(format!("--metal-share must lie in [0, 1], found {m}")));
        }
    }
    Ok(RatesOptions {
        hts: a.hts,
        origin: a.origin,
        date,
        claim: a.claim,
        metal_share: a.metal_share,
        format: match a.format {
            cli::RatesFormat::Table => RatesFormat::Table,
            cli::RatesFormat::Csv => RatesFormat::Csv,
            cli::RatesFormat::Json => RatesFormat::Json,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_specs() {
        assert_eq!(parse_shard("2/4"), Ok(Shard { k: 2, n: 4 }));
        assert_eq!(parse_shard(" 1 / 1 "), Ok(Shard { k: 1, n: 1 }));
        for s in ["0/2", "3/2", "2", "a/b", "1/"] {
            assert_eq!(
                parse_shard(s),
                Err(format!(
                    "--shard {s}: expected K/N with 1 <= K <= N, e.g. --shard 2/4"
                ))
            );
        }
    }
}
