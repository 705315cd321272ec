//! Interprets complete lines: comments, fields, and dispatch on blank lines.

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
    /// `id_buffer` changed since the last blank line (saves a compare per event).
    id_changed: bool,
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
                let value = match value {
                    [b' ', rest @ ..] => rest,
                    _ => value,
                };
                (name, value)
            }
        };
        // Array patterns compare bytes inline; matching `b"data"` would call memcmp per line.
        match *name {
            [b'd', b'a', b't', b'a'] => self.append_data(value, max_event),
            [b'e', b'v', b'e', b'n', b't'] => {
                self.event_type.clear();
                push_decoded(&mut self.event_type, value);
            }
            [b'i', b'd'] if memchr(0, value).is_none() => {
                self.id_buffer.clear();
                push_decoded(&mut self.id_buffer, value);
                self.id_changed = true;
            }
            [b'r', b'e', b't', b'r', b'y'] if is_digits(value) => {
                self.retry_ms = Some(parse_digits(value));
            }
            _ => stats.ignored_fields += 1,
        }
    }

    /// Ends the stream: returns whether a partly built event was discarded, and resets the
    /// per-stream buffers (the last event ID string and reconnection time are kept).
    pub(super) fn finish(&mut self) -> bool {
        let incomplete = self.oversized || !self.data.is_empty() || !self.event_type.is_empty();
        self.reset_event();
        self.id_buffer.clear();
        self.id_changed = true;
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
        push_decoded(&mut self.data, value);
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
        if self.id_changed {
            self.last_event_id.clone_from(&self.id_buffer);
            self.id_changed = false;
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
            on_event(EventRef {
                event_type,
                data: &self.data,
                last_event_id: &self.id_buffer,
            });
        }
        self.reset_event();
    }

    fn reset_event(&mut self) {
        self.data.clear();
        self.event_type.clear();
        self.oversized = false;
    }
}

/// Appends `bytes` decoded as UTF-8 with replacement. `str::from_utf8` first: its validation is
/// much faster than the lossy decoder, which is only needed for invalid input.
fn push_decoded(dst: &mut String, bytes: &[u8]) {
    match std::str::from_utf8(bytes) {
        Ok(text) => dst.push_str(text),
        Err(_) => dst.push_str(&String::from_utf8_lossy(bytes)),
    }
}

/// "Consists of only ASCII digits" (and at least one).
fn is_digits(value: &[u8]) -> bool {
    !value.is_empty() && value.iter().all(u8::is_ascii_digit)
}

/// Base-ten value of ASCII digits, saturating at `u64::MAX` instead of overflowing.
fn parse_digits(value: &[u8]) -> u64 {
    value.iter().fold(0u64, |acc, &d| {
        acc.saturating_mul(10)
            .saturating_add(u64::from(d.wrapping_sub(b'0')))
    })
}
