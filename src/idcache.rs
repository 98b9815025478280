//! A cache of every postmortem's id, so a pre-commit check of one file in a repository of
//! thousands does not open every other file just to learn its id (duplicate ids and `related`
//! targets are repo-wide facts).
//!
//! Kept inside the git directory (`.git/pm-ids`), never in the work tree, and only when there is
//! one. An entry is trusted only while the file's size and modification time are unchanged and
//! the modification is older than the cache itself by a margin: a file rewritten within the
//! same clock tick as the cache was written ("racily clean", in git's words) is read again.
//! Every failure to read or write the cache just means reading the files.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Entries younger than this, relative to when the cache was written, are not trusted.
const RACY_MARGIN_NS: i128 = 2_000_000_000;
const HEADER: &str = "pm-ids v1";

/// The id cache of one repository.
#[derive(Debug, Default)]
pub struct IdCache {
    path: Option<PathBuf>,
    written_ns: i128,
    entries: HashMap<String, (u64, i128, String)>,
}

/// Size and modification time of a file, as the cache compares them.
pub type Stamp = (u64, i128);

/// The stamp of `path` (following symlinks), if it can be read.
pub fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    let mtime = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos();
    Some((meta.len(), i128::try_from(mtime).ok()?))
}

impl IdCache {
    /// Opens the cache of the repository at `root` (empty when there is none or no git
    /// directory to keep it in).
    pub fn open(root: &Path) -> Self {
        let Some(path) = git_dir(root).map(|g| g.join("pm-ids")) else { return Self::default() };
        let mut cache = Self { path: Some(path.clone()), ..Self::default() };
        let Ok(text) = std::fs::read_to_string(&path) else { return cache };
        let mut lines = text.lines();
        let Some(header) = lines.next() else { return cache };
        let Some(written) = header.strip_prefix(HEADER).and_then(|w| w.trim().parse().ok()) else {
            return cache;
        };
        cache.written_ns = written;
        for line in lines {
            let mut parts = line.split('\t');
            let (Some(rel), Some(len), Some(mtime), Some(id), None) =
                (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            if let (Ok(len), Ok(mtime)) = (len.parse(), mtime.parse()) {
                cache.entries.insert(rel.to_owned(), (len, mtime, id.to_owned()));
            }
        }
        cache
    }

    /// The cached id of `rel` if its `stamp` still matches and is safely older than the cache.
    pub fn get(&self, rel: &str, stamp: Stamp) -> Option<&str> {
        let (len, mtime, id) = self.entries.get(rel)?;
        let trusted =
            *len == stamp.0 && *mtime == stamp.1 && stamp.1 + RACY_MARGIN_NS < self.written_ns;
        trusted.then_some(id.as_str())
    }

    /// Replaces the cache with `entries` (path, stamp, id), unless nothing changed. Best effort:
    /// a cache that cannot be written is simply not there next time.
    pub fn save(&self, entries: &[(&str, Stamp, &str)]) {
        let Some(path) = &self.path else { return };
        let unchanged = entries.len() == self.entries.len()
            && entries.iter().all(|(rel, stamp, id)| self.get(rel, *stamp) == Some(id));
        if unchanged {
            return;
        }
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let mut text = format!("{HEADER} {now}\n");
        for (rel, (len, mtime), id) in entries {
            if !rel.contains(['\t', '\n']) && !id.contains(['\t', '\n']) {
                text.push_str(&format!("{rel}\t{len}\t{mtime}\t{id}\n"));
            }
        }
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let written = std::fs::File::create(&tmp).and_then(|mut f| f.write_all(text.as_bytes()));
        if written.is_err() || std::fs::rename(&tmp, path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

/// The `.git` directory of the work tree holding `root`, if it is a plain directory.
fn git_dir(root: &Path) -> Option<PathBuf> {
    let root = root.canonicalize().ok()?;
    root.ancestors().map(|d| d.join(".git")).find(|g| g.is_dir())
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
        assert_eq!(cache.get("a.md", (s.0 + 1, s.1)), None);
        assert_eq!(cache.get("a.md", (s.0, s.1 + 1)), None);
        // A file modified just before the cache was written is not trusted (racily clean).
        std::fs::write(&file, "---\nid: B\n---\n").expect("write");
        let fresh = stamp(&file).expect("stamp");
        cache.save(&[("a.md", fresh, "B")]);
        assert_eq!(IdCache::open(dir.path()).get("a.md", fresh), None);
    }

    #[test]
    fn no_git_dir_no_cache() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = IdCache::open(dir.path());
        cache.save(&[("a.md", (1, 1), "A")]);
        assert!(std::fs::read_dir(dir.path()).expect("read").next().is_none());
    }
}
