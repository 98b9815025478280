//! A repository loaded (by [`crate::check::load`], the one load path): every postmortem
//! document, plus the indexes that cross-file rules and the site need.

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::Workspace;
use crate::discover::WalkProblem;
use crate::model::Postmortem;
use crate::parse::front_matter::{self, Split, SplitError};
use crate::parse::markdown;
use crate::parse::yaml::{self, DuplicateKey, LoadError};
use crate::source::{Source, Span};

/// Why a file yielded no (or only part of a) postmortem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The file could not be read.
    Unreadable(String),
    /// The file is not UTF-8; the offset of the first bad byte.
    NotUtf8(usize),
    /// The file holds NUL bytes: it is binary.
    Binary,
    /// The file is empty (or only whitespace).
    Empty,
    /// No front matter, or an unterminated one.
    FrontMatter(SplitError),
    /// The YAML could not be loaded.
    Yaml(LoadError),
    /// The front matter is not a mapping.
    NotMapping {
        /// What it is instead.
        found: &'static str,
        /// Where.
        span: Span,
    },
}

/// One file of the repository.
#[derive(Debug, Clone)]
pub struct Document {
    /// Path and text.
    pub source: Source,
    /// Where the front matter and body are, when the file has front matter.
    pub split: Option<Split>,
    /// What kept the file from loading fully.
    pub problem: Option<Problem>,
    /// Keys written twice in the front matter.
    pub duplicates: Vec<DuplicateKey>,
    /// The typed postmortem, when the front matter is a mapping.
    pub postmortem: Option<Postmortem>,
    /// What the postmortem has written (sections, timeline, filled keys), read by the load
    /// path from the full document before the body is dropped: how completion is judged.
    pub written: Option<crate::completion::Written>,
    /// The [`content_hash`] of the bytes this document was parsed from, when the load kept it:
    /// what lets its text go ([`Document::let_go_of_text`]) and be read again
    /// ([`Document::text`]).
    pub bytes_hash: Option<u128>,
    /// What lists show of the body ([`Gist`]), read while the text was at hand (a build keeps
    /// it, [`Document::with_gist`], so listing a postmortem never reads its file again).
    pub gist: Option<Gist>,
}

/// What lists, feeds and search results show of a postmortem's body besides its fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gist {
    /// The Summary section's first paragraph as plain text, else the body's, at most
    /// [`Gist::SUMMARY_CHARS`] characters.
    pub summary: String,
    /// Whether the body may link to another postmortem's file ([`may_link_to_files`]).
    pub links_files: bool,
}

impl Gist {
    /// The longest summary, in characters.
    pub const SUMMARY_CHARS: usize = 280;

    /// The gist of `doc`, whose text is `text`: only the summary's section is parsed.
    pub fn read(doc: &Document, text: &str) -> Self {
        let Some(pm) = &doc.postmortem else { return Self::default() };
        let slice = |span: Span| text.get(span.start..span.end).unwrap_or_default();
        let summary = match (&doc.split, pm.body.section(&["summary".to_owned()])) {
            (_, Some(section)) => slice(section.content),
            (Some(split), None) => slice(split.body),
            (None, None) => "",
        };
        let body = doc.split.as_ref().map_or("", |s| slice(s.body));
        Self {
            summary: markdown::first_paragraph(summary, Self::SUMMARY_CHARS),
            links_files: may_link_to_files(body),
        }
    }
}

/// Whether a link in `body` may lead to another postmortem's file, whose page links to that
/// postmortem's page instead: only then does the page depend on where the other pages are.
/// Markdown unescapes `\.` and `&#46;` in link destinations, so a body with either escape counts
/// too.
pub fn may_link_to_files(body: &str) -> bool {
    body.contains(".md") || body.contains(".markdown") || body.contains(['&', '\\'])
}

/// Larger files are refused unread. No postmortem is this long (a long one is 100 KB), and
/// the cap is where the costliest content still fits a CI runner: markdown that is nothing but
/// markup costs up to ~65× its size to check and ~85× to build (`bench/pathological.sh`), so
/// 16 MB of it stays under 1.5 GB.
pub const MAX_FILE_BYTES: u64 = 16_000_000;

