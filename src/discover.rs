//! Finds the postmortem files of a repository.
//!
//! Walks the configured folder with `ignore`, so `.gitignore`d drafts and build output are
//! skipped as git would skip them. Symlinked folders are not followed (no loops); symlinked
//! files are read like files when they lead to a place inside the repository, and reported
//! as a walk problem when they lead outside it (a committed `x.md -> /home/u/notes.md` would
//! publish that file). The results are sorted once at the end (not folder by folder during the
//! walk, which costs more), so every later step is deterministic.

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

/// A markdown file of the postmortems folder that is not a postmortem by `[check] ignore`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Repo-relative path.
    pub rel: String,
    /// The glob it matched, as written.
    pub pattern: String,
}

/// The `[check] ignore` globs, compiled: relative to the postmortems folder, case-insensitive.
#[derive(Debug, Clone, Default)]
pub struct Ignore {
    set: globset::GlobSet,
    patterns: Vec<String>,
}

impl Ignore {
    /// Compiles `patterns`; the error names the first that is not a glob.
    pub fn new<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        let mut builder = globset::GlobSetBuilder::new();
        let mut kept = Vec::new();
        for pattern in patterns {
            let glob = globset::GlobBuilder::new(pattern)
                .case_insensitive(true)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("`{pattern}` is not a glob: {}", e.kind()))?;
            builder.add(glob);
            kept.push(pattern.to_owned());
        }
        let set = builder.build().map_err(|e| e.to_string())?;
        Ok(Self { set, patterns: kept })
    }

    /// The pattern `rel` (relative to the postmortems folder) matches, if any.
    pub fn matched(&self, rel: &str) -> Option<&str> {
        self.set.matches(rel).first().map(|&i| self.patterns[i].as_str())
    }
}

/// Whether `path` names a postmortem file by its name: `*.md` or `*.markdown`, but not a
/// `_partial.md`.
pub fn is_postmortem_name(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    (lower.ends_with(".md") || lower.ends_with(".markdown")) && !lower.starts_with('_')
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

/// Every postmortem under `root/folder`, sorted by path; the markdown files `ignore` matches
/// are returned apart.
pub fn discover(
    root: &Path,
    folder: &str,
    ignore: &Ignore,
) -> (Vec<Found>, Vec<WalkProblem>, Vec<Skipped>) {
    let base = root.join(folder);
    let mut found = Vec::new();
    let mut problems = Vec::new();
    let mut skipped = Vec::new();
    if !base.is_dir() {
        return (found, problems, skipped);
    }
    let walker =
        ignore::WalkBuilder::new(&base).follow_links(false).require_git(false).hidden(true).build();
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
                    let inside = relative(&base, entry.path());
                    if let Some(pattern) = ignore.matched(&inside) {
                        let rel = relative(root, entry.path());
                        skipped.push(Skipped { rel, pattern: pattern.to_owned() });
                        continue;
                    }
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
    // The walk is not asked to sort each folder (its sort closure took a tenth of a one-file
    // check in a 10,000-file repository); the results are sorted once here instead.
    found.sort();
    problems.sort_by(|a, b| (&a.rel, &a.message).cmp(&(&b.rel, &b.message)));
    skipped.sort_by(|a, b| a.rel.cmp(&b.rel));
    (found, problems, skipped)
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

#[cfg(test)]
mod tests {
    use super::Ignore;

    #[test]
    fn ignore_globs_are_relative_case_insensitive_and_stay_in_their_folder() {
        let ignore = Ignore::new(["**/README.md", "drafts/*.md"]).expect("globs");
        assert_eq!(ignore.matched("README.md"), Some("**/README.md"));
        assert_eq!(ignore.matched("2026/readme.MD"), Some("**/README.md"));
        assert_eq!(ignore.matched("drafts/agenda.md"), Some("drafts/*.md"));
        assert_eq!(ignore.matched("drafts/2026/INC-1.md"), None, "`*` stops at a `/`");
        assert_eq!(ignore.matched("2026/INC-2026-0001-readme.md"), None);
        let err = Ignore::new(["notes/[x.md"]).expect_err("not a glob");
        assert!(err.contains("notes/[x.md"), "{err}");
    }
}
