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
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context as _;

/// Receives every file of a site.
pub trait Writer: Sync {
    /// Writes `bytes` as the file `rel`, a `/`-separated path under the site root.
    fn write(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<()>;
}

/// Writes files into a folder on disk.
#[derive(Debug)]
pub struct Disk {
    dir: PathBuf,
}

impl Disk {
    /// A writer into `dir`, with the `folders` (relative to it) created up front: they are
    /// part of the site even when nothing is written into them, and files written into them
    /// need no check for a missing folder.
    pub fn new<'a>(dir: &Path, folders: impl IntoIterator<Item = &'a str>) -> anyhow::Result<Self> {
        for folder in folders {
            let path = dir.join(folder);
            std::fs::create_dir_all(&path)
                .with_context(|| format!("cannot create {}", path.display()))?;
        }
        Ok(Self { dir: dir.to_path_buf() })
    }
}

impl Writer for Disk {
    fn write(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let path = self.dir.join(rel);
        match std::fs::write(&path, bytes) {
            // A file in a folder not created up front (a theme asset in a subfolder).
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)
                        .with_context(|| format!("cannot create {}", parent.display()))?;
                }
                std::fs::write(&path, bytes)
            }
            written => written,
        }
        .with_context(|| format!("cannot write {}", path.display()))
    }
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
        let disk = Disk::new(tmp.path(), ["a/b", "c"]).expect("folders");
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
