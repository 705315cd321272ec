//! Outcomes: what one attempt at a target gave ([`TargetOutcome`]), and what one (event, integration) pair ended
//! as after retries ([`DeliveryOutcome`]), the record the delivery log stores.

use std::time::Duration;

use particle_template::HookResponse;
use serde::{Deserialize, Serialize};

/// The answer of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetOutcome {
    /// The target accepted the request (2xx). `body` is the response, capped at 100 KiB.
    Delivered { status: u16, body: String },
    /// Worth trying again: 429, 5xx, a timeout, a connection failure. `retry_after` from the server, if any.
    Retryable {
        reason: String,
        status: Option<u16>,
        retry_after: Option<Duration>,
    },
    /// Trying again cannot help: a 4xx, a request the target refuses to send (over a size limit).
    Permanent { reason: String, status: Option<u16> },
}

impl TargetOutcome {
    pub fn status(&self) -> Option<u16> {
        match self {
            TargetOutcome::Delivered { status, .. } => Some(*status),
            TargetOutcome::Retryable { status, .. } | TargetOutcome::Permanent { status, .. } => {
                *status
            }
        }
    }

    pub fn retryable(reason: impl Into<String>) -> Self {
        TargetOutcome::Retryable {
            reason: reason.into(),
            status: None,
            retry_after: None,
        }
    }

    pub fn permanent(reason: impl Into<String>) -> Self {
        TargetOutcome::Permanent {
            reason: reason.into(),
            status: None,
        }
    }
}

/// How a delivery ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// The target accepted it.
    Delivered,
    /// Refused for good (a 4xx, an invalid rendered request): not retried.
    Failed,
    /// Retryable failures until the attempts were spent: goes to the dead-letter queue with the reason.
    DeadLettered,
    /// The host's circuit breaker stayed open longer than this invocation may wait; nothing was lost, the
    /// caller should hand the event back for a later try (a partial batch failure).
    Postponed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::DeadLettered => "dead_lettered",
            DeliveryStatus::Postponed => "postponed",
        }
    }
}

/// One (event, integration) delivery, ready for the delivery log. Secrets are already redacted from every text.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryOutcome {
    /// The integration's file name without `.json`.
    pub integration: String,
    /// Particle's `integration_type`.
    pub integration_type: &'static str,
    pub event_id: String,
    pub coreid: String,
    pub event_name: String,
    pub status: DeliveryStatus,
    /// Requests sent (0 when the request could not be rendered).
    pub attempts: u32,
    /// The last HTTP status the target answered.
    pub http_status: Option<u16>,
    /// Why the last attempt failed (for `failed`, `dead_lettered`, `postponed`).
    pub last_error: Option<String>,
    /// Time spent waiting on the host's circuit breaker.
    pub paused_ms: u64,
    /// When the delivery ended, milliseconds since the Unix epoch.
    pub finished_at_ms: u64,
    /// Webhooks only: what to publish back to the device (`hook-response/...` on success with a body,
    /// `hook-error/...` on failure), through the Particle Cloud API.
    #[serde(skip)]
    pub device_response: Option<HookResponse>,
}

impl DeliveryOutcome {
    /// Whether the stream should hand this event back (a partial batch failure).
    pub fn should_retry_later(&self) -> bool {
        self.status == DeliveryStatus::Postponed
    }
}
