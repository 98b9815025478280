//! Replacing a file atomically: the one way `pm` writes a file a user or another run may be
//! reading (an edited postmortem, the ticket cache).
//!
//! The new contents go to a temporary file in the same folder (same file system), are flushed to
//! disk, get the original's permissions, and are renamed over the original (through a symlink,
//! to its target). A reader sees the old file or the new one, never half of either, and a crash
//! leaves the old file as it was.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Writes `contents` to `path`, replacing any file there atomically.
pub fn write(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    swap_in(path, contents, |_| Ok(()))
}

/// Replaces the file at `path` with `contents` atomically, provided it still holds `expected`:
/// a file that changed since it was read (an editor saved it meanwhile) is left alone, with an
/// error of kind [`std::io::ErrorKind::Other`] saying so.
pub fn replace(path: &Path, expected: &[u8], contents: &[u8]) -> std::io::Result<()> {
    swap_in(path, contents, |target| {
        if std::fs::read(target)? != expected {
            return Err(std::io::Error::other(
                "the file changed while pm was working on it; nothing was written, run the command again",
            ));
        }
        Ok(())
    })
}

fn swap_in(
    path: &Path,
    contents: &[u8],
    still_current: impl FnOnce(&Path) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let target = match std::fs::canonicalize(path) {
        Ok(target) => target,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => path.to_path_buf(),
        Err(e) => return Err(e),
    };
    let folder = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let permissions = match std::fs::metadata(&target) {
        Ok(m) => Some(m.permissions()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let (temp, mut file) = temp_file(&folder, &name).map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("cannot create a temporary file in {}: {e}", folder.display()),
        )
    })?;
    let written = (|| {
        file.write_all(contents)?;
        file.sync_all()?;
        drop(file);
        if let Some(permissions) = permissions {
            std::fs::set_permissions(&temp, permissions)?;
        }
        still_current(&target)?;
        std::fs::rename(&temp, &target)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

fn temp_file(folder: &Path, name: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
    let mut last = None;
    for n in 0..100 {
        let temp = folder.join(format!(".{name}.pm-{}-{n}.tmp", std::process::id()));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free temporary file name")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_replaces_and_refuses_a_changed_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.md");
        write(&path, b"one").expect("create");
        assert_eq!(std::fs::read(&path).expect("read"), b"one");
        replace(&path, b"one", b"two").expect("replace");
        assert_eq!(std::fs::read(&path).expect("read"), b"two");
        let e = replace(&path, b"one", b"three").expect_err("changed meanwhile");
        assert!(e.to_string().contains("changed while pm was working"), "{e}");
        assert_eq!(std::fs::read(&path).expect("read"), b"two", "left alone");
        let names: Vec<_> = std::fs::read_dir(dir.path()).expect("ls").flatten().collect();
        assert_eq!(names.len(), 1, "no temporary file is left behind");
    }
}
