//! Google service-account keys and the self-signed JWTs Pub/Sub accepts as bearer tokens (no OAuth token
//! exchange): RS256, header `kid` = the key's `private_key_id`, `iss` = `sub` = `client_email`,
//! `aud` = `https://pubsub.googleapis.com/`, valid one hour. Tokens are cached and replaced well before expiry.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
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
    key: EncodingKey,
}

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
        let key = EncodingKey::from_rsa_pem(file.private_key.as_bytes())
            .map_err(|_| "`private_key` is not an RSA private key in PEM".to_owned())?;
        Ok(ServiceAccountKey {
            client_email: file.client_email,
            private_key_id: file.private_key_id,
            key,
        })
    }

    /// A JWT issued at `now` (seconds since the epoch).
    pub fn jwt(&self, now: u64) -> Result<String, jsonwebtoken::errors::Error> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.private_key_id.clone());
        let claims = Claims {
            iss: self.client_email.clone(),
            sub: self.client_email.clone(),
            aud: PUBSUB_AUDIENCE.to_owned(),
            iat: now,
            exp: now + TOKEN_LIFETIME_SECS,
        };
        jsonwebtoken::encode(&header, &claims, &self.key)
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
    pub fn token(
        &self,
        key: &ServiceAccountKey,
        now: u64,
    ) -> Result<String, jsonwebtoken::errors::Error> {
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
