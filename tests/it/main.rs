//! The integration tests of `pm`: one test binary (as ripgrep has), one module per area, each
//! running the real `pm` binary or the library on fixtures. One binary links once, and its tests
//! share one process, so no test may change the process's environment, current folder or other
//! global state: a test gives a child process its environment on the `Command`
//! ([`support::run`]).
//!
//! Run all of it with `cargo test --test it`, one area with `cargo test --test it site::`, one
//! test with `cargo test --test it -- --exact site::builds_are_byte_identical`. Each module's
//! header says what it tests and how to re-bless what it compares with.
//!
//! Shared helpers live in `tests/support/` (running `pm`, files and trees, git, the browser, a
//! static server, sites, the search index, the fuzz targets); data lives beside them: case files
//! in `tests/cmd/`, fixtures in `tests/fixtures/` (one repository per rule in
//! `tests/fixtures/rules/<slug>/`), the adversarial corpus in `tests/adversarial/` and saved fuzz
//! findings in `tests/fuzz-regressions/`.

#[path = "../support/mod.rs"]
mod support;

mod adversarial;
mod architecture;
mod blameless;
mod browser_hostile;
mod browser_search;
mod changed;
mod ci;
mod cli;
mod codeowners;
mod completion;
mod completion_readme;
mod config_schema;
mod data_safety;
mod docs;
mod examples;
mod followup;
mod fuzz_regressions;
mod html_validation;
mod incremental;
mod injection;
mod item_state;
mod lifecycle;
mod metrics;
mod pre_commit;
mod properties;
mod report_validation;
mod rules;
mod scaffold;
mod search_index;
mod search_relevance;
mod search_scale;
mod serve;
mod single_check;
mod site;
mod site_completion;
mod site_privacy;
mod sync;
mod sync_gitlab;
mod sync_jira;
mod sync_linear;
mod sync_scale;
mod verdict_cache;
