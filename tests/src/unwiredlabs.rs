//! Unwired Labs' LocationAPI on 127.0.0.1: `POST /v2/process` with the token in the JSON body. A missing or
//! wrong token gets `{"status":"error","message":"Invalid token"}`; otherwise the script answers. Like the real
//! service, found and not found both answer HTTP 200.

use std::sync::Arc;

use serde_json::json;

use crate::json_sim::{JsonSim, Received, Reply};

pub const PATH: &str = "/v2/process";

/// A running Unwired Labs simulator; it stops when dropped.
pub struct UnwiredLabs {
    sim: JsonSim,
}

impl UnwiredLabs {
    /// Requests must carry `token`; the script answers them in order, then `fallback` forever.
    pub async fn start(token: &str, script: Vec<Reply>, fallback: Reply) -> UnwiredLabs {
        let token = token.to_owned();
        let gate = Arc::new(move |r: &Received| {
            (r.path != PATH || r.json()["token"].as_str() != Some(token.as_str()))
                .then(|| error("Invalid token"))
        });
        UnwiredLabs {
            sim: JsonSim::start(script, fallback, Some(gate)).await,
        }
    }

    /// The URL for `UNWIREDLABS_URL`.
    pub fn url(&self) -> String {
        format!("{}{PATH}", self.sim.base_url())
    }

    pub fn received(&self) -> Vec<Received> {
        self.sim.received()
    }
}

pub fn found(lat: f64, lon: f64, accuracy: f64) -> Reply {
    Reply::json(
        200,
        json!({"status": "ok", "balance": 99, "lat": lat, "lon": lon, "accuracy": accuracy}),
    )
}

/// `{"status":"error","message":..}` with HTTP 200.
pub fn error(message: &str) -> Reply {
    Reply::json(
        200,
        json!({"status": "error", "message": message, "balance": 99}),
    )
}

pub fn not_found() -> Reply {
    error("No matches found")
}

pub fn server_error(code: u16) -> Reply {
    Reply::json(
        code,
        json!({"status": "error", "message": "Internal error"}),
    )
}
