//! Deterministic event ids.
//!
//! A webhook retry, an overlapping SSE window and the same event arriving by both paths must all map to ONE
//! stored item, so the id is a hash of what the device published, never of how it reached us.

use sha2::{Digest, Sha256};

/// Length of an event id in characters (128 bits, lower-case hex).
pub const EVENT_ID_LEN: usize = 32;

/// The id of an event: the first 128 bits of SHA-256 over the length-prefixed fields
/// (`coreid`, `published_at`, `name`, `data`), as lower-case hex.
///
/// Inputs must already be normalised (see [`crate::validate`]): `published_at` is hashed in its stored shape
/// (UTC, exactly milliseconds, [`crate::clock::normalize_rfc3339`]), so `2017-02-01T21:08:05.763+00:00`,
/// `2017-02-01T21:08:05.7630Z` and `2017-02-01T21:08:05.763Z` give the same id, and an input that was already in
/// that shape (everything Particle sends) keeps the id it has always had. Length prefixes make the encoding unambiguous: no choice of
/// field contents can make two different events hash the same bytes.
pub fn event_id(coreid: &str, published_at: &str, name: &str, data: &str) -> String {
    let mut hasher = Sha256::new();
    for field in [coreid, published_at, name, data] {
        // Fields are bounded far below 4 GiB by validation, so u32 lengths are exact.
        hasher.update((field.len() as u32).to_le_bytes());
        hasher.update(field.as_bytes());
    }
    let digest = hasher.finalize();
    hex::encode(&digest[..EVENT_ID_LEN / 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_and_sensitive_to_every_field() {
        let base = event_id(
            "3f002b000000000000000000",
            "2017-02-01T21:08:05.763Z",
            "demo",
            "mydata",
        );
        assert_eq!(base.len(), EVENT_ID_LEN);
        assert_eq!(
            base,
            event_id(
                "3f002b000000000000000000",
                "2017-02-01T21:08:05.763Z",
                "demo",
                "mydata"
            )
        );
        for other in [
            event_id(
                "3f002b000000000000000001",
                "2017-02-01T21:08:05.763Z",
                "demo",
                "mydata",
            ),
            event_id(
                "3f002b000000000000000000",
                "2017-02-01T21:08:05.764Z",
                "demo",
                "mydata",
            ),
            event_id(
                "3f002b000000000000000000",
                "2017-02-01T21:08:05.763Z",
                "demo2",
                "mydata",
            ),
            event_id(
                "3f002b000000000000000000",
                "2017-02-01T21:08:05.763Z",
                "demo",
                "mydata2",
            ),
        ] {
            assert_ne!(base, other);
        }
    }

    /// Stored items are keyed by this id: it must never change for an input Particle can send. The value is the
    /// README's example answer for Particle's documented default webhook.
    #[test]
    fn golden_id_is_stable() {
        assert_eq!(
            event_id(
                "3f002b000000000000000000",
                "2017-02-01T21:08:05.763Z",
                "demo",
                "mydata"
            ),
            "d06f2b1ea051ca567a885eb79e5479e9"
        );
    }

    #[test]
    fn field_boundaries_are_unambiguous() {
        // Moving a character from one field to the next must change the id.
        assert_ne!(event_id("a", "b", "cd", ""), event_id("a", "b", "c", "d"));
    }
}
