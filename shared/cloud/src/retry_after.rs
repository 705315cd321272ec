//! `Retry-After` (RFC 9110 §10.2.3): delta-seconds or an HTTP-date, clamped to [`MAX_RETRY_AFTER`].
//!
//! The value comes from the network and ends up in shared state (the drainer stores a 529's backoff for every
//! later invocation), so it is bounded before anyone uses it: `Retry-After: 100000000000` would otherwise stop
//! every drainer for three thousand years, and larger values overflowed the millisecond arithmetic.

use std::time::{Duration, SystemTime};

/// The longest wait any `Retry-After` can impose: one hour. Particle's documented lockouts are minutes long;
/// an hour-long outage is better found by an alarm than by waiting longer.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3_600);

/// The wait a `Retry-After` value asks for at `now`, at most [`MAX_RETRY_AFTER`]; `None` if the value is neither
/// form. A date in the past means no wait.
pub fn parse(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let wait = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Digits beyond u64 are still a (very long) delay, not garbage: saturate, then clamp.
        Duration::from_secs(value.parse::<u64>().unwrap_or(u64::MAX))
    } else {
        let at = httpdate::parse_http_date(value).ok()?;
        at.duration_since(now).unwrap_or(Duration::ZERO)
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// The `Retry-After` of a response's headers, if present and valid (see [`parse`]).
pub fn from_headers(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    parse(value, SystemTime::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delta_seconds() {
        let now = SystemTime::now();
        assert_eq!(parse("120", now), Some(Duration::from_secs(120)));
        assert_eq!(parse(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(parse("-5", now), None);
        assert_eq!(parse("1.5", now), None);
        assert_eq!(parse("", now), None);
        assert_eq!(parse("soon", now), None);
    }

    /// Defect 2: these values were used as they came (or overflowed) before the clamp.
    #[test]
    fn huge_values_are_clamped_to_an_hour() {
        let now = SystemTime::now();
        for huge in [
            "3601",
            "100000000000",
            "18446744073709551615",
            "99999999999999999999999999",
        ] {
            assert_eq!(parse(huge, now), Some(MAX_RETRY_AFTER), "{huge}");
        }
    }

    #[test]
    fn http_dates() {
        let now = httpdate::parse_http_date("Sun, 29 Nov 2026 01:00:00 GMT").unwrap();
        assert_eq!(
            parse("Sun, 29 Nov 2026 01:02:30 GMT", now),
            Some(Duration::from_secs(150))
        );
        assert_eq!(
            parse("Sun, 29 Nov 2026 00:00:00 GMT", now),
            Some(Duration::ZERO),
            "a past date: no wait"
        );
        assert_eq!(
            parse("Fri, 31 Dec 9999 23:59:59 GMT", now),
            Some(MAX_RETRY_AFTER)
        );
        // The obsolete forms RFC 9110 still requires recipients to accept.
        assert_eq!(
            parse("Sunday, 29-Nov-26 01:01:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse("Sun Nov 29 01:00:10 2026", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(parse("Sun, 32 Nov 2026 01:00:00 GMT", now), None);
    }
}
