//! RFC 3339 timestamps: strict parsing, and the one fixed shape the store sorts by.
//!
//! Sort keys hold timestamps as text, so every timestamp the project writes has the same width and precision:
//! `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC, exactly three fraction digits. Then text order is time order, and two
//! spellings of one instant (`+01:00` or `Z`, `.763` or `.763000`) are one string, one key and one event id.
//!
//! - **Precision**: milliseconds. A finer input is rounded to the nearest millisecond, halves up (`05.7635` ->
//!   `05.764`, `05.7634999` -> `05.763`); the mapping never reverses the order of two instants. Particle itself
//!   publishes milliseconds, so only hand-written timestamps are ever rounded.
//! - **Syntax**: RFC 3339 §5.6, parsed by the `time` crate (digits, field ranges, the calendar, `Z`/`z` or
//!   `±hh:mm` offsets, fraction digits of any length), plus the one rule it leaves loose: the separator between
//!   date and time must be `T` or `t` (`time` accepts any byte there; a space is not RFC 3339 and Particle never
//!   sends one).
//! - **Leap seconds**: `23:59:60` is accepted only where one can fall (the last second of a month, in UTC), and
//!   reads as the last instant of `23:59:59` (the `time` crate's convention), so it rounds to the next midnight.
//! - **Range**: RFC 3339 has four-digit years. An input whose UTC form (after rounding) leaves 0000-9999, such as
//!   `9999-12-31T23:59:59-00:01`, is refused with [`TimestampError::OutOfRange`], never a panic.

use std::time::SystemTime;

use thiserror::Error;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// `0000-01-01T00:00:00.000Z` in Unix milliseconds: the earliest time the normalised shape can hold.
pub const MIN_UNIX_MS: i64 = -62_167_219_200_000;
/// `9999-12-31T23:59:59.999Z` in Unix milliseconds: the latest time the normalised shape can hold.
pub const MAX_UNIX_MS: i64 = 253_402_300_799_999;

/// Why a text is not a timestamp the store can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum TimestampError {
    /// Not an RFC 3339 date-time (syntax, a field out of range, a date that does not exist).
    #[error("is not an RFC 3339 timestamp")]
    Syntax,
    /// A valid RFC 3339 date-time whose UTC form falls outside the years 0000-9999.
    #[error("falls outside the years 0000 to 9999 in UTC")]
    OutOfRange,
}

/// Parses an RFC 3339 date-time strictly (see the module documentation), keeping its offset and full precision.
pub fn parse_rfc3339(input: &str) -> Result<OffsetDateTime, TimestampError> {
    // `time` skips whatever byte sits between date and time (to read rusqlite's spaces); RFC 3339 allows only
    // `T`, case-insensitively (§5.6 and the ABNF's case-insensitive strings, §2).
    if !matches!(input.as_bytes().get(10), Some(b'T' | b't')) {
        return Err(TimestampError::Syntax);
    }
    OffsetDateTime::parse(input, &Rfc3339).map_err(|_| TimestampError::Syntax)
}

/// A time as Unix milliseconds, rounded to the nearest millisecond (halves up), within
/// [`MIN_UNIX_MS`]..=[`MAX_UNIX_MS`].
pub fn to_unix_ms(t: OffsetDateTime) -> Result<i64, TimestampError> {
    // i128 nanoseconds hold every time `time` can represent, offset included, so nothing here can overflow
    // (unlike converting to UTC first, which panics past year 9999). `div_euclid` floors, so adding half a
    // millisecond first rounds halves up for times before 1970 too.
    let ms = (t.unix_timestamp_nanos() + 500_000).div_euclid(1_000_000);
    i64::try_from(ms)
        .ok()
        .filter(|ms| (MIN_UNIX_MS..=MAX_UNIX_MS).contains(ms))
        .ok_or(TimestampError::OutOfRange)
}

/// Parses an RFC 3339 timestamp (any offset, any precision) and returns it in the normalised UTC shape
/// `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn normalize_rfc3339(input: &str) -> Result<String, TimestampError> {
    let ms = to_unix_ms(parse_rfc3339(input)?)?;
    format_ms(ms).ok_or(TimestampError::OutOfRange)
}

/// Formats a time in the normalised shape, rounded to milliseconds. `None` outside the years 0000-9999.
pub fn format_utc(t: OffsetDateTime) -> Option<String> {
    format_ms(to_unix_ms(t).ok()?)
}

