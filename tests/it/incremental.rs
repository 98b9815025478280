//! Incremental builds: a build over a previous site reuses the files and skips the pages whose
//! inputs did not change (the site's `.pm-manifest`), and what it leaves is byte for byte what a
//! full `--no-cache` build of the same tree writes.
//!
//! One generated repository goes through edits that reach other pages in different ways (a
//! body, a title shown on lists and backlinks, a link to another postmortem's file, a rename, a
//! deletion, an addition, a theme override, another "today", the configuration); after each,
//! the incremental site is compared with a full build of the same tree, every file, and the
//! build's own count of files written and pages not rendered shows the cache did its work.

use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::support::fs::{crate_path, files, walk};
use crate::support::run::{pm, succeed, text};

const TODAY: &str = "2026-06-30";

/// A repository of `count` generated postmortems (bench/generate.py, seeded).
fn generated(count: usize, out: &Path) {
    let status = std::process::Command::new("python3")
        .arg(crate_path("bench/generate.py"))
        .args(["--count", &count.to_string(), "--seed", "11", "--today", TODAY, "--out"])
        .arg(out)
        .stdout(Stdio::null())
        .status()
        .expect("python3 runs bench/generate.py (python3 is needed by this test)");
    assert!(status.success(), "bench/generate.py failed");
}

/// What a build said it did (`PM_TIMINGS`): files written, files reused, pages not rendered.
#[derive(Debug, Clone, Copy)]
struct Work {
    written: usize,
    reused: usize,
    unrendered: usize,
    /// The search index was reused whole, not built again.
    search_reused: bool,
}

/// `pm build` of `repo` into `out`, with `extra` arguments.
fn build(repo: &Path, out: &Path, today: &str, extra: &[&str]) -> Work {
    let output = succeed(
        pm(["build", "--today", today, "--out"])
            .arg(out)
            .arg("--root")
            .arg(repo)
            .args(extra)
            .env("PM_TIMINGS", "1"),
    );
    let stderr = text(&output.stderr);
    let line = stderr
        .split_once("files: ")
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(counts, _)| counts)
        .unwrap_or_else(|| panic!("no file counts in: {stderr}"));
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().expect("a number"))
        .collect();
    let [written, reused, unrendered] = numbers[..] else { panic!("cannot read {line:?}") };
    let search_reused = stderr.contains("reused from the previous build");
    Work { written, reused, unrendered, search_reused }
}

/// Builds `repo` incrementally into `out` and fully into `full`, and asserts both sites are
/// the same files with the same bytes.
#[track_caller]
fn same_as_full(step: &str, repo: &Path, out: &Path, full: &Path, today: &str) -> Work {
    let work = build(repo, out, today, &[]);
    build(repo, full, today, &["--no-cache"]);
    let count = assert_same_site(step, out, full);
    println!("{step}: {work:?} of {count} files");
    work
}

/// Asserts the site in `site` is the one in `full`, file for file and byte for byte; how many
/// files it has.
#[track_caller]
fn assert_same_site(step: &str, site: &Path, full: &Path) -> usize {
    let (site, full) = (files(site), files(full));
    if site != full {
        let mut differs: Vec<String> = site
            .iter()
            .filter(|(k, v)| full.get(*k) != Some(v))
            .map(|(k, _)| k.clone())
            .chain(full.keys().filter(|k| !site.contains_key(*k)).map(|k| format!("-{k}")))
            .collect();
        differs.truncate(20);
        panic!("{step}: the site differs from a full build in {differs:?}");
    }
    site.len()
}

/// Inode of every file under `dir` but the marker and the manifest, written by every build.
fn inodes(dir: &Path) -> Vec<(String, u64)> {
    walk(dir)
        .into_iter()
        .filter(|(rel, _)| rel != ".pm-site" && rel != ".pm-manifest")
        .map(|(rel, path)| (rel, std::fs::metadata(path).expect("stat").ino()))
        .collect()
}

/// The postmortem files of `repo`, sorted.
fn postmortems(repo: &Path) -> Vec<PathBuf> {
    walk(&repo.join("postmortems"))
        .into_iter()
        .filter(|(rel, _)| rel.ends_with(".md"))
        .map(|(_, path)| path)
        .collect()
}

fn edit(path: &Path, change: impl FnOnce(String) -> String) {
    let before = std::fs::read_to_string(path).expect("read");
    let after = change(before.clone());
    assert_ne!(before, after, "{} should change", path.display());
    std::fs::write(path, after).expect("write");
}

