//! The adversarial corpus: every folder of `tests/adversarial/` is one hostile or broken input
//! with its expected outcome as data, run against the real `pm` binary.
//!
//! A case folder is a small pm repository (`pm.toml`, `postmortems/…`) plus `case.toml`, which
//! says what to run and what must come out (see [`Case`]; `tests/adversarial/README.md` is the
//! reference). Adding a case is adding a folder: this file never changes for it.
//!
//! Each case runs in its own sandbox: `SANDBOX/repo` is a copy of the folder (without
//! `case.toml`) and the working directory, `{out}` is `SANDBOX/nest/deeper/site`, and `setup`
//! steps make what cannot be committed (50 MB files, symlink loops, FIFOs, unreadable files).
//! Besides the case's own expectations, every case must:
//! - end with the expected exit code, within its timeout, without a panic message;
//! - leave the repository copy exactly as it was (no command of the corpus may write to it);
//! - write nothing in the sandbox outside `{out}` (a page path that escapes the output folder
//!   lands in `SANDBOX/nest/…` and is caught here).
//!
//! A case marked `pending = "why"` documents a known problem with the outcome it should have:
//! it is run and reported, and fails the test only once it passes (then the mark must go).
//!
//! `PM_CASE=name` runs one case, `PM_KEEP_SANDBOX=1` keeps its sandbox to look at;
//! `cargo test --test it adversarial -- --nocapture` prints the table of outcomes that
//! docs/HARDENING.md reports.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hasher};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::support::fs::{copy_tree, crate_path, walk};
use crate::support::run;

/// One `case.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// What the input is and why the expected outcome is the right one.
    about: String,
    /// Arguments after `pm`; `{out}` is the site output folder, `{repo}` the repository copy.
    args: Vec<String>,
    /// The expected exit code.
    status: i32,
    /// All of stdout, exactly.
    stdout: Option<String>,
    #[serde(default)]
    stdout_contains: Vec<String>,
    #[serde(default)]
    stdout_lacks: Vec<String>,
    /// All of stderr, exactly.
    stderr: Option<String>,
    #[serde(default)]
    stderr_contains: Vec<String>,
    #[serde(default)]
    stderr_lacks: Vec<String>,
    /// Extra environment variables.
    #[serde(default)]
    env: BTreeMap<String, String>,
    /// Seconds before the run counts as hung (and is killed).
    #[serde(default = "default_timeout")]
    timeout_secs: u64,
    /// A known problem: the outcome above is the one wanted, not yet the one had.
    pending: Option<String>,
    /// A bound on the peak memory (resident set) of the run.
    memory: Option<Memory>,
    /// A cap on the address space of the run (MB), for inputs that could exhaust memory.
    address_space_mb: Option<u64>,
    /// What to make in the repository copy before the run.
    #[serde(default)]
    setup: Vec<Setup>,
    /// Files of the built site and what they must (not) contain.
    #[serde(default)]
    site: Vec<SiteFile>,
    /// Strings no HTML or XML file of the built site may contain.
    #[serde(default)]
    site_lacks: Vec<String>,
}

fn default_timeout() -> u64 {
    60
}

/// Peak resident memory must stay below `factor` × the size of `of` + `plus_mb`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Memory {
    of: String,
    factor: f64,
    plus_mb: u64,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
