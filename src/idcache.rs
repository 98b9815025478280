//! A cache of every postmortem's id, so a pre-commit check of one file in a repository of
//! thousands does not open every other file just to learn its id (duplicate ids and `related`
//! targets are repo-wide facts).
//!
//! Kept inside the git directory (`.git/pm-ids`), never in the work tree, and only when there is
//! one. It is an optimisation only: every failure to read or write it, and every entry it cannot
//! vouch for, just means reading that file, so a one-file check reports exactly what a full
//! check reports for that file.
//!
//! **What "unchanged" means here.** An entry is trusted while the file's stamp — size,
//! modification time, status-change time and inode, as `stat` gives them (git's own test of a
//! clean file) — is the one recorded, and the file's modification time is older than the cache
//! itself by a margin: a file rewritten within the same clock tick as the cache was written ("racily
//! clean", in git's words) is read again. The status-change time cannot be set back by tools
//! (`touch -r`, `tar x`, `cp -a` restore only the modification time), and a file replaced by
//! another (a rename, an editor's save-by-rename) has a new inode. The cache also names the work
//! tree it was written for, so one copied with its `.git`, or shared by nested work trees, is
//! ignored.
//!
//! **What it costs, and what we chose not to do.** Each file is still walked and `stat`ed, which
//! on a 10,000-file repository is the floor of a one-file check (see docs/BENCHMARKS.md). Cheaper
//! sources were weighed and refused, because each can give a different answer than reading the
//! files: git's index records stamps only as of the last `git add`/`git status`, so it cannot
//! see an unstaged edit without the same `stat`; a folder's modification time changes when a
//! file is added, removed or renamed but not when one is edited in place (so an id changed in
//! place would be missed); and taking the id from the file name (which `id-filename-mismatch`
//! asks for) misses a file whose name and id disagree until that file itself is checked.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Entries changed less than this before the cache was written are not trusted.
const RACY_MARGIN_NS: i128 = 2_000_000_000;
const HEADER: &str = "pm-ids v2";

/// The id cache of one repository.
#[derive(Debug, Default)]
pub struct IdCache {
    path: Option<PathBuf>,
    /// The canonical work tree the cache is for (written in its header).
    root: String,
    written_ns: i128,
    entries: HashMap<String, (Stamp, String)>,
}

/// What the cache compares to decide a file is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// Size in bytes.
    pub len: u64,
    /// Modification time, in nanoseconds since the epoch.
    pub mtime_ns: i128,
    /// Status-change time (ctime) in nanoseconds since the epoch; 0 where there is none.
    pub ctime_ns: i128,
    /// Inode number; 0 where there is none.
    pub ino: u64,
}

/// The stamp of `path` (following symlinks), if it can be read.
pub fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    let mtime = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos();
    let mtime_ns = i128::try_from(mtime).ok()?;
    #[cfg(unix)]
    let (ctime_ns, ino) = {
        use std::os::unix::fs::MetadataExt as _;
        (i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()), meta.ino())
    };
    #[cfg(not(unix))]
    let (ctime_ns, ino) = (0, 0);
    Some(Stamp { len: meta.len(), mtime_ns, ctime_ns, ino })
}

impl IdCache {
    /// Opens the cache of the repository at `root` (empty when there is none, when it was written
    /// for another work tree or cannot be read, or when there is no git directory to keep it in).
    pub fn open(root: &Path) -> Self {
        let Some(Location { file: path, root, .. }) = locate(root, "pm-ids") else {
            return Self::default();
        };
        let mut cache = Self { path: Some(path.clone()), root, ..Self::default() };
        let Ok(text) = std::fs::read_to_string(&path) else { return cache };
        let mut lines = text.lines();
        let Some(written) = lines.next().and_then(|h| cache.header_time(h)) else {
            return cache;
        };
        for line in lines {
            let fields: Vec<&str> = line.split('\t').collect();
            let [rel, len, mtime, ctime, ino, id] = fields[..] else { continue };
            let (Ok(len), Ok(mtime_ns), Ok(ctime_ns), Ok(ino)) =
                (len.parse(), mtime.parse(), ctime.parse(), ino.parse())
            else {
                continue;
            };
            let stamp = Stamp { len, mtime_ns, ctime_ns, ino };
            cache.entries.insert(rel.to_owned(), (stamp, id.to_owned()));
        }
        cache.written_ns = written;
        cache
    }

