//! Which route a request path names. Segments are percent-decoded one by one.
//!
//! Topics contain `/` (`config/get`), and they reach us in two forms: percent-encoded (`config%2Fget`) from a
//! Function URL or `cargo lambda watch`, which keep the path as sent, and decoded (`config/get`) from API Gateway
//! HTTP APIs, which decode `rawPath` before invoking. A scope never contains `/`, so everything after it is the
//! topic either way. (A topic with a literal `%` is decoded twice behind the HTTP API: such topics cannot be
//! addressed through it.)

use percent_encoding::percent_decode_str;

/// The prefix `cargo lambda watch` serves the function under.
pub const LOCAL_PREFIX: &str = "/lambda-url/respond";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/respond` (or `/` locally): the webhook.
    Webhook,
    /// `/replies`
    Replies,
    /// `/replies/{scope}/{topic}`
    Reply { scope: String, topic: String },
    /// `/devices/{coreid}/functions/{name}`
    Function { coreid: String, name: String },
    /// `/devices/{coreid}/deliveries`
    Deliveries { coreid: String },
    /// `/events`
    Events,
    /// Anything else.
    NotFound,
}

impl Route {
    pub fn of(path: &str) -> Route {
        let path = path.strip_prefix(LOCAL_PREFIX).unwrap_or(path);
        let trimmed = path.trim_end_matches('/');
        if trimmed.is_empty() || trimmed == "/respond" {
            return Route::Webhook;
        }
        let mut segments = Vec::new();
        for raw in trimmed.trim_start_matches('/').split('/') {
            match percent_decode_str(raw).decode_utf8() {
                Ok(s) => segments.push(s.into_owned()),
                Err(_) => return Route::NotFound,
            }
        }
        let s: Vec<&str> = segments.iter().map(String::as_str).collect();
        match s.as_slice() {
            ["replies"] => Route::Replies,
            ["replies", scope, topic @ ..] if !topic.is_empty() => Route::Reply {
                scope: (*scope).to_owned(),
                topic: topic.join("/"),
            },
            ["devices", coreid, "functions", name] => Route::Function {
                coreid: (*coreid).to_owned(),
                name: (*name).to_owned(),
            },
            ["devices", coreid, "deliveries"] => Route::Deliveries {
                coreid: (*coreid).to_owned(),
            },
            ["events"] => Route::Events,
            _ => Route::NotFound,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(Route::of("/respond"), Route::Webhook);
        assert_eq!(Route::of("/lambda-url/respond/"), Route::Webhook);
        assert_eq!(Route::of("/lambda-url/respond"), Route::Webhook);
        assert_eq!(Route::of("/replies"), Route::Replies);
        assert_eq!(
            Route::of("/lambda-url/respond/replies/default/config%2Fget"),
            Route::Reply {
                scope: "default".into(),
                topic: "config/get".into()
            }
        );
        // API Gateway HTTP APIs hand over the path decoded: the same route.
        assert_eq!(
            Route::of("/replies/device:0a/config/get"),
            Route::Reply {
                scope: "device:0a".into(),
                topic: "config/get".into()
            }
        );
        assert_eq!(Route::of("/replies/default"), Route::NotFound);
        assert_eq!(
            Route::of("/devices/0a/functions/led"),
            Route::Function {
                coreid: "0a".into(),
                name: "led".into()
            }
        );
        assert_eq!(
            Route::of("/devices/0a/deliveries"),
            Route::Deliveries {
                coreid: "0a".into()
            }
        );
        assert_eq!(Route::of("/events"), Route::Events);
        assert_eq!(Route::of("/replies/default/%FF"), Route::NotFound);
        assert_eq!(Route::of("/ingest"), Route::NotFound);
    }
}
