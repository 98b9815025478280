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
//! - "train", "remind"… aim a fix at a person only with one person as their object
//!   ([`targeted_person`]), and are verbs only when no determiner precedes them.
//! - A blaming verb ("broke", "deleted") names a person only after a capitalised given name
//!   ([`is_given_name`]): the regex runs on lowercased text, so the capital is checked here.
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
//!
//! The table of categories and the word lists are in [`categories`]; reading the words around
//! a match is [`grammar`].

mod categories;
mod grammar;

use std::collections::HashSet;
use std::sync::{Arc, LazyLock, RwLock};

use regex::Regex;

use super::{Context, Meta, Rule};
use crate::diagnostic::{Finding, Severity};
use crate::parse::markdown::Prose;
use crate::repo::Document;
use categories::{
    CATEGORIES, Category, DETERMINERS, FAULT_OWNERS, GIVEN_NAMES, Kind, LAZY_TECHNICAL, NAME_HELP,
    NAME_MESSAGE, OBJECT_ENDS, PERSON_NOUNS, UNABLE, one_person,
};
use grammar::{
    counterfactual_verb, is_adverb, negated, one_of, person_subject, someone_acted, stands_alone,
    words_after, words_before,
};

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
- **hindsight**: "should have known" (whoever the subject), "obviously", "finally noticed"
  ("finally realized", "finally responded", …); not "Obviously-named", "the fix was finally
  deployed", "not obviously wrong".
- **not following the procedure**: "didn't/did not/never/failed to follow the (documented …)
  runbook/procedure/process/playbook/checklist", "the runbook was not followed"; not "the
  runbook was followed".
- **fixes aimed at a person**: "train", "retrain", "remind", "coach", "educate", "counsel",
  "reprimand", "discipline" with one person as the object — a name ("Train John", "Remind
  Priya to …"), a registry handle, "him"/"her", or a singular role ("Retrain the on-call
  engineer", "Remind the on-call to …"). Not a group ("Train engineers on the new tool"), a thing
  ("train the model", "remind users to rotate keys"), or a noun ("the Train service", "a coach").
- **names**: a handle from the teams registry written in prose ("jdoe restarted the pool"), and
  a common given name, capitalised, as the subject of a blaming verb ("Dave broke the deploy",
  "Mike accidentally dropped the table": broke, deleted, dropped, forgot, ignored, missed,
  skipped, overlooked, misconfigured, overwrote, caused, …). "Postgres dropped connections" and
  "Dave noticed the errors" are not findings; given names that are also words (Will, Mark, May)
  are not on the list.

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
    // Where each finding that is not a "someone" starts: a "someone" whose verb is one of them
    // is already said (a set, not a scan of every hit per "someone", which was quadratic).
    let reported: HashSet<(usize, usize)> =
        hits.iter().filter(|h| h.verb_at.is_none()).map(|h| (h.block, h.start)).collect();
    for hit in hits {
        let Some(block) = prose.get(hit.block) else { continue };
        if hit.verb_at.is_some_and(|at| reported.contains(&(hit.block, at))) {
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
            // "Nobody could have known", "no one should have had to": said to clear people.
            if one_of(who, &["nobody", "one"]) {
                return None;
            }
            report(who)
        }
        Kind::Hindsight | Kind::Procedure => {
            if negated(text, start) {
                None
            } else {
                report("")
            }
        }
        Kind::PersonTarget => {
            // A noun after a determiner ("the Train service", "a coach"), not a verb.
            let noun =
                words_before(text, start).next().is_some_and(|(_, w)| one_of(w, DETERMINERS));
            if noun || negated(text, start) {
                return None;
            }
            report(targeted_person(text, end, is_name)?)
        }
        Kind::NamedActor => {
            let (at, name) =
                words_before(text, start).find(|(_, w)| !is_adverb(&w.to_ascii_lowercase()))?;
            if !is_given_name(name) {
                return None;
            }
            Some(Hit::new(at, end, category.message, category.help, None, &text[at..end], name))
        }
        Kind::Someone => {
            let verb_at = someone_acted(text, end)?;
            let mut h = hit(category.message, category.help, category.severity, "");
            h.verb_at = Some(verb_at);
            Some(h)
        }
    }
}

/// Whether `word`, as written, is a person's given name: capitalised, and one of the common
/// given names.
fn is_given_name(word: &str) -> bool {
    let mut chars = word.chars();
    let capitalised = chars.next().is_some_and(char::is_uppercase) && chars.all(char::is_lowercase);
    capitalised && one_of(word, GIVEN_NAMES)
}

/// The one person that the training/reminding verb ending at `end` is aimed at, as written:
/// a given name or a registry name ("Train John", "Remind Priya to …", any capitalised word
/// before "to"), or a singular role ("Retrain the on-call engineer", "Remind the on-call to").
/// `None` for things and groups ("Train the model", "Remind users to", "Train engineers on").
fn targeted_person<'t>(
    text: &'t str,
    end: usize,
    is_name: &dyn Fn(&str) -> bool,
) -> Option<&'t str> {
    let mut words = words_after(text, end).map(|(_, w)| w).peekable();
    let first = *words.peek()?;
    let capitalised = first.chars().next().is_some_and(char::is_uppercase)
        && first.chars().skip(1).any(char::is_lowercase);
    if is_given_name(first) || is_name(first) {
        return Some(first);
    }
    let phrase: Vec<&str> = words
        .skip_while(|w| one_of(w, DETERMINERS))
        .take_while(|w| !one_of(w, OBJECT_ENDS))
        .take(4)
        .collect();
    // "Remind Priya to …": a capitalised word right before "to" is a person.
    let after_first = words_after(text, end).nth(1).map(|(_, w)| w);
    if capitalised && after_first.is_some_and(|w| w.eq_ignore_ascii_case("to")) {
        return Some(first);
    }
    // The head is the last person word of the phrase ("the on-call engineer", "the engineer
    // responsible"): one person if it is singular.
    let head = *phrase.iter().rev().find(|w| one_of(w, PERSON_NOUNS) || one_person(w))?;
    one_person(head).then_some(head)
}

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
        let prose = crate::parse::markdown::parse("someone forgot to renew it\n", 0).prose;
        let texts: Vec<&str> = prose.iter().map(|p| p.text.as_str()).collect();
        let hits = find_hits(&regex, false, &texts, &no_names);
        assert_eq!(hits.len(), 2);
        let mut kept = Vec::new();
        report(&prose, &hits, &[], &mut kept);
        assert_eq!(kept.len(), 1);
        assert!(kept[0].message.contains("forgot to"));
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
