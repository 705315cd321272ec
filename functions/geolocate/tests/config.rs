//! Settings read from the environment: only the listed providers' keys are needed, and a bad setting stops the
//! start with a message naming the variable (never a key). One test, so nothing else in this binary reads the
//! environment while it changes.

use geolocate::Config;
use geolocate::providers::{self, ProviderKind};

const VARS: [&str; 12] = [
    "STORE",
    "WEBHOOK_SECRET",
    "GEOLOCATION_PROVIDERS",
    "GOOGLE_API_KEY",
    "GOOGLE_API_KEY_SECRET_ARN",
    "GOOGLE_GEOLOCATION_URL",
    "UNWIREDLABS_TOKEN",
    "UNWIREDLABS_TOKEN_SECRET_ARN",
    "UNWIREDLABS_URL",
    "GEOCACHE_TTL_HOURS",
    "GEOLOCATE_RESPONSE_TEMPLATE",
    "EVENT_TTL_DAYS",
];

fn set(pairs: &[(&str, &str)]) {
    // SAFETY: the only test of this binary; no other thread reads the environment meanwhile.
    unsafe {
        for name in VARS {
            std::env::remove_var(name);
        }
        for (name, value) in pairs {
            std::env::set_var(name, value);
        }
    }
}

async fn error(pairs: &[(&str, &str)]) -> String {
    set(pairs);
    Config::from_env().await.expect_err("refused").to_string()
}

const BASE: [(&str, &str); 2] = [
    ("STORE", "sqlite:/tmp/geolocate-config-test.db"),
    ("WEBHOOK_SECRET", "local-dev-secret-change-me"),
];

#[tokio::test]
async fn settings_from_the_environment() {
    // Defaults: Google alone, a week of cache, the default answer.
    let google_key = ("GOOGLE_API_KEY", "AIzaSy-a-key-long-enough-0000");
    set(&[BASE[0], BASE[1], google_key]);
    let config = Config::from_env().await.expect("valid");
    assert_eq!(config.providers.names(), "google");
    assert_eq!(
        config.providers.0[0].url,
        "https://www.googleapis.com/geolocation/v1/geolocate"
    );
    assert_eq!(config.answering.cache_ttl_seconds, 168 * 3600);
    assert!(config.answering.template.is_none());
    assert!(
        !format!("{config:?}").contains("AIzaSy-a-key"),
        "keys are redacted"
    );

    // Unwired Labs alone needs no Google key.
    set(&[
        BASE[0],
        BASE[1],
        ("GEOLOCATION_PROVIDERS", "unwiredlabs"),
        ("UNWIREDLABS_TOKEN", "pk.a-token-long-enough-0000"),
        ("GEOCACHE_TTL_HOURS", "24"),
    ]);
    let config = Config::from_env()
        .await
        .expect("valid without a Google key");
    assert_eq!(config.providers.0[0].kind, ProviderKind::UnwiredLabs);
    assert_eq!(config.answering.cache_ttl_seconds, 24 * 3600);

    // Each bad setting names its variable.
    let e = error(&[BASE[0], BASE[1]]).await;
    assert!(e.starts_with("GOOGLE_API_KEY"), "{e}");
    let e = error(&[
        BASE[0],
        BASE[1],
        ("GEOLOCATION_PROVIDERS", "google,here"),
        google_key,
    ])
    .await;
    assert!(e.starts_with("GEOLOCATION_PROVIDERS"), "{e}");
    let e = error(&[
        BASE[0],
        BASE[1],
        ("GEOLOCATION_PROVIDERS", "google,unwiredlabs"),
        google_key,
    ])
    .await;
    assert!(e.starts_with("UNWIREDLABS_TOKEN"), "{e}");
    let e = error(&[BASE[0], BASE[1], google_key, ("GEOCACHE_TTL_HOURS", "0")]).await;
    assert!(e.starts_with("GEOCACHE_TTL_HOURS"), "{e}");
    let e = error(&[
        BASE[0],
        BASE[1],
        google_key,
        ("GEOLOCATE_RESPONSE_TEMPLATE", "{{#lat}}"),
    ])
    .await;
    assert!(e.starts_with("GEOLOCATE_RESPONSE_TEMPLATE"), "{e}");

    // A URL the policy refuses stops the start when the providers are built, naming the variable.
    set(&[
        BASE[0],
        BASE[1],
        google_key,
        ("GOOGLE_GEOLOCATION_URL", "http://geo.example.com/geolocate"),
    ]);
    let config = Config::from_env().await.expect("read");
    let client = particle_geo::http::client().expect("client");
    let e = providers::build(&config.providers, &client)
        .err()
        .expect("refused")
        .to_string();
    assert!(e.starts_with("GOOGLE_GEOLOCATION_URL"), "{e}");
    assert!(!e.contains("AIzaSy-a-key"), "{e}");
    set(&[]);
}
