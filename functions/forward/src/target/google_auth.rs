//! Google service-account keys and the self-signed JWTs Pub/Sub accepts as bearer tokens (no OAuth token
//! exchange): RS256, header `kid` = the key's `private_key_id`, `iss` = `sub` = `client_email`,
//! `aud` = `https://pubsub.googleapis.com/`, valid one hour. Tokens are cached and replaced well before expiry.
//!
//! Signed with ring, by hand: a JWT is two base64url JSON parts and a signature, and ring is already in every
//! binary for TLS. The jsonwebtoken crate would need a crypto backend of its own (aws-lc-rs, 1.3 MB of code, or
//! RustCrypto, whose elliptic-curve code stays linked because keys are dispatched at run time: 0.4 MB of the
//! forward binary). The tests verify these tokens with jsonwebtoken, an independent implementation.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;
use serde::{Deserialize, Serialize};

/// The audience of Pub/Sub's self-signed JWTs.
pub const PUBSUB_AUDIENCE: &str = "https://pubsub.googleapis.com/";
/// Lifetime of a token (Google's maximum).
pub const TOKEN_LIFETIME_SECS: u64 = 3600;
/// A cached token is replaced once it is this old: well inside its hour, so it never expires in flight.
pub const TOKEN_REUSE_SECS: u64 = 45 * 60;

/// The parts of a service-account key JSON that signing needs. `Debug` shows only the account.
#[derive(Clone)]
pub struct ServiceAccountKey {
    pub client_email: String,
    pub private_key_id: String,
    key: Arc<RsaKeyPair>,
}

/// Signing failed (ring reports no detail; it does not happen with a key that parsed, nor does encoding the
/// two JSON parts fail).
#[derive(Debug, thiserror::Error)]
#[error("RS256 signing failed")]
pub struct SigningError;

impl fmt::Debug for ServiceAccountKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccountKey")
            .field("client_email", &self.client_email)
            .field("private_key_id", &self.private_key_id)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct KeyFile {
    #[serde(rename = "type")]
    kind: Option<String>,
    client_email: String,
    private_key_id: String,
    private_key: String,
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub iat: u64,
    pub exp: u64,
}

impl ServiceAccountKey {
    /// Parses the key JSON Google's console downloads. Errors never include the key material.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let file: KeyFile = serde_json::from_str(text).map_err(|e| {
            // serde's message may quote a value; only say which kind of problem and where.
            format!(
                "not a service-account key JSON (needs client_email, private_key_id, private_key; line {}, column {})",
                e.line(),
                e.column()
            )
        })?;
        if file.kind.as_deref().is_some_and(|k| k != "service_account") {
            return Err("`type` is not `service_account`".into());
        }
        if file.client_email.is_empty() || file.private_key_id.is_empty() {
            return Err("`client_email` and `private_key_id` must not be empty".into());
        }
        // Google's keys are PKCS#8 (`BEGIN PRIVATE KEY`); PKCS#1 (`BEGIN RSA PRIVATE KEY`) is taken too.
        let not_rsa = || "`private_key` is not an RSA private key in PEM".to_owned();
        let key = match PrivateKeyDer::from_pem_slice(file.private_key.as_bytes())
            .map_err(|_| not_rsa())?
        {
            PrivateKeyDer::Pkcs8(der) => RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()),
            PrivateKeyDer::Pkcs1(der) => RsaKeyPair::from_der(der.secret_pkcs1_der()),
            _ => return Err(not_rsa()),
        }
        .map_err(|_| not_rsa())?;
        Ok(ServiceAccountKey {
            client_email: file.client_email,
            private_key_id: file.private_key_id,
            key: Arc::new(key),
        })
    }

    /// A JWT issued at `now` (seconds since the epoch).
    pub fn jwt(&self, now: u64) -> Result<String, SigningError> {
        let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": self.private_key_id});
        let claims = Claims {
            iss: self.client_email.clone(),
            sub: self.client_email.clone(),
            aud: PUBSUB_AUDIENCE.to_owned(),
            iat: now,
            exp: now + TOKEN_LIFETIME_SECS,
        };
        let part = |json: serde_json::Result<Vec<u8>>| json.map(|b| URL_SAFE_NO_PAD.encode(b));
        let signing_input = format!(
            "{}.{}",
            part(serde_json::to_vec(&header)).map_err(|_| SigningError)?,
            part(serde_json::to_vec(&claims)).map_err(|_| SigningError)?
        );
        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                signing_input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| SigningError)?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
    }
}

pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Tokens per key id, reused for [`TOKEN_REUSE_SECS`].
#[derive(Debug, Default)]
pub struct TokenCache {
    tokens: Mutex<HashMap<String, (String, u64)>>,
}

impl TokenCache {
    /// A token for `key` valid at `now`, signed anew only when the cached one is too old.
    pub fn token(&self, key: &ServiceAccountKey, now: u64) -> Result<String, SigningError> {
        let cache_key = format!("{}/{}", key.client_email, key.private_key_id);
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((token, issued)) = tokens.get(&cache_key)
            && now >= *issued
            && now - issued < TOKEN_REUSE_SECS
        {
            return Ok(token.clone());
        }
        let token = key.jwt(now)?;
        tokens.insert(cache_key, (token.clone(), now));
        Ok(token)
    }
}
