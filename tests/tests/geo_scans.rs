//! Recorded scans of every form through particle-geo's pure path (parse, normalise, cache key, request bodies),
//! read from webhook bodies the way the function receives them.

use particle_geo::{Location, Reading, ScanError, Source, cache_key, google, read, unwiredlabs};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/geo");

/// The event's data from a recorded webhook body, decoded by the same parser the functions use.
fn data_of(file: &str) -> String {
    let body = std::fs::read(format!("{FIXTURES}/{file}")).expect("fixture");
    let event = if file.ends_with(".txt") {
        particle_events::parse_webhook_form(&body, "2026-11-26T10:00:00.000Z")
    } else {
        particle_events::parse_webhook_json(&body, "2026-11-26T10:00:00.000Z")
    };
    event.expect("a valid webhook body").data
}

fn scan_of(data: &str) -> particle_geo::Scan {
    match read(data) {
        Ok(Reading::Scan(scan)) => scan,
        other => panic!("expected a scan from {data}, got {other:?}"),
    }
}

#[test]
fn form_encoded_cellular_scan_keeps_the_ampersand_in_the_operator() {
    let data = data_of("cellular-form.txt");
    assert!(data.contains(r#""o":"AT&T""#), "decoded: {data}");
    let scan = scan_of(&data);
    assert_eq!(scan.source(), Source::Cell);
    assert_eq!(scan.carrier.as_deref(), Some("AT&T"));
    assert_eq!(
        String::from_utf8(google::request::body(&scan)).expect("utf-8"),
        r#"{"considerIp":false,"carrier":"AT&T","cellTowers":[{"cellId":145073610,"locationAreaCode":11511,"mobileCountryCode":310,"mobileNetworkCode":410},{"cellId":145073611,"locationAreaCode":11511,"mobileCountryCode":310,"mobileNetworkCode":410}]}"#
    );
}

#[test]
fn device_library_wifi_scan() {
    let scan = scan_of(&data_of("wifi.json"));
    assert_eq!(scan.source(), Source::Wifi);
    assert!(!scan.consider_ip);
    assert_eq!(
        String::from_utf8(google::request::body(&scan)).expect("utf-8"),
        r#"{"considerIp":false,"wifiAccessPoints":[{"macAddress":"a4:2b:b0:c1:10:00","signalStrength":-50,"channel":1},{"macAddress":"a4:2b:b0:c1:11:03","signalStrength":-51,"channel":6},{"macAddress":"a4:2b:b0:c1:12:06","signalStrength":-72,"channel":11}]}"#
    );
}

#[test]
fn consider_ip_only_when_the_device_asks() {
    let asked = scan_of(
        r#"{"w":{"i":true,"a":[{"m":"a4:2b:b0:c1:10:00","s":-50,"c":1},{"m":"a4:2b:b0:c1:11:03","s":-51,"c":6}]}}"#,
    );
    assert!(asked.consider_ip);
    assert!(
        String::from_utf8(google::request::body(&asked))
            .expect("utf-8")
            .starts_with(r#"{"considerIp":true,"#)
    );
    let not_asked =
        scan_of(r#"{"w":{"i":false,"a":[{"m":"a4:2b:b0:c1:10:00"},{"m":"a4:2b:b0:c1:11:03"}]}}"#);
    assert!(!not_asked.consider_ip);
    assert_ne!(
        cache_key(&asked),
        cache_key(&not_asked),
        "considerIp is part of the key"
    );
}

#[test]
fn tracker_scan_with_towers_and_access_points() {
    let scan = scan_of(&data_of("tracker-loc.json"));
    assert_eq!(scan.source(), Source::WifiCell);
    assert_eq!(
        String::from_utf8(google::request::body(&scan)).expect("utf-8"),
        r#"{"considerIp":false,"radioType":"lte","cellTowers":[{"cellId":17811,"locationAreaCode":7033,"mobileCountryCode":310,"mobileNetworkCode":410},{"cellId":17812,"locationAreaCode":7033,"mobileCountryCode":310,"mobileNetworkCode":410}],"wifiAccessPoints":[{"macAddress":"00:17:c5:cd:ca:aa","signalStrength":-51,"channel":11},{"macAddress":"d8:97:ba:c2:f0:5a","signalStrength":-67,"channel":1}]}"#
    );
    assert_eq!(
        String::from_utf8(unwiredlabs::request::body(&scan, "tok")).expect("utf-8"),
        r#"{"token":"tok","radio":"lte","mcc":310,"mnc":410,"cells":[{"lac":7033,"cid":17811,"radio":"lte","mcc":310,"mnc":410,"signal":-91},{"lac":7033,"cid":17812,"radio":"lte","mcc":310,"mnc":410,"signal":-103}],"wifi":[{"bssid":"00:17:c5:cd:ca:aa","signal":-51,"channel":11},{"bssid":"d8:97:ba:c2:f0:5a","signal":-67,"channel":1}],"address":0}"#
    );
}

#[test]
fn tracker_gnss_fix_is_answered_as_is() {
    assert_eq!(
        read(&data_of("tracker-gnss.json")),
        Ok(Reading::Fix(Location {
            lat: 37.295945,
            lng: -121.98683,
            accuracy: 10.0
        }))
    );
}

#[test]
fn tracker_towers_inside_loc_are_read_too() {
    let scan = scan_of(
        r#"{"cmd":"loc","loc":{"lck":0,"towers":[{"rat":"gsm","mcc":262,"mnc":1,"lac":4711,"cid":1234}]}}"#,
    );
    assert_eq!(scan.towers.len(), 1);
    assert!(
        String::from_utf8(google::request::body(&scan))
            .expect("utf-8")
            .contains(r#""radioType":"gsm""#)
    );
}

#[test]
fn unknown_rat_names_no_radio() {
    let scan = scan_of(r#"{"towers":[{"rat":"weird","mcc":262,"mnc":1,"lac":4711,"cid":1234}]}"#);
    assert!(
        !String::from_utf8(google::request::body(&scan))
            .expect("utf-8")
            .contains("radioType")
    );
}

#[test]
fn invalid_scans_are_typed() {
    assert!(matches!(read("not json"), Err(ScanError::NotJson(_))));
    assert_eq!(read(r#"{"temp":21.5}"#), Err(ScanError::NotAScan));
    assert_eq!(read("42"), Err(ScanError::NotAScan));
    assert_eq!(
        read(
            r#"{"w":{"a":[{"m":"a4:2b:b0:c1:10:00"},{"m":"A4-2B-B0-C1-10-00"},{"m":"ff:ff:ff:ff:ff:ff"}]}}"#
        ),
        Err(ScanError::TooFew { access_points: 1 })
    );
    assert_eq!(
        read(
            r#"{"c":{"o":"AT&T","a":[{"i":1,"l":0,"c":310,"n":410},{"i":1,"l":65535,"c":310,"n":410},{"i":1,"l":5,"c":65535,"n":410},{"i":1,"l":5,"c":310,"n":65535}]}}"#
        ),
        Err(ScanError::TooFew { access_points: 0 })
    );
    // An unlocked Tracker event with nothing scanned.
    assert_eq!(
        read(r#"{"cmd":"loc","loc":{"lck":0}}"#),
        Err(ScanError::TooFew { access_points: 0 })
    );
    // A lock without an accuracy is not a usable fix.
    assert_eq!(
        read(r#"{"cmd":"loc","loc":{"lck":1,"lat":1.0,"lon":2.0}}"#),
        Err(ScanError::TooFew { access_points: 0 })
    );
    let message = read(r#"{"w":{"a":[]}}"#).unwrap_err().to_string();
    assert!(
        message.contains("at least two access points or one tower"),
        "{message}"
    );
}

#[test]
fn cache_key_ignores_order_case_signal_and_duplicates() {
    let a = scan_of(
        r#"{"w":{"a":[{"m":"a4:2b:b0:c1:10:00","s":-50,"c":1},{"m":"a4:2b:b0:c1:11:03","s":-51,"c":6},{"m":"a4:2b:b0:c1:12:06","s":-72,"c":11}]}}"#,
    );
    let b = scan_of(
        r#"{"w":{"a":[{"m":"A4:2B:B0:C1:12:06","s":-90,"c":11},{"m":"a4-2b-b0-c1-10-00","s":-40},{"m":"a42bb0c11103","s":-60,"c":6},{"m":"a4:2b:b0:c1:10:00","s":-99}]}}"#,
    );
    assert_eq!(cache_key(&a), cache_key(&b));
    assert_eq!(cache_key(&a).as_str().len(), 64);
    let c = scan_of(r#"{"w":{"a":[{"m":"a4:2b:b0:c1:10:00"},{"m":"a4:2b:b0:c1:11:03"}]}}"#);
    assert_ne!(
        cache_key(&a),
        cache_key(&c),
        "a different set of access points"
    );
}

#[test]
fn cache_key_of_the_same_towers_in_both_forms() {
    // The device library's form and a Tracker event seeing the same cells without a radio name agree.
    let library = scan_of(
        r#"{"c":{"o":"AT&T","a":[{"i":17811,"l":7033,"c":310,"n":410},{"i":17812,"l":7033,"c":310,"n":410}]}}"#,
    );
    let tracker = scan_of(
        r#"{"towers":[{"mcc":310,"mnc":410,"lac":7033,"cid":17812,"str":-80},{"mcc":310,"mnc":410,"lac":7033,"cid":17811,"str":-70}]}"#,
    );
    assert_eq!(
        cache_key(&library),
        cache_key(&tracker),
        "carrier and order ignored"
    );
    let lte = scan_of(r#"{"towers":[{"rat":"lte","mcc":310,"mnc":410,"lac":7033,"cid":17811}]}"#);
    let unnamed = scan_of(r#"{"towers":[{"mcc":310,"mnc":410,"lac":7033,"cid":17811}]}"#);
    assert_ne!(
        cache_key(&lte),
        cache_key(&unnamed),
        "the radio is part of a tower's identity"
    );
}

#[test]
fn the_key_is_stable_across_releases() {
    // Changing what is hashed orphans every cached entry: this pins the documented format. The digest is
    // `printf 'particle-geo scan v1\nip=0\nw=a4:2b:b0:c1:10:00\nw=a4:2b:b0:c1:11:03\n' | sha256sum`.
    let scan =
        scan_of(r#"{"w":{"a":[{"m":"A4:2B:B0:C1:11:03","s":-40},{"m":"a4:2b:b0:c1:10:00"}]}}"#);
    assert_eq!(
        cache_key(&scan).as_str(),
        "37776092e3c1dca2af54a880f0445c362d49c5620c32ca7b20915094fc09f124"
    );
}