#[test]
fn incremental_builds_are_byte_identical_to_full_ones() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    generated(150, &repo);
    let (out, full) = (tmp.path().join("site"), tmp.path().join("full"));
    let count = postmortems(&repo).len();

    let first = same_as_full("first build", &repo, &out, &full, TODAY);
    assert_eq!((first.reused, first.unrendered), (0, 0), "nothing to reuse: {first:?}");
    assert!(!first.search_reused, "{first:?}");

    // Nothing changed: no file written, no page rendered, every file the same inode.
    let before = inodes(&out);
    let again = same_as_full("no change", &repo, &out, &full, TODAY);
    assert_eq!(again.written, 0, "{again:?}");
    assert!(again.unrendered > count, "every page skipped: {again:?}");
    assert!(again.search_reused, "the search index is reused whole: {again:?}");
    let after = inodes(&out);
    let moved: Vec<&String> =
        after.iter().filter(|f| !before.contains(f)).map(|(rel, _)| rel).collect();
    assert!(moved.is_empty(), "unchanged files keep their inode, not {moved:?}");

    let docs = postmortems(&repo);
    let (edited, linked, retitled, removed, renamed) =
        (&docs[3], &docs[4], &docs[20], &docs[30], &docs[40]);
    // A body edit with a link to another postmortem's file: only a few pages render again.
    let link = linked.file_name().and_then(|n| n.to_str()).expect("name").to_owned();
    let relative = if linked.parent() == edited.parent() {
        link.clone()
    } else {
        format!(
            "../{}/{link}",
            linked.parent().and_then(|p| p.file_name()).and_then(|n| n.to_str()).expect("folder")
        )
    };
    edit(edited, |t| {
        format!("{t}\n\nA later note on zyxwvut retries, see [the other one]({relative}).\n")
    });
    let one = same_as_full("one body edited", &repo, &out, &full, TODAY);
    assert!(!one.search_reused, "a body edit changes the search index: {one:?}");
    assert!(one.unrendered >= count - 5, "most postmortem pages skipped: {one:?}");
    assert!(one.written * 4 < one.written + one.reused, "most files reused: {one:?}");

    // The linked file renamed: the linking page must follow it.
    let moved = linked.with_file_name(format!("moved-{link}"));
    std::fs::rename(linked, &moved).expect("rename");
    same_as_full("linked file renamed", &repo, &out, &full, TODAY);

    edit(retitled, |t| t.replacen("\ntitle: ", "\ntitle: Renamed, ", 1));
    same_as_full("one title edited", &repo, &out, &full, TODAY);

    std::fs::rename(renamed, renamed.with_file_name("renamed-file.md")).expect("rename");
    same_as_full("one file renamed", &repo, &out, &full, TODAY);

    std::fs::remove_file(removed).expect("remove");
    same_as_full("one file removed", &repo, &out, &full, TODAY);

    // An addition: a copy of another postmortem under a new id.
    let source = std::fs::read_to_string(&docs[50]).expect("read");
    let id =
        source.lines().find_map(|l| l.strip_prefix("id: ")).expect("an id line").trim().to_owned();
    let added = source.replace(&id, "INC-2026-9999").replacen("\ntitle: ", "\ntitle: Added ", 1);
    std::fs::write(docs[50].with_file_name("INC-2026-9999-added.md"), added).expect("write");
    same_as_full("one file added", &repo, &out, &full, TODAY);

    // Another day: overdue badges and "open for" figures may change.
    same_as_full("another today", &repo, &out, &full, "2026-09-30");

    // A theme override changes every page: none may be reused without rendering.
    std::fs::create_dir_all(repo.join("site-theme")).expect("mkdir");
    let css = std::fs::read_to_string(crate_path("site-theme/style.css")).expect("css");
    std::fs::write(repo.join("site-theme/style.css"), format!("{css}\n/* local */\n"))
        .expect("write");
    let themed = same_as_full("theme override", &repo, &out, &full, "2026-09-30");
    assert_eq!(themed.unrendered, 0, "a theme change renders every page: {themed:?}");

    // The configuration: a new site title shows on every page.
    edit(&repo.join("pm.toml"), |t| t.replacen("title = \"", "title = \"New ", 1));
    let configured = same_as_full("config edited", &repo, &out, &full, "2026-09-30");
    assert_eq!(configured.unrendered, 0, "{configured:?}");
}