/// Unix milliseconds in the normalised shape (empty for times outside the years 0000-9999).
pub fn format_unix_ms(ms: i64) -> String {
    format_ms(ms).unwrap_or_default()
}

/// Now, in the normalised shape.
pub fn now_rfc3339() -> String {
    format_utc(OffsetDateTime::from(SystemTime::now())).unwrap_or_default()
}

/// Seconds since the Unix epoch, now.
pub fn now_unix() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// The normalised shape of a Unix millisecond count, `None` outside [`MIN_UNIX_MS`]..=[`MAX_UNIX_MS`].
fn format_ms(ms: i64) -> Option<String> {
    if !(MIN_UNIX_MS..=MAX_UNIX_MS).contains(&ms) {
        return None;
    }
    let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()?;
    let mut out = *b"0000-00-00T00:00:00.000Z";
    // The range check above makes the year 0..=9999, so it fits its four digits.
    put_digits(&mut out[0..4], u32::try_from(t.year()).ok()?);
    put_digits(&mut out[5..7], u32::from(u8::from(t.month())));
    put_digits(&mut out[8..10], u32::from(t.day()));
    put_digits(&mut out[11..13], u32::from(t.hour()));
    put_digits(&mut out[14..16], u32::from(t.minute()));
    put_digits(&mut out[17..19], u32::from(t.second()));
    put_digits(&mut out[20..23], t.millisecond().into());
    // Only ASCII digits were written into an ASCII template.
    String::from_utf8(out.to_vec()).ok()
}

