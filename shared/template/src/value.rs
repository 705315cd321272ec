//! JavaScript value rules, because Particle's cloud evaluates templates in Node.js: how a value
//! becomes text (`String(v)`), which values are falsey, and how a dotted-name segment reads a
//! property (`obj[key]`, `array["0"]`, `array.length`, `"str".length`).
//!
//! The renderer walks one of two data models through the [`Model`] trait: a plain
//! `serde_json::Value` (`plain.rs`) or an event's data prepared once per event (`prepared.rs`).
//! A model answers for its own nodes; what is not a node (a predefined variable's text, a
//! computed `length`, one character of a string) is a [`Val`] variant shared by both, with its
//! rules here.

use serde_json::Value;

use crate::escape::{escape_html, escape_json_str};
use crate::number::write_number;
use crate::prepared::key_word;

/// One segment of a dotted name, with its array index pre-parsed at compile time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    pub key: Box<str>,
    /// `Some` when `key` is a canonical JavaScript array index (`0`, `17`, not `01` or `-1`).
    pub index: Option<usize>,
    /// `key_word(key)`, for member lookups in prepared data.
    pub word: u64,
}

impl Part {
    pub fn new(key: &str) -> Self {
        let canonical = !key.is_empty()
            && key.bytes().all(|b| b.is_ascii_digit())
            && (key == "0" || !key.starts_with('0'))
            && key.len() <= 10;
        let index = if canonical {
            key.parse::<u64>()
                .ok()
                .filter(|&i| i < u64::from(u32::MAX))
                .and_then(|i| usize::try_from(i).ok())
        } else {
            None
        };
        Part {
            key: key.into(),
            index,
            word: key_word(key),
        }
    }

    #[inline(always)]
    pub fn is_length(&self) -> bool {
        &*self.key == "length"
    }
}

/// A value seen by the renderer. Borrowed: rendering never clones the data.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) enum Val<'a, N> {
    /// `undefined` in JavaScript terms: a failed lookup.
    #[default]
    Missing,
    /// A value of the data model (a JSON value or a prepared node).
    Data(N),
    /// A predefined variable or secret (always a string in Particle), or a one-character slice.
    Str(&'a str),
    /// A computed number (`list.length`).
    Num(f64),
    /// The root of an event: predefined variables, secrets, then data keys.
    Root,
}

/// How a truthy value drives a section.
pub(crate) enum SectionKind<V, N> {
    /// Falsey, or an empty list: skip the body.
    Skip,
    /// Render the body once per element of this non-empty list, each element pushed as the
    /// context.
    List(N),
    /// Render the body once with this value pushed as the context.
    Push(V),
    /// `true`: render the body once in the current context (mustache.js pushes nothing).
    Once,
}

/// A data model: what the renderer needs to know about its values. Implemented by `&Value`
/// walkers and by prepared event data; every method is small and meant to be inlined into the
/// render loop.
pub(crate) trait Model<'a>: Copy {
    type Node: Copy;

    /// The bottom frame of the context stack.
    fn root(self) -> Val<'a, Self::Node>;
    /// Looks a first name segment up in [`Val::Root`]; `slot` is its predefined-variable slot.
    /// `None` means not found, and the lookup moves on.
    fn root_get(self, part: &Part, slot: Option<u8>) -> Option<Val<'a, Self::Node>>;
    /// Reads one property of a node (see [`Val::get`] for `tail`).
    fn get(self, node: Self::Node, part: &Part, tail: bool) -> Option<Val<'a, Self::Node>>;
    /// JavaScript truthiness.
    fn truthy(self, node: Self::Node) -> bool;
    /// What `{{#name}}` does with a node (mustache.js `renderSection`).
    fn section(self, node: Self::Node) -> SectionKind<Val<'a, Self::Node>, Self::Node>;
    /// Whether `{{^name}}` renders: falsey or an empty list.
    fn inverted(self, node: Self::Node) -> bool;
    /// Element `i` of a list `section` returned.
    fn item(self, list: Self::Node, i: usize) -> Option<Self::Node>;
    /// Writes `String(node)` with the given escaping.
    fn write(self, node: Self::Node, out: &mut String, esc: Esc);
    /// The node as JSON (typed mode).
    fn to_json(self, node: Self::Node) -> Value;
    /// [`Val::Root`] as JSON (typed mode for `{{.}}` at the top level).
    fn root_json(self) -> Value;
}

