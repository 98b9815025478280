//! Finds the postmortem files of a repository.
//!
//! Walks the configured folder with `ignore`, so `.gitignore`d drafts and build output are
//! skipped as git would skip them. Symlinked folders are not followed (no loops); symlinked
//! files are read like files when they lead to a place inside the repository, and reported
//! as a walk problem when they lead outside it (a committed `x.md -> /home/u/notes.md` would
//! publish that file). The result is sorted, so every later step is deterministic.

use std::path::{Path, PathBuf};

/// One postmortem file found on disk.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Found {
    /// Repo-relative, `/`-separated path (what diagnostics show).
    pub rel: String,
    /// Absolute path (what is read).
    pub abs: PathBuf,
}

/// A folder that could not be walked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkProblem {
    /// Repo-relative path, when known.
    pub rel: String,
    /// What went wrong.
    pub message: String,
}

/// Whether `path` names a postmortem file by its name: `*.md` or `*.markdown`, but not a
/// folder's `README.md` or a `_partial.md`.
pub fn is_postmortem_name(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    (lower.ends_with(".md") || lower.ends_with(".markdown"))
        && lower != "readme.md"
        && !lower.starts_with('_')
}

/// The repo-relative `/` form of `abs` under `root`.
pub fn relative(root: &Path, abs: &Path) -> String {
    let rel = abs.strip_prefix(root).unwrap_or(abs).to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        rel.into_owned()
    } else {
        rel.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

/// Every postmortem under `root/folder`, sorted by path.
pub fn discover(root: &Path, folder: &str) -> (Vec<Found>, Vec<WalkProblem>) {
    let base = root.join(folder);
    let mut found = Vec::new();
    let mut problems = Vec::new();
    if !base.is_dir() {
        return (found, problems);
    }
    let walker = ignore::WalkBuilder::new(&base)
        .follow_links(false)
        .require_git(false)
        .hidden(true)
        .sort_by_file_name(std::ffi::OsStr::cmp)
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                if !is_dir && is_postmortem_name(entry.path()) && entry.path_is_symlink() {
                    // A link that resolves nowhere (dangling, a loop) is left to the reader,
                    // which says why it cannot be read.
                    if let Err(out) = crate::contain::resolve(root, entry.path()) {
                        if !out.resolved.as_os_str().is_empty() {
                            problems.push(WalkProblem {
                                rel: relative(root, entry.path()),
                                message: format!(
                                    "a symbolic link leading outside the repository (to {}): \
                                     pm reads only files inside it",
                                    out.resolved.display()
                                ),
                            });
                            continue;
                        }
                    }
                }
                if !is_dir && is_postmortem_name(entry.path()) {
                    found.push(Found {
                        rel: relative(root, entry.path()),
                        abs: entry.path().to_path_buf(),
                    });
                }
            }
            Err(e) => {
                let rel =
                    error_path(&e).map(|p| relative(root, p)).unwrap_or_else(|| folder.to_owned());
                problems.push(WalkProblem { rel, message: e.to_string() });
            }
        }
    }
    found.sort();
    (found, problems)
}

fn error_path(e: &ignore::Error) -> Option<&Path> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}
