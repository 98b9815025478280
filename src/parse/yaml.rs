//! A YAML 1.2 loader that keeps a byte span on every node.
//!
//! Built on `saphyr-parser`'s event stream rather than a ready-made tree so that we control what
//! hostile input can do: aliases are expanded against a node budget (no billion laughs), nesting
//! is capped (no stack overflow later, when the tree is walked recursively), and duplicate keys
//! are reported instead of silently overwritten. Plain scalars are resolved with the YAML 1.2 core
//! schema, so `no` and `on` stay strings and `0x1F` is an integer, as a 1.2 reader must.

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YamlSpan};

use crate::source::Span;

/// Deepest nesting of sequences and mappings accepted.
pub const MAX_DEPTH: usize = 64;
/// Most nodes one document may expand to, counting every node an alias copies.
pub const MAX_NODES: usize = 100_000;

/// A YAML node with the byte span it was written at.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What the node holds.
    pub value: Value,
    /// Where it was written (for an alias: where the alias was written).
    pub span: Span,
}

/// The largest number a float holds exactly (2^53): a float beyond it (`1e30`, an integer
/// too large for 64 bits) is not the number that was written.
pub const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

/// The value of a node, after core-schema resolution.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer that fits in 64 bits.
    Int(i64),
    /// A float, including integers too large for `i64`.
    Float(f64),
    /// Any other scalar.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in source order; keys are unique (duplicates are reported and dropped).
    Map(Vec<(Node, Node)>),
}

/// A key written twice in one mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// The key as text.
    pub key: String,
    /// Its first occurrence (the one that is kept).
    pub first: Span,
    /// The repeated occurrence.
    pub duplicate: Span,
}

/// A successfully loaded YAML tree (named apart from `repo::Document`, a whole file).
#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    /// The root node.
    pub root: Node,
    /// Keys written more than once.
    pub duplicates: Vec<DuplicateKey>,
}

/// Why a document could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct LoadError {
    /// What went wrong, in words.
    pub message: String,
    /// Where.
    pub span: Span,
    /// The document is valid YAML but exceeds a safety limit (size, nesting), rather than
    /// being malformed.
    pub limit: bool,
}

/// Every name [`Node::type_name`] gives, so a name stored as text can be had back as the
/// same `&'static str`.
pub const TYPE_NAMES: [&str; 6] = ["null", "boolean", "number", "string", "list", "mapping"];

impl Node {
    /// The value under `key` if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node and value under `key`.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k.is_key(key)).map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    /// Whether this scalar, used as a mapping key, is `key` (without allocating for the usual
    /// string keys: lookups run for every field of every document).
    pub fn is_key(&self, key: &str) -> bool {
        match &self.value {
            Value::Str(s) => s == key,
            Value::Seq(_) | Value::Map(_) => false,
            _ => self.key_text().as_deref() == Some(key),
        }
    }

    /// The string if this is a string scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The items if this is a sequence.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The entries if this is a mapping.
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// A scalar as it would be used as a mapping key; `None` for collections.
    pub fn key_text(&self) -> Option<String> {
        match &self.value {
            Value::Null => Some("null".into()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Str(s) => Some(s.clone()),
            Value::Seq(_) | Value::Map(_) => None,
        }
    }

    /// A short name of the node's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Value::Null => TYPE_NAMES[0],
            Value::Bool(_) => TYPE_NAMES[1],
            Value::Int(_) | Value::Float(_) => TYPE_NAMES[2],
            Value::Str(_) => TYPE_NAMES[3],
            Value::Seq(_) => TYPE_NAMES[4],
            Value::Map(_) => TYPE_NAMES[5],
        }
    }

    /// The node as JSON, for schema validation. Depth is bounded by the loader, so the recursion
    /// is too.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| {
                        (k.key_text().unwrap_or_else(|| "<complex key>".into()), v.to_json())
                    })
                    .collect(),
            ),
        }
    }

    /// Follows JSON-pointer-like `segments` (keys and indices). Returns the node reached and,
    /// when the last step was a mapping key, the key node (diagnostics point at keys).
    pub fn walk<'a, S: AsRef<str>>(
        &'a self,
        segments: &[S],
    ) -> Option<(&'a Node, Option<&'a Node>)> {
        let mut node = self;
        let mut key = None;
        for segment in segments {
            let segment = segment.as_ref();
            match &node.value {
                Value::Map(_) => {
                    let (k, v) = node.entry(segment)?;
                    key = Some(k);
                    node = v;
                }
                Value::Seq(items) => {
                    node = items.get(segment.parse::<usize>().ok()?)?;
                    key = None;
                }
                _ => return None,
            }
        }
        Some((node, key))
    }

    fn count(&self) -> usize {
        1 + match &self.value {
            Value::Seq(items) => items.iter().map(Node::count).sum(),
            Value::Map(entries) => entries.iter().map(|(k, v)| k.count() + v.count()).sum(),
            _ => 0,
        }
    }
}

/// Loads the single YAML document in `text`, whose first byte is at `base` in the file.
///
/// An empty document loads as a `Null` root.
pub fn load(text: &str, base: usize) -> Result<Tree, LoadError> {
    Loader::new(text, base).run()
}

