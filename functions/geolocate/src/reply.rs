//! The answers: 200 `text/plain` with the location (what the device library parses), and the geolocation error
//! answers, each `{"error","message"}` (the front end builds its own 4xx and counts every error).

use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Response};
use particle_geo::{Location, ScanError, Source, answer};
use particle_template::Template;
use particle_webhook::Rejection;

/// The default response: `lat,lng,accuracy`, what Particle's integration answers.
pub const DEFAULT_TEMPLATE: &str = "{{lat}},{{lng}},{{accuracy}}";
/// Seconds a client should wait before retrying after a store failure.
pub const RETRY_AFTER_SECONDS: u32 = 5;

/// What the answer says about a location.
#[derive(Debug, Clone, Copy)]
pub struct Located<'a> {
    pub location: &'a Location,
    pub source: Source,
    pub provider: Option<&'a str>,
    pub cached: bool,
}

/// 200 `text/plain`: the default `lat,lng,accuracy`, or the response template over the location's variables.
pub fn located(
    found: Located<'_>,
    template: Option<&Template>,
) -> Result<Response<Body>, Rejection> {
    let text = match template {
        None => answer::default_answer(found.location),
        Some(t) => {
            let vars =
                answer::template_vars(found.location, found.source, found.provider, found.cached);
            t.render(&vars).map_err(|e| {
                Rejection::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "response_template",
                    format!("GEOLOCATE_RESPONSE_TEMPLATE could not be rendered: {e}"),
                )
            })?
        }
    };
    let mut response = Response::new(Body::Text(text));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    Ok(response)
}

/// 404: every provider answered not-found (now or within the last hour). The device gets `hook-error`.
pub fn not_found() -> Rejection {
    Rejection::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no geolocation provider knows where this scan was taken",
    )
}

/// 422: not a scan, or too little in it; no provider was asked.
pub fn invalid_scan(e: &ScanError) -> Rejection {
    Rejection::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_scan",
        e.to_string(),
    )
}

/// 502 `provider_error`, or 504 `provider_timeout` when the last failure was a timeout. `message` names each
/// provider's reason (particle-geo builds it without keys or URLs).
pub fn provider_failed(timeout: bool, message: &str) -> Rejection {
    if timeout {
        Rejection::new(
            StatusCode::GATEWAY_TIMEOUT,
            "provider_timeout",
            format!("geolocation timed out: {message}"),
        )
    } else {
        Rejection::new(
            StatusCode::BAD_GATEWAY,
            "provider_error",
            format!("geolocation failed: {message}"),
        )
    }
}

/// 503: the store failed; nothing was answered from a half-written state.
pub fn store_unavailable(what: &str) -> Rejection {
    Rejection::unavailable(
        "store_unavailable",
        format!("the store is unavailable ({what}); retry later"),
        RETRY_AFTER_SECONDS,
    )
}

/// The [`Source`] a stored location names (`wifi`, `cell`, `wifi+cell`, `gnss`).
pub fn source_from_str(text: &str) -> Option<Source> {
    [Source::Wifi, Source::Cell, Source::WifiCell, Source::Gnss]
        .into_iter()
        .find(|s| s.as_str() == text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_and_template_answers_agree() {
        let location = Location {
            lat: 42.3857729,
            lng: -75.195375,
            accuracy: 4737.0,
        };
        let found = Located {
            location: &location,
            source: Source::Wifi,
            provider: Some("google"),
            cached: false,
        };
        let plain = located(found, None).unwrap();
        assert_eq!(
            plain.body(),
            &Body::Text("42.3857729,-75.195375,4737".into())
        );
        assert_eq!(plain.headers()["content-type"], "text/plain; charset=utf-8");
        let t = Template::compile(DEFAULT_TEMPLATE).unwrap();
        assert_eq!(located(found, Some(&t)).unwrap().body(), plain.body());
        let custom =
            Template::compile("{{lat}} {{lng}} via {{provider}} cached={{cached}}").unwrap();
        assert_eq!(
            located(found, Some(&custom)).unwrap().body(),
            &Body::Text("42.3857729 -75.195375 via google cached=false".into())
        );
    }

    #[test]
    fn sources_round_trip() {
        for s in [Source::Wifi, Source::Cell, Source::WifiCell, Source::Gnss] {
            assert_eq!(source_from_str(s.as_str()), Some(s));
        }
        assert_eq!(source_from_str("ip"), None);
    }

    #[test]
    fn timeouts_are_504_other_failures_502() {
        assert_eq!(
            provider_failed(true, "google: timed out").status,
            StatusCode::GATEWAY_TIMEOUT
        );
        let e = provider_failed(false, "google: keyInvalid");
        assert_eq!(
            (e.status, e.code),
            (StatusCode::BAD_GATEWAY, "provider_error")
        );
    }
}
