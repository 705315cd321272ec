//! Splitting a response into Particle-sized events: at most 512 bytes each, never cutting a UTF-8
//! character in two (Particle cuts bytes blindly; a device handler receiving half a character
//! gets invalid text, so we cut at the last character boundary instead).

/// Particle's chunk size for `hook-response` events.
pub const CHUNK_BYTES: usize = 512;

/// Pieces of `s`, each at most `max` bytes and each valid UTF-8; concatenated they give `s`
/// back. Empty input gives no pieces. Every piece but the last is as long as possible (512 bytes,
/// or up to 3 bytes shorter when a multi-byte character straddles the boundary). A `max` below 4
/// still makes progress: a character wider than `max` becomes a piece of its own.
pub fn chunks(s: &str, max: usize) -> Chunks<'_> {
    Chunks { rest: s, max }
}

/// Iterator returned by [`chunks`].
#[derive(Debug, Clone)]
pub struct Chunks<'a> {
    rest: &'a str,
    max: usize,
}

impl<'a> Iterator for Chunks<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.rest.is_empty() {
            return None;
        }
        let mut end = self.max.min(self.rest.len());
        while !self.rest.is_char_boundary(end) {
            end -= 1;
        }
        if end == 0 {
            end = self
                .rest
                .chars()
                .next()
                .map_or(self.rest.len(), char::len_utf8);
        }
        let (head, tail) = self.rest.split_at(end);
        self.rest = tail;
        Some(head)
    }
}

/// Truncates `s` to at most `max` bytes at a character boundary; returns whether it cut.
pub(crate) fn truncate_at_boundary(s: &mut String, max: usize) -> bool {
    if s.len() <= max {
        return false;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_splits_at_512() {
        let s = "a".repeat(1100);
        let parts: Vec<&str> = chunks(&s, CHUNK_BYTES).collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [512, 512, 76]
        );
        assert_eq!(chunks("", CHUNK_BYTES).count(), 0);
    }

    #[test]
    fn multibyte_character_at_the_boundary_moves_whole() {
        // 511 ASCII bytes then a 3-byte character: byte 512 falls inside it.
        let s = format!("{}€tail", "a".repeat(511));
        let parts: Vec<&str> = chunks(&s, CHUNK_BYTES).collect();
        assert_eq!(parts[0].len(), 511);
        assert_eq!(parts[1], "€tail");
        // A 4-byte character straddling the boundary.
        let s = format!("{}😀", "b".repeat(510));
        let parts: Vec<&str> = chunks(&s, CHUNK_BYTES).collect();
        assert_eq!(parts, [&s[..510], "😀"]);
    }

    #[test]
    fn tiny_max_still_progresses() {
        let parts: Vec<&str> = chunks("é😀a", 1).collect();
        assert_eq!(parts, ["é", "😀", "a"]);
    }
}
