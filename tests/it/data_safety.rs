//! Never lose data: what an interrupted, failed or concurrent `pm` run leaves on disk.
//!
//! - `pm build` killed with SIGKILL at many moments over a build of 300 generated postmortems:
//!   after every kill the output folder is the previous complete site or the new complete one
//!   (hash of the whole tree), the repositories are unchanged, and the next build cleans up.
//!   A build killed inside the swap itself is replayed exactly (the state it leaves is built by
//!   hand) to prove the previous site comes back even when the next build fails too.
//!   Every one of those builds is incremental (it reuses the previous site's files through its
//!   manifest); a second test kills incremental builds near their end (where the manifest is
//!   written and the swap made) and checks that the next build, incremental too, is byte for
//!   byte a full `--no-cache` build.
//! - Two builds into one output folder at once both succeed, and the result is a complete site.
//! - Two builds of the same commit, cloned to two places, built with different thread counts
//!   into differently named folders, are byte-identical (`tests/it/site.rs` builds the demo and the
//!   hostile fixture twice in one place; this is the stronger, same-commit version).
//! - `pm new` racing for one explicit id: exactly one file, the others refused. (Racing for the
//!   next free id is `tests/it/scaffold.rs`, `racing_runs_never_share_an_id_or_a_file`.)
//! - `pm timeline import --into`, the one command that edits a file in place: a failure before
//!   the rename (no room for the temporary file, a read-only folder) leaves the original byte
//!   for byte, and SIGKILL at random moments leaves the original or the complete new text.
//!   (What the insertion preserves byte for byte, the new inode, kept permissions and the
//!   refusal of symlinks are `tests/it/followup.rs`.)
//!
//! Kill moments come from a seeded generator: set `PM_KILL_SEED` to replay another sequence,
//! and `PM_KILLS` to change how many kills (default 30). Each test prints what it saw
//! (`cargo test --test it data_safety -- --nocapture`), which docs/HARDENING.md reports.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::fs::{copy_tree, crate_path, crate_root, fixture_copy, walk};
use crate::support::git::git;
use crate::support::run::{self, succeed, text};

const TODAY: &str = "2026-03-05";

thread_local! {
    /// The binary this test runs: the one cargo built, or a private copy ([`freeze_binary`]).
    static BINARY: std::cell::RefCell<PathBuf> =
        std::cell::RefCell::new(PathBuf::from(run::BIN));
}

/// Copies the binary into `dir` and runs that copy for the rest of this test (each test has its
/// own thread). Where other builds share `target/`, the binary can be rebuilt in the middle of a
/// long test, and two builds of one commit would then come from two different programs (this
/// happened: `assets/search.js` changed between two builds of one test).
fn freeze_binary(dir: &Path) {
    let copy = dir.join("pm-under-test");
    std::fs::copy(run::BIN, &copy).expect("copy the binary");
    BINARY.with(|b| *b.borrow_mut() = copy);
}

/// `pm ARGS` in `dir` (the binary of [`BINARY`]), with a fixed "today" and clock.
fn pm_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = run::program(BINARY.with(|b| b.borrow().clone()));
    command
        .current_dir(dir)
        .args(args)
        .env("PM_TODAY", TODAY)
        .env("PM_NOW", "2026-03-04T10:00:00Z");
    command
}

#[track_caller]
fn pm_ok(dir: &Path, args: &[&str]) -> Output {
    succeed(&mut pm_command(dir, args))
}

fn build_into(repo: &Path, out: &Path) -> Output {
    let out = out.to_str().expect("UTF-8 path");
    pm_ok(repo, &["build", "--out", out])
}

/// Every file under `dir` (following nothing), by `/`-separated relative path; a link as the
/// path it points to.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walk(dir)
        .into_iter()
        .map(|(name, path)| match std::fs::read_link(&path) {
            Ok(target) => {
                (format!("{name} -> symlink"), target.to_string_lossy().into_owned().into_bytes())
            }
            Err(_) => (name, std::fs::read(&path).expect("read")),
        })
        .collect()
}

