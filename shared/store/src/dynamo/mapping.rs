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
    let mut map: AttributeMap =
        serde_dynamo::to_item(&item.attrs).map_err(|e| StoreError::InvalidItem {
            pk: item.pk.clone(),
            sk: item.sk.clone(),
            reason: e.to_string(),
        })?;
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
    Ok(map)
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
