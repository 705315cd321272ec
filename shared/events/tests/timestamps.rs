//! `published_at` parsing and normalisation, checked against an independent calendar computation.
//!
//! Defects 8 and 9: normalised timestamps are exactly milliseconds (so text order is time order), the parser is
//! strict RFC 3339, and no input, however close to the edge of the calendar, panics.

use particle_events::clock::{
    MAX_UNIX_MS, MIN_UNIX_MS, TimestampError, normalize_rfc3339, parse_rfc3339, to_unix_ms,
};
use particle_events::{ParseError, parse_sse_data, parse_webhook_form, parse_webhook_json};
use proptest::prelude::*;

const AT: &str = "2026-11-26T12:00:00.000Z";

/// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`), written independently
/// of the `time` crate the parser uses.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A timestamp's fields, some possibly out of range, and how they are spelled.
#[derive(Debug, Clone)]
struct Parts {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    /// Fraction digits, without the dot; `None` for no fraction.
    frac: Option<String>,
    sep: char,
    /// `None` for `Z`/`z` (the bool picks the case), else (negative, hours, minutes).
    offset: Option<(bool, i64, i64)>,
    lower_z: bool,
}

impl Parts {
    fn text(&self) -> String {
        let mut s = format!(
            "{:04}-{:02}-{:02}{}{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.sep, self.hour, self.minute, self.second
        );
        if let Some(frac) = &self.frac {
            s.push('.');
            s.push_str(frac);
        }
        match self.offset {
            None if self.lower_z => s.push('z'),
            None => s.push('Z'),
            Some((neg, h, m)) => {
                s.push_str(&format!("{}{h:02}:{m:02}", if neg { '-' } else { '+' }))
            }
        }
        s
    }

    /// Every field within RFC 3339's ranges (seconds 0-59: leap seconds are judged apart).
    fn fields_valid(&self) -> bool {
        matches!(self.sep, 'T' | 't')
            && (1..=12).contains(&self.month)
            && (1..=days_in_month(self.year, self.month)).contains(&self.day)
            && self.hour < 24
            && self.minute < 60
            && self.second < 60
            && self.offset.is_none_or(|(_, h, m)| h < 24 && m < 60)
    }

    /// The instant in Unix nanoseconds, fraction truncated to nanoseconds (exact enough for rounding to
    /// milliseconds: half a millisecond is a whole number of nanoseconds). A leap second reads as the last
    /// nanosecond of second 59, as the `time` crate reads it.
    fn unix_nanos(&self) -> i128 {
        let (second, nanos) = if self.second == 60 {
            (59, 999_999_999)
        } else {
            let digits = self.frac.as_deref().unwrap_or("");
            let nine: String = digits
                .chars()
                .chain(std::iter::repeat('0'))
                .take(9)
                .collect();
            (self.second, nine.parse::<i128>().unwrap())
        };
        let offset_s = self.offset.map_or(0, |(neg, h, m)| {
            if neg {
                -(h * 3600 + m * 60)
            } else {
                h * 3600 + m * 60
            }
        });
        let secs = days_from_civil(self.year, self.month, self.day) * 86_400
            + self.hour * 3600
            + self.minute * 60
            + second
            - offset_s;
        i128::from(secs) * 1_000_000_000 + nanos
    }

    /// The instant rounded to milliseconds, halves up.
    fn rounded_ms(&self) -> i128 {
        (self.unix_nanos() + 500_000).div_euclid(1_000_000)
    }
}

fn frac() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("[0-9]{1,15}")
}

/// Fields around and just past every range, with every separator and offset spelling worth trying.
fn near_valid() -> impl Strategy<Value = Parts> {
    (
        (
            prop_oneof![0i64..=9999, Just(0), Just(9999), Just(1969), Just(1970)],
            0i64..=13,
            0i64..=32,
            0i64..=25,
            0i64..=61,
            0i64..=61,
        ),
        frac(),
        prop_oneof![
            8 => Just('T'),
            2 => Just('t'),
            1 => Just(' '),
            1 => Just('_'),
            1 => Just('\0'),
            1 => Just('é'),
            1 => any::<char>(),
        ],
        proptest::option::of((any::<bool>(), 0i64..=25, 0i64..=61)),
        any::<bool>(),
    )
        .prop_map(
            |((year, month, day, hour, minute, second), frac, sep, offset, lower_z)| Parts {
                year,
                month,
                day,
                hour,
                minute,
                second,
                frac,
                sep,
                offset,
                lower_z,
            },
        )
}

