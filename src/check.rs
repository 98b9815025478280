//! The one load-and-check path every command uses, and the check engine behind it.
//!
//! [`load`] discovers the repository's files, reads and parses each in a parallel task, runs
//! the per-document rules in that same task ([`check_document`]) and right away drops what the
//! caller will never read ([`Keep`]), so the parsed trees of 10,000 postmortems never sit in
//! memory together; the rules that span files then run once over the assembled repository
//! ([`check_repo`]). Commands differ only in their [`Request`]: `pm check` reads the selected
//! files fully and only the ids of the rest (from the id cache when it can), `pm build` keeps
//! what pages show, the reports keep every typed field and run no rules. [`check_documents`]
//! takes documents already in memory (a single page, the fuzz targets) through the same steps.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use anyhow::Context as _;
use jiff::civil::Date;
use rayon::prelude::*;

use crate::completion::Reader;
use crate::config::Workspace;
use crate::diagnostic::{Diagnostic, Finding, MAX_PER_RULE_AND_FILE, Severity};
use crate::discover::{Found, WalkProblem};
use crate::idcache::{self, IdCache, Stamp};
use crate::repo::{Depth, Document, Repo, decode};
use crate::rules::{Context, Meta, RULES};
use crate::schema::Schema;
use crate::source::{Source, Span};
use crate::suppress::{Inline, Policy};
use crate::verdicts::{Entry, Verdicts};
use crate::words::plural;

/// What the rules need besides the documents: the repository's suppression policy and schema.
#[derive(Debug, Clone)]
pub struct Rules {
    /// Severities and suppressions from `pm.toml`.
    pub policy: Policy,
    /// The compiled postmortem schema (the repository's own, or the built-in one).
    pub schema: Arc<Schema>,
    /// The ticket cache, when `pm sync` has written one.
    pub tickets: Option<Arc<crate::trackers::cache::Tickets>>,
}

impl Rules {
    /// Reads the policy and schema of `workspace` (its `pm.toml` and schema override).
    pub fn open(workspace: &Workspace) -> anyhow::Result<Self> {
        let config_text = match &workspace.config_path {
            Some(path) => Some(
                std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read {}", path.display()))?,
            ),
            None => None,
        };
        let policy = Policy::new(&workspace.config, config_text.as_deref())?;
        let schema = Arc::new(Schema::load(&workspace.root, &workspace.config)?);
        let tickets = crate::trackers::cache::Tickets::open(&workspace.root, &workspace.config)
            .context("cannot read the ticket cache")?
            .map(Arc::new);
        Ok(Self { policy, schema, tickets })
    }

    /// The rules of a repository configured by `config` with no files of its own (no schema
    /// override, no `[rules]` text): what a single page rendered in memory is judged by. The
    /// schema for the default severities is compiled once per process, since a fuzzer asks
    /// for it thousands of times a second; other configurations compile their own.
    pub fn builtin(config: &crate::config::Config) -> anyhow::Result<Self> {
        static DEFAULT: std::sync::OnceLock<Result<Arc<Schema>, String>> =
            std::sync::OnceLock::new();
        let nowhere = std::path::Path::new("/nonexistent/pm-builtin");
        let default = crate::config::Config::default();
        let schema = if config.severities == default.severities {
            DEFAULT
                .get_or_init(|| {
                    Schema::load(nowhere, &default).map(Arc::new).map_err(|e| e.to_string())
                })
                .clone()
                .map_err(|e| anyhow::anyhow!("{e}"))?
        } else {
            Arc::new(Schema::load(nowhere, config)?)
        };
        Ok(Self { policy: Policy::new(config, None)?, schema, tickets: None })
    }
}

/// What of each document a command keeps once its per-document rules have run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Everything parsed (reports that read bodies, such as the timeline export).
    All,
    /// What pages show: no flattened prose or front matter tree ([`Document::without_prose`]),
    /// the body's [`crate::repo::Gist`], and no text once the file is checked: pages read it
    /// again from the file ([`Document::let_go_of_text`]).
    Pages,
    /// Only the typed fields: no text, body or tree (figures never read prose).
    Fields,
    /// Only what repo-wide rules read: id and `related` ([`Document::slim`]).
    RepoFacts,
}

