//! The event's data, untrusted JSON, to what the device observed: a GNSS fix or a raw scan.
//!
//! Forms read (`reference/particle.md` §4.2, §4.6):
//! - google-maps-device-locator Wi-Fi: `{"w":{"i":true?,"a":[{"m":"aa:bb:..","s":-62,"c":6}]}}` (`m` BSSID,
//!   `s` RSSI dBm, `c` channel; `i` asks for IP fallback, from the predecessor rickkas7/locator).
//! - google-maps-device-locator cellular: `{"c":{"o":"AT&T","a":[{"i":145073610,"l":11511,"c":310,"n":410}]}}`
//!   (`o` operator name, `i` cell id, `l` LAC, `c` MCC, `n` MNC).
//! - Tracker `loc`: a GNSS lock (`loc.lck == 1` with `loc.lat`, `loc.lon`, `loc.h_acc`) is a fix; otherwise
//!   `towers[]` (`str` dBm, `rat`, `mcc`, `mnc`, `lac`, `cid`) and `wps[]` (`bssid`, `str` dBm, `ch`), read at
//!   the top level of the event (where tracker-edge's `buildTowerInfo`/`buildWpsInfo` write them) or inside
//!   `loc`. tracker-edge's neighbour cells carry only `nid`, `ch` and `str`, no identity, so they are skipped.
//!   With `min_publish` set, a lock comes without `h_acc` and is not a usable fix (no accuracy is invented).
//!
//! Entries are read one by one: a malformed entry (a missing or non-numeric field) is skipped, not fatal, and
//! [`normalise`](mod@crate::normalise) decides what is usable. Numbers may be JSON numbers or decimal strings, since a
//! template upstream may have stringified them.

mod node;

use thiserror::Error;

use crate::location::Location;
use crate::radio::Radio;
use node::Node;

/// Longest data accepted: Device OS 6.3's event data limit. The webhook front end enforces it too; this keeps
/// the parser safe on its own (`forward` may call it on events from the stream).
pub const MAX_DATA_BYTES: usize = 16_384;

/// Most entries of each kind read from one scan; the rest are ignored. A real scan holds far fewer (the device
/// library fits what it can in 256 bytes), and the bound keeps a hostile event cheap.
pub const MAX_ENTRIES: usize = 64;

/// Why the data is not a scan. The function answers all of these `422 invalid_scan` with no provider call.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScanError {
    #[error("the scan is {len} bytes; at most {max} are accepted")]
    TooLarge { len: usize, max: usize },
    #[error("the event data is not JSON ({0})")]
    NotJson(String),
    #[error(
        "the event data is not a scan: expected the device locator's Wi-Fi (`w`) or cellular (`c`) object, or a \
         Tracker `loc` event with a GNSS fix, `towers` or `wps`"
    )]
    NotAScan,
    #[error(
        "the scan holds {access_points} usable Wi-Fi access point(s) and no usable cell tower; at least two access \
         points or one tower are needed"
    )]
    TooFew { access_points: usize },
}

/// What the device observed, before normalisation.
#[derive(Debug, Clone, PartialEq)]
pub enum Observation {
    /// A Tracker GNSS fix, answered as it is.
    Fix(Location),
    Scan(RawScan),
}

