//! MAC addresses (Wi-Fi BSSIDs): any common spelling in, the lower-case colon form out.

use std::fmt;

/// A 48-bit MAC address. Ordered by its octets, so sorting is stable whatever spelling it arrived in.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Mac([u8; 6]);

impl Mac {
    /// Parses `aa:bb:cc:dd:ee:ff`, `AA-BB-CC-DD-EE-FF`, `aabb.ccdd.eeff` or `aabbccddeeff` (any case,
    /// surrounding spaces ignored). Anything else is `None`: a malformed address is dropped, never guessed at.
    pub fn parse(text: &str) -> Option<Mac> {
        let text = text.trim();
        // 17 is the longest accepted spelling; this also bounds the work on hostile input.
        if text.len() > 17 {
            return None;
        }
        let mut digits = [0u8; 12];
        let mut n = 0;
        let bytes = text.as_bytes();
        let separated = bytes.len() == 17;
        for (i, &b) in bytes.iter().enumerate() {
            let nibble = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                // Separators only between octets (every third character), all the same.
                b':' | b'-' if separated && i % 3 == 2 && b == bytes[2] => continue,
                b'.' if bytes.len() == 14 && i % 5 == 4 => continue,
                _ => return None,
            };
            if n == 12 {
                return None;
            }
            digits[n] = nibble;
            n += 1;
        }
        if n != 12 {
            return None;
        }
        let mut octets = [0u8; 6];
        for (i, o) in octets.iter_mut().enumerate() {
            *o = digits[2 * i] << 4 | digits[2 * i + 1];
        }
        Some(Mac(octets))
    }

    pub fn octets(&self) -> [u8; 6] {
        self.0
    }

    /// A real access point's address: not all zeros, and not a group address (the low bit of the first octet,
    /// which also covers broadcast `ff:ff:ff:ff:ff:ff`). No provider can locate the others.
    pub fn is_usable(&self) -> bool {
        self.0 != [0; 6] && self.0[0] & 1 == 0
    }

    /// The lower-case colon form without allocating through `fmt`.
    pub fn write_to(&self, out: &mut String) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for (i, o) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(':');
            }
            out.push(HEX[usize::from(o >> 4)] as char);
            out.push(HEX[usize::from(o & 15)] as char);
        }
    }
}

impl fmt::Display for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(17);
        self.write_to(&mut s);
        f.write_str(&s)
    }
}

impl fmt::Debug for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mac({self})")
    }
}

impl serde::Serialize for Mac {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut out = String::with_capacity(17);
        self.write_to(&mut out);
        s.serialize_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_parse_to_the_colon_form() {
        for text in [
            "aa:bb:cc:dd:ee:0f",
            "AA:BB:CC:DD:EE:0F",
            "aa-bb-cc-dd-ee-0f",
            "aabbccddee0f",
            "AABB.CCDD.EE0F",
            "  aa:bb:cc:dd:ee:0f ",
        ] {
            assert_eq!(
                Mac::parse(text).map(|m| m.to_string()).as_deref(),
                Some("aa:bb:cc:dd:ee:0f"),
                "{text:?}"
            );
        }
    }

    #[test]
    fn malformed_spellings_are_refused() {
        for text in [
            "",
            "aa:bb:cc:dd:ee",
            "aa:bb:cc:dd:ee:ff:00",
            "aa:bb:cc:dd:ee:fg",
            "aa:bb-cc:dd:ee:ff",
            "aabbccddeeff0",
            "a:bb:cc:dd:ee:fff",
            "aa::bb:cc:dd:eeff",
            "aa bb cc dd ee ff",
            "ääbbccddeeff",
        ] {
            assert_eq!(Mac::parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn usable_rule() {
        let usable = |t: &str| Mac::parse(t).map(|m| m.is_usable());
        assert_eq!(usable("00:00:00:00:00:00"), Some(false));
        assert_eq!(usable("ff:ff:ff:ff:ff:ff"), Some(false));
        assert_eq!(usable("01:00:5e:00:00:fb"), Some(false), "multicast");
        assert_eq!(usable("33:33:00:00:00:01"), Some(false), "IPv6 multicast");
        assert_eq!(
            usable("02:00:00:00:00:01"),
            Some(true),
            "locally administered"
        );
        assert_eq!(usable("a4:2b:b0:11:22:33"), Some(true));
    }
}