impl Keep {
    fn apply(self, doc: Document) -> Document {
        match self {
            Keep::All => doc,
            Keep::Pages => doc.with_gist().without_prose(),
            Keep::Fields => doc.fields_only(),
            Keep::RepoFacts => doc.slim(),
        }
    }
}

/// Which files a command reads fully; the others are read only for their id, which repo-wide
/// facts (duplicate ids, `related` targets) need.
#[derive(Clone, Copy)]
pub enum Read<'a> {
    /// Every file.
    All,
    /// The files whose repo-relative path passes; only these are reported on.
    Selected(&'a (dyn Fn(&str) -> bool + Sync)),
    /// Only ids (to number a new postmortem).
    IdsOnly,
}

impl std::fmt::Debug for Read<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Read::All => "All",
            Read::Selected(_) => "Selected",
            Read::IdsOnly => "IdsOnly",
        })
    }
}

impl Read<'_> {
    fn is_full(&self, rel: &str) -> bool {
        match self {
            Read::All => true,
            Read::Selected(is_selected) => is_selected(rel),
            Read::IdsOnly => false,
        }
    }
}

/// What a command asks of [`load`].
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Which files to read fully (and report on).
    pub read: Read<'a>,
    /// The rules to run, as of `today`; `None` loads without judging.
    pub rules: Option<(&'a Rules, Date)>,
    /// What each fully read document keeps.
    pub keep: Keep,
    /// Take the ids of files not read fully from the id cache (and refresh it).
    pub id_cache: bool,
    /// With rules: reuse the verdicts of files unchanged since a run with the same inputs,
    /// from the verdict cache (and refresh it). The result is the same either way.
    pub verdicts: bool,
    /// With rules: the documents of the previous load in this process, reused when their
    /// bytes and the run's inputs are unchanged (and refreshed). The result is the same.
    pub memo: Option<&'a Memo>,
}

impl<'a> Request<'a> {
    /// Every file, fully, without rules, keeping `keep`.
    pub fn all(keep: Keep) -> Self {
        Self { read: Read::All, rules: None, keep, id_cache: false, verdicts: false, memo: None }
    }

    /// Runs `rules` as of `today`.
    #[must_use]
    pub fn checked(self, rules: &'a Rules, today: Date) -> Self {
        Self { rules: Some((rules, today)), ..self }
    }

    /// Reuses (and refreshes) the verdict cache when `on`, unless `PM_NO_CACHE` is set to
    /// anything but `0` or nothing (a way to rule the cache out without changing a command).
    #[must_use]
    pub fn verdict_cache(self, on: bool) -> Self {
        let off = std::env::var_os("PM_NO_CACHE").is_some_and(|v| !v.is_empty() && v != "0");
        Self { verdicts: on && !off, ..self }
    }
}

/// The documents one load kept, for the next load of the same repository by the same process
/// (`pm serve` rebuilding after a save): a file whose bytes and run inputs are unchanged is
/// cloned from here, neither parsed nor checked again. It answers, like the verdict cache, for
/// a file's content (its hash) and for a run key ([`crate::verdicts::run_key`] and what the
/// load keeps), so what it gives is what a fresh parse and check would give; unlike that cache
/// it holds whole documents, so it saves the parse too, and it lives only as long as the
/// process.
#[derive(Default)]
pub struct Memo {
    kept: std::sync::Mutex<Memory>,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memo")
    }
}

/// What a [`Memo`] holds: the run key, and each fully read file's document and verdict.
#[derive(Default)]
struct Memory {
    key: u128,
    files: HashMap<String, Arc<Kept>>,
}

/// One file as a load kept it.
struct Kept {
    /// The hash of its bytes.
    hash: u128,
    doc: Document,
    checked: Checked,
}

impl Memo {
    /// Takes out what the previous load kept, when it ran with the same `key`.
    fn recall(&self, key: u128) -> HashMap<String, Arc<Kept>> {
        let Ok(mut kept) = self.kept.lock() else { return HashMap::new() };
        let memory = std::mem::take(&mut *kept);
        if memory.key == key { memory.files } else { HashMap::new() }
    }

    /// Keeps `files` (from a load with `key`) for the next load.
    fn keep(&self, key: u128, files: HashMap<String, Arc<Kept>>) {
        if let Ok(mut kept) = self.kept.lock() {
            *kept = Memory { key, files };
        }
    }
}

