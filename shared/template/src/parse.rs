//! Tokenizer: splits a template into text and tags, applies set-delimiter tags as it goes and
//! removes standalone lines (a line holding only whitespace and non-interpolation tags, which the
//! spec says must vanish with its newline).
//!
//! Where the spec leaves a choice this follows mustache.js: whitespace may follow the opening
//! delimiter before the sigil (`{{ #a}}`), several non-interpolation tags on one otherwise blank
//! line all count as standalone, and a standalone partial is indented only when it is the first
//! tag of its line.

use crate::error::SyntaxError;

/// One token. Text borrows the source; removed tokens stay in place as `Removed` so indexes of
/// earlier tokens never shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tok<'s> {
    /// Literal text within one line (ends with `\n` when the line does).
    Text(&'s str),
    /// Start of a source line that is kept and not empty: where a partial's indentation goes.
    LineStart,
    Var {
        name: &'s str,
        escape: bool,
    },
    Open {
        name: &'s str,
        inverted: bool,
        at: usize,
    },
    Close {
        name: &'s str,
        at: usize,
    },
    Partial {
        name: &'s str,
        dynamic: bool,
        indent: &'s str,
    },
    Removed,
}

/// A syntax error and the byte offset of the tag at fault.
pub(crate) type ParseError = (SyntaxError, usize);

pub(crate) fn tokenize(src: &str) -> Result<Vec<Tok<'_>>, ParseError> {
    let mut p = Parser {
        src,
        otag: "{{",
        ctag: "}}",
        toks: Vec::with_capacity(16),
        line: Line::default(),
    };
    p.start_line(0);
    let mut pos = 0;
    loop {
        let next = src[pos..].find(p.otag).map(|i| pos + i);
        let text_end = next.unwrap_or(src.len());
        p.text(pos, text_end);
        match next {
            Some(at) => pos = p.tag(at)?,
            None => break,
        }
    }
    p.end_line(src.len());
    Ok(p.toks)
}

/// State of the current source line, for standalone detection.
#[derive(Debug, Default)]
struct Line {
    /// Index of this line's `LineStart` token.
    first_tok: usize,
    /// Byte offset where the line starts.
    start: usize,
    /// Non-interpolation tags seen on the line.
    tags: u32,
    /// Whether the line holds non-whitespace text or an interpolation.
    other: bool,
    /// A partial that was the line's first tag, with the whitespace before it.
    partial: Option<(usize, usize)>,
}

struct Parser<'s> {
    src: &'s str,
    otag: &'s str,
    ctag: &'s str,
    toks: Vec<Tok<'s>>,
    line: Line,
}

impl<'s> Parser<'s> {
    fn start_line(&mut self, start: usize) {
        self.line = Line {
            first_tok: self.toks.len(),
            start,
            ..Line::default()
        };
        self.toks.push(Tok::LineStart);
    }

    /// Ends the current line; `end` is the offset just past its newline (or the end of input).
    fn end_line(&mut self, end: usize) {
        let line = &self.line;
        if line.tags > 0 && !line.other {
            for t in &mut self.toks[line.first_tok..] {
                if matches!(t, Tok::Text(_) | Tok::LineStart) {
                    *t = Tok::Removed;
                }
            }
            if let Some((tok, tag_at)) = line.partial
                && let Some(Tok::Partial { indent, .. }) = self.toks.get_mut(tok)
            {
                *indent = &self.src[line.start..tag_at];
            }
        } else {
            let content = self.src[line.start..end]
                .strip_suffix('\n')
                .map(|s| s.strip_suffix('\r').unwrap_or(s))
                .unwrap_or(&self.src[line.start..end]);
            if content.is_empty() {
                self.toks[line.first_tok] = Tok::Removed;
            }
        }
    }

    /// Literal text `src[from..to]`, split into lines.
    fn text(&mut self, mut from: usize, to: usize) {
        while from < to {
            let seg_end = match self.src[from..to].find('\n') {
                Some(i) => from + i + 1,
                None => to,
            };
            let seg = &self.src[from..seg_end];
            self.toks.push(Tok::Text(seg));
            let body = match seg.strip_suffix('\n') {
                Some(s) => s.strip_suffix('\r').unwrap_or(s),
                None => seg,
            };
            if !body.bytes().all(|b| b == b' ' || b == b'\t') {
                self.line.other = true;
            }
            if seg.ends_with('\n') {
                self.end_line(seg_end);
                self.start_line(seg_end);
            }
            from = seg_end;
        }
    }

