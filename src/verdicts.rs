//! The verdict cache: each postmortem's per-document verdict, kept from one `pm check` to the
//! next, so a file whose bytes did not change is neither parsed nor checked again.
//!
//! Parsing and the per-document rules are most of a check's work; what a file contributes to
//! the repo-wide rules (its id, its `related` ids, where they are) is a handful of values. The
//! cache keeps, per repo-relative path, a hash of the file's bytes, the diagnostics the
//! per-document rules gave it (located, severities resolved, inline suppressions applied), the
//! spans of its `pm-disable` comments (so the repo-wide findings are suppressed alike), and what
//! [`Document::slim`] keeps besides the text. A file whose bytes hash the same is rebuilt from
//! that: the same slim document and the same diagnostics as a fresh parse and check.
//!
//! **Why it can be trusted.** An entry answers for the file's *contents* (a 128-bit xxh3 hash
//! of every byte), never for its size or time, so an edit that keeps both is still seen. And a
//! verdict depends on more than the file: the whole cache is keyed by a *run key*, a hash of
//! everything the per-document rules read besides the document ([`run_key`]: pm's version and
//! executable, the configuration, the rule policy, the schema, "today", the ticket cache, the
//! section titles of the repository's templates, and commit-trailer approvals when the
//! completion policy counts them). Another key, and the cache is ignored whole and written anew
//! after the run. The file names the work tree it was written for and ends with a checksum of
//! everything above it: a cache that is missing, damaged, truncated, of another version or
//! copied from another work tree is ignored, never half-trusted. It is rewritten atomically
//! (a temporary file renamed over it), so two runs at once leave one whole cache (the last
//! writer's), and only when something changed.
//!
//! It lives in the git directory beside the id cache (`.git/pm-verdicts`, see
//! [`crate::idcache::locate`]), never in the work tree; without a git directory there is none.
//! `pm check --no-cache` (or `PM_NO_CACHE=1`) runs without it.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::Xxh3;

use crate::diagnostic::{Diagnostic, Note, Severity};
use crate::idcache::Location;
use crate::model::Postmortem;
use crate::parse::front_matter::{Split, SplitError};
use crate::parse::yaml::{DuplicateKey, LoadError, TYPE_NAMES};
use crate::repo::{Document, Problem};
use crate::rules::Context;
use crate::source::{Source, Span, Spanned};
use crate::suppress::Policy;

/// The cache file's name in the git directory.
pub const FILE: &str = "pm-verdicts";
const HEADER: &str = "pm-verdicts 1";