enum Setup {
    /// A file made of parts: each `text` repeated `repeat` times, or until the file reaches
    /// `fill_to` bytes.
    File { path: String, parts: Vec<Part> },
    /// A symbolic link at `path` pointing to `target` (as written).
    Symlink { path: String, target: String },
    /// A named pipe: opening it for reading blocks until someone writes.
    Fifo { path: String },
    /// A file nobody may read. Root reads anything, so as root the run is started without
    /// the capabilities that let it (`setpriv`), or, without `setpriv`, the file is replaced
    /// by a symbolic link to a folder, which cannot be read either.
    Unreadable { path: String },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Part {
    text: String,
    repeat: Option<usize>,
    fill_to: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteFile {
    path: String,
    #[serde(default)]
    contains: Vec<String>,
    #[serde(default)]
    lacks: Vec<String>,
}

fn corpus() -> PathBuf {
    crate_path("tests/adversarial")
}

/// How a case ended.
struct Outcome {
    name: String,
    about: String,
    expected: String,
    failures: Vec<String>,
    notes: Vec<String>,
    pending: Option<String>,
}

#[test]
fn adversarial_corpus() {
    let only = std::env::var("PM_CASE").ok();
    let mut names: Vec<String> = std::fs::read_dir(corpus())
        .expect("tests/adversarial exists")
        .map(|e| e.expect("entry"))
        .filter(|e| e.path().join("case.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| only.as_ref().is_none_or(|o| o == n))
        .collect();
    names.sort();
    assert!(only.is_some() || names.len() >= 30, "the corpus lost cases: {names:?}");

    // Two at a time: the big cases take seconds, the machine has few cores.
    let queue = Mutex::new(names.clone());
    let outcomes = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().expect("queue").pop();
                    let Some(name) = next else { break };
                    let outcome = run_case(&name);
                    outcomes.lock().expect("outcomes").push(outcome);
                }
            });
        }
    });
    let mut outcomes = outcomes.into_inner().expect("outcomes");
    outcomes.sort_by(|a, b| a.name.cmp(&b.name));

    println!("| case | input | expected | result |");
    println!("| --- | --- | --- | --- |");
    let mut failed = Vec::new();
    for o in &outcomes {
        let result = match (&o.pending, o.failures.is_empty()) {
            (None, true) => "as expected".to_owned(),
            (None, false) => format!("FAILED: {}", o.failures.join("; ")),
            (Some(why), false) => {
                format!("pending (known issue: {why}): {}", o.failures.join("; "))
            }
            (Some(_), true) => "passes now: remove `pending` from its case.toml".to_owned(),
        };
        let notes =
            if o.notes.is_empty() { String::new() } else { format!(" ({})", o.notes.join(", ")) };
        println!("| {} | {} | {} | {result}{notes} |", o.name, o.about, o.expected);
        if o.pending.is_some() == o.failures.is_empty() {
            failed.push(format!("{}: {result}", o.name));
        }
    }
    assert!(failed.is_empty(), "adversarial cases failed:\n{}", failed.join("\n"));
}

fn run_case(name: &str) -> Outcome {
    let dir = corpus().join(name);
    let text = std::fs::read_to_string(dir.join("case.toml")).expect("read case.toml");
    let case: Case = match toml::from_str(&text) {
        Ok(case) => case,
        Err(e) => {
            return Outcome {
                name: name.to_owned(),
                about: String::new(),
                expected: String::new(),
                failures: vec![format!("case.toml: {e}")],
                notes: Vec::new(),
                pending: None,
            };
        }
    };
    let mut outcome = Outcome {
        name: name.to_owned(),
        about: case.about.split_whitespace().collect::<Vec<_>>().join(" "),
        expected: expected_text(&case),
        failures: Vec::new(),
        notes: Vec::new(),
        pending: case.pending.clone(),
    };
    if let Err(e) = run(&dir, &case, &mut outcome) {
        outcome.failures.push(e);
    }
    outcome
}

/// A short statement of the expected outcome, for the table.
fn expected_text(case: &Case) -> String {
    let command = case.args.first().map_or("", String::as_str);
    let mut parts = vec![format!("`pm {command}` exits {}", case.status)];
    if let Some(stdout) = &case.stdout {
        let diagnostics: Vec<&str> = stdout
            .lines()
            .filter_map(|l| l.split_once(": ").map(|(_, rest)| rest))
            .filter(|l| {
                l.starts_with("error[") || l.starts_with("warning[") || l.starts_with("info[")
            })
            .collect();
        if diagnostics.is_empty() {
            parts.push("no diagnostics".into());
        } else {
            parts.push(diagnostics.join(" / "));
        }
    }
    for c in case.stdout_contains.iter().chain(&case.stderr_contains) {
        parts.push(format!("says “{}”", c.trim()));
    }
    if !case.site.is_empty() || !case.site_lacks.is_empty() {
        parts.push("page shows the payload as text".into());
    }
    if let Some(m) = &case.memory {
        parts.push(format!("peak memory < {}× file + {} MB", m.factor, m.plus_mb));
    }
    parts.join("; ").replace('|', "\\|")
}

