//! `blameless-language`: blame phrasing in the body's prose.
//!
//! The rule is a table of categories (pattern, message, help, severity) compiled into one
//! regular expression, so a document's prose is scanned once however many categories there
//! are; the category is read from the capture group that matched. Some categories need a
//! second look at the words around a match, which runs only on the (rare) matches:
//!
//! - "failed to", "should have", "could have" and "made a mistake" blame only when their
//!   subject is a person or a role: the words right before the match are read back to the head
//!   of the subject ("the on-call engineer failed to" — yes; "the generator failed to" — no).
//!   "should/could have" must also be followed by a past participle, which separates the
//!   counterfactual ("we should have alerted") from possession ("engineers should have access").
//! - "someone" is fault-finding when it is the subject of a past action ("someone deleted"), not
//!   when it noticed or helped ("someone from support noticed").
//! - "fault" needs an owner before it ("at fault", "their fault", "the vendor's fault").
//! - Negations ("no one is to blame", "not human error", "no single root cause") and technical
//!   senses ("lazy loading", "sloppy quorum", "git blame") are not findings.
//!
//! Speed matters (the rule reads every paragraph of every postmortem, tens of megabytes in a
//! large repository): the blocks of prose of one document are joined and lowercased into one
//! buffer and searched with one case-sensitive regex, which gets a SIMD literal prefilter that a
//! case-insensitive one of this size does not (see [`compile`]).
//!
//! Bare URLs are an alternative of the same regex: leftmost-first matching then consumes a URL
//! whole, so nothing inside one (`https://x/blame`) is reported. Registry names join the regex
//! as one more group; that regex depends on the registry, so it is built once per registry and
//! cached.

use std::sync::{Arc, LazyLock, RwLock};

use regex::Regex;

use super::{Context, Meta, Rule};
use crate::diagnostic::{Finding, Severity};
use crate::parse::markdown::Prose;
use crate::repo::Document;

pub(super) struct BlamelessLanguage;

static META: Meta = Meta {
    code: "PM503",
    slug: "blameless-language",
    default_severity: Severity::Warning,
    summary: "Blame phrasing in the body: human error, counterfactuals about people, judgements.",
    docs: r#"
### What it does
Reports blame phrasing in the body's prose. Front matter, headings, code spans, code blocks and
URLs are skipped; matching is case-insensitive and on whole words.

- **human error**: "human error", "operator error", "engineer mistake", …, and "made a
  typo/mistake" when its subject is a person ("an engineer made a typo").
- **counterfactuals about people**: "forgot to", "neglected to"; "should have", "should not
  have" and "could have" followed by a past participle, and "failed to" — these only when their
  subject is a person or a role ("we", "I", "the on-call engineer", "the SRE team", a name from
  the registry). "The generator failed to start", "the system should have retried", "engineers
  should have access" and "we could have lost data" are not findings.
- **judgements**: careless, negligent, sloppy, reckless, incompetent, lazy (not "lazy loading",
  "sloppy quorum").
- **fault-finding**: blame, blamed, blaming (not "blameless", "blame-free", "git blame", "no one
  is to blame"); "whose fault", "at fault", "their fault", "the vendor's fault" (not "fault
  tolerance", "page fault", "default"); "culprit"; and "someone" as the subject of a past action
  ("someone deleted the table", not "someone noticed the errors").
- **a single root cause** ("root cause", info severity): incidents have several contributing
  factors. The plural "root causes" is not reported.
- **names**: a handle from the teams registry written in prose ("jdoe restarted the pool").

Each finding says why and suggests a rewording.

### Why it matters
A blameless postmortem asks what in the system made an action possible and harmful, not who
made it. Blame teaches people to hide what they did, and the next postmortem learns less.
Hindsight ("should have") judges a decision by an outcome nobody knew at the time.

### Example
```markdown
Human error: the on-call engineer failed to notice the alert. Someone should have checked.
```
Use instead:
```markdown
The alert fired in a channel that nobody watches at night, so the page went unanswered for
40 minutes. The runbook had no step to verify the rollout.
```

### Configuration
```toml
[blameless]
allow = ["Culprit Inc", "root cause analysis"]  # phrases never reported (case-insensitive)
names = false                                   # do not report registry names in prose
```
A finding inside an allowed phrase is not reported. A handle that is also an English word
(`mark`) is reported wherever the word appears: allow it, or set `names = false`. A quoted
passage can be exempted inline with `<!-- pm-disable blameless-language -->` …
`<!-- pm-enable blameless-language -->`; `[rules] blameless-language = "info"` (or `"off"`)
changes the severity for the whole repository.
"#,
};

/// What a category's matches mean; decides which second look a match gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A bare URL: consumed so that nothing inside it matches; never reported.
    Url,
    HumanError,
    /// "made a typo/mistake": the human-error framing as a sentence; needs a person subject.
    Slip,
    /// "should have", "could have": needs a person subject and a past participle.
    Counterfactual,
    /// "forgot to", "neglected to".
    Omission,
    /// "failed to": needs a person subject.
    FailedTo,
    Judgement,
    Blame,
    Fault,
    /// "someone": needs to be the subject of a past action.
    Someone,
    RootCause,
}

/// One row of the table. In `message` and `help`, `{m}` is the matched text and `{who}` the
/// subject that made the match a finding.
struct Category {
    kind: Kind,
    /// A lowercase regex (it runs on lowercased text) with `\b` for word boundaries (made
    /// ASCII at compile time, see [`compile`]).
    pattern: &'static str,
    message: &'static str,
    help: &'static str,
    /// `None`: the rule's configured severity.
    severity: Option<Severity>,
}

