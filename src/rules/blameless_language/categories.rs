//! What `blameless-language` looks for: the table of categories (pattern, message, help,
//! severity) that [`super::compile`] joins into one regex, and the word lists that the second
//! look at a match reads.
//!
//! These are data, kept apart from the code that reads them: a new phrase, role or verb is
//! added here without touching the matching or the grammar.

use crate::diagnostic::Severity;

/// What a category's matches mean; decides which second look a match gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
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
    /// "should have known", "obviously", "finally noticed": hindsight about what people saw.
    Hindsight,
    /// "didn't follow the runbook", "the procedure was not followed".
    Procedure,
    /// "train", "remind", "coach"…: needs one person as its object ("Retrain the on-call
    /// engineer", "Remind Dave to …"), and to be a verb ("the Train service" is not).
    PersonTarget,
    /// "broke", "deleted", "forgot"…: needs a person's given name as its subject ("Dave broke
    /// the deploy"; "Postgres dropped connections" is not).
    NamedActor,
}

/// One row of the table. In `message` and `help`, `{m}` is the matched text and `{who}` the
/// subject that made the match a finding.
pub(super) struct Category {
    pub(super) kind: Kind,
    /// A lowercase regex (it runs on lowercased text) with `\b` for word boundaries (made
    /// ASCII at compile time, see [`super::compile`]).
    pub(super) pattern: &'static str,
    pub(super) message: &'static str,
    pub(super) help: &'static str,
    /// `None`: the rule's configured severity.
    pub(super) severity: Option<Severity>,
}

