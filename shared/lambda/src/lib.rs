//! Startup support shared by the functions' `main`s: typed settings from the environment with clear errors, and
//! secrets that can never be printed: resolved at cold start, and re-readable to follow a rotation.
//!
//! Module map:
//! - [`aws`]: the process's one AWS configuration, loaded lazily and shared by every AWS client.
//! - [`boundary`]: typed errors at the Lambda boundary ([`InvocationFailure`], [`diagnostic`]): a failed
//!   invocation names its cause and whether a retry can help.
//! - [`env`]: reading and validating environment settings ([`SettingError`]).
//! - [`logging`]: the log subscriber (Lambda's log level and format settings).
//! - [`metrics`]: CloudWatch metrics as Embedded Metric Format log lines (no API call).
//! - [`secret`]: [`Secret`], resolution from `NAME` or `NAME_SECRET_ARN` (AWS Secrets Manager), and
//!   [`RefreshingSecret`]: current + previous versions, re-read (rate-limited) to follow a rotation.
//! - [`store`]: [`open_store`], the `STORE` backend with DynamoDB clients from the shared configuration.

pub mod aws;
pub mod boundary;
pub mod env;
pub mod logging;
pub mod metrics;
pub mod secret;
pub mod store;

pub use boundary::{InvocationFailure, diagnostic};
pub use env::SettingError;
pub use secret::{
    REFRESH_INTERVAL, Refresh, RefreshingSecret, Secret, SecretSource, SecretVersions,
    resolve_secret, resolve_secret_versions,
};
pub use store::open_store;

/// What every `main` does first: installs the log subscriber ([`logging::init`]) and checks the process-wide
/// settings that are not any one function's, so a bad one stops the cold start naming the variable.
pub fn startup() -> Result<(), SettingError> {
    logging::init();
    env::trust_store()
}
