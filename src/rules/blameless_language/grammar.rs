//! The English grammar heuristics of `blameless-language`: reading the words around a match to
//! tell blame from the same words used otherwise.
//!
//! "failed to" blames only with a person as its subject, "should have" only before a past
//! participle, "someone" only as the doer of a past action. Each answer comes from walking the
//! clause around the match a few words each way, never across a clause break. They are kept
//! apart from the rule so that it reads as matching and reporting, and these heuristics, most of
//! its code, can be read and tested on their own.

use super::categories::{
    ADJECTIVAL, IRREGULAR_PAST, NOMINATIVE, NOTICED, OBJECT_STARTS, OUTCOMES, PERSON_NOUNS,
    PHRASE_STARTS, PREPOSITIONS, QUANTIFIERS,
};

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
pub(super) fn words_before(text: &str, at: usize) -> impl Iterator<Item = (usize, &str)> {
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
pub(super) fn words_after(text: &str, at: usize) -> impl Iterator<Item = (usize, &str)> {
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
pub(super) fn is_adverb(word: &str) -> bool {
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
pub(super) fn negated(text: &str, at: usize) -> bool {
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
pub(super) fn counterfactual_verb(text: &str, end: usize, could: bool) -> bool {
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

/// The subject of the verb phrase starting at `at`, if it is a person or a role: the word
/// that reads as the head of the subject, as written.
///
/// Reads the clause backwards: skips adverbs and auxiliaries to the head word, then checks
/// that the noun phrase it heads is not the object of a preposition.
pub(super) fn person_subject<'t>(
    text: &'t str,
    at: usize,
    is_name: &dyn Fn(&str) -> bool,
) -> Option<&'t str> {
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

/// Whether `word` is in `list` (of lowercase words), ignoring ASCII case.
pub(super) fn one_of(word: &str, list: &[&str]) -> bool {
    list.iter().any(|w| w.len() == word.len() && w.eq_ignore_ascii_case(word))
}

/// Where the past-tense verb of "someone" starts, when "someone" is the subject of a past
/// action ("someone deleted", "someone on the DB team ran"), not an object or a hypothetical
/// ("we need someone to", "if someone runs"), and the action is not one of noticing or
/// helping ("someone noticed the errors" is how the incident was detected, not blame).
pub(super) fn someone_acted(text: &str, end: usize) -> Option<usize> {
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

/// Whether a match stands as words of prose, not as part of an address or identifier
/// (`jdoe@example.com`, `culprit.example.com`, `ci-jdoe`, `blame-free`).
pub(super) fn stands_alone(text: &str, start: usize, end: usize) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
