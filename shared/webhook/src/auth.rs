//! Webhook authentication with a shared secret.
//!
//! Particle cannot sign requests (`reference/particle.md` §1.2), so the webhook carries a static secret over TLS,
//! either as a header (`"headers": {"Authorization": "Bearer <secret>"}`) or through the webhook's `auth` field,
//! which Particle sends as HTTP Basic (any username, the secret as password). Both sides are hashed before the
//! constant-time comparison, so neither the secret's content nor its length leaks through timing.
//!
//! During a rotation two versions are valid ([`Keys`]): the current one and the previous one, so webhooks keep
//! working between the new secret version and the update of the Particle webhook.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use particle_lambda::SecretVersions;
use sha2::{Digest, Sha256};
use subtle::{Choice, ConstantTimeEq};
use thiserror::Error;

/// The shortest secret a [`Verifier`] accepts: anything shorter is a placeholder (or empty), not a secret.
pub const MIN_SECRET_CHARS: usize = 16;

/// A secret too short to be one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("the webhook secret must have at least {MIN_SECRET_CHARS} characters")]
pub struct WeakSecret;

/// The expected secret, kept only as a digest.
#[derive(Clone)]
pub struct Verifier {
    digest: [u8; 32],
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Verifier(<redacted>)")
    }
}

/// Why a request was not authenticated (for logs; the client only ever sees 401).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// No `Authorization` header.
    Missing,
    /// A scheme other than Bearer or Basic, or a Basic value that is not base64 `user:password`.
    Unreadable,
    /// A well-formed credential with the wrong secret.
    WrongSecret,
}

/// Which version of the secret a request presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    Current,
    /// The version before the last rotation: the Particle webhook still has to be updated.
    Previous,
}

impl Verifier {
    /// A verifier for `secret`, refused if it has fewer than [`MIN_SECRET_CHARS`] characters (so an unset or
    /// placeholder secret can never let `Bearer ` or `Basic Og==`, an empty password, through).
    pub fn new(secret: &str) -> Result<Self, WeakSecret> {
        if secret.chars().count() < MIN_SECRET_CHARS {
            return Err(WeakSecret);
        }
        Ok(Verifier {
            digest: Sha256::digest(secret.as_bytes()).into(),
        })
    }

    /// Checks an `Authorization` header value.
    pub fn check(&self, authorization: Option<&[u8]>) -> Result<(), Denied> {
        let presented = presented_digest(authorization)?;
        if bool::from(self.matches(&presented)) {
            Ok(())
        } else {
            Err(Denied::WrongSecret)
        }
    }

    fn matches(&self, presented: &[u8; 32]) -> Choice {
        presented.ct_eq(&self.digest)
    }
}

/// The digest of the secret an `Authorization` header value presents.
fn presented_digest(authorization: Option<&[u8]>) -> Result<[u8; 32], Denied> {
    let value = authorization.ok_or(Denied::Missing)?;
    let value = std::str::from_utf8(value)
        .map_err(|_| Denied::Unreadable)?
        .trim();
    let (scheme, credential) = value.split_once(' ').ok_or(Denied::Unreadable)?;
    let credential = credential.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        Ok(Sha256::digest(credential.as_bytes()).into())
    } else if scheme.eq_ignore_ascii_case("basic") {
        let decoded = STANDARD
            .decode(credential)
            .map_err(|_| Denied::Unreadable)?;
        let colon = decoded
            .iter()
            .position(|&b| b == b':')
            .ok_or(Denied::Unreadable)?;
        Ok(Sha256::digest(&decoded[colon + 1..]).into())
    } else {
        Err(Denied::Unreadable)
    }
}

/// The versions of the secret valid now.
#[derive(Debug, Clone)]
pub struct Keys {
    current: Verifier,
    previous: Option<Verifier>,
}

impl Keys {
    /// Verifiers for `versions`. A weak current version is an error; a weak previous one is left out (it can only
    /// come from before the length rule, and must not become a valid credential).
    pub fn new(versions: &SecretVersions) -> Result<Self, WeakSecret> {
        let current = Verifier::new(versions.current.expose())?;
        let previous = versions
            .previous
            .as_ref()
            .and_then(|p| Verifier::new(p.expose()).ok());
        Ok(Keys { current, previous })
    }

