//! Writing values into front matter: plain when YAML reads the text back unchanged, double-quoted
//! otherwise.
//!
//! A title is user input that lands in YAML. `Checkout: 5xx #2` written plain would be read back
//! as a mapping or cut at the comment, and `"true"` or `2026` would change type. Rather than
//! list YAML's rules, a candidate plain scalar is parsed with the same loader `pm check` uses and
//! kept only when it reads back as the identical string; everything else is written as a JSON
//! string, which is a valid YAML double-quoted scalar.

use serde_json::Value as Json;

use crate::parse::yaml::{self, Value};

/// `text` as a YAML scalar in block context (`key: <here>`).
pub fn scalar(text: &str) -> String {
    if reads_back(text, false) { text.to_owned() } else { quoted(text) }
}

/// `items` as a YAML flow sequence (`[a, b]`).
pub fn flow_seq<S: AsRef<str>>(items: &[S]) -> String {
    let items: Vec<String> = items.iter().map(|s| flow_scalar(s.as_ref())).collect();
    format!("[{}]", items.join(", "))
}

/// Any template value as YAML: strings as [`scalar`], lists as flow sequences, mappings as flow
/// mappings, numbers, booleans and null as themselves.
pub fn value(value: &Json) -> String {
    match value {
        Json::String(s) => scalar(s),
        other => flow(other),
    }
}

fn flow(value: &Json) -> String {
    match value {
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => flow_scalar(s),
        Json::Array(items) => {
            format!("[{}]", items.iter().map(flow).collect::<Vec<_>>().join(", "))
        }
        Json::Object(entries) => {
            let entries: Vec<String> =
                entries.iter().map(|(k, v)| format!("{}: {}", flow_scalar(k), flow(v))).collect();
            format!("{{{}}}", entries.join(", "))
        }
    }
}

fn flow_scalar(text: &str) -> String {
    if reads_back(text, true) { text.to_owned() } else { quoted(text) }
}

fn quoted(text: &str) -> String {
    // A JSON string is a YAML double-quoted scalar; serializing a `str` cannot fail.
    serde_json::to_string(text).unwrap_or_else(|_| format!("\"{}\"", text.escape_default()))
}

/// Whether `text` written plain reads back as exactly this string.
fn reads_back(text: &str, in_flow: bool) -> bool {
    if text.is_empty()
        || text.trim() != text
        || text.chars().any(char::is_control)
        || (in_flow && text.contains([',', '[', ']', '{', '}']))
    {
        return false;
    }
    let doc = if in_flow { format!("k: [{text}]\n") } else { format!("k: {text}\n") };
    let Ok(loaded) = yaml::load(&doc, 0) else { return false };
    let Some([(_, node)]) = loaded.root.as_map() else { return false };
    let node = if in_flow {
        match node.as_seq() {
            Some([item]) => item,
            _ => return false,
        }
    } else {
        node
    };
    matches!(&node.value, Value::Str(s) if s == text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every rendering must load back to the original value.
    fn round_trip(text: &str) {
        for doc in [format!("k: {}\n", scalar(text)), format!("k: {}\n", flow_seq(&[text]))] {
            let loaded = yaml::load(&doc, 0).unwrap_or_else(|e| panic!("{doc:?}: {e}"));
            let node = loaded.root.get("k").expect("key");
            let node = node.as_seq().map_or(node, |s| &s[0]);
            assert_eq!(node.value, Value::Str(text.to_owned()), "{doc:?}");
        }
    }

    #[test]
    fn plain_when_safe() {
        assert_eq!(scalar("Checkout returned 5xx"), "Checkout returned 5xx");
        assert_eq!(scalar("2026-03-02T14:05:00+01:00"), "2026-03-02T14:05:00+01:00");
        assert_eq!(scalar("INC-2026-0042"), "INC-2026-0042");
        assert_eq!(flow_seq(&["checkout-api", "orders-db"]), "[checkout-api, orders-db]");
    }

    #[test]
    fn quoted_when_yaml_would_misread() {
        assert_eq!(scalar("true"), "\"true\"");
        assert_eq!(scalar("2026"), "\"2026\"");
        assert_eq!(scalar("Checkout: 5xx"), "\"Checkout: 5xx\"");
        assert_eq!(scalar("a #comment"), "\"a #comment\"");
        assert_eq!(scalar("- list"), "\"- list\"");
        assert_eq!(flow_seq(&["a, b"]), "[\"a, b\"]");
    }

    #[test]
    fn hostile_values_round_trip() {
        for text in [
            "true",
            "null",
            "~",
            "0x1F",
            "1e3",
            ".inf",
            "Checkout: 5xx",
            "a #b",
            "#x",
            "- a",
            "? q",
            "&anchor",
            "*alias",
            "!tag",
            "|",
            ">",
            "'single'",
            "\"double\"",
            "%x",
            "@x",
            "`x`",
            "x\n---\ny",
            "tab\there",
            " lead",
            "trail ",
            "[flow]",
            "{map}",
            "a, b",
            "line\u{2028}sep",
            "ünïcödé",
            "{{ title }}",
            "x: y: z",
            "---",
            "...",
        ] {
            round_trip(text);
        }
    }

    #[test]
    fn other_values() {
        let v = serde_json::json!({"a": [1, "x y", true], "b": null});
        assert_eq!(value(&v), "{a: [1, x y, true], b: null}");
    }
}
