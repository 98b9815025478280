//! `pm todo`: everything one person owes across the repository — sections assigned to them,
//! reviews asked of them, postmortems they own that are not complete, their open action items —
//! the most overdue first. The incident commander's "@Geoff I need Impact…" as a list Geoff
//! can read himself.

use std::fmt::Write as _;

use jiff::civil::Date;
use serde::Serialize;

use super::status::md;
use crate::completion::Judge;
use crate::diagnostic::printable_line;
use crate::model::{Status, Verdict};
use crate::repo::Repo;
use crate::words::plural;

/// What kind of thing is owed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Owed {
    /// A section to write.
    Section,
    /// A review to give.
    Review,
    /// A postmortem they own to finish.
    Postmortem,
    /// An action item to do.
    ActionItem,
}

impl Owed {
    /// What the person does about it: write, review, finish, do.
    pub(super) fn word(self) -> &'static str {
        match self {
            Owed::Section => "write",
            Owed::Review => "review",
            Owed::Postmortem => "finish",
            Owed::ActionItem => "do",
        }
    }
}

/// One thing owed.
#[derive(Debug, Clone, Serialize)]
pub struct Todo {
    /// What kind.
    pub kind: Owed,
    /// What, in a few words: the section, the postmortem's title, the item's title.
    pub what: String,
    /// The postmortem's id.
    pub postmortem_id: Option<String>,
    /// The postmortem's file.
    pub path: String,
    /// By when.
    pub due: Option<Date>,
    /// Days past `due`.
    pub days_overdue: i64,
    /// More: the criteria still unmet, the item's ticket.
    pub detail: String,
}