impl<'a, N: Copy> Val<'a, N> {
    /// JavaScript truthiness (`!!v`): `undefined`, `null`, `false`, `0`, `-0`, `NaN` and `""` are
    /// falsey; every object and array is truthy (an empty array still renders no iteration).
    #[inline(always)]
    pub fn truthy<M: Model<'a, Node = N>>(self, m: M) -> bool {
        match self {
            Val::Missing => false,
            Val::Data(n) => m.truthy(n),
            Val::Str(s) => !s.is_empty(),
            Val::Num(f) => f != 0.0 && !f.is_nan(),
            Val::Root => true,
        }
    }

    /// What `{{#name}}` does with this value.
    #[inline(always)]
    pub fn section<M: Model<'a, Node = N>>(self, m: M) -> SectionKind<Self, N> {
        match self {
            Val::Data(n) => m.section(n),
            other if other.truthy(m) => SectionKind::Push(other),
            _ => SectionKind::Skip,
        }
    }

    /// Whether `{{^name}}` renders: falsey or an empty list.
    #[inline(always)]
    pub fn inverted<M: Model<'a, Node = N>>(self, m: M) -> bool {
        match self {
            Val::Data(n) => m.inverted(n),
            other => !other.truthy(m),
        }
    }

    /// Reads one property. `tail` is true for segments after the first of a dotted name: there a
    /// string answers `length` and indexes like JavaScript's `"abc"[0]`; as the first segment,
    /// mustache.js only looks names up on objects and arrays (its `hasProperty`), so primitives
    /// never hit and the lookup moves on to the parent context.
    #[inline(always)]
    pub fn get<M: Model<'a, Node = N>>(self, m: M, part: &Part, tail: bool) -> Option<Self> {
        match self {
            Val::Data(n) => m.get(n, part, tail),
            Val::Str(s) if tail => string_property(s, part),
            // The root is only ever a context frame, which the resolver asks with `root_get`.
            _ => None,
        }
    }

    /// Writes `String(v)` with the given escaping.
    #[inline(always)]
    pub fn write<M: Model<'a, Node = N>>(self, m: M, out: &mut String, esc: Esc) {
        match self {
            Val::Missing => {}
            Val::Data(n) => m.write(n, out, esc),
            Val::Str(s) => esc.write(out, s),
            Val::Num(f) => crate::number::write_f64(out, f),
            Val::Root => esc.write(out, OBJECT_TEXT),
        }
    }

    /// The value as JSON, for typed mode (a `json` value that is a single tag keeps its type).
    /// `undefined` becomes `null`.
    pub fn to_json<M: Model<'a, Node = N>>(self, m: M) -> Value {
        match self {
            Val::Missing => Value::Null,
            Val::Data(n) => m.to_json(n),
            Val::Str(s) => Value::String(s.to_owned()),
            Val::Num(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
            Val::Root => m.root_json(),
        }
    }
}

/// `String({})` in JavaScript.
pub(crate) const OBJECT_TEXT: &str = "[object Object]";

/// A property of a string after the first name segment: `length` (in UTF-16 code units) or one
/// character.
pub(crate) fn string_property<'a, N>(s: &'a str, part: &Part) -> Option<Val<'a, N>> {
    if let Some(i) = part.index {
        // JavaScript indexes strings by UTF-16 code unit; half of a surrogate pair cannot be
        // written as UTF-8, so it comes out as U+FFFD, as Node's UTF-8 encoder does.
        let mut unit = 0;
        for (at, c) in s.char_indices() {
            let width = c.len_utf16();
            if unit == i {
                return Some(if width == 1 {
                    Val::Str(&s[at..at + c.len_utf8()])
                } else {
                    Val::Str("\u{FFFD}")
                });
            }
            if unit + width > i {
                return Some(Val::Str("\u{FFFD}"));
            }
            unit += width;
        }
        return None;
    }
    if part.is_length() {
        return Some(Val::Num(s.encode_utf16().count() as f64));
    }
    None
}

/// Escaping applied to one interpolation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Esc {
    Raw,
    Html,
    Json,
}

impl Esc {
    #[inline(always)]
    pub fn write(self, out: &mut String, s: &str) {
        match self {
            Esc::Raw => out.push_str(s),
            Esc::Html => escape_html(out, s),
            Esc::Json => escape_json_str(out, s),
        }
    }
}

/// `String(v)` for a JSON value: numbers as `Number.prototype.toString`, arrays joined with `,`
/// (`null` elements empty, nested arrays flattened), objects as `[object Object]`.
pub(crate) fn write_json_text(out: &mut String, v: &Value, esc: Esc) {
    match v {
        Value::Null => {}
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => esc.write(out, s),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_text(out, item, esc);
            }
        }
        Value::Object(_) => esc.write(out, OBJECT_TEXT),
    }
}

/// `String(v)` as an owned string (no escaping).
pub fn js_string(v: &Value) -> String {
    let mut out = String::new();
    write_json_text(&mut out, v, Esc::Raw);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(v: Value) -> String {
        js_string(&v)
    }

    #[test]
    fn numbers_print_like_javascript() {
        let cases = [
            ("20.0", "20"),
            ("1e21", "1e+21"),
            ("1e20", "100000000000000000000"),
            ("1.5e-7", "1.5e-7"),
            ("0.000001", "0.000001"),
            ("1e-7", "1e-7"),
            ("-0", "0"),
            ("-0.0", "0"),
            ("1234.5", "1234.5"),
            ("39.739155", "39.739155"),
            ("-104.984703", "-104.984703"),
            ("1608.637939453125", "1608.637939453125"),
            ("0.1", "0.1"),
            ("123e-20", "1.23e-18"),
            ("9007199254740993", "9007199254740992"),
            ("18446744073709551615", "18446744073709552000"),
            ("-9223372036854775808", "-9223372036854776000"),
            ("1.7976931348623157e308", "1.7976931348623157e+308"),
            ("5e-324", "5e-324"),
        ];
        for (src, want) in cases {
            let v: Value = serde_json::from_str(src).expect("valid JSON literal");
            assert_eq!(text(v), want, "String({src})");
        }
    }

    #[test]
    fn other_values_print_like_javascript() {
        assert_eq!(text(json!(null)), "");
        assert_eq!(text(json!(true)), "true");
        assert_eq!(text(json!(false)), "false");
        assert_eq!(text(json!([123, 456])), "123,456");
        assert_eq!(text(json!([1, [2, [3]], null, "x", 2.50])), "1,2,3,,x,2.5");
        assert_eq!(text(json!({"a": 1})), "[object Object]");
        assert_eq!(text(json!([{"a": 1}, 1])), "[object Object],1");
        assert_eq!(text(json!([])), "");
    }
}
