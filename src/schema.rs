//! The front matter JSON Schema: the built-in one (embedded), or the repository's own, compiled
//! once per run, and the mapping of its errors back to YAML spans and plain-language messages.
//!
//! The shipped `schema/postmortem.schema.json` is usable by editors as-is; at run time the
//! configured severities are injected into it so a wrong severity is a schema error like any
//! other. A repository's `schema/postmortem.schema.json` replaces the built-in one and may build
//! on it with `{"$ref": "https://pm.dev/schema/postmortem.schema.json"}`.

use std::path::Path;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::LocationSegment;
use serde_json::Value as Json;

use crate::config::Config;
use crate::diagnostic::Finding;
use crate::parse::yaml::{Node, Value};
use crate::source::Span;
use crate::words::plural;

/// The built-in postmortem schema, as shipped.
pub const BUILTIN: &str = include_str!("../schema/postmortem.schema.json");
/// The `$id` of the built-in schema, for a repository schema that extends it (and what
/// `pm new` names for editors unless pm.toml says otherwise).
pub const BUILTIN_ID: &str = crate::config::POSTMORTEM_SCHEMA_URL;
/// Where a repository keeps its own schema.
pub const REPO_SCHEMA: &str = "schema/postmortem.schema.json";

/// A compiled front matter schema.
pub struct Schema {
    validator: jsonschema::Validator,
    /// Known top-level keys, for "did you mean" suggestions.
    keys: Vec<String>,
    /// A hash of the schema compiled and of the built-in one it may refer to.
    fingerprint: u128,
}

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Schema").field("keys", &self.keys).finish_non_exhaustive()
    }
}

/// Why the schema could not be built.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct SchemaError {
    /// The schema file.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl Schema {
    /// The built-in schema with `config`'s severities, or the repository's schema at
    /// `root/schema/postmortem.schema.json` when there is one.
    pub fn load(root: &Path, config: &Config) -> Result<Self, SchemaError> {
        let builtin = builtin_with(config);
        let path = root.join(REPO_SCHEMA);
        let err = |message: String| SchemaError { path: REPO_SCHEMA.to_owned(), message };
        let schema = match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str::<Json>(&text)
                .map_err(|e| err(format!("not valid JSON: {e}")))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => builtin.clone(),
            Err(e) => return Err(err(format!("cannot read: {e}"))),
        };
        let registry = jsonschema::Registry::new()
            .add(BUILTIN_ID, builtin.clone())
            .and_then(|r| r.prepare())
            .map_err(|e| err(format!("cannot register the built-in schema: {e}")))?;
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .with_registry(&registry)
            .build(&schema)
            .map_err(|e| err(format!("not a valid JSON Schema: {e}")))?;
        let mut keys: Vec<String> = builtin["properties"]
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        if let Some(own) = schema["properties"].as_object() {
            keys.extend(own.keys().cloned());
        }
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        for part in [&schema, &builtin] {
            let text = part.to_string();
            hasher.update(&(text.len() as u64).to_le_bytes());
            hasher.update(text.as_bytes());
        }
        Ok(Self { validator, keys, fingerprint: hasher.digest128() })
    }

    /// A hash of what the schema says: two schemas with the same fingerprint judge every
    /// front matter alike (what a cache of verdicts is keyed on).
    pub fn fingerprint(&self) -> u128 {
        self.fingerprint
    }

    /// Validates the front matter `root` and turns every error into a located finding.
    pub fn check(&self, root: &Node, front_matter_open: Span) -> Vec<Finding> {
        let json = root.to_json();
        let mut inexact = Vec::new();
        inexact_numbers(root, &mut Vec::new(), &mut inexact);
        let mut findings: Vec<Finding> = self
            .validator
            .iter_errors(&json)
            .filter_map(|error| {
                let segments: Vec<String> =
                    error.instance_path().segments().map(|s| segment(&s)).collect();
                // A number JSON cannot hold reached the validator as null: say what it is.
                if inexact.iter().any(|(path, _)| *path == segments) {
                    return None;
                }
                Some((error, segments))
            })
            .map(|(error, segments)| {
                explain(
                    error.kind(),
                    error.instance(),
                    &segments,
                    root,
                    front_matter_open,
                    &self.keys,
                )
            })
            .collect();
        findings.extend(inexact.into_iter().map(|(_, finding)| finding));
        findings.sort_by(|a, b| (a.span, &a.message).cmp(&(b.span, &b.message)));
        findings.dedup();
        findings
    }
}

