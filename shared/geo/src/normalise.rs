//! The usable part of a scan, deduplicated, and where a location comes from.
//!
//! Rules:
//! - Access points: the MAC parsed and printed in lower-case colon form ([`Mac`]); malformed, all-zero,
//!   broadcast and multicast addresses dropped; a repeated MAC keeps its first entry. A single remaining access
//!   point is dropped too: Google needs two or more, and one tells no provider anything.
//! - Towers: dropped when `lac` is 0 or 65535 or above (the unknown markers, and more than 16 bits), `mcc` is 0
//!   or above 999, `mnc` above 999 (so 65535, the unknown marker, is out), or the cell id does not fit its radio
//!   (32 bits; 36 bits for NR) or is 0xFFFFFFFF (unknown). The first tower stays first: it is the serving cell,
//!   which Unwired Labs requires first. A repeated tower (same radio, mcc, mnc, lac, cell id) keeps its first entry.
//! - Usable: two access points or one tower, else [`ScanError::TooFew`].

use crate::mac::Mac;
use crate::radio::Radio;
use crate::scan::{RawScan, ScanError};

/// A normalised scan: what goes to a provider and into the cache key.
#[derive(Debug, Clone, PartialEq)]
pub struct Scan {
    pub consider_ip: bool,
    pub carrier: Option<String>,
    pub access_points: Vec<AccessPoint>,
    pub towers: Vec<Tower>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AccessPoint {
    pub mac: Mac,
    /// RSSI in dBm, when the device reported one.
    pub signal: Option<i32>,
    pub channel: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tower {
    pub cell_id: u64,
    pub lac: u32,
    pub mcc: u16,
    pub mnc: u16,
    /// Only when the scan said (Tracker `rat`).
    pub radio: Option<Radio>,
    /// dBm, when the device reported one.
    pub signal: Option<i32>,
}

impl Tower {
    fn same_cell(&self, other: &Tower) -> bool {
        (self.radio, self.mcc, self.mnc, self.lac, self.cell_id)
            == (other.radio, other.mcc, other.mnc, other.lac, other.cell_id)
    }
}

/// Where a location comes from, as stored with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Wifi,
    Cell,
    WifiCell,
    Gnss,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Wifi => "wifi",
            Source::Cell => "cell",
            Source::WifiCell => "wifi+cell",
            Source::Gnss => "gnss",
        }
    }
}

impl Scan {
    /// `wifi`, `cell` or `wifi+cell` by what the normalised scan holds.
    pub fn source(&self) -> Source {
        match (self.access_points.is_empty(), self.towers.is_empty()) {
            (false, true) => Source::Wifi,
            (true, false) => Source::Cell,
            _ => Source::WifiCell,
        }
    }
}

/// Applies the rules above.
pub fn normalise(raw: RawScan) -> Result<Scan, ScanError> {
    let mut access_points: Vec<AccessPoint> = Vec::with_capacity(raw.access_points.len());
    for ap in &raw.access_points {
        let Some(mac) = Mac::parse(&ap.mac).filter(Mac::is_usable) else {
            continue;
        };
        // Linear search: scans hold a handful of entries (at most `scan::MAX_ENTRIES`).
        if access_points.iter().any(|seen| seen.mac == mac) {
            continue;
        }
        access_points.push(AccessPoint {
            mac,
            signal: ap.signal.and_then(|s| i32::try_from(s).ok()),
            channel: ap.channel.and_then(|c| u32::try_from(c).ok()),
        });
    }
    let mut towers: Vec<Tower> = Vec::with_capacity(raw.towers.len());
    for t in &raw.towers {
        let Some(tower) = usable_tower(t) else {
            continue;
        };
        if !towers.iter().any(|seen| seen.same_cell(&tower)) {
            towers.push(tower);
        }
    }
    if access_points.len() < 2 {
        if towers.is_empty() {
            return Err(ScanError::TooFew {
                access_points: access_points.len(),
            });
        }
        access_points.clear();
    }
    Ok(Scan {
        consider_ip: raw.consider_ip,
        carrier: raw.carrier,
        access_points,
        towers,
    })
}

