//! Incremental, bounded `text/event-stream` parser (WHATWG HTML, "Parsing an event stream" and
//! "Interpreting an event stream"), used to read Particle's Server-Sent-Events stream.
//!
//! # Why hand-written
//!
//! `eventsource-stream` 0.2.3 panics on a stream that starts with a BOM (it slices `&string[1..]`
//! through the 3-byte U+FEFF; jpopesculian/eventsource-stream#10) and parses `retry` with
//! `u64::parse`, which accepts `+5` although the spec allows ASCII digits only. The other crates
//! (`reqwest-eventsource`, `eventsource-client`) bundle connection and reconnect logic, while the
//! drainer must own reconnects, backoff, the open budget and the window deadline itself. The
//! parsing rules are small, so owning them costs less than working around those libraries.
//!
//! # Design
//!
//! The parser is a push parser: the caller hands it each chunk read from the socket with
//! [`SseParser::feed`] (owned events appended to a caller-owned `Vec`) or [`SseParser::feed_with`]
//! (borrowed [`EventRef`]s passed to a closure, no allocation per event), and calls
//! [`SseParser::finish`] when the stream ends. Two layers:
//!
//! - `framer` splits bytes into lines. It looks for line ends with `memchr2(b'\n', b'\r')`, so a
//!   line that lies inside one chunk is handed on as a borrowed slice and never copied; only the
//!   unterminated tail of a chunk is kept (in one reused buffer). A CR at the very end of a chunk
//!   sets a flag so an LF at the start of the next chunk completes the CRLF instead of making an
//!   extra empty line (whatwg/html#4411). One leading UTF-8 BOM is stripped, even when its three
//!   bytes arrive in different chunks. A line longer than [`ParserConfig::max_line_bytes`] is
//!   skipped: the framer stops buffering and discards bytes until the next line end.
//! - `interp` interprets one complete line: comments, blank lines (dispatch) and the `data`,
//!   `event`, `id` and `retry` fields. The stream is UTF-8 with replacement; because CR, LF and
//!   `:` are ASCII and a decoder never lets an invalid sequence swallow an ASCII byte, decoding each
//!   line (in fact each field value) after splitting gives exactly the same text as decoding the
//!   whole stream first, and a character split across chunks is reassembled in the line buffer
//!   before it is decoded. An event whose data would exceed [`ParserConfig::max_event_bytes`] is
//!   dropped at its blank line.
//!
//! Memory is bounded by the limits whatever the input: the partial-line buffer never holds more
//! than `max_line_bytes`, the data buffer never more than `max_event_bytes` plus one decoded line.
//! No input can make the parser panic: it only slices at positions `memchr` returned and does
//! saturating arithmetic on numbers read from the stream.
//!
//! Per-stream state (partial line, CR flag, BOM detection, the event buffers and the last event
//! ID buffer) is reset by [`SseParser::finish`], so one parser can read stream after stream
//! across reconnects; the counters in [`ParserStats`], the last dispatched event ID
//! ([`SseParser::last_event_id`], what a reconnect would send as `Last-Event-ID`) and the
//! server's reconnection time ([`SseParser::reconnection_time_ms`]) carry over.
//!
//! ```
//! use sse_drain::parser::SseParser;
//!
//! let mut parser = SseParser::new();
//! let mut events = Vec::new();
//! parser.feed(b":ok\n\nevent: temp\ndata: {\"data\":\"2", &mut events);
//! parser.feed(b"1\"}\n\n\n", &mut events);
//! assert_eq!(events.len(), 1);
//! assert_eq!(events[0].event_type, "temp");
//! assert_eq!(events[0].data, "{\"data\":\"21\"}");
//! assert_eq!(parser.stats().comments, 1);
//! ```

mod framer;
mod interp;
mod parse;

pub use parse::SseParser;

/// Default limit for one line and for one event's data: 128 KiB. A valid Particle event carries up to 16,384
/// bytes of data, which its JSON line can hold escaped as `\u00XX` (98,304 bytes) plus the envelope; 64 KiB would
/// skip such an event (the webhook body limit is 128 KiB for the same reason).
pub const DEFAULT_LIMIT: usize = 128 * 1024;

/// Size limits. Both bound memory; input over a limit is skipped and counted, never an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParserConfig {
    /// A line (excluding its line end) longer than this many bytes is skipped without being
    /// buffered; counted in [`ParserStats::oversized_lines`].
    pub max_line_bytes: usize,
    /// An event whose data buffer (UTF-8 bytes of all `data` values, each followed by LF) would
    /// grow past this is dropped when its blank line arrives; counted in
    /// [`ParserStats::oversized_events`].
    pub max_event_bytes: usize,
}

impl Default for ParserConfig {
    fn default() -> Self {
        Self {
            max_line_bytes: DEFAULT_LIMIT,
            max_event_bytes: DEFAULT_LIMIT,
        }
    }
}

/// A dispatched event, owned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SseEvent {
    /// The `event` field, or `message` when it was absent or empty.
    pub event_type: String,
    /// The `data` lines joined with LF.
    pub data: String,
    /// The last event ID buffer at dispatch (persists across events of one stream).
    pub last_event_id: String,
}

/// A dispatched event, borrowed from the parser's buffers (valid during the callback).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRef<'a> {
    /// The `event` field, or `message` when it was absent or empty.
    pub event_type: &'a str,
    /// The `data` lines joined with LF.
    pub data: &'a str,
    /// The last event ID buffer at dispatch (persists across events of one stream).
    pub last_event_id: &'a str,
}

impl EventRef<'_> {
    /// Copies the event into an owned [`SseEvent`].
    pub fn to_owned_event(&self) -> SseEvent {
        SseEvent {
            event_type: self.event_type.to_owned(),
            data: self.data.to_owned(),
            last_event_id: self.last_event_id.to_owned(),
        }
    }
}

/// Counters, cumulative over the parser's life (not reset by [`SseParser::finish`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ParserStats {
    /// Bytes fed, BOM and line ends included. Non-zero means the stream showed signs of life.
    pub bytes: u64,
    /// Complete lines (terminated by CR, LF or CRLF), including blank, comment and skipped lines.
    pub lines: u64,
    /// Blank lines: event terminators and bare-newline keepalives.
    pub blank_lines: u64,
    /// Comment lines (starting with `:`), such as Particle's `:ok`.
    pub comments: u64,
    /// Field lines ignored: unknown field names, `id` containing NUL, `retry` not all digits.
    pub ignored_fields: u64,
    /// Events dispatched.
    pub events: u64,
    /// Lines longer than [`ParserConfig::max_line_bytes`], skipped.
    pub oversized_lines: u64,
    /// Events whose data exceeded [`ParserConfig::max_event_bytes`], dropped.
    pub oversized_events: u64,
    /// Streams that ended in the middle of a line or an event (discarded by `finish`).
    pub incomplete_at_end: u64,
}
