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

/// "Did you mean" for the unknown names of one file, in the order they are reported: only the
/// first [`MAX_PER_RULE_AND_FILE`] are asked (the ones a report shows; the rest are counted, not
/// shown). A file naming 90,000 unknown ids then costs 100 searches, not 90,000.
#[derive(Debug)]
pub struct Suggestions<'c, 'a> {
    candidates: &'c Nearest<'a>,
    asked: usize,
}

impl<'c, 'a> Suggestions<'c, 'a> {
    /// Suggestions among `candidates`, indexed once for every file.
    pub fn new(candidates: &'c Nearest<'a>) -> Self {
        Self { candidates, asked: 0 }
    }

    /// The candidate `name` most likely meant, while the file's budget lasts.
    pub fn suggest(&mut self, name: &str) -> Option<&'a str> {
        if self.asked >= MAX_PER_RULE_AND_FILE {
            return None;
        }
        self.asked += 1;
        self.candidates.find(name)
    }
}

/// The candidate `name` was most likely meant to be, for "did you mean" help: the closest by
/// edit distance, within a small budget that grows with the length, and only when no other
/// candidate is as close (an ambiguous guess is worse than none).
pub fn did_you_mean<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    Nearest::new(candidates).find(name)
}

/// Candidates for [`did_you_mean`], sorted so that a search walks them as a trie: the edit
/// distance table of a shared prefix is computed once for every candidate that starts with it,
/// and a prefix already further than the budget from every prefix of the name is skipped with
/// all its candidates in one binary search. Unknown ids are looked up among every id of a
/// repository, one search per unknown id; comparing each with every id made `pm check` of
/// 100,000 postmortems spend most of its time here.
#[derive(Debug)]
pub struct Nearest<'a> {
    sorted: Vec<(Vec<char>, &'a str)>,
}

impl<'a> Nearest<'a> {
    /// An index of `candidates` (duplicates are kept: two equally close answers are no answer).
    pub fn new(candidates: &[&'a str]) -> Self {
        let mut sorted: Vec<(Vec<char>, &'a str)> =
            candidates.iter().map(|c| (c.chars().collect(), *c)).collect();
        sorted.sort_unstable();
        Self { sorted }
    }

    /// The one candidate closest to `name` by optimal-string-alignment distance (edits, with
    /// adjacent transpositions counting one), at most a sixth of its length away (at least one);
    /// `None` when there is none, when it is `name` itself, or when two are equally close.
    pub fn find(&self, name: &str) -> Option<&'a str> {
        let query: Vec<char> = name.chars().collect();
        let k = (query.len() / 6).max(1);
        let width = query.len() + 1;
        // `rows[d]` is the distance table's row for the current candidate's first `d` characters:
        // rows up to the prefix shared with the previous candidate are still valid.
        let mut rows: Vec<usize> = (0..width).collect();
        let mut previous: &[char] = &[];
        let mut best: Option<(usize, &'a str)> = None;
        let mut tie = false;
        let mut i = 0;
        while let Some((candidate, original)) = self.sorted.get(i) {
            let shared = candidate.iter().zip(previous).take_while(|(a, b)| a == b).count();
            rows.truncate(width * (shared + 1));
            let mut pruned = None;
            for d in shared + 1..=candidate.len() {
                if osa_row(&query, candidate, d, &mut rows) > k {
                    pruned = Some(d);
                    break;
                }
            }
            previous = candidate;
            if let Some(d) = pruned {
                // Every candidate with these first `d` characters is too far: skip them all
                // (they follow this one, as the list is sorted).
                let prefix = &candidate[..d];
                i += self.sorted[i..].partition_point(|(c, _)| c.starts_with(prefix));
                continue;
            }
            i += 1;
            let distance = rows[width * candidate.len() + query.len()];
            if distance > k {
                continue;
            }
            match best {
                Some((b, _)) if distance > b => {}
                Some((b, _)) if distance == b => tie = true,
                _ => {
                    best = Some((distance, original));
                    tie = false;
                }
            }
        }
        match best {
            Some((d, c)) if d > 0 && !tie => Some(c),
            _ => None,
        }
    }
}

/// Appends the row for `candidate[..d]` to `rows` (rows `0..d` are there, each `query.len() + 1`
/// wide) and returns its least value: once that exceeds the budget, no longer prefix can come
/// back within it.
fn osa_row(query: &[char], candidate: &[char], d: usize, rows: &mut Vec<usize>) -> usize {
    let width = query.len() + 1;
    let (above, mut least) = (width * (d - 1), d);
    rows.push(d);
    let c = candidate[d - 1];
    for j in 1..width {
        let cost = usize::from(query[j - 1] != c);
        let mut v = (rows[above + j] + 1)
            .min(rows[above + width + j - 1] + 1)
            .min(rows[above + j - 1] + cost);
        if d > 1 && j > 1 && query[j - 1] == candidate[d - 2] && query[j - 2] == c {
            v = v.min(rows[above - width + j - 2] + 1);
        }
        rows.push(v);
        least = least.min(v);
    }
    least
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

    /// The indexed search gives what comparing with every candidate gives: the unique closest
    /// within the budget, by `strsim`'s optimal-string-alignment distance.
    #[test]
    fn indexed_search_agrees_with_comparing_every_candidate() {
        let mut words: Vec<String> = [
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
            "Ödeme",
            "ödeme",
            "INC-2026-0107",
            "INC-2026-0117",
            "INC-2025-0999",
            "INC-2026-0107",
        ]
        .iter()
        .map(|w| (*w).to_owned())
        .collect();
        // Ids that share long prefixes, as a repository's do, plus near misses of them.
        let mut seed = 7_u64;
        for _ in 0..400 {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let n = (seed >> 33) % 3000;
            words.push(format!("INC-{}-{:04}", 2019 + (seed >> 20) % 8, n));
        }
        let candidates: Vec<&str> = words.iter().map(String::as_str).collect();
        let index = super::Nearest::new(&candidates);
        let mut queries = words.clone();
        queries.extend(
            ["INC-2026-017", "INC-2062-0107", "INC-20260107", "resolvedat", "kiten"]
                .map(String::from),
        );
        for q in &queries {
            let k = (q.chars().count() / 6).max(1);
            let mut distances: Vec<(usize, &str)> = candidates
                .iter()
                .map(|c| (strsim::osa_distance(q, c), *c))
                .filter(|(d, _)| *d <= k)
                .collect();
            distances.sort_unstable();
            let want = match distances.as_slice() {
                [(d, c), rest @ ..] if *d > 0 && rest.first().is_none_or(|(e, _)| e > d) => {
                    Some(*c)
                }
                _ => None,
            };
            assert_eq!(index.find(q), want, "{q:?}");
        }
    }
}
