//! `pm todo --format slack|teams`: one person's to-do list as a chat message, for a personal
//! reminder (a workflow posting to them) or a team channel's morning round.
//!
//! The message is the table's headline ("hwagner owes 3 things, 2 overdue"), a line saying as of
//! when, then what is overdue and what is not yet, each the most overdue first: the table's
//! order, cut in two where lateness ends. Each line says what to do (write, review, finish, do),
//! the postmortem, the thing, when it is due and the detail, in the table's words. The limits,
//! the escaping and the closing line are every chat message's (`slack::message`,
//! `teams::message`); what this module adds is which values go where.
//!
//! A thing owed carries no link: its postmortem's page on the site is named by the site build
//! (which makes page names unique across the repository), and a guess here could point at the
//! wrong page.

use jiff::civil::Date;
use serde_json::{Value, json};

use super::slack::escape;
use super::teams::{rich_text, run, spaced, styled};
use super::{DETAIL_WIDTH, Frame, OWNER_WIDTH, TITLE_WIDTH, postmortem_of, slack, teams};
use crate::followup::render::one_line;
use crate::followup::todo::{Todo, headline, lateness};
use crate::words::plural;

/// A thing owed as a line shows it, every value one line and cut.
struct Line {
    /// write, review, finish, do.
    verb: &'static str,
    /// The postmortem's id, or its path, and whether it is the path.
    postmortem: (String, bool),
    /// The section, the postmortem's title, the item's title.
    what: String,
    /// The due date, or "no date".
    due: String,
    /// "31 days late", when it is.
    late: Option<String>,
    /// The criteria still unmet, the postmortem a section is in, the item's ticket.
    detail: String,
}

impl Line {
    fn of(todo: &Todo) -> Self {
        let (due, late) = lateness(todo);
        Self {
            verb: todo.kind.word(),
            postmortem: postmortem_of(todo.postmortem_id.as_deref(), &todo.path),
            what: one_line(&todo.what, TITLE_WIDTH),
            due,
            late,
            detail: one_line(&todo.detail, DETAIL_WIDTH),
        }
    }

    /// The line in mrkdwn: "• *review* INC-1 · Title · 2026-11-04 (*31 days late*) · detail".
    fn mrkdwn(&self) -> String {
        let postmortem = match &self.postmortem {
            (path, true) => format!("`{}`", escape(path)),
            (id, false) => escape(id),
        };
        let due = match &self.late {
            Some(late) => format!("{} (*{late}*)", self.due),
            None => self.due.clone(),
        };
        format!(
            "• *{}* {postmortem} · {} · {due} · {}",
            self.verb,
            escape(&self.what),
            escape(&self.detail)
        )
    }

    /// The line as a Teams `RichTextBlock`, the lateness in the attention colour.
    fn card(&self) -> Value {
        let mut runs = vec![
            styled(format!("{} ", self.verb), json!({"weight": "Bolder"})),
            run(format!("{} · {} · ", self.postmortem.0, self.what)),
        ];
        runs.push(match &self.late {
            Some(late) => styled(
                format!("{} ({late})", self.due),
                json!({"color": "Attention", "weight": "Bolder"}),
            ),
            None => run(self.due.clone()),
        });
        runs.push(run(format!(" · {}", self.detail)));
        spaced(rich_text(runs))
    }
}

/// The list in the message's groups, each named: overdue first, then the rest, in the list's
/// order; a group with nothing in it is left out.
fn groups(todos: &[Todo]) -> Vec<(&'static str, Vec<Line>)> {
    let (overdue, rest): (Vec<&Todo>, Vec<&Todo>) = todos.iter().partition(|t| t.is_overdue());
    [("Overdue", overdue), ("Not yet due", rest)]
        .into_iter()
        .filter(|(_, todos)| !todos.is_empty())
        .map(|(name, todos)| (name, todos.into_iter().map(Line::of).collect()))
        .collect()
}

/// "3 things".
fn count(lines: &[Line]) -> String {
    plural(lines.len(), "thing", "things")
}

/// The frame of `person`'s list as of `today`.
fn frame(person: &str, todos: &[Todo], today: Date) -> Frame {
    let title = headline(&one_line(person, OWNER_WIDTH), todos);
    Frame {
        context: if todos.is_empty() {
            format!("As of {today}: nothing to write, review, finish or do.")
        } else {
            format!("As of {today} · the most overdue first")
        },
        fallback: format!("{title} (as of {today})"),
        title,
        more: ("more thing", "more things"),
        command: "pm todo",
    }
}

/// `person`'s list (`todos`, in the list's order) as of `today`, as a Slack message.
pub fn slack(person: &str, todos: &[Todo], today: Date) -> anyhow::Result<String> {
    let groups: Vec<slack::Group> = groups(todos)
        .into_iter()
        .map(|(name, lines)| slack::Group {
            heading: format!("*{name}* — {}", count(&lines)),
            continued: format!("*{name}* (continued)"),
            lines: lines.iter().map(Line::mrkdwn).collect(),
        })
        .collect();
    slack::message(&frame(person, todos, today), &groups)
}

/// `person`'s list (`todos`, in the list's order) as of `today`, as a Teams message.
pub fn teams(person: &str, todos: &[Todo], today: Date) -> anyhow::Result<String> {
    let groups: Vec<teams::Group> = groups(todos)
        .into_iter()
        .map(|(name, lines)| teams::Group {
            heading: rich_text(vec![
                styled(name, json!({"weight": "Bolder"})),
                run(format!(" — {}", count(&lines))),
            ]),
            lines: lines.iter().map(Line::card).collect(),
        })
        .collect();
    let frame = frame(person, todos, today);
    // The title names the person, who may be anything `--person` was given: it goes into a
    // `TextRun`, which Teams shows as written, not into a markdown `TextBlock`.
    let title = rich_text(vec![styled(&frame.title, json!({"size": "Large", "weight": "Bolder"}))]);
    teams::message(&frame, &title, &groups)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::followup::todo::Owed;

    fn todo(kind: Owed, days_overdue: i64) -> Todo {
        Todo {
            kind,
            what: "Impact".to_owned(),
            postmortem_id: Some("INC-1".to_owned()),
            path: "postmortems/x.md".to_owned(),
            due: Some(jiff::civil::date(2026, 12, 1)),
            days_overdue,
            detail: "in \"X\"".to_owned(),
        }
    }

    #[test]
    fn overdue_things_come_first_in_a_group_of_their_own() {
        let todos = [todo(Owed::Review, 4), todo(Owed::Section, 0), todo(Owed::ActionItem, 1)];
        let groups = groups(&todos);
        let names: Vec<&str> = groups.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, ["Overdue", "Not yet due"]);
        let verbs: Vec<&str> = groups[0].1.iter().map(|l| l.verb).collect();
        assert_eq!(verbs, ["review", "do"]);
        assert_eq!(
            groups[0].1[0].mrkdwn(),
            "• *review* INC-1 · Impact · 2026-12-01 (*4 days late*) · in \"X\""
        );
        assert!(super::groups(&[]).is_empty());
    }

    #[test]
    fn the_longest_values_keep_a_line_within_a_section() {
        let wide = "&".repeat(5000);
        let todo = Todo {
            what: wide.clone(),
            postmortem_id: None,
            path: wide.clone(),
            detail: wide,
            days_overdue: 100_000,
            ..todo(Owed::Postmortem, 0)
        };
        let line = Line::of(&todo).mrkdwn();
        let heading = "*Not yet due* (continued)";
        assert!(slack::length(heading) + 1 + slack::length(&line) <= slack::MAX_SECTION_TEXT);
    }
}
