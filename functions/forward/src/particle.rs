//! The production [`crate::DeviceResponder`] and [`crate::PendingCommands`]: the Particle Cloud API.

use std::sync::Arc;

use particle_store::ItemStore;
use thiserror::Error;

use crate::respond::{DeviceResponder, PendingCommands};

#[derive(Debug, Error)]
pub enum ParticleSetupError {
    #[error("{0}")]
    Setting(String),
}

/// The responder and pending-command delivery configured by the environment.
#[allow(clippy::type_complexity)]
pub async fn from_env(
    _store: Arc<dyn ItemStore>,
) -> Result<
    (
        Option<Arc<dyn DeviceResponder>>,
        Option<Arc<dyn PendingCommands>>,
    ),
    ParticleSetupError,
> {
    Ok((None, None))
}