/// A scan as sent, entries in the order sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawScan {
    /// The device asked for IP-based fallback (`w.i: true`). False otherwise, Google's default (true) being
    /// wrong here: the IP Google would see is this server's, not the device's.
    pub consider_ip: bool,
    /// The operator name (`c.o`), when not empty.
    pub carrier: Option<String>,
    pub access_points: Vec<RawAccessPoint>,
    pub towers: Vec<RawTower>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RawAccessPoint {
    pub mac: String,
    pub signal: Option<i64>,
    pub channel: Option<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RawTower {
    pub cell_id: u64,
    pub lac: u64,
    pub mcc: u64,
    pub mnc: u64,
    pub radio: Option<Radio>,
    pub signal: Option<i64>,
}

/// Parses the event's data (already decoded from the webhook body: form-encoding and JSON string escapes gone).
pub fn parse(data: &str) -> Result<Observation, ScanError> {
    if data.len() > MAX_DATA_BYTES {
        return Err(ScanError::TooLarge {
            len: data.len(),
            max: MAX_DATA_BYTES,
        });
    }
    let root: Node<'_> =
        serde_json::from_str(data).map_err(|e| ScanError::NotJson(e.to_string()))?;
    if !root.is_object() {
        return Err(ScanError::NotAScan);
    }
    let wifi = root.get("w").filter(|w| w.is_object());
    let cell = root.get("c").filter(|c| c.is_object());
    if wifi.is_some() || cell.is_some() {
        return Ok(Observation::Scan(device_library(wifi, cell)));
    }
    let loc = root.get("loc").filter(|l| l.is_object());
    if let Some(fix) = loc.and_then(gnss_fix) {
        return Ok(Observation::Fix(fix));
    }
    let towers = list(&root, loc, "towers");
    let wps = list(&root, loc, "wps");
    if loc.is_none() && towers.is_none() && wps.is_none() {
        return Err(ScanError::NotAScan);
    }
    Ok(Observation::Scan(tracker(towers, wps)))
}

fn device_library(wifi: Option<&Node<'_>>, cell: Option<&Node<'_>>) -> RawScan {
    let mut scan = RawScan::default();
    if let Some(w) = wifi {
        scan.consider_ip = w.get("i").is_some_and(Node::truthy);
        scan.access_points = entries(w.get("a"))
            .filter_map(|ap| {
                Some(RawAccessPoint {
                    mac: ap.get("m")?.as_str()?.to_owned(),
                    signal: ap.get("s").and_then(Node::as_int),
                    channel: ap.get("c").and_then(Node::as_uint),
                })
            })
            .collect();
    }
    if let Some(c) = cell {
        scan.carrier = c
            .get("o")
            .and_then(Node::as_str)
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(str::to_owned);
        scan.towers = entries(c.get("a"))
            .filter_map(|t| {
                Some(RawTower {
                    cell_id: t.get("i")?.as_uint()?,
                    lac: t.get("l")?.as_uint()?,
                    mcc: t.get("c")?.as_uint()?,
                    mnc: t.get("n")?.as_uint()?,
                    // The library's payload names no radio; the hook it came with hard-coded `gsm`, which is
                    // wrong for LTE devices, so none is claimed.
                    radio: None,
                    signal: None,
                })
            })
            .collect();
    }
    scan
}

fn tracker(towers: Option<&Node<'_>>, wps: Option<&Node<'_>>) -> RawScan {
    RawScan {
        consider_ip: false,
        carrier: None,
        access_points: entries(wps)
            .filter_map(|ap| {
                Some(RawAccessPoint {
                    mac: ap.get("bssid")?.as_str()?.to_owned(),
                    signal: ap.get("str").and_then(Node::as_int),
                    channel: ap.get("ch").and_then(Node::as_uint),
                })
            })
            .collect(),
        towers: entries(towers)
            .filter_map(|t| {
                Some(RawTower {
                    cell_id: t.get("cid")?.as_uint()?,
                    lac: t.get("lac")?.as_uint()?,
                    mcc: t.get("mcc")?.as_uint()?,
                    mnc: t.get("mnc")?.as_uint()?,
                    radio: t
                        .get("rat")
                        .and_then(Node::as_str)
                        .and_then(Radio::from_scan),
                    signal: t.get("str").and_then(Node::as_int),
                })
            })
            .collect(),
    }
}

/// A Tracker GNSS lock with a usable position and accuracy.
fn gnss_fix(loc: &Node<'_>) -> Option<Location> {
    if loc.get("lck").and_then(Node::as_uint) != Some(1) {
        return None;
    }
    let num = |k: &str| loc.get(k).and_then(Node::as_f64);
    Location::checked(num("lat")?, num("lon")?, num("h_acc")?)
}

/// The array `name` at the top level of the event, else inside `loc`.
fn list<'n, 'a>(root: &'n Node<'a>, loc: Option<&'n Node<'a>>, name: &str) -> Option<&'n Node<'a>> {
    root.get(name)
        .filter(|n| n.as_array().is_some())
        .or_else(|| loc?.get(name).filter(|n| n.as_array().is_some()))
}

/// The objects of an array, at most [`MAX_ENTRIES`] of its items looked at.
fn entries<'n, 'a>(array: Option<&'n Node<'a>>) -> impl Iterator<Item = &'n Node<'a>> {
    array
        .and_then(Node::as_array)
        .unwrap_or_default()
        .iter()
        .take(MAX_ENTRIES)
        .filter(|n| n.is_object())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_library_wifi() {
        let Ok(Observation::Scan(s)) = parse(
            r#"{"w":{"i":true,"a":[{"m":"aa:bb:cc:dd:ee:ff","s":-62,"c":6},{"m":"11:22:33:44:55:66","s":-80,"c":11}]}}"#,
        ) else {
            panic!("a scan")
        };
        assert!(s.consider_ip);
        assert_eq!(s.access_points.len(), 2);
        assert_eq!(s.access_points[1].signal, Some(-80));
        assert_eq!(s.access_points[1].channel, Some(11));
    }

    #[test]
    fn device_library_cellular_fields() {
        let Ok(Observation::Scan(s)) =
            parse(r#"{"c":{"o":"AT&T","a":[{"i":145073610,"l":11511,"c":310,"n":410}]}}"#)
        else {
            panic!("a scan")
        };
        assert!(!s.consider_ip);
        assert_eq!(s.carrier.as_deref(), Some("AT&T"));
        assert_eq!(
            s.towers,
            vec![RawTower {
                cell_id: 145073610,
                lac: 11511,
                mcc: 310,
                mnc: 410,
                radio: None,
                signal: None
            }]
        );
    }

    #[test]
    fn gnss_fix_needs_a_lock_and_numbers() {
        let fix = r#"{"cmd":"loc","loc":{"lck":1,"lat":37.295945,"lon":-121.98683,"h_acc":10.0}}"#;
        assert_eq!(
            parse(fix),
            Ok(Observation::Fix(Location {
                lat: 37.295945,
                lng: -121.98683,
                accuracy: 10.0
            }))
        );
        let unlocked = r#"{"cmd":"loc","loc":{"lck":0,"lat":37.2,"lon":-121.9,"h_acc":10.0}}"#;
        assert!(matches!(parse(unlocked), Ok(Observation::Scan(s)) if s.towers.is_empty()));
    }

    #[test]
    fn errors() {
        assert!(matches!(parse("aa:bb"), Err(ScanError::NotJson(_))));
        assert_eq!(parse("[1,2]"), Err(ScanError::NotAScan));
        assert_eq!(parse(r#"{"temp":20}"#), Err(ScanError::NotAScan));
        assert_eq!(parse("\"w\""), Err(ScanError::NotAScan));
        let big = format!(
            "{{\"w\":{{\"a\":[]}},\"pad\":\"{}\"}}",
            "x".repeat(MAX_DATA_BYTES)
        );
        assert!(matches!(parse(&big), Err(ScanError::TooLarge { .. })));
    }

    #[test]
    fn malformed_entries_are_skipped() {
        let Ok(Observation::Scan(s)) = parse(
            r#"{"w":{"a":[{"m":5},{"s":-50},"x",{"m":"aa:bb:cc:dd:ee:01","s":"-70","c":"6"}]},
                "c":{"o":"","a":[{"i":1,"l":2,"c":310},{"i":-1,"l":2,"c":310,"n":4}]}}"#,
        ) else {
            panic!("a scan")
        };
        assert_eq!(s.access_points.len(), 1);
        assert_eq!(s.access_points[0].signal, Some(-70));
        assert_eq!(s.access_points[0].channel, Some(6));
        assert!(s.towers.is_empty());
        assert_eq!(s.carrier, None);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        assert!(matches!(parse(&deep), Err(ScanError::NotJson(_))));
    }
}