/// The key of a run: a hash of everything the per-document rules read besides the document.
/// Verdicts of a run with another key are not reused.
pub fn run_key(cx: &Context<'_>, policy: &Policy) -> u128 {
    let mut hasher = Xxh3::new();
    let mut piece = |bytes: &[u8]| {
        hasher.update(&(bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    piece(env!("CARGO_PKG_VERSION").as_bytes());
    // The rules are code: a rebuilt `pm` of the same version (a developer's, a patched
    // package) may judge differently, and its executable's size and time tell it apart.
    let exe = std::env::current_exe().and_then(std::fs::metadata).ok().map(|m| {
        let modified = m.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        (m.len(), modified.map(|d| d.as_nanos()))
    });
    piece(format!("{exe:?}").as_bytes());
    // The configuration's `Debug` text holds every value of it, in a fixed order (no hash
    // maps); the policy and the per-run values of `Context` (people, trackers, required
    // sections, placeholders, holidays, the completion policies, the time zone) derive from it.
    piece(format!("{:?}", cx.config).as_bytes());
    piece(format!("{policy:?}").as_bytes());
    piece(&cx.schema.fingerprint().to_le_bytes());
    piece(cx.today.to_string().as_bytes());
    match cx.tickets {
        Some(tickets) => {
            piece(serde_json::to_string(&tickets.cache).unwrap_or_default().as_bytes());
            piece(tickets.path.as_bytes());
        }
        None => piece(b"no tickets"),
    }
    piece(format!("{:?}", cx.known_sections).as_bytes());
    // Approvals from commit trailers are part of the key rather than a reason to go without
    // the cache: they are already read once per run (one `git log`), a new commit with a
    // trailer changes them and with them the key, and a team that counts them still gets
    // the cache between commits.
    piece(format!("{:?}", cx.completion.trailers()).as_bytes());
    hasher.digest128()
}

/// What the cache remembers of one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The hash of the file's bytes.
    pub hash: u128,
    /// What [`Document::slim`] keeps besides the text.
    facts: Facts,
    /// The per-document diagnostics, without their path.
    diagnostics: Vec<Diagnostic>,
    /// The body's HTML spans that hold `pm-disable` comments.
    directives: Vec<Span>,
}

#[derive(Debug, Clone, PartialEq)]
struct Facts {
    split: Option<Split>,
    problem: Option<Problem>,
    duplicates: Vec<DuplicateKey>,
    /// `None`: no postmortem; else its id and `related`.
    postmortem: Option<RepoFacts>,
}

/// A postmortem's id and `related` ids, with where they are written.
type RepoFacts = (Option<Spanned<String>>, Vec<Spanned<String>>);

impl Entry {
    /// The entry of `doc` (fully parsed, before anything was dropped), whose bytes hash to
    /// `hash`, with its per-document `diagnostics` and the HTML spans holding its `directives`.
    /// `None` for a file that could not be read: there is nothing to compare next time.
    pub fn of(
        doc: &Document,
        hash: u128,
        diagnostics: &[Diagnostic],
        directives: Vec<Span>,
    ) -> Option<Self> {
        if matches!(doc.problem, Some(Problem::Unreadable(_))) {
            return None;
        }
        let facts = Facts {
            split: doc.split.clone(),
            problem: doc.problem.clone(),
            duplicates: doc.duplicates.clone(),
            postmortem: doc.postmortem.as_ref().map(|p| (p.id.clone(), p.related.clone())),
        };
        let diagnostics =
            diagnostics.iter().map(|d| Diagnostic { path: String::new(), ..d.clone() }).collect();
        Some(Self { hash, facts, diagnostics, directives })
    }

    /// The document `rel` with `text` (its bytes decoded) as a fresh parse would be after
    /// [`Document::slim`]; the text back when the entry's spans do not fit it.
    pub fn document(&self, rel: &str, text: String) -> Result<Document, String> {
        if !self.directives.iter().all(|s| text.get(s.start..s.end).is_some()) {
            return Err(text);
        }
        let facts = self.facts.clone();
        Ok(Document {
            source: Source::new(rel.to_owned(), text),
            split: facts.split,
            problem: facts.problem,
            duplicates: facts.duplicates,
            postmortem: facts.postmortem.map(|(id, related)| Postmortem {
                id,
                related,
                ..Postmortem::default()
            }),
            written: None,
            bytes_hash: None,
            gist: None,
        })
    }

    /// The per-document diagnostics of `rel`.
    pub fn diagnostics(&self, rel: &str) -> Vec<Diagnostic> {
        self.diagnostics.iter().map(|d| Diagnostic { path: rel.to_owned(), ..d.clone() }).collect()
    }

    /// The body's HTML spans that hold `pm-disable` comments (for [`crate::suppress::Inline`]).
    pub fn directives(&self) -> &[Span] {
        &self.directives
    }
}

/// The verdict cache of one repository for one run key.
#[derive(Debug, Default)]
pub struct Verdicts {
    location: Option<Location>,
    key: u128,
    entries: HashMap<String, Entry>,
}

impl Verdicts {
    /// Opens the cache of the repository at `root` for a run keyed `key`: empty when there is
    /// none, when it is of another key, version or work tree, when it is damaged, or when there
    /// is no git directory to keep it in (then nothing is saved either).
    pub fn open(root: &Path, key: u128) -> Self {
        let Some(location) = crate::idcache::locate(root, FILE) else { return Self::default() };
        let entries = std::fs::read(&location.file)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| parse(&text, &location.root, key))
            .unwrap_or_default();
        Self { location: Some(location), key, entries }
    }

    /// The entry of `rel` if the file's bytes still hash to `hash`.
    pub fn get(&self, rel: &str, hash: u128) -> Option<&Entry> {
        self.entries.get(rel).filter(|e| e.hash == hash)
    }

    /// Replaces the cache with one entry per file of `files`: its fresh entry, else the one
    /// the cache had (a file reused or not read fully this run), else none. Nothing is written
    /// when that is what the cache already holds. Best effort: a cache that cannot be written
    /// is simply not there next time.
    pub fn save(&self, files: &[(&str, Option<&Entry>)]) {
        let Some(location) = &self.location else { return };
        let mut changed = false;
        let mut kept: Vec<(&str, &Entry)> = Vec::with_capacity(files.len());
        for (rel, fresh) in files {
            let old = self.entries.get(*rel);
            match fresh {
                Some(fresh) => {
                    changed |= old != Some(*fresh);
                    kept.push((rel, fresh));
                }
                None => kept.extend(old.map(|old| (*rel, old))),
            }
        }
        if !changed && kept.len() == self.entries.len() {
            return;
        }
        let Some(text) = render(&location.root, self.key, &mut kept) else { return };
        let _ = crate::atomic::write(&location.work_tree, &location.file, text.as_bytes());
    }
}

/// The cache text: a header naming the version, the work tree and the run key, one JSON line
/// per file sorted by path, and a closing line with the count and a checksum of everything
/// above it, so a truncated or edited cache is recognised. `None` when the root cannot be
/// written in the header.
fn render(root: &str, key: u128, entries: &mut [(&str, &Entry)]) -> Option<String> {
    if root.contains(['\t', '\n', '\r']) {
        return None;
    }
    entries.sort_unstable_by_key(|(rel, _)| *rel);
    let lines: Vec<String> = entries
        .par_iter()
        .filter_map(|(rel, entry)| serde_json::to_string(&Record::of(rel, entry)).ok())
        .collect();
    let mut out = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum::<usize>() + 128);
    let _ = writeln!(out, "{HEADER}\t{root}\t{key:032x}");
    for line in &lines {
        out.push_str(line);
        out.push('\n');
    }
    crate::seal::close(&mut out, lines.len());
    Some(out)
}

