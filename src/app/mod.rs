//! Orchestration: load → open outputs → run → summarise → write. Errors get their
//! context here, and their exit code: 2 for a bad scenario or usage, 1 for a failed run.

mod be_out;
mod breakeven;
mod check;
mod extras;
mod load;
mod merge;
mod outputs;
mod report;
mod run;

use crate::cli::{Cli, Command};

/// A failure and the exit code it deserves.
pub enum Failure {
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
        Command::Run(args) => run::run(args),
        Command::Check(args) => check::check(args),
        Command::Breakeven(args) => breakeven::breakeven(args),
        Command::Merge(args) => merge::merge(args),
        Command::Report(args) => report::report(args),
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

/// Prints to stdout; a closed pipe (`| head`) is not an error.
pub fn print_stdout(s: &str) {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(s.as_bytes());
    let _ = o.flush();
}

/// Threads to use: as asked, else every core.
pub fn threads(asked: Option<usize>) -> usize {
    asked.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Installs the Ctrl-C handler once; returns the flag it sets.
pub fn cancel_flag() -> &'static std::sync::atomic::AtomicBool {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::OnceLock;
    static FLAG: AtomicBool = AtomicBool::new(false);
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let _ = ctrlc::set_handler(|| FLAG.store(true, Ordering::Relaxed));
    });
    &FLAG
}
