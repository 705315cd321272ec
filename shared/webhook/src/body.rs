//! What the request must look like before its body is parsed: the size limit and the content type.

use particle_events::webhook::{Encoding, sniff};

/// Largest body accepted by default (128 KiB). Particle's largest event carries 16,384 bytes of data, and its
/// encoding in a body can triple or sextuple it: percent-encoded in a form, each byte may take 3 bytes (49,152);
/// JSON-escaped, each control character takes 6 (`\u0001`: 98,304 bytes). 128 KiB holds the worst case with
/// room for the other fields and a custom template around it; anything beyond is not a Particle webhook.
pub const MAX_BODY_BYTES: usize = 128 * 1024;

/// Why a body's encoding could not be settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EncodingError {
    /// A content type we do not read.
    Unsupported(String),
    /// A charset other than UTF-8.
    Charset(String),
    /// No content type, and the body looks like neither JSON nor a form.
    Unrecognised,
    /// No body at all.
    Empty,
}

/// The encoding of `body` given its `Content-Type` header (absent: sniffed from the body).
pub fn encoding(content_type: Option<&[u8]>, body: &[u8]) -> Result<Encoding, EncodingError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(EncodingError::Empty);
    }
    let Some(raw) = content_type else {
        return sniff(body).ok_or(EncodingError::Unrecognised);
    };
    let text = String::from_utf8_lossy(raw);
    let mut parts = text.split(';');
    let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    for param in parts {
        if let Some((key, value)) = param.split_once('=')
            && key.trim().eq_ignore_ascii_case("charset")
        {
            let charset = value.trim().trim_matches('"').to_ascii_lowercase();
            if charset != "utf-8" && charset != "utf8" && charset != "us-ascii" {
                return Err(EncodingError::Charset(charset));
            }
        }
    }
    match media.as_str() {
        "application/x-www-form-urlencoded" => Ok(Encoding::Form),
        "application/json" => Ok(Encoding::Json),
        m if m.starts_with("application/") && m.ends_with("+json") => Ok(Encoding::Json),
        "" => sniff(body).ok_or(EncodingError::Unrecognised),
        _ => Err(EncodingError::Unsupported(
            media.chars().take(100).collect(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        let form = b"event=a&data=b";
        assert_eq!(
            encoding(Some(b"application/x-www-form-urlencoded"), form),
            Ok(Encoding::Form)
        );
        assert_eq!(
            encoding(Some(b"Application/JSON; charset=UTF-8"), b"{}"),
            Ok(Encoding::Json)
        );
        assert_eq!(
            encoding(Some(b"application/vnd.particle+json"), b"{}"),
            Ok(Encoding::Json)
        );
        assert_eq!(encoding(None, b"{\"a\":1}"), Ok(Encoding::Json));
        assert_eq!(encoding(None, form), Ok(Encoding::Form));
        assert_eq!(encoding(Some(b""), form), Ok(Encoding::Form));
        assert_eq!(encoding(None, b"hello"), Err(EncodingError::Unrecognised));
        assert_eq!(
            encoding(Some(b"text/plain"), form),
            Err(EncodingError::Unsupported("text/plain".into()))
        );
        assert_eq!(
            encoding(Some(b"application/json; charset=latin1"), b"{}"),
            Err(EncodingError::Charset("latin1".into()))
        );
        assert_eq!(
            encoding(Some(b"application/json"), b"  \n"),
            Err(EncodingError::Empty)
        );
        assert_eq!(encoding(None, b""), Err(EncodingError::Empty));
    }
}
