//! Interprets complete lines: comments, fields, and dispatch on blank lines.

use std::borrow::Cow;

use memchr::memchr;

use super::{EventRef, ParserStats};

/// Event type used when the `event` field is absent or empty.
const DEFAULT_EVENT_TYPE: &str = "message";

/// The event buffers of the spec, plus the event source's last event ID string and reconnection
/// time.
#[derive(Debug, Default)]
pub(super) struct Interp {
    /// Data buffer: each `data` value followed by LF.
    data: String,
    /// Event type buffer.
    event_type: String,
    /// Last event ID buffer of the current stream (persists across its events).
    id_buffer: String,
    /// The event source's last event ID string: `id_buffer` as of the last blank line.
    last_event_id: String,
    /// Reconnection time in milliseconds from the last valid `retry` field.
    retry_ms: Option<u64>,
    /// The current event's data outgrew the limit; it is dropped at its blank line.
    oversized: bool,
}

impl Interp {
    /// Processes one complete line (without its line end).
    pub(super) fn line(
        &mut self,
        line: &[u8],
        max_event: usize,
        stats: &mut ParserStats,
        on_event: &mut impl FnMut(EventRef<'_>),
    ) {
        let (name, value) = match memchr(b':', line) {
            None if line.is_empty() => {
                stats.blank_lines += 1;
                self.dispatch(stats, on_event);
                return;
            }
            None => (line, &[][..]),
            Some(0) => {
                stats.comments += 1;
                return;
            }
            Some(colon) => {
                let value = line.get(colon + 1..).unwrap_or_default();
                let name = line.get(..colon).unwrap_or_default();
                (name, value.strip_prefix(b" ").unwrap_or(value))
            }
        };
        match name {
            b"data" => self.append_data(value, max_event),
            b"event" => {
                self.event_type.clear();
                self.event_type.push_str(&decode(value));
            }
            b"id" if memchr(0, value).is_none() => {
                self.id_buffer.clear();
                self.id_buffer.push_str(&decode(value));
            }
            b"retry" if is_digits(value) => self.retry_ms = Some(parse_digits(value)),
            _ => stats.ignored_fields += 1,
        }
    }

    /// Ends the stream: returns whether a partly built event was discarded, and resets the
    /// per-stream buffers (the last event ID string and reconnection time are kept).
    pub(super) fn finish(&mut self) -> bool {
        let incomplete = self.oversized || !self.data.is_empty() || !self.event_type.is_empty();
        self.reset_event();
        self.id_buffer.clear();
        incomplete
    }

    pub(super) fn last_event_id(&self) -> &str {
        &self.last_event_id
    }

    pub(super) fn retry_ms(&self) -> Option<u64> {
        self.retry_ms
    }

    fn append_data(&mut self, value: &[u8], max_event: usize) {
        if self.oversized {
            return;
        }
        // Checked on the raw bytes first (cheap), then on the decoded text, which replacement
        // characters can make longer.
        if self.data.len().saturating_add(value.len()) >= max_event {
            self.drop_data();
            return;
        }
        self.data.push_str(&decode(value));
        self.data.push('\n');
        if self.data.len() > max_event {
            self.drop_data();
        }
    }

    fn drop_data(&mut self) {
        self.oversized = true;
        self.data.clear();
    }

    /// Blank line: "dispatch the event" (WHATWG HTML, interpreting an event stream).
    fn dispatch(&mut self, stats: &mut ParserStats, on_event: &mut impl FnMut(EventRef<'_>)) {
        if self.last_event_id != self.id_buffer {
            self.last_event_id.clone_from(&self.id_buffer);
        }
        if self.oversized {
            stats.oversized_events += 1;
        } else if !self.data.is_empty() {
            self.data.pop(); // the buffer is non-empty only after a `data` line, so it ends in LF
            let event_type = match self.event_type.as_str() {
                "" => DEFAULT_EVENT_TYPE,
                other => other,
            };
            stats.events += 1;
            on_event(EventRef { event_type, data: &self.data, last_event_id: &self.id_buffer });
        }
        self.reset_event();
    }

    fn reset_event(&mut self) {
        self.data.clear();
        self.event_type.clear();
        self.oversized = false;
    }
}

/// UTF-8 decode with replacement (borrowed when the bytes are valid).
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// "Consists of only ASCII digits" (and at least one).
fn is_digits(value: &[u8]) -> bool {
    !value.is_empty() && value.iter().all(u8::is_ascii_digit)
}

/// Base-ten value of ASCII digits, saturating at `u64::MAX` instead of overflowing.
fn parse_digits(value: &[u8]) -> u64 {
    value.iter().fold(0u64, |acc, &d| {
        acc.saturating_mul(10).saturating_add(u64::from(d.wrapping_sub(b'0')))
    })
}
