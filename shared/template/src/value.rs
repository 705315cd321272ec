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
    #[inline(always)]
    pub fn get(self, part: &Part, tail: bool) -> Option<Val<'a>> {
        match self {
            Val::Json(Value::Object(m)) => map_get(m, &part.key).map(Val::Json),
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
    #[inline]
    pub fn write(self, out: &mut String, esc: Esc) {
        match self {
            Val::Missing => {}
            // Strings and numbers inline; arrays and the rest take the recursive path.
            Val::Json(Value::String(s)) => esc.write(out, s),
            Val::Json(Value::Number(n)) => write_number(out, n),
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

/// `map.get(key)` for the small objects devices publish, without `BTreeMap::get`'s `memcmp`
/// call per key passed: keys here are a few bytes and usually differ in length or first byte.
#[inline(always)]
pub(crate) fn map_get<'a>(map: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a Value> {
    // Measured on the geolocation benchmark: a linear scan mispredicts less than the B-tree
    // search for up to a handful of keys, and loses beyond that.
    if map.len() > 4 {
        return map.get(key);
    }
    let key = key.as_bytes();
    for (k, v) in map {
        let k = k.as_bytes();
        if k.len() == key.len() && k.first() == key.first() && k == key {
            return Some(v);
        }
    }
    None
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
    } else if let Some(i) = n.as_i64()
        && i.unsigned_abs() <= SAFE
    {
        out.push_str(itoa::Buffer::new().format(i));
        return;
    }
    write_f64(out, n.as_f64().unwrap_or(f64::NAN));
}

/// `Number.prototype.toString()` (ECMA-262 Number::toString): `20.0` -> `20`, `1e21` -> `1e+21`,
/// `1.5e-7` -> `1.5e-7`, `-0` -> `0`. ryu-js implements exactly that algorithm; numbers with few
/// digits (sensor readings, coordinates) take a shorter path that prints the same text.
pub(crate) fn write_f64(out: &mut String, f: f64) {
    if !write_short_decimal(out, f) {
        out.push_str(ryu_js::Buffer::new().format(f));
    }
}

const POW10: [f64; 10] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
const POW10_INT: [u64; 10] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
];

/// Writes `f` in plain decimal notation when its shortest round-trip form has at most 15
/// significant digits and at most 9 after the point, and its magnitude is in JavaScript's plain
/// range; returns false (writing nothing) otherwise, and ryu-js prints it.
///
/// Why it prints what Number::toString prints: with at most 15 significant digits, exactly one
/// `k`-digit decimal `M / 10^k` lies within half an ulp of `f` (their spacing is far wider than
/// an ulp), and it is the nearest one. The first `k` whose product `f * 10^k` is an integer `m`
/// with `m / 10^k == f` (a correctly rounded division, like parsing) has found it; should the
/// product's rounding have hidden a shorter `k`, the longer match is that decimal followed by
/// zeros, which are stripped. No match means ryu-js. `tests::short_decimals_match_ryu_js` and the
/// `numbers_print_like_ryu_js` property test compare it with ryu-js.
fn write_short_decimal(out: &mut String, f: f64) -> bool {
    let a = f.abs();
    // JavaScript prints below 1e-6 and from 1e21 in exponent form; NaN fails both tests.
    if !(1e-6..1e15).contains(&a) {
        return false;
    }
    for (k, &scale) in POW10.iter().enumerate() {
        let scaled = a * scale;
        if scaled >= 1e15 {
            return false;
        }
        // `as i64` is one native instruction (`f64::trunc` is a libm call on baseline x86-64 and
        // `as u64` a branchy sequence), exact here because `0 <= scaled < 1e15`.
        let m = scaled as i64;
        if m as f64 != scaled || scaled / scale != a {
            continue;
        }
        let (mut m, mut k) = (m.unsigned_abs(), k);
        while k > 0 && m % 10 == 0 {
            m /= 10;
            k -= 1;
        }
        if f < 0.0 {
            out.push('-');
        }
        let mut digits = itoa::Buffer::new();
        out.push_str(digits.format(m / POW10_INT[k]));
        if k > 0 {
            out.push('.');
            let frac = digits.format(m % POW10_INT[k]);
            for _ in frac.len()..k {
                out.push('0');
            }
            out.push_str(frac);
        }
        return true;
    }
    false
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
    fn short_decimals_match_ryu_js() {
        let check = |f: f64| {
            let mut ours = String::new();
            if write_short_decimal(&mut ours, f) {
                assert_eq!(ours, ryu_js::Buffer::new().format(f), "{f:e}");
            }
        };
        for m in (0..50_000u64).chain((1..2000).map(|i| i * 7_919_993)) {
            for k in 0..12 {
                let f = m as f64 / 10f64.powi(k);
                check(f);
                check(-f);
                check(f + f * f64::EPSILON);
                check(f.next_up());
            }
        }
        for f in [
            0.1 + 0.2,
            1.0 / 3.0,
            42.3857729,
            -75.195375,
            1e-6,
            1.5e-6,
            999999999999999.0,
            0.000001,
        ] {
            check(f);
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
        for v in [
            json!("0"),
            json!(" "),
            json!(1),
            json!(-1.5),
            json!({}),
            json!([]),
        ] {
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
        assert!(matches!(
            s.get(&Part::new("5"), true),
            Some(Val::Str("\u{FFFD}"))
        ));
        assert!(s.get(&Part::new("length"), false).is_none());
    }
}
