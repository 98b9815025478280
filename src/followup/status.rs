//! `pm status`: each postmortem against its completion policy — every criterion met or not, a
//! completeness score, who owes which section, which approvals are missing and how long until
//! it is due — as a terminal report, JSON (a documented shape, `version` 1) or markdown for a
//! pull-request comment.

use std::fmt::Write as _;

use jiff::civil::Date;
use serde::Serialize;

use crate::completion::{Evaluation, Judge};
/// Text from a postmortem made safe for one line of a terminal table (no control characters,
/// no line breaks).
fn printable(text: &str) -> String {
    crate::diagnostic::printable_line(text).into_owned()
}
use crate::model::Status;
use crate::repo::Repo;
use crate::words::plural;

/// One postmortem's standing.
#[derive(Debug, Clone, Serialize)]
pub struct Standing {
    /// Its id.
    pub id: Option<String>,
    /// Its title.
    pub title: Option<String>,
    /// Its file, repo-relative.
    pub path: String,
    /// draft / in-review / published (a missing status reads as draft).
    pub status: Status,
    /// Its severity.
    pub severity: Option<String>,
    /// The owning team.
    pub team: Option<String>,
    /// The person accountable.
    pub owner: Option<String>,
    /// When the postmortem is due.
    pub due: Option<Date>,
    /// Days from today to `due` (negative: past due).
    pub days_until_due: Option<i64>,
    /// The judgement.
    #[serde(flatten)]
    pub evaluation: Evaluation,
}

impl Standing {
    /// Past its due date and not complete, under a policy that applies to it (a postmortem from
    /// before `completion.since` is shown, never counted against anyone, as in `pm gate`).
    pub fn is_late(&self) -> bool {
        self.evaluation.is_past_due(self.days_until_due.map(|d| -d), 0)
    }
}

