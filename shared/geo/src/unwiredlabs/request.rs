//! The JSON body of an Unwired Labs LocationAPI request (its documented schema):
//!
//! `{"token", "radio"?, "mcc"?, "mnc"?, "cells":[{"lac","cid","radio"?,"mcc","mnc","signal"?}],
//!   "wifi":[{"bssid","signal"?,"channel"?}], "address":0}`
//!
//! - `radio`, `mcc`, `mnc` at the top are the serving (first) tower's; `radio` only when the scan names one.
//! - At most 7 cells (serving cell first, as required) and 15 access points, the API's limits.
//! - `address: 0`: no reverse geocoding, which costs time and is not used.
//! - `considerIp` has no counterpart here: Unwired Labs' IP fallback (`fallbacks.ipf`) would locate this
//!   server, not the device, so it is never asked for.
//! - Empty lists are left out.

use serde::Serialize;

use crate::mac::Mac;
use crate::normalise::Scan;

/// The API's limits per request.
pub const MAX_CELLS: usize = 7;
pub const MAX_WIFI: usize = 15;

#[derive(Serialize)]
struct Body<'a> {
    token: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    radio: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mcc: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mnc: Option<u16>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    cells: Vec<Cell>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    wifi: Vec<Wifi>,
    address: u8,
}

#[derive(Serialize)]
struct Cell {
    lac: u32,
    cid: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    radio: Option<&'static str>,
    mcc: u16,
    mnc: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    signal: Option<i32>,
}

#[derive(Serialize)]
struct Wifi {
    bssid: Mac,
    #[serde(skip_serializing_if = "Option::is_none")]
    signal: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    channel: Option<u32>,
}

/// The request body, as bytes to send. It holds the token: never log it.
pub fn body(scan: &Scan, token: &str) -> Vec<u8> {
    let serving = scan.towers.first();
    let body = Body {
        token,
        radio: serving.and_then(|t| t.radio).map(|r| r.unwiredlabs_name()),
        mcc: serving.map(|t| t.mcc),
        mnc: serving.map(|t| t.mnc),
        cells: scan
            .towers
            .iter()
            .take(MAX_CELLS)
            .map(|t| Cell {
                lac: t.lac,
                cid: t.cell_id,
                radio: t.radio.map(|r| r.unwiredlabs_name()),
                mcc: t.mcc,
                mnc: t.mnc,
                signal: t.signal,
            })
            .collect(),
        wifi: scan
            .access_points
            .iter()
            .take(MAX_WIFI)
            .map(|a| Wifi {
                bssid: a.mac,
                signal: a.signal,
                channel: a.channel,
            })
            .collect(),
        address: 0,
    };
    // Plain structs: serialising cannot fail.
    serde_json::to_vec(&body).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Reading, read};

    #[test]
    fn cellular_and_wifi_body() {
        let Ok(Reading::Scan(scan)) = read(
            r#"{"cmd":"loc","loc":{"lck":0},
                "towers":[{"rat":"lte","mcc":310,"mnc":410,"lac":7033,"cid":17811,"str":-91},
                          {"rat":"lte","mcc":310,"mnc":410,"lac":7033,"cid":17812}],
                "wps":[{"bssid":"00:17:C5:CD:CA:AA","str":-51,"ch":11},{"bssid":"d8:97:ba:c2:f0:5a"}]}"#,
        ) else {
            panic!("a scan")
        };
        let v: serde_json::Value = serde_json::from_slice(&body(&scan, "tok")).expect("json");
        assert_eq!(
            v,
            serde_json::json!({
                "token": "tok", "radio": "lte", "mcc": 310, "mnc": 410,
                "cells": [
                    {"lac": 7033, "cid": 17811, "radio": "lte", "mcc": 310, "mnc": 410, "signal": -91},
                    {"lac": 7033, "cid": 17812, "radio": "lte", "mcc": 310, "mnc": 410}
                ],
                "wifi": [
                    {"bssid": "00:17:c5:cd:ca:aa", "signal": -51, "channel": 11},
                    {"bssid": "d8:97:ba:c2:f0:5a"}
                ],
                "address": 0
            })
        );
    }

    #[test]
    fn limits() {
        let aps: Vec<String> = (0..20)
            .map(|i| format!(r#"{{"m":"aa:bb:cc:dd:ee:{i:02x}"}}"#))
            .collect();
        let Ok(Reading::Scan(scan)) = read(&format!(r#"{{"w":{{"a":[{}]}}}}"#, aps.join(",")))
        else {
            panic!("a scan")
        };
        let v: serde_json::Value = serde_json::from_slice(&body(&scan, "tok")).expect("json");
        assert_eq!(v["wifi"].as_array().map(Vec::len), Some(MAX_WIFI));
        assert!(v.get("cells").is_none() && v.get("radio").is_none() && v.get("mcc").is_none());
    }
}
