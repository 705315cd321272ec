//! Properties of the pure path: no input makes it panic, and the cache key depends on the set of access points
//! and towers only (not on order, spelling, duplicates or signal strengths).

use particle_geo::{Reading, cache_key, google, read, unwiredlabs};
use proptest::prelude::*;

fn wifi_json(aps: &[(String, i32, u32)]) -> String {
    let entries: Vec<String> = aps
        .iter()
        .map(|(m, s, c)| format!(r#"{{"m":"{m}","s":{s},"c":{c}}}"#))
        .collect();
    format!(r#"{{"w":{{"a":[{}]}}}}"#, entries.join(","))
}

/// Unicast, non-zero octets: every one usable.
fn mac_octets() -> impl Strategy<Value = [u8; 6]> {
    prop::array::uniform6(any::<u8>()).prop_map(|mut o| {
        o[0] &= 0xfe;
        o[5] |= 1;
        o
    })
}

fn spell(o: &[u8; 6], style: u8) -> String {
    let hex: Vec<String> = o.iter().map(|b| format!("{b:02x}")).collect();
    match style % 3 {
        0 => hex.join(":"),
        1 => hex.join("-").to_uppercase(),
        _ => hex.concat(),
    }
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(data in ".{0,400}") {
        if let Ok(Reading::Scan(scan)) = read(&data) {
            let _ = cache_key(&scan);
            let _ = google::request::body(&scan);
            let _ = unwiredlabs::request::body(&scan, "t");
        }
    }

    #[test]
    fn arbitrary_json_shapes_never_panic(
        keys in prop::collection::vec(prop::sample::select(vec!["w", "c", "a", "i", "m", "s", "l", "n", "o", "loc", "lck", "lat", "lon", "h_acc", "towers", "wps", "bssid", "cid", "lac", "mcc", "mnc", "rat", "str", "ch"]), 1..12),
        leaves in prop::collection::vec(prop::sample::select(vec!["1", "-1", "0", "65535", "1e300", "-0.5", "\"aa:bb:cc:dd:ee:02\"", "\"lte\"", "true", "null", "[]", "{}", "\"x\""]), 1..12),
    ) {
        // Nest the keys into objects and arrays, with leaves between: a cheap structure fuzzer.
        let mut data = String::new();
        for (i, k) in keys.iter().enumerate() {
            let leaf = leaves[i % leaves.len()];
            data.push_str(&format!(r#"{{"x":{leaf},"{k}":["#));
        }
        data.push_str(leaves[0]);
        for _ in &keys {
            data.push_str("]}");
        }
        if let Ok(Reading::Scan(scan)) = read(&data) {
            let _ = google::request::body(&scan);
        }
    }

    #[test]
    fn cache_key_ignores_order_spelling_duplicates_and_signal(
        macs in prop::collection::btree_set(mac_octets(), 2..12),
        styles in prop::collection::vec(any::<u8>(), 12),
        signals in prop::collection::vec(-100i32..-20, 24),
        rotate in 0usize..12,
    ) {
        let macs: Vec<[u8; 6]> = macs.into_iter().collect();
        let first: Vec<(String, i32, u32)> = macs.iter().enumerate()
            .map(|(i, m)| (spell(m, 0), signals[i], 6)).collect();
        let mut second: Vec<(String, i32, u32)> = macs.iter().enumerate()
            .map(|(i, m)| (spell(m, styles[i]), signals[12 + i], 11)).collect();
        let n = second.len();
        second.rotate_left(rotate % n);
        second.push(second[0].clone());
        let key = |text: &str| match read(text) {
            Ok(Reading::Scan(scan)) => cache_key(&scan),
            other => panic!("{other:?}"),
        };
        prop_assert_eq!(key(&wifi_json(&first)), key(&wifi_json(&second)));
        // One access point fewer is another place.
        if macs.len() > 2 {
            prop_assert_ne!(key(&wifi_json(&first)), key(&wifi_json(&first[1..])));
        }
    }
}