    /// Checks an `Authorization` header value against every valid version. Both comparisons always run, so the
    /// time taken does not say which (if any) matched.
    pub fn check(&self, authorization: Option<&[u8]>) -> Result<Credential, Denied> {
        let presented = presented_digest(authorization)?;
        let current = self.current.matches(&presented);
        let previous = self
            .previous
            .as_ref()
            .map_or(Choice::from(0), |p| p.matches(&presented));
        if bool::from(current) {
            Ok(Credential::Current)
        } else if bool::from(previous) {
            Ok(Credential::Previous)
        } else {
            Err(Denied::WrongSecret)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "local-dev-secret-change-me";

    #[test]
    fn bearer_and_basic() {
        let v = Verifier::new(SECRET).unwrap();
        assert_eq!(v.check(Some(format!("Bearer {SECRET}").as_bytes())), Ok(()));
        assert_eq!(
            v.check(Some(format!("bearer   {SECRET} ").as_bytes())),
            Ok(())
        );
        let basic = STANDARD.encode(format!("particle:{SECRET}"));
        assert_eq!(v.check(Some(format!("Basic {basic}").as_bytes())), Ok(()));
        let empty_user = STANDARD.encode(format!(":{SECRET}"));
        assert_eq!(
            v.check(Some(format!("Basic {empty_user}").as_bytes())),
            Ok(())
        );
        // A password containing ':' splits at the first colon only.
        let v2 = Verifier::new("with:colon-secret-123").unwrap();
        let b2 = STANDARD.encode("u:with:colon-secret-123");
        assert_eq!(v2.check(Some(format!("Basic {b2}").as_bytes())), Ok(()));
    }

    #[test]
    fn refusals() {
        let v = Verifier::new(SECRET).unwrap();
        assert_eq!(v.check(None), Err(Denied::Missing));
        assert_eq!(v.check(Some(b"Bearer wrong")), Err(Denied::WrongSecret));
        assert_eq!(
            v.check(Some(format!("Bearer {SECRET}x").as_bytes())),
            Err(Denied::WrongSecret)
        );
        assert_eq!(
            v.check(Some(SECRET.as_bytes())),
            Err(Denied::Unreadable),
            "no scheme"
        );
        assert_eq!(
            v.check(Some(format!("Token {SECRET}").as_bytes())),
            Err(Denied::Unreadable)
        );
        assert_eq!(v.check(Some(b"Basic !!!")), Err(Denied::Unreadable));
        let no_colon = STANDARD.encode(SECRET);
        assert_eq!(
            v.check(Some(format!("Basic {no_colon}").as_bytes())),
            Err(Denied::Unreadable)
        );
        let user_only = STANDARD.encode(format!("{SECRET}:"));
        assert_eq!(
            v.check(Some(format!("Basic {user_only}").as_bytes())),
            Err(Denied::WrongSecret),
            "secret as username"
        );
        assert_eq!(v.check(Some(&[0xff, 0xfe])), Err(Denied::Unreadable));
    }

    #[test]
    fn short_secrets_are_refused() {
        // Before: `Verifier::new("")` built a verifier that accepted `Basic Og==` (":"), an empty password.
        assert_eq!(Verifier::new("").unwrap_err(), WeakSecret);
        assert_eq!(Verifier::new("fifteen-chars-x").unwrap_err(), WeakSecret);
        assert!(Verifier::new("sixteen-chars-xx").is_ok());
        // Characters, not bytes: 15 two-byte characters are still too short.
        assert_eq!(Verifier::new(&"é".repeat(15)).unwrap_err(), WeakSecret);
        let versions = SecretVersions::current(particle_lambda::Secret::new(""));
        assert!(Keys::new(&versions).is_err());
    }

    #[test]
    fn keys_accept_current_and_previous() {
        let versions = SecretVersions {
            current: particle_lambda::Secret::new("the-new-secret-0000"),
            previous: Some(particle_lambda::Secret::new("the-old-secret-0000")),
        };
        let keys = Keys::new(&versions).unwrap();
        assert_eq!(
            keys.check(Some(b"Bearer the-new-secret-0000")),
            Ok(Credential::Current)
        );
        let basic = STANDARD.encode("particle:the-old-secret-0000");
        assert_eq!(
            keys.check(Some(format!("Basic {basic}").as_bytes())),
            Ok(Credential::Previous)
        );
        assert_eq!(
            keys.check(Some(b"Bearer neither")),
            Err(Denied::WrongSecret)
        );
        assert_eq!(keys.check(None), Err(Denied::Missing));

        // A weak previous version is left out, not accepted.
        let weak_previous = SecretVersions {
            current: particle_lambda::Secret::new("the-new-secret-0000"),
            previous: Some(particle_lambda::Secret::new("")),
        };
        let keys = Keys::new(&weak_previous).unwrap();
        assert_eq!(keys.check(Some(b"Basic Og==")), Err(Denied::WrongSecret));
        assert_eq!(keys.check(Some(b"Bearer ")), Err(Denied::Unreadable));
    }
}
