//! `particle-commands`: what the backend says to devices, stored. Reply templates (webhook replies), commands
//! waiting for an offline device, and the log of every push to Particle.
//!
//! Module map:
//! - [`scope`]: [`Scope`], whose reply a reply item is (`default`, `product:<id>`, `device:<coreid>`).
//! - [`replies`]: [`Replies`], the reply repository (put with a compile check, get, delete, list, and the
//!   device -> product -> default lookup).
//! - [`deliveries`]: [`Deliveries`], the delivery log ([`DeliveryEntry`], listed by device, newest first).
//! - [`pending`]: [`PendingCommands`], function calls stored for an offline device, claimed with a conditional
//!   write so each is delivered once and in order.
//! - [`commands`]: [`Commands`], the orchestration: call or publish through `particle-cloud`, log the delivery,
//!   queue for later when asked, and [`Commands::deliver_pending`] when a device is seen.
//! - [`error`]: the error type, [`CommandError`].

pub mod commands;
pub mod deliveries;
pub mod error;
pub mod pending;
pub mod replies;
pub mod scope;

pub use commands::{CallResult, Commands};
pub use deliveries::{Deliveries, DeliveryEntry};
pub use error::CommandError;
pub use pending::{PendingCommand, PendingCommands, PendingState};
pub use replies::{Replies, Reply};
pub use scope::Scope;

/// A random 16-hex-digit id (command and delivery ids: unique enough within one device's partition).
pub fn new_id() -> String {
    format!("{:016x}", rand::random::<u64>())
}