/// The categories, in match priority (the first alternative wins at one start position).
static CATEGORIES: &[Category] = &[
    Category {
        kind: Kind::Url,
        pattern: r#"(?:https?|ftp)://[^\s<>"]+|www\.[^\s<>"]+"#,
        message: "",
        help: "",
        severity: None,
    },
    Category {
        kind: Kind::HumanError,
        pattern: r"\b(?:human|operator|engineer|pilot|personnel)[\s-]+(?:error|mistake)s?\b",
        message: "\"{m}\" assigns blame to a person",
        help: "describe what in the system allowed the action to cause harm, e.g. \"the command accepted a scope wider than intended and nothing asked for confirmation\"",
        severity: None,
    },
    Category {
        kind: Kind::Slip,
        pattern: r"\bmade\s+(?:a|an|the|one|two|several|some)\s+(?:typo|mistake|error|blunder|slip)s?\b",
        message: "\"{m}\" with a person as its subject (\"{who}\") puts the error on them",
        help: "describe what in the system let the slip cause harm, e.g. \"the configuration accepted a typo in the datacenter name without validation\"",
        severity: None,
    },
    Category {
        kind: Kind::Counterfactual,
        pattern: r"\bshould(?:\s+not|n['’]t)?\s+have\b|\bcould\s+have\b|\b(?:should|could)['’]ve\b",
        message: "\"{m}\" about a person (\"{who}\") is a counterfactual: it judges a decision by hindsight",
        help: "describe what happened and what made it the reasonable choice at the time, e.g. \"there was no alert on X, so …\"",
        severity: None,
    },
    Category {
        kind: Kind::Omission,
        pattern: r"\b(?:forgot|forgotten|neglected)\s+to\b",
        message: "\"{m}\" blames a person for an omission",
        help: "describe the step that relied on memory and what could make it automatic, e.g. \"the runbook did not include the flag\"",
        severity: None,
    },
    Category {
        kind: Kind::FailedTo,
        pattern: r"\bfailed\s+to\b",
        message: "\"{m}\" with a person as its subject (\"{who}\") blames them for the outcome",
        help: "say what happened and why, e.g. \"the page was not acknowledged: it went to a muted channel\"",
        severity: None,
    },
    Category {
        kind: Kind::Judgement,
        pattern: r"\b(?:careless(?:ly|ness)?|negligen(?:t|tly|ce)|sloppy|sloppily|sloppiness|reckless(?:ly|ness)?|incompeten(?:t|ce|cy)|lazy|laziness)\b",
        message: "\"{m}\" is a judgement of a person",
        help: "describe the action and its conditions instead (time pressure, missing safeguards, unclear tooling)",
        severity: None,
    },
    Category {
        kind: Kind::Blame,
        pattern: r"\bblam(?:e|ed|es|ing)\b",
        message: "\"{m}\" looks for someone to blame",
        help: "describe the contributing factors and what in the system let them combine",
        severity: None,
    },
    Category {
        kind: Kind::Fault,
        // "fault" only after an owner ("at fault", "whose fault", "their fault", "the vendor's
        // fault"), checked in `judge`: matching on "fault" alone keeps the regex's literal
        // prefilter on a rare word instead of on "at", "my", "our".
        pattern: r"\bfault\b|\bculprits?\b",
        message: "\"{m}\" frames the analysis as finding who is at fault",
        help: "name the trigger and the contributing factors instead, e.g. \"the trigger was …\"",
        severity: None,
    },
    Category {
        kind: Kind::Someone,
        pattern: r"\b(?:someone|somebody)\b",
        message: "\"{m}\" points at an unnamed individual",
        help: "say what action happened and what allowed it, or name the role, e.g. \"a deploy script removed …\"",
        severity: None,
    },
    Category {
        kind: Kind::RootCause,
        pattern: r"\broot[\s-]+cause\b",
        message: "\"{m}\" suggests a single cause",
        help: "incidents have several contributing factors: list them, e.g. \"contributing factors were …\"",
        severity: Some(Severity::Info),
    },
];

const NAME_MESSAGE: &str = "\"{m}\" names a person from the registry in prose";
const NAME_HELP: &str = "refer to people by role (\"the on-call engineer\") or by initials; names belong in front matter";

/// Builds the combined regex: group `i + 1` is `CATEGORIES[i]`, the group after the last
/// category (if `names` is not empty) is a registry name.
///
/// The regex is case-sensitive and lowercase: it runs over an ASCII-lowercased copy of the
/// prose (same byte offsets). A case-insensitive regex of this size gets no literal prefilter
/// (every word has too many case variants) and must run its automaton over every byte; the
/// lowercase one skips to the rare words with a SIMD literal search, about twice as fast even
/// counting the copy.
fn compile(names: &[&str]) -> Result<Regex, regex::Error> {
    // ASCII word boundaries: every pattern starts and ends with ASCII letters, and a Unicode
    // `\b` would make the lazy DFA give up on the first non-ASCII byte (curly quotes are
    // everywhere in real prose), falling back to a much slower engine.
    let ascii = |p: &str| p.replace(r"\b", r"(?-u:\b)");
    let mut alternatives: Vec<String> =
        CATEGORIES.iter().map(|c| format!("({})", ascii(c.pattern))).collect();
    if !names.is_empty() {
        let escaped: Vec<String> =
            names.iter().map(|n| regex::escape(&n.to_ascii_lowercase())).collect();
        alternatives.push(format!("({})", ascii(&format!(r"\b(?:{})\b", escaped.join("|")))));
    }
    Regex::new(&alternatives.join("|"))
}

static BASE: LazyLock<Option<Arc<Regex>>> = LazyLock::new(|| compile(&[]).ok().map(Arc::new));

/// The regex with the names of the last registry seen (one per run in practice).
static WITH_NAMES: RwLock<Option<(Vec<String>, Arc<Regex>)>> = RwLock::new(None);

