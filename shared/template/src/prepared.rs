//! Event data prepared once per event, so that every template rendered for the event (URL,
//! headers, body, `responseTemplate`) reads it without repeating work:
//!
//! - numbers are printed to their JavaScript text (`Number.prototype.toString`) here, once, instead
//!   of on every `{{n}}`; their truthiness is decided here too;
//! - strings know whether they contain anything HTML or JSON escaping would change, so the common
//!   clean string is copied without a scan;
//! - object keys sit in a flat table sorted by key, each with its first 8 bytes packed into one
//!   integer beside its length, so looking a short key up compares a word per member instead of
//!   walking a `BTreeMap` and calling `memcmp`;
//! - everything lives in four vectors (nodes, keys, text, original numbers), and the members of an
//!   object or the elements of an array are consecutive nodes, so a section over a list steps
//!   through an index range.
//!
//! The source `serde_json::Value` decides every answer: this is a different layout of the same
//! value, and the node methods below apply the rules `plain.rs` applies to a `Value`. The
//! `prepared_matches_plain*` property tests render random templates over random data both ways.

use serde_json::{Number, Value};

use crate::escape::{has_html_special, needs_json_escape};
use crate::number::write_number;
use crate::value::{Esc, OBJECT_TEXT, Part, SectionKind, Val, string_property};

/// A byte range in [`Prepared::text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: usize,
    pub len: usize,
}

/// One JSON value. Containers point at their children, which are consecutive nodes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Node {
    Null,
    Bool(bool),
    /// `text` is the number's JavaScript text; `number` indexes the original in `numbers` (typed
    /// mode gives it back unchanged, including integers beyond 2^53).
    Num {
        text: Span,
        truthy: bool,
        number: usize,
    },
    /// `clean` holds the [`CLEAN_HTML`] and [`CLEAN_JSON`] bits of the escapers with nothing to do.
    Str {
        text: Span,
        clean: u8,
    },
    /// Elements are nodes `first..first + len`.
    Array {
        first: usize,
        len: usize,
    },
    /// Members are nodes `first..first + len`, their keys `keys[first..first + len]`, sorted.
    Object {
        first: usize,
        len: usize,
    },
}

/// The string has none of `& < > " '`.
pub(crate) const CLEAN_HTML: u8 = 1;
/// The string has no `"`, `\` or control character.
pub(crate) const CLEAN_JSON: u8 = 2;

/// An object member's key: [`key_word`] and the length decide equality for keys of up to 8 bytes
/// (common ones: `location`, `accuracy`); longer keys compare their text too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Key {
    pub word: u64,
    pub len: usize,
    pub start: usize,
}

/// Keys up to this long are equal exactly when their lengths and [`key_word`]s are.
const WORD_KEY_BYTES: usize = 8;

/// Above this many members an object is searched by bisection instead of a linear scan.
const LINEAR_MEMBERS: usize = 16;

/// A JSON value laid out for rendering; node 0 is the root. Empty when there is no data.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Prepared {
    nodes: Vec<Node>,
    /// Parallel to `nodes`: the key of each object member (default for other nodes).
    keys: Vec<Key>,
    text: String,
    numbers: Vec<Number>,
}

/// The first 8 bytes of `s`, zero-padded, as one little-endian word. Built without a
/// variable-length `memcpy` into a stack buffer: reading the word back right after such a copy
/// stalls on store forwarding, which showed as 15 % of data preparation in a profile.
#[inline]
pub(crate) fn key_word(s: &str) -> u64 {
    match s.as_bytes().split_first_chunk::<WORD_KEY_BYTES>() {
        Some((head, _)) => u64::from_le_bytes(*head),
        None => s
            .bytes()
            .enumerate()
            .fold(0, |word, (i, b)| word | u64::from(b) << (8 * i)),
    }
}

/// What [`Prepared::new`] will need, counted first so each vector is allocated once: with small
/// event data the allocator, not the layout, is most of the preparation's cost.
struct Size {
    nodes: usize,
    numbers: usize,
    /// Bytes of strings and keys, plus a generous guess for each printed number.
    text: usize,
    /// Members of the largest object.
    widest: usize,
}

