//! Changes to a file's YAML front matter that leave every other byte as it was.
//!
//! `pm sync --write` sets an action item's `status`, `closed_on` or `ticket` in files people
//! wrote by hand. Loading the YAML and writing it out again would throw away their comments, key
//! order, quoting, blank lines and line endings, so the changes are made to the text instead: the
//! addressed value is found by its byte span, written back in the style the old value had, and a
//! new entry goes into its mapping in that mapping's own layout (a line in a block mapping,
//! `, key: value` in a flow one). Nothing else is touched.
//!
//! Two readers meet here: the loader ([`yaml::load`]) decides what a path means (which key
//! matches, which duplicate wins), and saphyr's event stream, read again, tells what the loader
//! forgets (quoting style, anchors, aliases, tags, where a flow mapping opens and closes). Ends
//! saphyr gets wrong are measured here: its span of a quoted scalar or a closing bracket runs on
//! over a trailing comment, a block scalar's over the next line's indentation.
//!
//! What an edit cannot do faithfully is refused rather than guessed: anchors and aliases on the
//! path (one edit would change several values), tags and block scalars on the value, values with
//! line breaks or control characters. Whatever is done is then checked: [`apply`] reloads the new
//! front matter and compares it with the old one with the changes applied as values, and returns
//! an error rather than text when the two differ. "Changes only what it means to change" is
//! verified on every call, not hoped for.

use std::collections::HashSet;

use saphyr_parser::{Event, Parser, ScalarStyle};

use crate::parse::front_matter::{self, SplitError};
use crate::parse::yaml::{self, LoadError, Node, Value};
use crate::source::Span;

/// One step of a path into the front matter: a mapping key or a sequence index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// The value under this key of a mapping.
    Key(&'a str),
    /// The item at this 0-based index of a sequence.
    Index(usize),
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change<'a> {
    /// Sets the scalar at `path` to the string `value`, inserting the last key into its mapping
    /// when absent. Every step before the last must exist.
    Set {
        /// Where the scalar is (or goes).
        path: Vec<Step<'a>>,
        /// The new value, one line without control characters.
        value: String,
    },
    /// Removes the key (the last step) and its value from its mapping; nothing when absent.
    Remove {
        /// The key to remove, with the path to its mapping.
        path: Vec<Step<'a>>,
    },
}

impl Change<'_> {
    /// The path the change addresses.
    pub fn path(&self) -> &[Step<'_>] {
        match self {
            Change::Set { path, .. } | Change::Remove { path } => path,
        }
    }

    fn verb(&self) -> &'static str {
        match self {
            Change::Set { .. } => "set",
            Change::Remove { .. } => "remove",
        }
    }
}

/// Why [`apply`] returned no text. Nothing was changed in any case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// The file has no front matter.
    #[error("the file has no front matter to edit: {0}")]
    NoFrontMatter(SplitError),
    /// The front matter is not YAML the loader accepts.
    #[error("the front matter does not load: {}", .0.message)]
    Load(LoadError),
    /// One change cannot be made faithfully.
    #[error("cannot {verb} `{path}`: {reason}")]
    Refused {
        /// `set` or `remove`.
        verb: &'static str,
        /// The change's path, as `action_items[2].status`.
        path: String,
        /// Why.
        reason: Refusal,
    },
    /// Two changes address the same value, or one lies inside the other.
    #[error("the changes to `{first}` and `{second}` overlap")]
    Overlap {
        /// The earlier change's path.
        first: String,
        /// The later change's path.
        second: String,
    },
    /// The edited text would not read as the changes say: an unusual layout this editor does not
    /// handle. The message names where the two readings part.
    #[error("the edit would not read back as intended ({detail}); nothing was changed")]
    Unfaithful {
        /// Where and how the reloaded front matter differs.
        detail: String,
    },
}

/// Why one change was refused. `at` names the node at fault (a prefix of the change's path, or
/// the path itself), written like the path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The path has no steps.
    #[error("the path is empty")]
    EmptyPath,
    /// `Remove` addresses a list item; only keys are removed.
    #[error("only a mapping key can be removed, not a list item")]
    RemoveIndex,
    /// A step of the path does not exist.
    #[error("`{at}` does not exist")]
    Missing {
        /// The first missing node.
        at: String,
    },
    /// A node on the path is not what the next step needs (or the value is not a scalar).
    #[error("`{at}` is {found}, not a {expected}")]
    WrongType {
        /// The node.
        at: String,
        /// What it is (`a list`, `null`, …).
        found: String,
        /// What the step needs.
        expected: &'static str,
    },
    /// An alias on the path: the text at the alias is not the value it stands for.
    #[error("`{at}` is an alias (`*name`); editing through it would change what it refers to")]
    Alias {
        /// The alias.
        at: String,
    },
    /// An anchored node on the path: aliases elsewhere would change with it.
    #[error("`{at}` has an anchor (`&name`); aliases of it would change too")]
    Anchored {
        /// The anchored node.
        at: String,
    },
    /// A tagged value: the new string may not be what the tag asks for.
    #[error("`{at}` has a tag (`!…`)")]
    Tagged {
        /// The value.
        at: String,
    },
    /// A `|` or `>` block scalar: its lines and indentation are the author's layout.
    #[error("`{at}` is a block scalar (`|` or `>`)")]
    BlockScalar {
        /// The value.
        at: String,
    },
    /// An empty list item (`-` and nothing): there is no place for a value on its line that is
    /// sure to belong to it.
    #[error("`{at}` is an empty list item")]
    EmptyItem {
        /// The item.
        at: String,
    },
    /// The value or a key to insert holds a line break or another control character.
    #[error("the new {what} holds a line break or another control character")]
    BadText {
        /// `value` or `key`.
        what: &'static str,
    },
    /// Removing the only entry of a block mapping would leave null, not an empty mapping.
    #[error("`{at}` is the only entry of its mapping")]
    OnlyEntry {
        /// The entry.
        at: String,
    },
    /// The bytes of a node could not be found (a layout this editor does not know).
    #[error("could not find where `{at}` is written")]
    Unlocated {
        /// The node.
        at: String,
    },
}

/// Applies every change to the whole file `text` (front matter and body, with or without a UTF-8
/// BOM, LF or CRLF) and returns the new text. Changes are independent of their order, except that
/// keys inserted into one mapping go in the order given. The caller writes the file.
pub fn apply(text: &str, changes: &[Change<'_>]) -> Result<String, EditError> {
    // Spans count from after the BOM (`repo` strips it); it goes back on the result untouched.
    let (bom, text) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    };
    let split = front_matter::split(text).map_err(EditError::NoFrontMatter)?;
    let yaml_text = &text[split.yaml.start..split.yaml.end];
    let tree = yaml::load(yaml_text, split.yaml.start).map_err(EditError::Load)?;
    let shape = Shape::read(text, split.yaml).map_err(EditError::Load)?;
    independent(changes)?;

    let doc = Doc { text, yaml: split.yaml };
    let mut edits = Vec::new();
    let mut opened = HashSet::new();
    for (i, change) in changes.iter().enumerate() {
        let edit = doc.plan(&tree.root, &shape, change, &mut opened).map_err(|reason| {
            EditError::Refused { verb: change.verb(), path: label(change.path()), reason }
        })?;
        edits.extend(edit.map(|e| (e, i)));
    }

    // Sorted by position and spliced in one forward pass: every span still refers to the
    // original text, and inserts at one place keep the order of their changes (stable sort).
    edits.sort_by_key(|(e, _)| (e.start, e.end));
    let mut out = String::with_capacity(bom.len() + text.len() + 64);
    out.push_str(bom);
    let mut done = 0;
    let mut last: Option<usize> = None;
    for (edit, i) in &edits {
        if edit.start < done {
            let first = last.map_or_else(String::new, |j| label(changes[j].path()));
            return Err(EditError::Overlap { first, second: label(changes[*i].path()) });
        }
        out.push_str(&text[done..edit.start]);
        out.push_str(&edit.text);
        done = edit.end;
        last = Some(*i);
    }
    out.push_str(&text[done..]);

    let mut expected = tree.root.clone();
    for change in changes {
        expect(&mut expected, change);
    }
    verify(&out[bom.len()..], text, &split, &tree, &expected)?;
    Ok(out)
}