/// The longest text [`Document::let_go_of_text`] lets go; no written postmortem is this long
/// (a long one is 100 KB), so in practice only pasted logs are held.
pub const HELD_TEXT_BYTES: usize = 1_000_000;

/// How much of a document to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Front matter and body.
    Full,
    /// Only the id, for repo-wide facts: scanned without a YAML parse when it is simple.
    Id,
}

impl Document {
    /// Reads and parses the file at `abs`, shown as `rel`.
    pub fn read(rel: &str, abs: &Path, depth: Depth) -> Self {
        if let Err(failed) = Self::readable(rel, abs) {
            return *failed;
        }
        if depth == Depth::Id {
            if let Some(doc) = Self::read_id(rel, abs) {
                return doc;
            }
        }
        match std::fs::read(abs) {
            Ok(bytes) => Self::parse(rel, bytes, depth),
            Err(e) => Self::failed(rel, String::new(), Problem::Unreadable(e.to_string())),
        }
    }

    /// The bytes of the file at `abs`, or the document that says why they cannot be read (see
    /// [`Document::read`]).
    pub fn read_bytes(rel: &str, abs: &Path) -> Result<Vec<u8>, Box<Self>> {
        Self::readable(rel, abs)?;
        std::fs::read(abs).map_err(|e| {
            Box::new(Self::failed(rel, String::new(), Problem::Unreadable(e.to_string())))
        })
    }

    /// Whether the file at `abs` may be read: only regular files are, and none larger than
    /// [`MAX_FILE_BYTES`]. Opening a named pipe blocks until a writer comes, and a device (a
    /// committed link to `/dev/zero`) never ends.
    fn readable(rel: &str, abs: &Path) -> Result<(), Box<Self>> {
        let failed =
            |why: String| Box::new(Self::failed(rel, String::new(), Problem::Unreadable(why)));
        match std::fs::metadata(abs) {
            Ok(meta) if !meta.is_file() => {
                let what = if meta.is_dir() { "a folder" } else { "not a regular file" };
                Err(failed(what.to_owned()))
            }
            Ok(meta) if meta.len() > MAX_FILE_BYTES => Err(failed(format!(
                "it has {} bytes, more than the {MAX_FILE_BYTES} ({} MB) a postmortem may \
                 have; move pasted logs or data to a file of their own and link to it",
                meta.len(),
                MAX_FILE_BYTES / 1_000_000
            ))),
            Ok(_) => Ok(()),
            Err(e) => Err(failed(e.to_string())),
        }
    }

