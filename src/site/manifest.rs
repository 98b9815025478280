//! The manifest of a built site: what each file of the previous build holds, so the next build
//! rewrites only what changed.
//!
//! Every site `pm build` writes carries, beside its marker, a `.pm-manifest` file: one line per
//! file, its path, size, a hash of its bytes and the key of what it was rendered from (see
//! [`Key`]). It is written into the staging folder last and swapped in with the site, so it
//! always describes the very tree it sits in. The next build reads it from the output folder
//! (only one carrying the marker) and, for a file whose key or bytes are the same, hard-links
//! the previous file into its staging folder instead of writing it again: the swap stays the
//! same atomic exchange, and removing the previous site then only unlinks names.
//!
//! The manifest is trusted only as far as it is cheap to check: a file of the wrong version or
//! whose closing checksum does not match is ignored (a full build), and a previous file is
//! reused only when it is still a regular file of the size the manifest gives.
//!
//! Its content is deterministic (no times, no inode numbers), so an incremental build and a
//! full one of the same repository write byte-identical sites, manifest included.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
#[cfg(not(target_os = "linux"))]
use std::path::PathBuf;

use xxhash_rust::xxh3::{Xxh3, xxh3_128};

/// The manifest's file name, at the top of the site.
pub const FILE: &str = ".pm-manifest";

const HEADER: &str = "pm-manifest 1";

/// A 128-bit hash of the inputs a file was rendered from: the same key, the same bytes.
pub type Key = u128;

/// What the manifest says of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Hash of the file's bytes.
    pub hash: u128,
    /// Its size in bytes.
    pub size: u64,
    /// The key of its inputs, when it was rendered from a keyed page.
    pub key: Option<Key>,
}

impl Entry {
    /// The entry of `bytes`, rendered from `key`.
    pub fn of(bytes: &[u8], key: Option<Key>) -> Self {
        Self { hash: xxh3_128(bytes), size: bytes.len() as u64, key }
    }
}

/// The previous site, as its manifest describes it.
#[derive(Debug)]
pub struct Previous {
    dir: Dir,
    entries: HashMap<String, Entry>,
}

impl Previous {
    /// The manifest of the site in `dir`, or `None` when there is none or it cannot be
    /// trusted: the build then writes every file.
    pub fn read(dir: &Path) -> Option<Self> {
        if !dir.join(crate::site::output::MARKER).is_file() {
            return None;
        }
        let dir = Dir::open(dir)?;
        let text = String::from_utf8(dir.read(FILE)?).ok()?;
        let entries = parse(&text)?;
        Some(Self { dir, entries })
    }

    /// What the manifest says of the previous file `rel`, when it is still a regular file of
    /// the recorded size.
    pub fn entry(&self, rel: &str) -> Option<Entry> {
        let entry = *self.entries.get(rel)?;
        (self.dir.size(rel)? == entry.size).then_some(entry)
    }

    /// Every previous file under `prefix` rendered from inputs whose hash is `key`, with its
    /// entry, sorted by path; `None` when there is none, or when one of them is no longer the
    /// file the manifest describes: a group of files made together is reused whole or not at
    /// all.
    pub fn group(&self, prefix: &str, key: Key) -> Option<Vec<(String, Entry)>> {
        let mut group: Vec<(String, Entry)> = self
            .entries
            .iter()
            .filter(|(rel, e)| e.key == Some(key) && rel.starts_with(prefix))
            .map(|(rel, e)| (rel.clone(), *e))
            .collect();
        if group.is_empty() || group.iter().any(|(rel, _)| self.entry(rel).is_none()) {
            return None;
        }
        group.sort_by(|a, b| a.0.cmp(&b.0));
        Some(group)
    }

    /// Hard-links the previous file `rel` as `to`.
    pub fn link(&self, rel: &str, to: &Path) -> std::io::Result<()> {
        self.dir.link(rel, to)
    }

    /// How many files the manifest lists.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it lists none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The previous site's folder. On Linux it is held open, and its files are read and linked
/// relative to it: when another build swaps its own site in meanwhile, this one still reads
/// the site its manifest describes (or, once that is removed, finds nothing to link and
/// writes), never the other build's files under the same names.
#[cfg(target_os = "linux")]
#[derive(Debug)]
struct Dir(rustix::fd::OwnedFd);

#[cfg(target_os = "linux")]
impl Dir {
    fn open(path: &Path) -> Option<Self> {
        use rustix::fs::{Mode, OFlags, open};
        open(path, OFlags::DIRECTORY | OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty())
            .ok()
            .map(Self)
    }

    fn read(&self, rel: &str) -> Option<Vec<u8>> {
        use rustix::fs::{Mode, OFlags, openat};
        let flags = OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOFOLLOW;
        let fd = openat(&self.0, rel, flags, Mode::empty()).ok()?;
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::fs::File::from(fd), &mut bytes).ok()?;
        Some(bytes)
    }

    fn size(&self, rel: &str) -> Option<u64> {
        use rustix::fs::{AtFlags, FileType, statat};
        let stat = statat(&self.0, rel, AtFlags::SYMLINK_NOFOLLOW).ok()?;
        (FileType::from_raw_mode(stat.st_mode) == FileType::RegularFile)
            .then(|| u64::try_from(stat.st_size).ok())
            .flatten()
    }

