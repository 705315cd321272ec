//! Every key of the data model, built in one place (the README's data model table and `shared/DESIGN.md`).
//!
//! Sort keys that hold times lead with the time (RFC 3339 UTC, millisecond precision), so a range of sort keys
//! is a range of time. Functions outside this module never spell a key prefix themselves.

use crate::item::Key;

/// Prefix of a device's partition.
pub const DEVICE: &str = "DEVICE#";
/// Prefix of event sort keys in a device's partition.
pub const EVENT: &str = "EVENT#";
/// Prefix of the event name partitions of `gsi1`.
pub const NAME: &str = "NAME#";
/// Prefix of location sort keys in a device's partition.
pub const LOCATION: &str = "LOCATION#";
/// Sort key of a device's latest location.
pub const LATEST_LOCATION: &str = "LATEST#LOCATION";
/// Prefix of geolocation cache partitions; also the cache entry's sort key.
pub const GEOCACHE: &str = "GEOCACHE";
/// Prefix of reply partitions.
pub const REPLY: &str = "REPLY#";
/// Prefix of reply sort keys.
pub const TOPIC: &str = "TOPIC#";
/// Prefix of pending command sort keys in a device's partition.
pub const PENDING: &str = "PENDING#";
/// Prefix of delivery sort keys in a device's partition.
pub const DELIVERY: &str = "DELIVERY#";
/// Prefix of a stream's partition.
pub const STREAM: &str = "STREAM#";
/// Sort key of a stream's shared state.
pub const STREAM_STATE: &str = "STATE";
/// Prefix of gap sort keys in a stream's partition.
pub const GAP: &str = "GAP#";

/// `DEVICE#<coreid>`: the partition of a device's events, locations, pending commands and deliveries.
pub fn device_pk(coreid: &str) -> String {
    format!("{DEVICE}{coreid}")
}

/// An event: `DEVICE#<coreid>` / `EVENT#<published_at>#<id>`.
pub fn event(coreid: &str, published_at: &str, id: &str) -> Key {
    Key {
        pk: device_pk(coreid),
        sk: format!("{EVENT}{published_at}#{id}"),
    }
}

/// An event's `gsi1` pair: `NAME#<name>` / `<published_at>#<coreid>`.
pub fn event_gsi1(name: &str, published_at: &str, coreid: &str) -> (String, String) {
    (name_gsi1pk(name), format!("{published_at}#{coreid}"))
}

/// `NAME#<name>`: the `gsi1` partition of every device's events of one name.
pub fn name_gsi1pk(name: &str) -> String {
    format!("{NAME}{name}")
}

/// A location: `DEVICE#<coreid>` / `LOCATION#<published_at>#<event id>`.
pub fn location(coreid: &str, published_at: &str, event_id: &str) -> Key {
    Key {
        pk: device_pk(coreid),
        sk: format!("{LOCATION}{published_at}#{event_id}"),
    }
}

/// A device's latest location: `DEVICE#<coreid>` / `LATEST#LOCATION`.
pub fn latest_location(coreid: &str) -> Key {
    Key {
        pk: device_pk(coreid),
        sk: LATEST_LOCATION.to_owned(),
    }
}

/// A geolocation cache entry: `GEOCACHE#<scan hash>` / `GEOCACHE`.
pub fn geocache(scan_hash: &str) -> Key {
    Key {
        pk: format!("{GEOCACHE}#{scan_hash}"),
        sk: GEOCACHE.to_owned(),
    }
}

/// Whose reply template a reply item holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyScope<'a> {
    /// Every device.
    Default,
    /// The devices of one product.
    Product(u32),
    /// One device.
    Device(&'a str),
}

/// `REPLY#default` / `REPLY#product:<id>` / `REPLY#device:<coreid>`.
pub fn reply_pk(scope: ReplyScope<'_>) -> String {
    match scope {
        ReplyScope::Default => format!("{REPLY}default"),
        ReplyScope::Product(id) => format!("{REPLY}product:{id}"),
        ReplyScope::Device(coreid) => format!("{REPLY}device:{coreid}"),
    }
}

/// A reply template: `REPLY#<scope>` / `TOPIC#<topic>`.
pub fn reply(scope: ReplyScope<'_>, topic: &str) -> Key {
    Key {
        pk: reply_pk(scope),
        sk: format!("{TOPIC}{topic}"),
    }
}

