//! Test support: real HTTP simulators of the services the functions talk to, on 127.0.0.1, and real peers.
//!
//! Module map:
//! - [`particle_sse`]: Particle's Server-Sent-Events stream with scripted faults.
//! - [`webhook_target`]: a webhook receiver that records requests and answers from a script.
//! - [`azure_iot`]: an Azure IoT Hub double checking SAS tokens, recording messages, with 429/quota faults.
//! - [`pubsub_emulator`]: Google's Pub/Sub emulator, from `PUBSUB_EMULATOR_HOST` or started on a free port.

pub mod azure_iot;
pub mod particle_sse;
pub mod pubsub_emulator;
pub mod webhook_target;
