//! Test support: real HTTP simulators of the services the functions talk to, on 127.0.0.1.
//!
//! Module map:
//! - [`particle_sse`]: Particle's Server-Sent-Events stream with scripted faults.
//! - [`json_sim`]: a scripted JSON-over-HTTP service that records requests (base of the two below).
//! - [`google_geo`]: Google's Geolocation API (success, its documented error bodies, 5xx, slow; checks the key).
//! - [`unwiredlabs`]: Unwired Labs' LocationAPI (success, error, not found; checks the token).
//!
//! Binary `geo-standin` (`src/bin/geo-standin.rs`): the Google simulator on a fixed port, a stand-in provider
//! for trying `geolocate` under `make run` with curl.

pub mod google_geo;
pub mod json_sim;
pub mod particle_sse;
pub mod unwiredlabs;