/// Valid fields only (the instant may still leave 0000-9999 once in UTC).
fn valid() -> impl Strategy<Value = Parts> {
    (
        (
            0i64..=9999,
            1i64..=12,
            1i64..=31,
            0i64..24,
            0i64..60,
            0i64..60,
        ),
        proptest::option::of("[0-9]{1,9}"),
        prop_oneof![Just('T'), Just('t')],
        proptest::option::of((any::<bool>(), 0i64..24, 0i64..60)),
        any::<bool>(),
    )
        .prop_map(
            |((year, month, day, hour, minute, second), frac, sep, offset, lower_z)| Parts {
                year,
                month,
                day: day.min(days_in_month(year, month)),
                hour,
                minute,
                second,
                frac,
                sep,
                offset,
                lower_z,
            },
        )
}

/// The normalised shape, byte by byte: `YYYY-MM-DDTHH:MM:SS.mmmZ`.
fn assert_shape(s: &str) {
    let b = s.as_bytes();
    assert_eq!(b.len(), 24, "{s}");
    for (i, &c) in b.iter().enumerate() {
        let want_digit = !matches!(i, 4 | 7 | 10 | 13 | 16 | 19 | 23);
        assert_eq!(c.is_ascii_digit(), want_digit, "{s} at {i}");
    }
    assert_eq!(&s[4..5], "-");
    assert_eq!(&s[10..11], "T");
    assert_eq!(&s[19..20], ".");
    assert_eq!(&s[23..], "Z");
}

/// Whatever is accepted normalises to the fixed shape, which re-parses to the rounded instant and to itself.
fn check_accepted(input: &str, normalised: &str) -> i64 {
    assert_shape(normalised);
    let reparsed = parse_rfc3339(normalised).expect("the normalised form parses");
    let ms = to_unix_ms(reparsed).unwrap();
    assert_eq!(
        i128::from(ms) * 1_000_000,
        reparsed.unix_timestamp_nanos(),
        "{normalised} is a whole millisecond"
    );
    assert_eq!(
        ms,
        to_unix_ms(parse_rfc3339(input).unwrap()).unwrap(),
        "{input} -> {normalised}"
    );
    assert_eq!(normalize_rfc3339(normalised).as_deref(), Ok(normalised));
    ms
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_arbitrary_text(s in any::<String>()) {
        if let Ok(n) = normalize_rfc3339(&s) {
            check_accepted(&s, &n);
        }
    }

    #[test]
    fn never_panics_on_timestamp_alphabet(s in "[0-9TtZz:.+\\- -]{0,40}") {
        if let Ok(n) = normalize_rfc3339(&s) {
            check_accepted(&s, &n);
        }
    }

    #[test]
    fn never_panics_on_mutated_timestamps(
        p in near_valid(),
        at in 0usize..40,
        with in any::<char>(),
        how in 0u8..3,
    ) {
        let mut s: Vec<char> = p.text().chars().collect();
        let at = at.min(s.len());
        match how {
            0 if at < s.len() => s[at] = with,
            1 if at < s.len() => { s.remove(at); }
            _ => s.insert(at, with),
        }
        let s: String = s.into_iter().collect();
        if let Ok(n) = normalize_rfc3339(&s) {
            check_accepted(&s, &n);
        }
    }

    /// Accepted exactly when RFC 3339 allows the fields and the UTC instant (rounded) fits 0000-9999; then the
    /// normalised text is that rounded instant, computed here without the `time` crate.
    #[test]
    fn near_valid_timestamps_match_the_calendar(p in near_valid()) {
        let input = p.text();
        let got = normalize_rfc3339(&input);
        if p.second == 60 {
            // A leap second is valid only at the end of a month in UTC; if accepted, it reads as 23:59:59.999999999.
            if let Ok(n) = &got {
                prop_assert!(matches!(p.sep, 'T' | 't'), "{:?}", input);
                let ms = check_accepted(&input, n);
                prop_assert_eq!(i128::from(ms), p.rounded_ms());
            }
        } else if !p.fields_valid() {
            prop_assert_eq!(got, Err(TimestampError::Syntax), "{:?}", input);
        } else {
            let want = p.rounded_ms();
            if (i128::from(MIN_UNIX_MS)..=i128::from(MAX_UNIX_MS)).contains(&want) {
                let n = got.unwrap_or_else(|e| panic!("{input:?} refused: {e}"));
                let ms = check_accepted(&input, &n);
                prop_assert_eq!(i128::from(ms), want, "{:?} -> {}", input, n);
            } else {
                prop_assert_eq!(got, Err(TimestampError::OutOfRange), "{:?}", input);
            }
        }
    }

    /// Defect 8: for any two valid timestamps, the order of the normalised texts is the order of the instants
    /// (rounded to milliseconds; rounding never reverses two instants, it may only make them equal).
    #[test]
    fn text_order_is_time_order(a in valid(), b in valid()) {
        let (Ok(na), Ok(nb)) = (normalize_rfc3339(&a.text()), normalize_rfc3339(&b.text())) else {
            // Outside 0000-9999 in UTC; covered above.
            return Ok(());
        };
        prop_assert_eq!(na.cmp(&nb), a.rounded_ms().cmp(&b.rounded_ms()), "{} {}", na, nb);
        if a.unix_nanos() < b.unix_nanos() {
            prop_assert!(na <= nb, "{} > {}", na, nb);
        }
    }

    /// The event id is computed over the normalised timestamp: every spelling of one millisecond is one event.
    #[test]
    fn spellings_of_one_millisecond_share_an_id(p in valid(), extra in "[0-4][0-9]{0,5}") {
        let base = p.text();
        let Ok(n) = normalize_rfc3339(&base) else { return Ok(()) };
        // The same millisecond, spelled in UTC with sub-millisecond digits that round down.
        let finer = format!("{}{}Z", &n[..23], extra);
        let form = |at: &str| {
            let at: String = percent_encoding::utf8_percent_encode(at, percent_encoding::NON_ALPHANUMERIC).collect();
            format!("event=demo&data=x&coreid=3f002b000000000000000000&published_at={at}")
        };
        let one = parse_webhook_form(form(&n).as_bytes(), AT).unwrap();
        let two = parse_webhook_form(form(&finer).as_bytes(), AT).unwrap();
        prop_assert_eq!(&one.published_at, &n);
        prop_assert_eq!(&two.published_at, &n);
        prop_assert_eq!(one.id, two.id);
    }
}

