//! Fuzz target `slack_import`: A Slack export in memory, imported as timeline lines into a postmortem.
//! The entry point and its invariants live in `common/targets.rs`, shared with
//! `tests/it/fuzz_regressions.rs`.

#![no_main]

#[path = "../common/inert.rs"]
mod inert;
#[path = "../common/targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::slack_import(data));