/// The regex for this run: with the registry's names when they are to be reported.
fn matcher(cx: &Context<'_>) -> Option<(Arc<Regex>, bool)> {
    let names: Vec<&str> = if cx.config.blameless.names {
        // A handle that does not start and end with a word character cannot be matched on
        // word boundaries; such handles are rare enough to leave out.
        cx.people
            .iter()
            .copied()
            .filter(|n| {
                let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
                word(n.chars().next()) && word(n.chars().last())
            })
            .collect()
    } else {
        Vec::new()
    };
    if names.is_empty() {
        return BASE.clone().map(|r| (r, false));
    }
    if let Ok(cache) = WITH_NAMES.read() {
        if let Some((cached, regex)) = cache.as_ref() {
            if cached.iter().map(String::as_str).eq(names.iter().copied()) {
                return Some((Arc::clone(regex), true));
            }
        }
    }
    match compile(&names) {
        Ok(regex) => {
            let regex = Arc::new(regex);
            if let Ok(mut cache) = WITH_NAMES.write() {
                *cache =
                    Some((names.iter().map(|n| (*n).to_owned()).collect(), Arc::clone(&regex)));
            }
            Some((regex, true))
        }
        // Too many names for the regex size limit: report the rest without them.
        Err(_) => BASE.clone().map(|r| (r, false)),
    }
}

impl Rule for BlamelessLanguage {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_document(&self, cx: &Context<'_>, doc: &Document, out: &mut Vec<Finding>) {
        let Some(pm) = &doc.postmortem else { return };
        let Some((regex, with_names)) = matcher(cx) else {
            return;
        };
        let is_name = |word: &str| cx.people.iter().any(|p| p.eq_ignore_ascii_case(word));
        let texts: Vec<&str> = pm.body.prose.iter().map(|p| p.text.as_str()).collect();
        let hits = find_hits(&regex, with_names, &texts, &is_name);
        report(&pm.body.prose, &hits, &cx.config.blameless.allow, out);
    }
}

/// A finding before it is mapped to the file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Hit {
    /// Index of the prose block; `start` and `end` are byte offsets in its text.
    block: usize,
    start: usize,
    end: usize,
    message: String,
    help: &'static str,
    severity: Option<Severity>,
    /// For "someone": where its verb starts, to drop it when that verb is reported itself.
    verb_at: Option<usize>,
}

impl Hit {
    /// A hit on `matched` (= `text[start..end]`), its message and help filled in.
    fn new(
        start: usize,
        end: usize,
        message: &str,
        help: &'static str,
        severity: Option<Severity>,
        matched: &str,
        who: &str,
    ) -> Self {
        Self {
            block: 0,
            start,
            end,
            message: message.replace("{m}", matched).replace("{who}", who),
            help,
            severity,
            verb_at: None,
        }
    }
}

/// Turns the hits into findings, leaving out allowed phrases and repeated "someone"s.
fn report(prose: &[Prose], hits: &[Hit], allow: &[String], out: &mut Vec<Finding>) {
    // Allowed ranges are computed only for blocks with a hit, which most blocks are not.
    let mut allowed: Option<(usize, Vec<(usize, usize)>)> = None;
    for hit in hits {
        let Some(block) = prose.get(hit.block) else { continue };
        if reported_elsewhere(hit, hits) {
            continue;
        }
        let ranges = match &allowed {
            Some((b, ranges)) if *b == hit.block => ranges,
            _ => &allowed.insert((hit.block, allowed_ranges(&block.text, allow))).1,
        };
        if ranges.iter().any(|&(s, e)| s <= hit.start && hit.end <= e) {
            continue;
        }
        let mut finding =
            Finding::new(block.span(hit.start, hit.end), hit.message.clone()).help(hit.help);
        if let Some(severity) = hit.severity {
            finding = finding.severity(severity);
        }
        out.push(finding);
    }
}

/// Whether `hit` is a "someone" whose verb is a finding of its own ("someone forgot to"):
/// that finding already says it, once is enough.
fn reported_elsewhere(hit: &Hit, hits: &[Hit]) -> bool {
    hit.verb_at.is_some_and(|at| {
        hits.iter().any(|h| h.block == hit.block && h.start == at && h.verb_at.is_none())
    })
}

/// Every finding in the blocks of prose `texts`, in text order.
///
/// The blocks are searched as one string, joined by newlines: one regex call per document
/// instead of one per paragraph, which is most of the cost when paragraphs are short. A match
/// that runs across a newline ("human⏎error" from two blocks) is an artefact of the joining
/// and is dropped; no pattern can start a real match inside such an artefact.
fn find_hits(
    regex: &Regex,
    with_names: bool,
    texts: &[&str],
    is_name: &dyn Fn(&str) -> bool,
) -> Vec<Hit> {
    let mut joined = String::with_capacity(texts.iter().map(|t| t.len() + 1).sum());
    let mut starts = Vec::with_capacity(texts.len());
    for text in texts {
        starts.push(joined.len());
        joined.push_str(text);
        joined.push('\n');
    }
    joined.make_ascii_lowercase();
    let mut hits = Vec::new();
    for caps in regex.captures_iter(&joined) {
        let Some((group, m)) = caps.iter().enumerate().skip(1).find_map(|(i, m)| Some((i, m?)))
        else {
            continue;
        };
        let block = starts.partition_point(|&s| s <= m.start()).saturating_sub(1);
        let (Some(&base), Some(text)) = (starts.get(block), texts.get(block)) else { continue };
        let (start, end) = (m.start() - base, m.end() - base);
        if end > text.len() {
            continue;
        }
        let category = match CATEGORIES.get(group - 1) {
            Some(category) => Some(category),
            None if with_names => None,
            None => continue,
        };
        if let Some(mut hit) = judge(category, text, start, end, is_name) {
            hit.block = block;
            hits.push(hit);
        }
    }
    hits
}