    fn link(&self, rel: &str, to: &Path) -> std::io::Result<()> {
        use rustix::fs::{AtFlags, CWD, linkat};
        linkat(&self.0, rel, CWD, to, AtFlags::empty()).map_err(std::io::Error::from)
    }
}

/// The previous site's folder, by path where it cannot be held open.
#[cfg(not(target_os = "linux"))]
#[derive(Debug)]
struct Dir(PathBuf);

#[cfg(not(target_os = "linux"))]
impl Dir {
    fn open(path: &Path) -> Option<Self> {
        Some(Self(path.to_path_buf()))
    }

    fn read(&self, rel: &str) -> Option<Vec<u8>> {
        std::fs::read(self.0.join(rel)).ok()
    }

    fn size(&self, rel: &str) -> Option<u64> {
        let meta = std::fs::symlink_metadata(self.0.join(rel)).ok()?;
        meta.file_type().is_file().then(|| meta.len())
    }

    fn link(&self, rel: &str, to: &Path) -> std::io::Result<()> {
        std::fs::hard_link(self.0.join(rel), to)
    }
}

/// The manifest text of `entries`: sorted by path, closed by a line with the count and a
/// checksum of everything above it, so a truncated or edited manifest is recognised.
pub fn render(entries: &HashMap<String, Entry>) -> String {
    let mut paths: Vec<&String> = entries.keys().collect();
    paths.sort();
    let mut out = String::with_capacity(entries.len() * 120 + 64);
    out.push_str(HEADER);
    out.push('\n');
    for path in paths {
        let e = &entries[path];
        let key = e.key.map_or_else(|| "-".to_owned(), |k| format!("{k:032x}"));
        let _ = writeln!(out, "{:032x} {} {key} {path}", e.hash, e.size);
    }
    crate::seal::close(&mut out, entries.len());
    out
}

fn parse(text: &str) -> Option<HashMap<String, Entry>> {
    let (body, count) = crate::seal::open(text)?;
    let mut lines = body.lines();
    if lines.next()? != HEADER {
        return None;
    }
    let mut entries = HashMap::new();
    for line in lines {
        let mut parts = line.splitn(4, ' ');
        let hash = u128::from_str_radix(parts.next()?, 16).ok()?;
        let size = parts.next()?.parse().ok()?;
        let key = match parts.next()? {
            "-" => None,
            k => Some(u128::from_str_radix(k, 16).ok()?),
        };
        let path = parts.next()?;
        // Only plain relative paths: a manifest must not lead a build outside the site.
        if path.is_empty()
            || path.starts_with('/')
            || path.split('/').any(|p| p.is_empty() || p == "." || p == "..")
        {
            return None;
        }
        entries.insert(path.to_owned(), Entry { hash, size, key });
    }
    (entries.len() == count).then_some(entries)
}

/// Builds a [`Key`] from the pieces a page is rendered from.
#[derive(Clone)]
pub struct KeyHasher(Xxh3);

impl std::fmt::Debug for KeyHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyHasher")
    }
}

impl Default for KeyHasher {
    fn default() -> Self {
        Self(Xxh3::new())
    }
}

impl KeyHasher {
    /// Adds `bytes`, length-prefixed so that two pieces never run into each other.
    pub fn bytes(&mut self, bytes: &[u8]) -> &mut Self {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    /// Adds a string.
    pub fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    /// Adds a key.
    pub fn key(&mut self, key: Key) -> &mut Self {
        self.bytes(&key.to_le_bytes())
    }

    /// Adds a value as the JSON it serializes to; `false` if it cannot be serialized (the
    /// page is then rendered, never skipped).
    pub fn json<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> bool {
        let mut writer = HashWriter { hasher: &mut self.0, len: 0 };
        let ok = serde_json::to_writer(&mut writer, value).is_ok();
        let len = writer.len;
        self.0.update(&len.to_le_bytes());
        ok
    }

    /// The key.
    pub fn finish(&self) -> Key {
        self.0.digest128()
    }
}

struct HashWriter<'a> {
    hasher: &'a mut Xxh3,
    len: u64,
}

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.hasher.update(buf);
        self.len += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_damage() {
        let mut entries = HashMap::new();
        entries.insert("a/b c.html".to_owned(), Entry::of(b"hello", Some(7)));
        entries.insert("x.json".to_owned(), Entry::of(b"{}", None));
        let text = render(&entries);
        assert_eq!(parse(&text), Some(entries.clone()));
        assert_eq!(parse(&text[..text.len() - 5]), None, "truncated");
        assert_eq!(parse(&text.replacen("a/b", "a/d", 1)), None, "edited");
        assert_eq!(parse(""), None);
        assert_eq!(parse("garbage\nend 0 0\n"), None);
        let evil = {
            let mut e = HashMap::new();
            e.insert("../x".to_owned(), Entry::of(b"", None));
            render(&e)
        };
        assert_eq!(parse(&evil), None, "paths outside the site");
    }
}
