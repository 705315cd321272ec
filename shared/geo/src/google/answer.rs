//! Google's answers: `{"location":{"lat":..,"lng":..},"accuracy":..}` on success, and its error bodies
//! `{"error":{"code":400,"message":"..","errors":[{"domain":"usageLimits","reason":"keyInvalid","message":".."}]}}`.
//!
//! Reasons (`reference/particle.md` §4.4): `keyInvalid` 400, `parseError` 400, `dailyLimitExceeded` 403,
//! `userRateLimitExceeded` 403, `accessNotConfigured` 403, `notFound` 404. Newer Google front ends also answer
//! in the `google.rpc.Status` style (`"status":"INVALID_ARGUMENT"`, `details[].reason` `API_KEY_INVALID`);
//! both are read. Google's free-text messages are never kept, only reason codes.

use serde::Deserialize;

use crate::location::Location;
use crate::provider::{ProviderError, reason_code};

#[derive(Deserialize)]
struct Success {
    location: LatLng,
    accuracy: f64,
}

#[derive(Deserialize)]
struct LatLng {
    lat: f64,
    lng: f64,
}

#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    error: ErrorDetail,
}

#[derive(Deserialize, Default)]
struct ErrorDetail {
    #[serde(default)]
    errors: Vec<Reason>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    details: Vec<Reason>,
}

#[derive(Deserialize)]
struct Reason {
    #[serde(default)]
    reason: Option<String>,
}

/// Maps an HTTP status and body to a location or a typed error.
pub fn read(status: u16, body: &[u8]) -> Result<Location, ProviderError> {
    if status == 200 {
        let ok: Success = serde_json::from_slice(body)
            .map_err(|e| ProviderError::BadResponse(format!("not Google's success schema: {e}")))?;
        return Location::checked(ok.location.lat, ok.location.lng, ok.accuracy)
            .ok_or_else(|| ProviderError::BadResponse("location out of range".to_owned()));
    }
    if status >= 500 {
        return Err(ProviderError::Server { status });
    }
    let detail = serde_json::from_slice::<ErrorBody>(body)
        .unwrap_or_default()
        .error;
    // Every reason Google gave, most specific first; the first one known decides, so a generic
    // `badRequest` beside `API_KEY_INVALID` still reads as a key error.
    let reasons: Vec<String> = detail
        .errors
        .iter()
        .chain(&detail.details)
        .filter_map(|r| r.reason.as_deref().and_then(reason_code))
        .chain(detail.status.as_deref().and_then(reason_code))
        .collect();
    if let Some(known) = reasons.iter().find_map(|r| known(r)) {
        return Err(known);
    }
    let reason = reasons
        .into_iter()
        .next()
        .unwrap_or_else(|| format!("http{status}"));
    Err(match status {
        404 => ProviderError::NotFound,
        429 => ProviderError::Quota { reason },
        401 => ProviderError::KeyInvalid { reason },
        403 => ProviderError::Denied { reason },
        200..=299 => ProviderError::BadResponse(format!("HTTP {status}")),
        _ => ProviderError::Rejected { status, reason },
    })
}

/// The error a known reason code means.
fn known(reason: &str) -> Option<ProviderError> {
    let reason_owned = || reason.to_owned();
    Some(match reason {
        "notFound" | "NOT_FOUND" => ProviderError::NotFound,
        "keyInvalid" | "keyExpired" | "API_KEY_INVALID" | "API_KEY_EXPIRED" => {
            ProviderError::KeyInvalid {
                reason: reason_owned(),
            }
        }
        "dailyLimitExceeded"
        | "userRateLimitExceeded"
        | "rateLimitExceeded"
        | "quotaExceeded"
        | "RATE_LIMIT_EXCEEDED"
        | "RESOURCE_EXHAUSTED" => ProviderError::Quota {
            reason: reason_owned(),
        },
        "accessNotConfigured"
        | "ipRefererBlocked"
        | "billingNotEnabled"
        | "SERVICE_DISABLED"
        | "PERMISSION_DENIED"
        | "BILLING_DISABLED"
        | "API_KEY_SERVICE_BLOCKED" => ProviderError::Denied {
            reason: reason_owned(),
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn google_error(code: u16, domain: &str, reason: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({"error": {"code": code, "message": "m",
            "errors": [{"domain": domain, "reason": reason, "message": "m"}]}}))
        .expect("json")
    }

    #[test]
    fn success() {
        assert_eq!(
            read(
                200,
                br#"{"location":{"lat":42.3857729,"lng":-75.195375},"accuracy":4737}"#
            ),
            Ok(Location {
                lat: 42.3857729,
                lng: -75.195375,
                accuracy: 4737.0
            })
        );
        assert!(matches!(
            read(200, br#"{"location":{"lat":91,"lng":0},"accuracy":1}"#),
            Err(ProviderError::BadResponse(_))
        ));
        assert!(matches!(
            read(200, b"<html>"),
            Err(ProviderError::BadResponse(_))
        ));
    }

    #[test]
    fn documented_errors() {
        let key = |r: &str| r.to_owned();
        assert_eq!(
            read(400, &google_error(400, "usageLimits", "keyInvalid")),
            Err(ProviderError::KeyInvalid {
                reason: key("keyInvalid")
            })
        );
        assert_eq!(
            read(400, &google_error(400, "global", "parseError")),
            Err(ProviderError::Rejected {
                status: 400,
                reason: key("parseError")
            })
        );
        assert_eq!(
            read(403, &google_error(403, "usageLimits", "dailyLimitExceeded")),
            Err(ProviderError::Quota {
                reason: key("dailyLimitExceeded")
            })
        );
        assert_eq!(
            read(
                403,
                &google_error(403, "usageLimits", "userRateLimitExceeded")
            ),
            Err(ProviderError::Quota {
                reason: key("userRateLimitExceeded")
            })
        );
        assert_eq!(
            read(
                403,
                &google_error(403, "usageLimits", "accessNotConfigured")
            ),
            Err(ProviderError::Denied {
                reason: key("accessNotConfigured")
            })
        );
        assert_eq!(
            read(404, &google_error(404, "geolocation", "notFound")),
            Err(ProviderError::NotFound)
        );
        assert_eq!(
            read(502, b"bad gateway"),
            Err(ProviderError::Server { status: 502 })
        );
        assert_eq!(read(404, b""), Err(ProviderError::NotFound));
        assert_eq!(
            read(403, b"nope"),
            Err(ProviderError::Denied {
                reason: key("http403")
            })
        );
    }

    #[test]
    fn rpc_status_style() {
        let body = br#"{"error":{"code":400,"message":"API key not valid.","status":"INVALID_ARGUMENT",
            "errors":[{"message":"API key not valid.","domain":"global","reason":"badRequest"}],
            "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}}"#;
        assert_eq!(
            read(400, body),
            Err(ProviderError::KeyInvalid {
                reason: "API_KEY_INVALID".into()
            })
        );
    }

    #[test]
    fn free_text_reasons_are_not_kept() {
        let body = google_error(400, "global", "key AIzaSECRET is bad");
        assert_eq!(
            read(400, &body),
            Err(ProviderError::Rejected {
                status: 400,
                reason: "http400".into()
            })
        );
    }
}
