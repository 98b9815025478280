//! Postmortem ids, and creating a postmortem's file without ever overwriting one.
//!
//! An id is `PREFIX-YEAR-NNNN`; `pm new` takes the next number after the highest one of the
//! year in the whole repository. Two `pm new` runs in one repository at the same moment would
//! both see the same highest number, and since their titles (hence file names) differ, creating
//! the file exclusively is not enough to keep them from sharing an id. So an id is first
//! *claimed*: a hidden marker file named after the id alone is created exclusively beside the
//! postmortem (`postmortems/2026/.INC-2026-0043.claim`; discovery skips hidden files), the
//! repository's ids are read again while the claim is held, and only then is the postmortem
//! created (exclusively too) and the claim released. Whoever claims an id after that sees the
//! file and moves on to the next number. A claim left behind by a killed run only makes that
//! number skipped.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

use crate::check::{Keep, Read, Request};
use crate::config::Workspace;
use crate::repo::Repo;

/// The id pattern of the front matter schema.
static ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9][A-Za-z0-9._-]*$").expect("valid static regex"));

/// How many ids `pm new` tries before giving up (each taken by a file or a live claim).
const MAX_ATTEMPTS: u32 = 10_000;

/// Whether `id` is a valid postmortem id (letters, digits, `.`, `_`, `-`).
pub fn is_valid(id: &str) -> bool {
    ID.is_match(id)
}

/// `INC-2026-0042`.
pub fn format(prefix: &str, year: i16, number: u32) -> String {
    format!("{prefix}-{year}-{number:04}")
}

/// The number of `id` when it is an id of `prefix` and `year`.
pub fn number_in_year(id: &str, prefix: &str, year: i16) -> Option<u32> {
    let rest = id.strip_prefix(prefix)?.strip_prefix('-')?;
    let digits = rest.strip_prefix(&year.to_string())?.strip_prefix('-')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The number after the highest one of `year` among `ids` (1 when there is none).
pub fn next_number<'a>(ids: impl IntoIterator<Item = &'a str>, prefix: &str, year: i16) -> u32 {
    ids.into_iter()
        .filter_map(|id| number_in_year(id, prefix, year))
        .max()
        .map_or(1, |n| n.saturating_add(1))
}

/// Every id in the repository (files are read only as far as their id).
pub fn used_ids(workspace: &Workspace) -> BTreeSet<String> {
    let repo = load_ids(workspace);
    repo.by_id.into_keys().collect()
}

/// The repository of `workspace`, read only as far as each file's id.
fn load_ids(workspace: &Workspace) -> Repo {
    let request = Request { read: Read::IdsOnly, ..Request::all(Keep::All) };
    crate::check::load(workspace.clone(), &request).repo
}

/// The path a postmortem for `id` and `slug` is written to, under `dir`.
pub fn file_path(dir: &Path, id: &str, slug: &str) -> PathBuf {
    dir.join(format!("{id}-{slug}.md"))
}

/// Writes `contents` to a new file at `path` inside the repository at `root`, creating its
/// folder. Fails with [`io::ErrorKind::AlreadyExists`] when the file exists (a symbolic link
/// included, dangling or not): nothing is ever overwritten. A path whose folder leads outside
/// `root` is refused before any folder is created (see [`crate::atomic::check_target`]). A
/// file that could not be written completely is removed again.
pub fn create_new(root: &Path, path: &Path, contents: &str) -> io::Result<()> {
    if crate::contain::is_symlink(path) {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} already exists (as a symbolic link)", path.display()),
        ));
    }
    crate::atomic::check_target(root, path)?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
    let written = file.write_all(contents.as_bytes()).and_then(|()| file.sync_all());
    if let Err(e) = written {
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(e);
    }
    Ok(())
}

/// A claimed id: the marker file, removed when the claim is dropped.
#[derive(Debug)]
pub struct Claim {
    marker: PathBuf,
    _file: File,
}

