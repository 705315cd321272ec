//! `make bench`'s one table: the pieces each benchmark step saved, assembled into the README's benchmark section.
//!
//! - [`criterion`]: medians from criterion's saved results.
//! - [`inputs`]: the files the other steps write (cold start, load, sizes, the template ratio table).
//! - [`prices`]: the list prices of the cost table, with their sources and date.
//! - [`cost`]: cost per million events, webhook path and stream path.
//! - [`markdown`]: the report itself, and splicing it into the README between its markers.

pub mod cost;
pub mod criterion;
pub mod inputs;
pub mod markdown;
pub mod prices;