    /// Reads only the head of the file for its id: a one-file check in a large repository
    /// needs every other id, and reading whole files would dominate its time. `None` when the
    /// head is not enough (long front matter, odd YAML): the caller reads the whole file.
    fn read_id(rel: &str, abs: &Path) -> Option<Self> {
        use std::io::Read;
        const HEAD: usize = 4 * 1024;
        let mut head = Vec::with_capacity(HEAD);
        std::fs::File::open(abs).ok()?.take(HEAD as u64).read_to_end(&mut head).ok()?;
        let text = std::str::from_utf8(&head).ok().or_else(|| {
            // A multi-byte character cut at the end of the head is fine.
            let e = std::str::from_utf8(&head).err()?;
            e.error_len()
                .is_none()
                .then(|| std::str::from_utf8(&head[..e.valid_up_to()]).ok())
                .flatten()
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let split = front_matter::split(text).ok()?;
        let (id, span) = front_matter::scan_id(text, split.yaml)?;
        Some(Self::id_only(rel, Some(split), id, span))
    }

    /// A document known only by its id (from the id cache): enough for repo-wide facts.
    pub fn known_id(rel: &str, id: String) -> Self {
        Self::id_only(rel, None, id, Span::default())
    }

    /// A document known only by its id (and where its front matter is).
    fn id_only(rel: &str, split: Option<Split>, id: String, span: Span) -> Self {
        let id = Some(crate::source::Spanned::new(id, span));
        Self {
            source: Source::new(rel.to_owned(), String::new()),
            split,
            problem: None,
            duplicates: Vec::new(),
            postmortem: Some(Postmortem { id, ..Postmortem::default() }),
            written: None,
            bytes_hash: None,
            gist: None,
        }
    }

    /// Parses `bytes` as the contents of `rel`.
    pub fn parse(rel: &str, bytes: Vec<u8>, depth: Depth) -> Self {
        let (text, problem) = decode(bytes);
        Self::decoded(rel, text, problem, depth)
    }

    /// Parses what [`decode`] made of a file's bytes.
    pub fn decoded(rel: &str, text: String, problem: Option<Problem>, depth: Depth) -> Self {
        match problem {
            None => Self::parse_text(rel, text, depth),
            Some(problem) => Self::failed(rel, text, problem),
        }
    }

    /// Parses `text` (UTF-8, BOM removed) as the contents of `rel`.
    pub fn parse_text(rel: &str, text: String, depth: Depth) -> Self {
        if text.trim().is_empty() {
            return Self::failed(rel, text, Problem::Empty);
        }
        let split = match front_matter::split(&text) {
            Ok(split) => split,
            Err(e) => return Self::failed(rel, text, Problem::FrontMatter(e)),
        };
        if depth == Depth::Id {
            if let Some((id, span)) = front_matter::scan_id(&text, split.yaml) {
                return Self::id_only(rel, Some(split), id, span);
            }
        }
        let source = Source::new(rel.to_owned(), text);
        let text = &source.text;
        let (problem, duplicates, postmortem) =
            match yaml::load(&text[split.yaml.start..split.yaml.end], split.yaml.start) {
                Err(e) => (Some(Problem::Yaml(e)), Vec::new(), None),
                Ok(loaded) if loaded.root.as_map().is_none() => {
                    let span =
                        if loaded.root.span.is_empty() { split.open } else { loaded.root.span };
                    (
                        Some(Problem::NotMapping { found: loaded.root.type_name(), span }),
                        loaded.duplicates,
                        None,
                    )
                }
                Ok(loaded) => {
                    let body = match depth {
                        Depth::Full => markdown::parse(
                            &text[split.body.start..split.body.end],
                            split.body.start,
                        ),
                        Depth::Id => markdown::Body::default(),
                    };
                    (
                        None,
                        loaded.duplicates,
                        Some(Postmortem::from_front_matter(loaded.root, body)),
                    )
                }
            };
        Self {
            source,
            split: Some(split),
            problem,
            duplicates,
            postmortem,
            written: None,
            bytes_hash: None,
            gist: None,
        }
    }

    fn failed(rel: &str, text: String, problem: Problem) -> Self {
        Self {
            source: Source::new(rel.to_owned(), text),
            split: None,
            problem: Some(problem),
            duplicates: Vec::new(),
            postmortem: None,
            written: None,
            bytes_hash: None,
            gist: None,
        }
    }

    /// The document with only what repo-wide rules need (id and `related`): the parsed body
    /// and front matter tree are dropped. The source text stays, for locating findings.
    #[must_use]
    pub fn slim(self) -> Self {
        let postmortem = self.postmortem.map(|p| Postmortem {
            id: p.id,
            related: p.related,
            ..Postmortem::default()
        });
        Self { postmortem, written: None, ..self }
    }

    /// The document without what only the language rules read (the flattened prose, list
    /// items, raw HTML spans and the front matter tree): the site renders bodies from the text.
    #[must_use]
    pub fn without_prose(mut self) -> Self {
        if let Some(pm) = &mut self.postmortem {
            pm.body.prose = Vec::new();
            pm.body.list_items = Vec::new();
            pm.body.html = Vec::new();
            pm.front_matter = None;
        }
        self
    }

    /// The document with its [`Gist`] read from its text (a postmortem's; a file that is not
    /// one has none).
    #[must_use]
    pub fn with_gist(mut self) -> Self {
        if self.postmortem.is_some() {
            self.gist = Some(Gist::read(&self, &self.source.text));
        }
        self
    }

    /// The document without its text and line index, which [`Document::text`] reads again from
    /// the file when a page needs it: a build must not hold every postmortem's text at once.
    /// Only a document that knows the hash of its bytes lets its text go; spans stay valid,
    /// since the text read again is checked to be the same.
    /// A text longer than [`HELD_TEXT_BYTES`] is held all the same: a page and the search index
    /// read it at the same time, and two copies of one huge text cost more than holding one.
    #[must_use]
    pub fn let_go_of_text(mut self) -> Self {
        if self.bytes_hash.is_some() && self.source.text.len() <= HELD_TEXT_BYTES {
            self.source = Source::new(std::mem::take(&mut self.source.path), String::new());
        }
        self
    }

    /// The document's text: the one in memory or, once let go ([`Document::let_go_of_text`]),
    /// the file under `root` read again. A file whose bytes are no longer the ones this
    /// document was parsed from (edited meanwhile) is an error: its spans would not fit.
    pub fn text(&self, root: &Path) -> std::io::Result<std::borrow::Cow<'_, str>> {
        use std::borrow::Cow;
        // An empty text may be one let go; reading it again is right either way.
        let hash = match self.bytes_hash {
            Some(hash) if self.source.text.is_empty() => hash,
            _ => return Ok(Cow::Borrowed(&self.source.text)),
        };
        let rel = &self.source.path;
        let bytes = Self::read_bytes(rel, &root.join(rel)).map_err(|failed| {
            std::io::Error::other(match failed.problem {
                Some(Problem::Unreadable(why)) => format!("cannot read {rel}: {why}"),
                _ => format!("cannot read {rel}"),
            })
        })?;
        if content_hash(&bytes) != hash {
            return Err(std::io::Error::other(format!(
                "{rel} changed while pm was working; run the command again"
            )));
        }
        Ok(Cow::Owned(decode(bytes).0))
    }

    /// The document's source (path, text, lines) as [`Document::text`] gives the text: the one
    /// in memory, or one made from the file read again. What locates findings on a document
    /// that has let its text go.
    pub fn full_source(&self, root: &Path) -> std::io::Result<std::borrow::Cow<'_, Source>> {
        use std::borrow::Cow;
        Ok(match self.text(root)? {
            Cow::Borrowed(_) => Cow::Borrowed(&self.source),
            Cow::Owned(text) => Cow::Owned(Source::new(self.source.path.clone(), text)),
        })
    }

