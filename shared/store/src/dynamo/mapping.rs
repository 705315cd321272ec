//! [`Item`] <-> DynamoDB attribute maps. Attributes go through `serde_dynamo`; only the store's own key and TTL
//! attributes are set by hand.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::{Map, Value};

use crate::error::StoreError;
use crate::item::{Cursor, Item};

/// A DynamoDB item.
pub type AttributeMap = HashMap<String, AttributeValue>;

/// The attribute map written for `item`.
///
/// Written directly rather than with `serde_dynamo::to_item`: serde_dynamo serialises into its own attribute
/// type and then converts that into the SDK's, building every map twice, and this is the hot path of `ingest`
/// (`make bench`: the mapping was over half of the whole parse-validate-map path). JSON to DynamoDB types is a
/// fixed six-case mapping; a property test checks it gives exactly what serde_dynamo gives, and reads still go
/// through serde_dynamo.
pub fn to_attribute_map(item: &Item) -> Result<AttributeMap, StoreError> {
    item.check()?;
    let len = 2
        + 2 * usize::from(item.gsi1.is_some())
        + usize::from(item.expires_at.is_some())
        + item.attrs.len();
    let mut map = AttributeMap::with_capacity(len);
    map.insert("pk".to_owned(), AttributeValue::S(item.pk.clone()));
    map.insert("sk".to_owned(), AttributeValue::S(item.sk.clone()));
    if let Some((gpk, gsk)) = &item.gsi1 {
        map.insert("gsi1pk".to_owned(), AttributeValue::S(gpk.clone()));
        map.insert("gsi1sk".to_owned(), AttributeValue::S(gsk.clone()));
    }
    if let Some(expires_at) = item.expires_at {
        map.insert(
            "expires_at".to_owned(),
            AttributeValue::N(expires_at.to_string()),
        );
    }
    for (key, value) in &item.attrs {
        map.insert(key.clone(), attribute_value(value));
    }
    Ok(map)
}

/// A JSON value as DynamoDB stores it (the same mapping as serde_dynamo's: null as NULL, numbers as N, arrays as
/// L, objects as M).
pub fn attribute_value(value: &Value) -> AttributeValue {
    match value {
        Value::Null => AttributeValue::Null(true),
        Value::Bool(b) => AttributeValue::Bool(*b),
        Value::Number(n) => AttributeValue::N(number_text(n)),
        Value::String(s) => AttributeValue::S(s.clone()),
        Value::Array(items) => AttributeValue::L(items.iter().map(attribute_value).collect()),
        Value::Object(map) => AttributeValue::M(
            map.iter()
                .map(|(k, v)| (k.clone(), attribute_value(v)))
                .collect(),
        ),
    }
}

/// The [`Item`] an attribute map read from the table holds.
pub fn from_attribute_map(mut map: AttributeMap) -> Result<Item, StoreError> {
    let pk = take_s(&mut map, "pk");
    let sk = take_s(&mut map, "sk");
    let corrupt = |reason: String| StoreError::Corrupt {
        pk: pk.clone().unwrap_or_default(),
        sk: sk.clone().unwrap_or_default(),
        reason,
    };
    let (Some(pk_v), Some(sk_v)) = (pk.clone(), sk.clone()) else {
        return Err(corrupt("pk or sk missing or not a string".to_owned()));
    };
    let gsi1 = match (take_s(&mut map, "gsi1pk"), take_s(&mut map, "gsi1sk")) {
        (Some(a), Some(b)) => Some((a, b)),
        _ => None,
    };
    let expires_at = match map.remove("expires_at") {
        None => None,
        Some(AttributeValue::N(n)) => Some(
            n.parse::<i64>()
                .map_err(|_| corrupt(format!("expires_at {n:?} is not an integer")))?,
        ),
        Some(_) => return Err(corrupt("expires_at is not a number".to_owned())),
    };
    let attrs: Map<String, Value> =
        serde_dynamo::from_item(map).map_err(|e| corrupt(e.to_string()))?;
    Ok(Item {
        pk: pk_v,
        sk: sk_v,
        gsi1,
        expires_at,
        attrs,
    })
}

