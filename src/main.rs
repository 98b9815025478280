//! The `pm` binary: parse the command line, run, map the outcome to an exit code
//! (0 clean, 1 findings, 2 usage, configuration or I/O error).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = pm::cli::Cli::parse();
    match pm::run(cli) {
        Ok(pm::Outcome::Clean) => ExitCode::SUCCESS,
        Ok(pm::Outcome::Findings) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
