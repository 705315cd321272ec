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
pub fn to_attribute_map(item: &Item) -> Result<AttributeMap, StoreError> {
    item.check()?;
    serde_dynamo::to_item(Wire(item)).map_err(|e| StoreError::InvalidItem {
        pk: item.pk.clone(),
        sk: item.sk.clone(),
        reason: e.to_string(),
    })
}

/// An item as one flat map: the store's key and TTL attributes, then `attrs`. Serialised in one pass with the
/// exact length, so serde_dynamo builds the attribute map without rehashing (this is the hot path of `ingest`).
struct Wire<'a>(&'a Item);

impl serde::Serialize for Wire<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let item = self.0;
        let len = 2
            + 2 * usize::from(item.gsi1.is_some())
            + usize::from(item.expires_at.is_some())
            + item.attrs.len();
        let mut map = serializer.serialize_map(Some(len))?;
        map.serialize_entry("pk", &item.pk)?;
        map.serialize_entry("sk", &item.sk)?;
        if let Some((gpk, gsk)) = &item.gsi1 {
            map.serialize_entry("gsi1pk", gpk)?;
            map.serialize_entry("gsi1sk", gsk)?;
        }
        if let Some(expires_at) = item.expires_at {
            map.serialize_entry("expires_at", &expires_at)?;
        }
        for (key, value) in &item.attrs {
            map.serialize_entry(key, value)?;
        }
        map.end()
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

fn take_s(map: &mut AttributeMap, name: &str) -> Option<String> {
    match map.remove(name) {
        Some(AttributeValue::S(s)) => Some(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
