//! The CloudWatch metrics an error answer counts, emitted through [`particle_lambda::metrics`] (namespace
//! `ParticleIntegrations`, dimension `Function`). The stack's alarms are built on exactly these names: a wave of
//! 401s after a secret rotation, or 5xx from a failing store, must page someone before Particle disables the
//! webhook.

use lambda_http::http::StatusCode;
use particle_lambda::metrics::{Metric, Unit};

/// Every 4xx answer.
pub const CLIENT_ERRORS: &str = "ClientErrors";
/// Every 5xx answer.
pub const SERVER_ERRORS: &str = "ServerErrors";
/// Every 401 answer (also counted in [`CLIENT_ERRORS`]).
pub const UNAUTHORIZED: &str = "Unauthorized";

const fn one(name: &'static str) -> Metric {
    Metric {
        name,
        value: 1.0,
        unit: Unit::Count,
    }
}

/// The metrics one answer with `status` counts (none for a success).
pub fn for_status(status: StatusCode) -> &'static [Metric] {
    const CLIENT: &[Metric] = &[one(CLIENT_ERRORS)];
    const DENIED: &[Metric] = &[one(CLIENT_ERRORS), one(UNAUTHORIZED)];
    const SERVER: &[Metric] = &[one(SERVER_ERRORS)];
    if status == StatusCode::UNAUTHORIZED {
        DENIED
    } else if status.is_client_error() {
        CLIENT
    } else if status.is_server_error() {
        SERVER
    } else {
        &[]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(status: u16) -> Vec<&'static str> {
        for_status(StatusCode::from_u16(status).unwrap())
            .iter()
            .inspect(|m| assert_eq!((m.value, m.unit), (1.0, Unit::Count)))
            .map(|m| m.name)
            .collect()
    }

    #[test]
    fn each_status_class_counts_its_metrics() {
        assert_eq!(names(401), ["ClientErrors", "Unauthorized"]);
        for status in [400, 405, 413, 415, 422, 429] {
            assert_eq!(names(status), ["ClientErrors"], "{status}");
        }
        for status in [500, 502, 503] {
            assert_eq!(names(status), ["ServerErrors"], "{status}");
        }
        for status in [200, 201, 204, 302] {
            assert!(names(status).is_empty(), "{status}");
        }
    }
}
