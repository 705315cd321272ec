//! Webhook authentication with a shared secret.
//!
//! Particle cannot sign requests (`reference/particle.md` §1.2), so the webhook carries a static secret over TLS,
//! either as a header (`"headers": {"Authorization": "Bearer <secret>"}`) or through the webhook's `auth` field,
//! which Particle sends as HTTP Basic (any username, the secret as password). Both sides are hashed before the
//! constant-time comparison, so neither the secret's content nor its length leaks through timing.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

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

impl Verifier {
    pub fn new(secret: &str) -> Self {
        Verifier {
            digest: Sha256::digest(secret.as_bytes()).into(),
        }
    }

    /// Checks an `Authorization` header value.
    pub fn check(&self, authorization: Option<&[u8]>) -> Result<(), Denied> {
        let value = authorization.ok_or(Denied::Missing)?;
        let value = std::str::from_utf8(value)
            .map_err(|_| Denied::Unreadable)?
            .trim();
        let (scheme, credential) = value.split_once(' ').ok_or(Denied::Unreadable)?;
        let credential = credential.trim();
        let presented: Vec<u8> = if scheme.eq_ignore_ascii_case("bearer") {
            credential.as_bytes().to_vec()
        } else if scheme.eq_ignore_ascii_case("basic") {
            let decoded = STANDARD
                .decode(credential)
                .map_err(|_| Denied::Unreadable)?;
            let colon = decoded
                .iter()
                .position(|&b| b == b':')
                .ok_or(Denied::Unreadable)?;
            decoded[colon + 1..].to_vec()
        } else {
            return Err(Denied::Unreadable);
        };
        let digest: [u8; 32] = Sha256::digest(&presented).into();
        if bool::from(digest.ct_eq(&self.digest)) {
            Ok(())
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
        let v = Verifier::new(SECRET);
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
        let v2 = Verifier::new("with:colon-secret-123");
        let b2 = STANDARD.encode("u:with:colon-secret-123");
        assert_eq!(v2.check(Some(format!("Basic {b2}").as_bytes())), Ok(()));
    }

    #[test]
    fn refusals() {
        let v = Verifier::new(SECRET);
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
}