/// Refuses two changes of which one addresses the other's node or something inside it: their
/// edits would overlap, or the second would undo the first.
fn independent(changes: &[Change<'_>]) -> Result<(), EditError> {
    for (i, a) in changes.iter().enumerate() {
        for b in &changes[i + 1..] {
            let (pa, pb) = (a.path(), b.path());
            let n = pa.len().min(pb.len());
            if pa[..n] == pb[..n] {
                return Err(EditError::Overlap { first: label(pa), second: label(pb) });
            }
        }
    }
    Ok(())
}

/// The new front matter must split the same way, keep the body, load, and equal the old tree
/// with the changes applied as values.
fn verify(
    out: &str,
    text: &str,
    split: &front_matter::Split,
    tree: &yaml::Tree,
    expected: &Node,
) -> Result<(), EditError> {
    let unfaithful = |detail: String| EditError::Unfaithful { detail };
    let new = front_matter::split(out)
        .map_err(|e| unfaithful(format!("the front matter would no longer split: {e}")))?;
    if out[new.body.start..] != text[split.body.start..] {
        return Err(unfaithful("the body would change".into()));
    }
    let reloaded = yaml::load(&out[new.yaml.start..new.yaml.end], new.yaml.start)
        .map_err(|e| unfaithful(format!("it would not load: {}", e.message)))?;
    if let Some(at) = difference(expected, &reloaded.root, &mut String::new()) {
        return Err(unfaithful(format!("`{at}` would read differently")));
    }
    let keys = |t: &yaml::Tree| t.duplicates.iter().map(|d| d.key.clone()).collect::<Vec<_>>();
    if keys(tree) != keys(&reloaded) {
        return Err(unfaithful("the duplicate keys would change".into()));
    }
    Ok(())
}

/// Applies `change` to the loaded tree, as a value: what the edited text must load as.
fn expect(root: &mut Node, change: &Change<'_>) -> Option<()> {
    let (last, prefix) = change.path().split_last()?;
    let mut node = root;
    for step in prefix {
        node = match (step, &mut node.value) {
            (Step::Key(k), Value::Map(entries)) => {
                &mut entries.iter_mut().find(|(e, _)| e.is_key(k))?.1
            }
            (Step::Index(i), Value::Seq(items)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    let string = |s: &str| Node { value: Value::Str(s.to_owned()), span: Span::default() };
    match (change, last, &mut node.value) {
        (Change::Set { value, .. }, Step::Key(k), Value::Map(entries)) => {
            match entries.iter_mut().find(|(e, _)| e.is_key(k)) {
                Some((_, v)) => v.value = Value::Str(value.clone()),
                None => entries.push((string(k), string(value))),
            }
        }
        (Change::Set { value, .. }, Step::Index(i), Value::Seq(items)) => {
            items.get_mut(*i)?.value = Value::Str(value.clone());
        }
        (Change::Remove { .. }, Step::Key(k), Value::Map(entries)) => {
            let i = entries.iter().position(|(e, _)| e.is_key(k))?;
            entries.remove(i);
        }
        _ => {}
    }
    Some(())
}

/// Where `a` and `b` first differ as values (spans ignored), written like a path.
fn difference(a: &Node, b: &Node, at: &mut String) -> Option<String> {
    let here = |at: &String| if at.is_empty() { "(root)".to_owned() } else { at.clone() };
    match (&a.value, &b.value) {
        (Value::Map(x), Value::Map(y)) => {
            for i in 0..x.len().max(y.len()) {
                let len = at.len();
                let key = x.get(i).or(y.get(i)).and_then(|(k, _)| k.key_text()).unwrap_or_default();
                push_key(at, &key);
                let found = match (x.get(i), y.get(i)) {
                    (Some((ka, va)), Some((kb, vb))) => {
                        if same(ka, kb) {
                            difference(va, vb, at)
                        } else {
                            Some(here(at))
                        }
                    }
                    _ => Some(here(at)),
                };
                if found.is_some() {
                    return found;
                }
                at.truncate(len);
            }
            None
        }
        (Value::Seq(x), Value::Seq(y)) => {
            for i in 0..x.len().max(y.len()) {
                let len = at.len();
                push_index(at, i);
                let found = match (x.get(i), y.get(i)) {
                    (Some(va), Some(vb)) => difference(va, vb, at),
                    _ => Some(here(at)),
                };
                if found.is_some() {
                    return found;
                }
                at.truncate(len);
            }
            None
        }
        _ => (!same(a, b)).then(|| here(at)),
    }
}

/// Structural equality of two nodes, spans ignored (NaN equals NaN: the value was not edited).
fn same(a: &Node, b: &Node) -> bool {
    match (&a.value, &b.value) {
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits() || x == y,
        (Value::Seq(x), Value::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter().zip(y).all(|((ka, va), (kb, vb))| same(ka, kb) && same(va, vb))
        }
        (x, y) => x == y,
    }
}

/// A path as people write it: `action_items[2].status`; keys that would read ambiguously there
/// are quoted: `labels["a.b"]`.
fn label(path: &[Step<'_>]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) => push_key(&mut out, k),
            Step::Index(i) => push_index(&mut out, *i),
        }
    }
    if out.is_empty() { "(root)".to_owned() } else { out }
}

fn push_key(out: &mut String, key: &str) {
    let simple = !key.is_empty()
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'));
    if !simple {
        out.push_str(&format!("[{key:?}]"));
        return;
    }
    if !out.is_empty() {
        out.push('.');
    }
    out.push_str(key);
}

fn push_index(out: &mut String, index: usize) {
    out.push_str(&format!("[{index}]"));
}

// ---------------------------------------------------------------------------------------------
// What saphyr's events tell and the loaded tree does not.

/// A node's layout: where its text is and how it is written.
#[derive(Debug)]
struct Shape {
    /// First byte (of its anchor or tag, when it has one).
    start: usize,
    /// One past its last byte, spaces and comments after it excluded (a block scalar ends after
    /// its last line break). For an empty scalar, no position to rely on: see [`entry_end`].
    end: usize,
    anchor: bool,
    tag: bool,
    /// Inside a flow collection, where `,[]{}` end a plain scalar.
    in_flow: bool,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Scalar {
        style: ScalarStyle,
        /// Plain and nothing written (`key:`): a null whose span saphyr places loosely.
        empty: bool,
    },
    Alias,
    Seq {
        items: Vec<Shape>,
    },
    Map {
        flow: bool,
        /// Just after `{` (flow mappings).
        open: usize,
        entries: Vec<(Shape, Shape)>,
    },
}

/// A collection whose end event has not come yet.
struct Open {
    map: bool,
    flow: bool,
    start: usize,
    open: usize,
    anchor: bool,
    tag: bool,
    in_flow: bool,
    children: Vec<Shape>,
}

impl Shape {
    /// Reads the layout of the front matter `text[yaml]` (positions in `text`).
    fn read(text: &str, yaml: Span) -> Result<Shape, LoadError> {
        let src = &text[yaml.start..yaml.end];
        // saphyr counts characters; spans are bytes.
        let table = (!src.is_ascii()).then(|| {
            let mut v: Vec<usize> = src.char_indices().map(|(i, _)| i).collect();
            v.push(src.len());
            v
        });
        let byte = |i: usize| {
            yaml.start
                + match &table {
                    Some(t) => t.get(i).copied().unwrap_or(src.len()),
                    None => i.min(src.len()),
                }
        };
        let failed =
            |message: String, at: usize| LoadError { message, span: Span::point(at), limit: false };
        let mut stack: Vec<Open> = Vec::new();
        let mut root = None;
        let mut parser = Parser::new_from_str(src);
        while let Some(next) = parser.next_event() {
            let (event, span) = next.map_err(|e| {
                failed(format!("YAML syntax error: {}", e.info()), byte(e.marker().index()))
            })?;
            let (start, end) = (byte(span.start.index()), byte(span.end.index()));
            let in_flow = stack.last().is_some_and(|o| o.flow || o.in_flow);
            let shape = match event {
                Event::Scalar(value, style, anchor, tag) => {
                    let end = match style {
                        ScalarStyle::SingleQuoted => quoted_end(text, start, b'\''),
                        ScalarStyle::DoubleQuoted => quoted_end(text, start, b'"'),
                        // saphyr's span runs on over the next line's indentation.
                        ScalarStyle::Literal | ScalarStyle::Folded => {
                            Some(text[start..end].rfind('\n').map_or(end, |i| start + i + 1))
                        }
                        ScalarStyle::Plain => Some(end),
                    }
                    .ok_or_else(|| failed("unterminated quoted scalar".into(), start))?;
                    let empty = style == ScalarStyle::Plain && value.is_empty();
                    let (anchor, tag) = (anchor != 0, tag.is_some());
                    Shape { start, end, anchor, tag, in_flow, kind: Kind::Scalar { style, empty } }
                }
                Event::Alias(_) => {
                    Shape { start, end, anchor: false, tag: false, in_flow, kind: Kind::Alias }
                }
                Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                    let map = matches!(event, Event::MappingStart(..));
                    // The start event spans the node's properties and, in flow style, the bracket.
                    let bracket = text[start..end].rfind(if map { '{' } else { '[' });
                    stack.push(Open {
                        map,
                        flow: bracket.is_some(),
                        start,
                        open: bracket.map_or(start, |i| start + i + 1),
                        anchor: anchor != 0,
                        tag: tag.is_some(),
                        in_flow,
                        children: Vec::new(),
                    });
                    continue;
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let open =
                        stack.pop().ok_or_else(|| failed("unbalanced collection".into(), start))?;
                    // The span of a closing bracket runs on over a trailing comment.
                    let bracket = matches!(text.as_bytes().get(start), Some(b']' | b'}'));
                    open.close(text, if bracket { start + 1 } else { end })
                }
                _ => continue,
            };
            match stack.last_mut() {
                Some(open) => open.children.push(shape),
                None => root = Some(shape),
            }
        }
        Ok(root.unwrap_or(Shape {
            start: yaml.start,
            end: yaml.start,
            anchor: false,
            tag: false,
            in_flow: false,
            kind: Kind::Scalar { style: ScalarStyle::Plain, empty: true },
        }))
    }

    fn is_empty_scalar(&self) -> bool {
        matches!(self.kind, Kind::Scalar { empty: true, .. })
    }
}

impl Open {
    /// The finished collection; `end` is one past its closing bracket in flow style.
    fn close(self, text: &str, end: usize) -> Shape {
        let (kind, last_end) = if self.map {
            let mut entries = Vec::with_capacity(self.children.len() / 2);
            let mut children = self.children.into_iter();
            while let (Some(k), Some(v)) = (children.next(), children.next()) {
                entries.push((k, v));
            }
            let last_end = entries.last().map(|(k, v)| entry_end(text, k, v));
            (Kind::Map { flow: self.flow, open: self.open, entries }, last_end)
        } else {
            let last_end = self.children.last().map(|s| s.end);
            (Kind::Seq { items: self.children }, last_end)
        };
        // A block collection ends with its last node; its end event lies at the next token.
        let end = if self.flow { end } else { last_end.unwrap_or(self.start) };
        Shape {
            start: self.start,
            end,
            anchor: self.anchor,
            tag: self.tag,
            in_flow: self.in_flow,
            kind,
        }
    }
}

/// Where a mapping entry's text ends: its value's end, or for `key:` with nothing after it, just
/// after the colon (or after the key, in a flow mapping's `{key}`).
fn entry_end(text: &str, key: &Shape, value: &Shape) -> usize {
    if value.is_empty_scalar() { after_colon(text, key.end).unwrap_or(key.end) } else { value.end }
}

/// The offset just after the `:` that follows a key ending at `key_end`, if one follows.
fn after_colon(text: &str, key_end: usize) -> Option<usize> {
    let rest = &text[key_end..];
    let gap = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    rest[gap..].starts_with(':').then_some(key_end + gap + 1)
}

/// One past the closing quote of the quoted scalar whose properties or opening quote start at
/// `start`.
fn quoted_end(text: &str, start: usize, quote: u8) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = start + bytes[start..].iter().position(|&b| b == quote)? + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b if b == quote => {
                if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                    i += 2;
                } else {
                    return Some(i + 1);
                }
            }
            _ => i += 1,
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Planning: from a change to the bytes it replaces.

/// Replace `start..end` of the original text with `text` (an insert when the range is empty).
#[derive(Debug)]
struct Edit {
    start: usize,
    end: usize,
    text: String,
}

impl Edit {
    fn new(start: usize, end: usize, text: impl Into<String>) -> Self {
        Self { start, end, text: text.into() }
    }
}

struct Doc<'t> {
    text: &'t str,
    yaml: Span,
}

