//! Repositories: the domain's items over any [`crate::ItemStore`].
//!
//! - [`events`]: published events, keyed by device and time, indexed by name.
//! - [`locations`]: a device's location history and its latest location (replaced only by a newer one).
//! - [`geocache`]: the geolocation cache, one entry per normalised scan, found or not-found, with expiry.

pub mod events;
pub mod geocache;
pub mod locations;
