//! Properties: any split of a stream into chunks gives the same events and counters as feeding
//! it whole; and the incremental parser agrees with a naive whole-stream reference model of the
//! WHATWG rules (decode everything, split lines, interpret).

use proptest::prelude::*;
use sse_drain::parser::{ParserConfig, ParserStats, SseEvent, SseParser};

/// Pieces that exercise every rule: field names, separators, line ends, BOM bytes, multi-byte and
/// invalid UTF-8, NUL, digits.
const TOKENS: &[&[u8]] = &[
    b"data",
    b"data:",
    b"data: ",
    b"event:",
    b"event: ",
    b"id:",
    b"id: ",
    b"retry:",
    b"retry: ",
    b":",
    b":ok",
    b" ",
    b"\r",
    b"\n",
    b"\r\n",
    b"\n\n",
    b"x",
    b"12",
    b"+5",
    b"\0",
    b"\xEF\xBB\xBF",
    b"\xEF\xBB",
    "é".as_bytes(),
    "€".as_bytes(),
    "😀".as_bytes(),
    b"\xFF",
    b"\x80",
    b"\xE2\x82",
    b"{\"data\":\"1\"}",
];

fn stream() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..80).prop_map(|tokens| tokens.concat())
}

type Outcome = (Vec<SseEvent>, ParserStats, String, Option<u64>, bool);

fn run(config: ParserConfig, input: &[u8], cuts: &[usize]) -> Outcome {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    cuts.sort_unstable();
    let mut parser = SseParser::with_config(config);
    let mut out = Vec::new();
    let mut start = 0;
    for cut in cuts.into_iter().chain([input.len()]) {
        parser.feed(&input[start..cut], &mut out);
        start = cut;
    }
    let incomplete = parser.finish();
    (
        out,
        parser.stats(),
        parser.last_event_id().to_owned(),
        parser.reconnection_time_ms(),
        incomplete,
    )
}

/// The spec, read literally, on a whole stream; no limits.
fn reference(input: &[u8]) -> (Vec<SseEvent>, String, Option<u64>) {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let text = String::from_utf8_lossy(input);
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                lines.push(std::mem::take(&mut current));
            }
            c => current.push(c),
        }
    }
    let (mut events, mut data, mut kind, mut id_buf) =
        (Vec::new(), String::new(), String::new(), String::new());
    let (mut last_id, mut retry) = (String::new(), None);
    for line in lines {
        if line.is_empty() {
            last_id = id_buf.clone();
            if !data.is_empty() {
                data.pop();
                let event_type = if kind.is_empty() {
                    "message".to_owned()
                } else {
                    kind.clone()
                };
                events.push(SseEvent {
                    event_type,
                    data: data.clone(),
                    last_event_id: id_buf.clone(),
                });
            }
            data.clear();
            kind.clear();
            continue;
        }
        if line.starts_with(':') {
            continue;
        }
        let (name, value) = match line.split_once(':') {
            Some((name, value)) => (name, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_str(), ""),
        };
        match name {
            "data" => {
                data.push_str(value);
                data.push('\n');
            }
            "event" => kind = value.to_owned(),
            "id" if !value.contains('\0') => id_buf = value.to_owned(),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                retry = value.parse::<u64>().ok().or(Some(u64::MAX));
            }
            _ => {}
        }
    }
    (events, last_id, retry)
}

fn small_limits() -> ParserConfig {
    ParserConfig {
        max_line_bytes: 12,
        max_event_bytes: 16,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_split_gives_the_same_result(input in stream(), cuts in prop::collection::vec(any::<usize>(), 0..12)) {
        let whole = run(ParserConfig::default(), &input, &[]);
        prop_assert_eq!(run(ParserConfig::default(), &input, &cuts), whole);
    }

    #[test]
    fn any_split_gives_the_same_result_with_tiny_limits(input in stream(), cuts in prop::collection::vec(any::<usize>(), 0..12)) {
        let whole = run(small_limits(), &input, &[]);
        prop_assert_eq!(run(small_limits(), &input, &cuts), whole);
    }

    #[test]
    fn byte_by_byte_equals_whole(input in stream()) {
        let every: Vec<usize> = (0..input.len()).collect();
        prop_assert_eq!(run(small_limits(), &input, &every), run(small_limits(), &input, &[]));
    }

    #[test]
    fn matches_the_reference_model(input in stream(), cuts in prop::collection::vec(any::<usize>(), 0..6)) {
        let (events, _, last_id, retry, _) = run(ParserConfig::default(), &input, &cuts);
        let (want_events, want_last_id, want_retry) = reference(&input);
        prop_assert_eq!(events, want_events);
        prop_assert_eq!(last_id, want_last_id);
        prop_assert_eq!(retry, want_retry);
    }
}
