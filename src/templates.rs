//! The built-in postmortem templates, embedded, and what a template says about the sections a
//! postmortem has: `pm new` renders them (through `scaffold::template`), and the completion
//! policy and section assignments are checked against their headings.

use std::path::Path;

/// The built-in templates: name and source.
pub const BUILTINS: &[(&str, &str)] = &[
    ("google", include_str!("../templates/google.md")),
    ("security", include_str!("../templates/security.md")),
    ("short", include_str!("../templates/short.md")),
];

/// The folder of a repository's own templates, relative to its root.
pub const REPO_DIR: &str = "templates";

/// The section titles (headings below the title, in order) of a template's text.
pub fn headings(text: &str) -> Vec<String> {
    // A template may open with a one-line tera comment (its description) before the front
    // matter; neither is markdown to read.
    let text = match text.strip_prefix("{#") {
        Some(rest) => rest.split_once('\n').map_or("", |(_, after)| after),
        None => text,
    };
    let body = crate::parse::front_matter::split(text).map_or(0, |split| split.body.start);
    crate::parse::markdown::parse(text.get(body..).unwrap_or_default(), 0)
        .sections
        .into_iter()
        .filter(|s| s.level >= 2)
        .map(|s| s.title)
        .collect()
}

/// Reads the repository's own template file at `path`. A template is copied into every new
/// postmortem, so like the theme it must be a regular file inside the repository at `root`: a
/// committed `templates/x.md -> ~/.ssh/id_rsa` or `-> /dev/zero` is an error, never read.
pub fn read_repo_file(root: &Path, path: &Path) -> std::io::Result<String> {
    use std::io::{Error, ErrorKind};
    std::fs::symlink_metadata(path)?;
    crate::contain::resolve(root, path).map_err(|e| Error::other(e.to_string()))?;
    if !std::fs::metadata(path)?.is_file() {
        return Err(Error::new(ErrorKind::InvalidInput, "not a regular file"));
    }
    std::fs::read_to_string(path)
}

/// The section titles of every template a repository at `root` can use: the built-ins and its
/// own `templates/*.md` (unreadable files are skipped: `pm new` reports them where they are
/// used).
pub fn all_headings(root: &Path) -> Vec<String> {
    let mut out: Vec<String> = BUILTINS.iter().flat_map(|(_, text)| headings(text)).collect();
    if let Ok(entries) = std::fs::read_dir(root.join(REPO_DIR)) {
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect();
        paths.sort();
        for path in paths {
            if let Ok(text) = read_repo_file(root, &path) {
                out.extend(headings(&text));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_google_template_has_the_usual_sections() {
        let google = BUILTINS.iter().find(|(n, _)| *n == "google").map(|(_, t)| *t);
        let titles = headings(google.expect("google"));
        for title in ["Summary", "Impact", "Timeline", "Contributing Factors", "Trigger"] {
            assert!(titles.iter().any(|t| t == title), "{title} in {titles:?}");
        }
        assert!(!titles.iter().any(|t| t.contains("{{")), "the title heading is left out");
        for (name, text) in BUILTINS {
            let titles = headings(text);
            assert!(titles.iter().any(|t| t == "Summary"), "{name}: {titles:?}");
            assert!(
                !titles.iter().any(|t| t.contains('{') || t.contains(':')),
                "{name}: {titles:?}"
            );
        }
    }
}
