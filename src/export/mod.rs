//! `pm export`: the whole repository as structured data for a data warehouse.
//!
//! One stable shape, documented in `docs/export.md` and published as a JSON Schema in
//! `schema/export.schema.json`: three kinds of record, one serde struct each —
//! [`PostmortemRecord`], [`ActionItemRecord`] and [`TimelineRecord`]. The same records are
//! written as one JSON object with an array per kind, as NDJSON (one record per line), or as
//! CSV (one kind per file; the columns are the JSON fields, lists joined by `;`). Order is
//! deterministic: postmortems by id (then path), action items and timeline entries by
//! postmortem id and position. Field names only ever get added.

mod postmortem;
mod timeline;

/// The action-item record: the same item `pm actions` and `pm gate` report.
pub use crate::followup::Item as ActionItemRecord;
pub use postmortem::{CompletionRecord, CriterionRecord, PostmortemRecord, SloRecord};
pub use timeline::TimelineRecord;

use jiff::civil::Date;
use serde::Serialize;
use serde_json::Value;

use crate::repo::Repo;

/// The version of the export shape; bumped only for a change that is not an addition.
pub const SCHEMA_VERSION: u32 = 1;

/// Which records to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    /// Every kind (JSON only: one object with an array per kind).
    All,
    /// Postmortems.
    Postmortems,
    /// Action items.
    ActionItems,
    /// Timeline entries.
    Timeline,
}

/// Every record of a repository.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Records {
    /// Postmortems.
    pub postmortems: Vec<PostmortemRecord>,
    /// Action items.
    pub action_items: Vec<ActionItemRecord>,
    /// Timeline entries.
    pub timeline: Vec<TimelineRecord>,
}

/// Builds the records of `repo` as of `today` (which decides what is overdue).
pub fn records(repo: &Repo, today: Date, what: What) -> Records {
    let want = |w: What| what == What::All || what == w;
    let config = &repo.workspace.config;
    let mut pms: Vec<_> = repo.postmortems().collect();
    pms.sort_by(|(da, a), (db, b)| {
        let key = |pm: &crate::model::Postmortem| pm.id.as_ref().map(|s| s.value.clone());
        (key(a).is_none(), key(a), da.path()).cmp(&(key(b).is_none(), key(b), db.path()))
    });
    let mut out = Records::default();
    if want(What::Postmortems) {
        let judge = crate::completion::Judge::new(
            config,
            repo.tickets.as_deref(),
            today,
            Some(&repo.workspace.root),
        );
        out.postmortems = pms
            .iter()
            .map(|(doc, pm)| PostmortemRecord::new(repo, doc, pm, today, &judge))
            .collect();
    }
    if want(What::ActionItems) {
        out.action_items = pms
            .iter()
            .flat_map(|(doc, pm)| {
                pm.action_items
                    .iter()
                    .map(|i| ActionItemRecord::new(config, doc, pm, i, repo.ticket(i), today))
            })
            .collect();
    }
    if want(What::Timeline) {
        let titles = crate::timeline::section_titles(config);
        let tz = config.time_zone();
        out.timeline = pms
            .iter()
            .flat_map(|(doc, pm)| {
                crate::timeline::entries::entries(pm, &doc.source.text, &titles, &tz)
                    .into_iter()
                    .map(|e| TimelineRecord::new(doc, pm, &e))
                    .collect::<Vec<_>>()
            })
            .collect();
    }
    out
}

/// The JSON document: `{"schema_version", "today", "postmortems"?, "action_items"?,
/// "timeline"?}` — with `what` one kind, only that array.
pub fn json(records: &Records, today: Date, what: What) -> anyhow::Result<String> {
    let mut doc = serde_json::Map::new();
    doc.insert("schema_version".into(), SCHEMA_VERSION.into());
    doc.insert("today".into(), today.to_string().into());
    if matches!(what, What::All | What::Postmortems) {
        doc.insert("postmortems".into(), serde_json::to_value(&records.postmortems)?);
    }
    if matches!(what, What::All | What::ActionItems) {
        doc.insert("action_items".into(), serde_json::to_value(&records.action_items)?);
    }
    if matches!(what, What::All | What::Timeline) {
        doc.insert("timeline".into(), serde_json::to_value(&records.timeline)?);
    }
    let mut text = serde_json::to_string_pretty(&Value::Object(doc))?;
    text.push('\n');
    Ok(text)
}

/// NDJSON: one record of kind `what` per line.
pub fn ndjson<T: Serialize>(records: &[T]) -> anyhow::Result<String> {
    let mut out = String::new();
    for r in records {
        out.push_str(&serde_json::to_string(r)?);
        out.push('\n');
    }
    Ok(out)
}

/// CSV: a header row of the record's fields, then one row per record. Lists are joined with
/// `;` (SLOs as `name=fraction`), nulls are empty cells, and any other object (a postmortem's
/// `completion`) is one cell of compact JSON. Numbers stay numbers; every other cell goes
/// through [`crate::escape::csv_text`], so a title like `=HYPERLINK(…)` is text in a
/// spreadsheet.
pub fn csv<T: Serialize + Default>(records: &[T]) -> anyhow::Result<String> {
    let header: Vec<String> = match serde_json::to_value(T::default())? {
        Value::Object(map) => map.keys().cloned().collect(),
        _ => anyhow::bail!("a CSV record must be an object"),
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&header)?;
    for r in records {
        let Value::Object(map) = serde_json::to_value(r)? else {
            anyhow::bail!("a CSV record must be an object");
        };
        writer.write_record(header.iter().map(|k| match map.get(k).unwrap_or(&Value::Null) {
            number @ Value::Number(_) => cell(number),
            // Text (lists joined, objects as JSON included) may come from a postmortem: a
            // spreadsheet must not run it as a formula.
            other => crate::escape::csv_text(&cell(other)).into_owned(),
        }))?;
    }
    let bytes = writer.into_inner().map_err(|e| anyhow::anyhow!("cannot write CSV: {e}"))?;
    Ok(String::from_utf8(bytes)?)
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join(";"),
        Value::Object(map) => match (map.get("name"), map.get("error_budget_consumed")) {
            (Some(name), Some(value)) => format!("{}={}", cell(name), cell(value)),
            _ => serde_json::to_string(map).unwrap_or_default(),
        },
    }
}

/// A number for JSON: an integer when it is one (`7400`, not `7400.0`).
pub(crate) fn number(value: f64) -> Option<serde_json::Number> {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)]
        return Some(serde_json::Number::from(value as i64));
    }
    serde_json::Number::from_f64(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_cells() {
        assert_eq!(number(7400.0).map(|n| n.to_string()).as_deref(), Some("7400"));
        assert_eq!(number(0.58).map(|n| n.to_string()).as_deref(), Some("0.58"));
        assert_eq!(number(f64::NAN), None);
        let slo = serde_json::json!([{"name": "a", "error_budget_consumed": 0.5}, {"name": "b", "error_budget_consumed": 1}]);
        assert_eq!(cell(&slo), "a=0.5;b=1");
        assert_eq!(cell(&serde_json::json!(["x", "y"])), "x;y");
        assert_eq!(cell(&Value::Null), "");
    }
}