/// Decides whether the match `text[start..end]` of `category` (`None`: a registry name) is a
/// finding, and words it.
fn judge(
    category: Option<&Category>,
    text: &str,
    start: usize,
    end: usize,
    is_name: &dyn Fn(&str) -> bool,
) -> Option<Hit> {
    // Part of an address or identifier ("jdoe@example.com", "culprit.example.com",
    // "blame-free", "lazy-loaded"): not prose.
    if !stands_alone(text, start, end) {
        return None;
    }
    let Some(category) = category else {
        return Some(Hit::new(start, end, NAME_MESSAGE, NAME_HELP, None, &text[start..end], ""));
    };
    // "fault" is a finding only with an owner before it, which the finding then covers.
    let match_start = start;
    let mut start = start;
    if category.kind == Kind::Fault && text[start..end].eq_ignore_ascii_case("fault") {
        let (at, owner) = words_before(text, start).next()?;
        let possessive = owner.ends_with("'s") || owner.ends_with("’s");
        if !(possessive || one_of(owner, FAULT_OWNERS)) {
            return None;
        }
        start = at;
    }
    let matched = &text[start..end];
    let hit = |message: &str, help: &'static str, severity, who: &str| {
        Hit::new(start, end, message, help, severity, matched, who)
    };
    let lower = matched.to_ascii_lowercase();
    let report = |who: &str| Some(hit(category.message, category.help, category.severity, who));
    match category.kind {
        Kind::Url => None,
        Kind::HumanError => {
            // "human error rates" (a human-factors measure), "human-error-proof".
            let next = words_after(text, end).next().map(|(_, w)| w);
            let measure = next.is_some_and(|w| one_of(w, &["rate", "rates", "proof"]));
            if measure || negated(text, start) { None } else { report("") }
        }
        // The owner before "fault" is among the words checked: "nobody's fault".
        Kind::Fault => {
            if negated(text, match_start) {
                None
            } else {
                report("")
            }
        }
        Kind::RootCause => {
            if negated(text, start) {
                None
            } else {
                report("")
            }
        }
        Kind::Judgement => {
            let next = words_after(text, end).next().map(|(_, w)| w.to_ascii_lowercase());
            let technical = match (lower.as_str(), next.as_deref()) {
                ("lazy", Some(next)) => LAZY_TECHNICAL.contains(&next),
                ("sloppy", Some(next)) => next.starts_with("quorum"),
                _ => false,
            };
            if technical || negated(text, start) { None } else { report("") }
        }
        Kind::Blame => {
            let previous = words_before(text, start).next().map(|(_, w)| w.to_ascii_lowercase());
            let tool = previous
                .as_deref()
                .is_some_and(|w| ["git", "svn", "hg", "cvs", "\u{FFFC}"].contains(&w));
            if tool || negated(text, start) { None } else { report("") }
        }
        Kind::Omission => report(""),
        Kind::Slip => report(person_subject(text, start, is_name)?),
        Kind::FailedTo => {
            let verb =
                words_after(text, end).map(|(_, w)| w.to_ascii_lowercase()).find(|w| !is_adverb(w));
            if verb.as_deref().is_some_and(|v| UNABLE.contains(&v)) {
                return None;
            }
            let who = person_subject(text, start, is_name)?;
            report(who)
        }
        Kind::Counterfactual => {
            if !counterfactual_verb(text, end, lower.starts_with("could")) {
                return None;
            }
            let who = person_subject(text, start, is_name)?;
            report(who)
        }
        Kind::Someone => {
            let verb_at = someone_acted(text, end)?;
            let mut h = hit(category.message, category.help, category.severity, "");
            h.verb_at = Some(verb_at);
            Some(h)
        }
    }
}

/// Whether a match stands as words of prose, not as part of an address or identifier
/// (`jdoe@example.com`, `culprit.example.com`, `ci-jdoe`, `blame-free`).
fn stands_alone(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    if before.is_some_and(|c| matches!(c, '@' | '/' | '.' | '-' | '#' | '$')) {
        return false;
    }
    let mut after = text[end..].chars();
    match after.next() {
        Some('@' | '/') => false,
        Some('.' | '-') => !after.next().is_some_and(char::is_alphanumeric),
        _ => true,
    }
}

// --- Words around a match -------------------------------------------------------------------

/// Characters that end a clause: the subject of a verb is never looked for across them.
fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        '.' | ',' | ';' | ':' | '!' | '?' | '(' | ')' | '[' | ']' | '"' | '“' | '”' | '—' | '–'
    )
}

/// Characters of a word: letters, digits, inner hyphens and apostrophes, and the code-span
/// placeholder (a code span stands for one word, e.g. a command as a subject).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '\'' | '’' | '\u{FFFC}')
}

/// Hyphens and apostrophes belong inside words ("on-call", "don't"), not around them.
const WORD_EDGES: [char; 3] = ['-', '\'', '’'];

fn trim_word(w: &str) -> &str {
    w.trim_matches(WORD_EDGES)
}

/// The words of the clause before `at`, nearest first, with their offsets. Lazy: most
/// callers need one or two words, and a clause can be a long paragraph.
fn words_before(text: &str, at: usize) -> impl Iterator<Item = (usize, &str)> {
    let mut end = at;
    std::iter::from_fn(move || {
        loop {
            // Skip to the end of the previous word, stopping at a clause break.
            let (last, c) = text[..end].char_indices().rev().find(|&(_, c)| !is_spacing(c))?;
            if is_clause_break(c) {
                end = 0;
                return None;
            }
            let word_end = last + c.len_utf8();
            let word_start = text[..word_end]
                .char_indices()
                .rev()
                .find(|&(_, c)| !is_word_char(c))
                .map_or(0, |(i, c)| i + c.len_utf8());
            end = word_start;
            if let Some(word) = trimmed(text, word_start, word_end) {
                return Some(word);
            }
        }
    })
}