/// The `ExclusiveStartKey` for a cursor.
pub(crate) fn cursor_key(cursor: &Cursor) -> AttributeMap {
    let mut key = AttributeMap::new();
    key.insert("pk".to_owned(), AttributeValue::S(cursor.pk.clone()));
    key.insert("sk".to_owned(), AttributeValue::S(cursor.sk.clone()));
    if let Some((gpk, gsk)) = &cursor.gsi1 {
        key.insert("gsi1pk".to_owned(), AttributeValue::S(gpk.clone()));
        key.insert("gsi1sk".to_owned(), AttributeValue::S(gsk.clone()));
    }
    key
}

/// The cursor for a `LastEvaluatedKey`.
pub(crate) fn key_cursor(key: &AttributeMap) -> Option<Cursor> {
    let s = |name: &str| key.get(name).and_then(|v| v.as_s().ok()).cloned();
    let gsi1 = match (s("gsi1pk"), s("gsi1sk")) {
        (Some(a), Some(b)) => Some((a, b)),
        _ => None,
    };
    Some(Cursor {
        pk: s("pk")?,
        sk: s("sk")?,
        gsi1,
    })
}

/// The primary key attributes of an item.
pub(crate) fn primary_key(pk: &str, sk: &str) -> AttributeMap {
    let mut key = AttributeMap::with_capacity(2);
    key.insert("pk".to_owned(), AttributeValue::S(pk.to_owned()));
    key.insert("sk".to_owned(), AttributeValue::S(sk.to_owned()));
    key
}

/// Numbers as serde_dynamo writes them: integers in decimal, floats with Rust's shortest round-trip `Display`.
fn number_text(n: &serde_json::Number) -> String {
    if let Some(u) = n.as_u64() {
        u.to_string()
    } else if let Some(i) = n.as_i64() {
        i.to_string()
    } else {
        n.as_f64().unwrap_or(0.0).to_string()
    }
}

fn take_s(map: &mut AttributeMap, name: &str) -> Option<String> {
    match map.remove(name) {
        Some(AttributeValue::S(s)) => Some(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn round_trip() {
        let item = Item {
            pk: "DEVICE#a".into(),
            sk: "EVENT#1".into(),
            gsi1: Some(("NAME#x".into(), "1#a".into())),
            expires_at: Some(1_900_000_000),
            attrs: json!({"name": "x", "n": 5, "f": 1.5, "nested": {"l": [1, "two", null]}, "empty": ""})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        };
        let map = to_attribute_map(&item).unwrap();
        assert_eq!(
            map.get("expires_at"),
            Some(&AttributeValue::N("1900000000".into()))
        );
        assert_eq!(map.get("gsi1pk"), Some(&AttributeValue::S("NAME#x".into())));
        assert_eq!(from_attribute_map(map).unwrap(), item);
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (-1e300f64..1e300).prop_map(Value::from),
            ".{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map("[a-z]{1,6}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// The direct mapping is exactly serde_dynamo's, and reads back to the same JSON.
        #[test]
        fn matches_serde_dynamo(attrs in proptest::collection::btree_map("[a-z]{1,8}", json_value(), 0..6)) {
            let attrs: Map<String, Value> = attrs.into_iter().filter(|(k, _)| !crate::item::RESERVED_ATTRS.contains(&k.as_str())).collect();
            let item = Item { pk: "p".into(), sk: "s".into(), gsi1: None, expires_at: Some(5), attrs: attrs.clone() };
            let direct = to_attribute_map(&item).unwrap();
            let mut expected: AttributeMap = serde_dynamo::to_item(&attrs).unwrap();
            expected.insert("pk".into(), AttributeValue::S("p".into()));
            expected.insert("sk".into(), AttributeValue::S("s".into()));
            expected.insert("expires_at".into(), AttributeValue::N("5".into()));
            prop_assert_eq!(&direct, &expected);
            prop_assert_eq!(from_attribute_map(direct).unwrap(), item);
        }
    }

    #[test]
    fn reserved_names_are_refused() {
        let item = Item {
            pk: "a".into(),
            sk: "b".into(),
            gsi1: None,
            expires_at: None,
            attrs: json!({"pk": "x"}).as_object().cloned().unwrap_or_default(),
        };
        assert!(matches!(
            to_attribute_map(&item),
            Err(StoreError::InvalidItem { .. })
        ));
    }
}