impl Size {
    fn of(value: &Value) -> Size {
        let mut size = Size {
            nodes: 0,
            numbers: 0,
            text: 0,
            widest: 0,
        };
        let mut work = vec![value];
        while let Some(v) = work.pop() {
            size.nodes += 1;
            match v {
                Value::Number(_) => {
                    size.numbers += 1;
                    size.text += 12;
                }
                Value::String(s) => size.text += s.len(),
                Value::Array(items) => work.extend(items),
                Value::Object(map) => {
                    size.widest = size.widest.max(map.len());
                    size.text += map.keys().map(String::len).sum::<usize>();
                    work.extend(map.values());
                }
                Value::Null | Value::Bool(_) => {}
            }
        }
        size
    }
}

impl Prepared {
    /// Lays `value` out. Iterative (a work list, not recursion), so no depth of data can
    /// overflow the stack.
    pub fn new(value: &Value) -> Self {
        let size = Size::of(value);
        let mut p = Prepared {
            nodes: Vec::with_capacity(size.nodes),
            keys: Vec::with_capacity(size.nodes),
            text: String::with_capacity(size.text),
            numbers: Vec::with_capacity(size.numbers),
        };
        // (node slot to fill, value): children get their slots when the parent is filled, so
        // siblings stay consecutive whatever order the work list is drained in.
        let mut work: Vec<(usize, &Value)> = Vec::with_capacity(size.nodes);
        work.push((0, value));
        let mut members: Vec<(&str, &Value)> = Vec::with_capacity(size.widest);
        p.push_slots(1);
        while let Some((slot, v)) = work.pop() {
            let node = match v {
                Value::Null => Node::Null,
                Value::Bool(b) => Node::Bool(*b),
                Value::Number(n) => {
                    let start = p.text.len();
                    write_number(&mut p.text, n);
                    p.numbers.push(n.clone());
                    Node::Num {
                        text: Span {
                            start,
                            len: p.text.len() - start,
                        },
                        truthy: n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
                        number: p.numbers.len() - 1,
                    }
                }
                Value::String(s) => {
                    let clean = if has_html_special(s.as_bytes()) {
                        0
                    } else {
                        CLEAN_HTML
                    } | if needs_json_escape(s.as_bytes()) {
                        0
                    } else {
                        CLEAN_JSON
                    };
                    Node::Str {
                        text: p.push_text(s),
                        clean,
                    }
                }
                Value::Array(items) => {
                    let first = p.push_slots(items.len());
                    work.extend(items.iter().enumerate().map(|(i, item)| (first + i, item)));
                    Node::Array {
                        first,
                        len: items.len(),
                    }
                }
                Value::Object(map) => {
                    // serde_json's map iterates in key order unless some crate in the build
                    // turns on `preserve_order`; sort in that case, bisection relies on it.
                    members.clear();
                    members.extend(map.iter().map(|(k, v)| (k.as_str(), v)));
                    if !members.is_sorted_by(|a, b| a.0 <= b.0) {
                        members.sort_unstable_by(|a, b| a.0.cmp(b.0));
                    }
                    let first = p.push_slots(members.len());
                    for (i, &(k, member)) in members.iter().enumerate() {
                        let text = p.push_text(k);
                        p.keys[first + i] = Key {
                            word: key_word(k),
                            len: k.len(),
                            start: text.start,
                        };
                        work.push((first + i, member));
                    }
                    Node::Object {
                        first,
                        len: members.len(),
                    }
                }
            };
            p.nodes[slot] = node;
        }
        p
    }

    fn push_slots(&mut self, n: usize) -> usize {
        let first = self.nodes.len();
        self.nodes.resize(first + n, Node::Null);
        self.keys.resize(first + n, Key::default());
        first
    }

    fn push_text(&mut self, s: &str) -> Span {
        let start = self.text.len();
        self.text.push_str(s);
        Span {
            start,
            len: s.len(),
        }
    }

    /// The root node, if there is data.
    pub fn root(&self) -> Option<usize> {
        (!self.nodes.is_empty()).then_some(0)
    }

