//! The `tariffsim` binary, as the program reads: parse the command line (clap, in
//! `cli`), resolve each command's options once (`app::options`: checked, defaults
//! applied), run the command (`app::dispatch`), print its error and exit with its code
//! (`app::exit_code`: 0 success, 1 run failure, 2 bad scenario or usage).

mod app;
mod cli;
mod progress;

use clap::Parser;

fn main() {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        // `--help` and `--version` print on stdout and exit 0; a usage error exits 2.
        Err(e) => {
            let _ = e.print();
            std::process::exit(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = app::options::resolve(cli).and_then(app::dispatch);
    std::process::exit(app::exit_code(result));
}