#[test]
fn a_damaged_manifest_or_an_edited_site_is_not_trusted() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    generated(30, &repo);
    let (out, full) = (tmp.path().join("site"), tmp.path().join("full"));
    let all = same_as_full("first build", &repo, &out, &full, TODAY).written;

    // A manifest cut short is ignored as a whole: every file is written again.
    let manifest = out.join(".pm-manifest");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    std::fs::write(&manifest, &text[..text.len() / 2]).expect("truncate");
    let work = same_as_full("truncated manifest", &repo, &out, &full, TODAY);
    assert_eq!((work.written, work.reused), (all, 0), "{work:?}");

    // A file of the site edited by hand (another size) is written again, not reused. The
    // previous site's files are replaced, never written through: the edited file's inode
    // still holds the edit.
    let page = out.join("index.html");
    std::fs::write(&page, "edited by hand").expect("write");
    let held = std::fs::File::open(&page).expect("open");
    let work = same_as_full("a page edited by hand", &repo, &out, &full, TODAY);
    assert_eq!(work.written, 1, "{work:?}");
    let mut kept = String::new();
    std::io::Read::read_to_string(&mut &held, &mut kept).expect("read");
    assert_eq!(kept, "edited by hand");

    // One search file missing from the previous site: the index is built again as a whole
    // (it is reused whole or not at all), and the result is the same.
    let shard = walk(&out.join("search/d")).into_iter().next().expect("a document block").1;
    std::fs::remove_file(&shard).expect("remove");
    let work = same_as_full("a search file removed", &repo, &out, &full, TODAY);
    assert!(!work.search_reused, "{work:?}");
    let again = same_as_full("after the search file came back", &repo, &out, &full, TODAY);
    assert!(again.search_reused, "{again:?}");

    // `--no-cache` writes everything, and the result is the same.
    let work = build(&repo, &out, TODAY, &["--no-cache"]);
    assert_eq!((work.written, work.reused), (all, 0), "{work:?}");
    assert_eq!(files(&out), files(&full));
}

/// A running `pm serve` on `repo` whose stderr lines arrive on a channel; killed when dropped.
struct Serving {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Serving {
    fn start(repo: &Path, tmp: &Path) -> Self {
        let mut child = crate::support::run::program(crate::support::run::BIN)
            .args(["serve", "--port", "0", "--no-reload", "--today", TODAY, "--root"])
            .arg(repo)
            .env("TMPDIR", tmp)
            .env("PM_TIMINGS", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start pm serve");
        let stderr = child.stderr.take().expect("stderr");
        let (send, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)) {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Self { child, lines }
    }

    /// Waits for the next build's summary and gives how many documents it remembered from the
    /// build before, and how many chunks of search tokens when the index was built (its
    /// `PM_TIMINGS` line).
    #[track_caller]
    fn built(&self, step: &str) -> (usize, Option<usize>) {
        let mut remembered = None;
        let mut chunks = None;
        loop {
            let line = self
                .lines
                .recv_timeout(std::time::Duration::from_secs(120))
                .unwrap_or_else(|e| panic!("{step}: no build of pm serve within 120 s ({e})"));
            assert!(!line.starts_with("error"), "{step}: {line}");
            if let Some((_, rest)) = line.split_once("documents: ") {
                remembered = rest.split(' ').next().and_then(|n| n.parse().ok());
            }
            if let Some((before, _)) = line.split_once(" chunks remembered") {
                let (before, _) = before.rsplit_once(" of ").expect("N of M chunks");
                chunks = before.rsplit(' ').next().and_then(|n| n.parse().ok());
            }
            if line.starts_with("Built ") {
                let remembered = remembered.unwrap_or_else(|| panic!("{step}: no document count"));
                return (remembered, chunks);
            }
        }
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn serve_rebuilds_remember_unchanged_documents_and_match_full_builds() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    generated(40, &repo);
    let (served_tmp, full) = (tmp.path().join("tmp"), tmp.path().join("full"));
    std::fs::create_dir(&served_tmp).expect("mkdir");
    let count = postmortems(&repo).len();
    let server = Serving::start(&repo, &served_tmp);
    let site = || -> PathBuf {
        let dir = std::fs::read_dir(&served_tmp)
            .expect("TMPDIR")
            .flatten()
            .find(|e| e.file_name().to_string_lossy().starts_with("pm-serve-"))
            .expect("the folder of pm serve");
        dir.path().join("site")
    };
    let same = |step: &str| {
        build(&repo, &full, TODAY, &["--no-cache"]);
        assert_same_site(step, &site(), &full);
    };
    assert_eq!(server.built("first build"), (0, Some(0)));
    same("first build");

    // Each change is a new size, which the watcher sees at its next poll.
    let docs = postmortems(&repo);
    edit(&docs[3], |t| format!("{t}\n\nA note added while serving.\n"));
    let (remembered, chunks) = server.built("one body edited");
    assert_eq!(remembered, count - 1, "only the edited file is parsed");
    assert!(chunks > Some(0), "the search tokens of the other files are reused: {chunks:?}");
    same("one body edited");

    edit(&docs[7], |t| t.replacen("\ntitle: ", "\ntitle: Renamed while serving, ", 1));
    assert_eq!(server.built("one title edited").0, count - 1);
    same("one title edited");

    edit(&docs[9], |t| t.replacen("---\n", "---\nbroken: [\n", 1));
    assert_eq!(server.built("front matter broken").0, count - 1);
    same("front matter broken");

    std::fs::remove_file(&docs[12]).expect("remove");
    assert_eq!(server.built("one file removed").0, count - 1, "every file left is remembered");
    same("one file removed");

    // The configuration is among every verdict's inputs: nothing is remembered.
    edit(&repo.join("pm.toml"), |t| t.replacen("title = \"", "title = \"Served ", 1));
    assert_eq!(server.built("config edited").0, 0, "a new configuration parses everything");
    same("config edited");
}