impl Doc<'_> {
    /// The edit for one change, `None` when there is nothing to do. `opened` holds the empty flow
    /// mappings an earlier change already inserted into (the next entry needs a comma).
    fn plan(
        &self,
        root: &Node,
        shape: &Shape,
        change: &Change<'_>,
        opened: &mut HashSet<usize>,
    ) -> Result<Option<Edit>, Refusal> {
        let path = change.path();
        let (last, prefix) = path.split_last().ok_or(Refusal::EmptyPath)?;
        if let Change::Set { value, .. } = change {
            check_text(value, "value")?;
        }
        let (node, shape) = walk(root, shape, prefix)?;
        let at = label(path);
        let parent = label(prefix);
        match (change, *last) {
            (Change::Set { value, .. }, step @ Step::Key(key)) => {
                match child(node, shape, step, &parent)? {
                    Some((_, v, i)) => {
                        let Kind::Map { entries, .. } = &shape.kind else {
                            return Err(Refusal::Unlocated { at });
                        };
                        self.replace(v, Some(&entries[i].0), value, &at).map(Some)
                    }
                    None => {
                        check_text(key, "key")?;
                        self.insert(shape, key, value, opened, &at).map(Some)
                    }
                }
            }
            (Change::Set { value, .. }, step @ Step::Index(_)) => {
                let (_, item, _) = child(node, shape, step, &parent)?
                    .ok_or(Refusal::Missing { at: at.clone() })?;
                self.replace(item, None, value, &at).map(Some)
            }
            (Change::Remove { .. }, step @ Step::Key(_)) => {
                match child(node, shape, step, &parent)? {
                    Some((_, _, i)) => self.remove(shape, i, &at).map(Some),
                    None => Ok(None),
                }
            }
            (Change::Remove { .. }, Step::Index(_)) => Err(Refusal::RemoveIndex),
        }
    }

    /// Rewrites scalar `value` in place, in its own quoting style when the new text allows it.
    fn replace(
        &self,
        value: &Shape,
        key: Option<&Shape>,
        new: &str,
        at: &str,
    ) -> Result<Edit, Refusal> {
        guard(value, at)?;
        let at = || at.to_owned();
        let style = match &value.kind {
            Kind::Scalar { empty: true, .. } => {
                // Nothing written to replace: the value goes after the key's colon.
                let key = key.ok_or_else(|| Refusal::EmptyItem { at: at() })?;
                let fresh = fresh(new, value.in_flow);
                return Ok(match after_colon(self.text, key.end) {
                    Some(p) => Edit::new(p, p, format!(" {fresh}")),
                    None => Edit::new(key.end, key.end, format!(": {fresh}")),
                });
            }
            Kind::Scalar { style, .. } => *style,
            Kind::Seq { .. } => return Err(wrong_type(at(), "a list", "scalar")),
            Kind::Map { .. } => return Err(wrong_type(at(), "a mapping", "scalar")),
            Kind::Alias => return Err(Refusal::Alias { at: at() }),
        };
        if value.tag {
            return Err(Refusal::Tagged { at: at() });
        }
        let text = match style {
            ScalarStyle::Literal | ScalarStyle::Folded => {
                return Err(Refusal::BlockScalar { at: at() });
            }
            ScalarStyle::Plain => fresh(new, value.in_flow),
            ScalarStyle::SingleQuoted if !new.chars().any(needs_escape) => single_quoted(new),
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => double_quoted(new),
        };
        Ok(Edit::new(value.start, value.end, text))
    }

    /// Adds `key: value` as the last entry of `map`.
    fn insert(
        &self,
        map: &Shape,
        key: &str,
        value: &str,
        opened: &mut HashSet<usize>,
        at: &str,
    ) -> Result<Edit, Refusal> {
        let Kind::Map { flow, open, entries } = &map.kind else {
            return Err(Refusal::Unlocated { at: at.to_owned() });
        };
        let entry = format!("{}: {}", fresh(key, *flow), fresh(value, *flow));
        if *flow {
            return Ok(match entries.last() {
                Some((k, v)) => {
                    let end = entry_end(self.text, k, v);
                    Edit::new(end, end, format!(", {entry}"))
                }
                None if opened.insert(*open) => Edit::new(*open, *open, entry),
                None => Edit::new(*open, *open, format!(", {entry}")),
            });
        }
        let (k, v) = entries.last().ok_or_else(|| Refusal::Unlocated { at: at.to_owned() })?;
        // After the last entry's whole value and whatever follows it on its last line.
        let end = self.line_after(entry_end(self.text, k, v).saturating_sub(1));
        let indent = self.sibling_indent(entries);
        Ok(if self.text[..end].ends_with('\n') {
            let newline = if self.text[..end].ends_with("\r\n") { "\r\n" } else { "\n" };
            Edit::new(end, end, format!("{indent}{entry}{newline}"))
        } else {
            Edit::new(end, end, format!("{}{indent}{entry}", self.newline()))
        })
    }

    /// Deletes entry `index` of `map`: whole lines in block style, the entry and one comma in
    /// flow style.
    fn remove(&self, map: &Shape, index: usize, at: &str) -> Result<Edit, Refusal> {
        let Kind::Map { flow, entries, .. } = &map.kind else {
            return Err(Refusal::Unlocated { at: at.to_owned() });
        };
        let (k, v) = &entries[index];
        guard(k, at)?;
        guard(v, at)?;
        let end = entry_end(self.text, k, v);
        if *flow {
            if entries.len() == 1 {
                return Ok(Edit::new(k.start, end, ""));
            }
            if let Some((pk, pv)) = index.checked_sub(1).and_then(|p| entries.get(p)) {
                if index + 1 == entries.len() {
                    // The last entry takes the comma before it.
                    return Ok(Edit::new(entry_end(self.text, pk, pv), end, ""));
                }
            }
            let comma =
                self.comma_after(end).ok_or_else(|| Refusal::Unlocated { at: at.to_owned() })?;
            let rest = &self.text[comma + 1..];
            let spaces = rest.len() - rest.trim_start_matches([' ', '\t']).len();
            // Spaces before a comment stay: `{# c` would not be a comment.
            let stop = if rest[spaces..].starts_with('#') { comma + 1 } else { comma + 1 + spaces };
            return Ok(Edit::new(k.start, stop, ""));
        }
        if entries.len() == 1 {
            return Err(Refusal::OnlyEntry { at: at.to_owned() });
        }
        let line = self.line_start(k.start);
        if self.text[line..k.start].bytes().all(|b| b == b' ') {
            return Ok(Edit::new(line, self.line_after(end.saturating_sub(1)), ""));
        }
        // The first key of a `- key: value` item: the next key moves up behind the `- `.
        match entries.get(index + 1) {
            Some((next, _)) => Ok(Edit::new(k.start, next.start, "")),
            None => Err(Refusal::Unlocated { at: at.to_owned() }),
        }
    }

    fn line_start(&self, at: usize) -> usize {
        self.text[..at].rfind('\n').map_or(0, |i| i + 1)
    }

    /// The start of the line after the one holding byte `at` (the front matter's end at most).
    fn line_after(&self, at: usize) -> usize {
        let at = at.max(self.yaml.start);
        memchr::memchr(b'\n', &self.text.as_bytes()[at..self.yaml.end])
            .map_or(self.yaml.end, |i| at + i + 1)
    }

    /// The file's line ending, as the opening fence has it.
    fn newline(&self) -> &'static str {
        if self.text[..self.yaml.start].ends_with("\r\n") { "\r\n" } else { "\n" }
    }

    /// The indentation of a block mapping's keys: a later key's own, or for one written after
    /// `- ` alone, as many spaces as the first key's column.
    fn sibling_indent(&self, entries: &[(Shape, Shape)]) -> String {
        for (k, _) in entries {
            let prefix = &self.text[self.line_start(k.start)..k.start];
            if prefix.bytes().all(|b| b == b' ') {
                return prefix.to_owned();
            }
        }
        let first = entries.first().map_or(0, |(k, _)| k.start);
        " ".repeat(self.text[self.line_start(first)..first].chars().count())
    }

    /// The comma after offset `from` in a flow collection, past spaces, line breaks and comments.
    fn comma_after(&self, from: usize) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let mut i = from;
        while i < self.yaml.end {
            match bytes[i] {
                b' ' | b'\t' | b'\r' | b'\n' => i += 1,
                b'#' => i = self.line_after(i),
                b',' => return Some(i),
                _ => return None,
            }
        }
        None
    }
}

