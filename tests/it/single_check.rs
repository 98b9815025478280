//! A one-file check (`pm check ONE.md`, the pre-commit case) takes the other files' ids from the
//! id cache (`.git/pm-ids`) when it can vouch for them. Each test here changes the repository in
//! a way that cache could get wrong after it was written — an id edited in place, a file added,
//! removed or renamed, a name that disagrees with its id, an edit in the same second as the
//! cache, a cache that is not this tree's, no git directory — and asserts the one-file check
//! still says about that file exactly what a full check says: its `duplicate-id` and
//! `unknown-related` findings among the rest. The fixture is `tests/fixtures/single-check`:
//! `one.md` relates to the other three, one of which is named after another id than its own.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::support::fs::{edit_in_place, edit_keeping_mtime, fixture_copy, set_mtime};
use crate::support::git::git;
use crate::support::run::{pm, text};

const ONE: &str = "postmortems/INC-2026-0001-one.md";

/// `pm check` in `dir` (of `paths` only, when given), its concise lines about `ONE`.
fn lines_about_one(dir: &Path, paths: &[&str]) -> String {
    let out = pm(["check", "--format", "concise", "--today", "2026-03-05"])
        .args(paths)
        .current_dir(dir)
        .output()
        .expect("pm runs");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", text(&out.stderr));
    text(&out.stdout).lines().filter(|l| l.starts_with(ONE)).map(|l| format!("{l}\n")).collect()
}

/// Asserts the one-file check of `ONE` reports what the full check reports about it, that
/// each of `expected` is among it, and that it still does on the next run (with the cache the
/// first one rewrote).
#[track_caller]
fn assert_single_equals_full(dir: &Path, expected: &[&str]) {
    let full = lines_about_one(dir, &[]);
    for e in expected {
        assert!(full.contains(e), "the full check lacks {e:?}:\n{full}");
    }
    for run in ["first", "second"] {
        let single = lines_about_one(dir, &[ONE]);
        assert_eq!(single, full, "{run} one-file check differs from the full check");
    }
}

/// The fixture in a fresh git work tree, its files an hour old (so the cache may trust them),
/// `prepare` applied first, and the cache written by one one-file check, which is asserted to
/// know every file.
fn cached_repo(prepare: impl FnOnce(&Path)) -> (tempfile::TempDir, PathBuf) {
    let (tmp, dir) = fixture_copy("tests/fixtures/single-check");
    prepare(&dir);
    git(&dir, &["init", "-q", "-b", "main"]);
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    for entry in std::fs::read_dir(dir.join("postmortems")).expect("read dir") {
        set_mtime(&entry.expect("entry").path(), hour_ago);
    }
    lines_about_one(&dir, &[ONE]);
    let cache = std::fs::read_to_string(dir.join(".git/pm-ids")).expect("the cache is written");
    for entry in std::fs::read_dir(dir.join("postmortems")).expect("read dir") {
        let name = entry.expect("entry").file_name();
        let rel = format!("postmortems/{}\t", name.to_string_lossy());
        assert!(cache.lines().any(|l| l.starts_with(&rel)), "{rel} not cached:\n{cache}");
    }
    (tmp, dir)
}

fn pm_file(dir: &Path, name: &str) -> PathBuf {
    dir.join("postmortems").join(name)
}

#[test]
fn unchanged_repository_has_no_repo_wide_findings() {
    let (_tmp, dir) = cached_repo(|_| {});
    assert_single_equals_full(&dir, &[]);
    let single = lines_about_one(&dir, &[ONE]);
    assert!(!single.contains("duplicate-id") && !single.contains("unknown-related"), "{single}");
}

#[test]
fn an_id_edited_in_place_is_seen() {
    let (_tmp, dir) = cached_repo(|_| {});
    let three = pm_file(&dir, "INC-2026-0003-three.md");
    edit_keeping_mtime(&three, "id: INC-2026-0003", "id: INC-2026-0001");
    assert_single_equals_full(&dir, &["duplicate-id", "unknown-related"]);
}

#[test]
fn an_added_file_is_seen() {
    let (_tmp, dir) = cached_repo(|_| {});
    let two = std::fs::read_to_string(pm_file(&dir, "INC-2026-0002-two.md")).expect("read");
    std::fs::write(
        pm_file(&dir, "INC-2026-0009-added.md"),
        two.replace("id: INC-2026-0002", "id: INC-2026-0001"),
    )
    .expect("write");
    assert_single_equals_full(&dir, &["duplicate-id", "INC-2026-0009-added.md"]);
}