/// Defect 9 at the payload level: the timestamp that used to panic is an invalid field (the webhook answers
/// 422 `invalid_field`), on every path.
#[test]
fn calendar_edge_is_an_invalid_field_on_every_path() {
    for at in ["9999-12-31T23:59:59-00:01", "0000-01-01T00:00:00+00:01"] {
        let json = format!(
            r#"{{"event":"demo","data":"x","coreid":"3f002b000000000000000000","published_at":"{at}"}}"#
        );
        let sse =
            format!(r#"{{"data":"x","coreid":"3f002b000000000000000000","published_at":"{at}"}}"#);
        let form = format!(
            "event=demo&coreid=3f002b000000000000000000&published_at={}",
            at.replace(':', "%3A").replace('+', "%2B")
        );
        for result in [
            parse_webhook_json(json.as_bytes(), AT),
            parse_sse_data("demo", sse.as_bytes(), AT),
            parse_webhook_form(form.as_bytes(), AT),
        ] {
            match result {
                Err(ParseError::Invalid(e)) => {
                    assert_eq!(e.field, "published_at");
                    assert!(e.problem.contains("0000 to 9999"), "{e}");
                }
                other => panic!("{at}: expected an invalid published_at, got {other:?}"),
            }
        }
    }
}

#[test]
fn wrong_separator_is_an_invalid_field() {
    for at in [
        "2020-03-01_10:00:00Z",
        "2020-03-01\\u000010:00:00Z",
        "2020-03-01 10:00:00Z",
    ] {
        let json = format!(
            r#"{{"event":"demo","data":"x","coreid":"3f002b000000000000000000","published_at":"{at}"}}"#
        );
        match parse_webhook_json(json.as_bytes(), AT) {
            Err(ParseError::Invalid(e)) => {
                assert_eq!(e.field, "published_at");
                assert!(e.problem.contains("RFC 3339"), "{e}");
            }
            other => panic!("{at}: expected an invalid published_at, got {other:?}"),
        }
    }
}