/// Follows `path` in the tree and the layout together, refusing aliases and anchors on the way.
fn walk<'n>(
    root: &'n Node,
    shape: &'n Shape,
    path: &[Step<'_>],
) -> Result<(&'n Node, &'n Shape), Refusal> {
    let (mut node, mut shape) = (root, shape);
    guard(shape, &label(&[]))?;
    for (i, step) in path.iter().enumerate() {
        let at = label(&path[..=i]);
        (node, shape, _) = child(node, shape, *step, &label(&path[..i]))?
            .ok_or_else(|| Refusal::Missing { at: at.clone() })?;
        guard(shape, &at)?;
    }
    Ok((node, shape))
}

/// The child `step` names, with its layout and its index among the layout's entries; `None` when
/// absent. The loader decides which key matches; the layout entry is the one written there.
fn child<'n>(
    node: &'n Node,
    shape: &'n Shape,
    step: Step<'_>,
    at: &str,
) -> Result<Option<(&'n Node, &'n Shape, usize)>, Refusal> {
    let unlocated = || Refusal::Unlocated { at: at.to_owned() };
    match step {
        Step::Key(key) => {
            let entries = node.as_map().ok_or_else(|| found(node, at, "mapping"))?;
            let Kind::Map { entries: layout, .. } = &shape.kind else { return Err(unlocated()) };
            let Some((k, v)) = entries.iter().find(|(k, _)| k.is_key(key)) else {
                return Ok(None);
            };
            let i =
                layout.iter().position(|(s, _)| s.start == k.span.start).ok_or_else(unlocated)?;
            Ok(Some((v, &layout[i].1, i)))
        }
        Step::Index(index) => {
            let items = node.as_seq().ok_or_else(|| found(node, at, "list"))?;
            let Kind::Seq { items: layout } = &shape.kind else { return Err(unlocated()) };
            match items.get(index) {
                Some(item) => Ok(Some((item, layout.get(index).ok_or_else(unlocated)?, index))),
                None => Ok(None),
            }
        }
    }
}

fn found(node: &Node, at: &str, expected: &'static str) -> Refusal {
    let name = node.type_name();
    let found = if name == "null" { "null".to_owned() } else { format!("a {name}") };
    wrong_type(at.to_owned(), &found, expected)
}

fn wrong_type(at: String, found: &str, expected: &'static str) -> Refusal {
    Refusal::WrongType { at, found: found.to_owned(), expected }
}

/// Aliases and anchors make one text stand for several values; editing there is refused.
fn guard(shape: &Shape, at: &str) -> Result<(), Refusal> {
    if matches!(shape.kind, Kind::Alias) {
        return Err(Refusal::Alias { at: at.to_owned() });
    }
    if shape.anchor {
        return Err(Refusal::Anchored { at: at.to_owned() });
    }
    Ok(())
}