/// A loaded repository with its verdict.
#[derive(Debug)]
pub struct Loaded {
    /// Every document, sorted by path.
    pub repo: Repo,
    /// Sorted diagnostics of the reported files (empty without rules).
    pub diagnostics: Vec<Diagnostic>,
    /// The indexes of the reported documents (`None`: all of them).
    pub selected: Option<BTreeSet<usize>>,
    /// How many documents were taken from the previous load's [`Memo`] instead of being
    /// parsed and checked (`None`: the load had no memo).
    pub remembered: Option<usize>,
}

/// Discovers, reads, parses and (when asked) checks the repository of `workspace`.
pub fn load(workspace: Workspace, request: &Request<'_>) -> Loaded {
    let (found, walk_problems, skipped) = crate::discover::discover(
        &workspace.root,
        &workspace.config.postmortems,
        workspace.config.check.ignored(),
    );
    let cache = request.id_cache.then(|| IdCache::open(&workspace.root));
    let cx = request.rules.map(|(rules, today)| (rules, context(&workspace, rules, today)));
    let cx = cx.as_ref().map(|(rules, cx)| (&rules.policy, cx));
    let run = cx
        .filter(|_| request.verdicts || request.memo.is_some())
        .map(|(policy, cx)| crate::verdicts::run_key(cx, policy));
    let verdicts = run.filter(|_| request.verdicts).map(|key| Verdicts::open(&workspace.root, key));
    // What the memo keeps depends on what the load keeps, so that is part of its key.
    let memo = request.memo.zip(run).map(|(memo, run)| {
        let key = crate::repo::content_hash(format!("{run:032x} {:?}", request.keep).as_bytes());
        (memo, key, memo.recall(key))
    });
    let reader = Reader::new(&workspace.config);
    let cached =
        Cached { verdicts: verdicts.as_ref(), memo: memo.as_ref().map(|(_, _, files)| files) };
    let loaded: Vec<(ReadFile, Option<Stamp>)> = found
        .par_iter()
        .map(|f| {
            let stamp = cache.as_ref().and_then(|_| idcache::stamp(&f.abs));
            (read_one(f, request, cache.as_ref(), stamp, &reader, cx, &cached), stamp)
        })
        .collect();
    let remembered = std::sync::atomic::AtomicUsize::new(0);
    if let Some((memo, key, previous)) = memo {
        // Only what changed is cloned; the rest is the previous load's, shared.
        let files = found
            .par_iter()
            .zip(&loaded)
            .filter_map(|(f, (read, _))| {
                let hash = read.hash?;
                let kept = match previous.get(&f.rel) {
                    Some(kept) if kept.hash == hash => {
                        remembered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        Arc::clone(kept)
                    }
                    _ => Arc::new(Kept {
                        hash,
                        doc: read.doc.clone(),
                        checked: read.checked.clone(),
                    }),
                };
                Some((f.rel.clone(), kept))
            })
            .collect();
        memo.keep(key, files);
    }
    if let Some(cache) = &cache {
        let entries: Vec<(&str, Stamp, &str)> = loaded
            .iter()
            .filter_map(|(read, stamp)| Some((read.doc.path(), (*stamp)?, read.doc.id()?)))
            .collect();
        cache.save(&entries);
    }
    if let Some(verdicts) = &verdicts {
        let files: Vec<(&str, Option<&Entry>)> = found
            .iter()
            .zip(&loaded)
            .map(|(f, (read, _))| (f.rel.as_str(), read.entry.as_ref()))
            .collect();
        verdicts.save(&files);
    }
    let loaded = loaded.into_iter().map(|(read, _)| (read.doc, read.checked)).collect();
    let mut loaded = finish(workspace.clone(), loaded, walk_problems, request, cx);
    loaded.repo.skipped = skipped;
    loaded.remembered = request.memo.map(|_| remembered.into_inner());
    loaded
}

/// Takes documents already in memory (named by their repo-relative paths) through the same
/// steps as [`load`]: the per-document rules, what to keep, the repo-wide rules.
pub fn check_documents(
    workspace: Workspace,
    documents: Vec<Document>,
    request: &Request<'_>,
) -> Loaded {
    let cx = request.rules.map(|(rules, today)| (rules, context(&workspace, rules, today)));
    let cx = cx.as_ref().map(|(rules, cx)| (&rules.policy, cx));
    let reader = Reader::new(&workspace.config);
    let loaded =
        documents.into_par_iter().map(|doc| judge(doc, request.keep, &reader, cx)).collect();
    finish(workspace.clone(), loaded, Vec::new(), request, cx)
}

