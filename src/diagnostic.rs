//! Findings as data: what a rule reports, and the located, severity-resolved diagnostic that
//! reports render.

use serde::Serialize;

use crate::source::Span;

/// How serious a diagnostic is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a run unless asked.
    Info,
    /// Should be fixed; fails with `--deny warnings`.
    Warning,
    /// Must be fixed.
    Error,
}

impl Severity {
    /// The lowercase name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parses `error`, `warning` or `info`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a rule found in one file, before configuration and positions are applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Where, in bytes of the file.
    pub span: Span,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// A severity other than the rule's default (e.g. `root cause` is only info).
    pub severity: Option<Severity>,
    /// Other places that make up the finding (each unmet criterion of a policy, say).
    pub notes: Vec<(Span, String)>,
}

impl Finding {
    /// A finding at `span`.
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Self { span, message: message.into(), help: None, severity: None, notes: Vec::new() }
    }

    /// Adds a help text.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds notes: other places that make up the finding.
    #[must_use]
    pub fn notes(mut self, notes: Vec<(Span, String)>) -> Self {
        self.notes = notes;
        self
    }

    /// Overrides the rule's default severity for this finding.
    #[must_use]
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }
}

/// A located diagnostic, as every report renders it. Lines and columns are 1-based; columns
/// count characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Repo-relative path with `/`.
    pub path: String,
    /// Start line.
    pub line: usize,
    /// Start column.
    pub column: usize,
    /// End line.
    pub end_line: usize,
    /// End column (exclusive).
    pub end_column: usize,
    /// Stable code, e.g. `PM503`.
    pub code: &'static str,
    /// Rule slug, e.g. `blameless-language`.
    pub rule: &'static str,
    /// Resolved severity.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Other places that make up the finding.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    /// Byte span in the file (for source excerpts).
    #[serde(skip)]
    pub span: Span,
}

/// A located note of a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters).
    pub column: usize,
    /// What is there.
    pub message: String,
}

/// Counts over a run, for every report's summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Files checked.
    pub files: usize,
    /// Files with at least one diagnostic (a file counts once, however many it has).
    pub files_with_findings: usize,
    /// Diagnostics by severity.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Infos.
    pub infos: usize,
    /// The lowest severity that fails the run.
    pub fail_level: Option<Severity>,
    /// Whether the run failed.
    pub failed: bool,
}

impl Summary {
    /// Counts `diagnostics` over `files` files, failing at `fail_level`.
    pub fn new(files: usize, diagnostics: &[Diagnostic], fail_level: Severity) -> Self {
        let count = |s| diagnostics.iter().filter(|d| d.severity == s).count();
        let paths: std::collections::BTreeSet<&str> =
            diagnostics.iter().map(|d| d.path.as_str()).collect();
        Self {
            files,
            files_with_findings: paths.len(),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            fail_level: Some(fail_level),
            failed: diagnostics.iter().any(|d| d.severity >= fail_level),
        }
    }

    /// The counts by severity, as they read: "1 error", "2 warnings", "3 info" ("info" is a
    /// mass noun here, as in "3 info"); with `all`, the zero counts too.
    #[must_use]
    pub fn counts(&self, all: bool) -> Vec<String> {
        [
            (self.errors, "error", "errors"),
            (self.warnings, "warning", "warnings"),
            (self.infos, "info", "info"),
        ]
        .into_iter()
        .filter(|(n, ..)| all || *n > 0)
        .map(|(n, one, many)| plural(n, one, many))
        .collect()
    }

    /// Where the findings are: "in 1 of 6 files" when some of the checked files have them, "in
    /// 6 files" when all do (or more: a path that could not be read is not a checked file).
    #[must_use]
    pub fn where_found(&self) -> String {
        if self.files_with_findings >= self.files {
            format!("in {}", plural(self.files_with_findings, "file", "files"))
        } else {
            format!("in {} of {}", self.files_with_findings, plural(self.files, "file", "files"))
        }
    }
}

pub use crate::escape::{printable, printable_line};
use crate::words::plural;

/// How many diagnostics of one rule one file reports; the rest are counted in one summary
/// diagnostic ("and N more"). A body that repeats one mistake a hundred thousand times gives
/// a report a reader can use, in time and memory that do not grow with the repeats.
pub const MAX_PER_RULE_AND_FILE: usize = 100;

/// "Did you mean" for the unknown names of one file, in the order they are reported: each
/// asks [`did_you_mean`] against every candidate, so only the first
/// [`MAX_PER_RULE_AND_FILE`] are asked (the ones a report shows; the rest are counted, not
/// shown). A file naming 90,000 unknown ids then costs 100 searches, not 90,000.
#[derive(Debug)]
pub struct Suggestions<'c, 'a> {
    candidates: &'c [&'a str],
    asked: usize,
}