fn run(dir: &Path, case: &Case, outcome: &mut Outcome) -> Result<(), String> {
    let sandbox = tempfile::tempdir().map_err(|e| e.to_string())?;
    let repo = sandbox.path().join("repo");
    copy_tree(dir, &repo);
    std::fs::remove_file(repo.join("case.toml")).map_err(|e| e.to_string())?;
    let out = sandbox.path().join("nest/deeper/site");
    std::fs::create_dir_all(out.parent().expect("parent")).map_err(|e| e.to_string())?;

    let mut wrappers: Vec<String> = Vec::new();
    for step in &case.setup {
        setup(&repo, step, &mut wrappers, &mut outcome.notes)?;
    }
    if let Some(mb) = case.address_space_mb {
        let Some(prlimit) = which("prlimit") else {
            outcome.notes.push("skipped: needs prlimit to cap memory".into());
            return Ok(());
        };
        wrappers.splice(0..0, [prlimit, format!("--as={}", mb * 1024 * 1024), "--".into()]);
    }
    let before = snapshot(&repo);

    let args: Vec<String> = case
        .args
        .iter()
        .map(|a| {
            a.replace("{out}", &out.to_string_lossy()).replace("{repo}", &repo.to_string_lossy())
        })
        .collect();
    let memory_file = sandbox.path().join("nest/peak-memory");
    let gnu_time = case.memory.as_ref().and_then(|_| gnu_time());
    let mut program: Vec<String> = Vec::new();
    if let Some(time) = &gnu_time {
        program.extend([time.clone(), "-f".into(), "%M".into(), "-o".into()]);
        program.push(memory_file.to_string_lossy().into_owned());
    }
    program.extend(wrappers);
    program.push(run::BIN.to_owned());
    program.extend(args);

    let mut command = run::program(&program[0]);
    command
        .args(&program[1..])
        .current_dir(&repo)
        .env_remove("RUST_BACKTRACE")
        .envs(&case.env)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    {
        use std::os::unix::process::CommandExt as _;
        command.process_group(0);
    }
    let started = Instant::now();
    let mut child = command.spawn().map_err(|e| format!("cannot run {}: {e}", program[0]))?;
    let pid = child.id();
    let mut stdout_pipe = child.stdout.take().expect("stdout");
    let mut stderr_pipe = child.stderr.take().expect("stderr");
    let stdout_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout_pipe.read_to_end(&mut buf);
        buf
    });
    let stderr_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr_pipe.read_to_end(&mut buf);
        buf
    });
    // Without GNU time, the peak is read from /proc while the run lasts (the kernel keeps the
    // high-water mark, so only what happens after the last poll can be missed).
    let mut polled_peak_kb = 0u64;
    let timeout = Duration::from_secs(case.timeout_secs);
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(status);
        }
        if started.elapsed() > timeout {
            // The whole process group: a wrapper's child must not outlive the case.
            let _ = Command::new("kill").args(["-KILL", "--", &format!("-{pid}")]).status();
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        if case.memory.is_some() && gnu_time.is_none() {
            polled_peak_kb = polled_peak_kb.max(vm_hwm_kb(pid).unwrap_or(0));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stdout = String::from_utf8_lossy(&stdout_reader.join().expect("stdout")).into_owned();
    let stderr = String::from_utf8_lossy(&stderr_reader.join().expect("stderr")).into_owned();
    let failures = &mut outcome.failures;

    let Some(status) = status else {
        failures.push(format!("hung: killed after {} s", case.timeout_secs));
        return Ok(());
    };
    match status.code() {
        Some(code) if code == case.status => {}
        Some(code) => failures.push(format!(
            "exit {code}, expected {}; stderr: {}",
            case.status,
            first_line(&stderr)
        )),
        None => {
            failures.push(format!("killed by a signal ({status}); stderr: {}", first_line(&stderr)))
        }
    }
    if stderr.contains("panicked at") {
        failures.push(format!("panicked: {}", first_line(&stderr)));
    }
    if let Some(expected) = &case.stdout {
        if &stdout != expected {
            failures.push(format!("stdout differs:\n--- expected\n{expected}--- got\n{stdout}---"));
        }
    }
    if let Some(expected) = &case.stderr {
        if &stderr != expected {
            failures.push(format!("stderr differs:\n--- expected\n{expected}--- got\n{stderr}---"));
        }
    }
    check_text("stdout", &stdout, &case.stdout_contains, &case.stdout_lacks, failures);
    check_text("stderr", &stderr, &case.stderr_contains, &case.stderr_lacks, failures);

    if snapshot(&repo) != before {
        failures.push("the repository copy changed".into());
    }
    let stray = stray_files(sandbox.path(), &repo, &out, &memory_file);
    if !stray.is_empty() {
        failures.push(format!("written outside the output folder: {stray:?}"));
    }
    check_site(case, &out, failures);

    if let Some(memory) = &case.memory {
        let size = std::fs::metadata(repo.join(&memory.of)).map_err(|e| e.to_string())?.len();
        let bound_kb = (memory.factor * size as f64 / 1024.0) as u64 + memory.plus_mb * 1024;
        let (peak_kb, method) = match &gnu_time {
            Some(_) => (read_gnu_time(&memory_file), "GNU time"),
            None => (Some(polled_peak_kb), "VmHWM polled"),
        };
        match peak_kb {
            Some(peak) if peak > 0 => {
                outcome.notes.push(format!(
                    "peak {} MB for a {} MB file by {method}, bound {} MB, {:.1} s",
                    peak / 1024,
                    size / (1024 * 1024),
                    bound_kb / 1024,
                    started.elapsed().as_secs_f64()
                ));
                if peak > bound_kb {
                    failures.push(format!(
                        "peak memory {} MB is over the bound of {} MB",
                        peak / 1024,
                        bound_kb / 1024
                    ));
                }
            }
            _ => failures.push(format!("could not measure the peak memory ({method})")),
        }
    }
    if std::env::var_os("PM_KEEP_SANDBOX").is_some() {
        outcome.notes.push(format!("sandbox kept: {}", sandbox.keep().display()));
    }
    Ok(())
}

fn first_line(text: &str) -> &str {
    text.lines().find(|l| !l.trim().is_empty()).unwrap_or("")
}

/// A failure for each string of `contains` that `text` (named `name`) lacks, and for each of
/// `lacks` that it holds.
fn check_text(
    name: &str,
    text: &str,
    contains: &[String],
    lacks: &[String],
    failures: &mut Vec<String>,
) {
    for s in contains {
        if !text.contains(s.as_str()) {
            failures.push(format!("{name} lacks {s:?}: {}", first_line(text)));
        }
    }
    for s in lacks {
        if text.contains(s.as_str()) {
            failures.push(format!("{name} contains {s:?}"));
        }
    }
}

fn check_site(case: &Case, out: &Path, failures: &mut Vec<String>) {
    for file in &case.site {
        let Ok(bytes) = std::fs::read(out.join(&file.path)) else {
            let mut present: Vec<String> = walk(out).into_iter().map(|(rel, _)| rel).collect();
            present.retain(|p| p.starts_with(file.path.split('/').next().unwrap_or("")));
            failures.push(format!("the site has no {} (it has {present:?})", file.path));
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        check_text(&file.path, &text, &file.contains, &file.lacks, failures);
    }
    if case.site_lacks.is_empty() {
        return;
    }
    let files = walk(out);
    if files.is_empty() {
        failures.push("no site was built".into());
    }
    for (rel, path) in files {
        if !(rel.ends_with(".html") || rel.ends_with(".xml")) {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default()).into_owned();
        check_text(&rel, &text, &[], &case.site_lacks, failures);
    }
}

/// Paths in the sandbox that are neither the repository, the output, nor their parents.
fn stray_files(sandbox: &Path, repo: &Path, out: &Path, memory_file: &Path) -> Vec<String> {
    fn walk(dir: &Path, skip: &[&Path], found: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if skip.iter().any(|s| *s == path) {
                continue;
            }
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                walk(&path, skip, found);
                // A folder on the way to the output is expected, anything else is not.
                if !out_ancestor(&path, skip) {
                    found.push(path);
                }
            } else {
                found.push(path);
            }
        }
    }
    fn out_ancestor(path: &Path, skip: &[&Path]) -> bool {
        skip.iter().any(|s| s.starts_with(path))
    }
    let mut found = Vec::new();
    walk(sandbox, &[repo, out, memory_file], &mut found);
    found.iter().map(|p| p.strip_prefix(sandbox).unwrap_or(p).display().to_string()).collect()
}