    /// A hash of the document's text, for keys of what is made from it: the
    /// [`content_hash`] of its bytes when known, else the hash of the text in memory.
    pub fn text_key(&self) -> u128 {
        self.bytes_hash.unwrap_or_else(|| content_hash(self.source.text.as_bytes()))
    }

    /// The document with only its typed fields: no source text, parsed body or front matter
    /// tree (what figures read). The path stays.
    #[must_use]
    pub fn fields_only(mut self) -> Self {
        if let Some(pm) = &mut self.postmortem {
            pm.front_matter = None;
            pm.body = markdown::Body::default();
        }
        self.source = Source::new(std::mem::take(&mut self.source.path), String::new());
        self
    }

    /// The document as the site may show a `restricted` postmortem: its id, title, status,
    /// severity, owner, team, timestamps and due and publication dates, and nothing it says
    /// (no text, body, summary, impact, action items, services, tags, factors, people, related
    /// ids, reviews or what it has written). The path stays, for git dates.
    #[must_use]
    pub fn stub(self) -> Self {
        let postmortem = self.postmortem.map(|p| Postmortem {
            id: p.id,
            title: p.title,
            status: p.status,
            visibility: p.visibility,
            severity: p.severity,
            owner: p.owner,
            team: p.team,
            times: p.times,
            due: p.due,
            published_on: p.published_on,
            ..Postmortem::default()
        });
        Self {
            source: Source::new(self.source.path, String::new()),
            split: None,
            problem: None,
            duplicates: Vec::new(),
            postmortem,
            written: None,
            bytes_hash: None,
            gist: None,
        }
    }