fn check_text(text: &str, what: &'static str) -> Result<(), Refusal> {
    if text.chars().any(char::is_control) {
        return Err(Refusal::BadText { what });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Writing scalars.

/// A new scalar with no style to keep: plain when that reads back as the same string, else
/// double-quoted.
fn fresh(value: &str, in_flow: bool) -> String {
    if plain_ok(value, in_flow) { value.to_owned() } else { double_quoted(value) }
}

/// Whether `value` written plain reads back as the string `value` (YAML 1.2 core schema), in
/// block or flow context. Errs towards quoting.
fn plain_ok(value: &str, in_flow: bool) -> bool {
    let (Some(first), Some(last)) = (value.chars().next(), value.chars().last()) else {
        return false;
    };
    !first.is_whitespace()
        && !last.is_whitespace()
        && !"-?:,[]{}#&*!|>'\"%@`".contains(first)
        && !value.contains(": ")
        && !value.contains(" #")
        && !value.ends_with(':')
        && !(in_flow && value.contains([',', '[', ']', '{', '}', ':']))
        && !value.chars().any(|c| c.is_control() || needs_escape(c))
        && !is_yaml_1_1_bool(value)
        // What remains to rule out is what the core schema resolves: `true`, `null`, `1.5`,
        // `0x1F`. The loader is the one definition of that.
        && yaml::load(value, 0).is_ok_and(|t| t.root.value == Value::Str(value.to_owned()))
}

/// YAML 1.1 booleans: strings to us, `true`/`false` to a 1.1 reader (PyYAML, many editors and
/// linters) that may read the same file, so a new value like `yes` is written quoted.
fn is_yaml_1_1_bool(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "y" | "yes" | "n" | "no" | "on" | "off" | "true" | "false"
    )
}

/// Characters a plain or single-quoted scalar should not hold raw: line and paragraph
/// separators, the BOM, non-characters.
fn needs_escape(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}')
}