fn setup(
    repo: &Path,
    step: &Setup,
    wrappers: &mut Vec<String>,
    notes: &mut Vec<String>,
) -> Result<(), String> {
    let path_of = |rel: &str| {
        let path = repo.join(rel);
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        path
    };
    match step {
        Setup::File { path, parts } => {
            use std::io::Write as _;
            let file = std::fs::File::create(path_of(path)).map_err(|e| e.to_string())?;
            let mut file = std::io::BufWriter::new(file);
            let mut written = 0u64;
            for part in parts {
                let times = match (part.repeat, part.fill_to) {
                    (Some(n), None) => n as u64,
                    (None, Some(size)) => {
                        size.saturating_sub(written) / (part.text.len().max(1) as u64)
                    }
                    (None, None) => 1,
                    (Some(_), Some(_)) => return Err("a part has both repeat and fill_to".into()),
                };
                for _ in 0..times {
                    file.write_all(part.text.as_bytes()).map_err(|e| e.to_string())?;
                }
                written += times * part.text.len() as u64;
            }
            file.flush().map_err(|e| e.to_string())?;
        }
        Setup::Symlink { path, target } => {
            std::os::unix::fs::symlink(target, path_of(path)).map_err(|e| e.to_string())?;
        }
        Setup::Fifo { path } => {
            let status = Command::new("mkfifo")
                .arg(path_of(path))
                .status()
                .map_err(|e| format!("mkfifo: {e}"))?;
            if !status.success() {
                return Err("mkfifo failed".into());
            }
        }
        Setup::Unreadable { path } => {
            use std::os::unix::fs::PermissionsExt as _;
            let file = path_of(path);
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000))
                .map_err(|e| e.to_string())?;
            if std::fs::read(&file).is_err() {
                notes.push("unreadable by chmod 000".into());
            } else if let Some(setpriv) = setpriv_that_works(&file) {
                // Root: run without the capabilities that override file permissions.
                wrappers.extend([setpriv, "--bounding-set".into(), DROP_CAPS.into(), "--".into()]);
                notes.push("chmod 000, run as root without CAP_DAC_OVERRIDE (setpriv)".into());
            } else {
                std::fs::remove_file(&file).map_err(|e| e.to_string())?;
                std::os::unix::fs::symlink(repo, &file).map_err(|e| e.to_string())?;
                notes.push("root without setpriv: a link to a folder instead".into());
            }
        }
    }
    Ok(())
}