/// The entries of a cache text written for `root` and `key`; `None` when it is not such a
/// cache or is damaged in any way (one bad entry condemns the whole file).
fn parse(text: &str, root: &str, key: u128) -> Option<HashMap<String, Entry>> {
    let (body, count) = crate::seal::open(text)?;
    let (header, lines) = body.split_once('\n')?;
    if header != format!("{HEADER}\t{root}\t{key:032x}") {
        return None;
    }
    let entries: Option<Vec<(String, Entry)>> =
        lines.par_lines().map(|line| serde_json::from_str::<Record>(line).ok()?.entry()).collect();
    let entries: HashMap<String, Entry> = entries?.into_iter().collect();
    (entries.len() == count).then_some(entries)
}

// The stored form: short names and arrays, since a large repository has tens of thousands of
// diagnostics; `&'static str` codes and type names are written as text and found again in the
// rule registry and the YAML type names (an unknown one condemns the cache).

type S = (usize, usize);
type Named = (String, usize, usize);

#[derive(Serialize, Deserialize)]
struct Record {
    /// Path.
    p: String,
    /// Hash of the bytes, hex.
    h: String,
    /// Split: open, yaml, close, body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    s: Option<[S; 4]>,
    /// Problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    x: Option<StoredProblem>,
    /// Duplicate keys: key, first, duplicate.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    k: Vec<(String, S, S)>,
    /// The postmortem: id and related (absent: no postmortem).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    m: Option<(Option<Named>, Vec<Named>)>,
    /// Diagnostics.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    d: Vec<StoredDiagnostic>,
    /// HTML spans holding directives.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    i: Vec<S>,
}

#[derive(Serialize, Deserialize)]
enum StoredProblem {
    NotUtf8(usize),
    Binary,
    Empty,
    Missing,
    Unterminated(S),
    Yaml(String, S, bool),
    NotMapping(String, S),
}

/// line, column, end line, end column, code, severity, message, help, notes, span.
#[derive(Serialize, Deserialize)]
struct StoredDiagnostic(
    usize,
    usize,
    usize,
    usize,
    String,
    String,
    String,
    Option<String>,
    Vec<(usize, usize, String)>,
    S,
);

const fn pair(s: Span) -> S {
    (s.start, s.end)
}

const fn span((start, end): S) -> Span {
    Span { start, end }
}

fn named(s: &Spanned<String>) -> Named {
    (s.value.clone(), s.span.start, s.span.end)
}

fn spanned((value, start, end): Named) -> Spanned<String> {
    Spanned::new(value, Span { start, end })
}