/// A hash of a whole tree: names and contents. `None` when the folder does not exist.
fn tree_hash(dir: &Path) -> Option<u64> {
    if !dir.is_dir() {
        return None;
    }
    let mut hasher = DefaultHasher::new();
    for (name, bytes) in tree(dir) {
        hasher.write(name.as_bytes());
        hasher.write_u8(0);
        hasher.write_usize(bytes.len());
        hasher.write(&bytes);
    }
    Some(hasher.finish())
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A repository of `count` generated postmortems (bench/generate.py, seeded).
fn generated_repo(count: usize, out: &Path) {
    let status = Command::new("python3")
        .arg(crate_path("bench/generate.py"))
        .args(["--count", &count.to_string(), "--seed", "7", "--today", TODAY, "--out"])
        .arg(out)
        .stdout(Stdio::null())
        .status()
        .expect("python3 runs bench/generate.py (python3 is needed by this test)");
    assert!(status.success(), "bench/generate.py failed");
}

/// A temporary folder for a heavy test: a frozen copy of the binary ([`freeze_binary`]) and
/// `repo`, a repository of `count` generated postmortems.
fn generated_sandbox(count: usize) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    freeze_binary(tmp.path());
    let repo = tmp.path().join("repo");
    generated_repo(count, &repo);
    (tmp, repo)
}

/// A small deterministic generator (xorshift64*) for kill moments: no dependency, and a seed
/// replays a run exactly.
struct Moments(u64);