/// The words of the clause after `at`, nearest first, with their offsets. Lazy.
fn words_after(text: &str, at: usize) -> impl Iterator<Item = (usize, &str)> {
    let mut start = at;
    std::iter::from_fn(move || {
        loop {
            // Skip to the start of the next word, stopping at a clause break.
            let (offset, c) = text[start..].char_indices().find(|&(_, c)| !is_spacing(c))?;
            if is_clause_break(c) {
                start = text.len();
                return None;
            }
            let word_start = start + offset;
            let word_end = text[word_start..]
                .char_indices()
                .find(|&(_, c)| !is_word_char(c))
                .map_or(text.len(), |(i, _)| word_start + i);
            start = word_end;
            if let Some(word) = trimmed(text, word_start, word_end) {
                return Some(word);
            }
        }
    })
}

/// Characters between words that do not end a clause (spaces, slashes, quotes …).
fn is_spacing(c: char) -> bool {
    !is_word_char(c) && !is_clause_break(c)
}

/// `text[start..end]` without leading and trailing hyphens and apostrophes, with its offset.
fn trimmed(text: &str, start: usize, end: usize) -> Option<(usize, &str)> {
    let raw = &text[start..end];
    let word = trim_word(raw);
    let lead = raw.len() - raw.trim_start_matches(WORD_EDGES).len();
    (!word.is_empty()).then_some((start + lead, word))
}

/// Adverbs and auxiliaries that may sit between a subject and its verb ("we had also failed
/// to"), or between a verb and its object.
fn is_adverb(word: &str) -> bool {
    #[rustfmt::skip]
    const WORDS: &[&str] = &[
        "also", "still", "then", "just", "never", "not", "already", "ever", "again", "even", "had",
        "has", "have", "both", "all", "twice", "once", "too", "so", "therefore", "thus",
        "initially", "simply", "clearly", "obviously", "really", "probably", "certainly",
        "definitely", "ideally", "arguably", "likely", "perhaps", "maybe", "themselves",
        "ourselves", "himself", "herself", "myself", "yourself", "apparently",
    ];
    (word.len() > 4 && word.ends_with("ly") && word != "only") || WORDS.contains(&word)
}

/// Words that negate a blame word within the few words before it: "no one is to blame", "not
/// human error", "there is rarely a single root cause".
fn negated(text: &str, at: usize) -> bool {
    const NEGATORS: &[&str] = &[
        "not", "no", "never", "without", "nobody", "nor", "avoid", "avoids", "avoiding", "instead",
        "rather", "rarely", "seldom", "cannot", "neither",
    ];
    words_before(text, at).take(4).any(|(_, w)| {
        let w = w.to_ascii_lowercase();
        let w = w.trim_end_matches("'s").trim_end_matches("’s");
        NEGATORS.contains(&w) || w.ends_with("n't") || w.ends_with("n’t")
    })
}

/// After "failed to": verbs of being unable rather than omitting ("the engineer failed to
/// receive the page" is the pager's failure).
#[rustfmt::skip]
const UNABLE: &[&str] = &[
    "receive", "get", "reach", "access", "connect", "log", "login", "sign", "authenticate", "load",
    "download", "join", "hear", "obtain", "acquire", "open",
];

/// After "lazy": technical senses.
#[rustfmt::skip]
const LAZY_TECHNICAL: &[&str] = &[
    "load", "loads", "loading", "loaded", "loader", "evaluation", "evaluated", "eval", "init",
    "initialization", "initialisation", "initialized", "initialised", "instantiation", "allocation",
    "allocated", "deletion", "delete", "deletes", "fetch", "fetching", "fetched", "import",
    "imports", "imported", "static", "val", "var", "mode", "mount", "mounting", "binding",
    "bindings", "expansion", "replication", "sync", "copy", "computation", "computed", "iterator",
    "iterators", "sequence", "sequences", "propagation", "registration", "migration", "migrations",
    "parsing", "rendering", "hydration", "connection", "connections", "cache", "caching", "cell",
    "lock", "value", "values", "list", "lists", "stream", "streams", "matching", "quantifier",
    "quantifiers", "consumer", "consumers", "creation", "writes", "write", "update", "updates",
];

/// Past participles and past-tense forms that do not end in "-ed".
#[rustfmt::skip]
const IRREGULAR_PAST: &[&str] = &[
    "been", "done", "did", "gone", "went", "known", "knew", "seen", "saw", "caught", "run", "ran",
    "made", "taken", "took", "told", "sent", "set", "put", "written", "wrote", "brought", "thought",
    "found", "kept", "left", "given", "gave", "gotten", "got", "built", "held", "read", "spent",
    "understood", "begun", "began", "shown", "drawn", "chosen", "chose", "spoken", "stood", "hit",
    "cut", "shut", "split", "let", "paid", "led", "meant", "sought", "taught", "won", "woken",
    "become", "became", "come", "came", "dealt", "felt", "heard", "laid", "lost", "broke", "broken",
    "forgot", "forgotten", "overwrote", "overwritten", "rewrote", "rewritten", "undid", "undone",
    "misread", "mistook", "mistaken", "threw", "thrown", "struck", "tore", "torn", "spun", "rang",
    "rung", "wiped", "swapped",
];

fn is_past(word: &str) -> bool {
    let w = word.to_ascii_lowercase();
    (w.len() >= 4 && w.ends_with("ed") && !w.ends_with("eed"))
        || IRREGULAR_PAST.contains(&w.as_str())
}

