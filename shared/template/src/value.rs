//! JavaScript value rules, because Particle's cloud evaluates templates in Node.js: how a value
//! becomes text (`String(v)`), which values are falsey, and how a dotted-name segment reads a
//! property (`obj[key]`, `array["0"]`, `array.length`, `"str".length`).

use serde_json::Value;

use crate::escape::{escape_html, escape_json_str};

/// One segment of a dotted name, with its array index pre-parsed at compile time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    pub key: Box<str>,
    /// `Some` when `key` is a canonical JavaScript array index (`0`, `17`, not `01` or `-1`).
    pub index: Option<usize>,
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
        }
    }
}

/// A value seen by the renderer. Borrowed: rendering never clones the data.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) enum Val<'a> {
    /// `undefined` in JavaScript terms: a failed lookup.
    #[default]
    Missing,
    Json(&'a Value),
    /// A predefined variable or secret (always a string in Particle), or a one-character slice.
    Str(&'a str),
    /// A computed number (`list.length`).
    Num(f64),
    /// The virtual root object of an event scope (predefined variables + data keys).
    Root,
}

/// How a truthy value drives a section.
pub(crate) enum SectionKind<'a> {
    /// Falsey, or an empty list: skip the body.
    Skip,
    /// Render the body once per element, each element pushed as the context.
    List(&'a [Value]),
    /// Render the body once with this value pushed as the context.
    Push(Val<'a>),
    /// `true`: render the body once in the current context (mustache.js pushes nothing).
    Once,
}

impl<'a> Val<'a> {
    /// JavaScript truthiness (`!!v`): `undefined`, `null`, `false`, `0`, `-0`, `NaN` and `""` are
    /// falsey; every object and array is truthy (an empty array still renders no iteration).
    pub fn truthy(self) -> bool {
        match self {
            Val::Missing => false,
            Val::Json(v) => match v {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
                Value::String(s) => !s.is_empty(),
                Value::Array(_) | Value::Object(_) => true,
            },
            Val::Str(s) => !s.is_empty(),
            Val::Num(f) => f != 0.0 && !f.is_nan(),
            Val::Root => true,
        }
    }

    /// What `{{#name}}` does with this value (mustache.js `renderSection`).
    pub fn section(self) -> SectionKind<'a> {
        if !self.truthy() {
            return SectionKind::Skip;
        }
        match self {
            Val::Json(Value::Array(a)) if a.is_empty() => SectionKind::Skip,
            Val::Json(Value::Array(a)) => SectionKind::List(a),
            Val::Json(Value::Bool(true)) => SectionKind::Once,
            other => SectionKind::Push(other),
        }
    }

    /// Whether `{{^name}}` renders: falsey or an empty list.
    pub fn inverted(self) -> bool {
        match self {
            Val::Json(Value::Array(a)) => a.is_empty(),
            other => !other.truthy(),
        }
    }

    /// Reads one property. `tail` is true for segments after the first of a dotted name: there a
    /// string answers `length` and indexes like JavaScript's `"abc"[0]`; as the first segment,
    /// mustache.js only looks names up on objects and arrays (its `hasProperty`), so primitives
    /// never hit and the lookup moves on to the parent context.
    pub fn get(self, part: &Part, tail: bool) -> Option<Val<'a>> {
        match self {
            Val::Json(Value::Object(m)) => m.get(&*part.key).map(Val::Json),
            Val::Json(Value::Array(a)) => match part.index {
                Some(i) => a.get(i).map(Val::Json),
                None if &*part.key == "length" => Some(Val::Num(a.len() as f64)),
                None => None,
            },
            Val::Json(Value::String(s)) if tail => string_property(s, part),
            Val::Str(s) if tail => string_property(s, part),
            _ => None,
        }
    }

    /// Writes `String(v)` with the given escaping.
    pub fn write(self, out: &mut String, esc: Esc) {
        match self {
            Val::Missing => {}
            Val::Json(v) => write_json_text(out, v, esc),
            Val::Str(s) => esc.write(out, s),
            Val::Num(f) => write_f64(out, f),
            Val::Root => esc.write(out, OBJECT_TEXT),
        }
    }

    /// The value as JSON, for typed mode (a `json` value that is a single tag keeps its type).
    /// `undefined` becomes `null`.
    pub fn to_json(self) -> Value {
        match self {
            Val::Missing => Value::Null,
            Val::Json(v) => v.clone(),
            Val::Str(s) => Value::String(s.to_owned()),
            Val::Num(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
            Val::Root => Value::Null,
        }
    }
}

/// `String({})` in JavaScript.
const OBJECT_TEXT: &str = "[object Object]";

fn string_property<'a>(s: &'a str, part: &Part) -> Option<Val<'a>> {
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
    if &*part.key == "length" {
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
    #[inline]
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
fn write_json_text(out: &mut String, v: &Value, esc: Esc) {
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

/// Integers up to 2^53 print exactly; everything else goes through f64 like JSON.parse does, so a
/// 64-bit id prints with the precision JavaScript keeps.
pub(crate) fn write_number(out: &mut String, n: &serde_json::Number) {
    const SAFE: u64 = 1 << 53;
    if let Some(u) = n.as_u64() {
        if u <= SAFE {
            out.push_str(itoa::Buffer::new().format(u));
            return;
        }
    } else if let Some(i) = n.as_i64() {
        if i.unsigned_abs() <= SAFE {
            out.push_str(itoa::Buffer::new().format(i));
            return;
        }
    }
    write_f64(out, n.as_f64().unwrap_or(f64::NAN));
}

/// `Number.prototype.toString()` (ECMA-262 Number::toString): `20.0` -> `20`, `1e21` -> `1e+21`,
/// `1.5e-7` -> `1.5e-7`, `-0` -> `0`. ryu-js implements exactly that algorithm.
pub(crate) fn write_f64(out: &mut String, f: f64) {
    out.push_str(ryu_js::Buffer::new().format(f));
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

    #[test]
    fn truthiness_is_javascript() {
        for v in [json!(0), json!(0.0), json!(""), json!(null), json!(false)] {
            assert!(!Val::Json(&v).truthy(), "{v} is falsey");
        }
        for v in [json!("0"), json!(" "), json!(1), json!(-1.5), json!({}), json!([])] {
            assert!(Val::Json(&v).truthy(), "{v} is truthy");
        }
        let empty = json!([]);
        assert!(Val::Json(&empty).inverted());
        assert!(matches!(Val::Json(&empty).section(), SectionKind::Skip));
        assert!(!Val::Missing.truthy());
    }

    #[test]
    fn properties() {
        let v = json!({"c": [{"ca": "first"}], "s": "héllo😀"});
        let root = Val::Json(&v);
        let c = root.get(&Part::new("c"), false).expect("c");
        assert!(matches!(c.get(&Part::new("length"), true), Some(Val::Num(n)) if n == 1.0));
        assert!(c.get(&Part::new("01"), true).is_none());
        let s = root.get(&Part::new("s"), false).expect("s");
        assert!(matches!(s.get(&Part::new("length"), true), Some(Val::Num(n)) if n == 7.0));
        assert!(matches!(s.get(&Part::new("1"), true), Some(Val::Str("é"))));
        assert!(matches!(s.get(&Part::new("5"), true), Some(Val::Str("\u{FFFD}"))));
        assert!(s.get(&Part::new("length"), false).is_none());
    }
}
