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

/// The README's rule table: every rule of the registry, in code order, two per row, under a
/// sentence that counts them. Regenerated with `PM_BLESS=1` like the reference.
#[test]
fn readme_rule_table_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).expect("README.md");
    let rules: Vec<_> = pm::rules::RULES.iter().map(|r| r.meta()).collect();
    let half = rules.len().div_ceil(2);
    let mut table = format!(
        "The {} rules, each with a stable code and docs (`pm explain RULE`, \
         [docs/rules.md](docs/rules.md)):\n\n| Code | Rule | Code | Rule |\n|---|---|---|---|\n",
        rules.len()
    );
    for i in 0..half {
        let left = rules[i];
        let right = rules
            .get(i + half)
            .map_or_else(|| " | ".to_owned(), |r| format!("{} | `{}`", r.code, r.slug));
        table.push_str(&format!("| {} | `{}` | {right} |\n", left.code, left.slug));
    }
    let start =
        readme.find("rules, each with a stable code").and_then(|i| readme[..i].rfind("The "));
    let start = start.expect("README has the rule table's sentence");
    let len = readme[start..].find("\n\n|").and_then(|i| {
        let rows = &readme[start + i + 2..];
        rows.find("\n\n").map(|j| i + 2 + j + 1)
    });
    let end = start + len.expect("README's rule table ends with a blank line");
    let fresh = format!("{}{table}{}", &readme[..start], &readme[end..]);
    if std::env::var_os("PM_BLESS").is_some() {
        std::fs::write(path, &fresh).expect("write README.md");
    }
    assert!(
        readme == fresh,
        "README's rule table is stale: run `PM_BLESS=1 cargo test --test it docs::`"
    );
}