    /// The repo-relative path.
    pub fn path(&self) -> &str {
        &self.source.path
    }

    /// The postmortem's id, if it has one.
    pub fn id(&self) -> Option<&str> {
        self.postmortem.as_ref()?.id.as_ref().map(|s| s.value.as_str())
    }
}

/// The hash of a file's bytes: what says a file is still the one loaded (the verdict cache, a
/// text read again).
pub fn content_hash(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

/// A file's bytes as the text a [`Document`] holds (UTF-8, BOM removed), with the problem that
/// keeps it from being parsed: binary files hold no text, and text that is not UTF-8 is kept
/// lossily, for showing. The one decoding every reader of a file's bytes goes through.
pub fn decode(bytes: Vec<u8>) -> (String, Option<Problem>) {
    if bytes.contains(&0) {
        return (String::new(), Some(Problem::Binary));
    }
    match String::from_utf8(bytes) {
        Ok(text) => match text.strip_prefix('\u{feff}') {
            Some(rest) => (rest.to_owned(), None),
            None => (text, None),
        },
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(Problem::NotUtf8(offset)))
        }
    }
}

impl Span {
    /// Whether the span covers no bytes.
    pub const fn is_empty(&self) -> bool {
        self.start >= self.end
    }
}

/// Every document of a repository, sorted by path.
#[derive(Debug)]
pub struct Repo {
    /// Root and configuration.
    pub workspace: Workspace,
    /// The documents, sorted by path.
    pub documents: Vec<Document>,
    /// Folders that could not be walked.
    pub walk_problems: Vec<WalkProblem>,
    /// Markdown files of the postmortems folder that `[check] ignore` says are not postmortems.
    pub skipped: Vec<crate::discover::Skipped>,
    /// Document indexes by postmortem id.
    pub by_id: BTreeMap<String, Vec<usize>>,
    /// The ticket cache `pm sync` wrote, if any: what trackers said about the items' tickets.
    pub tickets: Option<std::sync::Arc<crate::trackers::cache::Tickets>>,
    /// Why the ticket cache could not be read (its states are then not shown).
    pub tickets_error: Option<String>,
}

impl Repo {
    /// Builds the indexes over already-loaded documents.
    pub fn from_documents(
        workspace: Workspace,
        documents: Vec<Document>,
        walk_problems: Vec<WalkProblem>,
    ) -> Self {
        let by_id = index(&documents);
        Self {
            workspace,
            documents,
            walk_problems,
            skipped: Vec::new(),
            by_id,
            tickets: None,
            tickets_error: None,
        }
    }

    /// The repository as its readers may see it (`[site] publish` and each postmortem's
    /// `visibility`): postmortems whose status is not published and `private` ones are removed,
    /// `restricted` ones become stubs ([`Document::stub`]). Files that are no postmortem stay
    /// (they have no page). The one definition the site and `pm export --as-site` share; the
    /// paths it removed or stubbed are returned, so that nothing said about them (a check's
    /// message) is shown either.
    pub fn for_readers(&mut self) -> std::collections::BTreeSet<String> {
        use crate::model::Visibility;
        let site = &self.workspace.config.site;
        let mut hidden = std::collections::BTreeSet::new();
        let documents = std::mem::take(&mut self.documents);
        let mut kept = Vec::with_capacity(documents.len());
        for doc in documents {
            let Some(pm) = &doc.postmortem else {
                kept.push(doc);
                continue;
            };
            let shown = site.publishes(pm.status_or_draft());
            match pm.visibility {
                Visibility::Public if shown => kept.push(doc),
                Visibility::Restricted if shown => {
                    hidden.insert(doc.path().to_owned());
                    kept.push(doc.stub());
                }
                _ => {
                    hidden.insert(doc.path().to_owned());
                }
            }
        }
        self.by_id = index(&kept);
        self.documents = kept;
        hidden
    }

    /// What the cache says about `item`'s ticket.
    pub fn ticket(
        &self,
        item: &crate::model::ActionItem,
    ) -> Option<&crate::trackers::CachedTicket> {
        let tickets = self.tickets.as_deref()?;
        tickets.get(&self.workspace.config, &item.ticket.as_ref()?.value)
    }

