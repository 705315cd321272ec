//! Google's Geolocation API on 127.0.0.1: `POST /geolocation/v1/geolocate?key=<key>`. A missing or wrong key
//! gets Google's `keyInvalid` answer; otherwise the script answers. The replies are Google's documented bodies
//! (`reference/particle.md` §4.4).

use std::sync::Arc;

use serde_json::json;

use crate::json_sim::{JsonSim, Received, Reply};

pub const PATH: &str = "/geolocation/v1/geolocate";

/// A running Google simulator; it stops when dropped.
pub struct GoogleGeo {
    sim: JsonSim,
}

impl GoogleGeo {
    /// Requests must carry `key`; the script answers them in order, then `fallback` forever.
    pub async fn start(key: &str, script: Vec<Reply>, fallback: Reply) -> GoogleGeo {
        Self::start_on(0, key, script, fallback)
            .await
            .expect("bind 127.0.0.1:0")
    }

    /// The same on 127.0.0.1:`port` (the `geo-standin` binary of `make run`).
    pub async fn start_on(
        port: u16,
        key: &str,
        script: Vec<Reply>,
        fallback: Reply,
    ) -> std::io::Result<GoogleGeo> {
        let key = key.to_owned();
        let gate = Arc::new(move |r: &Received| {
            (r.path != PATH)
                .then(|| error(404, "global", "notFound", "Not Found"))
                .or_else(|| {
                    (r.query_param("key").as_deref() != Some(key.as_str())).then(key_invalid)
                })
        });
        Ok(GoogleGeo {
            sim: JsonSim::start_on(port, script, fallback, Some(gate)).await?,
        })
    }

    /// The URL for `GOOGLE_GEOLOCATION_URL`.
    pub fn url(&self) -> String {
        format!("{}{PATH}", self.sim.base_url())
    }

    pub fn received(&self) -> Vec<Received> {
        self.sim.received()
    }
}

/// 200 with a location.
pub fn found(lat: f64, lng: f64, accuracy: f64) -> Reply {
    Reply::json(
        200,
        json!({"location": {"lat": lat, "lng": lng}, "accuracy": accuracy}),
    )
}

/// Google's error body.
pub fn error(code: u16, domain: &str, reason: &str, message: &str) -> Reply {
    Reply::json(
        code,
        json!({"error": {"errors": [{"domain": domain, "reason": reason, "message": message}],
                         "code": code, "message": message}}),
    )
}

pub fn key_invalid() -> Reply {
    error(400, "usageLimits", "keyInvalid", "Bad Request")
}

pub fn parse_error() -> Reply {
    error(400, "global", "parseError", "Parse Error")
}

pub fn daily_limit_exceeded() -> Reply {
    error(
        403,
        "usageLimits",
        "dailyLimitExceeded",
        "This API project has exceeded its daily limit.",
    )
}

pub fn user_rate_limit_exceeded() -> Reply {
    error(
        403,
        "usageLimits",
        "userRateLimitExceeded",
        "User Rate Limit Exceeded",
    )
}

pub fn access_not_configured() -> Reply {
    error(
        403,
        "usageLimits",
        "accessNotConfigured",
        "Access Not Configured. Geolocation API has not been used in project 123 before or it is disabled.",
    )
}

pub fn not_found() -> Reply {
    error(404, "geolocation", "notFound", "Not Found")
}

/// A 5xx as Google's front end sends it.
pub fn server_error(code: u16) -> Reply {
    error(code, "global", "backendError", "Backend Error")
}
