//! Splits a chunked byte stream into lines (CR, LF or CRLF), strips one leading BOM and skips
//! over-long lines without buffering them.

use memchr::memchr2;

use super::ParserStats;

/// UTF-8 encoding of U+FEFF.
const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// Line-splitting state carried from one chunk to the next.
#[derive(Debug, Default)]
pub(super) struct Framer {
    /// The unterminated tail of the previous chunk(s); never longer than the line limit.
    partial: Vec<u8>,
    /// Discarding an over-long line until its line end.
    skipping: bool,
    /// The previous chunk ended with CR: an LF starting the next chunk completes that CRLF.
    after_cr: bool,
    /// Bytes of a leading BOM seen so far (a BOM may be split across chunks).
    bom_matched: usize,
    /// Past the stream start: BOM detection is over.
    started: bool,
}

impl Framer {
    /// Splits `chunk` into lines and calls `on_line` with each complete line (without its line
    /// end). Bytes after the last line end are kept for the next call.
    pub(super) fn feed(
        &mut self,
        chunk: &[u8],
        max_line: usize,
        stats: &mut ParserStats,
        on_line: &mut impl FnMut(&[u8], &mut ParserStats),
    ) {
        let mut rest = chunk;
        if !self.started {
            rest = self.strip_bom(rest);
        }
        if self.after_cr && !rest.is_empty() {
            self.after_cr = false;
            if let [b'\n', tail @ ..] = rest {
                rest = tail;
            }
        }
        while let Some(end) = memchr2(b'\n', b'\r', rest) {
            let line = &rest[..end];
            let mut next = end + 1;
            if rest[end] == b'\r' {
                match rest.get(next) {
                    Some(b'\n') => next += 1,
                    Some(_) => {}
                    None => self.after_cr = true,
                }
            }
            self.end_line(line, max_line, stats, on_line);
            rest = rest.get(next..).unwrap_or_default();
        }
        self.keep_partial(rest, max_line, stats);
    }

    /// Ends the stream: returns whether an unterminated line was discarded, and resets.
    pub(super) fn finish(&mut self) -> bool {
        let held_bom = !self.started && self.bom_matched > 0;
        let incomplete = self.skipping || held_bom || !self.partial.is_empty();
        self.partial.clear();
        self.skipping = false;
        self.after_cr = false;
        self.bom_matched = 0;
        self.started = false;
        incomplete
    }

    /// Consumes a (possibly partial) leading BOM; returns the rest of the chunk.
    fn strip_bom<'a>(&mut self, chunk: &'a [u8]) -> &'a [u8] {
        for (i, &byte) in chunk.iter().enumerate() {
            if BOM.get(self.bom_matched) == Some(&byte) {
                self.bom_matched += 1;
                if self.bom_matched == BOM.len() {
                    self.started = true;
                    return chunk.get(i + 1..).unwrap_or_default();
                }
            } else {
                // Not a BOM after all: the held bytes are ordinary content of the first line.
                self.started = true;
                let held = BOM.get(..self.bom_matched).unwrap_or_default();
                self.partial.extend_from_slice(held);
                return chunk.get(i..).unwrap_or_default();
            }
        }
        &[]
    }

    /// Completes a line whose last piece is `tail`.
    fn end_line(
        &mut self,
        tail: &[u8],
        max_line: usize,
        stats: &mut ParserStats,
        on_line: &mut impl FnMut(&[u8], &mut ParserStats),
    ) {
        stats.lines += 1;
        if self.skipping {
            self.skipping = false;
        } else if self.partial.is_empty() {
            if tail.len() > max_line {
                stats.oversized_lines += 1;
            } else {
                on_line(tail, stats);
            }
        } else if self.partial.len().saturating_add(tail.len()) > max_line {
            stats.oversized_lines += 1;
            self.partial.clear();
        } else {
            self.partial.extend_from_slice(tail);
            on_line(&self.partial, stats);
            self.partial.clear();
        }
    }

    /// Keeps an unterminated piece of line, or starts skipping if the line is now too long.
    fn keep_partial(&mut self, piece: &[u8], max_line: usize, stats: &mut ParserStats) {
        if self.skipping || piece.is_empty() {
            return;
        }
        if self.partial.len().saturating_add(piece.len()) > max_line {
            stats.oversized_lines += 1;
            self.skipping = true;
            self.partial.clear();
        } else {
            self.partial.extend_from_slice(piece);
        }
    }
}