#[test]
fn a_removed_file_is_seen() {
    let (_tmp, dir) = cached_repo(|_| {});
    std::fs::remove_file(pm_file(&dir, "INC-2026-0002-two.md")).expect("remove");
    assert_single_equals_full(&dir, &["unknown-related", "INC-2026-0002"]);
}

#[test]
fn a_renamed_file_is_seen_under_its_new_name() {
    // `three.md` holds one's id from the start, so the duplicate names it.
    let (_tmp, dir) = cached_repo(|dir| {
        edit_in_place(
            &pm_file(dir, "INC-2026-0003-three.md"),
            "id: INC-2026-0003",
            "id: INC-2026-0001",
        );
    });
    let renamed = pm_file(&dir, "INC-2026-0001-renamed.md");
    std::fs::rename(pm_file(&dir, "INC-2026-0003-three.md"), &renamed).expect("rename");
    assert_single_equals_full(&dir, &["duplicate-id", "INC-2026-0001-renamed.md"]);
    assert!(!lines_about_one(&dir, &[ONE]).contains("three.md"));
}

#[test]
fn a_file_named_after_another_id_is_read_for_its_own() {
    // `misnamed.md` is named INC-2026-0004 but holds INC-2026-0005, which one relates to: a
    // check that took ids from file names would call that target unknown.
    let (_tmp, dir) = cached_repo(|_| {});
    assert_single_equals_full(&dir, &[]);
    assert!(!lines_about_one(&dir, &[ONE]).contains("unknown-related"));
    // And when its id changes in place to one's, it is a duplicate whatever its name says.
    let misnamed = pm_file(&dir, "INC-2026-0004-misnamed.md");
    edit_in_place(&misnamed, "id: INC-2026-0005", "id: INC-2026-0001");
    assert_single_equals_full(&dir, &["duplicate-id", "misnamed.md", "INC-2026-0005"]);
}

#[test]
fn an_edit_in_the_same_second_as_the_cache_is_seen() {
    // Files as fresh as the cache ("racily clean"): written, cached and edited within a second,
    // the edit keeping the size and the modification time.
    let (_tmp, dir) = fixture_copy("tests/fixtures/single-check");
    git(&dir, &["init", "-q", "-b", "main"]);
    lines_about_one(&dir, &[ONE]);
    assert!(dir.join(".git/pm-ids").is_file());
    edit_keeping_mtime(
        &pm_file(&dir, "INC-2026-0002-two.md"),
        "id: INC-2026-0002",
        "id: INC-2026-0001",
    );
    assert_single_equals_full(&dir, &["duplicate-id", "unknown-related"]);
}

#[test]
fn a_cache_of_another_tree_or_a_corrupt_one_changes_nothing() {
    let (_tmp_a, a) = cached_repo(|_| {});
    let cache_of_a = std::fs::read(a.join(".git/pm-ids")).expect("cache of a");
    let (_tmp_b, b) = cached_repo(|dir| {
        edit_in_place(
            &pm_file(dir, "INC-2026-0002-two.md"),
            "id: INC-2026-0002",
            "id: INC-2026-0001",
        );
    });
    let cache = b.join(".git/pm-ids");
    let own = std::fs::read(&cache).expect("own cache");
    let half = own[..own.len() / 2].to_vec();
    let forged_version = String::from_utf8_lossy(&own).replacen("pm-ids v2", "pm-ids v9", 1);
    for bad in [cache_of_a, half, forged_version.into_bytes(), vec![0xff, 0, 0xfe, b'\n'], vec![]] {
        std::fs::write(&cache, bad).expect("write cache");
        assert_single_equals_full(&b, &["duplicate-id", "unknown-related"]);
    }
    // A cache that cannot be read, or replaced by a folder, costs time and nothing else.
    std::fs::remove_file(&cache).expect("remove");
    std::fs::create_dir(&cache).expect("folder in its place");
    assert_single_equals_full(&b, &["duplicate-id", "unknown-related"]);
}

#[test]
fn without_a_git_directory_there_is_no_cache() {
    let (tmp, dir) = fixture_copy("tests/fixtures/single-check");
    edit_in_place(
        &pm_file(&dir, "INC-2026-0003-three.md"),
        "id: INC-2026-0003",
        "id: INC-2026-0001",
    );
    assert_single_equals_full(&dir, &["duplicate-id", "unknown-related"]);
    assert!(!dir.join(".git").exists());
    assert!(!tmp.path().join(".git").exists(), "no cache kept beside the work tree either");
}
