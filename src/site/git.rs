//! "Last updated" dates from git, for every postmortem at once.
//!
//! One `git log` over the postmortems folder lists each commit's date and the files it touched,
//! newest first; the first date seen for a file is its last update. Two processes per build,
//! however many postmortems there are (one per file would cost minutes at 10,000). Outside a
//! git work tree, or without git, there are simply no dates.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

/// What git knows about the repository's files.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The pm root's path inside the git work tree (`examples/demo/`, or empty), for links to
    /// the files on the forge.
    pub prefix: String,
    /// The date (`YYYY-MM-DD`) of the last commit that touched each file, by pm-root-relative
    /// path.
    pub updated: HashMap<String, String>,
}

impl History {
    /// Reads the history of `folder` (relative to `root`). `None` when `root` is not in a git
    /// work tree or git cannot run; an error when git runs there and fails.
    pub fn read(root: &Path, folder: &str) -> anyhow::Result<Option<Self>> {
        let Ok(Ok(prefix)) = git(root, &["rev-parse", "--show-prefix"]) else {
            return Ok(None);
        };
        let prefix = String::from_utf8_lossy(&prefix).trim().to_owned();
        if !matches!(git(root, &["rev-parse", "--verify", "--quiet", "HEAD"]), Ok(Ok(_))) {
            // A work tree without commits yet: nothing has a date.
            return Ok(Some(Self { prefix, updated: HashMap::new() }));
        }
        let log = git(
            root,
            &[
                "log",
                "--format=%x1e%cs",
                "--name-only",
                "--no-renames",
                "-z",
                "--relative",
                "--",
                folder,
            ],
        )
        .map_err(|e| anyhow::anyhow!("cannot run git: {e}"))?
        .map_err(|stderr| anyhow::anyhow!("git log failed: {stderr}"))?;
        Ok(Some(Self { prefix, updated: parse_log(&String::from_utf8_lossy(&log)) }))
    }
}

/// Runs git in `root`: `Err` when it cannot run, `Ok(Err(stderr))` when it fails.
fn git(root: &Path, args: &[&str]) -> std::io::Result<Result<Vec<u8>, String>> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(std::process::Stdio::null())
        .output()?;
    Ok(if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(crate::diagnostic::printable(String::from_utf8_lossy(&output.stderr).trim())
            .into_owned())
    })
}

/// Parses records of `\x1e<date>\0\n<path>\0<path>\0…`, newest commit first.
fn parse_log(log: &str) -> HashMap<String, String> {
    let mut updated = HashMap::new();
    for record in log.split('\u{1e}') {
        let mut fields = record.split('\0');
        let Some(date) = fields.next() else { continue };
        let date = date.trim();
        if date.len() != 10 {
            continue;
        }
        for path in fields {
            let path = path.trim_start_matches('\n');
            if !path.is_empty() {
                updated.entry(path.to_owned()).or_insert_with(|| date.to_owned());
            }
        }
    }
    updated
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_date_wins() {
        let log = "\u{1e}2030-01-02\0\npm/b.md\0\u{1e}2026-11-25\0\npm/a/x y.md\0pm/b.md\0";
        let dates = parse_log(log);
        assert_eq!(dates.get("pm/b.md").map(String::as_str), Some("2030-01-02"));
        assert_eq!(dates.get("pm/a/x y.md").map(String::as_str), Some("2026-11-25"));
        assert_eq!(dates.len(), 2);
    }
}
