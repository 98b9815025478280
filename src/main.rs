//! The `pm` binary: parse the command line, run, map the outcome to an exit code
//! (0 clean, 1 findings, 2 usage, configuration or I/O error).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = pm::cmd::Cli::parse();
    match pm::cmd::run(cli) {
        Ok(pm::cmd::Outcome::Clean) => ExitCode::SUCCESS,
        Ok(pm::cmd::Outcome::Findings) => ExitCode::from(1),
        Err(e) => {
            // Errors quote paths and values: no escape sequence reaches the terminal.
            eprintln!("error: {}", pm::diagnostic::printable(&format!("{e:#}")));
            ExitCode::from(2)
        }
    }
}
