//! Every payload shape Particle delivers, and every way it can be wrong.

use particle_events::webhook::{Encoding, sniff};
use particle_events::{ParseError, Source, parse_sse_data, parse_webhook_form, parse_webhook_json};
use proptest::prelude::*;

const AT: &str = "2026-11-26T12:00:00.000Z";
/// Particle's documented default webhook body (reference/particle.md §1.3).
const DEFAULT_FORM: &[u8] =
    b"event=demo&data=mydata&published_at=2017-02-01T21%3A08%3A05.763Z&coreid=3f002b000000000000000000";

fn field_of(err: ParseError) -> &'static str {
    match err {
        ParseError::Invalid(e) => e.field,
        ParseError::Malformed(m) => panic!("expected an invalid field, got malformed: {m}"),
    }
}

#[test]
fn default_form_body() {
    let e = parse_webhook_form(DEFAULT_FORM, AT).unwrap();
    assert_eq!(e.name, "demo");
    assert_eq!(e.data, "mydata");
    assert_eq!(e.coreid, "3f002b000000000000000000");
    assert_eq!(e.published_at, "2017-02-01T21:08:05.763Z");
    assert_eq!(e.source, Source::Webhook);
    assert_eq!(e.received_at, AT);
    assert_eq!(e.product_id, None);
}

#[test]
fn form_and_json_and_sse_give_the_same_id() {
    let form = parse_webhook_form(DEFAULT_FORM, AT).unwrap();
    let json = parse_webhook_json(
        br#"{"event":"demo","data":"mydata","published_at":"2017-02-01T21:08:05.763Z","coreid":"3f002b000000000000000000"}"#,
        "other time",
    )
    .unwrap();
    let sse = parse_sse_data(
        "demo",
        br#"{"data":"mydata","ttl":60,"published_at":"2017-02-01T21:08:05.763Z","coreid":"3F002B000000000000000000"}"#,
        AT,
    )
    .unwrap();
    assert_eq!(form.id, json.id);
    assert_eq!(form.id, sse.id);
    assert_eq!(sse.source, Source::Sse);
}

#[test]
fn form_decoding() {
    let e = parse_webhook_form(
        b"event=Temperature%2FKitchen&data=hello+world%21+%E2%9C%93&coreid=3f002b000000000000000000&published_at=2017-02-01T21:08:05.763Z&extra=ignored&&",
        AT,
    )
    .unwrap();
    assert_eq!(e.name, "Temperature/Kitchen");
    assert_eq!(e.data, "hello world! ✓");
}

#[test]
fn form_errors() {
    let dup = parse_webhook_form(
        b"event=a&event=b&coreid=3f002b000000000000000000&published_at=2017-02-01T21:08:05.763Z",
        AT,
    );
    assert!(
        matches!(dup, Err(ParseError::Malformed(ref m)) if m.contains("`event` appears more than once")),
        "{dup:?}"
    );
    let bad_utf8 = parse_webhook_form(
        b"event=a&data=%FF&coreid=3f002b000000000000000000&published_at=2017-02-01T21:08:05.763Z",
        AT,
    );
    assert!(
        matches!(bad_utf8, Err(ParseError::Malformed(ref m)) if m.contains("UTF-8")),
        "{bad_utf8:?}"
    );
    assert_eq!(
        field_of(parse_webhook_form(b"data=x", AT).unwrap_err()),
        "event"
    );
    assert_eq!(
        field_of(
            parse_webhook_form(
                b"event=a&coreid=xyz&published_at=2017-02-01T21:08:05.763Z",
                AT
            )
            .unwrap_err()
        ),
        "coreid"
    );
    assert_eq!(
        field_of(
            parse_webhook_form(
                b"event=a&coreid=3f002b000000000000000000&published_at=yesterday",
                AT
            )
            .unwrap_err()
        ),
        "published_at"
    );
    assert_eq!(
        field_of(
            parse_webhook_form(
                b"event=a&coreid=3f002b000000000000000000&published_at=2017-02-01T21:08:05.763Z&product_id=abc",
                AT
            )
            .unwrap_err()
        ),
        "product_id"
    );
}