/// Whether "should/could have" at `end` is followed by a past participle (a counterfactual),
/// not by an object ("should have access"), nor by a passive ("we should have been paged":
/// the people are who the system failed, not who failed).
///
/// After "could have", outcomes ("we could have lost data") are a possibility, not a judgement.
/// Participles that are mostly adjectives ("should have limited access") count only when an
/// object follows ("should have limited the rollout").
fn counterfactual_verb(text: &str, end: usize, could: bool) -> bool {
    let mut words =
        words_after(text, end).map(|(_, w)| w.to_ascii_lowercase()).filter(|w| !is_adverb(w));
    match words.next().as_deref() {
        Some("been") => match words.next() {
            Some(next) => next.ends_with("ing") || !is_past(&next),
            None => false,
        },
        Some(verb) if could && one_of(verb, OUTCOMES) => false,
        Some(verb) if one_of(verb, ADJECTIVAL) => {
            words.next().is_some_and(|w| one_of(&w, OBJECT_STARTS))
        }
        Some(verb) => is_past(verb),
        None => false,
    }
}

/// After "could have": outcomes, which make it a possibility.
#[rustfmt::skip]
const OUTCOMES: &[&str] = &[
    "lost", "caused", "affected", "impacted", "exposed", "leaked", "corrupted", "broken",
    "hurt", "harmed", "triggered", "resulted", "led", "cost", "been", "gone", "happened",
    "failed", "crashed", "deleted", "overloaded", "degraded",
];

/// Participles used mostly as adjectives after "have" ("should have limited access").
const ADJECTIVAL: &[&str] = &["limited", "restricted", "elevated", "dedicated", "unlimited"];

/// Words that start an object, making the participle before them a verb.
#[rustfmt::skip]
const OBJECT_STARTS: &[&str] = &[
    "the", "a", "an", "this", "that", "these", "those", "it", "them", "our", "their", "its",
    "his", "her", "my", "your",
];

/// Words naming a person or a role, as the head of a subject.
#[rustfmt::skip]
const PERSON_NOUNS: &[&str] = &[
    "engineer", "engineers", "operator", "operators", "oncall", "on-call", "oncaller", "oncallers",
    "on-caller", "on-callers", "developer", "developers", "dev", "devs", "admin", "admins",
    "administrator", "administrators", "sysadmin", "sysadmins", "sre", "sres", "member", "members",
    "employee", "employees", "staff", "contractor", "contractors", "intern", "interns", "reviewer",
    "reviewers", "approver", "approvers", "owner", "owners", "maintainer", "maintainers", "manager",
    "managers", "lead", "leads", "responder", "responders", "commander", "captain", "captains",
    "coordinator", "coordinators", "ic", "technician", "technicians", "pilot", "pilots", "crew",
    "person", "people", "human", "humans", "colleague", "colleagues", "coworker", "coworkers",
    "teammate", "teammates", "team", "teams", "dba", "dbas", "tester", "testers", "analyst",
    "analysts", "architect", "architects", "programmer", "programmers", "author", "authors",
    "someone", "somebody", "nobody", "everyone", "everybody", "anyone", "anybody", "he", "she", "i",
    "we", "you",
];

/// Pronouns that are subjects by their form: no preposition check needed.
const NOMINATIVE: &[&str] = &["i", "we", "he", "she", "you"];

/// Before a noun phrase, these make it an object, not the subject ("the page to the engineer
/// failed to arrive").
const PREPOSITIONS: &[&str] = &[
    "by", "from", "for", "with", "to", "at", "in", "on", "into", "about", "against", "than", "via",
    "behind", "like", "unlike", "toward", "towards", "without", "between", "among", "of", "paged",
    "asked", "told",
];

/// Before "of", these make the phrase a person again ("one of the engineers").
const QUANTIFIERS: &[&str] = &[
    "one", "some", "none", "each", "all", "any", "two", "three", "several", "many", "most", "both",
    "either", "neither", "few",
];

/// Words that end a noun phrase going backwards: what comes before them is another clause.
const PHRASE_STARTS: &[&str] = &[
    "and", "but", "or", "so", "because", "when", "while", "after", "before", "then", "that",
    "which", "who", "as", "since", "although", "though", "if", "once", "until", "where", "is",
    "was", "were", "are", "had", "has", "have", "been", "did",
];

/// The subject of the verb phrase starting at `at`, if it is a person or a role: the word
/// that reads as the head of the subject, as written.
///
/// Reads the clause backwards: skips adverbs and auxiliaries to the head word, then checks
/// that the noun phrase it heads is not the object of a preposition.
fn person_subject<'t>(text: &'t str, at: usize, is_name: &dyn Fn(&str) -> bool) -> Option<&'t str> {
    let words: Vec<&str> = words_before(text, at).take(10).map(|(_, w)| w).collect();
    let word = |k: usize| words.get(k).copied().unwrap_or("");
    let mut i = words.iter().position(|w| !is_adverb(&w.to_ascii_lowercase()))?;
    // "the engineer that failed to": the head is before the relative pronoun.
    if word(i).eq_ignore_ascii_case("that") {
        i += 1;
    }
    let head = *words.get(i)?;
    // "the engineer who failed to": "who" is a person; name its antecedent when there is one.
    if head.eq_ignore_ascii_case("who") {
        return Some(words.get(i + 1).copied().unwrap_or(head));
    }
    let mut np_start = i + 1;
    let person = if head.eq_ignore_ascii_case("call") && word(i + 1).eq_ignore_ascii_case("on") {
        np_start += 1;
        true
    } else if head.eq_ignore_ascii_case("one") {
        // "no one should have": a person; "the old one failed to": not.
        word(i + 1).eq_ignore_ascii_case("no")
    } else {
        one_of(head, PERSON_NOUNS) || is_name(head)
    };
    if !person {
        return None;
    }
    if one_of(head, NOMINATIVE) {
        return Some(head);
    }
    // Walk back over the rest of the noun phrase ("the new on-call") to what precedes it.
    for k in np_start..(np_start + 3).min(words.len()) {
        let w = word(k);
        if one_of(w, PHRASE_STARTS) {
            break;
        }
        if one_of(w, PREPOSITIONS) {
            let quantified = w.eq_ignore_ascii_case("of") && one_of(word(k + 1), QUANTIFIERS);
            if !quantified {
                return None;
            }
            break;
        }
    }
    Some(head)
}