impl Record {
    fn of(rel: &str, e: &Entry) -> Self {
        let f = &e.facts;
        Self {
            p: rel.to_owned(),
            h: format!("{:032x}", e.hash),
            s: f.split.as_ref().map(|s| [pair(s.open), pair(s.yaml), pair(s.close), pair(s.body)]),
            x: f.problem.as_ref().map(|p| match p {
                // Never stored (`Entry::of` refuses it); kept total rather than panicking.
                Problem::Unreadable(_) | Problem::Binary => StoredProblem::Binary,
                Problem::NotUtf8(at) => StoredProblem::NotUtf8(*at),
                Problem::Empty => StoredProblem::Empty,
                Problem::FrontMatter(SplitError::Missing) => StoredProblem::Missing,
                Problem::FrontMatter(SplitError::Unterminated { open }) => {
                    StoredProblem::Unterminated(pair(*open))
                }
                Problem::Yaml(e) => StoredProblem::Yaml(e.message.clone(), pair(e.span), e.limit),
                Problem::NotMapping { found, span } => {
                    StoredProblem::NotMapping((*found).to_owned(), pair(*span))
                }
            }),
            k: f.duplicates
                .iter()
                .map(|d| (d.key.clone(), pair(d.first), pair(d.duplicate)))
                .collect(),
            m: f.postmortem
                .as_ref()
                .map(|(id, related)| (id.as_ref().map(named), related.iter().map(named).collect())),
            d: e.diagnostics
                .iter()
                .map(|d| {
                    StoredDiagnostic(
                        d.line,
                        d.column,
                        d.end_line,
                        d.end_column,
                        d.code.to_owned(),
                        d.severity.as_str().to_owned(),
                        d.message.clone(),
                        d.help.clone(),
                        d.notes.iter().map(|n| (n.line, n.column, n.message.clone())).collect(),
                        pair(d.span),
                    )
                })
                .collect(),
            i: e.directives.iter().copied().map(pair).collect(),
        }
    }

