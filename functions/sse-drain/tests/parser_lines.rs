//! Line ends, chunk boundaries, size limits and Particle's real stream shape.

use sse_drain::parser::{EventRef, ParserConfig, ParserStats, SseEvent, SseParser};

fn feed_all(parser: &mut SseParser, chunks: &[&[u8]]) -> Vec<SseEvent> {
    let mut out = Vec::new();
    for chunk in chunks {
        parser.feed(chunk, &mut out);
    }
    out
}

fn parse(chunks: &[&[u8]]) -> (Vec<SseEvent>, ParserStats) {
    let mut parser = SseParser::new();
    let out = feed_all(&mut parser, chunks);
    (out, parser.stats())
}

fn datas(events: &[SseEvent]) -> Vec<&str> {
    events.iter().map(|e| e.data.as_str()).collect()
}

/// Every way to cut `stream` in two gives `expected`.
fn assert_all_two_way_splits(stream: &[u8], expected: &[&str]) {
    for cut in 0..=stream.len() {
        let (a, b) = stream.split_at(cut);
        let (events, _) = parse(&[a, b]);
        assert_eq!(datas(&events), expected, "cut at {cut}");
    }
}

#[test]
fn cr_only_lf_only_crlf_and_mixed_line_ends() {
    let expected = [("a", "1\n2"), ("message", "3")];
    for stream in [
        &b"event: a\ndata: 1\ndata: 2\n\ndata: 3\n\n"[..],
        b"event: a\rdata: 1\rdata: 2\r\rdata: 3\r\r",
        b"event: a\r\ndata: 1\r\ndata: 2\r\n\r\ndata: 3\r\n\r\n",
        b"event: a\rdata: 1\r\ndata: 2\n\r\ndata: 3\n\r",
    ] {
        let (events, stats) = parse(&[stream]);
        let got: Vec<(&str, &str)> = events
            .iter()
            .map(|e| (e.event_type.as_str(), e.data.as_str()))
            .collect();
        assert_eq!(got, expected, "{stream:?}");
        assert_eq!(stats.lines, 6, "{stream:?}");
        assert_all_two_way_splits(stream, &["1\n2", "3"]);
    }
}

#[test]
fn crlf_split_across_chunks_is_one_line_end() {
    // If the LF made an extra empty line, "1" and "2" would be two events.
    let (events, stats) = parse(&[b"data:1\r", b"\ndata:2\r", b"\n\r", b"\n"]);
    assert_eq!(datas(&events), ["1\n2"]);
    assert_eq!(stats.lines, 3);
    assert_eq!(stats.blank_lines, 1);
}

#[test]
fn cr_at_chunk_end_then_empty_chunk_then_lf() {
    let (events, _) = parse(&[b"data:1\r", b"", b"\ndata:2\n\n"]);
    assert_eq!(datas(&events), ["1\n2"]);
}

#[test]
fn cr_at_chunk_end_then_cr() {
    let (events, _) = parse(&[b"data:1\r", b"\rdata:2\r\r"]);
    assert_eq!(datas(&events), ["1", "2"]);
}

#[test]
fn utf8_split_across_chunks() {
    let stream = "event: ünïcødé\ndata: € 😀 ok…\n\n".as_bytes();
    for cut in 0..=stream.len() {
        let (a, b) = stream.split_at(cut);
        let (events, _) = parse(&[a, b]);
        assert_eq!(events.len(), 1, "cut at {cut}");
        assert_eq!(events[0].event_type, "ünïcødé", "cut at {cut}");
        assert_eq!(events[0].data, "€ 😀 ok…", "cut at {cut}");
    }
    let bytes: Vec<&[u8]> = stream.chunks(1).collect();
    assert_eq!(datas(&parse(&bytes).0), ["€ 😀 ok…"]);
}

#[test]
fn bom_split_across_chunks_is_stripped() {
    let (events, _) = parse(&[b"\xEF", b"\xBB", b"\xBFdata:1\n\n"]);
    assert_eq!(datas(&events), ["1"]);
    assert_all_two_way_splits(b"\xEF\xBB\xBFdata:1\n\n", &["1"]);
}