/// Every float of `node` that is no usable number — `.nan`, `.inf`, or beyond what a float
/// holds exactly (`users_affected: 99999999999999999999999`) — with its path and a finding.
fn inexact_numbers(node: &Node, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, Finding)>) {
    match &node.value {
        Value::Float(f) if !f.is_finite() || f.abs() > crate::parse::yaml::MAX_EXACT => {
            let here = display_path(path);
            let message = if f.is_nan() {
                format!("`{here}` must be a number, found `.nan` (not a number)")
            } else if f.is_infinite() {
                format!("`{here}` must be a finite number, found infinity")
            } else {
                format!("`{here}` is out of range: numbers here go up to 9007199254740992 (2^53)")
            };
            out.push((path.clone(), Finding::new(node.span, message)));
        }
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                inexact_numbers(item, path, out);
                path.pop();
            }
        }
        Value::Map(entries) => {
            for (key, value) in entries {
                let key = key.key_text().unwrap_or_default();
                // `x-` keys are the user's own data, which pm does not read.
                if key.starts_with("x-") {
                    continue;
                }
                path.push(key);
                inexact_numbers(value, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn segment(s: &LocationSegment<'_>) -> String {
    s.to_string()
}

/// The built-in schema with the configured severities as an enum.
fn builtin_with(config: &Config) -> Json {
    let mut schema: Json = serde_json::from_str(BUILTIN).unwrap_or(Json::Null);
    if let Some(severity) = schema.pointer_mut("/properties/severity") {
        severity["enum"] = Json::from(config.severities.clone());
    }
    schema
}

/// `action_items[1].due` from `["action_items", "1", "due"]`.
fn display_path(segments: &[String]) -> String {
    let mut out = String::new();
    for s in segments {
        if s.parse::<usize>().is_ok() && !out.is_empty() {
            out.push_str(&format!("[{s}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(s);
        }
    }
    out
}

fn describe(value: &Json) -> String {
    match value {
        Json::String(s) => format!("`{s}`"),
        Json::Null => "empty".to_owned(),
        Json::Array(_) => "a list".to_owned(),
        Json::Object(_) => "a mapping".to_owned(),
        other => format!("`{other}`"),
    }
}

fn type_name(kind: &TypeKind) -> String {
    let name = |t: &jsonschema::JsonType| match t.to_string().as_str() {
        "array" => "a list".to_owned(),
        "object" => "a mapping".to_owned(),
        "string" => "a string".to_owned(),
        "integer" => "a whole number".to_owned(),
        "number" => "a number".to_owned(),
        "boolean" => "true or false".to_owned(),
        other => other.to_owned(),
    };
    match kind {
        TypeKind::Single(t) => name(t),
        TypeKind::Multiple(set) => set.iter().map(|t| name(&t)).collect::<Vec<_>>().join(" or "),
    }
}

fn explain(
    kind: &ValidationErrorKind,
    instance: &Json,
    segments: &[String],
    root: &Node,
    open: Span,
    keys: &[String],
) -> Finding {
    let here = display_path(segments);
    let (node, key) = root.walk(segments).unwrap_or((root, None));
    // Point at the key that holds the bad value; a value without a key (a list item) at itself.
    let at = key.map_or(if segments.is_empty() { open } else { node.span }, |k| k.span);
    match kind {
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            let span = if segments.is_empty() { open } else { at };
            let whose = if segments.is_empty() { String::new() } else { format!(" in `{here}`") };
            Finding::new(span, format!("missing required key `{name}`{whose}"))
                .help(required_help(name))
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let name = unexpected.first().cloned().unwrap_or_default();
            let mut path = segments.to_vec();
            path.push(name.clone());
            let span = root.walk(&path).and_then(|(_, k)| k).map_or(at, |k| k.span);
            let whose = if segments.is_empty() { String::new() } else { format!(" in `{here}`") };
            let finding = Finding::new(span, format!("unknown key `{name}`{whose}"));
            let candidates: Vec<&str> = if segments.is_empty() {
                keys.iter().map(String::as_str).collect()
            } else if segments.first().map(String::as_str) == Some("action_items") {
                ["id", "title", "owner", "due", "status", "ticket", "priority", "type", "closed_on"]
                    .to_vec()
            } else {
                Vec::new()
            };
            match crate::diagnostic::did_you_mean(&name, &candidates) {
                Some(best) => finding.help(format!(
                    "did you mean `{best}`? (keys starting with `x-` are free for your own use)"
                )),
                None => finding.help("remove it, or prefix it with `x-` to keep your own data"),
            }
        }
        ValidationErrorKind::Type { kind } => Finding::new(
            at,
            format!("`{here}` must be {}, found {}", type_name(kind), describe_node(node)),
        ),
        ValidationErrorKind::Enum { options } => {
            let list: Vec<String> = options
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                .unwrap_or_default();
            let f = Finding::new(
                at,
                format!("`{here}` is {}, not one of: {}", describe(instance), list.join(", ")),
            );
            match instance.as_str() {
                Some("yes" | "no" | "on" | "off" | "y" | "n") => f.help("YAML 1.2 reads this as a string, not a boolean; write one of the allowed values"),
                _ => f,
            }
        }
        ValidationErrorKind::Constant { expected_value } => {
            Finding::new(at, format!("`{here}` must be {expected_value}"))
        }
        ValidationErrorKind::Format { format } => {
            let (what, example) = match format.as_str() {
                "date" => ("a valid date (YYYY-MM-DD)", "2026-03-02"),
                "date-time" => ("an RFC 3339 date-time with an offset", "2026-03-02T14:05:00Z"),
                other => (other, ""),
            };
            let f = Finding::new(
                at,
                format!("`{here}` is {}, which is not {what}", describe(instance)),
            );
            if example.is_empty() { f } else { f.help(format!("write it like `{example}`")) }
        }
        ValidationErrorKind::MinItems { limit } => {
            let help = if here == "action_items" {
                "a published postmortem needs at least one action item: what will keep this from happening again?"
            } else {
                "add at least one entry"
            };
            Finding::new(
                at,
                format!(
                    "`{here}` needs at least {}",
                    plural(usize::try_from(*limit).unwrap_or(usize::MAX), "item", "items")
                ),
            )
            .help(help)
        }
        ValidationErrorKind::MaxItems { limit } => Finding::new(
            at,
            format!(
                "`{here}` has {} items, more than {limit}",
                instance.as_array().map_or(0, Vec::len)
            ),
        )
        .help(format!(
            "the site and the metrics use the first {limit} distinct values; keep the ones that \
             matter to this incident"
        )),
        ValidationErrorKind::MinLength { .. } => {
            Finding::new(at, format!("`{here}` must not be empty"))
        }
        ValidationErrorKind::Minimum { limit } => {
            Finding::new(at, format!("`{here}` must be at least {limit}"))
        }
        ValidationErrorKind::Pattern { pattern } => Finding::new(
            at,
            format!(
                "`{here}` is {}, which does not match the pattern `{pattern}`",
                describe(instance)
            ),
        )
        .help(pattern_help(segments)),
        ValidationErrorKind::UniqueItems => {
            Finding::new(at, format!("`{here}` lists the same value more than once"))
        }
        other => Finding::new(at, format!("`{here}`: {}", other_message(other, instance))),
    }
}

fn other_message(kind: &ValidationErrorKind, instance: &Json) -> String {
    format!("{} does not satisfy the schema ({})", describe(instance), kind.keyword())
}

fn describe_node(node: &Node) -> String {
    match node.as_str() {
        Some(s) => format!("the string `{s}`"),
        None => match node.type_name() {
            "list" => "a list".into(),
            "mapping" => "a mapping".into(),
            "null" => "nothing".into(),
            other => format!("a {other}"),
        },
    }
}

fn pattern_help(segments: &[String]) -> &'static str {
    match segments.last().map(String::as_str) {
        Some("id") => "ids use letters, digits, `.`, `_` and `-`, like `INC-2026-0042`",
        Some("owner") => "people are handles without spaces, as listed under [teams] in pm.toml",
        _ => "slugs are lowercase letters, digits, `.`, `_` and `-`, like `checkout-api`",
    }
}

fn required_help(name: &str) -> String {
    match name {
        "detected_at" | "resolved_at" => format!(
            "`{name}` is required once a postmortem leaves draft: write it as an RFC 3339 date-time, like `2026-03-02T14:05:00Z`"
        ),
        "published_on" => {
            "a published postmortem records the date it was published: `published_on: 2026-03-09`"
                .into()
        }
        "action_items" => "a published postmortem needs at least one action item".into(),
        "closed_on" => {
            "a done or won't-do action item records when it was closed: `closed_on: 2026-03-20`"
                .into()
        }
        _ => format!("add `{name}:` to the front matter"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml;

    #[test]
    fn the_builtin_id_is_the_schema_s_own() {
        let schema: serde_json::Value = serde_json::from_str(BUILTIN).expect("json");
        assert_eq!(schema["$id"], BUILTIN_ID);
    }

    /// What the model reads a missing action-item status as is what the schema says it is.
    #[test]
    fn missing_item_status_is_the_schema_default() {
        let schema: serde_json::Value = serde_json::from_str(BUILTIN).expect("builtin is JSON");
        let status = &schema["$defs"]["action_item"]["properties"]["status"];
        assert_eq!(status["default"], crate::model::ItemStatus::MISSING.as_str());
        let required = schema["$defs"]["action_item"]["required"].as_array().expect("required");
        assert!(required.iter().any(|r| r == "status"), "a missing status is a schema error");
    }

    fn findings(yaml_text: &str) -> Vec<(String, String)> {
        let schema =
            Schema::load(Path::new("/nonexistent"), &Config::default()).expect("builtin compiles");
        let root = yaml::load(yaml_text, 0).expect("yaml").root;
        schema
            .check(&root, Span::new(0, 0))
            .into_iter()
            .map(|f| (yaml_text[f.span.start..f.span.end].to_owned(), f.message))
            .collect()
    }

    const VALID: &str = "id: INC-1\ntitle: T\nstatus: draft\nseverity: SEV2\nowner: jdoe\nteam: payments\nservices: [api]\nstarted_at: 2026-01-01T10:00:00+01:00\ndue: 2026-01-08\n";

    #[test]
    fn valid_front_matter_passes() {
        assert_eq!(findings(VALID), Vec::<(String, String)>::new());
    }

    #[test]
    fn errors_point_at_keys_with_plain_messages() {
        let text = VALID
            .replace("due: 2026-01-08", "due: 2026-02-30")
            .replace("severity: SEV2", "severity: on")
            + "resovled_at: x\n";
        let got = findings(&text);
        assert!(
            got.contains(&(
                "due".into(),
                "`due` is `2026-02-30`, which is not a valid date (YYYY-MM-DD)".into()
            )),
            "{got:?}"
        );
        assert!(
            got.contains(&(
                "severity".into(),
                "`severity` is `on`, not one of: SEV1, SEV2, SEV3, SEV4".into()
            )),
            "{got:?}"
        );
        assert!(
            got.contains(&("resovled_at".into(), "unknown key `resovled_at`".into())),
            "{got:?}"
        );
    }

    #[test]
    fn conditional_requirements() {
        let text = VALID.replace("status: draft", "status: published");
        let got: Vec<String> = findings(&text).into_iter().map(|(_, m)| m).collect();
        for key in ["detected_at", "resolved_at", "published_on", "action_items"] {
            assert!(got.contains(&format!("missing required key `{key}`")), "{key}: {got:?}");
        }
    }
}
