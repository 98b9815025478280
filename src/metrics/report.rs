//! `pm metrics` output: an aligned text report, CSV and JSON of the same [`Metrics`] value.
//!
//! Every renderer returns the whole text so the command writes it in one go and tests compare
//! it byte for byte. Missing values (a median of nothing, a rate of an empty set) print as "—"
//! in the text report, as an empty cell in CSV and as `null` in JSON.

use std::fmt::Write as _;

use serde_json::Value;

use super::stats::Summary;
use super::{Metrics, Slice};
use crate::words::plural;

/// What a missing value looks like in the text report.
const MISSING: &str = "—";

/// `value` with at most one decimal, without a trailing `.0`.
pub fn number(value: f64) -> String {
    // A figure that is not a number (a division by nothing upstream) is shown as missing,
    // never as `NaN` or `inf`.
    if !value.is_finite() {
        return MISSING.to_owned();
    }
    let text = format!("{value:.1}");
    match text.strip_suffix(".0") {
        Some("-0") => "0".to_owned(),
        Some(whole) => whole.to_owned(),
        None => text,
    }
}

/// An optional number, "—" when missing.
pub fn maybe(value: Option<f64>) -> String {
    value.map_or_else(|| MISSING.to_owned(), number)
}

/// A share as a percentage ("66.7%"), "—" when missing.
pub fn percent(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{}%", number(v * 100.0)),
        _ => MISSING.to_owned(),
    }
}

/// "median / p90 (n)", or "—" when there are no values.
fn summary(s: &Summary) -> String {
    match (s.median, s.p90) {
        (Some(m), Some(p)) => format!("{} / {} ({})", number(m), number(p), s.count),
        _ => MISSING.to_owned(),
    }
}

/// A text table: a header row, then rows; the first column (and any in `left`) left-aligned,
/// the rest (numbers) right-aligned.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    left: Vec<usize>,
}

impl Table {
    fn new(header: &[&str]) -> Self {
        Self {
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
            left: vec![0],
        }
    }

    /// Left-aligns column `i` too (a text column).
    fn left(mut self, i: usize) -> Self {
        self.left.push(i);
        self
    }

    fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    fn render(&self, out: &mut String) {
        let columns = self.header.len();
        let width = |i: usize| {
            std::iter::once(&self.header)
                .chain(&self.rows)
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..columns).map(width).collect();
        for row in std::iter::once(&self.header).chain(&self.rows) {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                let w = widths.get(i).copied().unwrap_or(0);
                let pad = " ".repeat(w.saturating_sub(cell.chars().count()));
                if i > 0 {
                    line.push_str("  ");
                }
                if self.left.contains(&i) {
                    line.push_str(cell);
                    line.push_str(&pad);
                } else {
                    line.push_str(&pad);
                    line.push_str(cell);
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
}

fn heading(out: &mut String, title: &str) {
    let _ = write!(out, "\n{title}\n");
}

fn count_table(out: &mut String, title: &str, label: &str, rows: Vec<(String, usize)>) {
    heading(out, title);
    if rows.is_empty() {
        let _ = writeln!(out, "{MISSING}");
        return;
    }
    let mut t = Table::new(&[label, "INCIDENTS"]);
    for (k, n) in rows {
        t.row(vec![k, n.to_string()]);
    }
    t.render(out);
}

/// The text report of `m`.
pub fn table(m: &Metrics) -> String {
    let mut out = String::new();
    let s = &m.overall;
    let undated = match s.undated {
        0 => String::new(),
        n => format!(" ({n} without started_at)"),
    };
    let _ = writeln!(
        out,
        "{}{undated} · as of {} · dates in {}",
        plural(s.postmortems, "postmortem", "postmortems"),
        m.today,
        m.time_zone
    );
    let f = &m.filters;
    let mut filters = Vec::new();
    if let Some(d) = f.since {
        filters.push(format!("since {d}"));
    }
    if let Some(d) = f.until {
        filters.push(format!("until {d}"));
    }
    if let Some(t) = &f.team {
        filters.push(format!("team {t}"));
    }
    if let Some(v) = &f.service {
        filters.push(format!("service {v}"));
    }
    if !filters.is_empty() {
        let _ = writeln!(out, "Selection: {}", filters.join(", "));
    }

    incidents(&mut out, m, s);
    durations(&mut out, m, s);
    timeliness(&mut out, m, s);
    completion(&mut out, m, s);
    action_items(&mut out, s);
    knowledge(&mut out, m);
    out
}

fn incidents(out: &mut String, m: &Metrics, s: &Slice) {
    heading(out, "Incidents per month (by started_at)");
    if s.by_month.is_empty() {
        let _ = writeln!(out, "{MISSING}");
    } else {
        let mut header = vec!["MONTH", "TOTAL"];
        header.extend(m.severities.iter().map(String::as_str));
        let mut t = Table::new(&header);
        for (month, total) in &s.by_month {
            let mut row = vec![month.clone(), total.to_string()];
            let per = s.by_month_severity.get(month);
            row.extend(
                m.severities
                    .iter()
                    .map(|sev| per.and_then(|p| p.get(sev)).copied().unwrap_or(0).to_string()),
            );
            t.row(row);
        }
        t.render(out);
    }
    let by_severity = m
        .severities
        .iter()
        .map(|sev| (sev.clone(), s.by_severity.get(sev).copied().unwrap_or(0)))
        .collect();
    count_table(out, "Incidents per severity", "SEVERITY", by_severity);
    let nonzero = |map: &std::collections::BTreeMap<String, usize>| -> Vec<(String, usize)> {
        let mut rows: Vec<(String, usize)> =
            map.iter().filter(|(_, n)| **n > 0).map(|(k, n)| (k.clone(), *n)).collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        rows
    };
    count_table(out, "Incidents per team", "TEAM", nonzero(&s.by_team));
    count_table(out, "Incidents per service", "SERVICE", nonzero(&s.by_service));
    count_table(out, "Incidents per detection source", "DETECTION", nonzero(&s.by_detection));
    count_table(
        out,
        "Incidents per contributing factor",
        "FACTOR",
        nonzero(&s.by_contributing_factor),
    );
}

fn durations(out: &mut String, m: &Metrics, s: &Slice) {
    let d = &s.durations_minutes;
    let header = ["", "DETECT", "MITIGATE", "RESOLVE"];
    heading(
        out,
        "Minutes from started_at to detected_at / mitigated_at / resolved_at (median / p90 (n))",
    );
    let mut t = Table::new(&["SEVERITY", header[1], header[2], header[3]]);
    for sev in &m.severities {
        let cell = |map: &std::collections::BTreeMap<String, Summary>| {
            map.get(sev).map_or_else(|| MISSING.to_owned(), summary)
        };
        t.row(vec![
            sev.clone(),
            cell(&s.time_to_detect_minutes),
            cell(&s.time_to_mitigate_minutes),
            cell(&s.time_to_resolve_minutes),
        ]);
    }
    t.row(vec![
        "all".to_owned(),
        summary(&d.detect.overall),
        summary(&d.mitigate.overall),
        summary(&d.resolve.overall),
    ]);
    t.render(out);
    for (title, label, pick) in [
        (
            "The same per quarter",
            "QUARTER",
            (|b: &super::Breakdown| &b.by_quarter)
                as fn(&super::Breakdown) -> &std::collections::BTreeMap<String, Summary>,
        ),
        ("The same per team", "TEAM", |b: &super::Breakdown| &b.by_team),
    ] {
        heading(out, title);
        let keys = pick(&d.resolve);
        if keys.is_empty() {
            let _ = writeln!(out, "{MISSING}");
            continue;
        }
        let mut t = Table::new(&[label, header[1], header[2], header[3]]);
        for key in keys.keys() {
            let cell =
                |b: &super::Breakdown| pick(b).get(key).map_or_else(|| MISSING.to_owned(), summary);
            t.row(vec![key.clone(), cell(&d.detect), cell(&d.mitigate), cell(&d.resolve)]);
        }
        t.render(out);
    }
}

fn timeliness(out: &mut String, m: &Metrics, s: &Slice) {
    let t = &s.postmortem_timeliness;
    heading(out, "Postmortem timeliness");
    let mut table = Table::new(&["MEASURE", "VALUE"]);
    for (k, v) in [
        ("Published", t.published.to_string()),
        ("Not published", t.unpublished.to_string()),
        ("Overdue (not published, due before today)", t.overdue.to_string()),
        ("On time (published by due)", t.on_time.to_string()),
        ("Late (published after due, or overdue)", t.late.to_string()),
        ("On-time rate", percent(t.on_time_rate)),
        ("Median days from resolved to published", maybe(t.median_days_to_publish)),
        ("p90 days from resolved to published", maybe(t.p90_days_to_publish)),
    ] {
        table.row(vec![k.to_owned(), v]);
    }
    table.render(out);

    // Ranking teams against each other is the repository's choice (`[metrics] rank_teams`).
    let Some(leaderboard) = &m.leaderboard else { return };
    heading(out, "Team leaderboard: postmortems published on time");
    if leaderboard.is_empty() {
        let _ = writeln!(out, "{MISSING}");
        return;
    }
    let mut table = Table::new(&[
        "TEAM",
        "RANK",
        "ON TIME",
        "LATE",
        "ON-TIME RATE",
        "OVERDUE",
        "MEDIAN DAYS TO PUBLISH",
        "ITEMS DONE",
    ]);
    for row in leaderboard {
        table.row(vec![
            row.team.clone(),
            row.rank.map_or_else(|| MISSING.to_owned(), |r| r.to_string()),
            row.on_time.to_string(),
            row.late.to_string(),
            percent(row.on_time_rate),
            row.overdue.to_string(),
            maybe(row.median_days_to_publish),
            percent(row.action_item_completion_rate),
        ]);
    }
    table.render(out);
}

fn completion(out: &mut String, m: &Metrics, s: &Slice) {
    let c = &s.completion;
    heading(out, "Postmortem completion (by the completion policy)");
    let mut table = Table::new(&["MEASURE", "VALUE"]);
    for (k, v) in [
        ("Held to the completion policy", c.held.to_string()),
        ("Complete", c.complete.to_string()),
        ("Complete rate", percent(c.complete_rate)),
        ("Median days from resolved to complete", maybe(c.days_to_complete.median)),
        ("p90 days from resolved to complete", maybe(c.days_to_complete.p90)),
        ("Completed on time (by due)", c.on_time.to_string()),
        ("Completed late (after due)", c.late.to_string()),
        ("On-time completion rate", percent(c.on_time_rate)),
    ] {
        table.row(vec![k.to_owned(), v]);
    }
    table.render(out);

    heading(
        out,
        if m.leaderboard.is_some() {
            "Teams by on-time completion (days to complete: median / p90 (n))"
        } else {
            "Completion per team (days to complete: median / p90 (n))"
        },
    );
    let rows = super::completion_by_team(m);
    if rows.is_empty() {
        let _ = writeln!(out, "{MISSING}");
        return;
    }
    let mut table = Table::new(&[
        "TEAM",
        "HELD",
        "COMPLETE",
        "DAYS TO COMPLETE",
        "ON TIME",
        "LATE",
        "ON-TIME RATE",
    ]);
    for (team, c) in rows {
        table.row(vec![
            team.to_owned(),
            c.held.to_string(),
            c.complete.to_string(),
            summary(&c.days_to_complete),
            c.on_time.to_string(),
            c.late.to_string(),
            percent(c.on_time_rate),
        ]);
    }
    table.render(out);
}

fn action_items(out: &mut String, s: &Slice) {
    let a = &s.action_items;
    heading(out, "Action items");
    let mut t = Table::new(&["MEASURE", "VALUE"]);
    for (k, v) in [
        ("Total", a.total.to_string()),
        ("Open (open or in progress)", a.open.to_string()),
        ("In progress", a.in_progress.to_string()),
        ("Overdue (open, due before today)", a.overdue.to_string()),
        ("Done", a.done.to_string()),
        ("Won't do", a.wont_do.to_string()),
        ("Completion rate (done / (total − won't do))", percent(a.completion_rate)),
        ("Median days to close", maybe(a.median_days_to_close)),
        ("p90 days to close", maybe(a.p90_days_to_close)),
        ("Closed by their due date", percent(a.closed_by_due_rate)),
        ("With a ticket", percent(a.ticket_rate)),
    ] {
        t.row(vec![k.to_owned(), v]);
    }
    // The trackers' side only when `pm sync` has written a cache: without one it is all zeros.
    let tr = &a.tracker;
    if tr.synced > 0 {
        for (k, v) in [
            ("Tickets synced from trackers", tr.synced.to_string()),
            ("  open or in progress in the tracker", tr.open.to_string()),
            ("  done in the tracker", tr.done.to_string()),
            ("  closed without being done", tr.not_done.to_string()),
            ("  unknown to the tracker", tr.missing.to_string()),
            ("Items that disagree with their ticket", tr.drift.to_string()),
            ("Completion rate as the trackers count it", percent(tr.completion_rate)),
        ] {
            t.row(vec![k.to_owned(), v]);
        }
    }
    t.render(out);

    heading(out, "Open action items by age (days since the incident was resolved)");
    let mut t = Table::new(&["AGE (DAYS)", "OPEN"]);
    for (label, n) in a.open_by_age.rows() {
        t.row(vec![label.to_owned(), n.to_string()]);
    }
    t.render(out);

    let counts_header = ["TOTAL", "OPEN", "OVERDUE", "DONE", "WON'T DO", "COMPLETION"];
    for (title, label, map) in [("Action items per team", "TEAM", &a.by_team)] {
        heading(out, title);
        let rows: Vec<_> = map.iter().filter(|(_, c)| c.total > 0).collect();
        if rows.is_empty() {
            let _ = writeln!(out, "{MISSING}");
            continue;
        }
        let mut header = vec![label];
        header.extend(counts_header);
        let mut t = Table::new(&header);
        for (k, c) in rows {
            t.row(vec![
                k.clone(),
                c.total.to_string(),
                c.open.to_string(),
                c.overdue.to_string(),
                c.done.to_string(),
                c.wont_do.to_string(),
                percent(c.completion_rate),
            ]);
        }
        t.render(out);
    }

    heading(out, "Action items per month");
    if a.by_month.is_empty() {
        let _ = writeln!(out, "{MISSING}");
    } else {
        let mut t = Table::new(&["MONTH", "OPENED", "CLOSED", "OPEN AT END"]);
        for (month, row) in &a.by_month {
            t.row(vec![
                month.clone(),
                row.opened.to_string(),
                row.closed.to_string(),
                row.open_at_end.to_string(),
            ]);
        }
        t.render(out);
    }
}

fn knowledge(out: &mut String, m: &Metrics) {
    heading(out, "Error budget consumed per SLO");
    if m.slos.is_empty() {
        let _ = writeln!(out, "{MISSING}");
    } else {
        let mut t = Table::new(&["SLO", "INCIDENTS", "BUDGET", "PER SERVICE"]).left(3);
        for (name, budget) in &m.slos {
            let per_service = m
                .slo_budget_by_service
                .get(name)
                .map(|per| {
                    per.iter()
                        .map(|(s, v)| format!("{s} {}", percent(Some(*v))))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            t.row(vec![
                name.clone(),
                budget.incidents.to_string(),
                percent(Some(budget.error_budget_consumed)),
                per_service,
            ]);
        }
        t.render(out);
    }

    heading(out, "Recurring contributing factors (named by 2 or more incidents of a service)");
    if m.recurring_contributing_factors.is_empty() {
        let _ = writeln!(out, "{MISSING}");
    } else {
        let mut t = Table::new(&["SERVICE / FACTOR", "INCIDENTS"]);
        for (service, factors) in &m.recurring_contributing_factors {
            for (factor, n) in factors {
                t.row(vec![format!("{service} / {factor}"), n.to_string()]);
            }
        }
        t.render(out);
    }

    heading(out, "Services with repeat incidents (within 90 days of the previous one)");
    if m.repeat_incidents.is_empty() {
        let _ = writeln!(out, "{MISSING}");
    } else {
        let mut t = Table::new(&["SERVICE", "INCIDENTS", "REPEATS", "SHORTEST GAP (DAYS)"]);
        for (service, r) in &m.repeat_incidents {
            t.row(vec![
                service.clone(),
                r.incidents.to_string(),
                r.repeats.to_string(),
                r.shortest_gap_days.to_string(),
            ]);
        }
        t.render(out);
    }

    let with = m.similar.values().filter(|v| !v.is_empty()).count();
    let _ = writeln!(
        out,
        "\nSimilar postmortems: suggestions for {with} of {} postmortems (in --format json and on each postmortem's page).",
        m.similar.len()
    );
}

/// `m` as pretty JSON, with a final newline.
pub fn json(m: &Metrics) -> anyhow::Result<String> {
    let mut text = serde_json::to_string_pretty(m)?;
    text.push('\n');
    Ok(text)
}

/// `m` as CSV in long form: `scope,metric,group,key,value`, one row per number. `scope` is
/// `all`, `team:SLUG` or `service:SLUG`; `metric` names the figure (nested fields joined with
/// dots), `group` and `key` are its last two keys (e.g. `time_to_detect_minutes,SEV1,median`).
/// Per-postmortem suggestions are left out (they are not numbers), and so are teams and services
/// without postmortems in the selection; missing values are empty.
pub fn csv(m: &Metrics) -> anyhow::Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["scope", "metric", "group", "key", "value"])?;
    let mut overall = serde_json::to_value(m)?;
    if let Value::Object(map) = &mut overall {
        map.remove("teams");
        map.remove("services");
        map.remove("similar");
    }
    let mut scopes = vec![("all".to_owned(), overall)];
    // Teams and services without postmortems in the selection would only add rows of zeros.
    for (team, slice) in m.teams.iter().filter(|(_, s)| s.postmortems > 0) {
        scopes.push((format!("team:{team}"), serde_json::to_value(slice)?));
    }
    for (service, slice) in m.services.iter().filter(|(_, s)| s.postmortems > 0) {
        scopes.push((format!("service:{service}"), serde_json::to_value(slice)?));
    }
    for (scope, value) in scopes {
        let mut rows = Vec::new();
        flatten(&mut Vec::new(), &value, &mut rows);
        for (path, value) in rows {
            let n = path.len();
            let (metric, group, key) = match n {
                0 => continue,
                1 => (path[0].clone(), String::new(), String::new()),
                2 => (path[0].clone(), String::new(), path[1].clone()),
                _ => (path[..n - 2].join("."), path[n - 2].clone(), path[n - 1].clone()),
            };
            // Team and service names are the user's: text cells are neutralized for
            // spreadsheets; a figure stays a number.
            let text = |cell: &str| crate::escape::csv_text(cell).into_owned();
            let value =
                if value.parse::<f64>().is_ok_and(f64::is_finite) { value } else { text(&value) };
            writer.write_record([text(&scope), text(&metric), text(&group), text(&key), value])?;
        }
    }
    let bytes = writer.into_inner().map_err(|e| anyhow::anyhow!("cannot write CSV: {e}"))?;
    Ok(String::from_utf8(bytes)?)
}

/// Every scalar of `value` with its path. Array elements that are objects with a `team` field
/// (the leaderboard) are keyed by it; other elements by their position.
fn flatten(path: &mut Vec<String>, value: &Value, out: &mut Vec<(Vec<String>, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                path.push(k.clone());
                flatten(path, v, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let team = item.get("team").and_then(Value::as_str);
                path.push(team.map_or_else(|| i.to_string(), str::to_owned));
                match (team, item) {
                    (Some(_), Value::Object(map)) => {
                        for (k, v) in map.iter().filter(|(k, _)| k.as_str() != "team") {
                            path.push(k.clone());
                            flatten(path, v, out);
                            path.pop();
                        }
                    }
                    _ => flatten(path, item, out),
                }
                path.pop();
            }
        }
        Value::Null => out.push((path.clone(), String::new())),
        Value::String(s) => out.push((path.clone(), s.clone())),
        other => out.push((path.clone(), other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_short() {
        assert_eq!(number(47.5), "47.5");
        assert_eq!(number(180.0), "180");
        assert_eq!(number(2.0 / 3.0), "0.7");
        assert_eq!(number(-0.01), "0");
        assert_eq!(percent(Some(2.0 / 3.0)), "66.7%");
        assert_eq!(percent(Some(0.6)), "60%");
        assert_eq!(percent(None), "—");
        assert_eq!(maybe(None), "—");
        assert_eq!(percent(Some(f64::NAN)), "—");
        assert_eq!(number(f64::INFINITY), "—");
    }

    #[test]
    fn tables_align() {
        let mut t = Table::new(&["NAME", "N"]);
        t.row(vec!["a".into(), "10".into()]);
        t.row(vec!["longer".into(), "2".into()]);
        let mut out = String::new();
        t.render(&mut out);
        assert_eq!(out, "NAME     N\na       10\nlonger   2\n");
    }
}