    /// The entry this record stores, and its path; `None` when any part of it is not
    /// something this `pm` writes (an unknown rule code, type name or severity).
    fn entry(self) -> Option<(String, Entry)> {
        let problem = match self.x {
            None => None,
            Some(p) => Some(match p {
                StoredProblem::NotUtf8(at) => Problem::NotUtf8(at),
                StoredProblem::Binary => Problem::Binary,
                StoredProblem::Empty => Problem::Empty,
                StoredProblem::Missing => Problem::FrontMatter(SplitError::Missing),
                StoredProblem::Unterminated(open) => {
                    Problem::FrontMatter(SplitError::Unterminated { open: span(open) })
                }
                StoredProblem::Yaml(message, at, limit) => {
                    Problem::Yaml(LoadError { message, span: span(at), limit })
                }
                StoredProblem::NotMapping(found, at) => Problem::NotMapping {
                    found: TYPE_NAMES.iter().find(|t| **t == found)?,
                    span: span(at),
                },
            }),
        };
        let diagnostics = self
            .d
            .into_iter()
            .map(|d| {
                let StoredDiagnostic(
                    line,
                    column,
                    end_line,
                    end_column,
                    code,
                    sev,
                    message,
                    help,
                    notes,
                    at,
                ) = d;
                let meta = crate::rules::lookup(&code)?.meta();
                (meta.code == code).then_some(())?;
                Some(Diagnostic {
                    path: String::new(),
                    line,
                    column,
                    end_line,
                    end_column,
                    code: meta.code,
                    rule: meta.slug,
                    severity: Severity::parse(&sev)?,
                    message,
                    help,
                    notes: notes
                        .into_iter()
                        .map(|(line, column, message)| Note { line, column, message })
                        .collect(),
                    span: span(at),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        let facts = Facts {
            split: self.s.map(|[open, yaml, close, body]| Split {
                open: span(open),
                yaml: span(yaml),
                close: span(close),
                body: span(body),
            }),
            problem,
            duplicates: self
                .k
                .into_iter()
                .map(|(key, first, duplicate)| DuplicateKey {
                    key,
                    first: span(first),
                    duplicate: span(duplicate),
                })
                .collect(),
            postmortem: self
                .m
                .map(|(id, related)| (id.map(spanned), related.into_iter().map(spanned).collect())),
        };
        let hash = u128::from_str_radix(&self.h, 16).ok()?;
        let directives = self.i.into_iter().map(span).collect();
        Some((self.p, Entry { hash, facts, diagnostics, directives }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::Depth;

    const TEXT: &str = "---\nid: INC-1\nrelated: [INC-2, INC-3]\nid: twice\n---\n\n## Summary\n\n\
                        <!-- pm-disable-next-line PM503 -->\nText.\n";

    fn entry() -> Entry {
        let doc = Document::parse("postmortems/a.md", TEXT.as_bytes().to_vec(), Depth::Full);
        let meta = crate::rules::lookup("PM503").expect("a rule").meta();
        let diagnostic = Diagnostic {
            path: "postmortems/a.md".into(),
            line: 3,
            column: 1,
            end_line: 3,
            end_column: 4,
            code: meta.code,
            rule: meta.slug,
            severity: Severity::Warning,
            message: "a \"quoted\"\tmessage\n".into(),
            help: Some("help".into()),
            notes: vec![Note { line: 1, column: 2, message: "note".into() }],
            span: Span::new(5, 9),
        };
        let html = doc.postmortem.as_ref().map(|p| p.body.html.clone()).unwrap_or_default();
        let directives = crate::suppress::Inline::directive_spans(&doc.source, &html);
        assert_eq!(directives.len(), 1);
        Entry::of(&doc, crate::repo::content_hash(TEXT.as_bytes()), &[diagnostic], directives)
            .expect("an entry")
    }

    fn rendered(entries: &[(&str, &Entry)]) -> String {
        render("/repo", 7, &mut entries.to_vec()).expect("rendered")
    }

    #[test]
    fn round_trips_and_rebuilds_the_slim_document() {
        let e = entry();
        let odd = Entry::of(
            &Document::parse("b.md", b"\xff\xfe".to_vec(), Depth::Full),
            1,
            &[],
            Vec::new(),
        )
        .expect("an entry");
        let text = rendered(&[("postmortems/a.md", &e), ("b\tc\n.md", &odd)]);
        let parsed = parse(&text, "/repo", 7).expect("parsed");
        assert_eq!(parsed.get("postmortems/a.md"), Some(&e));
        assert_eq!(parsed.get("b\tc\n.md"), Some(&odd));

        let fresh =
            Document::parse("postmortems/a.md", TEXT.as_bytes().to_vec(), Depth::Full).slim();
        let rebuilt = e.document("postmortems/a.md", TEXT.to_owned()).expect("fits");
        assert_eq!(format!("{rebuilt:?}"), format!("{fresh:?}"));
        assert_eq!(e.diagnostics("postmortems/a.md")[0].path, "postmortems/a.md");
        // Directive spans that do not fit the text are not trusted.
        assert!(e.document("postmortems/a.md", "short".into()).is_err());
    }

    #[test]
    fn refuses_damage_and_foreign_caches() {
        let e = entry();
        let text = rendered(&[("a.md", &e)]);
        assert!(parse(&text, "/repo", 7).is_some());
        assert_eq!(parse(&text, "/elsewhere", 7), None, "another work tree");
        assert_eq!(parse(&text, "/repo", 8), None, "another run key");
        assert_eq!(parse(&text[..text.len() - 5], "/repo", 7), None, "truncated");
        assert_eq!(parse(&text[..text.len() / 2], "/repo", 7), None, "cut in half");
        assert_eq!(parse(&text.replacen("help", "hold", 1), "/repo", 7), None, "edited");
        assert_eq!(parse(&text.replacen(HEADER, "pm-verdicts 0", 1), "/repo", 7), None);
        assert_eq!(parse("", "/repo", 7), None);
        assert_eq!(parse("\u{0}garbage\n\nend 0 0\n", "/repo", 7), None);
        // A well-formed file whose entry names a rule this pm does not have is refused whole.
        let (body, count) = crate::seal::open(&text).expect("sealed");
        let mut resealed = body.replace("PM503", "PM999");
        crate::seal::close(&mut resealed, count);
        assert_eq!(parse(&resealed, "/repo", 7), None);
    }

    #[test]
    fn saves_only_changes_and_not_without_a_git_dir() {
        let dir = tempfile::tempdir().expect("tempdir");
        let e = entry();
        Verdicts::open(dir.path(), 7).save(&[("a.md", Some(&e))]);
        assert!(std::fs::read_dir(dir.path()).expect("ls").next().is_none(), "no git dir");

        std::fs::create_dir(dir.path().join(".git")).expect("git dir");
        let file = dir.path().join(".git").join(FILE);
        Verdicts::open(dir.path(), 7).save(&[("a.md", Some(&e))]);
        let cache = Verdicts::open(dir.path(), 7);
        assert_eq!(cache.get("a.md", e.hash), Some(&e));
        assert_eq!(cache.get("a.md", e.hash + 1), None, "other bytes");
        assert!(Verdicts::open(dir.path(), 8).get("a.md", e.hash).is_none(), "other key");

        // Unchanged: not rewritten (the same inode stays).
        let ino = |p: &Path| {
            use std::os::unix::fs::MetadataExt as _;
            std::fs::metadata(p).expect("stat").ino()
        };
        let before = ino(&file);
        cache.save(&[("a.md", None)]);
        cache.save(&[("a.md", Some(&e))]);
        assert_eq!(ino(&file), before);
        // A file gone: rewritten without it.
        cache.save(&[]);
        assert!(Verdicts::open(dir.path(), 7).get("a.md", e.hash).is_none());
    }
}
