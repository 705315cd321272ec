//! The URL policy of every outbound call: `https` only, because a bearer token or a payload must never cross the
//! network in clear; `http` only to a loopback address (`127.0.0.0/8`, `::1`, `localhost`), for local simulators
//! and tests. No credentials in URLs: they would end up in logs.

use std::fmt;
use std::net::IpAddr;

use ::url::{Host, Url};

use crate::error::CloudError;

/// Checks `url` against the policy; the error says what is wrong and what is allowed.
pub fn check_url(url: &Url) -> Result<(), CloudError> {
    let refuse = |reason: &str| {
        Err(CloudError::Url {
            url: redacted(url),
            reason: reason.to_owned(),
        })
    };
    if !url.username().is_empty() || url.password().is_some() {
        return refuse("credentials in a URL are not allowed (they would be logged)");
    }
    let Some(host) = url.host() else {
        return refuse("the URL has no host");
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&host) => Ok(()),
        "http" => refuse(
            "http is allowed only for loopback addresses (127.0.0.0/8, ::1, localhost); use https",
        ),
        _ => refuse("only https URLs are allowed (http for loopback addresses)"),
    }
}

/// Parses and checks a URL.
pub fn parse_url(text: &str) -> Result<Url, CloudError> {
    let url = Url::parse(text.trim()).map_err(|e| CloudError::Url {
        url: text.chars().take(200).collect(),
        reason: e.to_string(),
    })?;
    check_url(&url)?;
    Ok(url)
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
        Host::Domain(name) => {
            name.eq_ignore_ascii_case("localhost")
                || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
    }
}

/// The URL for messages, without any userinfo.
fn redacted(url: &Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.to_string()
}

/// The base URL of an API (`https://api.particle.io`), checked against the policy, without a trailing slash,
/// query or fragment. Request URLs are built from it with [`ApiBase::join`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiBase(String);

impl ApiBase {
    /// Particle's production API.
    pub const PARTICLE: &str = "https://api.particle.io";

    pub fn parse(text: &str) -> Result<ApiBase, CloudError> {
        let url = parse_url(text)?;
        if url.query().is_some() || url.fragment().is_some() {
            return Err(CloudError::Url {
                url: redacted(&url),
                reason: "a base URL has no query or fragment".to_owned(),
            });
        }
        Ok(ApiBase(url.as_str().trim_end_matches('/').to_owned()))
    }

    /// `base + path`; `path` starts with `/` (e.g. `/v1/devices/events`).
    pub fn join(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ApiBase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        for ok in [
            "https://api.particle.io",
            "https://api.particle.io/",
            "https://10.0.0.1:8443/x",
            "http://127.0.0.1:8080",
            "http://127.200.3.4",
            "http://[::1]:9000",
            "http://localhost:3000",
            "http://LOCALHOST",
        ] {
            assert!(parse_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://api.particle.io",
            "http://10.0.0.1",
            "http://128.0.0.1",
            "http://[::2]",
            "http://localhost.example.com",
            "http://0.0.0.0",
            "ftp://127.0.0.1",
            "file:///etc/passwd",
            "api.particle.io",
            "",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
        let err = parse_url("http://api.particle.io").unwrap_err().to_string();
        assert!(err.contains("loopback"), "{err}");
    }

    #[test]
    fn credentials_are_refused_and_never_echoed() {
        let err = parse_url("https://user:hunter2@api.particle.io")
            .unwrap_err()
            .to_string();
        assert!(err.contains("credentials"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn base_joins_paths() {
        let base = ApiBase::parse("https://api.particle.io/").unwrap();
        assert_eq!(base.as_str(), "https://api.particle.io");
        assert_eq!(
            base.join("/v1/devices/events"),
            "https://api.particle.io/v1/devices/events"
        );
        assert!(ApiBase::parse("https://api.particle.io/?x=1").is_err());
        let local = ApiBase::parse("http://127.0.0.1:1234").unwrap();
        assert_eq!(local.join("/v1/x"), "http://127.0.0.1:1234/v1/x");
    }
}
