//! Fuzz target `serve_request`: arbitrary bytes as a request to `pm serve` (head parsing, the
//! `Host` check, the path, the file). The entry point and its invariants live in
//! `common/targets.rs`, shared with `tests/it/fuzz_regressions.rs` and `tests/it/properties.rs`.

#![no_main]

#[path = "../common/inert.rs"]
mod inert;
#[path = "../common/targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::serve_request(data));
