//! One AWS configuration per process. Loading it reads the environment, the profile files and, in Lambda, the
//! container credentials; every AWS client of a function (DynamoDB, Secrets Manager) is built from this one copy
//! instead of loading its own, so a cold start pays for it once. It is loaded lazily: a local run on SQLite with
//! secrets from the environment never loads it at all.

use aws_config::SdkConfig;
use tokio::sync::OnceCell;

static CONFIG: OnceCell<SdkConfig> = OnceCell::const_new();

/// The process's AWS configuration, loaded on first use from the standard chain ([`particle_store::aws::defaults`]) (so `AWS_REGION`,
/// `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SECRETS_MANAGER` and the usual credentials apply).
pub async fn config() -> &'static SdkConfig {
    CONFIG
        .get_or_init(|| particle_store::aws::defaults().load())
        .await
}

/// Whether [`config`] has been loaded in this process (for tests and startup logs).
pub fn loaded() -> bool {
    CONFIG.initialized()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn loaded_once_and_shared() {
        let a = config().await as *const SdkConfig;
        let b = config().await as *const SdkConfig;
        assert!(loaded());
        assert_eq!(a, b, "every caller gets the same configuration");
    }
}