impl Claim {
    /// The marker's path for `id` in `dir`.
    pub fn marker_path(dir: &Path, id: &str) -> PathBuf {
        dir.join(format!(".{id}.claim"))
    }

    /// Claims `id` in `dir` (which must exist): `None` when another run holds it.
    pub fn take(dir: &Path, id: &str) -> io::Result<Option<Self>> {
        let marker = Self::marker_path(dir, id);
        match OpenOptions::new().write(true).create_new(true).open(&marker) {
            Ok(file) => Ok(Some(Self { marker, _file: file })),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(None),
            Err(e) => Err(e),
        }
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.marker);
    }
}

/// Which id the new postmortem gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdChoice {
    /// The next free number of the year.
    Next {
        /// The configured prefix (`INC`).
        prefix: String,
        /// The incident's year.
        year: i16,
    },
    /// Exactly this id (`--id`).
    Exact(String),
}

/// A postmortem written to disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// Its id.
    pub id: String,
    /// Its absolute path.
    pub path: PathBuf,
}

/// Why no postmortem was created.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// `--id` names an id that a postmortem already has.
    #[error("the id {id} is already used by {paths}")]
    IdUsed {
        /// The id.
        id: String,
        /// The files that have it.
        paths: String,
    },
    /// `--id` names an id that another `pm new` holds.
    #[error(
        "the id {id} is being created by another `pm new` (if none is running, delete {marker})"
    )]
    IdClaimed {
        /// The id.
        id: String,
        /// The claim's marker file.
        marker: String,
    },
    /// The file exists.
    #[error("{0} already exists; pm new never overwrites a file")]
    Exists(String),
    /// Every id tried was taken.
    #[error("no free id found after {MAX_ATTEMPTS} attempts")]
    Exhausted,
    /// The highest id of the year has the highest number an id can have: there is no next.
    #[error(
        "no id comes after {0}: its number is the highest an id can have ({max}); give the new \
         postmortem an id with --id, or renumber {0}",
        max = u32::MAX
    )]
    NoNumberLeft(String),
    /// Rendering failed.
    #[error(transparent)]
    Render(anyhow::Error),
    /// The file system failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: io::Error,
    },
}

/// Creates the postmortem file in `dir` (created if missing): claims an id as described in the
/// module header, renders the text for it with `render`, and writes it to
/// `dir/ID-SLUG.md` exclusively. With [`IdChoice::Next`], an id taken in the meantime (by a
/// file or another run's claim) moves on to the next number.
pub fn create(
    workspace: &Workspace,
    dir: &Path,
    choice: &IdChoice,
    slug: &str,
    mut render: impl FnMut(&str) -> anyhow::Result<String>,
) -> Result<Created, CreateError> {
    let io_error =
        |path: &Path, source| CreateError::Io { path: path.display().to_string(), source };
    crate::contain::resolve(&workspace.root, dir)
        .map_err(|e| io_error(dir, io::Error::new(io::ErrorKind::InvalidInput, e.to_string())))?;
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    let mut used = used_ids(workspace);
    match choice {
        IdChoice::Exact(id) => {
            if used.contains(id) {
                return Err(id_used(workspace, id));
            }
            let Some(claim) = Claim::take(dir, id).map_err(|e| io_error(dir, e))? else {
                let marker = Claim::marker_path(dir, id).display().to_string();
                return Err(CreateError::IdClaimed { id: id.clone(), marker });
            };
            if used_ids(workspace).contains(id) {
                return Err(id_used(workspace, id));
            }
            let text = render(id).map_err(CreateError::Render)?;
            let path = file_path(dir, id, slug);
            let created = create_new(&workspace.root, &path, &text);
            drop(claim);
            match created {
                Ok(()) => Ok(Created { id: id.clone(), path }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    Err(CreateError::Exists(path.display().to_string()))
                }
                Err(e) => Err(io_error(&path, e)),
            }
        }
        IdChoice::Next { prefix, year } => {
            let mut number = next_number(used.iter().map(String::as_str), prefix, *year);
            for _ in 0..MAX_ATTEMPTS {
                let id = format(prefix, *year, number);
                if used.contains(&id) {
                    // Counting past the largest number would try the same id again and again.
                    if number == u32::MAX {
                        return Err(CreateError::NoNumberLeft(id));
                    }
                    number += 1;
                    continue;
                }
                number = number.saturating_add(1);
                let Some(claim) = Claim::take(dir, &id).map_err(|e| io_error(dir, e))? else {
                    continue;
                };
                // Read the ids again while holding the claim: a run that held it before us
                // has written its file by now.
                used = used_ids(workspace);
                if used.contains(&id) {
                    number =
                        number.max(next_number(used.iter().map(String::as_str), prefix, *year));
                    continue;
                }
                let text = render(&id).map_err(CreateError::Render)?;
                let path = file_path(dir, &id, slug);
                let created = create_new(&workspace.root, &path, &text);
                drop(claim);
                match created {
                    Ok(()) => return Ok(Created { id, path }),
                    // A file of that name without the id in it (unreadable, say): next number.
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                    Err(e) => return Err(io_error(&path, e)),
                }
            }
            Err(CreateError::Exhausted)
        }
    }
}