/// Everything `person` owes in `repo`, the most overdue first, then by due date.
pub fn for_person(repo: &Repo, judge: &Judge<'_>, person: &str) -> Vec<Todo> {
    let today = judge.today();
    let late =
        |due: Option<Date>| due.map_or(0, |d| crate::calendar::days_between(d, today).max(0));
    let mut out = Vec::new();
    for doc in &repo.documents {
        let (Some(pm), Some(written)) = (&doc.postmortem, &doc.written) else { continue };
        let id = pm.id.as_ref().map(|s| s.value.clone());
        let title = pm.title.as_ref().map_or_else(|| doc.path().to_owned(), |t| t.value.clone());
        let status = pm.status_or_draft();
        let verdict = judge.evaluate(doc.path(), pm, written);
        if status != Status::Published {
            for a in verdict.assignments.iter().filter(|a| a.to == person && !a.done) {
                out.push(Todo {
                    kind: Owed::Section,
                    what: a.section.clone(),
                    postmortem_id: id.clone(),
                    path: doc.path().to_owned(),
                    due: a.due,
                    days_overdue: a.days_overdue,
                    detail: format!("in \"{title}\""),
                });
            }
        }
        let asked = pm.reviewers.iter().any(|r| r.value == person);
        let approved = verdict.approvals.iter().any(|a| a.by == person);
        let answered = pm.reviews.iter().any(|r| {
            r.by.as_ref().is_some_and(|b| b.value == person)
                && r.verdict.as_ref().is_some_and(|v| v.value == Verdict::Approved)
        });
        if status == Status::InReview && asked && !approved && !answered {
            out.push(Todo {
                kind: Owed::Review,
                what: title.clone(),
                postmortem_id: id.clone(),
                path: doc.path().to_owned(),
                due: pm.due.as_ref().map(|d| d.value),
                days_overdue: late(pm.due.as_ref().map(|d| d.value)),
                detail: "review and approve, or request changes".to_owned(),
            });
        }
        let owns = pm.owner.as_ref().is_some_and(|o| o.value == person);
        if owns && verdict.applies && (status != Status::Published || !verdict.complete) {
            let unmet: Vec<&str> = verdict.unmet().map(|c| c.id.as_str()).collect();
            out.push(Todo {
                kind: Owed::Postmortem,
                what: title.clone(),
                postmortem_id: id.clone(),
                path: doc.path().to_owned(),
                due: pm.due.as_ref().map(|d| d.value),
                days_overdue: pm.days_overdue(today),
                detail: if unmet.is_empty() {
                    format!("complete; {status}: publish it")
                } else {
                    format!("{}% complete; missing {}", verdict.score, unmet.join(", "))
                },
            });
        }
        for item in pm.action_items.iter().filter(|i| i.is_outstanding()) {
            if item.owner.as_ref().is_none_or(|o| o.value != person) {
                continue;
            }
            out.push(Todo {
                kind: Owed::ActionItem,
                what: item
                    .title
                    .as_ref()
                    .map_or_else(|| "(untitled)".to_owned(), |t| t.value.clone()),
                postmortem_id: id.clone(),
                path: doc.path().to_owned(),
                due: item.due.as_ref().map(|d| d.value),
                days_overdue: item.days_overdue(today),
                detail: item
                    .ticket
                    .as_ref()
                    .map_or_else(|| "no ticket".to_owned(), |t| t.value.clone()),
            });
        }
    }
    out.sort_by(|a, b| {
        let key = |t: &Todo| {
            (
                std::cmp::Reverse(t.days_overdue),
                t.due.is_none(),
                t.due,
                t.kind,
                t.path.clone(),
                t.what.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    out
}

impl Todo {
    /// Past its due date.
    pub fn is_overdue(&self) -> bool {
        self.days_overdue > 0
    }
}

/// When a thing is due, in words: "2026-11-04" or "no date", and "31 days late" when it is.
pub(super) fn lateness(t: &Todo) -> (String, Option<String>) {
    match t.due {
        Some(due) if t.is_overdue() => {
            let days = usize::try_from(t.days_overdue).unwrap_or(0);
            (due.to_string(), Some(format!("{} late", plural(days, "day", "days"))))
        }
        Some(due) => (due.to_string(), None),
        None => ("no date".to_owned(), None),
    }
}

fn due_words(t: &Todo) -> String {
    match lateness(t) {
        (due, Some(late)) => format!("{due} ({late})"),
        (due, None) => due,
    }
}

/// The list's title: "hwagner owes 3 things, 2 overdue", or "hwagner owes nothing".
pub(super) fn headline(person: &str, todos: &[Todo]) -> String {
    let late = todos.iter().filter(|t| t.is_overdue()).count();
    if todos.is_empty() {
        format!("{person} owes nothing")
    } else {
        format!("{person} owes {}, {late} overdue", plural(todos.len(), "thing", "things"))
    }
}

/// The terminal list.
pub fn table(person: &str, todos: &[Todo], today: Date) -> String {
    let mut out = String::new();
    let person = printable_line(person);
    let rows: Vec<[String; 5]> = todos
        .iter()
        .map(|t| {
            [
                due_words(t),
                t.kind.word().to_owned(),
                printable_line(t.postmortem_id.as_deref().unwrap_or(&t.path)).into_owned(),
                printable_line(&t.what).into_owned(),
                printable_line(&t.detail).into_owned(),
            ]
        })
        .collect();
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let (w0, w1, w2) = (width(0), width(1), width(2));
    for [due, kind, id, what, detail] in &rows {
        let _ = writeln!(out, "{due:<w0$}  {kind:<w1$}  {id:<w2$}  {what}  ({detail})");
    }
    if !todos.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(out, "{} (as of {today})", headline(&person, todos));
    out
}

/// Markdown, for a reminder in a chat or an issue.
pub fn markdown(person: &str, todos: &[Todo], today: Date) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## {} (as of {today})\n", md(&headline(person, todos)));
    for t in todos {
        let id = t.postmortem_id.as_deref().unwrap_or(&t.path);
        let late = if t.is_overdue() { " **late**" } else { "" };
        let _ = writeln!(
            out,
            "- [ ] {} **{}** — {} · {}{late} · {}",
            t.kind.word(),
            md(&t.what),
            md(id),
            due_words(t),
            md(&t.detail)
        );
    }
    out
}

/// The JSON document: `{version, person, today, todo: [...]}`.
pub fn json(person: &str, todos: &[Todo], today: Date) -> anyhow::Result<String> {
    #[derive(Serialize)]
    struct Doc<'a> {
        version: u32,
        person: &'a str,
        today: Date,
        todo: &'a [Todo],
    }
    let mut text = serde_json::to_string_pretty(&Doc { version: 1, person, today, todo: todos })?;
    text.push('\n');
    Ok(text)
}