/// `gsi1` partition of every reply, so they can be listed without a scan.
pub const REPLIES: &str = "REPLIES";

/// A reply's `gsi1` pair: `REPLIES` / `<scope>#<topic>` (scope as in [`reply_pk`], without `REPLY#`).
pub fn reply_gsi1(scope: ReplyScope<'_>, topic: &str) -> (String, String) {
    let pk = reply_pk(scope);
    let scope = pk.strip_prefix(REPLY).unwrap_or(&pk);
    (REPLIES.to_owned(), format!("{scope}#{topic}"))
}

/// A pending command: `DEVICE#<coreid>` / `PENDING#<created>#<id>`.
pub fn pending_command(coreid: &str, created: &str, id: &str) -> Key {
    Key {
        pk: device_pk(coreid),
        sk: format!("{PENDING}{created}#{id}"),
    }
}

/// A delivery: `DEVICE#<coreid>` / `DELIVERY#<at>#<event or command id>#<target>`.
pub fn delivery(coreid: &str, at: &str, source_id: &str, target: &str) -> Key {
    Key {
        pk: device_pk(coreid),
        sk: format!("{DELIVERY}{at}#{source_id}#{target}"),
    }
}

/// `STREAM#<stream key>`: the partition of one SSE stream's state and gaps (the key is the events path and the
/// prefix, e.g. `/v1/devices/events/env/`).
pub fn stream_pk(stream_key: &str) -> String {
    format!("{STREAM}{stream_key}")
}

/// The stream key a `STREAM#...` partition key names.
pub fn stream_key_of(pk: &str) -> Option<&str> {
    pk.strip_prefix(STREAM)
}

/// A stream's shared state: `STREAM#<stream key>` / `STATE`.
pub fn stream_state(stream_key: &str) -> Key {
    Key {
        pk: stream_pk(stream_key),
        sk: STREAM_STATE.to_owned(),
    }
}

/// A gap of a stream: `STREAM#<stream key>` / `GAP#<from>#<drainer>`.
pub fn gap(stream_key: &str, from: &str, drainer: &str) -> Key {
    Key {
        pk: stream_pk(stream_key),
        sk: format!("{GAP}{from}#{drainer}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_match_the_data_model() {
        let k = event("0a", "2026-11-26T10:00:00.000Z", "e1");
        assert_eq!(
            (k.pk.as_str(), k.sk.as_str()),
            ("DEVICE#0a", "EVENT#2026-11-26T10:00:00.000Z#e1")
        );
        assert_eq!(
            event_gsi1("temp", "2026-11-26T10:00:00.000Z", "0a"),
            (
                "NAME#temp".to_owned(),
                "2026-11-26T10:00:00.000Z#0a".to_owned()
            )
        );
        assert_eq!(location("0a", "T", "e1").sk, "LOCATION#T#e1");
        assert_eq!(latest_location("0a").sk, "LATEST#LOCATION");
        let g = geocache("ab12");
        assert_eq!(
            (g.pk.as_str(), g.sk.as_str()),
            ("GEOCACHE#ab12", "GEOCACHE")
        );
        assert_eq!(reply_pk(ReplyScope::Default), "REPLY#default");
        assert_eq!(reply_pk(ReplyScope::Product(42)), "REPLY#product:42");
        assert_eq!(reply(ReplyScope::Device("0a"), "t/x").pk, "REPLY#device:0a");
        assert_eq!(reply(ReplyScope::Default, "t/x").sk, "TOPIC#t/x");
        assert_eq!(
            reply_gsi1(ReplyScope::Product(3), "a/b"),
            ("REPLIES".to_owned(), "product:3#a/b".to_owned())
        );
        assert_eq!(pending_command("0a", "C", "p1").sk, "PENDING#C#p1");
        assert_eq!(delivery("0a", "A", "e1", "hook").sk, "DELIVERY#A#e1#hook");
        let s = stream_state("/v1/devices/events/env/");
        assert_eq!(
            (s.pk.as_str(), s.sk.as_str()),
            ("STREAM#/v1/devices/events/env/", "STATE")
        );
        assert_eq!(gap("/x", "F", "d").sk, "GAP#F#d");
        assert_eq!(stream_key_of(&s.pk), Some("/v1/devices/events/env/"));
        assert_eq!(stream_key_of("DEVICE#0a"), None);
    }
}