/// The categories, in match priority (the first alternative wins at one start position).
pub(super) static CATEGORIES: &[Category] = &[
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
        kind: Kind::Hindsight,
        // Before the counterfactual: "should have known" is hindsight whatever its subject.
        pattern: r"\bshould(?:\s+not|n['’]t)?\s+have\s+known\b|\bshould['’]ve\s+known\b|\bobviously\b|\bfinally\s+(?:noticed|realized|realised|saw|spotted|checked|looked|acknowledged|responded|answered|reacted|read|found|caught|understood)\b",
        message: "\"{m}\" judges by hindsight: what is obvious afterwards was not at the time",
        help: "say what the responders saw at the time and when the signal became clear, e.g. \"the error rate showed on the dashboard only after 10 minutes\"",
        severity: None,
    },
    Category {
        kind: Kind::Procedure,
        // Before "failed to" and "neglected to": the procedure is the point, whoever the subject.
        pattern: r"\b(?:didn['’]t|did\s+not|never|failed\s+to|chose\s+not\s+to|neglected\s+to)\s+follow(?:ed)?\s+(?:(?:the|our|their|his|her|a|any|its)\s+)?(?:[a-z-]+\s+){0,2}(?:runbook|procedure|process|playbook|checklist|instructions|protocol|sop)s?\b|\b(?:runbook|procedure|process|playbook|checklist|instructions|protocol)s?\s+(?:was|were)\s+(?:not|never)\s+followed\b",
        message: "\"{m}\" blames people for not following the procedure",
        help: "ask what made the procedure hard to follow (findable, current, practical under pressure?), e.g. \"the alert did not link the runbook, and its step 4 named a host that no longer exists\"",
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
        kind: Kind::PersonTarget,
        pattern: r"\b(?:re-?train|train|re-?educate|educate|coach|counsel|reprimand|discipline|remind)\b",
        message: "\"{m}\" makes a person (\"{who}\") the target of the fix",
        help: "change the system the person worked in, e.g. \"add a confirmation step that shows the scope\" or \"make the runbook step a script\"",
        severity: None,
    },
    Category {
        kind: Kind::NamedActor,
        pattern: r"\b(?:broke|deleted|dropped|forgot|ignored|missed|messed\s+up|screwed\s+up|botched|skipped|overlooked|mistyped|fat-fingered|misconfigured|wiped|truncated|overwrote|caused)\b",
        message: "\"{m}\" names a person as the one who did it",
        help: "describe the action and what allowed it, by role if at all, e.g. \"a deploy removed the index; the migration tool did not check for readers\"",
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

pub(super) const NAME_MESSAGE: &str = "\"{m}\" names a person from the registry in prose";
pub(super) const NAME_HELP: &str = "refer to people by role (\"the on-call engineer\") or by initials; names belong in front matter";

// --- Words the second look at a match reads ------------------------------------------------------

/// Words before "fault" that make it fault-finding ("at fault", "whose fault", "our fault");
/// possessives ("the vendor's fault") count too. Not: "page fault", "a fault in the disk".
pub(super) const FAULT_OWNERS: &[&str] =
    &["at", "whose", "my", "his", "her", "their", "your", "our"];

/// After "failed to": verbs of being unable rather than omitting ("the engineer failed to
/// receive the page" is the pager's failure).
#[rustfmt::skip]
pub(super) const UNABLE: &[&str] = &[
    "receive", "get", "reach", "access", "connect", "log", "login", "sign", "authenticate", "load",
    "download", "join", "hear", "obtain", "acquire", "open",
];

/// After "lazy": technical senses.
#[rustfmt::skip]
pub(super) const LAZY_TECHNICAL: &[&str] = &[
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
pub(super) const IRREGULAR_PAST: &[&str] = &[
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

/// After "could have": outcomes, which make it a possibility.
#[rustfmt::skip]
pub(super) const OUTCOMES: &[&str] = &[
    "lost", "caused", "affected", "impacted", "exposed", "leaked", "corrupted", "broken",
    "hurt", "harmed", "triggered", "resulted", "led", "cost", "been", "gone", "happened",
    "failed", "crashed", "deleted", "overloaded", "degraded",
];

/// Participles used mostly as adjectives after "have" ("should have limited access").
pub(super) const ADJECTIVAL: &[&str] =
    &["limited", "restricted", "elevated", "dedicated", "unlimited"];

/// Words that start an object, making the participle before them a verb.
#[rustfmt::skip]
pub(super) const OBJECT_STARTS: &[&str] = &[
    "the", "a", "an", "this", "that", "these", "those", "it", "them", "our", "their", "its",
    "his", "her", "my", "your",
];

/// Words naming a person or a role, as the head of a subject.
#[rustfmt::skip]
pub(super) const PERSON_NOUNS: &[&str] = &[
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
pub(super) const NOMINATIVE: &[&str] = &["i", "we", "he", "she", "you"];

/// Before a noun phrase, these make it an object, not the subject ("the page to the engineer
/// failed to arrive").
pub(super) const PREPOSITIONS: &[&str] = &[
    "by", "from", "for", "with", "to", "at", "in", "on", "into", "about", "against", "than", "via",
    "behind", "like", "unlike", "toward", "towards", "without", "between", "among", "of", "paged",
    "asked", "told",
];

/// Before "of", these make the phrase a person again ("one of the engineers").
pub(super) const QUANTIFIERS: &[&str] = &[
    "one", "some", "none", "each", "all", "any", "two", "three", "several", "many", "most", "both",
    "either", "neither", "few",
];

/// Words that end a noun phrase going backwards: what comes before them is another clause.
pub(super) const PHRASE_STARTS: &[&str] = &[
    "and", "but", "or", "so", "because", "when", "while", "after", "before", "then", "that",
    "which", "who", "as", "since", "although", "though", "if", "once", "until", "where", "is",
    "was", "were", "are", "had", "has", "have", "been", "did",
];

/// Past actions of noticing, reporting and helping: "someone" doing them is not blamed.
#[rustfmt::skip]
pub(super) const NOTICED: &[&str] = &[
    "noticed", "reported", "escalated", "spotted", "found", "saw", "realized", "realised",
    "caught", "flagged", "raised", "mentioned", "asked", "joined", "paged", "alerted", "helped",
    "fixed", "restored", "suggested", "confirmed", "investigated", "discovered", "opened",
    "filed", "called", "pinged", "posted", "acknowledged", "responded", "replied", "identified",
    "checked", "verified", "answered", "tried", "looked", "volunteered", "warned", "noted",
];

/// Before "train", "remind"…: these make it a noun ("the Train service", "a coach").
pub(super) const DETERMINERS: &[&str] =
    &["the", "a", "an", "this", "that", "our", "their", "its", "his", "her", "your", "my"];

/// Whether `word` names one person as the object of "train", "remind"…: a role of
/// [`PERSON_NOUNS`] whose plural is there too ("engineer"), or a role or pronoun that has no
/// plural there. A group ("train engineers on X") is an organisation's training, not a fix aimed
/// at one person.
pub(super) fn one_person(word: &str) -> bool {
    const ALSO: &[&str] = &["on-call", "oncall", "ic", "commander", "person", "him", "her"];
    let w = word.to_ascii_lowercase();
    ALSO.contains(&w.as_str())
        || (PERSON_NOUNS.contains(&w.as_str()) && PERSON_NOUNS.contains(&format!("{w}s").as_str()))
}

/// Words that end the object of "train", "remind"…: its head is the word before them.
pub(super) const OBJECT_ENDS: &[&str] = &[
    "on", "to", "in", "about", "for", "with", "how", "that", "who", "which", "and", "or", "before",
    "after",
];

/// Common given names, for a name outside the registry written as a person's in prose ("Dave
/// broke the deploy"). Names that are also common English words or product names (Will, Mark,
/// Bill, May, Grace, Max, Chase, Ray, Jack…) are left out: a capitalised word at the start of a
/// sentence is too often the word.
#[rustfmt::skip]
pub(super) const GIVEN_NAMES: &[&str] = &[
    "aaron", "abdul", "adam", "adaeze", "ahmed", "aisha", "alan", "alex", "alexander", "alice",
    "alicia", "amanda", "amy", "ana", "andrea", "andrew", "andy", "angela", "anna", "anne",
    "anthony", "arjun", "ashley", "barbara", "ben", "benjamin", "beth", "brian", "carlos",
    "carol", "catherine", "charles", "chen", "chris", "christina", "christopher", "claire",
    "daniel", "dave", "david", "deborah", "dennis", "diana", "dmitri", "donald", "elena",
    "elizabeth", "emily", "emma", "eric", "fatima", "fernando", "gary", "george", "greg",
    "hannah", "hans", "helen", "ian", "igor", "ivan", "james", "jamal", "jane", "jason",
    "jeff", "jennifer", "jessica", "jim", "joe", "john", "jonathan", "jose", "joseph", "juan",
    "julia", "karen", "kate", "katie", "kevin", "kim", "laura", "linda", "lisa", "luis",
    "maria", "marie", "matt", "matthew", "megan", "michael", "michelle", "mike", "mohammed",
    "nancy", "natalie", "nicole", "olga", "omar", "paul", "pedro", "peter", "priya", "rachel",
    "rahul", "raj", "rebecca", "richard", "robert", "ryan", "sam", "samantha", "sandra",
    "sarah", "scott", "sergei", "sophie", "stephen", "steve", "steven", "susan", "thomas",
    "tim", "timothy", "tom", "tony", "wei", "yuki", "zoe",
];
