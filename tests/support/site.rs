//! Building sites for the browser tests: `pm build` run through the real binary into a temporary
//! folder, the list of the pages it wrote, and `file://` URLs for them.

use std::path::{Path, PathBuf};
use std::process::Command;

/// "Today" for every build, so overdue badges (and so the pages) are the same on any date.
pub const TODAY: &str = "2026-11-25";

/// A path relative to the crate root.
pub fn crate_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Builds the repository at `root` into `out` with the `pm` binary and returns what it printed
/// on stderr; panics with pm's output unless the build succeeds.
pub fn build(root: &Path, out: &Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_pm"))
        .args(["--color", "never", "--root"])
        .arg(root)
        .args(["build", "--today", TODAY, "--out"])
        .arg(out)
        .env_remove("PM_TODAY")
        .output()
        .expect("run pm build");
    assert!(
        output.status.success(),
        "pm build of {} failed ({:?}):\n{}\n{}",
        root.display(),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
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

/// Copies a folder tree (fixtures are only ever modified in temporary copies).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Every file under `dir` whose name ends with `suffix`, as sorted `/`-separated relative paths.
pub fn files_ending(dir: &Path, suffix: &str) -> Vec<String> {
    fn walk(dir: &Path, prefix: &str, suffix: &str, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("read dir") {
            let entry = entry.expect("dir entry");
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = format!("{prefix}{name}");
            if entry.path().is_dir() {
                walk(&entry.path(), &format!("{rel}/"), suffix, out);
            } else if name.ends_with(suffix) {
                out.push(rel);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, "", suffix, &mut out);
    out.sort();
    out
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