/// Writes `value` as zero-padded decimal filling `dst` (the caller guarantees it fits).
fn put_digits(dst: &mut [u8], mut value: u32) {
    for b in dst.iter_mut().rev() {
        *b = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> Result<String, TimestampError> {
        normalize_rfc3339(s)
    }

    #[test]
    fn normalises_offsets_to_utc() {
        assert_eq!(
            norm("2017-02-01T21:08:05.763Z").as_deref(),
            Ok("2017-02-01T21:08:05.763Z")
        );
        assert_eq!(
            norm("2017-02-01T22:08:05.763+01:00").as_deref(),
            Ok("2017-02-01T21:08:05.763Z")
        );
        assert_eq!(
            norm("2017-02-01T21:08:05.763-00:00").as_deref(),
            Ok("2017-02-01T21:08:05.763Z")
        );
        assert_eq!(
            norm("2017-02-01t21:08:05.763z").as_deref(),
            Ok("2017-02-01T21:08:05.763Z")
        );
    }

    /// Defect 8: before the fix, `.7635` stayed `.7635` and `05Z` kept its own width, so text order was not
    /// time order (`05.7635Z` sorted before `05.763Z`).
    #[test]
    fn always_exactly_milliseconds_rounded_half_up() {
        for (input, want) in [
            ("2017-02-01T21:08:05.7635Z", "2017-02-01T21:08:05.764Z"),
            ("2017-02-01T21:08:05.763Z", "2017-02-01T21:08:05.763Z"),
            ("2017-02-01T21:08:05Z", "2017-02-01T21:08:05.000Z"),
            ("2017-02-01T21:08:05.76Z", "2017-02-01T21:08:05.760Z"),
            ("2017-02-01T21:08:05.7634999Z", "2017-02-01T21:08:05.763Z"),
            ("2017-02-01T21:08:05.763412Z", "2017-02-01T21:08:05.763Z"),
            (
                "2017-02-01T21:08:05.763000000000001Z",
                "2017-02-01T21:08:05.763Z",
            ),
            ("2017-02-01T23:59:59.9995Z", "2017-02-02T00:00:00.000Z"),
            ("1969-12-31T23:59:59.9995Z", "1970-01-01T00:00:00.000Z"),
            ("1969-12-31T23:59:59.9994Z", "1969-12-31T23:59:59.999Z"),
        ] {
            assert_eq!(norm(input).as_deref(), Ok(want), "{input}");
        }
    }

    /// Defect 9: before the fix these panicked converting to UTC past year 9999 (or below year 0).
    #[test]
    fn edge_of_the_calendar_is_an_error_not_a_panic() {
        for input in [
            "9999-12-31T23:59:59-00:01",
            "9999-12-31T23:59:59.9995Z",
            "9999-12-31T23:59:60Z",
            "0000-01-01T00:00:00+00:01",
            "0000-01-01T00:00:00.000+23:59",
        ] {
            assert_eq!(norm(input), Err(TimestampError::OutOfRange), "{input}");
        }
        assert_eq!(
            norm("9999-12-31T23:59:59.999Z").as_deref(),
            Ok("9999-12-31T23:59:59.999Z")
        );
        assert_eq!(
            norm("9999-12-31T23:59:59.9994Z").as_deref(),
            Ok("9999-12-31T23:59:59.999Z")
        );
        assert_eq!(
            norm("0000-01-01T00:00:00Z").as_deref(),
            Ok("0000-01-01T00:00:00.000Z")
        );
        assert_eq!(
            norm("0000-01-01T00:00:00-00:01").as_deref(),
            Ok("0000-01-01T00:01:00.000Z")
        );
    }

    /// Defect 9: before the fix any byte was accepted where `T` belongs.
    #[test]
    fn separator_must_be_t() {
        for input in [
            "2020-03-01_10:00:00Z",
            "2020-03-01\u{0}10:00:00Z",
            "2020-03-01 10:00:00Z",
            "2020-03-01X10:00:00Z",
            "2020-03-01é10:00:00Z",
        ] {
            assert_eq!(norm(input), Err(TimestampError::Syntax), "{input:?}");
        }
        assert!(norm("2020-03-01T10:00:00Z").is_ok());
        assert!(norm("2020-03-01t10:00:00Z").is_ok());
    }

    #[test]
    fn leap_seconds_as_the_time_crate_reads_them() {
        // Only at the end of a month in UTC; it reads as the end of 23:59:59, so it rounds to midnight.
        assert_eq!(
            norm("2016-12-31T23:59:60Z").as_deref(),
            Ok("2017-01-01T00:00:00.000Z")
        );
        assert_eq!(
            norm("2016-12-31T18:59:60.5-05:00").as_deref(),
            Ok("2017-01-01T00:00:00.000Z")
        );
        assert_eq!(norm("2016-12-30T23:59:60Z"), Err(TimestampError::Syntax));
        assert_eq!(norm("2016-12-31T23:58:60Z"), Err(TimestampError::Syntax));
    }

    #[test]
    fn formats_unix_ms() {
        assert_eq!(
            format_unix_ms(1_486_000_085_763),
            "2017-02-02T01:48:05.763Z"
        );
        assert_eq!(format_unix_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_unix_ms(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(format_unix_ms(MAX_UNIX_MS), "9999-12-31T23:59:59.999Z");
        assert_eq!(format_unix_ms(MIN_UNIX_MS), "0000-01-01T00:00:00.000Z");
        assert_eq!(format_unix_ms(MAX_UNIX_MS + 1), "");
        assert_eq!(format_unix_ms(MIN_UNIX_MS - 1), "");
        assert_eq!(format_unix_ms(i64::MAX), "");
    }

    #[test]
    fn now_is_normalised() {
        let now = now_rfc3339();
        assert_eq!(now.len(), 24, "{now}");
        assert_eq!(norm(&now).as_deref(), Ok(now.as_str()));
    }

    #[test]
    fn rejects_non_rfc3339() {
        for bad in [
            "",
            "yesterday",
            "2017-02-01",
            "2017-02-01T",
            "2017-02-01T21:08Z",
            "2017-02-01T21:08:05",
            "2017-02-01T21:08:05.Z",
            "2017-02-01T21:08:05.763",
            "2017-02-01T21:08:05.763ZZ",
            "2017-02-01T21:08:05.763+0100",
            "2017-02-01T21:08:05.763+01",
            "2017-02-01T21:08:05.763+24:00",
            "2017-02-01T21:08:05.763+01:60",
            "2017-02-01T24:00:00Z",
            "2017-02-01T21:60:00Z",
            "2017-02-30T00:00:00Z",
            "2017-13-01T00:00:00Z",
            "2017-00-01T00:00:00Z",
            "+2017-02-01T21:08:05Z",
            "17-02-01T21:08:05Z",
            " 2017-02-01T21:08:05Z",
            "2017-02-01T21:08:05Z ",
            "1486000000",
        ] {
            assert_eq!(norm(bad), Err(TimestampError::Syntax), "{bad:?}");
        }
    }
}
