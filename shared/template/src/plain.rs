//! The data model for plain JSON (`Template::render(&value)`, the spec suites, the CLI's
//! `--data`): the renderer reads the `serde_json::Value` directly, with nothing prepared.

use serde_json::Value;

use crate::number::write_number;
use crate::value::{Esc, Model, Part, SectionKind, Val, string_property, write_json_text};

/// A plain `serde_json::Value` as the whole context, as in the mustache spec.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plain<'a>(pub &'a Value);

impl<'a> Model<'a> for Plain<'a> {
    type Node = &'a Value;

    #[inline(always)]
    fn root(self) -> Val<'a, &'a Value> {
        Val::Data(self.0)
    }

    #[inline(always)]
    fn root_get(self, _: &Part, _: Option<u8>) -> Option<Val<'a, &'a Value>> {
        // The root is `Val::Data` here; predefined variables exist only for events.
        None
    }

    #[inline(always)]
    fn get(self, node: &'a Value, part: &Part, tail: bool) -> Option<Val<'a, &'a Value>> {
        match node {
            Value::Object(m) => map_get(m, &part.key).map(Val::Data),
            Value::Array(a) => match part.index {
                Some(i) => a.get(i).map(Val::Data),
                None if part.is_length() => Some(Val::Num(a.len() as f64)),
                None => None,
            },
            Value::String(s) if tail => string_property(s, part),
            _ => None,
        }
    }

    #[inline(always)]
    fn truthy(self, node: &'a Value) -> bool {
        match node {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
            Value::String(s) => !s.is_empty(),
            Value::Array(_) | Value::Object(_) => true,
        }
    }

    #[inline(always)]
    fn section(self, node: &'a Value) -> SectionKind<Val<'a, &'a Value>, &'a Value> {
        match node {
            _ if !self.truthy(node) => SectionKind::Skip,
            Value::Array(a) if a.is_empty() => SectionKind::Skip,
            Value::Array(_) => SectionKind::List(node),
            Value::Bool(true) => SectionKind::Once,
            _ => SectionKind::Push(Val::Data(node)),
        }
    }

    #[inline(always)]
    fn inverted(self, node: &'a Value) -> bool {
        match node {
            Value::Array(a) => a.is_empty(),
            _ => !self.truthy(node),
        }
    }

    #[inline(always)]
    fn item(self, list: &'a Value, i: usize) -> Option<&'a Value> {
        list.as_array()?.get(i)
    }

    #[inline(always)]
    fn write(self, node: &'a Value, out: &mut String, esc: Esc) {
        match node {
            Value::String(s) => esc.write(out, s),
            Value::Number(n) => write_number(out, n),
            _ => write_json_text(out, node, esc),
        }
    }

    fn to_json(self, node: &'a Value) -> Value {
        node.clone()
    }

    fn root_json(self) -> Value {
        self.0.clone()
    }
}

/// `map.get(key)` for the small objects devices publish, without `BTreeMap::get`'s `memcmp`
/// call per key passed: keys here are a few bytes and usually differ in length or first byte.
#[inline(always)]
fn map_get<'a>(map: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a Value> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn truthiness_is_javascript() {
        let m = Plain(&Value::Null);
        for v in [json!(0), json!(0.0), json!(""), json!(null), json!(false)] {
            assert!(!Val::Data(&v).truthy(m), "{v} is falsey");
        }
        for v in [
            json!("0"),
            json!(" "),
            json!(1),
            json!(-1.5),
            json!({}),
            json!([]),
        ] {
            assert!(Val::Data(&v).truthy(m), "{v} is truthy");
        }
        let empty = json!([]);
        assert!(Val::Data(&empty).inverted(m));
        assert!(matches!(Val::Data(&empty).section(m), SectionKind::Skip));
        assert!(!Val::<&Value>::Missing.truthy(m));
    }

    #[test]
    fn properties() {
        let v = json!({"c": [{"ca": "first"}], "s": "héllo😀"});
        let m = Plain(&v);
        let root = Val::Data(&v);
        let c = root.get(m, &Part::new("c"), false).expect("c");
        assert!(matches!(c.get(m, &Part::new("length"), true), Some(Val::Num(n)) if n == 1.0));
        assert!(c.get(m, &Part::new("01"), true).is_none());
        let s = root.get(m, &Part::new("s"), false).expect("s");
        assert!(matches!(s.get(m, &Part::new("length"), true), Some(Val::Num(n)) if n == 7.0));
        assert!(matches!(
            s.get(m, &Part::new("1"), true),
            Some(Val::Str("é"))
        ));
        assert!(matches!(
            s.get(m, &Part::new("5"), true),
            Some(Val::Str("\u{FFFD}"))
        ));
        assert!(s.get(m, &Part::new("length"), false).is_none());
    }
}
