//! Output escapers: HTML (double-brace tags), JSON string content (opt-in mode) and URL components
//! (form and query encoding).
//!
//! Each is a byte-table scan that copies unescaped runs with one `push_str`, so the common case
//! (nothing to escape) costs one pass and one copy.

/// How interpolated values are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Escaping {
    /// Mustache default: `{{x}}` HTML-escapes, `{{{x}}}` and `{{&x}}` write raw.
    #[default]
    Html,
    /// Opt-in for JSON bodies: every interpolation, double or triple braces, is written as JSON
    /// string content (`"` -> `\"`, `\` -> `\\`, control characters -> `\n`, `\u001f`, ...) and never
    /// HTML-escaped, so data containing quotes or backslashes cannot break the JSON around it.
    JsonString,
}

const HTML_SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b'&' as usize] = true;
    t[b'<' as usize] = true;
    t[b'>' as usize] = true;
    t[b'"' as usize] = true;
    t[b'\'' as usize] = true;
    t
};

/// Whether any byte is one of `& < > " '`: eight bytes per step with the classic "has zero byte"
/// bit trick (exact as a yes/no answer), then a table for the tail. Measured: the per-byte loop
/// was a tenth of the geolocation benchmark.
pub(crate) fn has_html_special(bytes: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let has = |w: u64, b: u8| {
        let x = w ^ (LO * u64::from(b));
        x.wrapping_sub(LO) & !x & HI != 0
    };
    let mut words = bytes.chunks_exact(8);
    for chunk in &mut words {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        if has(w, b'&') | has(w, b'<') | has(w, b'>') | has(w, b'"') | has(w, b'\'') {
            return true;
        }
    }
    words.remainder().iter().any(|&b| HTML_SPECIAL[b as usize])
}

/// Escapes exactly `& < > " '` the way Particle does (`'` -> `&#39;`). `/`, `` ` `` and `=` are
/// left alone: Particle's captured request `{"Temperature/Kitchen":"20.00"}` came from a
/// double-brace tag, so Particle does not use mustache.js's wider escape set.
pub fn escape_html(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    // Fast path: most values (ids, MAC addresses, words) need no escaping at all.
    if !has_html_special(bytes) {
        out.push_str(s);
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        // `i` is at an ASCII byte, so both slice ends are char boundaries.
        out.push_str(&s[start..i]);
        out.push_str(rep);
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

/// Whether [`escape_json_str`] would change anything (`"`, `\\` or a control character).
pub(crate) fn needs_json_escape(bytes: &[u8]) -> bool {
    bytes.iter().any(|&b| b == b'"' || b == b'\\' || b < 0x20)
}

/// Writes `s` as the content of a JSON string (without the surrounding quotes).
pub fn escape_json_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if short.is_empty() {
            out.push_str("\\u00");
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 0xf) as usize] as char);
        } else {
            out.push_str(short);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

/// Percent-encodes a form or query component the way Particle's Node cloud does (the `qs`
/// module behind the `request` library, RFC 3986 format): only `A-Z a-z 0-9 - . _ ~` stay as
/// they are; a space becomes `%20` (Particle's documented `Body=Hi%20there%21`), UTF-8 bytes are
/// encoded one by one with upper-case hex. Written here because `form_urlencoded` follows the
/// WHATWG form rules instead (space as `+`, `*` kept), which would change the bytes Particle sends.
pub fn encode_uri_component(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            continue;
        }
        // A run of unreserved bytes is ASCII, so a non-empty run starts and ends on char
        // boundaries; inside a multi-byte character the run is empty and nothing is sliced.
        if start < i {
            out.push_str(&s[start..i]);
        }
        out.push('%');
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 0xf) as usize] as char);
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(s: &str) -> String {
        let mut o = String::new();
        escape_html(&mut o, s);
        o
    }

    #[test]
    fn special_byte_detection_matches_the_table() {
        for len in 0..40 {
            for pos in 0..len {
                for special in [b'&', b'<', b'>', b'"', b'\'', b'a', b'%', b'=', 0x80] {
                    let mut v = vec![b'x'; len];
                    v[pos] = special;
                    let want = v.iter().any(|&b| HTML_SPECIAL[b as usize]);
                    assert_eq!(
                        has_html_special(&v),
                        want,
                        "len {len} pos {pos} byte {special}"
                    );
                }
            }
        }
    }

    #[test]
    fn html_escapes_exactly_five_characters() {
        assert_eq!(html("& \" < > '"), "&amp; &quot; &lt; &gt; &#39;");
        assert_eq!(html("a/b`c=d"), "a/b`c=d");
        assert_eq!(html("ünïcödé <"), "ünïcödé &lt;");
    }

    #[test]
    fn json_string_escape() {
        let mut o = String::new();
        escape_json_str(&mut o, "say \"hi\"\\\n\t\u{1}é");
        assert_eq!(o, "say \\\"hi\\\"\\\\\\n\\t\\u0001é");
    }

    #[test]
    fn uri_component() {
        let mut o = String::new();
        encode_uri_component(&mut o, "Hi there! 39.7,-104.9 é~*");
        assert_eq!(o, "Hi%20there%21%2039.7%2C-104.9%20%C3%A9~%2A");
    }
}
