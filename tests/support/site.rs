//! Building sites: `pm build` run through the real binary into a temporary folder (the demo, a
//! fixture, or a generated repository), the list of the pages it wrote, and `file://` URLs for
//! them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::fs::{crate_path, walk};
use super::run::{assert_ok, pm};

/// "Today" for every build, so overdue badges (and so the pages) are the same on any date.
pub const TODAY: &str = "2026-11-25";

/// Builds the repository at `root` into `out` with the `pm` binary; panics with pm's output
/// unless the build succeeds.
#[track_caller]
pub fn build(root: &Path, out: &Path) -> Output {
    let output = build_with(root, out, &[]);
    assert_ok(&output, &format!("pm build of {}", root.display()));
    output
}

/// `pm build` of `root` into `out` with `extra` arguments, whatever its outcome.
pub fn build_with(root: &Path, out: &Path, extra: &[&str]) -> Output {
    pm(["--color", "never", "--root"])
        .arg(root)
        .args(["build", "--today", TODAY, "--out"])
        .arg(out)
        .args(extra)
        .output()
        .expect("run pm build")
}

/// Generates `count` postmortems with [`generate`] into `dir/repo` and builds them into
/// `dir/site`; the site's folder and what the build printed on stderr.
pub fn build_generated(dir: &Path, count: usize, seed: u64) -> (PathBuf, String) {
    let root = dir.join("repo");
    generate(count, seed, &root);
    let out = dir.join("site");
    let stderr = super::run::text(&build(&root, &out).stderr);
    (out, stderr)
}

/// Generates a repository of `count` realistic postmortems into `dir` with the benchmark's
/// seeded generator (`bench/generate.py`): big enough for the search index to list terms and
/// keep codes in shards of their own, which the demo is not.
pub fn generate(count: usize, seed: u64, dir: &Path) {
    let output = Command::new("python3")
        .arg(crate_path("bench/generate.py"))
        .args(["--count", &count.to_string(), "--seed", &seed.to_string(), "--out"])
        .arg(dir)
        .output()
        .expect("run python3 bench/generate.py (python3 is installed by .ci/run)");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

/// Every file under `dir` whose name ends with `suffix`, as sorted `/`-separated relative paths.
pub fn files_ending(dir: &Path, suffix: &str) -> Vec<String> {
    walk(dir).into_iter().map(|(rel, _)| rel).filter(|rel| rel.ends_with(suffix)).collect()
}

/// The `file://` URL of a local path (absolute), with the bytes a URL path cannot hold
/// percent-encoded.
pub fn file_url(path: &Path) -> String {
    let path = path.to_str().expect("UTF-8 temp path");
    let mut url = String::from("file://");
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(char::from(b));
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// Percent-encodes a query parameter value (`application/x-www-form-urlencoded` style, as
/// `URLSearchParams` writes it: space as `+`).
pub fn query_value(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        match b {
            b' ' => out.push('+'),
            b'*' | b'-' | b'.' | b'_' => out.push(char::from(b)),
            _ if b.is_ascii_alphanumeric() => out.push(char::from(b)),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
