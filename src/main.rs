//! The `pm` binary: parse the command line, run, map the outcome to an exit code
//! (0 clean, 1 findings, 2 usage, configuration or I/O error).

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

fn main() -> ExitCode {
    // A shell asking for completions (`COMPLETE=bash pm -- pm new --severity ''`) is answered
    // here, and the process ends; otherwise this returns at once.
    clap_complete::CompleteEnv::with_factory(pm::cmd::Cli::command)
        .var(pm::cmd::completions::COMPLETE_VAR)
        .complete();
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