    /// Parses the tag whose opening delimiter is at `at`; returns the offset after it.
    fn tag(&mut self, at: usize) -> Result<usize, ParseError> {
        let src = self.src;
        let mut p = at + self.otag.len();
        p += src[p..].len() - src[p..].trim_start().len();
        let sigil = src[p..].chars().next();
        let unclosed = || {
            (
                SyntaxError::UnclosedTag {
                    open: self.otag.to_owned(),
                    close: self.ctag.to_owned(),
                },
                at,
            )
        };
        if sigil == Some('{') {
            let close = format!("}}{}", self.ctag);
            let end = src[p + 1..]
                .find(&close)
                .map(|i| p + 1 + i)
                .ok_or_else(unclosed)?;
            let name = src[p + 1..end].trim();
            self.push_var(name, false);
            return Ok(end + close.len());
        }
        let body_start = match sigil {
            Some('&' | '!' | '=' | '#' | '^' | '/' | '>') => p + 1,
            _ => p,
        };
        let end = src[body_start..]
            .find(self.ctag)
            .map(|i| body_start + i)
            .ok_or_else(unclosed)?;
        let after = end + self.ctag.len();
        let body = &src[body_start..end];
        let name = body.trim();
        match sigil {
            Some('&') => self.push_var(name, false),
            Some('!') => self.line.tags += 1,
            Some('=') => {
                self.set_delimiters(body, at)?;
                self.line.tags += 1;
            }
            Some('#' | '^') => self.push_tag(Tok::Open {
                name,
                inverted: sigil == Some('^'),
                at,
            }),
            Some('/') => self.push_tag(Tok::Close { name, at }),
            Some('>') => {
                let (name, dynamic) = match name.strip_prefix('*') {
                    Some(rest) => (rest.trim(), true),
                    None => (name, false),
                };
                if self.line.tags == 0 && !self.line.other {
                    self.line.partial = Some((self.toks.len(), at));
                }
                self.push_tag(Tok::Partial {
                    name,
                    dynamic,
                    indent: "",
                });
            }
            _ => self.push_var(name, true),
        }
        Ok(after)
    }

    fn push_var(&mut self, name: &'s str, escape: bool) {
        self.line.other = true;
        self.toks.push(Tok::Var { name, escape });
    }

    fn push_tag(&mut self, tok: Tok<'s>) {
        self.line.tags += 1;
        self.toks.push(tok);
    }

    /// `{{=<% %>=}}`: `body` is what follows the first `=` up to the closing delimiter.
    fn set_delimiters(&mut self, body: &'s str, at: usize) -> Result<(), ParseError> {
        let invalid = || {
            (
                SyntaxError::InvalidDelimiters {
                    tag: format!("{}={}{}", self.otag, body, self.ctag),
                },
                at,
            )
        };
        let inner = body.trim_end().strip_suffix('=').ok_or_else(invalid)?;
        let mut parts = inner.split_whitespace();
        let (Some(open), Some(close), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(invalid());
        };
        if open.contains('=') || close.contains('=') {
            return Err(invalid());
        }
        self.otag = open;
        self.ctag = close;
        Ok(())
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = src.get(..offset).unwrap_or(src);
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept<'s>(toks: &[Tok<'s>]) -> Vec<Tok<'s>> {
        toks.iter()
            .copied()
            .filter(|t| *t != Tok::Removed)
            .collect()
    }

    #[test]
    fn standalone_section_lines_vanish() {
        let toks = tokenize("| A\n  {{#b}}\n|\n{{/b}}\n").expect("parses");
        let texts: Vec<&str> = kept(&toks)
            .into_iter()
            .filter_map(|t| match t {
                Tok::Text(s) => Some(s),
                _ => None,
            })
            .collect();
        assert_eq!(texts, ["| A\n", "|\n"]);
    }

    #[test]
    fn partial_indent_recorded() {
        let toks = tokenize("  {{>p}}\n").expect("parses");
        assert!(toks.contains(&Tok::Partial {
            name: "p",
            dynamic: false,
            indent: "  "
        }));
    }

    #[test]
    fn errors_carry_offsets() {
        let err = tokenize("ab\ncd {{name").expect_err("unclosed");
        assert_eq!(line_col("ab\ncd {{name", err.1), (2, 4));
        assert!(tokenize("{{= a =}}").is_err());
        assert!(tokenize("{{=a b c=}}").is_err());
    }
}
