//! Files and folders of the tests: paths in the crate, copying a fixture into a temporary
//! folder (fixtures are only ever modified in copies), reading a tree back by relative path, and
//! comparing output with an expected file in the crate ([`assert_blessed`]: `PM_BLESS=1`
//! rewrites it), and editing a file in place without the edit showing in its size or time
//! ([`edit_keeping_mtime`], what a cache keyed on stamps could miss).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The crate root: where `Cargo.toml` is, and the current folder of a test run by cargo.
pub fn crate_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A path relative to the crate root.
pub fn crate_path(rel: &str) -> PathBuf {
    crate_root().join(rel)
}

/// Copies the folder tree `from` into `to` (created), byte for byte. Links are not followed:
/// a link to a file is copied as the file it points to, a link to a folder is an error.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("mkdir {}: {e}", to.display()));
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target)
                .unwrap_or_else(|e| panic!("copy {}: {e}", entry.path().display()));
        }
    }
}

/// A temporary copy of the fixture at `rel` (a path in the crate): the temporary folder
/// (removed when dropped, so keep it) and the copy, its `repo` subfolder.
pub fn fixture_copy(rel: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    copy_tree(&crate_path(rel), &repo);
    (tmp, repo)
}

/// Every entry under `dir` that is not a folder (files, links, special files), by
/// `/`-separated relative path, sorted; links are not followed. A folder that cannot be read
/// (or does not exist) adds nothing.
pub fn walk(dir: &Path) -> Vec<(String, PathBuf)> {
    fn visit(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let rel = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                visit(&entry.path(), &format!("{rel}/"), out);
            } else {
                out.push((rel, entry.path()));
            }
        }
    }
    let mut out = Vec::new();
    visit(dir, "", &mut out);
    out.sort();
    out
}

/// Every file under `dir` with its contents, by `/`-separated relative path.
pub fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walk(dir)
        .into_iter()
        .map(|(rel, path)| {
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("read {rel}: {e}"));
            (rel, bytes)
        })
        .collect()
}

/// Asserts that `actual` is the file `expected` (a path in the crate), written there first when
/// `PM_BLESS` is set.
#[track_caller]
pub fn assert_blessed(actual: &str, expected: &str) {
    if std::env::var_os("PM_BLESS").is_some() {
        std::fs::write(crate_path(expected), actual).expect("bless");
    }
    assert_expected(actual, expected);
}

/// Asserts that `actual` is the file `expected` (a path in the crate), without blessing it (a
/// test that compares with a file another test blesses).
#[track_caller]
pub fn assert_expected(actual: &str, expected: &str) {
    let path = crate_path(expected);
    let wanted = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{expected}: {e}"));
    assert_eq!(actual, wanted, "{expected} as blessed (PM_BLESS=1 to re-bless)");
}

/// Sets the modification time of `path`.
pub fn set_mtime(path: &Path, time: SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(time))
        .expect("set mtime");
}

/// Rewrites `path` with `from` replaced by `to`, in place (same inode, no rename).
pub fn edit_in_place(path: &Path, from: &str, to: &str) {
    let before = std::fs::read_to_string(path).expect("read");
    assert!(before.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, before.replace(from, to)).expect("write");
}

/// Rewrites `path` in place with `from` replaced by `to` (a same-length edit keeps the size), then
/// puts its modification time back: only the status-change time tells the edit happened.
pub fn edit_keeping_mtime(path: &Path, from: &str, to: &str) {
    let mtime = std::fs::metadata(path).and_then(|m| m.modified()).expect("mtime");
    edit_in_place(path, from, to);
    set_mtime(path, mtime);
}
