//! RFC 3339 timestamps in the one fixed shape the store sorts by.
//!
//! Sort keys hold timestamps as text, so every timestamp the project writes has the same width:
//! `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC. Particle publishes millisecond precision; a finer input keeps its
//! extra digits rather than being silently truncated.

use std::fmt::Write;
use std::time::SystemTime;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Parses an RFC 3339 timestamp (any offset) and returns it in the normalised UTC shape.
pub fn normalize_rfc3339(input: &str) -> Option<String> {
    let parsed = OffsetDateTime::parse(input, &Rfc3339).ok()?;
    format_utc(parsed)
}

/// Formats a time as `YYYY-MM-DDTHH:MM:SS.mmmZ` (more fraction digits only when they are not zero).
/// `None` for years outside 0000-9999, which RFC 3339 cannot express.
pub fn format_utc(t: OffsetDateTime) -> Option<String> {
    let t = t.to_offset(time::UtcOffset::UTC);
    if !(0..=9999).contains(&t.year()) {
        return None;
    }
    let mut out = String::with_capacity(30);
    let nanos = t.nanosecond();
    // Writing into a String cannot fail.
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        nanos / 1_000_000
    );
    let sub_ms = nanos % 1_000_000;
    if sub_ms != 0 {
        if sub_ms.is_multiple_of(1_000) {
            let _ = write!(out, "{:03}", sub_ms / 1_000);
        } else {
            let _ = write!(out, "{sub_ms:06}");
        }
    }
    out.push('Z');
    Some(out)
}

/// Unix milliseconds in the normalised shape (empty for times RFC 3339 cannot express).
pub fn format_unix_ms(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(format_utc)
        .unwrap_or_default()
}

/// Now, in the normalised shape.
pub fn now_rfc3339() -> String {
    format_utc(OffsetDateTime::from(SystemTime::now())).unwrap_or_default()
}

/// Seconds since the Unix epoch, now.
pub fn now_unix() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_offsets_and_precision() {
        assert_eq!(
            normalize_rfc3339("2017-02-01T21:08:05.763Z").as_deref(),
            Some("2017-02-01T21:08:05.763Z")
        );
        assert_eq!(
            normalize_rfc3339("2017-02-01T22:08:05.763+01:00").as_deref(),
            Some("2017-02-01T21:08:05.763Z")
        );
        assert_eq!(
            normalize_rfc3339("2017-02-01T21:08:05Z").as_deref(),
            Some("2017-02-01T21:08:05.000Z")
        );
        assert_eq!(
            normalize_rfc3339("2017-02-01T21:08:05.76Z").as_deref(),
            Some("2017-02-01T21:08:05.760Z")
        );
        assert_eq!(
            normalize_rfc3339("2017-02-01T21:08:05.763412Z").as_deref(),
            Some("2017-02-01T21:08:05.763412Z")
        );
        assert_eq!(
            normalize_rfc3339("2017-02-01t21:08:05.763z").as_deref(),
            Some("2017-02-01T21:08:05.763Z")
        );
    }

    #[test]
    fn formats_unix_ms() {
        assert_eq!(
            format_unix_ms(1_486_000_085_763),
            "2017-02-02T01:48:05.763Z"
        );
        assert_eq!(format_unix_ms(0), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn rejects_non_rfc3339() {
        for bad in [
            "",
            "yesterday",
            "2017-02-01",
            "2017-02-01T21:08Z",
            "2017-02-30T00:00:00Z",
            "1486000000",
        ] {
            assert_eq!(normalize_rfc3339(bad), None, "{bad:?}");
        }
    }
}
