//! Paths that must stay inside the repository: the one definition of "inside".
//!
//! A path is inside the repository when the place it names, once every symbolic link on the
//! way is followed, is the repository root or below it. A path naming something that does not
//! exist yet (an output folder, a cache file) is judged by its deepest existing ancestor,
//! resolved, plus the components that do not exist yet; a `..` among those is refused, since
//! nothing on disk says where it leads. Lexical checks alone are not enough: `public` is
//! outside when `public` is a committed link to `/var/www`.
//!
//! Every path `pm` reads from or writes to on the repository's behalf goes through
//! [`resolve`]: the configured folders (checked when `pm.toml` is loaded), the atomic writer,
//! the theme and the files `pm new` and `pm init` create. Paths a user types on the command line
//! for one run (`pm build --out`) are the user's choice and are not held to it.

use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

/// A path that leads outside the repository.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{} leads outside the repository {}{}",
    path.display(),
    root.display(),
    if resolved.as_os_str().is_empty() {
        String::new()
    } else {
        format!(" (to {})", resolved.display())
    }
)]
pub struct Outside {
    /// The path as given.
    pub path: PathBuf,
    /// Where it leads, when that is known.
    pub resolved: PathBuf,
    /// The repository root.
    pub root: PathBuf,
}

/// Where `path` (relative to `root`, or absolute) leads, with every symbolic link followed;
/// an error when that is not `root` or below it.
pub fn resolve(root: &Path, path: &Path) -> Result<PathBuf, Outside> {
    let outside = |resolved: PathBuf| Outside {
        path: path.to_path_buf(),
        resolved,
        root: root.to_path_buf(),
    };
    let real_root = std::fs::canonicalize(root).map_err(|_| outside(PathBuf::new()))?;
    let joined = root.join(path);
    // The deepest ancestor that exists (as anything, a dangling link included), and the
    // components below it that do not.
    let mut existing = joined.as_path();
    let mut missing: Vec<OsString> = Vec::new();
    while std::fs::symlink_metadata(existing).is_err() {
        match (existing.parent(), existing.components().next_back()) {
            (Some(parent), Some(Component::Normal(name))) => {
                missing.push(name.to_os_string());
                existing = parent;
            }
            // `..` or `.` below a folder that does not exist: nothing says where it leads.
            _ => return Err(outside(PathBuf::new())),
        }
    }
    // A dangling link resolves nowhere: refuse it rather than guess where it would create.
    let mut resolved = std::fs::canonicalize(existing).map_err(|_| outside(PathBuf::new()))?;
    for name in missing.iter().rev() {
        resolved.push(name);
    }
    if resolved.starts_with(&real_root) { Ok(resolved) } else { Err(outside(resolved)) }
}

/// Whether `path` is a symbolic link itself (not following it); false when it does not exist.
pub fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_outside_and_through_links() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("repo");
        let away = tmp.path().join("away");
        std::fs::create_dir_all(root.join("postmortems")).expect("mkdir");
        std::fs::create_dir_all(&away).expect("mkdir");
        assert!(resolve(&root, Path::new("postmortems")).is_ok());
        assert!(resolve(&root, Path::new("public/deeper")).is_ok(), "not yet existing");
        assert!(resolve(&root, Path::new(".")).is_ok(), "the root itself");
        assert!(resolve(&root, Path::new("postmortems/../postmortems")).is_ok());
        assert!(resolve(&root, Path::new("../away")).is_err());
        assert!(resolve(&root, Path::new("/")).is_err());
        assert!(resolve(&root, &away).is_err(), "absolute");
        assert!(resolve(&root, Path::new("missing/../../away")).is_err());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&away, root.join("link")).expect("symlink");
            let e = resolve(&root, Path::new("link/public")).expect_err("through a link");
            assert!(e.to_string().contains("leads outside the repository"), "{e}");
            std::os::unix::fs::symlink(away.join("nothing"), root.join("dangling"))
                .expect("symlink");
            assert!(resolve(&root, Path::new("dangling")).is_err());
            assert!(is_symlink(&root.join("dangling")));
            assert!(!is_symlink(&root.join("postmortems")));
        }
    }
}
