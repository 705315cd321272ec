//! Which events trigger an integration, as Particle decides it: a case-sensitive prefix of the event name
//! (`event`), an optional single device (`deviceID`), an optional product (`product`), and `disabled`.
//!
//! The cloud's own events (`hook-sent`, `hook-response`, `hook-error`) never trigger anything: Particle forbids it
//! so that a webhook cannot feed itself.

use particle_events::Event;

/// Names the cloud generates; an integration never fires on them.
const CLOUD_PREFIXES: [&str; 3] = ["hook-sent", "hook-response", "hook-error"];

/// The trigger part of an integration definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// Case-sensitive prefix of the event name, at least one character.
    pub event_prefix: String,
    /// Only this device (24 lower-case hex characters).
    pub device_id: Option<String>,
    /// Only devices of this product (a product integration); `None` is a sandbox integration, which fires for
    /// every device of the account, product devices included.
    pub product_id: Option<u32>,
    pub disabled: bool,
}

impl Filter {
    /// Whether `event` triggers an integration with this filter.
    pub fn matches(&self, event: &Event) -> bool {
        !self.disabled
            && event.name.starts_with(self.event_prefix.as_str())
            && self.device_id.as_deref().is_none_or(|d| d == event.coreid)
            && self.product_id.is_none_or(|p| event.product_id == Some(p))
            && !is_cloud_event(&event.name)
    }
}

/// `hook-sent/...`, `hook-response/...` and `hook-error/...` (and those names alone).
pub fn is_cloud_event(name: &str) -> bool {
    CLOUD_PREFIXES.iter().any(|p| {
        name.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use particle_events::Source;

    fn event(name: &str, coreid: &str, product: Option<u32>) -> Event {
        Event {
            id: "0".repeat(32),
            name: name.into(),
            data: String::new(),
            coreid: coreid.into(),
            published_at: "2026-11-26T22:58:01.123Z".into(),
            product_id: product,
            fw_version: None,
            particle_event_id: None,
            source: Source::Webhook,
            received_at: "2026-11-26T22:58:01.200Z".into(),
        }
    }

    fn filter(prefix: &str) -> Filter {
        Filter {
            event_prefix: prefix.into(),
            device_id: None,
            product_id: None,
            disabled: false,
        }
    }

    const DEV: &str = "3f002b000000000000000000";
    const OTHER: &str = "e00fce68b1b2c3d4e5f60718";

    #[test]
    fn prefix_is_case_sensitive_and_not_a_substring() {
        // Particle's documented examples: `temp` fires for temp, temperature, temperature/basement, not high_temp.
        let f = filter("temp");
        for name in ["temp", "temperature", "temperature/basement"] {
            assert!(f.matches(&event(name, DEV, None)), "{name}");
        }
        for name in ["high_temp", "Temp", "te"] {
            assert!(!f.matches(&event(name, DEV, None)), "{name}");
        }
    }

    #[test]
    fn device_product_and_disabled() {
        let mut f = filter("t");
        f.device_id = Some(DEV.into());
        assert!(f.matches(&event("t", DEV, None)));
        assert!(!f.matches(&event("t", OTHER, None)));

        let mut f = filter("t");
        f.product_id = Some(1234);
        assert!(f.matches(&event("t", DEV, Some(1234))));
        assert!(!f.matches(&event("t", DEV, Some(99))));
        assert!(
            !f.matches(&event("t", DEV, None)),
            "sandbox device, product hook"
        );
        assert!(
            filter("t").matches(&event("t", DEV, Some(1234))),
            "sandbox hook, product device"
        );

        let mut f = filter("t");
        f.disabled = true;
        assert!(!f.matches(&event("t", DEV, None)));
    }

    #[test]
    fn cloud_events_never_trigger() {
        let f = filter("hook");
        for name in [
            "hook-sent/x",
            "hook-response/x/0",
            "hook-error/x/0",
            "hook-sent",
        ] {
            assert!(!f.matches(&event(name, DEV, None)), "{name}");
        }
        assert!(
            f.matches(&event("hook-sentinel", DEV, None)),
            "only the exact cloud names"
        );
    }
}
