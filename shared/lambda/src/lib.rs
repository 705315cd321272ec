//! Startup support shared by the functions' `main`s: typed settings from the environment with clear errors, and
//! secrets that can never be printed: resolved at cold start, and re-readable to follow a rotation.
//!
//! Module map:
//! - [`env`]: reading and validating environment settings ([`SettingError`]).
//! - [`metrics`]: CloudWatch metrics as Embedded Metric Format log lines (no API call).
//! - [`secret`]: [`Secret`], resolution from `NAME` or `NAME_SECRET_ARN` (AWS Secrets Manager), and
//!   [`RefreshingSecret`]: current + previous versions, re-read (rate-limited) to follow a rotation.

pub mod env;
pub mod metrics;
pub mod secret;

pub use env::SettingError;
pub use secret::{
    REFRESH_INTERVAL, Refresh, RefreshingSecret, Secret, SecretSource, SecretVersions,
    resolve_secret, resolve_secret_versions,
};
