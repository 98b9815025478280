//! When `pm serve` looks for changes: as soon as the system says a watched file changed
//! (inotify and its kin, through `notify`), and on a slow poll besides, since events can be
//! lost (an overflowed queue, a folder created after the watch began, a network file system).
//! Events only wake the loop early; whether anything changed is decided by a fingerprint of the
//! watched files (names, sizes and modification times), so a missed or spurious event changes
//! how soon a rebuild starts, never whether it happens.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, SystemTime};

/// How often the files are fingerprinted when no event comes: the whole wait without a
/// watcher, a safety net with one.
const POLL: Duration = Duration::from_millis(500);
const POLL_WATCHED: Duration = Duration::from_secs(2);

/// After an event, how long to wait for the rest of a save: an editor writes a temporary file,
/// renames it and touches its folder, and one rebuild should follow, not three.
const SETTLE: Duration = Duration::from_millis(40);

/// Waits for changes to a set of paths.
pub struct Watch {
    paths: Vec<PathBuf>,
    last: u64,
    events: Option<(notify::RecommendedWatcher, Receiver<()>)>,
}

impl Watch {
    /// Watches `paths` (files or folders, which need not exist yet). Without a working
    /// watcher, it polls.
    pub fn new(paths: Vec<PathBuf>) -> Self {
        let last = fingerprint(&paths);
        let events = watcher(&paths);
        Self { paths, last, events }
    }

    /// Blocks until the watched files differ from when this was last called (or created).
    pub fn changed(&mut self) {
        loop {
            match &self.events {
                Some((_, events)) => {
                    if wait(events, POLL_WATCHED) {
                        // Let the rest of the save land, and drop the events it made.
                        std::thread::sleep(SETTLE);
                        while events.try_recv().is_ok() {}
                    }
                }
                None => std::thread::sleep(POLL),
            }
            let now = fingerprint(&self.paths);
            if now != self.last {
                self.last = now;
                return;
            }
        }
    }
}

/// Whether an event came within `timeout`. A watcher that went away is waited on as a poll.
fn wait(events: &Receiver<()>, timeout: Duration) -> bool {
    match events.recv_timeout(timeout) {
        Ok(()) => true,
        Err(RecvTimeoutError::Timeout) => false,
        Err(RecvTimeoutError::Disconnected) => {
            std::thread::sleep(POLL);
            false
        }
    }
}

/// A watcher sending `()` on every event under `paths`: each existing folder recursively, and
/// the folder of each file (its own watch would be lost when an editor replaces the file).
fn watcher(paths: &[PathBuf]) -> Option<(notify::RecommendedWatcher, Receiver<()>)> {
    use notify::Watcher as _;
    let (send, receive) = std::sync::mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if event.is_ok() {
            let _ = send.send(());
        }
    })
    .ok()?;
    let mut watched = 0;
    for path in paths {
        let (target, mode) = if path.is_dir() {
            (path.as_path(), notify::RecursiveMode::Recursive)
        } else {
            match path.parent() {
                Some(parent) if parent.is_dir() => (parent, notify::RecursiveMode::NonRecursive),
                _ => continue,
            }
        };
        if watcher.watch(target, mode).is_ok() {
            watched += 1;
        }
    }
    (watched > 0).then_some((watcher, receive))
}

/// Names, sizes and modification times of every file under `paths`, folded into one number.
/// Links are not followed (the build reads regular files only), so a link cycle in the
/// repository cannot make the walk endless.
fn fingerprint(paths: &[PathBuf]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    let mut stack: Vec<PathBuf> = paths.to_vec();
    while let Some(path) = stack.pop() {
        let Ok(meta) = std::fs::symlink_metadata(&path) else { continue };
        if meta.is_dir() {
            if let Ok(entries) = std::fs::read_dir(&path) {
                let mut children: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
                children.sort();
                stack.extend(children);
            }
            continue;
        }
        hash = fold(hash, &path, &meta);
    }
    hash
}

fn fold(mut hash: u64, path: &Path, meta: &std::fs::Metadata) -> u64 {
    let modified = meta
        .modified()
        .ok()
        .and_then(|m| m.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as u64);
    let len = meta.len();
    for bytes in [path.to_string_lossy().as_bytes(), &len.to_le_bytes(), &modified.to_le_bytes()] {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_under_a_watched_folder_or_to_a_watched_file_is_seen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (folder, file) = (dir.path().join("postmortems"), dir.path().join("pm.toml"));
        std::fs::create_dir(&folder).expect("mkdir");
        std::fs::write(&file, "a").expect("write");
        let mut watch = Watch::new(vec![file.clone(), folder.clone()]);
        let saves: [&dyn Fn(); 3] = [
            &|| std::fs::write(folder.join("a.md"), "new").expect("write"),
            &|| std::fs::write(&file, "ab").expect("write"),
            // An editor's save: a temporary file renamed over the original.
            &|| {
                std::fs::write(dir.path().join("pm.toml.tmp"), "abc").expect("write");
                std::fs::rename(dir.path().join("pm.toml.tmp"), &file).expect("rename");
            },
        ];
        for save in saves {
            let before = fingerprint(&watch.paths);
            save();
            watch.changed();
            assert_ne!(watch.last, before);
            assert_eq!(watch.last, fingerprint(&watch.paths));
        }
    }
}
