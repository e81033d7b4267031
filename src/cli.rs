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
  tariffsim run scenarios/korea-jv.toml --trials 1000000 --seed 7 --out results/jv
  tariffsim run scenarios/*.toml --quiet          (one folder each, plus a combined summary)

Exit codes: 0 success, 1 run failure (I/O, interrupted), 2 bad scenario or usage.";

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate scenarios and write summary.csv, compare.csv, histogram.csv, manifest.json.
    #[command(after_help = EXAMPLES)]
    Run(RunArgs),
    /// Validate scenarios and print each regime's resolved duty stack per origin.
    Check(CheckArgs),
}

/// Options of `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario files (TOML).
    #[arg(required = true, value_name = "SCENARIO")]
    pub scenarios: Vec<PathBuf>,
    /// Trials (shipments) to simulate; default: the scenario's `trials`.
    #[arg(long, value_name = "N")]
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
}

/// Options of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario files (TOML).
    #[arg(required = true, value_name = "SCENARIO")]
    pub scenarios: Vec<PathBuf>,
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