enum Frame {
    Seq { items: Vec<Node>, start: Span, anchor: usize },
    Map { entries: Vec<(Node, Node)>, key: Option<Node>, start: Span, anchor: usize },
}

struct Loader<'a> {
    text: &'a str,
    base: usize,
    /// Byte offset of each character, when the text is not ASCII (saphyr counts characters).
    char_offsets: Option<Vec<usize>>,
    anchors: Vec<(usize, Node)>,
    stack: Vec<Frame>,
    nodes: usize,
    duplicates: Vec<DuplicateKey>,
    root: Option<Node>,
}

impl<'a> Loader<'a> {
    fn new(text: &'a str, base: usize) -> Self {
        let char_offsets = (!text.is_ascii()).then(|| {
            let mut v: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            v.push(text.len());
            v
        });
        Self {
            text,
            base,
            char_offsets,
            anchors: Vec::new(),
            stack: Vec::new(),
            nodes: 0,
            duplicates: Vec::new(),
            root: None,
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        let local = match &self.char_offsets {
            Some(table) => table.get(char_index).copied().unwrap_or(self.text.len()),
            None => char_index.min(self.text.len()),
        };
        self.base + local
    }

    fn span(&self, span: YamlSpan) -> Span {
        Span::new(self.byte(span.start.index()), self.byte(span.end.index()))
    }

    fn error(&self, message: impl Into<String>, span: Span) -> LoadError {
        LoadError { message: message.into(), span, limit: false }
    }

    fn limit(&self, message: impl Into<String>, span: Span) -> LoadError {
        LoadError { message: message.into(), span, limit: true }
    }

    fn run(mut self) -> Result<Tree, LoadError> {
        let mut parser = Parser::new_from_str(self.text);
        let mut documents = 0;
        while let Some(next) = parser.next_event() {
            let (event, yspan) = next.map_err(|e| {
                let at = self.byte(e.marker().index());
                let info = e.info();
                // saphyr's own guard against deep flow nesting is a limit, not a typo.
                if info.contains("recursion limit") {
                    self.limit(
                        format!("the front matter nests too deeply ({info})"),
                        Span::point(at),
                    )
                } else {
                    self.error(format!("YAML syntax error: {info}"), Span::point(at))
                }
            })?;
            let span = self.span(yspan);
            match event {
                Event::DocumentStart(_) => {
                    documents += 1;
                    if documents > 1 {
                        return Err(
                            self.error("the front matter holds more than one YAML document", span)
                        );
                    }
                }
                Event::Scalar(text, style, anchor, tag) => {
                    let value = resolve(&text, style, tag.as_deref().map(|t| t.suffix.as_str()));
                    let node = Node { value, span };
                    self.remember(anchor, &node);
                    self.push(node)?;
                }
                Event::SequenceStart(anchor, _) => {
                    self.open(span)?;
                    self.stack.push(Frame::Seq { items: Vec::new(), start: span, anchor });
                }
                Event::MappingStart(anchor, _) => {
                    self.open(span)?;
                    self.stack.push(Frame::Map {
                        entries: Vec::new(),
                        key: None,
                        start: span,
                        anchor,
                    });
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let node = match self.stack.pop() {
                        Some(Frame::Seq { items, start, anchor }) => {
                            // End at the last item: the end event lies at the next token.
                            let end = items.last().map_or(span, |n| n.span);
                            let node = Node { value: Value::Seq(items), span: start.cover(end) };
                            self.remember(anchor, &node);
                            node
                        }
                        Some(Frame::Map { entries, start, anchor, .. }) => {
                            let end = entries.last().map_or(span, |(_, v)| v.span);
                            let node = Node { value: Value::Map(entries), span: start.cover(end) };
                            self.remember(anchor, &node);
                            node
                        }
                        None => return Err(self.error("unbalanced YAML collection", span)),
                    };
                    self.push(node)?;
                }
                Event::Alias(id) => {
                    let Some(target) =
                        self.anchors.iter().rev().find(|(a, _)| *a == id).map(|(_, n)| n)
                    else {
                        return Err(self.error("an alias refers to an unknown anchor", span));
                    };
                    let size = target.count();
                    self.nodes += size;
                    if self.nodes > MAX_NODES {
                        return Err(self.limit(
                            format!(
                                "aliases expand the front matter to more than {MAX_NODES} nodes"
                            ),
                            span,
                        ));
                    }
                    let mut copy = target.clone();
                    copy.span = span;
                    self.nodes -= 1; // `push` counts the copied root again
                    self.push(copy)?;
                }
                Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
            }
        }
        let root =
            self.root.take().unwrap_or(Node { value: Value::Null, span: Span::point(self.base) });
        Ok(Tree { root, duplicates: self.duplicates })
    }

    fn open(&mut self, span: Span) -> Result<(), LoadError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(
                self.limit(format!("the front matter nests deeper than {MAX_DEPTH} levels"), span)
            );
        }
        Ok(())
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor != 0 {
            self.anchors.push((anchor, node.clone()));
        }
    }

    fn push(&mut self, node: Node) -> Result<(), LoadError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(
                self.limit(format!("the front matter has more than {MAX_NODES} nodes"), node.span)
            );
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    let text = k.key_text();
                    let first =
                        text.as_ref().and_then(|t| entries.iter().find(|(e, _)| e.is_key(t)));
                    match (first, text) {
                        (Some((first, _)), Some(text)) => self.duplicates.push(DuplicateKey {
                            key: text,
                            first: first.span,
                            duplicate: k.span,
                        }),
                        _ => entries.push((k, node)),
                    }
                }
            },
        }
        Ok(())
    }
}

