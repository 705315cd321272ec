//! A borrowed JSON tree for scans: strings point into the event's data (unless they hold escapes), objects are
//! short lists of pairs. Parsing into it allocates one vector per object or array and nothing per key, several
//! times cheaper than `serde_json::Value` (a `String` per key and a B-tree per object) on the hot path.
//! serde_json's recursion limit still applies, so hostile nesting is an error, not a stack overflow.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node<'a> {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    Object(Vec<(Cow<'a, str>, Node<'a>)>),
}

impl<'a> Node<'a> {
    /// The value of `key` in an object (the last one if repeated, as `JSON.parse` does); `None` otherwise.
    pub(crate) fn get(&self, key: &str) -> Option<&Node<'a>> {
        match self {
            Node::Object(pairs) => pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub(crate) fn is_object(&self) -> bool {
        matches!(self, Node::Object(_))
    }

    pub(crate) fn as_array(&self) -> Option<&[Node<'a>]> {
        match self {
            Node::Array(items) => Some(items),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Node::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A whole number from a JSON number (integral floats too) or a decimal string.
    pub(crate) fn as_int(&self) -> Option<i64> {
        match self {
            Node::Int(i) => Some(*i),
            Node::UInt(u) => i64::try_from(*u).ok(),
            Node::Float(f) => (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(*f as i64),
            Node::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub(crate) fn as_uint(&self) -> Option<u64> {
        match self {
            Node::UInt(u) => Some(*u),
            _ => self.as_int().and_then(|i| u64::try_from(i).ok()),
        }
    }

    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self {
            Node::Int(i) => Some(*i as f64),
            Node::UInt(u) => Some(*u as f64),
            Node::Float(f) => Some(*f),
            Node::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// `true`, a non-zero number, or the strings `"true"` / `"1"`.
    pub(crate) fn truthy(&self) -> bool {
        match self {
            Node::Bool(b) => *b,
            Node::Int(_) | Node::UInt(_) | Node::Float(_) => {
                self.as_f64().is_some_and(|f| f != 0.0)
            }
            Node::Str(s) => s == "true" || s == "1",
            _ => false,
        }
    }
}

impl<'de> Deserialize<'de> for Node<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node<'de>, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Node<'de>, E> {
        Ok(Node::Int(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Node<'de>, E> {
        Ok(Node::UInt(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Node<'de>, E> {
        Ok(Node::Float(v))
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Node<'de>, E> {
        Ok(Node::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Node<'de>, E> {
        Ok(Node::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Node<'de>, E> {
        Ok(Node::Str(Cow::Owned(v)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(16));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(0).clamp(4, 16));
        while let Some(key) = map.next_key::<Key<'de>>()? {
            pairs.push((key.0, map.next_value()?));
        }
        Ok(Node::Object(pairs))
    }
}

/// An object key, borrowed when it holds no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_borrows() {
        let text = r#"{"o":"AT&T","e":"A\u0026B","n":[1,-2,3.5,"4"],"t":true,"z":null,"o":"last"}"#;
        let node: Node<'_> = serde_json::from_str(text).expect("json");
        assert_eq!(node.get("o").and_then(Node::as_str), Some("last"));
        assert_eq!(node.get("e").and_then(Node::as_str), Some("A&B"));
        let n = node.get("n").and_then(Node::as_array).expect("array");
        assert_eq!(
            n.iter().map(Node::as_int).collect::<Vec<_>>(),
            [Some(1), Some(-2), None, Some(4)]
        );
        assert_eq!(n[2].as_f64(), Some(3.5));
        assert!(node.get("t").is_some_and(Node::truthy));
        assert_eq!(node.get("z"), Some(&Node::Null));
        assert!(matches!(node.get("o"), Some(Node::Str(Cow::Borrowed(_)))));
    }
}