const DROP_CAPS: &str = "-dac_override,-dac_read_search";

/// `setpriv`, when dropping the capabilities really stops root from reading `file`.
fn setpriv_that_works(file: &Path) -> Option<String> {
    let setpriv = which("setpriv")?;
    let status = Command::new(&setpriv)
        .args(["--bounding-set", DROP_CAPS, "--", "cat"])
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    (!status.success()).then_some(setpriv)
}

fn which(program: &str) -> Option<String> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
        .map(|p| p.to_string_lossy().into_owned())
}

/// `/usr/bin/time` when it is GNU time (which reports the peak resident set with `%M`).
fn gnu_time() -> Option<String> {
    let time = "/usr/bin/time";
    let output = Command::new(time).args(["-f", "%M", "true"]).output().ok()?;
    let text = String::from_utf8_lossy(&output.stderr);
    text.trim().parse::<u64>().ok().map(|_| time.to_owned())
}

/// The peak in KB from GNU time's output file (its last line that is a number).
fn read_gnu_time(file: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines().rev().find_map(|l| l.trim().parse().ok())
}

/// The high-water mark of the resident set of `pid`, in KB (Linux).
fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Every entry under `dir` without following links or opening special files: a hash of each
/// regular file, the target of each link, the kind and mode of everything else.
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            use std::os::unix::fs::PermissionsExt as _;
            let rel = format!("{prefix}{}", entry.file_name().to_string_lossy());
            let Ok(meta) = std::fs::symlink_metadata(entry.path()) else { continue };
            let mode = meta.permissions().mode();
            let kind = meta.file_type();
            let value = if kind.is_symlink() {
                format!("link to {:?}", std::fs::read_link(entry.path()).ok())
            } else if kind.is_dir() {
                walk(&entry.path(), &format!("{rel}/"), out);
                format!("folder {mode:o}")
            } else if kind.is_file() {
                match std::fs::read(entry.path()) {
                    Ok(bytes) => {
                        let mut hasher = DefaultHasher::new();
                        hasher.write(&bytes);
                        format!("file {mode:o} {} {:x}", bytes.len(), hasher.finish())
                    }
                    Err(e) => format!("file {mode:o} {} unreadable: {e}", meta.len()),
                }
            } else {
                format!("special {mode:o}")
            };
            out.insert(rel, value);
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, "", &mut out);
    out
}
