//! Conformance rows derived from web-platform-tests `eventsource/format-*` (and the field-parsing
//! pages next to them). Each row is the stream the wpt server script sends (`message.php` appends
//! `"\n\n"` unless `newline=none`, then always `"\n"`) and the events a browser must dispatch.
//! Every row is also fed one byte at a time and must give the same result.

use sse_drain::parser::{SseEvent, SseParser};

struct Row {
    name: &'static str,
    stream: Vec<u8>,
    /// (event type, data, last event id)
    events: &'static [(&'static str, &'static str, &'static str)],
    retry: Option<u64>,
    /// `finish()` reports a discarded partial event or line.
    incomplete: bool,
}

fn row(
    name: &'static str,
    stream: impl Into<Vec<u8>>,
    events: &'static [(&str, &str, &str)],
) -> Row {
    Row {
        name,
        stream: stream.into(),
        events,
        retry: None,
        incomplete: false,
    }
}

fn run(chunks: &[&[u8]]) -> (Vec<SseEvent>, SseParser, bool) {
    let mut parser = SseParser::new();
    let mut out = Vec::new();
    for chunk in chunks {
        parser.feed(chunk, &mut out);
    }
    let incomplete = parser.finish();
    (out, parser, incomplete)
}

fn check(row: &Row) {
    let (events, parser, incomplete) = run(&[&row.stream]);
    let got: Vec<(&str, &str, &str)> = events
        .iter()
        .map(|e| {
            (
                e.event_type.as_str(),
                e.data.as_str(),
                e.last_event_id.as_str(),
            )
        })
        .collect();
    assert_eq!(got, row.events, "{}: events", row.name);
    assert_eq!(
        parser.reconnection_time_ms(),
        row.retry,
        "{}: retry",
        row.name
    );
    assert_eq!(incomplete, row.incomplete, "{}: incomplete", row.name);

    let bytes: Vec<&[u8]> = row.stream.chunks(1).collect();
    let (split_events, split_parser, split_incomplete) = run(&bytes);
    assert_eq!(split_events, events, "{}: byte-by-byte events", row.name);
    assert_eq!(
        split_parser.stats(),
        parser.stats(),
        "{}: byte-by-byte stats",
        row.name
    );
    assert_eq!(
        split_incomplete, incomplete,
        "{}: byte-by-byte incomplete",
        row.name
    );
}

fn comment_fest() -> Vec<u8> {
    let long = "x".repeat(2 * 1024);
    format!("data:1\r:\0\n:\r\ndata:2\n:{long}\rdata:3\n:data:fail\r:{long}\ndata:4\n\n")
        .into_bytes()
}

