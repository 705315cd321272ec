//! The public parser: a [`Framer`] feeding complete lines to an [`Interp`].

use super::framer::Framer;
use super::interp::Interp;
use super::{EventRef, ParserConfig, ParserStats, SseEvent};

/// Incremental `text/event-stream` parser for one stream at a time (see the module docs).
#[derive(Debug, Default)]
pub struct SseParser {
    config: ParserConfig,
    framer: Framer,
    interp: Interp,
    stats: ParserStats,
}

impl SseParser {
    /// A parser with the default 128 KiB limits.
    pub fn new() -> Self {
        Self::default()
    }

    /// A parser with the given limits.
    pub fn with_config(config: ParserConfig) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }

    /// Parses the next chunk of the stream and appends every event it completes to `out`.
    /// Chunks may split the stream anywhere; the result does not depend on where.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<SseEvent>) {
        self.feed_with(chunk, |event| out.push(event.to_owned_event()));
    }

    /// Parses the next chunk of the stream and calls `on_event` for every event it completes,
    /// with borrowed fields (no allocation per event).
    pub fn feed_with(&mut self, chunk: &[u8], mut on_event: impl FnMut(EventRef<'_>)) {
        self.stats.bytes = self.stats.bytes.saturating_add(chunk.len() as u64);
        let max_event = self.config.max_event_bytes;
        let interp = &mut self.interp;
        let mut on_line = |line: &[u8], stats: &mut ParserStats| {
            interp.line(line, max_event, stats, &mut on_event);
        };
        self.framer.feed(
            chunk,
            self.config.max_line_bytes,
            &mut self.stats,
            &mut on_line,
        );
    }

    /// Ends the current stream. A trailing event without its blank line, or an unterminated
    /// line, is discarded as the spec requires; returns whether anything was (also counted in
    /// [`ParserStats::incomplete_at_end`]). Resets the per-stream state so the parser can read
    /// the next stream (after a reconnect), starting with BOM detection and an empty last event
    /// ID buffer.
    pub fn finish(&mut self) -> bool {
        let partial_line = self.framer.finish();
        let partial_event = self.interp.finish();
        let incomplete = partial_line || partial_event;
        if incomplete {
            self.stats.incomplete_at_end += 1;
        }
        incomplete
    }

    /// Counters so far.
    pub fn stats(&self) -> ParserStats {
        self.stats
    }

    /// The limits in use.
    pub fn config(&self) -> ParserConfig {
        self.config
    }

    /// The last event ID as of the last blank line (the event source's "last event ID string",
    /// which a reconnect sends as `Last-Event-ID`). Empty until the server sends an `id`.
    pub fn last_event_id(&self) -> &str {
        self.interp.last_event_id()
    }

    /// The reconnection time in milliseconds from the last valid `retry` field, if any.
    pub fn reconnection_time_ms(&self) -> Option<u64> {
        self.interp.retry_ms()
    }
}
