//! The CLI test suite: every `tests/cmd/**/*.toml` is a case (arguments, expected stdout and
//! stderr, exit code) run against the real `pm` binary by trycmd. Re-bless expected output
//! after an intended change with `TRYCMD=overwrite cargo test --test it cli::`.

#[test]
fn cli_cases() {
    trycmd::TestCases::new().case("tests/cmd/**/*.toml");
}