/// YAML 1.2 core schema resolution of one scalar.
fn resolve(text: &str, style: ScalarStyle, tag: Option<&str>) -> Value {
    match tag {
        Some("str") => return Value::Str(text.to_owned()),
        Some("int" | "float" | "bool" | "null") => {}
        Some(_) | None if style != ScalarStyle::Plain => return Value::Str(text.to_owned()),
        _ => {}
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    if let Some(hex) = text.strip_prefix("0x") {
        if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return i64::from_str_radix(hex, 16)
                .map_or_else(|_| Value::Str(text.to_owned()), Value::Int);
        }
    }
    if let Some(oct) = text.strip_prefix("0o") {
        if !oct.is_empty() && oct.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
            return i64::from_str_radix(oct, 8)
                .map_or_else(|_| Value::Str(text.to_owned()), Value::Int);
        }
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse::<i64>().map_or_else(|_| parse_float(text), Value::Int);
    }
    if is_core_float(digits) {
        return parse_float(text);
    }
    Value::Str(text.to_owned())
}

fn parse_float(text: &str) -> Value {
    text.parse::<f64>().map_or_else(|_| Value::Str(text.to_owned()), Value::Float)
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` without the sign.
fn is_core_float(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            (int.bytes().all(|b| b.is_ascii_digit()) && frac.bytes().all(|b| b.is_ascii_digit()))
                && (!int.is_empty() || !frac.is_empty())
                && !(int.is_empty() && frac.is_empty())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exponent_ok && (mantissa.contains('.') || exponent.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        load(text, 0).expect("loads").root
    }

    #[test]
    fn resolves_yaml_1_2_core_schema() {
        let r =
            root("a: no\nb: on\nc: 0x1F\nd: 2026-01-02\ne: '12'\nf: 1.5\ng: ~\nh: TRUE\ni: 1e3\n");
        assert_eq!(r.get("a").and_then(Node::as_str), Some("no"));
        assert_eq!(r.get("b").and_then(Node::as_str), Some("on"));
        assert_eq!(r.get("c").map(|n| &n.value), Some(&Value::Int(31)));
        assert_eq!(r.get("d").and_then(Node::as_str), Some("2026-01-02"));
        assert_eq!(r.get("e").and_then(Node::as_str), Some("12"));
        assert_eq!(r.get("f").map(|n| &n.value), Some(&Value::Float(1.5)));
        assert_eq!(r.get("g").map(|n| &n.value), Some(&Value::Null));
        assert_eq!(r.get("h").map(|n| &n.value), Some(&Value::Bool(true)));
        assert_eq!(r.get("i").map(|n| &n.value), Some(&Value::Float(1000.0)));
    }

    #[test]
    fn spans_are_bytes_even_after_multibyte_text() {
        let text = "t: \"héllo\"\nid: X\n";
        let r = root(text);
        let (key, value) = r.entry("id").expect("id");
        assert_eq!(&text[key.span.start..key.span.end], "id");
        assert_eq!(&text[value.span.start..value.span.end], "X");
    }

    #[test]
    fn duplicate_keys_are_reported_and_first_kept() {
        let doc = load("a: 1\nb: 2\na: 3\n", 0).expect("loads");
        assert_eq!(doc.duplicates.len(), 1);
        assert_eq!(doc.duplicates[0].key, "a");
        assert_eq!(doc.root.get("a").map(|n| &n.value), Some(&Value::Int(1)));
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9u8 {
            let prev = (b'a' + i) as char;
            let next = (b'b' + i) as char;
            text.push_str(&format!("{next}: &{next} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let err = load(&text, 0).expect_err("bomb");
        assert!(err.message.contains("aliases expand"), "{}", err.message);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("a: {}{}", "[".repeat(10_000), "]".repeat(10_000));
        // saphyr's own recursion limit stops flow nesting before our cap does.
        let err = load(&text, 0).expect_err("too deep");
        assert!(
            err.message.contains("recursion limit") || err.message.contains("nests deeper"),
            "{}",
            err.message
        );
        let block: String = (0..100).map(|i| format!("{}k{i}:\n", "  ".repeat(i))).collect();
        let err = load(&block, 0).expect_err("too deep");
        assert!(err.message.contains("nests deeper than 64"), "{}", err.message);
    }

    #[test]
    fn walk_finds_keys_and_items() {
        let r = root("items:\n  - title: a\n  - title: b\n");
        let (node, key) = r.walk(&["items", "1", "title"]).expect("found");
        assert_eq!(node.as_str(), Some("b"));
        assert_eq!(key.and_then(Node::as_str), Some("title"));
    }
}
