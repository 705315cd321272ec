//! What `forward` says back to devices, behind two small traits so the stream handler is tested without Particle:
//! [`DeviceResponder`] publishes a webhook's (or Google Maps') answer as `hook-response/...` / `hook-error/...`
//! events, and [`PendingCommands`] delivers the commands stored for a device that was offline, now that it has
//! published something. The production implementations are `particle-cloud`'s hook-response delivery and
//! `particle-commands`' `deliver_pending` (see [`crate::particle`]).

use async_trait::async_trait;
use particle_events::Event;
use particle_template::HookResponse;
use thiserror::Error;

/// Which topic a device response goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    /// `hook-response/...`: the target answered.
    Response,
    /// `hook-error/...`: the delivery failed.
    Error,
}

#[derive(Debug, Error)]
pub enum RespondError {
    /// Some chunk of a response was not published (its reason; never a token).
    #[error("the device response was not published: {0}")]
    NotPublished(String),
    /// The pending commands could not be read or delivered.
    #[error("pending commands: {0}")]
    Pending(String),
}

/// Publishes a device's response to the event it published.
#[async_trait]
pub trait DeviceResponder: Send + Sync {
    async fn respond(
        &self,
        event: &Event,
        response: &HookResponse,
        kind: ResponseKind,
    ) -> Result<(), RespondError>;
}

/// Delivers the commands waiting for a device; answers how many were delivered.
#[async_trait]
pub trait PendingCommands: Send + Sync {
    async fn deliver_pending(&self, coreid: &str) -> Result<usize, RespondError>;
}
