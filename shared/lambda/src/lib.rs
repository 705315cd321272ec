//! Startup support shared by the functions' `main`s: typed settings from the environment with clear errors, and
//! secrets that are resolved once at cold start and can never be printed.
//!
//! Module map:
//! - [`env`]: reading and validating environment settings ([`SettingError`]).
//! - [`metrics`]: CloudWatch metrics as Embedded Metric Format log lines (no API call).
//! - [`secret`]: [`Secret`] and resolution from `NAME` or `NAME_SECRET_ARN` (AWS Secrets Manager).

pub mod env;
pub mod metrics;
pub mod secret;

pub use env::SettingError;
pub use secret::{Secret, resolve_secret};
