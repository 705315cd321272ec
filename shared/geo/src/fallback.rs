//! Providers in order, under one deadline for the whole request.
//!
//! Every failure moves on to the next provider (not-found, 5xx, timeout and quota because another provider may
//! know or be up; a key or access error because the operator's mistake with one provider should not cost the
//! device its answer; it is logged at warn level with the provider's reason). The outcome:
//! - [`Outcome::Found`] from the first provider that knows the place;
//! - [`Outcome::NotFound`] only when every provider answered not-found (the function's 404);
//! - [`Outcome::Failed`] otherwise (502, or 504 when the last failure was a timeout), its message naming each
//!   provider's reason, e.g. `google: the API key was refused (keyInvalid); unwiredlabs: timed out`.

use std::sync::Arc;

use tokio::time::Instant;

use crate::location::Location;
use crate::normalise::Scan;
use crate::provider::{GeoProvider, ProviderError};

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Found {
        location: Location,
        /// The provider's [`GeoProvider::name`].
        provider: String,
        /// Providers tried before it, and why they gave no location (for logs and metrics).
        failures: Vec<(String, ProviderError)>,
    },
    NotFound,
    Failed {
        /// The last failure was a timeout (the request deadline included).
        timeout: bool,
        message: String,
        failures: Vec<(String, ProviderError)>,
    },
}

/// Asks `providers` in order until one knows the place, giving up at `deadline` (the function passes now + 10 s;
/// Particle waits 20 s). A provider not reached before the deadline counts as timed out.
pub async fn locate(providers: &[Arc<dyn GeoProvider>], scan: &Scan, deadline: Instant) -> Outcome {
    let mut failures: Vec<(String, ProviderError)> = Vec::with_capacity(providers.len());
    for provider in providers {
        let name = provider.name().to_owned();
        let result = if Instant::now() >= deadline {
            Err(ProviderError::Timeout)
        } else {
            tokio::time::timeout_at(deadline, provider.locate(scan))
                .await
                .unwrap_or(Err(ProviderError::Timeout))
        };
        match result {
            Ok(location) => {
                return Outcome::Found {
                    location,
                    provider: name,
                    failures,
                };
            }
            Err(e) => {
                if e.is_configuration() {
                    tracing::warn!(provider = %name, reason = %e.reason(), error = %e,
                        "geolocation provider refused its key or access; trying the next");
                } else {
                    tracing::info!(provider = %name, reason = %e.reason(), error = %e,
                        "geolocation provider gave no location; trying the next");
                }
                failures.push((name, e));
            }
        }
    }
    if !failures.is_empty() && failures.iter().all(|(_, e)| *e == ProviderError::NotFound) {
        return Outcome::NotFound;
    }
    let timeout = matches!(failures.last(), Some((_, ProviderError::Timeout)));
    let message = if failures.is_empty() {
        "no geolocation provider is configured".to_owned()
    } else {
        failures
            .iter()
            .map(|(name, e)| format!("{name}: {e}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    Outcome::Failed {
        timeout,
        message,
        failures,
    }
}