impl<'c, 'a> Suggestions<'c, 'a> {
    /// Suggestions among `candidates`.
    pub fn new(candidates: &'c [&'a str]) -> Self {
        Self { candidates, asked: 0 }
    }

    /// The candidate `name` most likely meant, while the file's budget lasts.
    pub fn suggest(&mut self, name: &str) -> Option<&'a str> {
        if self.asked >= MAX_PER_RULE_AND_FILE {
            return None;
        }
        self.asked += 1;
        did_you_mean(name, self.candidates)
    }
}

/// The candidate `name` was most likely meant to be, for "did you mean" help: the closest by
/// edit distance, within a small budget that grows with the length, and only when no other
/// candidate is as close (an ambiguous guess is worse than none).
pub fn did_you_mean<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let budget = (name.chars().count() / 6).max(1);
    let name_chars: Vec<char> = name.chars().collect();
    let mut best: Option<(usize, &str)> = None;
    let mut tie = false;
    let mut other: Vec<char> = Vec::new();
    let mut rows = [Vec::new(), Vec::new(), Vec::new()];
    for candidate in candidates {
        // Byte lengths bound character lengths from both sides within a factor of four.
        if candidate.len() + budget * 4 < name.len() || candidate.len() > (name.len() + budget) * 4
        {
            continue;
        }
        // Ids and handles are ASCII: compare bytes without decoding (this runs for every id of
        // a repository per unknown reference).
        let distance = if name.is_ascii() && candidate.is_ascii() {
            bounded_osa(name.as_bytes(), candidate.as_bytes(), budget, &mut rows)
        } else {
            other.clear();
            other.extend(candidate.chars());
            bounded_osa(&name_chars, &other, budget, &mut rows)
        };
        let Some(d) = distance else { continue };
        match best {
            Some((b, _)) if d > b => {}
            Some((b, _)) if d == b => tie = true,
            _ => {
                best = Some((d, candidate));
                tie = false;
            }
        }
    }
    match best {
        Some((d, c)) if d > 0 && !tie => Some(c),
        _ => None,
    }
}

/// The optimal-string-alignment distance (edits, with adjacent transpositions counting one) of
/// `a` and `b` if it is at most `k`. Only a band of width `2k + 1` is computed and the search
/// stops as soon as every cell in a row exceeds `k`: suggestions are checked against every id
/// in a repository, so the full quadratic table would dominate `pm check`'s run time.
fn bounded_osa<T: PartialEq>(
    a: &[T],
    b: &[T],
    k: usize,
    rows: &mut [Vec<usize>; 3],
) -> Option<usize> {
    if a.len().abs_diff(b.len()) > k {
        return None;
    }
    let big = k + 1;
    let n = b.len();
    let [prev2, prev, cur] = rows;
    for row in [&mut *prev2, &mut *prev, &mut *cur] {
        row.clear();
        row.resize(n + 1, big);
    }
    for (j, cell) in prev.iter_mut().enumerate().take(k.min(n) + 1) {
        *cell = j;
    }
    for i in 1..=a.len() {
        // Rows rotate, so only the cells just outside the band (which the next rows read) are
        // reset, not the whole row: the band is what keeps this linear in the length.
        let (from, to) = (i.saturating_sub(k).max(1), (i + k).min(n));
        cur[0] = if i <= k { i } else { big };
        if from >= 2 {
            cur[from - 1] = big;
        }
        if to < n {
            cur[to + 1] = big;
        }
        let mut row_min = cur[0];
        for j in from..=to {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d.min(big);
            row_min = row_min.min(cur[j]);
        }
        if row_min > k {
            return None;
        }
        std::mem::swap(prev2, prev);
        std::mem::swap(prev, cur);
    }
    (prev[n] <= k).then_some(prev[n])
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_only_close_unique_matches() {
        assert_eq!(
            did_you_mean("resovled_at", &["resolved_at", "started_at"]),
            Some("resolved_at")
        );
        assert_eq!(did_you_mean("jdoe", &["j.doe", "asmith"]), Some("j.doe"));
        assert_eq!(did_you_mean("INC-2025-0999", &["INC-2026-0109"]), None);
        assert_eq!(did_you_mean("INC-2026-0117", &["INC-2026-0107", "INC-2026-0110"]), None);
        assert_eq!(did_you_mean("same", &["same"]), None);
    }

    #[test]
    fn bounded_distance_agrees_with_the_full_one() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "acb",
            "kitten",
            "sitting",
            "resolved_at",
            "resovled_at",
            "INC-2026-0107",
            "INC-2026-0117",
            "INC-2025-0999",
        ];
        for a in words {
            for b in words {
                let full = strsim::osa_distance(a, b);
                let ac: Vec<char> = a.chars().collect();
                let bc: Vec<char> = b.chars().collect();
                for k in 0..4 {
                    let want = (full <= k).then_some(full);
                    let mut rows = [Vec::new(), Vec::new(), Vec::new()];
                    assert_eq!(
                        super::bounded_osa(&ac, &bc, k, &mut rows),
                        want,
                        "{a:?} {b:?} k={k}"
                    );
                }
            }
        }
    }
}
