//! Test support: real HTTP simulators of the services the functions talk to, on 127.0.0.1.
//!
//! Module map:
//! - [`particle_sse`]: Particle's Server-Sent-Events stream with scripted faults.

pub mod particle_sse;
