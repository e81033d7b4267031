//! The command line: clap definitions, and nothing else. The only module that uses clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Monte Carlo tariff-routing trade simulator: the landed cost per unit of goods shipped
/// to the US, for every tariff regime and route of a scenario.
#[derive(Debug, Parser)]
#[command(name = "tariffsim", version, about, long_about = None, after_help = EXAMPLES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

const EXAMPLES: &str = "\
Examples:
  tariffsim check scenarios/korea-jv.toml
  tariffsim run scenarios/korea-jv.toml
  tariffsim run scenarios/korea-jv.toml --trials 1e6 --seed 7 --out results/jv
  tariffsim run scenarios/korea-jv.toml --sensitivity --margin 5
  tariffsim run scenarios/korea-jv.toml --sweep regimes.campaign-60-stacked.measures.china-60.ad_valorem=0:1
  tariffsim run scenarios/*.toml --quiet          (one folder each, plus a combined summary)

Exit codes: 0 success, 1 run failure (I/O, interrupted), 2 bad scenario or usage.";

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate scenarios and write summary.csv, compare.csv, histogram.csv, manifest.json.
    #[command(after_help = EXAMPLES)]
    Run(RunArgs),
    /// Validate scenarios and print each regime's resolved duty stack per origin.
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Merge shard state files (from `run --shard`) into the outputs of a single run.
    #[command(after_help = MERGE_EXAMPLES)]
    Merge(MergeArgs),
    /// Redraw the charts and report.html of an output folder from its CSV files.
    #[command(after_help = REPORT_EXAMPLES)]
    Report(ReportArgs),
    /// Find the value of a parameter at which two routes cost the same.
    #[command(after_help = BREAKEVEN_EXAMPLES)]
    Breakeven(BreakevenArgs),
    /// The US duty stack in force for an HTS line, origin and date (built-in schedule).
    #[command(after_help = RATES_EXAMPLES)]
    Rates(RatesArgs),
}

const RATES_EXAMPLES: &str = "\
Examples:
  tariffsim rates 8543.70.98 --origin CN --date 2026-12-01
  tariffsim rates 6109.10.00 --origin KR --date 2025-12-15 --claim KORUS
  tariffsim rates 8541.43.00.10 --origin KR --date 2026-12-10 --format json
  tariffsim rates 8302.20.00 --origin KR --date 2025-09-01 --metal-share 0.4 --format csv

Covers 2024-01-01 to 2026-12-31: MFN (general, special by programme, column 2), Section
301 China lists and increases, IEEPA fentanyl and reciprocal (to 2026-02-23), Section 122,
Section 232 (metals, autos and parts, trucks, timber and furniture, semiconductors,
polysilicon), Section 201 solar, forced-labour Section 301, de minimis and CBP fees. Not
covered: AD/CVD orders, UFLPA detentions, exclusions granted to single importers.
Exit codes: 0 success, 2 a line, origin, date or claim the schedule does not know.";

/// Output format of `rates`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RatesFormat {
    /// An aligned table.
    Table,
    /// One row per measure, the total last.
    Csv,
    /// An object with `total_ad_valorem` and `measures`.
    Json,
}

/// Options of `rates`.
#[derive(Debug, Args)]
pub struct RatesArgs {
    /// HTS line (dots optional): 8 or 10 digits.
    #[arg(value_name = "HTS")]
    pub hts: String,
    /// Origin of the goods, ISO 3166-1 alpha-2 (CN, KR, ...).
    #[arg(long, value_name = "CC")]
    pub origin: String,
    /// Entry date, YYYY-MM-DD (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
    /// An agreement claimed: KORUS, USMCA, AUSFTA, CAFTA-DR, ...
    #[arg(long, value_name = "AGREEMENT")]
    pub claim: Option<String>,
    /// Share of the value that is steel, aluminium or copper (for duties on metal content).
    #[arg(long, value_name = "SHARE")]
    pub metal_share: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RatesFormat::Table)]
    pub format: RatesFormat,
}

const CHECK_EXAMPLES: &str = "\
Examples:
  tariffsim check scenarios/korea-jv.toml
  tariffsim check scenarios/korea-jv.toml --set regimes.status-quo-2024.enforcement.detection=0.1";

const MERGE_EXAMPLES: &str = "\
Examples:
  tariffsim run scenarios/korea-jv.toml --shard 1/2 --out shards
  tariffsim run scenarios/korea-jv.toml --shard 2/2 --out shards
  tariffsim merge shards --out merged";

const REPORT_EXAMPLES: &str = "\
Examples:
  tariffsim run scenarios/korea-jv.toml --no-charts --out results/jv
  tariffsim report results/jv";

const BREAKEVEN_EXAMPLES: &str = "\
Examples:
  # At what extra China tariff does the Korea assembly route match direct shipping?
  tariffsim breakeven scenarios/korea-jv.toml --param regimes.campaign-60-stacked.measures.china-60.ad_valorem \\
      --routes direct,korea-assembly --regime campaign-60-stacked --between 0,1.5
  # At what detection rate does relabelling stop paying?
  tariffsim breakeven scenarios/korea-jv.toml --param regimes.status-quo-2024.enforcement.detection \\
      --routes korea-relabel,direct --regime status-quo-2024 --between 0,0.5
  # The China tariff at which the assembly route pays, for each detection rate (a frontier):
  tariffsim breakeven scenarios/korea-jv.toml --param regimes.campaign-60-stacked.measures.china-60.ad_valorem \\
      --routes direct,korea-assembly --regime campaign-60-stacked --between 0,1.5 \\
      --over regimes.status-quo-2024.enforcement.detection=0:0.2:3 --trials 2e4

The search uses the same draws at every value (common random numbers); the interval is
the 95% Monte Carlo confidence interval. Every evaluation is written to breakeven.csv.";

/// Which statistic of the landed cost a break-even equalises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Metric {
    /// Mean landed cost.
    Mean,
    /// Median.
    P50,
    /// 95th percentile.
    P95,
}

/// Options of `breakeven`.
#[derive(Debug, Args)]
pub struct BreakevenArgs {
    /// Scenario file (TOML).
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// The parameter to vary, as a path (e.g. regimes.R.measures.M.ad_valorem).
    #[arg(long, value_name = "PATH")]
    pub param: String,
    /// The two routes to equalise: A,B.
    #[arg(long, value_name = "A,B", value_delimiter = ',', required = true)]
    pub routes: Vec<String>,
    /// The regime (default: the first).
    #[arg(long, value_name = "R")]
    pub regime: Option<String>,
    /// The interval searched: LO,HI (default: 0 to twice the current value, or 0 to 1).
    #[arg(
        long,
        value_name = "LO,HI",
        value_delimiter = ',',
        allow_negative_numbers = true
    )]
    pub between: Option<Vec<f64>>,
    /// A two-parameter frontier: the break-even of --param at every value of a second
    /// parameter, Q=FROM:TO:STEPS (or Q=FROM:TO, 11 steps); writes frontier.csv.
    #[arg(long, value_name = "Q=FROM:TO:STEPS")]
    pub over: Option<String>,
    /// The statistic to equalise.
    #[arg(long, value_enum, default_value_t = Metric::Mean)]
    pub metric: Metric,
    /// Trials per evaluation, e.g. 20000 or 2e4; default: the scenario's `trials`.
    #[arg(long, value_name = "N", value_parser = parse_count)]
    pub trials: Option<u64>,
    /// Seed; default: the scenario's `seed`.
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads; default: all cores.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Folder for breakeven.csv; default: output/<scenario name>/.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Change a value before the search: PATH=VALUE (repeatable).
    #[arg(long, value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Print only the result.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario files (TOML).
    #[arg(required = true, value_name = "SCENARIO")]
    pub scenarios: Vec<PathBuf>,
    /// Trials (shipments) to simulate, e.g. 100000 or 1e6; default: the scenario's `trials`.
    #[arg(long, value_name = "N", value_parser = parse_count)]
    pub trials: Option<u64>,
    /// Seed; default: the scenario's `seed`. Same seed and trials, same bytes.
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads; default: all cores. Never changes results.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Output folder. With one scenario its files go directly here; with several, each
    /// goes to DIR/<scenario name>/. Default: output/<scenario name>/.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also write trials.csv: one row per (trial, regime, route). Large.
    #[arg(long)]
    pub trials_csv: bool,
    /// No progress and no closing line on stderr (warnings and errors still print).
    #[arg(long, short)]
    pub quiet: bool,
    /// Change a value before running: PATH=VALUE (repeatable), e.g.
    /// `--set regimes.campaign-60-stacked.measures.china-60.ad_valorem=0.45`.
    #[arg(long, value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Refuse (exit 2) a run whose memory estimate exceeds this many MiB.
    #[arg(long, value_name = "MIB", default_value_t = 8192)]
    pub max_memory: u64,
    /// Sweep a value: PATH=V1,V2,..., PATH=FROM:TO:POINTS or PATH=FROM:TO (11 points)
    /// (repeatable: a grid).
    #[arg(long, value_name = "PATH=VALUES")]
    pub sweep: Vec<String>,
    /// Do not draw charts (charts/*.svg) and report.html.
    #[arg(long)]
    pub no_charts: bool,
    /// Also write sensitivity.csv: each input's Spearman rank correlation with the landed
    /// cost and its share of variance, per regime and route (a second pass: ~2x time).
    #[arg(long)]
    pub sensitivity: bool,
    /// Run only shard K of N (1-based) of the trial blocks and write a shard state file
    /// (shard-K-of-N.json) instead of results; `tariffsim merge` combines them.
    #[arg(long, value_name = "K/N", conflicts_with_all = ["trials_csv", "target_se", "target_rse", "sensitivity"])]
    pub shard: Option<String>,
    /// Stop at the first checkpoint where every mean's standard error is at most this
    /// (USD per unit), up to --trials; warns (and the manifest says `target_met: false`)
    /// when --trials run out first.
    #[arg(long, value_name = "USD", conflicts_with = "target_rse")]
    pub target_se: Option<f64>,
    /// Stop at the first checkpoint where every mean's relative standard error is at
    /// most this (e.g. 0.001), up to --trials.
    #[arg(long, value_name = "FRACTION")]
    pub target_rse: Option<f64>,
    /// Decision margin for compare.csv's `p_first_cheaper_by_margin`: the share of
    /// trials in which route A is cheaper than B by more than this (USD per unit).
    #[arg(long, value_name = "USD")]
    pub margin: Option<f64>,
}

/// A count written as an integer or in scientific notation (`1e6`, `2.5e5`).
pub fn parse_count(s: &str) -> Result<u64, String> {
    let t = s.trim().replace('_', "");
    if let Ok(n) = t.parse::<u64>() {
        return Ok(n);
    }
    match t.parse::<f64>() {
        Ok(x) if x >= 0.0 && x.fract() == 0.0 && x <= 9.0e15 => Ok(x as u64),
        Ok(_) => Err(format!("`{s}` is not a whole number of trials")),
        Err(_) => Err(format!("`{s}` is not a number (e.g. 100000 or 1e6)")),
    }
}

/// Options of `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// An output folder (with summary.csv; compare.csv, histogram.csv, manifest.json,
    /// sensitivity.csv and breakeven.csv are used when present).
    #[arg(value_name = "OUTPUT_DIR")]
    pub dir: PathBuf,
    /// No closing line on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard files, or folders holding shard-*.json files.
    #[arg(required = true, value_name = "SHARD_FILES_OR_DIRS")]
    pub inputs: Vec<PathBuf>,
    /// Output folder for the merged results.
    #[arg(long, value_name = "DIR", required = true)]
    pub out: PathBuf,
    /// Do not draw charts and report.html.
    #[arg(long)]
    pub no_charts: bool,
    /// No closing line on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario files (TOML).
    #[arg(required = true, value_name = "SCENARIO")]
    pub scenarios: Vec<PathBuf>,
    /// Change a value before checking: PATH=VALUE (repeatable).
    #[arg(long, value_name = "PATH=VALUE")]
    pub set: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}