    /// The loaded postmortems with their documents.
    pub fn postmortems(&self) -> impl Iterator<Item = (&Document, &Postmortem)> {
        self.documents.iter().filter_map(|d| d.postmortem.as_ref().map(|p| (d, p)))
    }
}

/// Document indexes by postmortem id.
fn index(documents: &[Document]) -> BTreeMap<String, Vec<usize>> {
    let mut by_id: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, doc) in documents.iter().enumerate() {
        if let Some(id) = doc.id() {
            by_id.entry(id.to_owned()).or_default().push(i);
        }
    }
    by_id
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    #[test]
    fn a_text_let_go_is_read_again_only_while_its_file_is_unchanged() {
        let dir = tempfile::tempdir().expect("tempdir");
        let rel = "postmortems/a.md";
        let abs = dir.path().join(rel);
        std::fs::create_dir_all(dir.path().join("postmortems")).expect("mkdir");
        let written = "\u{feff}---\nid: A\ntitle: T\n---\n# Summary\n\nThe body.\n";
        std::fs::write(&abs, written).expect("write");
        let bytes = std::fs::read(&abs).expect("read");
        let doc = Document::parse(rel, bytes.clone(), Depth::Full);
        let parsed = doc.source.text.clone();
        let doc = Document { bytes_hash: Some(content_hash(&bytes)), ..doc };
        // Held until let go.
        assert!(matches!(
            doc.text(Path::new("/nonexistent")).expect("read again"),
            Cow::Borrowed(_)
        ));
        let doc = doc.let_go_of_text();
        assert!(doc.source.text.is_empty());
        assert_eq!(doc.text_key(), content_hash(&bytes));
        // Read again as the parse saw it: decoded, the byte order mark removed.
        assert_eq!(doc.text(dir.path()).expect("read again"), parsed);
        assert!(!parsed.starts_with('\u{feff}'));
        // With its lines, so a finding is located on the text read again.
        let source = doc.full_source(dir.path()).expect("read again");
        assert_eq!((source.path.as_str(), source.text.as_str()), (rel, parsed.as_str()));
        assert_eq!(source.position(parsed.find("The body").expect("body")).line, 7);

        std::fs::write(&abs, written.replace("The body", "The BODY")).expect("edit");
        let changed = doc.text(dir.path()).expect_err("refused").to_string();
        assert_eq!(changed, "postmortems/a.md changed while pm was working; run the command again");
        let changed = doc.full_source(dir.path()).expect_err("refused").to_string();
        assert_eq!(changed, "postmortems/a.md changed while pm was working; run the command again");
        std::fs::remove_file(&abs).expect("rm");
        let gone = doc.text(dir.path()).expect_err("refused").to_string();
        assert!(gone.starts_with("cannot read postmortems/a.md: "), "{gone}");

        // A document whose text stays in memory never reads its file.
        let in_memory = Document::parse(rel, bytes, Depth::Full);
        let text = in_memory.text(Path::new("/nonexistent")).expect("read again");
        assert!(matches!(text, Cow::Borrowed(t) if t == parsed));
        assert_eq!(in_memory.text_key(), content_hash(parsed.as_bytes()));
    }

    #[test]
    fn a_gist_is_the_summary_paragraph_else_the_body_s_and_says_whether_files_are_linked() {
        let parse = |text: &str| {
            Document::parse("postmortems/a.md", text.as_bytes().to_vec(), Depth::Full).with_gist()
        };
        let gist = parse("---\nid: A\n---\nLead.\n\n# Summary\n\nThe *cache* was cold.\n")
            .gist
            .expect("a postmortem has one");
        assert_eq!(gist, Gist { summary: "The cache was cold.".into(), links_files: false });
        let gist = parse("---\nid: A\n---\nSee [B](b.md).\n").gist.expect("gist");
        assert_eq!(gist, Gist { summary: "See B.".into(), links_files: true });
        assert_eq!(parse("no front matter\n").gist, None);
    }
}