    #[inline(always)]
    pub fn node(&self, id: usize) -> Node {
        self.nodes.get(id).copied().unwrap_or(Node::Null)
    }

    #[inline(always)]
    pub fn text(&self, span: Span) -> &str {
        self.text
            .get(span.start..span.start + span.len)
            .unwrap_or_default()
    }

    /// The member `key` (with `word = key_word(key)`) of the object whose members are nodes
    /// `first..first + len`.
    #[inline(always)]
    pub fn member(&self, first: usize, len: usize, key: &str, word: u64) -> Option<usize> {
        let keys = self.keys.get(first..first + len)?;
        if len <= LINEAR_MEMBERS {
            // Most keys are at most 8 bytes, so the word and length comparison decides alone;
            // different keys nearly always differ in the word, one comparison.
            let short = key.len() <= WORD_KEY_BYTES;
            for (at, k) in keys.iter().enumerate() {
                if k.word == word
                    && k.len == key.len()
                    && (short || self.key_text(k) == key.as_bytes())
                {
                    return Some(first + at);
                }
            }
            return None;
        }
        keys.binary_search_by(|k| self.key_text(k).cmp(key.as_bytes()))
            .ok()
            .map(|at| first + at)
    }

    fn key_text(&self, k: &Key) -> &[u8] {
        self.text
            .as_bytes()
            .get(k.start..k.start + k.len)
            .unwrap_or_default()
    }

    /// Reads property `part` of node `id` (the `Model::get` rules).
    #[inline(always)]
    pub fn get(&self, id: usize, part: &Part, tail: bool) -> Option<Val<'_, usize>> {
        match self.node(id) {
            Node::Object { first, len } => {
                self.member(first, len, &part.key, part.word).map(Val::Data)
            }
            Node::Array { first, len } => match part.index {
                Some(i) => (i < len).then_some(Val::Data(first + i)),
                None if part.is_length() => Some(Val::Num(len as f64)),
                None => None,
            },
            Node::Str { text, .. } if tail => string_property(self.text(text), part),
            _ => None,
        }
    }

    #[inline(always)]
    pub fn truthy(&self, id: usize) -> bool {
        match self.node(id) {
            Node::Null => false,
            Node::Bool(b) => b,
            Node::Num { truthy, .. } => truthy,
            Node::Str { text, .. } => text.len > 0,
            Node::Array { .. } | Node::Object { .. } => true,
        }
    }

    #[inline(always)]
    pub fn section(&self, id: usize) -> SectionKind<Val<'_, usize>, usize> {
        match self.node(id) {
            Node::Null | Node::Bool(false) | Node::Num { truthy: false, .. } => SectionKind::Skip,
            Node::Str { text, .. } if text.len == 0 => SectionKind::Skip,
            Node::Array { len: 0, .. } => SectionKind::Skip,
            Node::Array { .. } => SectionKind::List(id),
            Node::Bool(true) => SectionKind::Once,
            _ => SectionKind::Push(Val::Data(id)),
        }
    }

    #[inline(always)]
    pub fn inverted(&self, id: usize) -> bool {
        match self.node(id) {
            Node::Array { len, .. } => len == 0,
            _ => !self.truthy(id),
        }
    }

    /// Element `i` of the array node `list`.
    #[inline(always)]
    pub fn item(&self, list: usize, i: usize) -> Option<usize> {
        match self.node(list) {
            Node::Array { first, len } if i < len => Some(first + i),
            _ => None,
        }
    }

    /// Writes `String(node)`: numbers are text already and never contain an escaped character;
    /// a clean string is copied without a scan.
    #[inline(always)]
    pub fn write(&self, id: usize, out: &mut String, esc: Esc) {
        match self.node(id) {
            Node::Str { text, clean } if esc_is_clean(esc, clean) => out.push_str(self.text(text)),
            Node::Num { text, .. } => out.push_str(self.text(text)),
            _ => self.write_text(id, out, esc),
        }
    }

    /// `String(node)` for the rest: `write_json_text`'s rules.
    fn write_text(&self, id: usize, out: &mut String, esc: Esc) {
        match self.node(id) {
            Node::Null => {}
            Node::Bool(true) => out.push_str("true"),
            Node::Bool(false) => out.push_str("false"),
            Node::Num { text, .. } => out.push_str(self.text(text)),
            Node::Str { text, .. } => esc.write(out, self.text(text)),
            Node::Array { first, len } => {
                for i in first..first + len {
                    if i > first {
                        out.push(',');
                    }
                    self.write_text(i, out, esc);
                }
            }
            Node::Object { .. } => esc.write(out, OBJECT_TEXT),
        }
    }

    /// Node `id` back as a `serde_json::Value` (typed mode), equal to the value it was built from.
    pub fn to_value(&self, id: usize) -> Value {
        match self.node(id) {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(b),
            Node::Num { number, .. } => self
                .numbers
                .get(number)
                .cloned()
                .map_or(Value::Null, Value::Number),
            Node::Str { text, .. } => Value::String(self.text(text).to_owned()),
            Node::Array { first, len } => {
                Value::Array((first..first + len).map(|i| self.to_value(i)).collect())
            }
            Node::Object { first, len } => Value::Object(
                (first..first + len)
                    .map(|i| {
                        let k = self.keys.get(i).copied().unwrap_or_default();
                        let key = String::from_utf8_lossy(self.key_text(&k)).into_owned();
                        (key, self.to_value(i))
                    })
                    .collect(),
            ),
        }
    }
}

