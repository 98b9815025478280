//! Generated documentation stays in sync with the code: `docs/rules.md` is what
//! `pm explain --all` prints. Regenerate with `PM_BLESS=1 cargo test --test it docs::`.

#[test]
fn rule_reference_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md");
    let expected = pm::rules::reference();
    if std::env::var_os("PM_BLESS").is_some() {
        std::fs::write(path, &expected).expect("write docs/rules.md");
    }
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/rules.md is stale: run `PM_BLESS=1 cargo test --test it docs::`"
    );
}
