//! The JSON the site writes. `postmortems.json`: every postmortem's structured data in one file,
//! for other tools and dashboards. Its shape is documented in `docs/site.md`; fields may be
//! added, a change of meaning bumps `version`. And [`script_json`]: data embedded in a page or
//! loaded as a script (the table's filters, the search index), written so that it cannot end
//! its `<script>` element.

use anyhow::Context as _;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::value::RawValue;

use crate::model::{Instant, Visibility};
use crate::site::catalog::Catalog;
use crate::source::Spanned;

/// Serializes `value` as JSON that is safe inside a `<script>` element: `<`, `>` and `&` are
/// written as `\u003c`, `\u003e` and `\u0026` (so no `</script>` or `<!--` can appear), and the
/// line separators U+2028 and U+2029 as escapes too (they end a line in older JavaScript).
pub fn script_json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<String> {
    let json = serde_json::to_string(value).context("cannot serialize page data")?;
    // Most data has nothing to escape (the search index is megabytes of it): a byte scan is
    // enough to know. 0xE2 starts U+2028 and U+2029 in UTF-8 (and other characters, which
    // then take the slow path for nothing).
    if !json.bytes().any(|b| matches!(b, b'<' | b'>' | b'&' | 0xE2)) {
        return Ok(json);
    }
    let mut out = String::with_capacity(json.len() + json.len() / 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// The whole file, serialized.
pub(super) fn postmortems_json(m: &Catalog<'_>, base_url: Option<&str>) -> anyhow::Result<Vec<u8>> {
    let postmortems: Vec<JsonPostmortem<'_>> =
        (0..m.entries.len()).into_par_iter().map(|i| json_postmortem(m, i)).collect();
    let doc = JsonDoc {
        version: 2,
        title: &m.config.title,
        today: m.today.to_string(),
        base_url,
        postmortems,
    };
    let mut bytes = serde_json::to_vec(&doc).context("cannot serialize postmortems.json")?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn json_postmortem<'a>(m: &'a Catalog<'_>, i: usize) -> JsonPostmortem<'a> {
    let e = &m.entries[i];
    let pm = e.pm;
    // A restricted postmortem is a stub here as on its page: its day, not its timestamps.
    let restricted = pm.visibility == Visibility::Restricted;
    let none = crate::model::Timestamps::default();
    let t = if restricted { &none } else { &pm.times };
    let instant = |v: &Option<Spanned<Instant>>| {
        v.as_ref().map(|v| v.value.timestamp.display_with_offset(v.value.offset).to_string())
    };
    let d = t.durations();
    let minutes = |v: Option<jiff::SignedDuration>| v.map(|d| d.as_secs() / 60);
    fn s(v: &Option<Spanned<String>>) -> Option<&str> {
        v.as_ref().map(|v| v.value.as_str())
    }
    let list = |v: &'a [Spanned<String>]| v.iter().map(|x| x.value.as_str()).collect();
    JsonPostmortem {
        id: &e.id,
        title: &e.title,
        url: e.href(),
        // A file's name may say what a restricted incident was.
        source: (!restricted).then(|| e.doc.path()),
        status: e.status().as_str(),
        visibility: pm.visibility.as_str(),
        severity: s(&pm.severity),
        owner: s(&pm.owner),
        team: s(&pm.team),
        services: list(&pm.services),
        authors: list(&pm.authors),
        reviewers: list(&pm.reviewers),
        detection: pm.detection.as_ref().map(|d| d.value.as_str()),
        contributing_factors: list(&pm.contributing_factors),
        tags: list(&pm.tags),
        related: e.related.iter().map(|(id, _)| id.as_str()).collect(),
        backlinks: e.backlinks.iter().map(|&b| m.entries[b].id.as_str()).collect(),
        ticket: s(&pm.ticket),
        chat: s(&pm.chat),
        date: e.date.map(|d| d.to_string()),
        started_at: instant(&t.started_at),
        detected_at: instant(&t.detected_at),
        acknowledged_at: instant(&t.acknowledged_at),
        mitigated_at: instant(&t.mitigated_at),
        resolved_at: instant(&t.resolved_at),
        minutes_to: JsonDurations {
            detect: minutes(d.detect),
            acknowledge: minutes(d.acknowledge),
            mitigate: minutes(d.mitigate),
            resolve: minutes(d.resolve),
        },
        due: pm.due.as_ref().map(|d| d.value.to_string()),
        published_on: pm.published_on.as_ref().map(|d| d.value.to_string()),
        overdue: e.overdue,
        last_updated: e.updated.as_deref(),
        summary: &e.summary,
        impact: JsonImpact {
            summary: pm.impact.summary.as_deref(),
            users_affected: pm.impact.users_affected,
            revenue_loss: pm.impact.revenue_loss,
            slos: pm
                .impact
                .slos
                .iter()
                .map(|s| JsonSlo { name: &s.name, error_budget_consumed: s.error_budget_consumed })
                .collect(),
        },
        action_items: nested_items(
            pm.action_items
                .iter()
                .map(|a| crate::followup::Item::new(m.config, e.doc, pm, a, m.ticket(a), m.today)),
        ),
        check: JsonCheck { errors: e.errors, warnings: e.problems.len() - e.errors },
    }
}

/// The fields of the action-item record that describe its postmortem, which the enclosing
/// postmortem already carries: repeating them in every nested item made `postmortems.json` half
/// as large again for no new information.
const POSTMORTEM_FIELDS: [&str; 6] =
    ["postmortem_id", "postmortem_title", "path", "team", "services", "severity"];

/// The action-item records of one postmortem, nested under it: each record without
/// [`POSTMORTEM_FIELDS`], written out at once so no tree of values outlives its postmortem.
fn nested_items(items: impl Iterator<Item = crate::followup::Item>) -> Box<RawValue> {
    let items: Vec<serde_json::Value> = items
        .map(|item| {
            let mut value = serde_json::to_value(item).unwrap_or_default();
            if let Some(map) = value.as_object_mut() {
                for key in POSTMORTEM_FIELDS {
                    map.shift_remove(key);
                }
            }
            value
        })
        .collect();
    serde_json::value::to_raw_value(&items).expect("a tree of JSON values always serializes")
}

#[derive(Serialize)]
struct JsonDoc<'a> {
    version: u32,
    title: &'a str,
    today: String,
    base_url: Option<&'a str>,
    postmortems: Vec<JsonPostmortem<'a>>,
}

#[derive(Serialize)]
struct JsonPostmortem<'a> {
    id: &'a str,
    title: &'a str,
    url: String,
    source: Option<&'a str>,
    status: &'static str,
    visibility: &'static str,
    severity: Option<&'a str>,
    owner: Option<&'a str>,
    team: Option<&'a str>,
    services: Vec<&'a str>,
    authors: Vec<&'a str>,
    reviewers: Vec<&'a str>,
    detection: Option<&'static str>,
    contributing_factors: Vec<&'a str>,
    tags: Vec<&'a str>,
    related: Vec<&'a str>,
    backlinks: Vec<&'a str>,
    ticket: Option<&'a str>,
    chat: Option<&'a str>,
    date: Option<String>,
    started_at: Option<String>,
    detected_at: Option<String>,
    acknowledged_at: Option<String>,
    mitigated_at: Option<String>,
    resolved_at: Option<String>,
    minutes_to: JsonDurations,
    due: Option<String>,
    published_on: Option<String>,
    overdue: bool,
    last_updated: Option<&'a str>,
    summary: &'a str,
    impact: JsonImpact<'a>,
    action_items: Box<RawValue>,
    check: JsonCheck,
}

#[derive(Serialize)]
struct JsonDurations {
    detect: Option<i64>,
    acknowledge: Option<i64>,
    mitigate: Option<i64>,
    resolve: Option<i64>,
}

#[derive(Serialize)]
struct JsonImpact<'a> {
    summary: Option<&'a str>,
    users_affected: Option<f64>,
    revenue_loss: Option<f64>,
    slos: Vec<JsonSlo<'a>>,
}

#[derive(Serialize)]
struct JsonSlo<'a> {
    name: &'a str,
    error_budget_consumed: f64,
}

#[derive(Serialize)]
struct JsonCheck {
    errors: usize,
    warnings: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_break_out() {
        let json =
            script_json(&["</script><script>alert(1)</script>", "a&b", "x\u{2028}y", "<!--"])
                .expect("json");
        assert!(!json.contains('<') && !json.contains('>') && !json.contains('&'), "{json}");
        assert!(!json.contains('\u{2028}'), "{json}");
        let back: Vec<String> = serde_json::from_str(&json).expect("still JSON");
        assert_eq!(back[0], "</script><script>alert(1)</script>");
        assert_eq!(back[2], "x\u{2028}y");
    }
}