/// Whether a string with these `CLEAN_*` bits is written unchanged under `esc`.
#[inline(always)]
fn esc_is_clean(esc: Esc, clean: u8) -> bool {
    match esc {
        Esc::Raw => true,
        Esc::Html => clean & CLEAN_HTML != 0,
        Esc::Json => clean & CLEAN_JSON != 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_and_finds_members() {
        let many: serde_json::Map<String, Value> = (0..40)
            .map(|i| (format!("key_{i:02}_long"), json!(i)))
            .collect();
        let v = json!({
            "a": [1, 2.5, "x<", null, true, {"b": -0.0}],
            "long_key_name": {"": 1, "z": "\"q\""},
            "many": many,
            "n": 18446744073709551615u64,
        });
        let p = Prepared::new(&v);
        assert_eq!(p.to_value(0), v);
        let Node::Object { first, len } = p.node(0) else {
            panic!("root is an object");
        };
        for key in ["a", "long_key_name", "many", "n"] {
            let id = p.member(first, len, key, key_word(key)).expect(key);
            assert_eq!(p.to_value(id), v[key]);
        }
        assert_eq!(
            p.member(first, len, "long_key_nam", key_word("long_key_nam")),
            None
        );
        let many_id = p
            .member(first, len, "many", key_word("many"))
            .expect("many");
        let Node::Object { first, len } = p.node(many_id) else {
            panic!("many is an object");
        };
        for i in 0..40 {
            let key = format!("key_{i:02}_long");
            let id = p.member(first, len, &key, key_word(&key)).expect("member");
            assert_eq!(p.to_value(id), json!(i));
        }
        assert_eq!(p.member(first, len, "key_", key_word("key_")), None);
    }

    #[test]
    fn prints_numbers_and_marks_clean_strings() {
        let p = Prepared::new(&json!([20.0, -0.0, 1e21, "plain", "a&b", "a\\b"]));
        let Node::Array { first, .. } = p.node(0) else {
            panic!("root is an array");
        };
        let text = |i: usize| match p.node(first + i) {
            Node::Num { text, .. } => p.text(text).to_owned(),
            other => panic!("{other:?}"),
        };
        assert_eq!([text(0), text(1), text(2)], ["20", "0", "1e+21"]);
        assert!(matches!(p.node(first + 1), Node::Num { truthy: false, .. }));
        let clean = |i: usize| match p.node(first + i) {
            Node::Str { clean, .. } => clean,
            other => panic!("{other:?}"),
        };
        assert_eq!(clean(3), CLEAN_HTML | CLEAN_JSON);
        assert_eq!(clean(4), CLEAN_JSON);
        assert_eq!(clean(5), CLEAN_HTML);
    }
}
