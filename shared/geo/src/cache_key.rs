//! A cache key for a normalised scan: the same place seen again names the same entry.
//!
//! Exactly what is hashed (SHA-256, the key is its lower-case hex), as UTF-8 lines each ending in `\n`:
//!
//! ```text
//! particle-geo scan v1
//! ip=<0|1>                                  considerIp: it changes what Google may answer
//! w=<mac>                                   one per access point, lower-case colon form, sorted, unique
//! t=<radio|->,<mcc>,<mnc>,<lac>,<cell id>   one per tower, decimal, sorted by (radio, mcc, mnc, lac, cell id), unique
//! ```
//!
//! Left out, on purpose: signal strengths and channels (they vary from scan to scan at the same place), the
//! carrier name (the towers' mcc/mnc already name the network), and the order of entries. The version line
//! changes if this format ever does, so old entries are never misread.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::mac::Mac;
use crate::normalise::Scan;

/// 64 lower-case hex characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey(String);

impl CacheKey {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The key of a normalised scan (see the module documentation for what is hashed).
pub fn cache_key(scan: &Scan) -> CacheKey {
    let mut macs: Vec<Mac> = scan.access_points.iter().map(|a| a.mac).collect();
    macs.sort_unstable();
    macs.dedup();
    let mut towers: Vec<(Option<&'static str>, u16, u16, u32, u64)> = scan
        .towers
        .iter()
        .map(|t| {
            (
                t.radio.map(|r| r.key_name()),
                t.mcc,
                t.mnc,
                t.lac,
                t.cell_id,
            )
        })
        .collect();
    towers.sort_unstable();
    towers.dedup();

    let mut text = String::with_capacity(32 + macs.len() * 20 + towers.len() * 40);
    text.push_str("particle-geo scan v1\nip=");
    text.push(if scan.consider_ip { '1' } else { '0' });
    text.push('\n');
    for mac in &macs {
        text.push_str("w=");
        mac.write_to(&mut text);
        text.push('\n');
    }
    for (radio, mcc, mnc, lac, cell_id) in &towers {
        use std::fmt::Write;
        // Writing to a String cannot fail.
        let _ = writeln!(
            text,
            "t={},{mcc},{mnc},{lac},{cell_id}",
            radio.unwrap_or("-")
        );
    }
    CacheKey(hex::encode(Sha256::digest(text.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::{AccessPoint, Tower};

    fn ap(mac: &str, signal: i32) -> AccessPoint {
        AccessPoint {
            mac: Mac::parse(mac).expect("mac"),
            signal: Some(signal),
            channel: Some(6),
        }
    }

    #[test]
    fn the_documented_text_is_what_is_hashed() {
        let scan = Scan {
            consider_ip: false,
            carrier: Some("AT&T".into()),
            access_points: vec![ap("aa:bb:cc:dd:ee:02", -70), ap("aa:bb:cc:dd:ee:01", -60)],
            towers: vec![Tower {
                cell_id: 145073610,
                lac: 11511,
                mcc: 310,
                mnc: 410,
                radio: None,
                signal: None,
            }],
        };
        let text = "particle-geo scan v1\nip=0\nw=aa:bb:cc:dd:ee:01\nw=aa:bb:cc:dd:ee:02\nt=-,310,410,11511,145073610\n";
        assert_eq!(
            cache_key(&scan).as_str(),
            hex::encode(Sha256::digest(text.as_bytes()))
        );
    }
}