/// Words before "fault" that make it fault-finding ("at fault", "whose fault", "our fault");
/// possessives ("the vendor's fault") count too. Not: "page fault", "a fault in the disk".
const FAULT_OWNERS: &[&str] = &["at", "whose", "my", "his", "her", "their", "your", "our"];

/// Whether `word` is in `list` (of lowercase words), ignoring ASCII case.
fn one_of(word: &str, list: &[&str]) -> bool {
    list.iter().any(|w| w.len() == word.len() && w.eq_ignore_ascii_case(word))
}

/// Where the past-tense verb of "someone" starts, when "someone" is the subject of a past
/// action ("someone deleted", "someone on the DB team ran"), not an object or a hypothetical
/// ("we need someone to", "if someone runs"), and the action is not one of noticing or
/// helping ("someone noticed the errors" is how the incident was detected, not blame).
fn someone_acted(text: &str, end: usize) -> Option<usize> {
    // "someone's change": a possessive, the change is the subject.
    if text[end..].starts_with(['\'', '’']) {
        return None;
    }
    const PHRASE: &[&str] = &["on", "from", "in", "at", "with", "of"];
    let mut in_phrase = false;
    for (k, (at, word)) in words_after(text, end).take(7).enumerate() {
        let w = word.to_ascii_lowercase();
        // Adverbs and auxiliaries: "someone accidentally ran", "someone had deleted".
        if is_adverb(&w) || (k == 0 && w == "else") {
            continue;
        }
        if is_past(&w) {
            return (!NOTICED.contains(&w.as_str())).then_some(at);
        }
        // "someone on the DB team ran": skip a short phrase after "someone".
        if k <= 1 && !in_phrase && PHRASE.contains(&w.as_str()) {
            in_phrase = true;
            continue;
        }
        if in_phrase && k <= 5 {
            continue;
        }
        return None;
    }
    None
}

/// Past actions of noticing, reporting and helping: "someone" doing them is not blamed.
#[rustfmt::skip]
const NOTICED: &[&str] = &[
    "noticed", "reported", "escalated", "spotted", "found", "saw", "realized", "realised",
    "caught", "flagged", "raised", "mentioned", "asked", "joined", "paged", "alerted", "helped",
    "fixed", "restored", "suggested", "confirmed", "investigated", "discovered", "opened",
    "filed", "called", "pinged", "posted", "acknowledged", "responded", "replied", "identified",
    "checked", "verified", "answered", "tried", "looked", "volunteered", "warned", "noted",
];