/// Fails when a postmortem of the repository already has `id` (naming its files).
pub fn ensure_unused(workspace: &Workspace, id: &str) -> Result<(), CreateError> {
    if used_ids(workspace).contains(id) { Err(id_used(workspace, id)) } else { Ok(()) }
}

fn id_used(workspace: &Workspace, id: &str) -> CreateError {
    let repo = load_ids(workspace);
    let paths = repo
        .by_id
        .get(id)
        .map(|docs| {
            docs.iter().map(|&i| repo.documents[i].path().to_owned()).collect::<Vec<_>>().join(", ")
        })
        .unwrap_or_default();
    CreateError::IdUsed { id: id.to_owned(), paths }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_of_the_year() {
        assert_eq!(number_in_year("INC-2026-0042", "INC", 2026), Some(42));
        assert_eq!(number_in_year("INC-2026-12345", "INC", 2026), Some(12345));
        assert_eq!(number_in_year("INC-2025-0042", "INC", 2026), None);
        assert_eq!(number_in_year("SEC-2026-0042", "INC", 2026), None);
        assert_eq!(number_in_year("INC-2026-", "INC", 2026), None);
        assert_eq!(number_in_year("INC-2026-00x2", "INC", 2026), None);
        assert_eq!(number_in_year("INC-20260-0001", "INC", 2026), None);
    }

    #[test]
    fn next_after_the_highest() {
        let ids = ["INC-2026-0042", "INC-2026-0007", "INC-2025-0099", "other"];
        assert_eq!(next_number(ids, "INC", 2026), 43);
        assert_eq!(format("INC", 2026, 43), "INC-2026-0043");
        assert_eq!(next_number(ids, "INC", 2027), 1);
        assert_eq!(format("INC", 2027, 1), "INC-2027-0001");
    }

    #[test]
    fn ids_are_validated() {
        assert!(is_valid("INC-2026-0001"));
        assert!(!is_valid("IN/C-2026-0001"));
        assert!(!is_valid("../x"));
        assert!(!is_valid(""));
    }

    #[test]
    fn create_new_never_overwrites() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("a/b.md");
        create_new(tmp.path(), &path, "one").expect("first");
        let e = create_new(tmp.path(), &path, "two").expect_err("second");
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "one");
    }

    #[test]
    fn claims_are_exclusive_and_released() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let claim = Claim::take(tmp.path(), "INC-2026-0001").expect("io").expect("free");
        assert!(Claim::take(tmp.path(), "INC-2026-0001").expect("io").is_none());
        drop(claim);
        assert!(Claim::take(tmp.path(), "INC-2026-0001").expect("io").is_some());
    }
}
