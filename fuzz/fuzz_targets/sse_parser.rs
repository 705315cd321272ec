//! The SSE parser of sse-drain and the Particle event JSON it carries. Any bytes, fed whole and fed in two
//! pieces split at a fuzzed point: never a panic, and the same events either way (a TCP read can end anywhere).
//! Each event's data then goes through `particle_events::parse_sse_data`, which must not panic either.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../functions/sse-drain/src/parser/mod.rs"]
mod parser;

use parser::{SseEvent, SseParser};

fn events(pieces: &[&[u8]]) -> (Vec<SseEvent>, bool) {
    let mut parser = SseParser::new();
    let mut out = Vec::new();
    for piece in pieces {
        parser.feed(piece, &mut out);
    }
    let pending = parser.finish();
    (out, pending)
}

fuzz_target!(|input: &[u8]| {
    let Some((&split, stream)) = input.split_first() else {
        return;
    };
    let at = if stream.is_empty() {
        0
    } else {
        usize::from(split) * stream.len() / 256
    };
    let whole = events(&[stream]);
    let pieces = events(&[&stream[..at], &stream[at..]]);
    assert_eq!(
        whole, pieces,
        "events depend on where reads end (split at {at})"
    );
    for event in &whole.0 {
        let _ = particle_events::parse_sse_data(
            &event.event_type,
            event.data.as_bytes(),
            "2026-11-26T12:00:00.000Z",
        );
    }
});
