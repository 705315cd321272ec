//! The self-signed JWT for Pub/Sub, checked against the public half of a throwaway test key pair
//! (`fixtures/test-only-service-account.json`, generated for these tests; it grants nothing anywhere).

use forward::target::ServiceAccountKey;
use forward::target::google_auth::{Claims, PUBSUB_AUDIENCE, TokenCache};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};

const KEY_JSON: &str = include_str!("fixtures/test-only-service-account.json");
const PUBLIC_PEM: &str = include_str!("fixtures/test-only-service-account.pub.pem");
const NOW: u64 = 1_795_000_000;

fn validation() -> Validation {
    let mut v = Validation::new(Algorithm::RS256);
    v.set_audience(&[PUBSUB_AUDIENCE]);
    v.set_issuer(&["forward-test@test-project.iam.gserviceaccount.com"]);
    // The token is issued at a fixed time in these tests; the signature and claims are what is checked.
    v.validate_exp = false;
    v
}

#[test]
fn jwt_is_rs256_with_kid_and_google_claims() {
    let key = ServiceAccountKey::from_json(KEY_JSON).unwrap();
    let token = key.jwt(NOW).unwrap();
    let decoding = DecodingKey::from_rsa_pem(PUBLIC_PEM.as_bytes()).unwrap();
    let data = jsonwebtoken::decode::<Claims>(&token, &decoding, &validation()).unwrap();
    assert_eq!(data.header.alg, Algorithm::RS256);
    assert_eq!(data.header.kid.as_deref(), Some("test-key-id-0001"));
    assert_eq!(data.header.typ.as_deref(), Some("JWT"));
    assert_eq!(
        data.claims,
        Claims {
            iss: "forward-test@test-project.iam.gserviceaccount.com".into(),
            sub: "forward-test@test-project.iam.gserviceaccount.com".into(),
            aud: "https://pubsub.googleapis.com/".into(),
            iat: NOW,
            exp: NOW + 3600,
        }
    );
}

#[test]
fn a_tampered_token_does_not_verify() {
    let key = ServiceAccountKey::from_json(KEY_JSON).unwrap();
    let token = key.jwt(NOW).unwrap();
    // The claims of a token issued a day later, under this token's signature.
    let other = key.jwt(NOW + 86_400).unwrap();
    let mut parts: Vec<&str> = token.split('.').collect();
    parts[1] = other.split('.').nth(1).unwrap();
    assert_ne!(parts[1], token.split('.').nth(1).unwrap());
    let tampered = parts.join(".");
    let decoding = DecodingKey::from_rsa_pem(PUBLIC_PEM.as_bytes()).unwrap();
    assert!(jsonwebtoken::decode::<Claims>(&tampered, &decoding, &validation()).is_err());
}

#[test]
fn tokens_are_cached_under_an_hour() {
    let key = ServiceAccountKey::from_json(KEY_JSON).unwrap();
    let cache = TokenCache::default();
    let first = cache.token(&key, NOW).unwrap();
    assert_eq!(cache.token(&key, NOW + 44 * 60).unwrap(), first, "reused");
    let later = cache.token(&key, NOW + 45 * 60).unwrap();
    assert_ne!(later, first, "replaced well before the hour is up");
    assert_eq!(cache.token(&key, NOW + 46 * 60).unwrap(), later);
}

#[test]
fn bad_keys_are_refused_without_showing_the_key() {
    let err = ServiceAccountKey::from_json(
        r#"{"type":"service_account","client_email":"a@b","private_key_id":"k","private_key":"-----BEGIN PRIVATE KEY-----\nhunter2hunter2\n-----END PRIVATE KEY-----\n"}"#,
    )
    .unwrap_err();
    assert!(err.contains("private_key"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
    let err = ServiceAccountKey::from_json(r#"{"private_key":"hunter2"}"#).unwrap_err();
    assert!(!err.contains("hunter2"), "{err}");
    let key = ServiceAccountKey::from_json(KEY_JSON).unwrap();
    assert!(
        !format!("{key:?}").contains("PRIVATE"),
        "Debug hides the key"
    );
}
