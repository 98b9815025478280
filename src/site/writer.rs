//! Where rendered files go: the one place a site is written.
//!
//! Every output of a build (page, feed, data file, asset, search shard) is rendered to memory
//! first, as a path under the site root and its bytes, and handed to a [`Writer`]. A build
//! writes to [`Disk`], into its staging folder ([`crate::site::output`]); rendering one page on
//! its own ([`crate::site::single`]) collects it in [`Memory`], so a page can be tested and
//! fuzzed without touching the disk.
//!
//! Pages render in parallel and each is handed over as soon as it is rendered, so a writer is
//! shared between threads and memory stays flat however many postmortems there are.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context as _;

use crate::site::manifest::{self, Entry, Key, Previous};

/// Receives every file of a site.
pub trait Writer: Sync {
    /// Writes `bytes` as the file `rel`, a `/`-separated path under the site root.
    fn write(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<()>;

    /// Writes `bytes` as the file `rel`, rendered from inputs whose hash is `key`.
    fn write_keyed(&self, rel: &str, bytes: &[u8], key: Option<Key>) -> anyhow::Result<()> {
        let _ = key;
        self.write(rel, bytes)
    }

    /// Puts the previous build's file `rel` in place when it was rendered from the same
    /// inputs (`key`); `false` when the page must be rendered.
    fn reuse(&self, rel: &str, key: Key) -> bool {
        let _ = (rel, key);
        false
    }

    /// Puts in place every file under `prefix` that the previous build made from the same
    /// inputs (`key`), and gives their paths and sizes; `None` (and nothing put in place) when
    /// the group must be made again.
    fn reuse_group(&self, prefix: &str, key: Key) -> Option<Vec<(String, u64)>> {
        let _ = (prefix, key);
        None
    }

    /// The bytes of a file already handed to the writer (written or reused).
    fn read_back(&self, rel: &str) -> Option<Vec<u8>> {
        let _ = rel;
        None
    }
}

/// Writes files into a folder on disk, reusing (hard-linking) the files of the previous site
/// that are the same (see [`crate::site::manifest`]).
#[derive(Debug)]
pub struct Disk {
    dir: PathBuf,
    previous: Option<Previous>,
    entries: Mutex<HashMap<String, Entry>>,
    written: AtomicUsize,
    reused: AtomicUsize,
}

impl Disk {
    /// A writer into `dir`, with the `folders` (relative to it) created up front: they are
    /// part of the site even when nothing is written into them, and files written into them
    /// need no check for a missing folder. Files the same as in `previous` are linked from it.
    pub fn new<'a>(
        dir: &Path,
        folders: impl IntoIterator<Item = &'a str>,
        previous: Option<Previous>,
    ) -> anyhow::Result<Self> {
        for folder in folders {
            let path = dir.join(folder);
            std::fs::create_dir_all(&path)
                .with_context(|| format!("cannot create {}", path.display()))?;
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            previous,
            entries: Mutex::new(HashMap::new()),
            written: AtomicUsize::new(0),
            reused: AtomicUsize::new(0),
        })
    }

    /// Files written so far.
    pub fn written(&self) -> usize {
        self.written.load(Ordering::Relaxed)
    }

    /// Files of the previous site reused so far.
    pub fn reused(&self) -> usize {
        self.reused.load(Ordering::Relaxed)
    }

    /// Writes the manifest of everything written, the last file of the site.
    pub fn finish(&self) -> anyhow::Result<()> {
        let text = {
            let entries = self
                .entries
                .lock()
                .map_err(|_| anyhow::anyhow!("cannot write the site manifest: a page failed"))?;
            manifest::render(&entries)
        };
        let path = self.dir.join(manifest::FILE);
        write_new(&path, text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))
    }

    fn record(&self, rel: &str, entry: Entry) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(rel.to_owned(), entry);
        }
    }

    /// Links the previous site's file `rel` into the staging folder; `false` when the system
    /// cannot (another filesystem, the previous site removed meanwhile by another build).
    fn link(&self, previous: &Previous, rel: &str) -> bool {
        let path = self.dir.join(rel);
        let linked = match previous.link(rel, &path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // A folder not created up front (a theme asset in a subfolder), or the
                // previous file gone: one more try after creating the folder tells.
                path.parent().is_some_and(|p| std::fs::create_dir_all(p).is_ok())
                    && previous.link(rel, &path).is_ok()
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                std::fs::remove_file(&path).is_ok() && previous.link(rel, &path).is_ok()
            }
            linked => linked.is_ok(),
        };
        if linked {
            self.reused.fetch_add(1, Ordering::Relaxed);
        }
        linked
    }
}

