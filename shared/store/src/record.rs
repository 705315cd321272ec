//! The one record mapping: a domain type declares its item once (key, `gsi1` keys, TTL, `type`, attributes) and
//! both backends store it as an [`Item`].
//!
//! Plain data types implement [`Record::attrs`] and [`Record::from_attrs`] with [`serde_attrs`] and
//! [`serde_from_attrs`]; a type on a hot path (events) builds its attribute map by hand. The store owns `pk`,
//! `sk`, `gsi1pk`, `gsi1sk`, `expires_at` and `type`: a record's attributes never carry them.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::StoreError;
use crate::item::{Item, Key};

/// Name of the attribute every item carries: what kind of record it is.
pub const TYPE_ATTR: &str = "type";

/// A domain type stored as one item.
pub trait Record: Sized {
    /// The item's `type` attribute (`event`, `stream_state`, `gap`, ...).
    const TYPE: &'static str;

    /// The item's primary key (built with [`crate::keys`]).
    fn key(&self) -> Key;

    /// The item's `gsi1` key pair, when it is indexed there.
    fn gsi1(&self) -> Option<(String, String)> {
        None
    }

    /// Unix seconds after which the item is gone (reads stop returning it at once; DynamoDB's TTL deletes it
    /// later). Records whose lifetime is a storage policy rather than their own (events under a retention) leave
    /// this `None` and are written with [`Record::to_item_expiring`].
    fn expires_at(&self) -> Option<i64> {
        None
    }

    /// Every attribute except the store's own (keys, `expires_at`, `type`).
    fn attrs(&self) -> Result<Map<String, Value>, StoreError>;

    /// The record an item's key and attributes hold (`type` already checked and removed).
    fn from_attrs(key: Key, attrs: Map<String, Value>) -> Result<Self, StoreError>;

    /// The item to store, with the record's own expiry.
    fn to_item(&self) -> Result<Item, StoreError> {
        self.to_item_expiring(self.expires_at())
    }

    /// The item to store, expiring at `expires_at`.
    fn to_item_expiring(&self, expires_at: Option<i64>) -> Result<Item, StoreError> {
        let key = self.key();
        let mut attrs = self.attrs()?;
        attrs.insert(TYPE_ATTR.to_owned(), Value::from(Self::TYPE));
        Ok(Item {
            pk: key.pk,
            sk: key.sk,
            gsi1: self.gsi1(),
            expires_at,
            attrs,
        })
    }

    /// The record a stored item holds. An item of another `type` is refused; an item without one (written before
    /// every item carried `type`) is read as this type.
    fn from_item(item: Item) -> Result<Self, StoreError> {
        let Item {
            pk, sk, mut attrs, ..
        } = item;
        match attrs.remove(TYPE_ATTR) {
            None => {}
            Some(Value::String(t)) if t == Self::TYPE => {}
            Some(other) => {
                return Err(StoreError::Corrupt {
                    pk,
                    sk,
                    reason: format!("type is {other}, expected {:?}", Self::TYPE),
                });
            }
        }
        Self::from_attrs(Key { pk, sk }, attrs)
    }
}

/// A serde data type's fields as attributes (for [`Record::attrs`]).
pub fn serde_attrs<T: Serialize>(value: &T, key: &Key) -> Result<Map<String, Value>, StoreError> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(invalid(
            key,
            "a record must serialise to a JSON object".to_owned(),
        )),
        Err(e) => Err(invalid(key, e.to_string())),
    }
}

/// A serde data type from attributes (for [`Record::from_attrs`]).
pub fn serde_from_attrs<T: DeserializeOwned>(
    key: &Key,
    attrs: Map<String, Value>,
) -> Result<T, StoreError> {
    serde_json::from_value(Value::Object(attrs)).map_err(|e| StoreError::Corrupt {
        pk: key.pk.clone(),
        sk: key.sk.clone(),
        reason: e.to_string(),
    })
}

fn invalid(key: &Key, reason: String) -> StoreError {
    StoreError::InvalidItem {
        pk: key.pk.clone(),
        sk: key.sk.clone(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Note {
        #[serde(skip)]
        id: String,
        text: String,
    }

    impl Record for Note {
        const TYPE: &'static str = "note";
        fn key(&self) -> Key {
            Key {
                pk: format!("NOTE#{}", self.id),
                sk: "NOTE".to_owned(),
            }
        }
        fn attrs(&self) -> Result<Map<String, Value>, StoreError> {
            serde_attrs(self, &self.key())
        }
        fn from_attrs(key: Key, attrs: Map<String, Value>) -> Result<Self, StoreError> {
            let mut note: Note = serde_from_attrs(&key, attrs)?;
            note.id = key.pk.strip_prefix("NOTE#").unwrap_or_default().to_owned();
            Ok(note)
        }
    }

    #[test]
    fn round_trip_with_type() {
        let note = Note {
            id: "1".into(),
            text: "hi".into(),
        };
        let item = note.to_item().unwrap();
        assert_eq!(item.attrs[TYPE_ATTR], "note");
        assert_eq!(item.expires_at, None);
        assert_eq!(Note::from_item(item.clone()).unwrap(), note);
        let mut untyped = item.clone();
        untyped.attrs.remove(TYPE_ATTR);
        assert_eq!(Note::from_item(untyped).unwrap(), note);
        let mut other = item;
        other.attrs.insert(TYPE_ATTR.into(), Value::from("event"));
        assert!(matches!(
            Note::from_item(other),
            Err(StoreError::Corrupt { .. })
        ));
    }
}