/// Byte ranges of the text covered by an allowed phrase (ASCII case-insensitive).
fn allowed_ranges(text: &str, allow: &[String]) -> Vec<(usize, usize)> {
    let hay = text.as_bytes();
    let mut ranges = Vec::new();
    for phrase in allow {
        let needle = phrase.as_bytes();
        if needle.is_empty() || needle.len() > hay.len() {
            continue;
        }
        for start in 0..=hay.len() - needle.len() {
            if hay[start..start + needle.len()].eq_ignore_ascii_case(needle) {
                ranges.push((start, start + needle.len()));
            }
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_names(_: &str) -> bool {
        false
    }

    /// The subject found for the first occurrence of `phrase` in `text`.
    fn subject<'t>(text: &'t str, phrase: &str) -> Option<&'t str> {
        let at = text.find(phrase).expect("phrase in text");
        person_subject(text, at, &|w| w.eq_ignore_ascii_case("jdoe"))
    }

    #[test]
    fn people_and_roles_are_subjects() {
        assert_eq!(subject("The on-call engineer failed to ack.", "failed"), Some("engineer"));
        assert_eq!(subject("At 10:05, we failed to roll back.", "failed"), Some("we"));
        assert_eq!(subject("I should have checked.", "should"), Some("I"));
        assert_eq!(subject("We had also failed to page.", "failed"), Some("We"));
        assert_eq!(subject("The SRE team failed to escalate.", "failed"), Some("team"));
        assert_eq!(subject("jdoe failed to escalate.", "failed"), Some("jdoe"));
        assert_eq!(subject("One of the engineers failed to", "failed"), Some("engineers"));
        assert_eq!(subject("the person on call failed to", "failed"), Some("call"));
        assert_eq!(subject("No one should have", "should"), Some("one"));
        assert_eq!(subject("the engineer who failed to", "failed"), Some("engineer"));
        assert_eq!(subject("the operator that failed to", "failed"), Some("operator"));
        assert_eq!(subject("Someone should have", "should"), Some("Someone"));
        assert_eq!(subject("We ON-CALL engineers failed to", "failed"), Some("engineers"));
    }

    #[test]
    fn things_and_objects_are_not_subjects() {
        assert_eq!(subject("The generator failed to resolve.", "failed"), None);
        assert_eq!(subject("the system should have retried", "should"), None);
        assert_eq!(subject("It should have", "should"), None);
        assert_eq!(subject("the `deploy` failed to", "failed"), None);
        assert_eq!(subject("the engineer's laptop failed to boot", "failed"), None);
        assert_eq!(subject("the page to the engineer failed to", "failed"), None);
        assert_eq!(subject("a deploy by the new engineer failed to", "failed"), None);
        assert_eq!(subject("the old one failed to", "failed"), None);
        // "they" is as often a set of servers as a set of people: not a subject.
        assert_eq!(subject("they failed to", "failed"), None);
        // The subject is not looked for across a clause break.
        assert_eq!(subject("we restarted it, but the pool failed to", "failed"), None);
        // Nothing, or only a relative pronoun, before the verb.
        assert_eq!(subject("failed to start", "failed"), None);
        assert_eq!(subject("that failed to start", "failed"), None);
        assert_eq!(subject("also, that also failed to start", "failed"), None);
    }

    #[test]
    fn counterfactuals_need_a_past_participle() {
        let after = |t: &str| {
            counterfactual_verb(t, t.find("have").expect("have") + 4, t.contains("could"))
        };
        assert!(after("we should have alerted on lag"));
        assert!(after("we should have immediately rolled back"));
        assert!(after("I should have known"));
        assert!(after("we should have been more careful"));
        assert!(after("we should have been paying attention"));
        assert!(!after("engineers should have access to the dashboards"));
        assert!(!after("we should have a runbook"));
        assert!(!after("we should have been paged"));
        assert!(!after("we should have."));
        assert!(after("we could have paused the rollout"));
        assert!(!after("we could have lost data"));
        assert!(after("we should have limited the blast radius"));
        assert!(!after("engineers should have limited access"));
    }

    #[test]
    fn someone_only_as_the_subject_of_a_past_action() {
        let acted = |t: &str| someone_acted(t, t.find("one").expect("someone") + 3).is_some();
        assert!(acted("someone deleted the table"));
        assert!(acted("someone wrote code that"));
        assert!(acted("someone accidentally ran the script"));
        assert!(acted("someone on the DB team ran the script"));
        assert!(acted("someone else changed it"));
        assert!(!acted("we need someone to own this"));
        assert!(!acted("someone is on call at all times"));
        assert!(!acted("someone's change broke it"));
        assert!(!acted("someone who knows the system"));
        assert!(!acted("someone could delete it"));
        assert!(acted("someone had deleted the record"));
        assert!(!acted("someone had to restart it by hand"));
        assert!(!acted("someone from support noticed the errors"));
    }

    fn messages(text: &str, names: &[&str]) -> Vec<String> {
        let regex = compile(names).expect("compiles");
        let is_name = |w: &str| names.iter().any(|n| n.eq_ignore_ascii_case(w));
        find_hits(&regex, !names.is_empty(), &[text], &is_name)
            .into_iter()
            .map(|h| text[h.start..h.end].to_owned())
            .collect()
    }

    #[test]
    fn patterns_are_lowercase_and_matching_ignores_case() {
        // The regex runs on lowercased text: an uppercase letter in a pattern never matches.
        for c in CATEGORIES {
            let literal = c.pattern.replace(r"\b", "").replace(r"\s", "");
            assert!(!literal.chars().any(|ch| ch.is_ascii_uppercase()), "{}", c.pattern);
        }
        assert_eq!(
            messages("HUMAN ERROR, Culprit, We Should Have Paged", &["JDoe"]),
            ["HUMAN ERROR", "Culprit", "Should Have"]
        );
        assert_eq!(messages("JDOE restarted it", &["JDoe"]), ["JDOE"]);
    }

    #[test]
    fn urls_are_consumed_whole() {
        assert_eq!(
            messages("see https://x.example/blame and www.example.com/culprit", &[]),
            Vec::<String>::new()
        );
        assert_eq!(messages("see https://x/jdoe", &["jdoe"]), Vec::<String>::new());
        assert_eq!(messages("blame https://x", &[]), ["blame"]);
    }

    #[test]
    fn names_only_as_words_of_prose() {
        assert_eq!(messages("jdoe restarted it; ask JDoe's team", &["jdoe"]), ["jdoe", "JDoe"]);
        assert_eq!(
            messages("mail jdoe@example.com or jdoe.example.com or ci-jdoe", &["jdoe"]),
            Vec::<String>::new()
        );
        assert_eq!(messages("jdoe restarted it", &[]), Vec::<String>::new());
    }

    #[test]
    fn negations_and_technical_senses_are_not_findings() {
        for text in [
            "No one is to blame.",
            "This was not human error.",
            "There is rarely a single root cause.",
            "We use lazy loading and a sloppy quorum.",
            "Run git blame on it; the review was blame-free.",
            "Nobody was at fault.",
            "the generator failed to resolve",
            "the engineer failed to receive the page",
            "we should have been paged",
        ] {
            assert_eq!(messages(text, &[]), Vec::<String>::new(), "{text}");
        }
    }

    #[test]
    fn someone_with_its_own_finding_is_reported_once() {
        let regex = compile(&[]).expect("compiles");
        let hits = find_hits(&regex, false, &["someone forgot to renew it"], &no_names);
        assert_eq!(hits.len(), 2);
        let kept: Vec<_> = hits.iter().filter(|h| !reported_elsewhere(h, &hits)).collect();
        assert_eq!(kept.len(), 1);
        assert!(kept[0].message.contains("forgot to"));
    }

    #[test]
    fn words_stop_at_clause_breaks() {
        let text = "Yes. The on-call  'engineer' -- x; then we";
        let at = text.find(" --").expect("dashes");
        let before: Vec<_> = words_before(text, at).collect();
        assert_eq!(before, [(19, "engineer"), (9, "on-call"), (5, "The")]);
        let after: Vec<_> = words_after(text, at).map(|(_, w)| w).collect();
        assert_eq!(after, ["x"]);
        assert_eq!(words_after(text, text.len()).count(), 0);
        assert_eq!(words_before(text, 0).count(), 0);
    }

    #[test]
    fn odd_text_never_panics() {
        let regex = compile(&["jdoe"]).expect("compiles");
        let odd = "„Someone’s“ that failed to — we should’ve… jdoe’s K\u{212A} ſhould have \u{FFFC} failed to\u{FFFC}; human\u{a0}error https://é.example/blame ";
        for (i, _) in odd.char_indices() {
            for text in [&odd[..i], &odd[i..]] {
                let _ = find_hits(&regex, true, &[text, "", text], &no_names);
            }
        }
    }

    #[test]
    fn allowed_phrases_cover_their_matches() {
        assert_eq!(allowed_ranges("The Culprit Inc. tool", &["culprit inc".into()]), [(4, 15)]);
        assert!(allowed_ranges("short", &["much longer phrase".into()]).is_empty());
    }
}
