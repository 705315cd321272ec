//! A per-host circuit breaker. Particle "sleeps" a host that keeps failing and drops the events it skips
//! (`Sleeping, too many errors, please wait and try again`). Here a host that failed `threshold` times in a row
//! (retryable failures: 429, 5xx, timeouts) is paused for a cooldown that doubles while it keeps failing; a
//! delivery to a paused host waits for the pause to end instead of being dropped, and its outcome records how
//! long it waited. A success closes the breaker.
//!
//! Hosts are counted per integration host name, across integrations and events, for the life of the process
//! (one Lambda container).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerSettings {
    /// Consecutive failures that open the breaker.
    pub threshold: u32,
    /// First pause.
    pub cooldown: Duration,
    /// Longest pause.
    pub max_cooldown: Duration,
}

impl Default for BreakerSettings {
    fn default() -> Self {
        BreakerSettings {
            threshold: 5,
            cooldown: Duration::from_secs(5),
            max_cooldown: Duration::from_secs(60),
        }
    }
}

#[derive(Debug, Default)]
struct HostState {
    failures: u32,
    open_until: Option<Instant>,
    cooldown: Duration,
}

#[derive(Debug, Default)]
pub struct CircuitBreaker {
    settings: BreakerSettings,
    hosts: Mutex<HashMap<String, HostState>>,
}

impl CircuitBreaker {
    pub fn new(settings: BreakerSettings) -> Self {
        CircuitBreaker {
            settings,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut HashMap<String, HostState>) -> R) -> R {
        // A poisoned lock only means another task panicked mid-update; the counters are still usable.
        let mut guard = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    /// How long a delivery to `host` must wait now (`None`: the breaker is closed).
    pub fn pause_for(&self, host: &str) -> Option<Duration> {
        let now = Instant::now();
        self.with(|hosts| {
            let until = hosts.get(host)?.open_until?;
            (until > now).then(|| until - now)
        })
    }

    pub fn record_success(&self, host: &str) {
        self.with(|hosts| {
            hosts.remove(host);
        });
    }

    /// Counts a retryable failure; returns the pause when this failure opened (or re-opened) the breaker.
    pub fn record_failure(&self, host: &str) -> Option<Duration> {
        let s = self.settings;
        self.with(|hosts| {
            let state = hosts.entry(host.to_owned()).or_default();
            state.failures = state.failures.saturating_add(1);
            if state.failures < s.threshold {
                return None;
            }
            state.cooldown = if state.cooldown.is_zero() {
                s.cooldown
            } else {
                (state.cooldown * 2).min(s.max_cooldown)
            };
            state.open_until = Some(Instant::now() + state.cooldown);
            Some(state.cooldown)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn opens_after_threshold_doubles_and_closes_on_success() {
        let b = CircuitBreaker::new(BreakerSettings {
            threshold: 2,
            cooldown: Duration::from_secs(5),
            max_cooldown: Duration::from_secs(15),
        });
        assert_eq!(b.record_failure("h"), None);
        assert_eq!(b.pause_for("h"), None);
        assert_eq!(b.record_failure("h"), Some(Duration::from_secs(5)));
        assert_eq!(b.pause_for("h"), Some(Duration::from_secs(5)));
        assert_eq!(b.pause_for("other"), None, "per host");
        tokio::time::advance(Duration::from_secs(3)).await;
        assert_eq!(b.pause_for("h"), Some(Duration::from_secs(2)));
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(b.pause_for("h"), None, "cooldown over: half open");
        assert_eq!(b.record_failure("h"), Some(Duration::from_secs(10)));
        assert_eq!(
            b.record_failure("h"),
            Some(Duration::from_secs(15)),
            "capped"
        );
        b.record_success("h");
        assert_eq!(b.pause_for("h"), None);
        assert_eq!(b.record_failure("h"), None, "counting starts over");
    }
}