fn single_quoted(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

fn double_quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if needs_escape(c) => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set<'a>(path: &[Step<'a>], value: &str) -> Change<'a> {
        Change::Set { path: path.to_vec(), value: value.to_owned() }
    }

    fn remove<'a>(path: &[Step<'a>]) -> Change<'a> {
        Change::Remove { path: path.to_vec() }
    }

    /// `action_items[i].key`.
    fn item(i: usize, key: &str) -> Vec<Step<'_>> {
        vec![Step::Key("action_items"), Step::Index(i), Step::Key(key)]
    }

    /// Applies `changes` to `before` and expects `after`, byte for byte.
    #[track_caller]
    fn edits(before: &str, changes: &[Change<'_>], after: &str) {
        match apply(before, changes) {
            Ok(text) => assert_eq!(text, after),
            Err(e) => panic!("refused: {e}"),
        }
    }

    #[track_caller]
    fn refused(before: &str, changes: &[Change<'_>]) -> EditError {
        apply(before, changes).expect_err("refused")
    }

    const ITEMS: &str = "\
---
id: INC-1  # the id
action_items:
  - title: Fix it
    status: open    # plain
    owner: 'ops'
    ticket: \"PAY-1\"  # double
---
# Body
";

    #[test]
    fn replaces_values_in_their_own_style() {
        edits(
            ITEMS,
            &[
                set(&item(0, "status"), "done"),
                set(&item(0, "owner"), "it's us"),
                set(&item(0, "ticket"), "say \"hi\" \\o/"),
            ],
            "\
---
id: INC-1  # the id
action_items:
  - title: Fix it
    status: done    # plain
    owner: 'it''s us'
    ticket: \"say \\\"hi\\\" \\\\o/\"  # double
---
# Body
",
        );
    }

    #[test]
    fn plain_stays_plain_only_when_it_reads_back_as_the_string() {
        let plain = |value: &str| {
            let text = "---\na: x  # c\n---\n";
            let out = apply(text, &[set(&[Step::Key("a")], value)]).expect("applies");
            out.strip_prefix("---\na: ")
                .and_then(|s| s.strip_suffix("  # c\n---\n"))
                .map(str::to_owned)
        };
        for value in
            ["done", "2026-12-01", "acme/api#12", "PAY-123", "a, b", "é 日本", "x:y", "a\\b"]
        {
            assert_eq!(plain(value).as_deref(), Some(value), "{value}");
        }
        let quoted = [
            ("yes", r#""yes""#),
            ("true", r#""true""#),
            ("null", r#""null""#),
            ("~", r#""~""#),
            ("1.5", r#""1.5""#),
            ("12", r#""12""#),
            ("0x1F", r#""0x1F""#),
            (": x", r#"": x""#),
            ("#x", r##""#x""##),
            ("*x", r#""*x""#),
            ("&x", r#""&x""#),
            ("!x", r#""!x""#),
            ("|x", r#""|x""#),
            (">x", r#"">x""#),
            ("%x", r#""%x""#),
            ("@x", r#""@x""#),
            ("`x", r#""`x""#),
            ("'x", r#""'x""#),
            ("\"x", r#""\"x""#),
            ("- x", r#""- x""#),
            ("a: b", r#""a: b""#),
            ("a #b", r##""a #b""##),
            ("x:", r#""x:""#),
            ("trail ", r#""trail ""#),
            (" lead", r#"" lead""#),
            ("", r#""""#),
        ];
        for (value, written) in quoted {
            assert_eq!(plain(value).as_deref(), Some(written), "{value:?}");
        }
    }

    #[test]
    fn quoted_styles_escape_what_they_must() {
        let text = "---\na: 'x'\nb: \"x\"\n---\n";
        edits(
            text,
            &[set(&[Step::Key("a")], "it's \"q\""), set(&[Step::Key("b")], "it's \"q\"")],
            "---\na: 'it''s \"q\"'\nb: \"it's \\\"q\\\"\"\n---\n",
        );
        // A line separator cannot go raw into single quotes: the value moves to double quotes.
        edits(
            text,
            &[set(&[Step::Key("a")], "a\u{2028}b")],
            "---\na: \"a\\u2028b\"\nb: \"x\"\n---\n",
        );
    }

    #[test]
    fn multi_line_and_empty_values_are_replaced_whole() {
        edits(
            "---\na: one\n  two  # c\nb: \"x\n  y\"\nc:\nd:   # later\n---\n",
            &[
                set(&[Step::Key("a")], "1-2"),
                set(&[Step::Key("b")], "z"),
                set(&[Step::Key("c")], "v"),
                set(&[Step::Key("d")], "2026-12-01"),
            ],
            "---\na: 1-2  # c\nb: \"z\"\nc: v\nd: 2026-12-01   # later\n---\n",
        );
    }

    #[test]
    fn inserts_after_the_last_entry_of_a_sequence_item() {
        // Last entry plain.
        edits(
            "---\naction_items:\n  - title: x\n    status: open\n  - title: y\n---\n",
            &[set(&item(0, "closed_on"), "2026-12-01")],
            "---\naction_items:\n  - title: x\n    status: open\n    closed_on: 2026-12-01\n  - title: y\n---\n",
        );
        // Only entry, written after `- `: the column of `title`.
        edits(
            "---\naction_items:\n-   title: x\n---\n",
            &[set(&item(0, "status"), "done")],
            "---\naction_items:\n-   title: x\n    status: done\n---\n",
        );
        // Last entry a nested mapping.
        edits(
            "---\naction_items:\n  - title: x\n    links:\n      runbook: r\n      pr: p\n  - title: y\n---\n",
            &[set(&item(0, "status"), "done")],
            "---\naction_items:\n  - title: x\n    links:\n      runbook: r\n      pr: p\n    status: done\n  - title: y\n---\n",
        );
        // Last entry with a trailing comment, then a comment line and a blank line.
        edits(
            "---\naction_items:\n  - title: x\n    status: open  # was blocked\n    # next one\n\n  - title: y\n---\n",
            &[set(&item(0, "ticket"), "PAY-9")],
            "---\naction_items:\n  - title: x\n    status: open  # was blocked\n    ticket: PAY-9\n    # next one\n\n  - title: y\n---\n",
        );
        // Last entry a quoted value with a comment after it.
        edits(
            "---\naction_items:\n  - title: 'x'  # t\n  - title: y\n---\n",
            &[set(&item(0, "status"), "done")],
            "---\naction_items:\n  - title: 'x'  # t\n    status: done\n  - title: y\n---\n",
        );
        // Last entry a block scalar (its span runs on over the next item's indentation).
        edits(
            "---\naction_items:\n  - title: x\n    notes: |\n      line one\n      line two\n  - title: y\n---\n",
            &[set(&item(0, "status"), "done")],
            "---\naction_items:\n  - title: x\n    notes: |\n      line one\n      line two\n    status: done\n  - title: y\n---\n",
        );
        // A kept (`|+`) block scalar keeps its trailing blank line: the entry goes after it.
        edits(
            "---\naction_items:\n  - notes: |+\n      kept\n\n  - title: y\n---\n",
            &[set(&item(0, "status"), "done")],
            "---\naction_items:\n  - notes: |+\n      kept\n\n    status: done\n  - title: y\n---\n",
        );
        // Last entry a flow sequence spread over lines, and a new key that needs quotes.
        edits(
            "---\nitems:\n  - tags: [a,\n      b]  # c\n---\n",
            &[set(&[Step::Key("items"), Step::Index(0), Step::Key("a: b")], "v")],
            "---\nitems:\n  - tags: [a,\n      b]  # c\n    \"a: b\": v\n---\n",
        );
    }

    #[test]
    fn inserts_into_flow_mappings() {
        edits(
            "---\naction_items:\n  - {title: x, status: open}  # c\n  - {}\n  - { }\n---\n",
            &[
                set(&item(0, "ticket"), "acme/api#12"),
                set(&item(0, "closed_on"), "a, b"),
                set(&item(1, "status"), "done"),
                set(&item(1, "owner"), "me"),
                set(&item(2, "status"), "done"),
            ],
            "---\naction_items:\n  - {title: x, status: open, ticket: acme/api#12, closed_on: \"a, b\"}  # c\n  \
             - {status: done, owner: me}\n  - {status: done }\n---\n",
        );
        // A trailing comma stays where it was.
        edits(
            "---\na: {x: 1,}\n---\n",
            &[set(&[Step::Key("a"), Step::Key("k")], "v")],
            "---\na: {x: 1, k: v,}\n---\n",
        );
        // New keys and values are quoted like new values anywhere: `y` is a YAML 1.1 boolean,
        // `4` a number.
        edits(
            "---\na: {x: 1}\n---\n",
            &[set(&[Step::Key("a"), Step::Key("y")], "4")],
            "---\na: {x: 1, \"y\": \"4\"}\n---\n",
        );
    }

    #[test]
    fn removes_whole_lines_from_block_mappings() {
        let text = "---\naction_items:\n  - title: x  # t\n    ticket: PAY-1  # remove me\n    status: open\n---\n";
        edits(
            text,
            &[remove(&item(0, "ticket"))],
            "---\naction_items:\n  - title: x  # t\n    status: open\n---\n",
        );
        edits(
            text,
            &[remove(&item(0, "status"))],
            "---\naction_items:\n  - title: x  # t\n    ticket: PAY-1  # remove me\n---\n",
        );
        // The first key of an item: the next one moves up behind the `- `.
        edits(
            text,
            &[remove(&item(0, "title"))],
            "---\naction_items:\n  - ticket: PAY-1  # remove me\n    status: open\n---\n",
        );
        // A value over several lines goes with its key; an absent key is nothing to do.
        edits(
            "---\na: 1\nb: |\n  text\nc:\n  d: 2\ne: 3\n---\n",
            &[remove(&[Step::Key("b")]), remove(&[Step::Key("c")]), remove(&[Step::Key("zz")])],
            "---\na: 1\ne: 3\n---\n",
        );
    }

    #[test]
    fn removes_an_entry_and_one_comma_from_flow_mappings() {
        let text = "---\na: {x: 1, y: 2, z: 3}\n---\n";
        let key = |k| vec![Step::Key("a"), Step::Key(k)];
        edits(text, &[remove(&key("x"))], "---\na: {y: 2, z: 3}\n---\n");
        edits(text, &[remove(&key("y"))], "---\na: {x: 1, z: 3}\n---\n");
        edits(text, &[remove(&key("z"))], "---\na: {x: 1, y: 2}\n---\n");
        edits("---\na: { x: 1 }\n---\n", &[remove(&key("x"))], "---\na: {  }\n---\n");
        edits(
            "---\na: {x: 1, # c\n  y: 2}\n---\n",
            &[remove(&key("x"))],
            "---\na: { # c\n  y: 2}\n---\n",
        );
        // Removing the last entry and adding another keeps the one comma.
        edits(
            text,
            &[remove(&key("z")), set(&key("w"), "four")],
            "---\na: {x: 1, y: 2, w: four}\n---\n",
        );
    }

    #[test]
    fn keeps_crlf_bom_and_the_dots_fence() {
        edits(
            "---\r\naction_items:\r\n  - title: x\r\n    status: open\r\n---\r\nBody\r\n",
            &[set(&item(0, "status"), "done"), set(&item(0, "closed_on"), "2026-12-01")],
            "---\r\naction_items:\r\n  - title: x\r\n    status: done\r\n    closed_on: 2026-12-01\r\n---\r\nBody\r\n",
        );
        edits(
            "---\r\na: 1\r\nb: 2  # c\r\n---\r\n",
            &[remove(&[Step::Key("a")]), set(&[Step::Key("c")], "three")],
            "---\r\nb: 2  # c\r\nc: three\r\n---\r\n",
        );
        edits(
            "\u{feff}---\na: 'x'\n---\nBody\n",
            &[set(&[Step::Key("a")], "z"), set(&[Step::Key("b")], "w")],
            "\u{feff}---\na: 'z'\nb: w\n---\nBody\n",
        );
        // `split` also closes front matter with `...`.
        edits("---\na: x\n...\n---\n", &[set(&[Step::Key("a")], "z")], "---\na: z\n...\n---\n");
    }

    #[test]
    fn applies_several_changes_in_one_pass() {
        edits(
            "---\naction_items:\n  - title: a\n    status: open\n  - {title: b, status: open}\n  - title: c\n    status: 'open'\n---\n",
            &[
                set(&item(2, "status"), "done"),
                set(&item(0, "status"), "done"),
                set(&item(2, "closed_on"), "2026-12-01"),
                set(&item(1, "ticket"), "PAY-2"),
                set(&item(0, "closed_on"), "2026-11-30"),
            ],
            "---\naction_items:\n  - title: a\n    status: done\n    closed_on: 2026-11-30\n  \
             - {title: b, status: open, ticket: PAY-2}\n  - title: c\n    status: 'done'\n    closed_on: 2026-12-01\n---\n",
        );
    }

    #[test]
    fn keeps_order_and_writes_the_first_of_duplicate_keys() {
        // The loader keeps the first `status`; so does the edit.
        edits(
            "---\nstatus: a\nother: b\nstatus: c\n---\n",
            &[set(&[Step::Key("status")], "z")],
            "---\nstatus: z\nother: b\nstatus: c\n---\n",
        );
    }

    /// The refusal of `changes` on `text`, checked to name `path` in its message.
    #[track_caller]
    fn refusal(text: &str, changes: &[Change<'_>], path: &str) -> Refusal {
        match refused(text, changes) {
            EditError::Refused { path: p, reason, verb } => {
                assert_eq!(p, path);
                let message =
                    EditError::Refused { verb, path: p, reason: reason.clone() }.to_string();
                assert!(message.contains(&format!("`{path}`")), "{message}");
                reason
            }
            other => panic!("not a refusal: {other}"),
        }
    }

    #[test]
    fn refuses_what_it_cannot_do_faithfully() {
        let status = item(2, "status");
        assert!(matches!(
            refused("# no front matter\n", &[set(&status, "x")]),
            EditError::NoFrontMatter(_)
        ));
        assert!(matches!(refused("---\na: [\n---\n", &[set(&status, "x")]), EditError::Load(_)));

        let items = "---\naction_items:\n  - title: a\n    status: open\n---\n";
        let r = refusal(items, &[set(&status, "x")], "action_items[2].status");
        assert_eq!(r, Refusal::Missing { at: "action_items[2]".into() });
        assert_eq!(
            refused(items, &[set(&status, "x")]).to_string(),
            "cannot set `action_items[2].status`: `action_items[2]` does not exist"
        );
        let r = refusal(items, &[set(&[Step::Key("nope"), Step::Key("x")], "x")], "nope.x");
        assert_eq!(r, Refusal::Missing { at: "nope".into() });
        let r = refusal(
            items,
            &[set(&[Step::Key("action_items"), Step::Key("x")], "x")],
            "action_items.x",
        );
        assert!(
            matches!(r, Refusal::WrongType { ref at, expected: "mapping", .. } if at == "action_items"),
            "{r:?}"
        );
        let r = refusal(
            items,
            &[set(&[Step::Key("action_items"), Step::Index(0)], "x")],
            "action_items[0]",
        );
        assert!(matches!(r, Refusal::WrongType { expected: "scalar", .. }), "{r:?}");
        let r = refusal(items, &[set(&[Step::Key("action_items")], "x")], "action_items");
        assert!(matches!(r, Refusal::WrongType { expected: "scalar", .. }), "{r:?}");
        let r = refusal(
            "---\nitems:\n---\n",
            &[set(&[Step::Key("items"), Step::Index(0)], "x")],
            "items[0]",
        );
        assert_eq!(r.to_string(), "`items` is null, not a list");
        assert_eq!(refusal(items, &[set(&[], "x")], "(root)"), Refusal::EmptyPath);
        assert_eq!(
            refusal(
                items,
                &[remove(&[Step::Key("action_items"), Step::Index(0)])],
                "action_items[0]"
            ),
            Refusal::RemoveIndex
        );

        let anchors = "---\nbase: &b {status: open}\naction_items:\n  - *b\n  - &i\n    status: open\n  - status: &s open\n---\n";
        let r = refusal(anchors, &[set(&item(0, "status"), "done")], "action_items[0].status");
        assert_eq!(r, Refusal::Alias { at: "action_items[0]".into() });
        let r = refusal(anchors, &[set(&item(1, "status"), "done")], "action_items[1].status");
        assert_eq!(r, Refusal::Anchored { at: "action_items[1]".into() });
        let r = refusal(anchors, &[set(&item(2, "status"), "done")], "action_items[2].status");
        assert_eq!(r, Refusal::Anchored { at: "action_items[2].status".into() });
        let r = refusal(anchors, &[set(&[Step::Key("base"), Step::Key("x")], "y")], "base.x");
        assert_eq!(r, Refusal::Anchored { at: "base".into() });

        let odd = "---\na: |\n  text\nb: !!str x\nc: >-\n  folded\nd:\n- \ne: x\n---\n";
        assert_eq!(
            refusal(odd, &[set(&[Step::Key("a")], "y")], "a"),
            Refusal::BlockScalar { at: "a".into() }
        );
        assert_eq!(
            refusal(odd, &[set(&[Step::Key("c")], "y")], "c"),
            Refusal::BlockScalar { at: "c".into() }
        );
        assert_eq!(
            refusal(odd, &[set(&[Step::Key("b")], "y")], "b"),
            Refusal::Tagged { at: "b".into() }
        );
        assert_eq!(
            refusal(odd, &[set(&[Step::Key("d"), Step::Index(0)], "y")], "d[0]"),
            Refusal::EmptyItem { at: "d[0]".into() }
        );
        for bad in ["a\nb", "a\rb", "tab\there", "nul\0", "del\u{7f}", "nel\u{85}"] {
            let r = refusal(odd, &[set(&[Step::Key("e")], bad)], "e");
            assert_eq!(r, Refusal::BadText { what: "value" }, "{bad:?}");
        }
        assert_eq!(
            refusal(odd, &[set(&[Step::Key("new\nkey")], "y")], "[\"new\\nkey\"]"),
            Refusal::BadText { what: "key" }
        );
        assert_eq!(
            refusal("---\na:\n  b: 1\n---\n", &[remove(&[Step::Key("a"), Step::Key("b")])], "a.b"),
            Refusal::OnlyEntry { at: "a.b".into() }
        );
    }

    #[test]
    fn refuses_changes_that_overlap() {
        let text = "---\naction_items:\n  - title: a\n    status: open\n---\n";
        let e = refused(text, &[set(&item(0, "status"), "x"), set(&item(0, "status"), "y")]);
        assert_eq!(
            e,
            EditError::Overlap {
                first: "action_items[0].status".into(),
                second: "action_items[0].status".into()
            }
        );
        assert_eq!(
            e.to_string(),
            "the changes to `action_items[0].status` and `action_items[0].status` overlap"
        );
        let e = refused(
            text,
            &[remove(&item(0, "links")), set(&[Step::Key("action_items"), Step::Index(0)], "y")],
        );
        assert!(matches!(e, EditError::Overlap { .. }), "{e}");
    }

    #[test]
    fn an_edit_that_would_read_differently_is_not_returned() {
        // Removing the only entry of `{x: 1}` then inserting into it: the plan for the insert
        // still sees `x`, so the text would be `{, w: four}`; the self-check stops it.
        let e = refused(
            "---\na: {x: 1}\n---\n",
            &[
                remove(&[Step::Key("a"), Step::Key("x")]),
                set(&[Step::Key("a"), Step::Key("w")], "four"),
            ],
        );
        assert!(matches!(e, EditError::Unfaithful { .. }), "{e}");
    }

    /// Generated front matter: action items in random block or flow style, quoting, comments,
    /// line endings and BOM; a random item and key set to a random value. The generator records
    /// where it wrote every value, so what must stay put is known apart from the code under test.
    mod properties {
        use std::collections::HashMap;

        use proptest::prelude::*;
        use proptest::sample::{Index, select};

        use super::*;

        const KEYS: [&str; 4] = ["status", "owner", "ticket", "closed_on"];

        #[derive(Debug, Clone, Copy, PartialEq)]
        enum Style {
            Plain,
            Single,
            Double,
            Empty,
        }

        #[derive(Debug, Clone)]
        struct Entry {
            key: &'static str,
            value: &'static str,
            style: Style,
            comment: bool,
        }

        /// What follows the entries of a block item: nothing, a block scalar (clip, keep), a
        /// nested mapping, a flow sequence over two lines.
        #[derive(Debug, Clone, Copy)]
        enum Tail {
            None,
            Literal,
            Keep,
            Nested,
            FlowSeq,
        }

        #[derive(Debug, Clone)]
        struct Item {
            flow: bool,
            entries: Vec<Entry>,
            tail: Tail,
            comment: bool,
            blank_after: bool,
        }

        #[derive(Debug, Clone)]
        struct Front {
            crlf: bool,
            bom: bool,
            items: Vec<Item>,
            trailer: bool,
        }

        /// Values a plain scalar can hold in block and flow context alike.
        const PLAIN: [&str; 8] =
            ["open", "done", "2026-12-01", "PAY-1", "yes", "héllo", "acme/api#12", "12"];
        /// Values that need quotes.
        const QUOTED: [&str; 7] = ["it's", "a: b", "x # y", "say \"hi\"", "a, b", "", "{x}"];

        fn entry(key: &'static str) -> impl Strategy<Value = Entry> {
            let values: Vec<&'static str> = PLAIN.iter().chain(&QUOTED).copied().collect();
            (select(values), 0..4u8, any::<bool>()).prop_map(move |(value, style, comment)| {
                let style = match style {
                    0 if PLAIN.contains(&value) => Style::Plain,
                    0 | 1 => Style::Single,
                    2 => Style::Double,
                    _ => Style::Empty,
                };
                Entry { key, value, style, comment }
            })
        }

        fn an_item() -> impl Strategy<Value = Item> {
            let keys = proptest::sample::subsequence(KEYS.to_vec(), 0..=KEYS.len());
            let entries = keys.prop_flat_map(|keys| {
                let mut all = vec!["title"];
                all.extend(keys);
                all.into_iter().map(entry).collect::<Vec<_>>().prop_shuffle()
            });
            let tail =
                select(vec![Tail::None, Tail::Literal, Tail::Keep, Tail::Nested, Tail::FlowSeq]);
            (any::<bool>(), entries, tail, any::<bool>(), any::<bool>()).prop_map(
                |(flow, entries, tail, comment, blank_after)| Item {
                    flow,
                    entries,
                    tail,
                    comment,
                    blank_after,
                },
            )
        }

        fn front() -> impl Strategy<Value = Front> {
            (
                any::<bool>(),
                any::<bool>(),
                proptest::collection::vec(an_item(), 1..5),
                any::<bool>(),
            )
                .prop_map(|(crlf, bom, items, trailer)| Front {
                    crlf,
                    bom,
                    items,
                    trailer,
                })
        }

        fn new_value() -> impl Strategy<Value = String> {
            prop_oneof![
                select(vec![
                    "done",
                    "2026-12-01",
                    "acme/api#12",
                    "PAY-123",
                    "yes",
                    "true",
                    "null",
                    "1.5",
                    ": x",
                    "#x",
                    "a #b",
                    "a: b",
                    "it's",
                    "\"q\"",
                    "trail ",
                    " lead",
                    "",
                    "~",
                    "a, b",
                    "[x]",
                    "{y}",
                    "é",
                    "\\",
                    "'",
                    "- x",
                    "x:",
                ])
                .prop_map(String::from),
                "[ -~]{0,12}",
                "[a-zé日 #:,'\"{}]{1,6}",
            ]
        }

        /// Per item, where each key's value was written.
        type Written = Vec<HashMap<&'static str, (usize, usize)>>;

        /// The text, and for each item the span of each key's value (for an empty value, the
        /// point after its colon).
        fn render(front: &Front) -> (String, Written) {
            let nl = if front.crlf { "\r\n" } else { "\n" };
            let mut out = String::new();
            if front.bom {
                out.push('\u{feff}');
            }
            out.push_str(&format!("---{nl}title: Postmortem  # c{nl}action_items:{nl}"));
            let mut spans = Vec::new();
            for item in &front.items {
                let mut at = HashMap::new();
                out.push_str("  - ");
                if item.flow {
                    out.push('{');
                }
                for (i, e) in item.entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(if item.flow { ", " } else { "    " });
                    }
                    out.push_str(e.key);
                    out.push(':');
                    let start = out.len() + usize::from(e.style != Style::Empty);
                    match e.style {
                        Style::Empty => {}
                        Style::Plain => out.push_str(&format!(" {}", e.value)),
                        Style::Single => out.push_str(&format!(" {}", single_quoted(e.value))),
                        Style::Double => out.push_str(&format!(" {}", double_quoted(e.value))),
                    }
                    at.insert(
                        e.key,
                        if e.style == Style::Empty {
                            (out.len(), out.len())
                        } else {
                            (start, out.len())
                        },
                    );
                    if item.flow {
                        if e.style == Style::Empty {
                            out.push(' ');
                        }
                    } else {
                        if e.comment {
                            out.push_str("  # note");
                        }
                        out.push_str(nl);
                    }
                }
                if item.flow {
                    out.push('}');
                    if item.comment {
                        out.push_str("  # flow");
                    }
                    out.push_str(nl);
                } else {
                    match item.tail {
                        Tail::None => {}
                        Tail::Literal => {
                            out.push_str(&format!("    notes: |{nl}      one{nl}      two{nl}"))
                        }
                        Tail::Keep => out.push_str(&format!("    notes: |+{nl}      kept{nl}{nl}")),
                        Tail::Nested => {
                            out.push_str(&format!("    links:{nl}      runbook: r  # c{nl}"))
                        }
                        Tail::FlowSeq => {
                            out.push_str(&format!("    tags: [a,{nl}      b]  # c{nl}"))
                        }
                    }
                    if item.comment {
                        out.push_str(&format!("    # about the next item{nl}"));
                    }
                }
                if item.blank_after {
                    out.push_str(nl);
                }
                spans.push(at);
            }
            if front.trailer {
                out.push_str(&format!("severity: 'SEV2'  # c{nl}"));
            }
            out.push_str(&format!("---{nl}# Body{nl}"));
            (out, spans)
        }

        /// The front matter of `text` loaded, or why not.
        fn reload(text: &str) -> Result<Node, String> {
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            let split = front_matter::split(text).map_err(|e| e.to_string())?;
            let tree = yaml::load(&text[split.yaml.start..split.yaml.end], split.yaml.start)
                .map_err(|e| e.message)?;
            Ok(tree.root)
        }

        fn items_of(root: &Node) -> Vec<Node> {
            root.get("action_items")
                .and_then(Node::as_seq)
                .map(<[Node]>::to_vec)
                .unwrap_or_default()
        }

        proptest! {
            #[test]
            fn set_changes_the_value_and_nothing_else(
                front in front(),
                pick in any::<Index>(),
                key in select(KEYS.to_vec()),
                value in new_value(),
            ) {
                let (input, spans) = render(&front);
                prop_assert!(reload(&input).is_ok(), "the generator wrote bad YAML:\n{input}");
                let i = pick.index(front.items.len());
                let index = i.to_string();
                let change = Change::Set { path: item(i, key), value: value.clone() };
                let out = match apply(&input, &[change]) {
                    Ok(out) => out,
                    Err(e) => return Err(TestCaseError::fail(format!("{e}\n{input}"))),
                };
                // (a) it reloads, (b) the value reads back.
                let root = reload(&out).map_err(|e| TestCaseError::fail(format!("{e}\n{out}")))?;
                let read = root.walk(&["action_items", index.as_str(), key]).and_then(|(n, _)| n.as_str());
                prop_assert_eq!(read, Some(value.as_str()), "{}", out);
                let (input, out) = (input.as_bytes(), out.as_bytes());
                match spans[i].get(key) {
                    // (c) a replacement: everything before and after the old value is kept.
                    Some(&(start, end)) => {
                        prop_assert_eq!(&out[..start], &input[..start]);
                        let kept = input.len() - end;
                        prop_assert!(out.len() >= start + kept);
                        prop_assert_eq!(&out[out.len() - kept..], &input[end..]);
                    }
                    // (d) an insert: taking the inserted bytes out gives the input back.
                    None => {
                        prop_assert!(out.len() > input.len());
                        let added = out.len() - input.len();
                        let p = input.iter().zip(out).take_while(|(a, b)| a == b).count();
                        let mut back = out[..p].to_vec();
                        back.extend_from_slice(&out[p + added..]);
                        prop_assert_eq!(back, input.to_vec());
                    }
                }
                if front.crlf {
                    prop_assert!(out.windows(2).all(|w| w[1] != b'\n' || w[0] == b'\r'), "a bare LF");
                }
                prop_assert_eq!(out.starts_with("\u{feff}".as_bytes()), front.bom);
            }

            #[test]
            fn remove_takes_out_one_stretch_and_only_that_key(
                front in front(),
                pick in any::<Index>(),
                key in select(KEYS.to_vec()),
            ) {
                let (input, spans) = render(&front);
                let i = pick.index(front.items.len());
                let out = apply(&input, &[Change::Remove { path: item(i, key) }])
                    .map_err(|e| TestCaseError::fail(format!("{e}\n{input}")))?;
                let before = items_of(&reload(&input).map_err(TestCaseError::fail)?);
                let after = items_of(&reload(&out).map_err(TestCaseError::fail)?);
                prop_assert_eq!(before.len(), after.len());
                for (j, (b, a)) in before.iter().zip(&after).enumerate() {
                    let mut expected = b.clone();
                    if j == i {
                        if let Value::Map(entries) = &mut expected.value {
                            entries.retain(|(k, _)| !k.is_key(key));
                        }
                    }
                    prop_assert!(same(&expected, a), "item {} differs:\n{}", j, out);
                }
                // One contiguous stretch went, or nothing when the key was absent.
                let (input, out) = (input.as_bytes(), out.as_bytes());
                let p = input.iter().zip(out).take_while(|(a, b)| a == b).count();
                let s = input.iter().rev().zip(out.iter().rev()).take_while(|(a, b)| a == b).count();
                prop_assert!(p + s >= out.len());
                prop_assert_eq!(spans[i].contains_key(key), out.len() < input.len());
            }
        }
    }
}