impl Moments {
    fn from_env() -> Self {
        let seed = std::env::var("PM_KILL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(7);
        Self(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// A float in [0, 1).
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn kills() -> usize {
    std::env::var("PM_KILLS").ok().and_then(|s| s.parse().ok()).unwrap_or(30)
}

/// Kills `child` with SIGKILL after `delay`, unless it finished first. Returns `None` when it
/// was killed, or how long it ran when it finished before the kill.
fn kill_after(mut child: Child, delay: Duration) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < delay {
        if child.try_wait().expect("wait").is_some() {
            return Some(start.elapsed());
        }
        std::thread::sleep(Duration::from_micros(200).min(delay.saturating_sub(start.elapsed())));
    }
    if child.try_wait().expect("wait").is_some() {
        return Some(start.elapsed());
    }
    // `Child::kill` is SIGKILL on Unix: no destructor, no cleanup runs in pm.
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// How long an uninterrupted run takes, as the shortest of what was seen: the kill moments are
/// fractions of it. A run that finishes before its kill shortens it, so the moments follow the
/// machine's speed even when it changes under load.
struct Estimate(Duration);

impl Estimate {
    fn saw(&mut self, run: Duration) {
        self.0 = self.0.min(run);
    }

    fn at(&self, fraction: f64) -> Duration {
        Duration::from_secs_f64(self.0.as_secs_f64() * fraction)
    }

    /// Runs `command` (its output dropped) and kills it after `delay` ([`kill_after`]); a run
    /// that finishes first is seen. Whether it was killed.
    fn run_or_kill(&mut self, mut command: Command, delay: Duration) -> bool {
        let child = command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn pm");
        let ran = kill_after(child, delay);
        if let Some(ran) = ran {
            self.saw(ran);
        }
        ran.is_none()
    }
}

/// The heavy tests of this file take turns: run side by side on two cores they would slow each
/// other down unevenly, and the kill moments would drift.
static HEAVY: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn heavy() -> std::sync::MutexGuard<'static, ()> {
    HEAVY.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The folders `pm build` may leave beside an output folder named `name` when it is killed.
fn is_build_leftover(file_name: &str, name: &str) -> bool {
    let Some(rest) = file_name.strip_prefix(&format!(".{name}.pm-")) else { return false };
    ["staging-", "old-", "trash-"].iter().any(|kind| {
        rest.strip_prefix(kind).is_some_and(|pid| pid.bytes().all(|b| b.is_ascii_digit()))
    })
}

#[test]
fn killed_builds_leave_the_previous_or_the_new_site() {
    let _turn = heavy();
    // The repository being built (the "new commit") and the one the current site came from
    // (the "previous commit": one postmortem retitled).
    let (tmp, repo) = generated_sandbox(300);
    let previous_repo = tmp.path().join("previous");
    copy_tree(&repo, &previous_repo);
    let retitled = retitle_one(&previous_repo);

    // Both sites, built once without interruption, are the two allowed outcomes.
    let scratch = tmp.path().join("scratch");
    let mut estimate = Estimate(Duration::MAX);
    for _ in 0..2 {
        let started = Instant::now();
        build_into(&repo, &scratch.join("site"));
        estimate.saw(started.elapsed());
    }
    let new_hash = tree_hash(&scratch.join("site")).expect("new site");
    let new_tree = tree(&scratch.join("site"));
    build_into(&previous_repo, &scratch.join("site"));
    let previous_hash = tree_hash(&scratch.join("site")).expect("previous site");
    let previous_tree = tree(&scratch.join("site"));
    assert_ne!(new_hash, previous_hash, "{retitled} should change the site");
    std::fs::remove_dir_all(&scratch).expect("rm");

    let repo_hash = tree_hash(&repo);
    let previous_repo_hash = tree_hash(&previous_repo);
    let outputs = tmp.path().join("outputs");
    let out = outputs.join("site");
    let out_arg = out.to_str().expect("UTF-8 path").to_owned();

    let mut moments = Moments::from_env();
    let (mut before_staging, mut while_rendering, mut after_swap, mut finished) = (0, 0, 0, 0);
    let mut delays = Vec::new();
    for round in 0..kills() {
        // Start every round from the previous site, built without interruption. This build
        // also proves the leftovers of the last kill never break the next build.
        if tree_hash(&out) != Some(previous_hash) {
            build_into(&previous_repo, &out);
            assert_eq!(tree_hash(&out), Some(previous_hash), "round {round}: restore");
            let stray: Vec<String> = names(&outputs).into_iter().filter(|n| n != "site").collect();
            assert!(stray.is_empty(), "round {round}: a finished build left {stray:?}");
        }
        // Spread over the whole build, every third kill near its end, where the swap is.
        let fraction = if round % 3 == 2 { 0.85 + 0.17 * moments.next() } else { moments.next() };
        let delay = estimate.at(fraction);
        delays.push(delay.as_millis());
        let killed = estimate.run_or_kill(pm_command(&repo, &["build", "--out", &out_arg]), delay);

        let leftovers: Vec<String> = names(&outputs).into_iter().filter(|n| n != "site").collect();
        for name in &leftovers {
            assert!(is_build_leftover(name, "site"), "round {round}: unexpected {name}");
        }
        let hash = tree_hash(&out);
        if hash.is_some() && hash != Some(previous_hash) && hash != Some(new_hash) {
            // Name what differs, to tell a mix from a build that is not reproducible.
            let now = tree(&out);
            let differs = |site: &BTreeMap<String, Vec<u8>>| -> Vec<String> {
                let mut names: Vec<String> = now
                    .iter()
                    .filter(|(k, v)| site.get(*k) != Some(v))
                    .map(|(k, _)| k.clone())
                    .collect();
                names
                    .extend(site.keys().filter(|k| !now.contains_key(*k)).map(|k| format!("-{k}")));
                names.truncate(12);
                names
            };
            panic!(
                "round {round}: killed after {} ms, the output is neither site (leftovers: \
                 {leftovers:?}); differs from the previous site in {:?}, from the new one in {:?}",
                delay.as_millis(),
                differs(&previous_tree),
                differs(&new_tree)
            );
        }
        assert!(
            hash == Some(previous_hash) || hash == Some(new_hash),
            "round {round}: killed after {} ms, the output folder is missing (leftovers: \
             {leftovers:?})",
            delay.as_millis()
        );
        assert_eq!(tree_hash(&repo), repo_hash, "round {round}: the repository changed");
        assert_eq!(tree_hash(&previous_repo), previous_repo_hash, "round {round}");
        match (killed, hash == Some(new_hash), leftovers.iter().any(|n| n.contains("staging"))) {
            (false, _, _) => finished += 1,
            (true, true, _) => after_swap += 1,
            (true, false, true) => while_rendering += 1,
            (true, false, false) => before_staging += 1,
        }
    }
    // A last, uninterrupted build of the new commit: complete, and nothing left beside it.
    build_into(&repo, &out);
    assert_eq!(tree_hash(&out), Some(new_hash));
    assert_eq!(names(&outputs), ["site"]);
    assert_eq!(tree_hash(&repo), repo_hash);

    let total = before_staging + while_rendering + after_swap;
    println!(
        "kills: {total} of {} runs over a {} ms build of 300 postmortems (delays in ms: \
         {delays:?}); before the staging folder existed: {before_staging}, while rendering: \
         {while_rendering}, after the swap: {after_swap}; finished before the kill: {finished}. \
         Every time the output was the previous or the new site and the repository unchanged.",
        kills(),
        estimate.0.as_millis()
    );
    assert!(while_rendering >= 3, "too few kills landed while rendering: {while_rendering}");
}

#[test]
fn killed_incremental_builds_leave_a_site_the_next_build_completes() {
    let _turn = heavy();
    let (tmp, repo) = generated_sandbox(300);
    let previous_repo = tmp.path().join("previous");
    copy_tree(&repo, &previous_repo);
    retitle_one(&previous_repo);
    // The two allowed outcomes, built in full (no manifest to reuse).
    let full = |repo: &Path, dir: &Path| {
        let dir = dir.to_str().expect("UTF-8 path");
        pm_ok(repo, &["build", "--no-cache", "--out", dir]);
    };
    let scratch = tmp.path().join("scratch");
    let mut estimate = Estimate(Duration::MAX);
    let started = Instant::now();
    full(&repo, &scratch.join("new"));
    estimate.saw(started.elapsed());
    full(&previous_repo, &scratch.join("previous"));
    let new_hash = tree_hash(&scratch.join("new")).expect("new site");
    let previous_hash = tree_hash(&scratch.join("previous")).expect("previous site");
    assert_ne!(new_hash, previous_hash);

    let outputs = tmp.path().join("outputs");
    let out = outputs.join("site");
    let out_arg = out.to_str().expect("UTF-8 path").to_owned();
    build_into(&previous_repo, &out);
    assert_eq!(tree_hash(&out), Some(previous_hash), "an incremental build is a full one");
    let mut moments = Moments::from_env();
    let rounds = kills().div_ceil(2);
    let mut killed_count = 0;
    for round in 0..rounds {
        // Kill the build towards the other commit late: while pages are linked, the search
        // index written, the manifest written or the folders swapped.
        let (from, to, to_hash) = if round % 2 == 0 {
            (previous_hash, &repo, new_hash)
        } else {
            (new_hash, &previous_repo, previous_hash)
        };
        let delay = estimate.at(0.5 + 0.6 * moments.next());
        let killed = estimate.run_or_kill(pm_command(to, &["build", "--out", &out_arg]), delay);
        killed_count += usize::from(killed);
        let hash = tree_hash(&out);
        assert!(
            hash == Some(from) || hash == Some(to_hash),
            "round {round}: killed after {} ms, the output is neither site",
            delay.as_millis()
        );
        // The next build, incremental over whatever the kill left, is the full build.
        build_into(to, &out);
        assert_eq!(tree_hash(&out), Some(to_hash), "round {round}: the build after the kill");
        let stray: Vec<String> = names(&outputs).into_iter().filter(|n| n != "site").collect();
        assert!(stray.is_empty(), "round {round}: a finished build left {stray:?}");
    }
    println!("incremental builds killed: {killed_count} of {rounds}");
    assert!(killed_count > 0, "no build was killed");
}

/// Retitles the first postmortem of `repo`; returns its path.
fn retitle_one(repo: &Path) -> String {
    let year = repo.join("postmortems/2026");
    let first = names(&year).into_iter().find(|n| n.ends_with(".md")).expect("a postmortem");
    let path = year.join(&first);
    let text = std::fs::read_to_string(&path).expect("read");
    let retitled = text.replacen("\ntitle: ", "\ntitle: Previous title, ", 1);
    assert_ne!(text, retitled, "{first} has a title line");
    std::fs::write(&path, retitled).expect("write");
    first
}

/// A process id that is not running, for the leftovers of a "killed" build.
fn dead_pid() -> u32 {
    (4_000_000..).find(|p| !Path::new("/proc").join(p.to_string()).exists()).expect("free pid")
}

#[cfg(target_os = "linux")]
#[test]
fn a_build_killed_inside_the_swap_loses_nothing() {
    // SIGKILL between the two renames of the swap leaves no output folder, the previous site in
    // `.site.pm-old-PID` and the new one staged. Random kills hit that instant rarely, so it is
    // built here by hand. The next build must put the previous site back first: here it fails
    // (a broken theme override), and the previous site must still be there afterwards.
    let (tmp, repo) = fixture_copy("tests/fixtures/minimal");
    let outputs = tmp.path().join("outputs");
    let out = outputs.join("site");
    build_into(&repo, &out);
    let previous = tree(&out);
    let pid = dead_pid();
    std::fs::rename(&out, outputs.join(format!(".site.pm-old-{pid}"))).expect("aside");
    copy_tree(
        &outputs.join(format!(".site.pm-old-{pid}")),
        &outputs.join(format!(".site.pm-staging-{pid}")),
    );
    std::fs::write(outputs.join(format!(".site.pm-staging-{pid}/index.html")), "half").expect("w");

    std::fs::create_dir_all(repo.join("site-theme")).expect("mkdir");
    std::fs::write(
        repo.join("site-theme/postmortem.html"),
        // Fails while rendering, after the build has begun (an unknown filter would fail
        // earlier, when the theme loads).
        "{% extends \"base.html\" %}{% block content %}{{ pm.nosuchfield.x }}{% endblock content %}",
    )
    .expect("write");
    let failed = pm_command(&repo, &["build", "--out", out.to_str().expect("utf8")])
        .output()
        .expect("pm runs");
    assert_eq!(failed.status.code(), Some(2), "{}", text(&failed.stderr));
    assert!(tree(&out) == previous, "the previous site is back, whole");
    assert_eq!(names(&outputs), ["site"], "and the leftovers are gone");
}

#[test]
fn concurrent_builds_into_one_folder_both_succeed() {
    let _turn = heavy();
    let (tmp, repo) = generated_sandbox(80);
    let outputs = tmp.path().join("outputs");
    let out = outputs.join("site");
    let out_arg = out.to_str().expect("UTF-8 path").to_owned();
    build_into(&repo, &out);
    let expected = tree_hash(&out);
    for round in 0..5 {
        let children: Vec<Child> = (0..2)
            .map(|_| {
                pm_command(&repo, &["build", "--out", &out_arg])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        for child in children {
            let done = child.wait_with_output().expect("wait");
            // Before output.rs checked whether a leftover's process still runs, the second
            // build deleted the first one's staging folder ("cannot write …: No such file").
            assert_eq!(done.status.code(), Some(0), "round {round}: {}", text(&done.stderr));
        }
        assert_eq!(tree_hash(&out), expected, "round {round}: a complete site");
        assert_eq!(names(&outputs), ["site"], "round {round}: nothing left beside it");
    }
}

#[test]
fn two_builds_of_the_same_commit_are_byte_identical() {
    let _turn = heavy();
    let (tmp, source) = generated_sandbox(120);
    git(&source, &["init", "-q"]);
    git(&source, &["add", "-A"]);
    git(&source, &["commit", "-q", "-m", "postmortems"]);
    // The same commit in a second place, with a different absolute path.
    let clone = tmp.path().join("elsewhere/clone");
    std::fs::create_dir_all(clone.parent().expect("parent")).expect("mkdir");
    git(tmp.path(), &["clone", "-q", "repo", "elsewhere/clone"]);

    // Different thread counts, output folder names and working folders.
    let a = tmp.path().join("site-a");
    let b = tmp.path().join("deeper/public");
    let out_a = pm_command(&source, &["build", "--out", a.to_str().expect("utf8")])
        .env("RAYON_NUM_THREADS", "1")
        .output()
        .expect("pm runs");
    assert!(out_a.status.success(), "{}", text(&out_a.stderr));
    let out_b = pm_command(tmp.path(), &["build", "--root", "elsewhere/clone", "--out"])
        .arg(&b)
        .env("RAYON_NUM_THREADS", "4")
        .output()
        .expect("pm runs");
    assert!(out_b.status.success(), "{}", text(&out_b.stderr));
    let (a, b) = (tree(&a), tree(&b));
    assert!(a.len() > 150, "{} files", a.len());
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "same files");
    let differing: Vec<&String> = a.iter().filter(|(k, v)| b[*k] != **v).map(|(k, _)| k).collect();
    assert!(differing.is_empty(), "differ between the two builds: {differing:?}");
    println!("two builds of one commit: {} files, byte-identical", a.len());
}

#[test]
fn racing_new_with_one_explicit_id_writes_one_file() {
    let (_tmp, repo) = fixture_copy("tests/fixtures/scaffold");
    let before = tree(&repo);
    let runs = 8;
    let children: Vec<Child> = (0..runs)
        .map(|i| {
            let title = format!("Racing run {i}");
            pm_command(
                &repo,
                &[
                    "new",
                    &title,
                    "--severity",
                    "SEV2",
                    "--service",
                    "checkout-api",
                    "--id",
                    "INC-2026-0500",
                ],
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn")
        })
        .collect();
    let outputs: Vec<Output> =
        children.into_iter().map(|c| c.wait_with_output().expect("wait")).collect();
    let winners: Vec<&Output> = outputs.iter().filter(|o| o.status.code() == Some(0)).collect();
    assert_eq!(winners.len(), 1, "exactly one run writes the id");
    for o in outputs.iter().filter(|o| o.status.code() != Some(0)) {
        assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    }
    let after = tree(&repo);
    let added: Vec<&String> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    assert_eq!(added.len(), 1, "one new file: {added:?}");
    let written = text(&after[added[0]]);
    assert!(written.contains("id: INC-2026-0500\n"), "{written}");
    // The winner's title, whole: no other run wrote into its file.
    let printed = text(&winners[0].stdout);
    assert_eq!(printed.trim(), added[0].as_str());
    let titles = (0..runs).filter(|i| written.contains(&format!("Racing run {i}"))).count();
    assert_eq!(titles, 1, "{written}");
    for (path, bytes) in &before {
        assert!(after.get(path) == Some(bytes), "{path} changed");
    }
}

const SLACK: &str = "tests/fixtures/slack-export";
const CHANNEL: &str = "inc-2026-0013-zone-b";
const FOLLOWUP: &str = "tests/fixtures/followup";
const POSTMORTEM: &str =
    "tests/fixtures/followup/postmortems/2026/INC-2026-0001-checkout-timeouts.md";
const WINDOW: [&str; 4] = ["--from", "2026-06-16T08:40:00Z", "--to", "2026-06-16T09:30:00Z"];

fn import_command(into: &Path) -> Command {
    let mut command = pm_command(crate_root(), &["timeline", "import"]);
    command
        .args(["--root", FOLLOWUP, "--slack", SLACK, "--channel", CHANNEL])
        .args(WINDOW)
        .arg("--into")
        .arg(into);
    command
}

/// Whether this process can create a file in a folder without write permission (root can).
fn permissions_bind_us() -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("ro");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let bound = std::fs::write(dir.join("probe"), "x").is_err();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    bound
}

#[cfg(unix)]
#[test]
fn a_failed_import_leaves_the_original_untouched() {
    use std::os::unix::fs::PermissionsExt as _;
    let original = std::fs::read(crate_path(POSTMORTEM)).expect("read fixture");

    // No room for the temporary file's name: the target's name is so long that
    // `.NAME.pm-PID-N.tmp` exceeds the 255 bytes a file name may have. This fails for root
    // too, at the exact step before the rename.
    let tmp = tempfile::tempdir().expect("tempdir");
    let long = format!("{}.md", "x".repeat(245));
    let target = tmp.path().join(&long);
    std::fs::write(&target, &original).expect("write");
    let out = import_command(&target).output().expect("pm runs");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("cannot create a temporary file"), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(&target).expect("read"), original, "byte for byte");
    assert_eq!(names(tmp.path()), [long], "nothing else written");

    // A read-only folder: root writes there anyway, so this half runs only where permissions
    // apply (a developer's machine); the long name above covers root.
    if permissions_bind_us() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("ro");
        std::fs::create_dir(&dir).expect("mkdir");
        let target = dir.join("pm.md");
        std::fs::write(&target, &original).expect("write");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).expect("chmod");
        let out = import_command(&target).output().expect("pm runs");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert_eq!(std::fs::read(&target).expect("read"), original, "byte for byte");
        assert_eq!(names(&dir), ["pm.md"]);
    } else {
        println!("running as root: a read-only folder does not stop root; the long name did");
    }
}

#[test]
fn a_killed_import_leaves_the_original_or_the_whole_new_text() {
    let _turn = heavy();
    let original = std::fs::read(crate_path(POSTMORTEM)).expect("read fixture");
    let tmp = tempfile::tempdir().expect("tempdir");
    freeze_binary(tmp.path());
    let dir = tmp.path().join("postmortems");
    std::fs::create_dir(&dir).expect("mkdir");
    let target = dir.join("pm.md");

    // The one complete result, from an uninterrupted run.
    std::fs::write(&target, &original).expect("write");
    let started = Instant::now();
    let out = import_command(&target).output().expect("pm runs");
    let mut estimate = Estimate(started.elapsed());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let imported = std::fs::read(&target).expect("read");
    assert_ne!(imported, original);

    let mut moments = Moments::from_env();
    let (mut untouched, mut replaced, mut finished) = (0, 0, 0);
    let mut temp_files = BTreeSet::new();
    for round in 0..kills() {
        std::fs::write(&target, &original).expect("reset");
        let delay = estimate.at(moments.next());
        let killed = estimate.run_or_kill(import_command(&target), delay);
        let now = std::fs::read(&target).expect("the file is always there");
        assert!(now == original || now == imported, "round {round}: a mix after {delay:?}");
        for name in names(&dir).into_iter().filter(|n| n != "pm.md") {
            // A kill between creating the temporary file and the rename leaves it behind: a
            // hidden file, never read as a postmortem. It is counted, not an error.
            assert!(name.starts_with(".pm.md.pm-") && name.ends_with(".tmp"), "{name}");
            temp_files.insert(name.clone());
            std::fs::remove_file(dir.join(name)).expect("rm");
        }
        match (killed, now == original) {
            (false, _) => finished += 1,
            (true, true) => untouched += 1,
            (true, false) => replaced += 1,
        }
    }
    println!(
        "import kills: {} of {} runs over a {} ms import; original kept: {untouched}, new \
         text complete: {replaced}, finished first: {finished}; temporary files left by a kill: \
         {}",
        untouched + replaced,
        kills(),
        estimate.0.as_millis(),
        temp_files.len()
    );
    assert!(untouched + replaced >= kills() / 2, "too few runs were killed");
}
