//! Replacing a file atomically: the one way `pm` writes a file in a repository that a user or
//! another run may be reading (an edited postmortem, the ticket cache, CODEOWNERS, an ejected
//! theme file).
//!
//! The new contents go to a temporary file in the same folder (same file system), are flushed to
//! disk, get the original's permissions, and are renamed over the original. A reader sees the
//! old file or the new one, never half of either, and a crash leaves the old file as it was.
//!
//! It is also the one place that decides what a write may touch, because a repository is
//! written by many people and some of its files may be symbolic links planted to redirect a
//! write: the file must be inside the repository root (its folder resolved through every link,
//! [`crate::contain`]), and a symbolic link in the file's place is refused, never written
//! through, whether it dangles (the write would create its target anywhere) or not (it would
//! overwrite any file the user can write).

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Writes `contents` to `path` inside the repository at `root` (creating its folder),
/// replacing any file there atomically.
pub fn write(root: &Path, path: &Path, contents: &[u8]) -> std::io::Result<()> {
    swap_in(root, path, contents, |_| Ok(()))
}

/// Replaces the file at `path` with `contents` atomically, provided it still holds `expected`:
/// a file that changed since it was read (an editor saved it meanwhile) is left alone, with an
/// error of kind [`std::io::ErrorKind::Other`] saying so.
pub fn replace(root: &Path, path: &Path, expected: &[u8], contents: &[u8]) -> std::io::Result<()> {
    swap_in(root, path, contents, |target| {
        if std::fs::read(target)? != expected {
            return Err(std::io::Error::other(
                "the file changed while pm was working on it; nothing was written, run the command again",
            ));
        }
        Ok(())
    })
}

/// Checks that `path` may be written: inside `root` (its folder resolved through every link)
/// and not a symbolic link itself. Errors are of kind [`std::io::ErrorKind::InvalidInput`].
pub fn check_target(root: &Path, path: &Path) -> std::io::Result<()> {
    if crate::contain::is_symlink(path) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "refusing to write {}: it is a symbolic link, and pm never writes through one. \
                 Replace it with a regular file (or remove it) and run the command again",
                path.display()
            ),
        ));
    }
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    crate::contain::resolve(root, folder).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("refusing to write {}: its folder {e}", path.display()),
        )
    })?;
    Ok(())
}

fn swap_in(
    root: &Path,
    path: &Path,
    contents: &[u8],
    still_current: impl FnOnce(&Path) -> std::io::Result<()>,
) -> std::io::Result<()> {
    check_target(root, path)?;
    let target = path.to_path_buf();
    let folder = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // Checked above: the folder is inside the repository, so creating it creates nothing
    // elsewhere.
    std::fs::create_dir_all(&folder)?;
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let permissions = match std::fs::symlink_metadata(&target) {
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
        // A link put in the file's place since the check is replaced, not followed: rename
        // never follows a link at its destination.
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
        write(dir.path(), &path, b"one").expect("create");
        assert_eq!(std::fs::read(&path).expect("read"), b"one");
        replace(dir.path(), &path, b"one", b"two").expect("replace");
        assert_eq!(std::fs::read(&path).expect("read"), b"two");
        let e = replace(dir.path(), &path, b"one", b"three").expect_err("changed meanwhile");
        assert!(e.to_string().contains("changed while pm was working"), "{e}");
        assert_eq!(std::fs::read(&path).expect("read"), b"two", "left alone");
        let names: Vec<_> = std::fs::read_dir(dir.path()).expect("ls").flatten().collect();
        assert_eq!(names.len(), 1, "no temporary file is left behind");
    }

    #[cfg(unix)]
    #[test]
    fn never_writes_through_a_link_or_outside_the_root() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("repo");
        std::fs::create_dir_all(&root).expect("mkdir");
        let victim = tmp.path().join("victim.txt");
        std::fs::write(&victim, "theirs").expect("write");
        std::os::unix::fs::symlink(&victim, root.join("link.txt")).expect("symlink");
        std::os::unix::fs::symlink(tmp.path().join("made.txt"), root.join("dangling.txt"))
            .expect("symlink");
        std::os::unix::fs::symlink(tmp.path(), root.join("away")).expect("symlink");
        for name in ["link.txt", "dangling.txt", "away/victim.txt", "../victim.txt"] {
            let e = write(&root, &root.join(name), b"mine").expect_err(name);
            assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput, "{name}: {e}");
        }
        let e = replace(&root, &root.join("link.txt"), b"theirs", b"mine").expect_err("link");
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert_eq!(std::fs::read_to_string(&victim).expect("read"), "theirs");
        assert!(!tmp.path().join("made.txt").exists());
    }
}
