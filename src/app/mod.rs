//! The binary's commands: load (the library's `job`) → open outputs → run (the engine)
//! → summarise and format (the library's `summary` and `output`) → write the files
//! atomically. Errors get their context here, and their exit code: 2 for a bad scenario
//! or usage, 1 for a failed run.
//!
//! `main.rs` parses the command line (`crate::cli`), [`options::resolve`]s it into one
//! options value per command, [`dispatch`]es it and exits with [`exit_code`]. The commands
//! read their options only, never the command line.
//!
//! Owns everything that touches the process: files and folders (`outputs`, `folder`),
//! stderr and stdout, signals, progress bars, the thread count. Must not compute a
//! statistic or format an output file itself: the Python package must get the same
//! bytes through the library.

/// Like `eprintln!`, but a full or closed stderr is neither an error nor a panic: the
/// results are what matter (a Slurm job must not fail for a good shard).
macro_rules! say {
    ($($t:tt)*) => { $crate::app::say_fmt(format_args!($($t)*)) };
}

mod be_out;
mod breakeven;
mod check;
mod fault;
mod folder;
mod load;
mod merge;
pub mod options;
mod outputs;
mod rates;
mod report;
mod results;
mod run;

use options::Command;

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

/// Runs a command with its resolved options.
pub fn dispatch(command: Command) -> Result<(), Failure> {
    match command {
        Command::Run(o) => run::run(&o),
        Command::Check(o) => check::check(&o),
        Command::Breakeven(o) => breakeven::breakeven(&o),
        Command::Merge(o) => merge::merge(&o),
        Command::Report(o) => report::report(&o),
        Command::Rates(o) => rates::rates(&o),
    }
}

/// The process exit code of a command's result, its error printed on stderr: 0 on
/// success, 2 for a bad scenario or usage (the message alone), 1 for a failed run
/// (`Error: ` and the message).
pub fn exit_code(result: Result<(), Failure>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(Failure::Input(e)) => {
            say!("{e:#}");
            2
        }
        Err(Failure::Run(e)) => {
            say!("Error: {e:#}");
            1
        }
    }
}

/// Writes a line to stderr, ignoring failure (see `say!`).
/// Control characters in the text (from a name, a path) are escaped: see
/// [`tariffsim::output::escape_controls`].
pub fn say_fmt(args: std::fmt::Arguments) {
    use std::io::Write;
    let text = match args.as_str() {
        Some(s) => std::borrow::Cow::Borrowed(s),
        None => std::borrow::Cow::Owned(args.to_string()),
    };
    let text = tariffsim::output::escape_controls(&text);
    let mut e = std::io::stderr().lock();
    let _ = e
        .write_all(text.as_bytes())
        .and_then(|_| e.write_all(b"\n"));
}

/// Prints to stdout, control characters escaped (as [`say_fmt`]). A closed pipe (`| head`) is not an error; any other failure (a
/// full disk) is, since stdout is then the command's output and it is incomplete.
pub fn print_stdout(s: &str) -> Result<(), Failure> {
    use std::io::Write;
    let s = tariffsim::output::escape_controls(s);
    let mut o = std::io::stdout().lock();
    match o.write_all(s.as_bytes()).and_then(|_| o.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::Run(anyhow::anyhow!("cannot write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}

/// Most worker threads per available core. The work is CPU-bound, so threads beyond the
/// cores add only their accumulators' memory and merge time (on 2 cores, 200,000 trials
/// of korea-jv: 0.43 s with 2 threads, 0.53 s with 8, 5.7 s and 650 MB with 1,000);
/// 4× leaves room for a core count the system under-reports.
pub const THREADS_PER_CORE: usize = 4;

/// Threads to use: as asked, at most [`THREADS_PER_CORE`] per available core (with a
/// warning, once), else every core. Results never depend on the count.
pub fn threads(asked: Option<usize>) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cap = cores.saturating_mul(THREADS_PER_CORE);
    match asked {
        None => cores,
        Some(n) if n > cap => {
            static WARNED: std::sync::Once = std::sync::Once::new();
            WARNED.call_once(|| {
                say!(
                    "warning: --threads {n} is more than {THREADS_PER_CORE} per core ({cores} \
                     cores available); using {cap} threads (more would only cost memory and \
                     time; results do not depend on the thread count)"
                )
            });
            cap
        }
        Some(n) => n,
    }
}

/// Installs the handler of SIGINT, SIGTERM and SIGHUP (Ctrl-C, a Slurm time limit, a
/// closed terminal) once; returns the flag it sets. Work stops at the next block and
/// the staging folder is removed, as for any error.
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
