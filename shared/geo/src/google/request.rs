//! The JSON body of a Google Geolocation request.
//!
//! - `considerIp`: always sent, false unless the device asked (`w.i: true`): Google's default is true, and the
//!   IP Google would see is this server's, which turns "unknown place" into a confident wrong answer.
//! - `radioType`: the serving (first) tower's radio, only when the scan names one; never guessed.
//! - `carrier`: the operator name, when given.
//! - `cellTowers`: `cellId` (`newRadioCellId` for NR), `locationAreaCode`, `mobileCountryCode`,
//!   `mobileNetworkCode`.
//! - `wifiAccessPoints`: `macAddress`, and `signalStrength` and `channel` when the device reported them.
//!
//! Empty lists are left out.

use serde::Serialize;

use crate::mac::Mac;
use crate::normalise::Scan;
use crate::radio::Radio;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Body<'a> {
    consider_ip: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    radio_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    carrier: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    cell_towers: Vec<CellTower>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    wifi_access_points: Vec<WifiAccessPoint>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CellTower {
    #[serde(skip_serializing_if = "Option::is_none")]
    cell_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new_radio_cell_id: Option<u64>,
    location_area_code: u32,
    mobile_country_code: u16,
    mobile_network_code: u16,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WifiAccessPoint {
    mac_address: Mac,
    #[serde(skip_serializing_if = "Option::is_none")]
    signal_strength: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    channel: Option<u32>,
}

/// The request body, as bytes to send.
pub fn body(scan: &Scan) -> Vec<u8> {
    let body = Body {
        consider_ip: scan.consider_ip,
        radio_type: scan
            .towers
            .first()
            .and_then(|t| t.radio)
            .map(Radio::google_name),
        carrier: scan.carrier.as_deref(),
        cell_towers: scan
            .towers
            .iter()
            .map(|t| {
                // Google rejects `cellId` for NR cells and wants the 36-bit `newRadioCellId` instead.
                let nr = t.radio == Some(Radio::Nr);
                CellTower {
                    cell_id: (!nr).then_some(t.cell_id),
                    new_radio_cell_id: nr.then_some(t.cell_id),
                    location_area_code: t.lac,
                    mobile_country_code: t.mcc,
                    mobile_network_code: t.mnc,
                }
            })
            .collect(),
        wifi_access_points: scan
            .access_points
            .iter()
            .map(|a| WifiAccessPoint {
                mac_address: a.mac,
                signal_strength: a.signal,
                channel: a.channel,
            })
            .collect(),
    };
    // Serialising these plain structs cannot fail (no maps with non-string keys, no foreign Serialize impls
    // that error); an empty body would still be refused by Google rather than crash us.
    serde_json::to_vec(&body).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Reading;
    use crate::read;

    fn body_of(data: &str) -> serde_json::Value {
        let Ok(Reading::Scan(scan)) = read(data) else {
            panic!("a scan: {data}")
        };
        serde_json::from_slice(&body(&scan)).expect("json")
    }

    #[test]
    fn wifi_body() {
        assert_eq!(
            body_of(
                r#"{"w":{"a":[{"m":"AA:BB:CC:DD:EE:01","s":-62,"c":6},{"m":"aa:bb:cc:dd:ee:02","s":-80}]}}"#
            ),
            serde_json::json!({
                "considerIp": false,
                "wifiAccessPoints": [
                    {"macAddress": "aa:bb:cc:dd:ee:01", "signalStrength": -62, "channel": 6},
                    {"macAddress": "aa:bb:cc:dd:ee:02", "signalStrength": -80}
                ]
            })
        );
    }

    #[test]
    fn cellular_body_names_no_radio() {
        assert_eq!(
            body_of(r#"{"c":{"o":"AT&T","a":[{"i":145073610,"l":11511,"c":310,"n":410}]}}"#),
            serde_json::json!({
                "considerIp": false,
                "carrier": "AT&T",
                "cellTowers": [{"cellId": 145073610, "locationAreaCode": 11511, "mobileCountryCode": 310, "mobileNetworkCode": 410}]
            })
        );
    }

    #[test]
    fn tracker_radio_and_nr() {
        let v = body_of(
            r#"{"cmd":"loc","loc":{"lck":0},"towers":[{"rat":"nr","mcc":310,"mnc":260,"lac":100,"cid":68719476734,"str":-90}]}"#,
        );
        assert_eq!(v["radioType"], "nr");
        assert_eq!(v["cellTowers"][0]["newRadioCellId"], 68719476734u64);
        assert!(v["cellTowers"][0].get("cellId").is_none());
    }
}