fn usable_tower(t: &crate::scan::RawTower) -> Option<Tower> {
    let lac = u32::try_from(t.lac).ok().filter(|&l| l != 0 && l < 65535)?;
    let mcc = u16::try_from(t.mcc)
        .ok()
        .filter(|&m| (1..=999).contains(&m))?;
    let mnc = u16::try_from(t.mnc).ok().filter(|&m| m <= 999)?;
    let max_cell_id = if t.radio == Some(Radio::Nr) {
        (1 << 36) - 1
    } else {
        u64::from(u32::MAX) - 1
    };
    let cell_id = Some(t.cell_id).filter(|&c| c <= max_cell_id)?;
    Some(Tower {
        cell_id,
        lac,
        mcc,
        mnc,
        radio: t.radio,
        signal: t.signal.and_then(|s| i32::try_from(s).ok()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::{RawAccessPoint, RawTower};

    fn ap(mac: &str) -> RawAccessPoint {
        RawAccessPoint {
            mac: mac.to_owned(),
            signal: Some(-60),
            channel: Some(6),
        }
    }

    fn tower(cell_id: u64, lac: u64, mcc: u64, mnc: u64) -> RawTower {
        RawTower {
            cell_id,
            lac,
            mcc,
            mnc,
            radio: None,
            signal: None,
        }
    }

    #[test]
    fn macs_are_normalised_and_bad_ones_dropped() {
        let raw = RawScan {
            access_points: vec![
                ap("AA:BB:CC:DD:EE:01"),
                ap("aa-bb-cc-dd-ee-01"),
                ap("00:00:00:00:00:00"),
                ap("ff:ff:ff:ff:ff:ff"),
                ap("01:00:5e:7f:ff:fa"),
                ap("not a mac"),
                ap("aabbccddee02"),
            ],
            ..RawScan::default()
        };
        let scan = normalise(raw).expect("two usable");
        let macs: Vec<String> = scan
            .access_points
            .iter()
            .map(|a| a.mac.to_string())
            .collect();
        assert_eq!(macs, ["aa:bb:cc:dd:ee:01", "aa:bb:cc:dd:ee:02"]);
        assert_eq!(scan.source(), Source::Wifi);
    }

    #[test]
    fn towers_with_unknown_markers_are_dropped() {
        let raw = RawScan {
            towers: vec![
                tower(1, 0, 310, 410),
                tower(1, 65535, 310, 410),
                tower(1, 11511, 65535, 410),
                tower(1, 11511, 310, 65535),
                tower(1, 11511, 0, 410),
                tower(u64::from(u32::MAX), 11511, 310, 410),
                tower(145073610, 11511, 310, 410),
                tower(145073610, 11511, 310, 410),
                tower(7, 11511, 310, 410),
            ],
            ..RawScan::default()
        };
        let scan = normalise(raw).expect("usable");
        let ids: Vec<u64> = scan.towers.iter().map(|t| t.cell_id).collect();
        assert_eq!(ids, [145073610, 7], "first stays first, duplicates gone");
        assert_eq!(scan.source(), Source::Cell);
    }

    #[test]
    fn too_few() {
        let one = RawScan {
            access_points: vec![ap("aa:bb:cc:dd:ee:01"), ap("AA:BB:CC:DD:EE:01")],
            ..RawScan::default()
        };
        assert_eq!(normalise(one), Err(ScanError::TooFew { access_points: 1 }));
        let none = RawScan {
            towers: vec![tower(1, 0, 310, 410)],
            ..RawScan::default()
        };
        assert_eq!(normalise(none), Err(ScanError::TooFew { access_points: 0 }));
    }

    #[test]
    fn lone_access_point_beside_a_tower_is_dropped() {
        let raw = RawScan {
            access_points: vec![ap("aa:bb:cc:dd:ee:01")],
            towers: vec![tower(7, 11511, 310, 410)],
            ..RawScan::default()
        };
        let scan = normalise(raw).expect("a tower");
        assert!(scan.access_points.is_empty());
        assert_eq!(scan.source(), Source::Cell);
    }

    #[test]
    fn wifi_and_cell_together() {
        let raw = RawScan {
            access_points: vec![ap("aa:bb:cc:dd:ee:01"), ap("aa:bb:cc:dd:ee:02")],
            towers: vec![tower(7, 11511, 310, 410)],
            ..RawScan::default()
        };
        assert_eq!(normalise(raw).map(|s| s.source()), Ok(Source::WifiCell));
    }
}