    /// The time the cache was written, from its header line, if the header is of this version
    /// and names this work tree.
    fn header_time(&self, header: &str) -> Option<i128> {
        let mut parts = header.split('\t');
        let (Some(HEADER), Some(written), Some(root), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        (root == self.root).then(|| written.parse().ok()).flatten()
    }

    /// The cached id of `rel` if its `stamp` still matches and is safely older than the cache.
    pub fn get(&self, rel: &str, stamp: Stamp) -> Option<&str> {
        let (cached, id) = self.entries.get(rel)?;
        let trusted = *cached == stamp && stamp.mtime_ns + RACY_MARGIN_NS < self.written_ns;
        trusted.then_some(id.as_str())
    }

    /// Replaces the cache with `entries` (path, stamp, id), unless nothing changed. Best effort:
    /// a cache that cannot be written is simply not there next time.
    pub fn save(&self, entries: &[(&str, Stamp, &str)]) {
        let Some(path) = &self.path else { return };
        if self.root.contains(['\t', '\n', '\r']) {
            return;
        }
        let unchanged = entries.len() == self.entries.len()
            && entries.iter().all(|(rel, stamp, id)| self.get(rel, *stamp) == Some(id));
        if unchanged {
            return;
        }
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let mut text = format!("{HEADER}\t{now}\t{}\n", self.root);
        for (rel, s, id) in entries {
            if !rel.contains(['\t', '\n', '\r']) && !id.contains(['\t', '\n', '\r']) {
                text.push_str(&format!(
                    "{rel}\t{}\t{}\t{}\t{}\t{id}\n",
                    s.len, s.mtime_ns, s.ctime_ns, s.ino
                ));
            }
        }
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let written = std::fs::File::create(&tmp).and_then(|mut f| f.write_all(text.as_bytes()));
        if written.is_err() || std::fs::rename(&tmp, path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

/// Where a cache of the repository at some root is kept.
#[derive(Debug, Clone)]
pub struct Location {
    /// The cache file, in the git directory.
    pub file: PathBuf,
    /// The folder holding the git directory (the git work tree, at or above the root).
    pub work_tree: PathBuf,
    /// The canonical root, as text: a cache names the work tree it was written for in its
    /// header, so one copied with its `.git`, or shared by nested roots, is ignored.
    pub root: String,
}

/// Where the cache called `name` of the repository at `root` is kept: in the `.git` directory
/// of the work tree holding `root`, if that is a plain directory (not a linked work tree's
/// `.git` file, not a bare repository). `None`: no cache.
pub fn locate(root: &Path, name: &str) -> Option<Location> {
    let root = root.canonicalize().ok()?;
    let work_tree = root.ancestors().find(|d| d.join(".git").is_dir())?.to_path_buf();
    let file = work_tree.join(".git").join(name);
    Some(Location { file, work_tree, root: root.to_string_lossy().into_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_staleness() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join(".git")).expect("git dir");
        let file = dir.path().join("a.md");
        std::fs::write(&file, "---\nid: A\n---\n").expect("write");
        let old = SystemTime::now() - std::time::Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(&file)
            .and_then(|f| f.set_modified(old))
            .expect("mtime");
        let s = stamp(&file).expect("stamp");

        let cache = IdCache::open(dir.path());
        assert_eq!(cache.get("a.md", s), None);
        cache.save(&[("a.md", s, "A")]);
        let cache = IdCache::open(dir.path());
        assert_eq!(cache.get("a.md", s), Some("A"));
        // A changed size or time is a miss.
        assert_eq!(cache.get("a.md", Stamp { len: s.len + 1, ..s }), None);
        assert_eq!(cache.get("a.md", Stamp { mtime_ns: s.mtime_ns + 1, ..s }), None);
        // So is a changed status-change time or inode (an edit whose mtime was set back, a
        // file replaced by another).
        assert_eq!(cache.get("a.md", Stamp { ctime_ns: s.ctime_ns + 1, ..s }), None);
        assert_eq!(cache.get("a.md", Stamp { ino: s.ino + 1, ..s }), None);
        // A file modified just before the cache was written is not trusted (racily clean).
        std::fs::write(&file, "---\nid: B\n---\n").expect("write");
        let fresh = stamp(&file).expect("stamp");
        cache.save(&[("a.md", fresh, "B")]);
        assert_eq!(IdCache::open(dir.path()).get("a.md", fresh), None);
    }

    #[test]
    fn a_cache_for_another_work_tree_or_unreadable_is_empty() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join(".git")).expect("git dir");
        let s = Stamp { len: 1, mtime_ns: 1, ctime_ns: 1, ino: 1 };
        let ids = dir.path().join(".git/pm-ids");
        for text in [
            "pm-ids v2\t99999999999999999999\t/elsewhere\na.md\t1\t1\t1\t1\tA\n".to_owned(),
            "pm-ids v1 99999999999999999999\na.md\t1\t1\tA\n".to_owned(),
            "\u{0}\u{1}garbage\n\t\t\n".to_owned(),
            String::new(),
        ] {
            std::fs::write(&ids, text).expect("write");
            assert_eq!(IdCache::open(dir.path()).get("a.md", s), None);
        }
        std::fs::write(&ids, [0xff, 0xfe, b'\n']).expect("write");
        assert_eq!(IdCache::open(dir.path()).get("a.md", s), None);
    }

    #[test]
    fn no_git_dir_no_cache() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = IdCache::open(dir.path());
        cache.save(&[("a.md", Stamp { len: 1, mtime_ns: 1, ctime_ns: 1, ino: 1 }, "A")]);
        assert!(std::fs::read_dir(dir.path()).expect("read").next().is_none());
    }
}