#[test]
fn recommended_json_with_rendered_strings() {
    // What Particle sends for the recommended webhook: object-form JSON renders every value as a string.
    let e = parse_webhook_json(
        br#"{"event":"temp","data":"{\"t\":21.5}","coreid":"0123456789abcdef01234567","published_at":"2026-11-26T10:00:00.123Z","product_id":"12345","fw_version":"7","particle_event_id":"a1b2c3"}"#,
        AT,
    )
    .unwrap();
    assert_eq!(e.data, r#"{"t":21.5}"#);
    assert_eq!(e.product_id, Some(12345));
    assert_eq!(e.fw_version, Some(7));
    assert_eq!(e.particle_event_id.as_deref(), Some("a1b2c3"));

    // A sandbox device: product variables render empty.
    let sandbox = parse_webhook_json(
        br#"{"event":"temp","data":"x","coreid":"0123456789abcdef01234567","published_at":"2026-11-26T10:00:00.123Z","product_id":"","fw_version":"","particle_event_id":""}"#,
        AT,
    )
    .unwrap();
    assert_eq!(
        (
            sandbox.product_id,
            sandbox.fw_version,
            sandbox.particle_event_id
        ),
        (None, None, None)
    );

    // Numbers as numbers, `name` for `event`, null data.
    let typed = parse_webhook_json(
        br#"{"name":"temp","data":null,"coreid":"0123456789abcdef01234567","published_at":"2026-11-26T10:00:00.123Z","product_id":12345}"#,
        AT,
    )
    .unwrap();
    assert_eq!(
        (typed.name.as_str(), typed.data.as_str(), typed.product_id),
        ("temp", "", Some(12345))
    );
}

#[test]
fn json_errors() {
    for (body, expect) in [
        (&b"{"[..], "ends early"),
        (b"not json", "not valid JSON"),
        (b"[1,2]", "must be an object"),
        (b"\"text\"", "must be an object"),
        (br#"{"event":"a","event":"b"}"#, "duplicate field"),
        (br#"{"event":"a","name":"b"}"#, "duplicate field"),
    ] {
        match parse_webhook_json(body, AT) {
            Err(ParseError::Malformed(m)) => {
                assert!(m.contains(expect), "{m:?} should contain {expect:?}")
            }
            other => panic!(
                "{:?}: expected malformed, got {other:?}",
                String::from_utf8_lossy(body)
            ),
        }
    }
    let base = |extra: &str| {
        format!(
            r#"{{"event":"a","coreid":"0123456789abcdef01234567","published_at":"2026-11-26T10:00:00.123Z"{extra}}}"#
        )
    };
    for (extra, field) in [
        (r#","data":5"#, "data"),
        (r#","data":{"a":1}"#, "data"),
        (r#","product_id":-1"#, "product_id"),
        (r#","product_id":1.5"#, "product_id"),
        (r#","product_id":"99999999999""#, "product_id"),
        (r#","fw_version":true"#, "fw_version"),
        (r#","particle_event_id":"has space""#, "particle_event_id"),
    ] {
        let err = parse_webhook_json(base(extra).as_bytes(), AT).unwrap_err();
        assert_eq!(field_of(err), field, "{extra}");
    }
    let err = parse_webhook_json(br#"{"event":5}"#, AT).unwrap_err();
    assert_eq!(
        err.to_string(),
        "field `event` must be a string, got a number"
    );
}

#[test]
fn sse_data_shapes() {
    let coreid = "1f0036000847343432313031";
    let string_ttl = format!(
        r#"{{"data":"11111","ttl":"60","published_at":"2016-03-04T18:17:39.529Z","coreid":"{coreid}"}}"#
    );
    let e = parse_sse_data("EventName1", string_ttl.as_bytes(), AT).unwrap();
    assert_eq!((e.name.as_str(), e.data.as_str()), ("EventName1", "11111"));
    let number_ttl = format!(
        r#"{{"data":null,"ttl":60,"published_at":"2016-03-04T18:17:39.529Z","coreid":"{coreid}","userid":"u1","version":3,"productID":4567,"future":[1,2]}}"#
    );
    let e = parse_sse_data("x", number_ttl.as_bytes(), AT).unwrap();
    assert_eq!(
        (e.data.as_str(), e.product_id, e.fw_version),
        ("", Some(4567), Some(3))
    );
    let bad_ttl = format!(
        r#"{{"data":"","ttl":[],"published_at":"2016-03-04T18:17:39.529Z","coreid":"{coreid}"}}"#
    );
    assert_eq!(
        field_of(parse_sse_data("x", bad_ttl.as_bytes(), AT).unwrap_err()),
        "ttl"
    );
    let internal = br#"{"data":"ok","ttl":60,"published_at":"2016-04-16T13:37:08.755Z","coreid":"particle-internal"}"#;
    assert_eq!(
        field_of(parse_sse_data("hook-response/x/0", internal, AT).unwrap_err()),
        "coreid"
    );
    assert!(matches!(
        parse_sse_data("x", b"{oops", AT),
        Err(ParseError::Malformed(_))
    ));
}

#[test]
fn sniffing() {
    assert_eq!(sniff(b"  {\"event\":1}"), Some(Encoding::Json));
    assert_eq!(sniff(DEFAULT_FORM), Some(Encoding::Form));
    assert_eq!(sniff(b""), None);
    assert_eq!(sniff(b"<xml/>"), None);
    assert_eq!(sniff(b"hello world"), None);
}

proptest! {
    #[test]
    fn parsers_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_webhook_form(&body, AT);
        let _ = parse_webhook_json(&body, AT);
        let _ = parse_sse_data("n", &body, AT);
        let _ = sniff(&body);
    }

    #[test]
    fn form_round_trips_any_data(data in ".{0,200}") {
        let encoded: String = percent_encoding::utf8_percent_encode(&data, percent_encoding::NON_ALPHANUMERIC).to_string();
        let body = format!("event=e&coreid=3f002b000000000000000000&published_at=2017-02-01T21%3A08%3A05.763Z&data={encoded}");
        let e = parse_webhook_form(body.as_bytes(), AT).unwrap();
        prop_assert_eq!(e.data, data);
    }
}
