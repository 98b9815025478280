//! Fuzz target `check_one`: the whole check of one file (demo configuration) and every report format.
//! The entry point and its invariants live in `common/targets.rs`, shared with
//! `tests/it/fuzz_regressions.rs`.

#![no_main]

#[path = "../common/inert.rs"]
mod inert;
#[path = "../common/targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::check_one(data));