/// The standings of the postmortems `select` accepts (by document index), most urgent first:
/// past due first, then by due date, then by id.
pub fn standings(repo: &Repo, judge: &Judge<'_>, select: &dyn Fn(usize) -> bool) -> Vec<Standing> {
    let mut out: Vec<Standing> = repo
        .documents
        .iter()
        .enumerate()
        .filter(|(i, _)| select(*i))
        .filter_map(|(_, doc)| {
            let pm = doc.postmortem.as_ref()?;
            let written = doc.written.as_ref()?;
            let due = pm.due.as_ref().map(|d| d.value);
            Some(Standing {
                id: pm.id.as_ref().map(|s| s.value.clone()),
                title: pm.title.as_ref().map(|s| s.value.clone()),
                path: doc.path().to_owned(),
                status: pm.status_or_draft(),
                severity: pm.severity.as_ref().map(|s| s.value.clone()),
                team: pm.team.as_ref().map(|s| s.value.clone()),
                owner: pm.owner.as_ref().map(|s| s.value.clone()),
                due,
                days_until_due: due.map(|d| crate::calendar::days_between(judge.today(), d)),
                evaluation: judge.evaluate(doc.path(), pm, written),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        let key =
            |s: &Standing| (!s.is_late(), s.due.is_none(), s.due, s.id.clone(), s.path.clone());
        key(a).cmp(&key(b))
    });
    out
}

/// "due in 3 days", "due today", "due 2026-05-01, 4 days past", "completed 2026-05-02, on
/// time", "no due date".
fn due_words(s: &Standing) -> String {
    if let (true, Some(done)) = (s.evaluation.complete, s.evaluation.completed_on) {
        return match s.due {
            Some(due) if done > due => format!(
                "completed {done}, {} after its due date",
                plural(crate::calendar::days_between(due, done) as usize, "day", "days")
            ),
            Some(_) => format!("completed {done}, on time"),
            None => format!("completed {done}"),
        };
    }
    match (s.due, s.days_until_due) {
        (Some(due), Some(0)) => format!("due today ({due})"),
        (Some(due), Some(1)) => format!("due tomorrow ({due})"),
        (Some(due), Some(d)) if d > 0 => format!("due in {d} days ({due})"),
        (Some(due), Some(d)) => format!("due {due}, {} past", plural((-d) as usize, "day", "days")),
        _ => "no due date".to_owned(),
    }
}

fn name(s: &Standing) -> String {
    printable(s.id.as_deref().unwrap_or(&s.path))
}

/// The terminal report.
pub fn table(standings: &[Standing], today: Date) -> String {
    let mut out = String::new();
    if standings.is_empty() {
        let _ = writeln!(out, "No postmortems to show (as of {today}).");
        return out;
    }
    for s in standings {
        let e = &s.evaluation;
        let title = printable(s.title.as_deref().unwrap_or(""));
        let _ = writeln!(out, "{}  {title}", name(s));
        let mut facts = vec![s.status.to_string()];
        facts.extend(s.severity.as_deref().map(printable));
        facts.extend(s.team.as_deref().map(printable));
        facts.push(due_words(s));
        let verdict =
            if e.complete { "complete".to_owned() } else { format!("{}% complete", e.score) };
        facts.push(verdict);
        if !e.applies {
            facts.push("before completion.since: not held to the policy".to_owned());
        }
        let _ = writeln!(out, "  {}", facts.join(" · "));
        for c in &e.criteria {
            let mark = if c.met { "✓" } else { "✗" };
            let _ = writeln!(out, "  {mark} {}: {}", printable(&c.label), printable(&c.detail));
        }
        if e.approvals_missing > 0 && !e.approvers.is_empty() {
            let _ = writeln!(
                out,
                "  approvals missing: {} (could approve: {})",
                e.approvals_missing,
                e.approvers.iter().map(|p| printable(p)).collect::<Vec<_>>().join(", ")
            );
        }
        for a in e.assignments.iter().filter(|a| !a.done) {
            let due = a.due.map_or_else(String::new, |d| format!(", due {d}"));
            let late = if a.days_overdue > 0 {
                format!(" ({} late)", plural(a.days_overdue as usize, "day", "days"))
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  owes: {} — {}{due}{late}",
                printable(&a.to),
                printable(&a.section)
            );
        }
        out.push('\n');
    }
    let complete = standings.iter().filter(|s| s.evaluation.complete).count();
    let late = standings.iter().filter(|s| s.is_late()).count();
    let _ = writeln!(
        out,
        "{}, {complete} complete, {late} past due and incomplete (as of {today})",
        plural(standings.len(), "postmortem", "postmortems")
    );
    out
}

/// Markdown for a pull-request comment: a section per postmortem with a task list.
pub fn markdown(standings: &[Standing], today: Date) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Postmortem status (as of {today})\n");
    if standings.is_empty() {
        out.push_str("No postmortems to show.\n");
        return out;
    }
    for s in standings {
        let e = &s.evaluation;
        let verdict =
            if e.complete { "complete".to_owned() } else { format!("{}% complete", e.score) };
        let _ = writeln!(
            out,
            "### {} — {}\n",
            md(&name(s)),
            md(&printable(s.title.as_deref().unwrap_or("")))
        );
        let mut facts = vec![format!("**{verdict}**"), s.status.to_string()];
        facts.extend(s.severity.as_deref().map(md));
        facts.extend(s.owner.as_deref().map(|o| format!("owner {}", md(o))));
        facts.push(due_words(s));
        let _ = writeln!(out, "{}\n", facts.join(" · "));
        for c in &e.criteria {
            let mark = if c.met { "x" } else { " " };
            let _ = writeln!(out, "- [{mark}] {} — {}", md(&c.label), md(&c.detail));
        }
        let owed: Vec<_> = e.assignments.iter().filter(|a| !a.done).collect();
        if !owed.is_empty() || e.approvals_missing > 0 {
            out.push('\n');
        }
        for a in owed {
            let due = a.due.map_or_else(String::new, |d| format!(", due {d}"));
            let late = if a.days_overdue > 0 { " **(late)**" } else { "" };
            let _ = writeln!(out, "- {} owes **{}**{due}{late}", md(&a.to), md(&a.section));
        }
        if e.approvals_missing > 0 {
            let who = if e.approvers.is_empty() {
                String::new()
            } else {
                format!(
                    " (could approve: {})",
                    e.approvers.iter().map(|p| md(p)).collect::<Vec<_>>().join(", ")
                )
            };
            let _ = writeln!(
                out,
                "- {} missing{who}",
                plural(e.approvals_missing, "approval", "approvals")
            );
        }
        out.push('\n');
    }
    out
}

/// Escapes text for markdown so that a title cannot open a link, an image or HTML.
pub(crate) fn md(text: &str) -> String {
    let text = printable(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' | '~') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The JSON document: `{version, today, postmortems: [...]}`.
pub fn json(standings: &[Standing], today: Date) -> anyhow::Result<String> {
    #[derive(Serialize)]
    struct Doc<'a> {
        version: u32,
        today: Date,
        postmortems: &'a [Standing],
    }
    let mut text =
        serde_json::to_string_pretty(&Doc { version: 1, today, postmortems: standings })?;
    text.push('\n');
    Ok(text)
}
