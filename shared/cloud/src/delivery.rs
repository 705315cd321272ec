//! [`Delivery`]: the record every push to Particle yields (what, to whom, when, how often tried, the outcome and
//! Particle's answer). Callers store it (`particle-commands`' delivery log); this crate only fills it in.

use serde::{Deserialize, Serialize};

/// Most bytes of Particle's answer kept in a record.
pub const BODY_KEPT_BYTES: usize = 2 * 1024;

/// What was pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PushKind {
    /// A device function call.
    Function,
    /// An event publish.
    Publish,
    /// One `hook-response/<event>/<n>` chunk.
    HookResponse,
    /// One `hook-error/<event>/<n>` chunk.
    HookError,
    /// The answer to a request webhook, which Particle publishes to the device as its hook-response.
    WebhookReply,
}

/// How a push ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Particle accepted it (for a function: the device answered).
    Delivered,
    /// The device is not connected (Particle's 404, or `connected: false`).
    Offline,
    /// No answer from the device in time (our deadline, or Particle's 408).
    DeviceTimeout,
    /// Particle refused it (400, 403, 404 for a missing function, another 4xx): retrying cannot help.
    Rejected,
    /// The token was refused (401), also after re-reading it.
    Unauthorized,
    /// Still rate limited (429) when the time budget ran out.
    RateLimited,
    /// Still failing (5xx, network) when the retries or the time budget ran out.
    Failed,
    /// Not sent: a limit would have been broken (only hook-response chunks record this; other pushes are refused
    /// before anything is recorded).
    Invalid,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Delivered => "delivered",
            Outcome::Offline => "offline",
            Outcome::DeviceTimeout => "device_timeout",
            Outcome::Rejected => "rejected",
            Outcome::Unauthorized => "unauthorized",
            Outcome::RateLimited => "rate_limited",
            Outcome::Failed => "failed",
            Outcome::Invalid => "invalid",
        }
    }
}

/// One push and how it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub kind: PushKind,
    /// The device (absent for a publish to all of the account's or product's subscribers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coreid: Option<String>,
    /// The product id or slug the call went through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// The function name or the event name.
    pub target: String,
    /// The argument or the event data.
    pub payload: String,
    /// When the first attempt started (Unix milliseconds).
    pub at_ms: i64,
    /// Requests sent (0 when nothing was sent).
    pub attempts: u32,
    pub outcome: Outcome,
    /// Particle's last HTTP status, if it answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Particle's last answer (at most [`BODY_KEPT_BYTES`]) or what went wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// A function's `return_value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_value: Option<i64>,
    /// From the first attempt to the outcome.
    pub duration_ms: u64,
}

impl Delivery {
    pub fn delivered(&self) -> bool {
        self.outcome == Outcome::Delivered
    }
}

/// Now, in Unix milliseconds.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// At most `max` bytes of `s`, cut on a character boundary.
pub(crate) fn bounded(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_in_snake_case_and_round_trips() {
        let d = Delivery {
            kind: PushKind::HookResponse,
            coreid: Some("0a".into()),
            product: None,
            target: "hook-response/x/0".into(),
            payload: "p".into(),
            at_ms: 1,
            attempts: 2,
            outcome: Outcome::DeviceTimeout,
            status: Some(408),
            body: None,
            return_value: None,
            duration_ms: 3,
        };
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["kind"], "hook_response");
        assert_eq!(json["outcome"], "device_timeout");
        assert!(json.get("product").is_none());
        assert_eq!(serde_json::from_value::<Delivery>(json).unwrap(), d);
        assert_eq!(Outcome::DeviceTimeout.as_str(), "device_timeout");
    }

    #[test]
    fn bounded_cuts_on_characters() {
        assert_eq!(bounded("héllo", 2), "h");
        assert_eq!(bounded("héllo", 3), "hé");
        assert_eq!(bounded("abc", 10), "abc");
    }
}