impl Writer for Disk {
    fn write(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
        self.write_keyed(rel, bytes, None)
    }

    fn write_keyed(&self, rel: &str, bytes: &[u8], key: Option<Key>) -> anyhow::Result<()> {
        let entry = Entry::of(bytes, key);
        if let Some(previous) = &self.previous {
            if previous.entry(rel).is_some_and(|p| p.hash == entry.hash) && self.link(previous, rel)
            {
                self.record(rel, entry);
                return Ok(());
            }
        }
        let path = self.dir.join(rel);
        write_new(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        self.written.fetch_add(1, Ordering::Relaxed);
        self.record(rel, entry);
        Ok(())
    }

    fn reuse_group(&self, prefix: &str, key: Key) -> Option<Vec<(String, u64)>> {
        let previous = self.previous.as_ref()?;
        let group = previous.group(prefix, key)?;
        for (n, (rel, _)) in group.iter().enumerate() {
            if !self.link(previous, rel) {
                // Undo: a group is reused whole, or written anew by a step that expects an
                // empty place.
                for (linked, _) in &group[..n] {
                    let _ = std::fs::remove_file(self.dir.join(linked));
                }
                self.reused.fetch_sub(n, Ordering::Relaxed);
                return None;
            }
        }
        Some(
            group
                .into_iter()
                .map(|(rel, entry)| {
                    self.record(&rel, entry);
                    (rel, entry.size)
                })
                .collect(),
        )
    }

    fn read_back(&self, rel: &str) -> Option<Vec<u8>> {
        std::fs::read(self.dir.join(rel)).ok()
    }

    fn reuse(&self, rel: &str, key: Key) -> bool {
        let Some(previous) = &self.previous else { return false };
        match previous.entry(rel) {
            Some(entry) if entry.key == Some(key) && self.link(previous, rel) => {
                self.record(rel, entry);
                true
            }
            _ => false,
        }
    }
}

/// Writes `bytes` as a new file at `path`. A file already there is replaced, never written
/// through: it may be a link to the previous site, which must stay as it was until the swap.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let create = || std::fs::OpenOptions::new().write(true).create_new(true).open(path);
    let mut file = match create() {
        // A file in a folder not created up front (a theme asset in a subfolder).
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            create()?
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::remove_file(path)?;
            create()?
        }
        file => file?,
    };
    file.write_all(bytes)
}

/// Keeps the files in memory, by path.
#[derive(Debug, Default)]
pub struct Memory {
    files: Mutex<HashMap<String, Vec<u8>>>,
}

impl Memory {
    /// The file written as `rel`, taken out of the collection.
    pub fn take(&self, rel: &str) -> Option<Vec<u8>> {
        self.files.lock().ok()?.remove(rel)
    }
}

impl Writer for Memory {
    fn write(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
        self.files
            .lock()
            .map_err(|_| anyhow::anyhow!("cannot keep {rel}: another page failed while kept"))?
            .insert(rel.to_owned(), bytes.to_vec());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disk_creates_folders_and_writes() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let disk = Disk::new(tmp.path(), ["a/b", "c"], None).expect("folders");
        assert!(tmp.path().join("a/b").is_dir() && tmp.path().join("c").is_dir());
        disk.write("c/x.html", b"x").expect("write");
        disk.write("assets/fonts/y.woff2", b"y").expect("a folder made on demand");
        assert_eq!(std::fs::read(tmp.path().join("c/x.html")).expect("read"), b"x");
        assert_eq!(std::fs::read(tmp.path().join("assets/fonts/y.woff2")).expect("read"), b"y");
    }

    #[test]
    fn memory_keeps_what_was_written() {
        let memory = Memory::default();
        memory.write("postmortems/a.html", b"<p>a</p>").expect("write");
        assert_eq!(memory.take("postmortems/a.html").as_deref(), Some(&b"<p>a</p>"[..]));
        assert_eq!(memory.take("postmortems/a.html"), None);
    }
}
