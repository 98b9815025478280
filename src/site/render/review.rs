//! `review/index.html`: the review queue — postmortems in review, and any other unpublished
//! postmortem still missing approvals its completion policy asks for, oldest first, each with
//! its score, the approvals missing and who could give them, and the sections people still owe.

use crate::model::Status;
use crate::site::render::Site;
use crate::site::views::ReviewRow;

impl Site<'_, '_> {
    /// `review/index.html`: what waits for reviewers and approvers.
    pub(super) fn render_review(&self) -> anyhow::Result<()> {
        let m = self.catalog;
        let mut queue: Vec<usize> = (0..m.entries.len())
            .filter(|&i| {
                let e = &m.entries[i];
                let missing =
                    e.completion.as_ref().is_some_and(|c| c.applies && c.approvals_missing > 0);
                match e.status() {
                    Status::InReview => true,
                    Status::Draft => missing,
                    Status::Published => false,
                }
            })
            .collect();
        // Oldest first: the earliest due date leads, postmortems without one come last; ties by
        // id, then path, so the order never depends on the file system.
        queue.sort_by(|&a, &b| {
            let key = |i: usize| {
                let e = &m.entries[i];
                let due = e.pm.due.as_ref().map(|d| d.value);
                (due.is_none(), due, e.id.as_str(), e.doc.path())
            };
            key(a).cmp(&key(b))
        });
        let rows: Vec<ReviewRow> = queue
            .iter()
            .map(|&i| {
                let e = &m.entries[i];
                ReviewRow {
                    row: m.row(i),
                    due: e.pm.due.as_ref().map(|d| d.value.to_string()).unwrap_or_default(),
                    days_overdue: e.pm.days_overdue(m.today),
                    completion: m.completion(i),
                }
            })
            .collect();
        let in_review =
            queue.iter().filter(|&&i| m.entries[i].status() == Status::InReview).count();
        let missing = rows
            .iter()
            .filter(|r| r.completion.as_ref().is_some_and(|c| c.approvals_missing > 0))
            .count();
        self.page("review/index.html", "review.html", "review", "Review queue", |cx| {
            cx.insert("rows", &rows);
            cx.insert("in_review", &in_review);
            cx.insert("missing_approvals", &missing);
            cx.insert("today", &m.today.to_string());
            Ok(())
        })
    }
}
