//! Adopting an existing repository (`pm init` where files already are): the two files pm
//! merges into rather than replaces. A `.gitignore` gets the lines it lacks appended; a
//! `.pre-commit-config.yaml` gets pm's hooks as one more entry of `repos:`. Both edits keep
//! every existing byte where it was: text is only inserted, never reformatted, and a merged
//! pre-commit config is loaded again to prove it says what was meant.

use crate::parse::yaml::{self, Node};

/// The hook id that marks pm's hooks as present in a pre-commit config.
pub const HOOK_ID: &str = "pm-check";

/// `existing` with the patterns of `ours` it lacks appended (each after the comment lines that
/// explain it in `ours`), and how many patterns were added; `None` when none is missing.
pub fn gitignore(existing: &str, ours: &str) -> Option<(String, usize)> {
    let have: std::collections::HashSet<&str> = existing.lines().map(str::trim).collect();
    let mut added = String::new();
    let mut comments: Vec<&str> = Vec::new();
    let mut count = 0;
    for line in ours.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            comments.clear();
        } else if trimmed.starts_with('#') {
            comments.push(line);
        } else {
            if !have.contains(trimmed) {
                for c in &comments {
                    added.push_str(c);
                    added.push('\n');
                }
                added.push_str(line);
                added.push('\n');
                count += 1;
            }
            comments.clear();
        }
    }
    if count == 0 {
        return None;
    }
    let mut merged = existing.to_owned();
    if !merged.is_empty() && !merged.ends_with('\n') {
        merged.push('\n');
    }
    if !merged.is_empty() {
        merged.push('\n');
    }
    merged.push_str(&added);
    Some((merged, count))
}

/// What became of a pre-commit config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreCommit {
    /// pm's hooks were added: the new text.
    Merged(String),
    /// The config has a hook with pm's id already.
    Present,
    /// The config could not be edited safely (not YAML, no block `repos:` list): why.
    Unmergeable(String),
}

/// Adds the `repo: local` entry of pm's own pre-commit config `ours` to `existing`, as the last
/// item of its block `repos:` list, indented like its other items.
pub fn pre_commit(existing: &str, ours: &str) -> PreCommit {
    let Ok(before) = yaml::load(existing, 0) else {
        return PreCommit::Unmergeable("it is not valid YAML".into());
    };
    let Some(repos) = before.root.get("repos").and_then(Node::as_seq) else {
        return PreCommit::Unmergeable("it has no `repos:` list".into());
    };
    if repos.iter().any(has_pm_hook) {
        return PreCommit::Present;
    }
    let Some((at, indent)) = block_end(existing) else {
        return PreCommit::Unmergeable("its `repos:` is not a block list pm can add to".into());
    };
    let Some(entry) = our_entry(ours, indent) else {
        return PreCommit::Unmergeable("pm's own hook entry was not found".into());
    };
    let mut merged = String::with_capacity(existing.len() + entry.len() + 1);
    merged.push_str(&existing[..at]);
    if !merged.ends_with('\n') {
        merged.push('\n');
    }
    merged.push_str(&entry);
    merged.push_str(&existing[at..]);
    // The edit is textual: prove it added exactly one entry, pm's, and kept the others.
    let after = yaml::load(&merged, 0).ok();
    let items = after.as_ref().and_then(|t| t.root.get("repos")).and_then(Node::as_seq);
    match items {
        Some(items)
            if items.len() == repos.len() + 1
                && items.last().is_some_and(has_pm_hook)
                && items.iter().zip(repos).all(|(a, b)| a.to_json() == b.to_json()) =>
        {
            PreCommit::Merged(merged)
        }
        _ => {
            PreCommit::Unmergeable("its layout is one pm cannot add to without reformatting".into())
        }
    }
}

/// Whether a `repos:` item has a hook with pm's id.
fn has_pm_hook(item: &Node) -> bool {
    let hooks = item.get("hooks").and_then(Node::as_seq).unwrap_or_default();
    hooks.iter().any(|h| h.get("id").and_then(Node::as_str) == Some(HOOK_ID))
}

/// The byte offset just after the last line of the block list under the top-level `repos:`
/// key, and the indentation of its items.
fn block_end(text: &str) -> Option<(usize, usize)> {
    let mut offset = 0;
    let mut lines = text.split_inclusive('\n').map(|line| {
        let start = offset;
        offset += line.len();
        (start, line)
    });
    lines.by_ref().find(|(_, l)| is_repos_key(l))?;
    let mut indent = None;
    let mut end = None;
    for (start, line) in lines {
        let body = line.trim_end_matches(['\n', '\r']);
        let content = body.trim_start();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let column = body.len() - content.len();
        let item = content == "-" || content.starts_with("- ");
        let item_indent = match indent {
            Some(i) => i,
            None if item => *indent.insert(column),
            None => return None,
        };
        let inside = column > item_indent || (column == item_indent && item);
        if !inside {
            break;
        }
        end = Some(start + line.len());
    }
    Some((end?, indent?))
}

/// Whether a line is the top-level `repos:` key with nothing after it but a comment.
fn is_repos_key(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("repos:") else { return false };
    let rest = rest.trim();
    rest.is_empty() || rest.starts_with('#')
}

/// pm's `repo: local` entry from its own config, re-indented so its dash is at `indent`.
fn our_entry(ours: &str, indent: usize) -> Option<String> {
    let (_, ours_indent) = block_end(ours)?;
    let mut entry = String::new();
    let mut inside = false;
    for line in ours.split_inclusive('\n') {
        let content = line.trim_start();
        let column = line.len() - content.len();
        if content.trim().is_empty() {
            continue;
        }
        if column == ours_indent && content.starts_with("- repo: local") {
            inside = true;
        } else if column <= ours_indent {
            inside = false;
        }
        if inside {
            entry.push_str(&" ".repeat(indent + column - ours_indent));
            entry.push_str(content);
        }
    }
    (!entry.is_empty()).then_some(entry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scaffold::skeleton::PRE_COMMIT;

    #[test]
    fn gitignore_appends_only_what_is_missing() {
        let ours = "# The site.\n/public/\n# Claims.\n.*.claim\n";
        let (merged, n) = gitignore("target/\n/public/", ours).expect("one missing");
        assert_eq!(n, 1);
        assert_eq!(merged, "target/\n/public/\n\n# Claims.\n.*.claim\n");
        assert_eq!(gitignore(&merged, ours), None);
    }

    #[test]
    fn pre_commit_entry_follows_the_existing_indentation() {
        for (indent, existing) in [
            (0, "repos:\n- repo: https://x/y\n  rev: v1\n  hooks:\n  - id: a\n"),
            (4, "repos:\n    - repo: https://x/y\n      rev: v1\n      hooks:\n        - id: a\n"),
        ] {
            let PreCommit::Merged(merged) = pre_commit(existing, PRE_COMMIT) else {
                panic!("not merged: {existing}")
            };
            assert!(merged.starts_with(existing), "{merged}");
            let dash = format!("\n{}- repo: local\n", " ".repeat(indent));
            assert!(merged.contains(&dash), "{merged}");
            assert_eq!(pre_commit(&merged, PRE_COMMIT), PreCommit::Present);
        }
    }

    #[test]
    fn pre_commit_refuses_what_it_cannot_edit_in_place() {
        for existing in ["repos: []\n", "fail_fast: true\n", "repos: [\n"] {
            assert!(
                matches!(pre_commit(existing, PRE_COMMIT), PreCommit::Unmergeable(_)),
                "{existing}"
            );
        }
    }
}