#[test]
fn bom_prefix_that_is_not_a_bom_stays_in_the_line() {
    // "\xEF\xBBdata" decodes to "\u{FFFD}data": an unknown field.
    assert_all_two_way_splits(b"\xEF\xBBdata:1\n\ndata:2\n\n", &["2"]);
    let (_, stats) = parse(&[b"\xEF\xBBdata:1\n\n"]);
    assert_eq!(stats.ignored_fields, 1);
}

#[test]
fn bom_only_at_stream_start() {
    assert_all_two_way_splits(b"data:1\n\n\xEF\xBB\xBFdata:2\n\ndata:3\n\n", &["1", "3"]);
}

#[test]
fn finish_restarts_bom_detection_and_discards_partial_state() {
    let mut parser = SseParser::new();
    let first = feed_all(
        &mut parser,
        &[b"\xEF\xBB\xBFdata:1\n\nevent: x\ndata: cut off"],
    );
    assert_eq!(datas(&first), ["1"]);
    assert!(parser.finish());
    let second = feed_all(&mut parser, &[b"\xEF\xBB\xBFdata:2\n\n"]);
    assert_eq!(second[0].data, "2");
    assert_eq!(
        second[0].event_type, "message",
        "the event type buffer was reset"
    );
    assert!(!parser.finish());
    assert_eq!(parser.stats().incomplete_at_end, 1);
    assert_eq!(parser.stats().events, 2);
}

#[test]
fn finish_after_cr_does_not_swallow_next_streams_lf() {
    let mut parser = SseParser::new();
    feed_all(&mut parser, &[b"data:1\r"]);
    assert!(parser.finish());
    let events = feed_all(&mut parser, &[b"\ndata:2\n\n"]);
    assert_eq!(datas(&events), ["2"]);
    assert_eq!(
        parser.stats().blank_lines,
        2,
        "the new stream's leading LF is a blank line"
    );
}

fn particle_event(name: &str, n: u32) -> String {
    format!(
        "event: {name}\ndata: {{\"data\":\"{n}\",\"ttl\":60,\"published_at\":\"2026-03-04T18:17:33.784Z\",\"coreid\":\"1f0036000847343432313031\"}}\n\n"
    )
}

#[test]
fn one_megabyte_line_is_skipped_and_the_stream_continues() {
    let mut stream = String::from(":ok\n\n");
    stream.push_str(&particle_event("before", 1));
    stream.push_str("data: ");
    stream.push_str(&"x".repeat(1 << 20));
    stream.push_str("\n\n");
    stream.push_str(&particle_event("after", 2));
    for chunk_size in [1 << 20, 4096, 1000, 7] {
        let chunks: Vec<&[u8]> = stream.as_bytes().chunks(chunk_size).collect();
        let (events, stats) = parse(&chunks);
        let names: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
        assert_eq!(names, ["before", "after"], "chunk size {chunk_size}");
        assert_eq!(stats.oversized_lines, 1);
        assert_eq!(stats.events, 2);
    }
}

#[test]
fn oversized_line_inside_an_event_is_just_missing() {
    let config = ParserConfig {
        max_line_bytes: 16,
        ..ParserConfig::default()
    };
    let stream = b"event: e\ndata: 1\ndata: this line is too long\ndata: 2\n\n";
    for cut in 0..=stream.len() {
        let mut parser = SseParser::with_config(config);
        let (a, b) = stream.split_at(cut);
        let events = feed_all(&mut parser, &[a, b]);
        assert_eq!(datas(&events), ["1\n2"], "cut at {cut}");
        assert_eq!(parser.stats().oversized_lines, 1, "cut at {cut}");
    }
}

#[test]
fn line_exactly_at_the_limit_is_kept() {
    let config = ParserConfig {
        max_line_bytes: 8,
        ..ParserConfig::default()
    };
    let mut parser = SseParser::with_config(config);
    let events = feed_all(&mut parser, &[b"data:123\n\ndata:1234\n\n"]);
    assert_eq!(datas(&events), ["123"]);
    assert_eq!(parser.stats().oversized_lines, 1);
}

