//! [`SecretsManagerSource`] against a real Secrets Manager API: the local moto server that `make test` starts for
//! DynamoDB serves every service on the same port, so its endpoint comes from the same setting (and the same
//! loopback-only guard). A rotation with `put-secret-value` moves the old version to `AWSPREVIOUS`.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::config::{Credentials, Region};
use particle_lambda::secret::SecretsManagerSource;
use particle_lambda::{Refresh, RefreshingSecret, Secret, SecretSource, SettingError};
use particle_store::testing::{dynamo_endpoint, unique_table};

const OLD: &str = "old-webhook-secret-0001";
const NEW: &str = "new-webhook-secret-0002";

async fn client() -> Client {
    let config = particle_store::aws::defaults()
        .endpoint_url(dynamo_endpoint())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
        .load()
        .await;
    Client::new(&config)
}

async fn create(client: &Client, value: &str) -> String {
    let name = unique_table("webhook-secret");
    client
        .create_secret()
        .name(&name)
        .secret_string(value)
        .send()
        .await
        .unwrap_or_else(|e| panic!("creating secret {name}: {e:?}"));
    name
}

async fn rotate(client: &Client, name: &str, value: &str) {
    client
        .put_secret_value()
        .secret_id(name)
        .secret_string(value)
        .send()
        .await
        .unwrap_or_else(|e| panic!("rotating {name}: {e:?}"));
}

fn previous(versions: &particle_lambda::SecretVersions) -> Option<&str> {
    versions.previous.as_ref().map(Secret::expose)
}

#[tokio::test]
async fn current_and_previous_stages() {
    let client = client().await;
    let name = create(&client, OLD).await;
    let source = SecretsManagerSource::new(client.clone(), "WEBHOOK_SECRET", name.clone(), 16);
    let before = source.read().await.expect("read");
    assert_eq!(before.current.expose(), OLD);
    assert_eq!(
        previous(&before),
        None,
        "a secret never rotated has no AWSPREVIOUS"
    );

    rotate(&client, &name, NEW).await;
    let after = source.read().await.expect("read");
    assert_eq!(after.current.expose(), NEW);
    assert_eq!(previous(&after), Some(OLD));
}

/// Real time here (a paused clock would let the SDK's own timeouts fire while it waits on the socket), with a
/// short interval standing in for the minute.
#[tokio::test]
async fn a_refreshing_secret_follows_a_rotation() {
    const INTERVAL: Duration = Duration::from_secs(3);
    let client = client().await;
    let name = create(&client, OLD).await;
    let source = SecretsManagerSource::new(client.clone(), "WEBHOOK_SECRET", name.clone(), 16);
    let secret = RefreshingSecret::read(Arc::new(source), INTERVAL)
        .await
        .expect("read");
    rotate(&client, &name, NEW).await;
    assert!(matches!(secret.refresh_if_due().await, Refresh::Throttled));
    assert_eq!(secret.versions().current.expose(), OLD);
    tokio::time::sleep(INTERVAL).await;
    assert!(matches!(secret.refresh_if_due().await, Refresh::Reread(_)));
    let versions = secret.versions();
    assert_eq!(versions.current.expose(), NEW);
    assert_eq!(previous(&versions), Some(OLD));
}

#[tokio::test]
async fn a_short_previous_version_is_left_out_and_a_short_current_one_refused() {
    let client = client().await;
    let name = create(&client, "placeholder").await;
    let source = SecretsManagerSource::new(client.clone(), "WEBHOOK_SECRET", name.clone(), 16);
    let short = source.read().await.expect_err("too short");
    assert!(matches!(short, SettingError::Invalid { .. }), "{short}");
    assert!(!short.to_string().contains("placeholder"), "{short}");
    rotate(&client, &name, NEW).await;
    let versions = source.read().await.expect("read");
    assert_eq!(versions.current.expose(), NEW);
    assert_eq!(
        previous(&versions),
        None,
        "the placeholder is not a valid credential"
    );
}

#[tokio::test]
async fn a_missing_secret_is_an_error_naming_the_setting() {
    let source = SecretsManagerSource::new(
        client().await,
        "WEBHOOK_SECRET",
        "no-such-secret-anywhere".to_owned(),
        16,
    );
    let missing = source.read().await.expect_err("missing");
    let text = missing.to_string();
    assert!(
        text.starts_with("WEBHOOK_SECRET: could not read secret no-such-secret-anywhere"),
        "{text}"
    );
}
