//! Approvals read from git: the `Reviewed-by:` and `Approved-by:` trailers of the commits that
//! touched a postmortem (`completion.git_trailers = true`), so a team that approves in code
//! review, with the host adding the trailer on merge, records nothing twice.
//!
//! A trailer names a person as `Name <email>` or by handle; it counts when it maps to a handle
//! of the registry (the handle itself, an email or login listed under `[people]`, or an email
//! whose local part is the handle). One `git log` reads the whole history; without git, or
//! outside a work tree, there are simply no trailers.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use jiff::civil::Date;

use crate::config::Config;

/// Approvals from trailers, by repository-relative path.
#[derive(Debug, Clone, Default)]
pub struct Trailers {
    by_path: BTreeMap<String, Vec<(String, Date)>>,
}

impl Trailers {
    /// Reads the history of the repository at `root`.
    pub fn read(root: &Path, config: &Config) -> Self {
        let output = Command::new("git")
            .arg("-C")
            .arg(root)
            .args([
                "log",
                "--format=%x1e%cs%x1f%(trailers:key=Reviewed-by,key=Approved-by,valueonly,separator=%x1f)",
                "--name-only",
                "--no-renames",
                "--",
            ])
            .arg(&config.postmortems)
            .output();
        match output {
            Ok(out) if out.status.success() => {
                Self::parse(&String::from_utf8_lossy(&out.stdout), config)
            }
            _ => Self::default(),
        }
    }

    /// Reads `git log` output in the format [`Trailers::read`] asks for.
    fn parse(log: &str, config: &Config) -> Self {
        let people = config.people();
        let mut by_path: BTreeMap<String, Vec<(String, Date)>> = BTreeMap::new();
        for commit in log.split('\u{1e}').filter(|c| !c.trim().is_empty()) {
            let (head, files) = commit.split_once('\n').unwrap_or((commit, ""));
            let mut fields = head.split('\u{1f}');
            let Some(date) = fields.next().and_then(|d| d.trim().parse::<Date>().ok()) else {
                continue;
            };
            let handles: Vec<String> =
                fields.filter_map(|value| handle(value.trim(), config, &people)).collect();
            if handles.is_empty() {
                continue;
            }
            for file in files.lines().map(str::trim).filter(|f| !f.is_empty()) {
                let entry = by_path.entry(file.to_owned()).or_default();
                entry.extend(handles.iter().map(|h| (h.clone(), date)));
            }
        }
        for approvals in by_path.values_mut() {
            // The earliest trailer of each person is when they approved.
            approvals.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
            approvals.dedup_by(|later, earlier| later.0 == earlier.0);
        }
        Self { by_path }
    }

    /// The approvals of the postmortem at `path`.
    pub fn for_path(&self, path: &str) -> &[(String, Date)] {
        self.by_path.get(path).map(Vec::as_slice).unwrap_or_default()
    }
}

/// The registry handle `value` (`Name <email>`, an email in angle brackets, or a handle)
/// names: how a commit trailer or the git user is mapped to a person.
pub fn handle_of(value: &str, config: &Config) -> Option<String> {
    handle(value, config, &config.people())
}

/// The registry handle a trailer's value names.
fn handle(
    value: &str,
    config: &Config,
    people: &std::collections::BTreeSet<&str>,
) -> Option<String> {
    let (name, email) = match value.rsplit_once('<') {
        Some((name, rest)) => (name.trim(), rest.trim_end_matches('>').trim()),
        None => (value, ""),
    };
    let name = name.trim_start_matches('@');
    if people.contains(name) {
        return Some(name.to_owned());
    }
    if !email.is_empty() {
        let listed = config
            .people
            .iter()
            .find(|(_, ids)| ids.iter().any(|id| id.eq_ignore_ascii_case(email)));
        if let Some((handle, _)) = listed {
            return Some(handle.clone());
        }
        let local = email.split('@').next().unwrap_or_default();
        if people.contains(local) {
            return Some(local.to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailers_map_to_handles_and_paths() {
        let config = Config::parse(
            "[teams.a]\nmembers = [\"mkoch\", \"tnguyen\"]\n[people]\ntnguyen = [\"tam@example.com\"]\n",
            "pm.toml",
        )
        .expect("config");
        let log = "\u{1e}2026-05-02\u{1f}Maria Koch <mkoch@example.com>\u{1f}Tam <tam@example.com>\n\npostmortems/a.md\npostmortems/b.md\n\
                   \u{1e}2026-05-01\u{1f}Someone <who@example.com>\n\npostmortems/a.md\n\
                   \u{1e}2026-04-30\u{1f}mkoch\n\npostmortems/a.md\n\
                   \u{1e}2026-04-29\n\npostmortems/c.md\n";
        let trailers = Trailers::parse(log, &config);
        let d = |s: &str| s.parse::<Date>().expect("date");
        assert_eq!(
            trailers.for_path("postmortems/a.md"),
            [("mkoch".to_owned(), d("2026-04-30")), ("tnguyen".to_owned(), d("2026-05-02"))]
        );
        assert_eq!(trailers.for_path("postmortems/b.md").len(), 2);
        assert!(trailers.for_path("postmortems/c.md").is_empty());
    }
}
