//! Unwired Labs' answers. Found and not found both come with HTTP 200:
//! `{"status":"ok","balance":..,"lat":..,"lon":..,"accuracy":..}` or `{"status":"error","message":"..",
//! "balance":..}`. The message says why: "No matches found" (not found), "Invalid token" (key), "Balance over"
//! or a limit (quota). Messages are classified by words; an unclassified one is kept, cleaned and bounded, since
//! Unwired Labs' messages are short fixed sentences (the token is scrubbed regardless).

use serde::Deserialize;

use crate::location::Location;
use crate::provider::ProviderError;

#[derive(Deserialize)]
struct Body {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    lat: Option<f64>,
    #[serde(default)]
    lon: Option<f64>,
    #[serde(default)]
    accuracy: Option<f64>,
}

/// Maps an HTTP status and body to a location or a typed error; `token` is scrubbed from any kept text.
pub fn read(status: u16, body: &[u8], token: &str) -> Result<Location, ProviderError> {
    match status {
        200 => {}
        500.. => return Err(ProviderError::Server { status }),
        429 => {
            return Err(ProviderError::Quota {
                reason: "http429".into(),
            });
        }
        401 | 403 => {
            return Err(ProviderError::KeyInvalid {
                reason: format!("http{status}"),
            });
        }
        404 => return Err(ProviderError::NotFound),
        _ => {
            return Err(ProviderError::Rejected {
                status,
                reason: format!("http{status}"),
            });
        }
    }
    let body: Body = serde_json::from_slice(body)
        .map_err(|e| ProviderError::BadResponse(format!("not Unwired Labs' schema: {e}")))?;
    match body.status.as_deref() {
        Some(s) if s.eq_ignore_ascii_case("ok") => {
            let (Some(lat), Some(lon), Some(accuracy)) = (body.lat, body.lon, body.accuracy) else {
                return Err(ProviderError::BadResponse(
                    "status ok without lat, lon and accuracy".into(),
                ));
            };
            Location::checked(lat, lon, accuracy)
                .ok_or_else(|| ProviderError::BadResponse("location out of range".into()))
        }
        Some(s) if s.eq_ignore_ascii_case("error") => {
            Err(classify(body.message.as_deref().unwrap_or(""), token))
        }
        _ => Err(ProviderError::BadResponse("no status".into())),
    }
}

fn classify(message: &str, token: &str) -> ProviderError {
    let m = message.to_ascii_lowercase();
    let has = |w: &str| m.contains(w);
    if has("no match") || has("not found") {
        ProviderError::NotFound
    } else if has("balance") || has("limit") || has("quota") || has("exceeded") {
        // Before the token test: "Token balance over" is a quota, not a bad token.
        ProviderError::Quota {
            reason: "balanceOrLimit".into(),
        }
    } else if has("token") {
        ProviderError::KeyInvalid {
            reason: "invalidToken".into(),
        }
    } else {
        ProviderError::Rejected {
            status: 200,
            reason: clean(message, token),
        }
    }
}

/// Printable ASCII, the token scrubbed, at most 100 characters.
fn clean(message: &str, token: &str) -> String {
    let mut text: String = message
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(100)
        .collect();
    if !token.is_empty() {
        text = text.replace(token, "<redacted>");
    }
    if text.is_empty() {
        "error".into()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers() {
        assert_eq!(
            read(
                200,
                br#"{"status":"ok","balance":99,"lat":-34.64405,"lon":-54.16642,"accuracy":1200}"#,
                "t"
            ),
            Ok(Location {
                lat: -34.64405,
                lng: -54.16642,
                accuracy: 1200.0
            })
        );
        assert_eq!(
            read(
                200,
                br#"{"status":"error","message":"No matches found","balance":99}"#,
                "t"
            ),
            Err(ProviderError::NotFound)
        );
        assert_eq!(
            read(
                200,
                br#"{"status":"error","message":"Invalid token","balance":0}"#,
                "t"
            ),
            Err(ProviderError::KeyInvalid {
                reason: "invalidToken".into()
            })
        );
        assert!(matches!(
            read(200, br#"{"status":"error","message":"Balance over"}"#, "t"),
            Err(ProviderError::Quota { .. })
        ));
        assert!(matches!(
            read(
                200,
                br#"{"status":"error","message":"Token balance over"}"#,
                "t"
            ),
            Err(ProviderError::Quota { .. })
        ));
        assert_eq!(
            read(
                200,
                br#"{"status":"error","message":"Weird sqrt-secret-tok thing"}"#,
                "sqrt-secret-tok"
            ),
            Err(ProviderError::Rejected {
                status: 200,
                reason: "Weird <redacted> thing".into()
            })
        );
        assert!(matches!(
            read(200, br#"{"status":"ok"}"#, "t"),
            Err(ProviderError::BadResponse(_))
        ));
        assert_eq!(
            read(503, b"", "t"),
            Err(ProviderError::Server { status: 503 })
        );
        assert!(matches!(
            read(200, b"<html>", "t"),
            Err(ProviderError::BadResponse(_))
        ));
    }
}
