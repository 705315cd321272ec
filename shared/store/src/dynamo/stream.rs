//! Items as a DynamoDB stream carries them: a record's `NewImage` is the item's attribute map in DynamoDB JSON
//! (`{"pk": {"S": "DEVICE#..."}, ...}`), which `aws_lambda_events` reads as a [`serde_dynamo::Item`].
//!
//! Both directions go through the table's own mapping ([`to_attribute_map`], [`from_attribute_map`]), so a stream
//! image decodes exactly as a read of the item would, whichever backend stored it (the local change feed builds
//! images from SQLite rows with [`to_stream_image`]).

use crate::dynamo::mapping::{AttributeMap, from_attribute_map, to_attribute_map};
use crate::error::StoreError;
use crate::item::Item;

/// The image a stream record carries for `item`.
pub fn to_stream_image(item: &Item) -> Result<serde_dynamo::Item, StoreError> {
    Ok(to_attribute_map(item)?.into())
}

/// The [`Item`] a stream record's image holds.
pub fn from_stream_image(image: serde_dynamo::Item) -> Result<Item, StoreError> {
    let map: AttributeMap = image.into();
    from_attribute_map(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn image_round_trips_through_dynamodb_json() {
        let item = Item {
            pk: "DEVICE#0a".into(),
            sk: "EVENT#2026-11-26T10:00:00.000Z#e1".into(),
            gsi1: Some(("NAME#t".into(), "2026-11-26T10:00:00.000Z#0a".into())),
            expires_at: Some(1_900_000_000),
            attrs: json!({"data": "21.5", "product_id": 42, "type": "event"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        };
        let image = to_stream_image(&item).unwrap();
        let text = serde_json::to_value(&image).unwrap();
        assert_eq!(text["pk"], json!({"S": "DEVICE#0a"}));
        assert_eq!(text["product_id"], json!({"N": "42"}));
        assert_eq!(text["expires_at"], json!({"N": "1900000000"}));
        let back: serde_dynamo::Item = serde_json::from_value(text).unwrap();
        assert_eq!(from_stream_image(back).unwrap(), item);
    }

    #[test]
    fn image_without_keys_is_corrupt() {
        let image: serde_dynamo::Item =
            serde_json::from_value(json!({"data": {"S": "x"}})).unwrap();
        assert!(matches!(
            from_stream_image(image),
            Err(StoreError::Corrupt { .. })
        ));
    }
}