fn rows() -> Vec<Row> {
    vec![
        row(
            "format-bom",
            &b"\xEF\xBB\xBFdata:1\n\n\xEF\xBB\xBFdata:2\n\ndata:3\n\n\n"[..],
            &[("message", "1", ""), ("message", "3", "")],
        ),
        row(
            "format-bom-2",
            &b"\xEF\xBB\xBF\xEF\xBB\xBFdata:1\n\ndata:2\n\ndata:3\n\n\n"[..],
            &[("message", "2", ""), ("message", "3", "")],
        ),
        row(
            "format-comments",
            comment_fest(),
            &[("message", "1\n2\n3\n4", "")],
        ),
        Row {
            retry: Some(1000),
            incomplete: true,
            ..row(
                "format-data-before-final-empty-line",
                "retry:1000\ndata:test1\n\nid:test\ndata:test2\n",
                &[("message", "test1", "")],
            )
        },
        row(
            "format-field-data",
            "data:\n\ndata\ndata\n\ndata:test\n\n\n",
            &[
                ("message", "", ""),
                ("message", "\n", ""),
                ("message", "test", ""),
            ],
        ),
        row(
            "format-field-event",
            "event:test\ndata:x\n\ndata:x\n\n\n",
            &[("test", "x", ""), ("message", "x", "")],
        ),
        row(
            "format-field-event-empty",
            "event: \ndata:data\n\n\n",
            &[("message", "data", "")],
        ),
        Row {
            retry: Some(200),
            ..row(
                "format-field-id",
                "id: …\nretry: 200\ndata: hello\n\n",
                &[("message", "hello", "…")],
            )
        },
        row(
            "format-field-id-3 persists",
            "id: 1\ndata: 1\n\ndata:2\n\n",
            &[("message", "1", "1"), ("message", "2", "1")],
        ),
        row(
            "format-field-id-3 changes",
            "id: 1\ndata: 1\n\nid: 2\ndata:2\n\ndata:3\n\n",
            &[
                ("message", "1", "1"),
                ("message", "2", "2"),
                ("message", "3", "2"),
            ],
        ),
        row(
            "format-field-id-3 resets",
            "id: 1\ndata: 1\n\nid:\ndata:2\n\ndata:3\n\n",
            &[
                ("message", "1", "1"),
                ("message", "2", ""),
                ("message", "3", ""),
            ],
        ),
        // Current spec: an id containing U+0000 is ignored (older wpt revisions expected "\0\0").
        Row {
            retry: Some(200),
            ..row(
                "format-field-id-null",
                "id: \0\0\nretry: 200\ndata: hello\n\n",
                &[("message", "hello", "")],
            )
        },
        row(
            "format-field-id-null keeps previous",
            "id: 1\ndata: a\n\nid: x\0y\ndata: b\n\n",
            &[("message", "a", "1"), ("message", "b", "1")],
        ),
        Row {
            retry: Some(2000),
            ..row(
                "format-field-retry",
                "retry:02000\ndata:x\n\n\n",
                &[("message", "x", "")],
            )
        },
        Row {
            retry: Some(2000),
            ..row(
                "format-field-retry-bogus",
                "retry:2000\nretry:1000x\ndata:x\n\n\n",
                &[("message", "x", "")],
            )
        },
        Row {
            retry: Some(7),
            ..row("retry plus sign ignored", "retry:7\nretry:+5\n\n", &[])
        },
        Row {
            retry: Some(7),
            ..row("retry empty ignored", "retry:7\nretry:\nretry\n\n", &[])
        },
        Row {
            retry: Some(5),
            ..row("retry one space stripped", "retry: 5\n\n", &[])
        },
        row(
            "retry two spaces ignored",
            "retry:  5\nretry:-1\nretry:1.5\n\n",
            &[],
        ),
        Row {
            retry: Some(u64::MAX),
            ..row(
                "retry huge saturates",
                "retry:99999999999999999999999\n\n",
                &[],
            )
        },
        row(
            "format-null-character",
            "data:\0\n\n\n",
            &[("message", "\0", "")],
        ),
        row(
            "format-utf-8",
            &b"data:ok\xE2\x80\xA6\n\n\n"[..],
            &[("message", "ok…", "")],
        ),
        row(
            "invalid utf-8 replaced",
            &b"data:a\xFFb\xE2\x82\n\n"[..],
            &[("message", "a\u{FFFD}b\u{FFFD}", "")],
        ),
        row(
            "unknown fields and parsing fun",
            "data:test\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:test\n\n\n",
            &[("message", "test\n\ntest", "")],
        ),
        row(
            "one space stripped, not two",
            "data:  x \ndata:\tx\n\n",
            &[("message", " x \n\tx", "")],
        ),
        row(
            "colon in value kept",
            "event:a:b\ndata:{\"k\":1}\n\n",
            &[("a:b", "{\"k\":1}", "")],
        ),
        row("field names are case-sensitive", "Data:x\nDATA:y\n\n", &[]),
        row(
            "event without data not dispatched",
            "event:x\n\ndata:y\n\n",
            &[("message", "y", "")],
        ),
        Row {
            incomplete: true,
            ..row(
                "unterminated final line discarded",
                "data:1\n\ndata:2",
                &[("message", "1", "")],
            )
        },
        Row {
            incomplete: true,
            ..row("final event without blank line", "data:1\n", &[])
        },
        row("empty stream", "", &[]),
    ]
}

#[test]
fn wpt_format_rows() {
    let rows = rows();
    for row in &rows {
        check(row);
    }
    assert!(rows.len() >= 30);
}

#[test]
fn comment_fest_counts_comments() {
    let (_, parser, _) = run(&[&comment_fest()]);
    let stats = parser.stats();
    assert_eq!(stats.comments, 5);
    assert_eq!(stats.events, 1);
    assert_eq!(stats.oversized_lines, 0);
}

#[test]
fn id_survives_finish_as_last_event_id_but_buffer_resets() {
    let mut parser = SseParser::new();
    let mut out = Vec::new();
    parser.feed(b"id: 42\ndata: a\n\n", &mut out);
    assert!(!parser.finish());
    assert_eq!(parser.last_event_id(), "42");
    parser.feed(b"data: b\n\n", &mut out);
    assert_eq!(
        out[1].last_event_id, "",
        "a new stream starts with an empty last event ID buffer"
    );
    assert_eq!(parser.last_event_id(), "");
}

#[test]
fn last_event_id_updates_on_blank_line_without_data() {
    // Dispatch step 1 sets the source's last event ID string before the empty-data check.
    let mut parser = SseParser::new();
    let mut out = Vec::new();
    parser.feed(b"id: 7\n\n", &mut out);
    assert!(out.is_empty());
    assert_eq!(parser.last_event_id(), "7");
    parser.feed(b"id: 8\n", &mut out);
    assert_eq!(
        parser.last_event_id(),
        "7",
        "not updated before the blank line"
    );
}
