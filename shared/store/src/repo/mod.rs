//! Repositories: the domain's items over any [`crate::ItemStore`].
//!
//! - [`events`]: published events, keyed by device and time, indexed by name.

pub mod events;