#[test]
fn oversized_event_is_dropped_and_counted() {
    let config = ParserConfig {
        max_line_bytes: 64,
        max_event_bytes: 10,
    };
    let mut parser = SseParser::with_config(config);
    // "1234\n" + "5678\n" = 10 bytes fits; one more line does not.
    let events = feed_all(
        &mut parser,
        &[b"data:1234\ndata:5678\n\ndata:1234\ndata:5678\ndata:9\n\ndata:ok\n\n"],
    );
    assert_eq!(datas(&events), ["1234\n5678", "ok"]);
    assert_eq!(parser.stats().oversized_events, 1);
    assert_eq!(parser.stats().events, 2);
}

#[test]
fn particle_stream_shape() {
    let mut stream = String::from(":ok\n\n");
    stream.push_str(&particle_event("spark/status", 1));
    stream.push('\n'); // keepalive
    stream.push('\n');
    stream.push_str(&particle_event("EventName1", 2));
    stream.push('\n');
    let (events, stats) = parse(&[stream.as_bytes()]);
    let names: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(names, ["spark/status", "EventName1"]);
    assert!(events[0].data.starts_with("{\"data\":\"1\""));
    assert!(events.iter().all(|e| e.last_event_id.is_empty()));
    assert_eq!(stats.comments, 1);
    assert_eq!(stats.blank_lines, 6);
    assert_eq!(stats.events, 2);
    assert_eq!(stats.bytes, stream.len() as u64);
    assert_eq!(stats.ignored_fields, 0);
}

#[test]
fn keepalive_bytes_alone_show_liveness() {
    let mut parser = SseParser::new();
    assert_eq!(parser.stats().bytes, 0);
    feed_all(&mut parser, &[b"\n"]);
    assert_eq!(parser.stats().bytes, 1);
    assert_eq!(parser.stats().events, 0);
}

#[test]
fn feed_with_borrows_the_same_events_feed_returns() {
    let stream = b":ok\n\nevent: a\nid: 9\ndata: x\n\ndata: y\n\n";
    let mut parser = SseParser::new();
    let mut borrowed = Vec::new();
    parser.feed_with(stream, |e: EventRef<'_>| borrowed.push(e.to_owned_event()));
    let (owned, _) = parse(&[stream]);
    assert_eq!(borrowed, owned);
    assert_eq!(owned[1].last_event_id, "9");
}

#[test]
fn garbage_never_panics() {
    let mut parser = SseParser::with_config(ParserConfig {
        max_line_bytes: 3,
        max_event_bytes: 2,
    });
    let garbage: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
    let mut out = Vec::new();
    for chunk in garbage.chunks(97) {
        parser.feed(chunk, &mut out);
    }
    parser.finish();
    assert_eq!(parser.stats().bytes, 10_000);
}

/// The largest event Particle sends (16,384 bytes of data), with every data byte JSON-escaped as `\u00XX`: a
/// data line of about 98 KB. It must be parsed and decoded as a device event, not skipped as oversized (it was,
/// under the old 64 KiB limit).
#[test]
fn the_largest_event_fully_escaped_fits_the_default_limits() {
    let data: String = (0..16_384)
        .map(|i| format!("\\u{:04x}", 1 + i % 31))
        .collect();
    let line = format!(
        "{{\"data\":\"{data}\",\"ttl\":60,\"published_at\":\"2017-02-01T21:08:05.763Z\",\"coreid\":\"3f002b000000000000000000\"}}"
    );
    assert!(line.len() > 98_304, "the line is {} bytes", line.len());
    let stream = format!("event: escaped\ndata: {line}\n\n");
    let mut parser = SseParser::new();
    let mut decoded = Vec::new();
    // Fed in reads of 1,460 bytes, as from a TCP stream.
    for chunk in stream.as_bytes().chunks(1_460) {
        parser.feed_with(chunk, |event| {
            decoded.push(sse_drain::decode::decode(event, "2017-02-01T21:08:06.000Z"))
        });
    }
    assert_eq!(parser.stats().oversized_lines, 0);
    assert_eq!(decoded.len(), 1);
    match &decoded[0] {
        sse_drain::decode::Decoded::Device(event) => {
            assert_eq!(event.name, "escaped");
            assert_eq!(event.data.len(), 16_384);
        }
        other => panic!("expected a device event, got {other:?}"),
    }
}
