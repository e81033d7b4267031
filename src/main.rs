//! The `tariffsim` binary: parse the command line, run, print the error chain, exit.

mod app;
mod cli;
mod progress;

use clap::Parser;

fn main() {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            std::process::exit(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let code = app::main(cli);
    std::process::exit(code);
}