fn context<'w>(workspace: &'w Workspace, rules: &'w Rules, today: Date) -> Context<'w> {
    Context::new(
        &workspace.config,
        &rules.schema,
        today,
        rules.tickets.as_deref(),
        Some(&workspace.root),
    )
}

/// One file as read: the document kept, its verdict, the verdict cache's new entry for it
/// (`None`: none, or the cached one still holds), and the hash of its bytes when the caches
/// were consulted.
struct ReadFile {
    doc: Document,
    checked: Checked,
    entry: Option<Entry>,
    hash: Option<u128>,
}

impl ReadFile {
    fn of((doc, checked): (Document, Checked)) -> Self {
        Self { doc, checked, entry: None, hash: None }
    }
}

/// What a load may reuse instead of parsing and checking a file again.
struct Cached<'a> {
    /// The verdict cache (on disk).
    verdicts: Option<&'a Verdicts>,
    /// The previous load's documents in this process, by path ([`Memo`]).
    memo: Option<&'a HashMap<String, Arc<Kept>>>,
}

/// Reads one found file as `request` asks: fully and judged (through the verdict cache when
/// there is one), or only for its id.
fn read_one(
    f: &Found,
    request: &Request<'_>,
    cache: Option<&IdCache>,
    stamp: Option<Stamp>,
    reader: &Reader,
    cx: Option<(&Policy, &Context<'_>)>,
    cached: &Cached<'_>,
) -> ReadFile {
    if request.read.is_full(&f.rel) {
        // A build lets each text go once its file is checked, to be read again by the pages
        // (and by the repo-wide rules, to locate their findings): that needs the hash of each
        // file's bytes, as the caches do. The peak of a load is then no longer every text.
        let hashed =
            cached.verdicts.is_some() || cached.memo.is_some() || request.keep == Keep::Pages;
        let read = match cx.filter(|_| hashed) {
            Some(cx) => read_cached(f, request.keep, reader, cx, cached),
            None => ReadFile::of(judge(
                Document::read(&f.rel, &f.abs, Depth::Full),
                request.keep,
                reader,
                cx,
            )),
        };
        return match read.hash {
            Some(hash) if request.keep == Keep::Pages => {
                let doc = Document { bytes_hash: Some(hash), ..read.doc }.let_go_of_text();
                ReadFile { doc, ..read }
            }
            _ => read,
        };
    }
    let cached = cache.zip(stamp).and_then(|(c, s)| c.get(&f.rel, s));
    let doc = match cached {
        Some(id) => Document::known_id(&f.rel, id.to_owned()),
        None => Document::read(&f.rel, &f.abs, Depth::Id),
    };
    ReadFile::of((doc, Checked::default()))
}

/// Reads one file fully, hashes its bytes and judges it, reusing what the previous load in this
/// process kept of it, or its cached verdict, when its bytes are the ones judged before. From the verdict
/// cache, what [`Keep::RepoFacts`] keeps is rebuilt without parsing; other `keep`s still
/// parse (they keep more than the cache holds) but skip the rules.
fn read_cached(
    f: &Found,
    keep: Keep,
    reader: &Reader,
    (policy, cx): (&Policy, &Context<'_>),
    cached: &Cached<'_>,
) -> ReadFile {
    let bytes = match Document::read_bytes(&f.rel, &f.abs) {
        Ok(bytes) => bytes,
        Err(failed) => return ReadFile::of(judge(*failed, keep, reader, Some((policy, cx)))),
    };
    let hash = crate::repo::content_hash(&bytes);
    let read = judge_bytes(f, bytes, hash, keep, reader, (policy, cx), cached);
    ReadFile { hash: Some(hash), ..read }
}

/// [`read_cached`] once the file's `bytes` are read and hashed.
fn judge_bytes(
    f: &Found,
    bytes: Vec<u8>,
    hash: u128,
    keep: Keep,
    reader: &Reader,
    (policy, cx): (&Policy, &Context<'_>),
    cached: &Cached<'_>,
) -> ReadFile {
    if let Some(kept) = cached.memo.and_then(|m| m.get(&f.rel)).filter(|k| k.hash == hash) {
        return ReadFile::of((kept.doc.clone(), kept.checked.clone()));
    }
    let Some(entry) = cached.verdicts.and_then(|v| v.get(&f.rel, hash)) else {
        let doc = Document::parse(&f.rel, bytes, Depth::Full);
        let hash = cached.verdicts.map(|_| hash);
        return judge_fresh(doc, hash, keep, reader, (policy, cx));
    };
    let diagnostics = entry.diagnostics(&f.rel);
    if keep == Keep::RepoFacts {
        let (text, problem) = decode(bytes);
        return match entry.document(&f.rel, text) {
            Ok(doc) => {
                let inline = Inline::read(&doc.source, entry.directives());
                ReadFile { doc, checked: Checked { diagnostics, inline }, entry: None, hash: None }
            }
            // Spans that do not fit the text (an entry forged to hash right): judged anew.
            Err(text) => {
                let doc = Document::decoded(&f.rel, text, problem, Depth::Full);
                judge_fresh(doc, Some(hash), keep, reader, (policy, cx))
            }
        };
    }
    let doc = with_written(Document::parse(&f.rel, bytes, Depth::Full), reader);
    let html = doc.postmortem.as_ref().map(|p| p.body.html.as_slice()).unwrap_or_default();
    let inline = Inline::read(&doc.source, html);
    ReadFile {
        doc: keep.apply(doc),
        checked: Checked { diagnostics, inline },
        entry: None,
        hash: None,
    }
}

/// Judges `doc` and, given the `hash` of the bytes it was parsed from, makes its verdict cache
/// entry (no hash: no verdict cache this run).
fn judge_fresh(
    doc: Document,
    hash: Option<u128>,
    keep: Keep,
    reader: &Reader,
    (policy, cx): (&Policy, &Context<'_>),
) -> ReadFile {
    let doc = with_written(doc, reader);
    let checked = check_document(cx, policy, &doc);
    let entry = hash.and_then(|hash| {
        let html = doc.postmortem.as_ref().map(|p| p.body.html.as_slice()).unwrap_or_default();
        let directives = Inline::directive_spans(&doc.source, html);
        Entry::of(&doc, hash, &checked.diagnostics, directives)
    });
    ReadFile { doc: keep.apply(doc), checked, entry, hash: None }
}

/// `doc` with what its postmortem has written, which completion is judged by (read before
/// the body is dropped).
fn with_written(mut doc: Document, reader: &Reader) -> Document {
    if let (Some(pm), Some(split)) = (&doc.postmortem, &doc.split) {
        let body_start = Span::new(split.close.start, split.close.end);
        doc.written = Some(reader.read(pm, &doc.source.text, body_start));
    }
    doc
}

fn judge(
    doc: Document,
    keep: Keep,
    reader: &Reader,
    cx: Option<(&Policy, &Context<'_>)>,
) -> (Document, Checked) {
    let doc = with_written(doc, reader);
    let checked = cx.map(|(policy, cx)| check_document(cx, policy, &doc)).unwrap_or_default();
    (keep.apply(doc), checked)
}

/// Puts the documents and their per-document verdicts together into the repository, runs the
/// repo-wide rules and sorts every diagnostic.
fn finish(
    workspace: Workspace,
    loaded: Vec<(Document, Checked)>,
    walk_problems: Vec<WalkProblem>,
    request: &Request<'_>,
    cx: Option<(&Policy, &Context<'_>)>,
) -> Loaded {
    let mut diagnostics = Vec::new();
    let mut documents = Vec::with_capacity(loaded.len());
    let mut inline = Vec::with_capacity(loaded.len());
    for (doc, checked) in loaded {
        diagnostics.extend(checked.diagnostics);
        inline.push(checked.inline);
        documents.push(doc);
    }
    let mut repo = Repo::from_documents(workspace, documents, walk_problems);
    match request.rules.and_then(|(rules, _)| rules.tickets.clone()) {
        Some(tickets) => repo.tickets = Some(tickets),
        None => match crate::trackers::cache::Tickets::open(
            &repo.workspace.root,
            &repo.workspace.config,
        ) {
            Ok(tickets) => repo.tickets = tickets.map(Arc::new),
            Err(e) => repo.tickets_error = Some(e.to_string()),
        },
    }
    let selected = match request.read {
        Read::Selected(is_selected) => Some(selected_indices(&repo, is_selected)),
        Read::All | Read::IdsOnly => None,
    };
    if let Some((policy, cx)) = cx {
        diagnostics.extend(check_repo(&repo, cx, policy, &inline, selected.as_ref()));
        sort(&mut diagnostics);
    }
    Loaded { repo, diagnostics, selected, remembered: None }
}

/// Folders under the postmortems that could not be walked, as `invalid-front-matter`
/// diagnostics (the files in them could not be checked), for the reported paths.
pub fn walk_diagnostics(repo: &Repo, is_reported: &dyn Fn(&str) -> bool) -> Vec<Diagnostic> {
    let Some(rule) = crate::rules::lookup("invalid-front-matter") else {
        return Vec::new();
    };
    let meta = rule.meta();
    repo.walk_problems
        .iter()
        .filter(|p| is_reported(&p.rel))
        .map(|p| Diagnostic {
            path: p.rel.clone(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
            code: meta.code,
            rule: meta.slug,
            severity: meta.default_severity,
            message: format!("cannot read this path: {}", p.message),
            help: Some("check permissions, and that symlinks do not loop".into()),
            notes: Vec::new(),
            span: Span::default(),
        })
        .collect()
}

/// One document's verdict from the per-document rules, with its inline suppressions kept for
/// the repo-wide findings that come later.
#[derive(Debug, Default, Clone)]
pub struct Checked {
    /// Located, filtered diagnostics.
    pub diagnostics: Vec<Diagnostic>,
    /// The document's `pm-disable` comments.
    pub inline: Inline,
}

/// Runs the per-document rules on `doc`.
pub fn check_document(cx: &Context<'_>, policy: &Policy, doc: &Document) -> Checked {
    let mut findings = Vec::new();
    for rule in RULES {
        let mut out = Vec::new();
        rule.check_document(cx, doc, &mut out);
        findings.extend(out.into_iter().map(|f| (rule.meta(), f)));
    }
    let html = doc.postmortem.as_ref().map(|p| p.body.html.as_slice()).unwrap_or_default();
    let inline = Inline::read(&doc.source, html);
    Checked { diagnostics: locate(&doc.source, findings, policy, &inline), inline }
}

/// Runs the repo-wide rules. `inline` holds each document's suppressions (by index);
/// `selected` limits the reported files.
pub fn check_repo(
    repo: &Repo,
    cx: &Context<'_>,
    policy: &Policy,
    inline: &[Inline],
    selected: Option<&BTreeSet<usize>>,
) -> Vec<Diagnostic> {
    let mut per_doc: Vec<Vec<(&'static Meta, Finding)>> = vec![Vec::new(); repo.documents.len()];
    for rule in RULES {
        let mut out = Vec::new();
        rule.check_repo(cx, repo, &mut out);
        for (i, finding) in out {
            if selected.is_none_or(|s| s.contains(&i)) {
                per_doc[i].push((rule.meta(), finding));
            }
        }
    }
    let none = Inline::default();
    let located: Vec<Vec<Diagnostic>> = per_doc
        .into_par_iter()
        .enumerate()
        .filter(|(_, f)| !f.is_empty())
        .map(|(i, f)| {
            let doc = &repo.documents[i];
            let inline = inline.get(i).unwrap_or(&none);
            // A document that let its text go (a build's) is located on its file read again.
            match doc.full_source(&repo.workspace.root) {
                Ok(source) => locate(&source, f, policy, inline),
                // Edited since it was read: its findings go at its start and say why (the page
                // that reads it again fails the build the same way).
                Err(e) => {
                    let source = Source::new(doc.path().to_owned(), String::new());
                    let mut located = locate(&source, f, policy, inline);
                    for d in &mut located {
                        d.notes.push(crate::diagnostic::Note {
                            line: 1,
                            column: 1,
                            message: e.to_string(),
                        });
                    }
                    located
                }
            }
        })
        .collect();
    located.into_iter().flatten().collect()
}

/// The indexes of the documents whose path `is_selected` accepts.
pub fn selected_indices(repo: &Repo, is_selected: &dyn Fn(&str) -> bool) -> BTreeSet<usize> {
    repo.documents
        .iter()
        .enumerate()
        .filter(|(_, d)| is_selected(d.path()))
        .map(|(i, _)| i)
        .collect()
}

/// Sorts by path, position and code, and removes exact duplicates: reports are deterministic.
pub fn sort(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        (&a.path, a.line, a.column, a.code, &a.message)
            .cmp(&(&b.path, b.line, b.column, b.code, &b.message))
    });
    diagnostics.dedup();
}

/// Turns one file's findings into diagnostics: severity from the policy, positions, inline
/// suppressions, and at most [`MAX_PER_RULE_AND_FILE`] per rule, the rest counted in one
/// summary diagnostic at the first one left out.
fn locate(
    source: &Source,
    findings: Vec<(&'static Meta, Finding)>,
    policy: &Policy,
    inline: &Inline,
) -> Vec<Diagnostic> {
    let mut shown: HashMap<&'static str, usize> = HashMap::new();
    // Per rule left over: how many, and the first of them (where the summary goes).
    let mut left_out: BTreeMap<&'static str, (usize, &'static Meta, Severity, Span)> =
        BTreeMap::new();
    let mut diagnostics = Vec::new();
    for (meta, f) in findings {
        let Some(severity) = policy.severity(meta, f.severity, &source.path) else { continue };
        let line = source.lines.line(edge_offsets(&source.text, f.span).0);
        if inline.suppresses(meta, f.span.start, line) {
            continue;
        }
        let count = shown.entry(meta.code).or_insert(0);
        if *count >= MAX_PER_RULE_AND_FILE {
            left_out.entry(meta.code).or_insert((0, meta, severity, f.span)).0 += 1;
            continue;
        }
        *count += 1;
        diagnostics.push(diagnostic(source, meta, severity, f));
    }
    for (n, meta, severity, span) in left_out.into_values() {
        let message = format!(
            "and {} in this file",
            plural(
                n,
                &format!("more `{}` finding", meta.slug),
                &format!("more `{}` findings", meta.slug)
            )
        );
        let help = format!(
            "only the first {MAX_PER_RULE_AND_FILE} are shown; fix those and run again, or turn \
             the rule off for this file with `<!-- pm-disable-file {} -->`",
            meta.slug
        );
        let finding = Finding::new(span, message).help(help);
        diagnostics.push(diagnostic(source, meta, severity, finding));
    }
    diagnostics
}

/// One finding in `source`, located.
fn diagnostic(source: &Source, meta: &'static Meta, severity: Severity, f: Finding) -> Diagnostic {
    let (start, end) = edge_offsets(&source.text, f.span);
    let start = source.position(start);
    let end = source.position(end);
    Diagnostic {
        path: source.path.clone(),
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        code: meta.code,
        rule: meta.slug,
        severity,
        message: f.message,
        help: f.help,
        notes: f
            .notes
            .into_iter()
            .map(|(span, message)| {
                let at = source.position(edge_offsets(&source.text, span).0);
                crate::diagnostic::Note { line: at.line, column: at.column, message }
            })
            .collect(),
        span: f.span,
    }
}

/// The offsets a diagnostic's positions are taken at: the span without the line ending it may
/// end with (a heading's or list item's range can take in the `\r` of a CRLF line, or of the
/// last line), and never starting between `\r` and `\n`. Positions there would be columns
/// past the end of the line, which no editor shows (found by the `check_one` fuzz target).
fn edge_offsets(text: &str, span: crate::source::Span) -> (usize, usize) {
    let bytes = text.as_bytes();
    let mut start = span.start.min(bytes.len());
    if start > 0 && bytes.get(start) == Some(&b'\n') && bytes[start - 1] == b'\r' {
        start -= 1;
    }
    let mut end = span.end.clamp(start, bytes.len());
    while end > start && matches!(bytes[end - 1], b'\r' | b'\n') {
        end -= 1;
    }
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_stop_before_line_endings() {
        let text = "## Impact\r\nx\r\n## End\r";
        assert_eq!(edge_offsets(text, Span::new(0, 10)), (0, 9));
        assert_eq!(edge_offsets(text, Span::new(0, 11)), (0, 9));
        assert_eq!(edge_offsets(text, Span::new(10, 11)), (9, 9));
        assert_eq!(edge_offsets(text, Span::new(14, 21)), (14, 20));
        assert_eq!(edge_offsets(text, Span::new(3, 999)), (3, 20));
        assert_eq!(edge_offsets(text, Span::new(5, 2)), (5, 5));
    }
}
