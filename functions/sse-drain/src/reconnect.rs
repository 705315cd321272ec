//! Reconnect delays: particle-cloud's capped exponential [`Backoff`] with jitter, reset after a minute of healthy streaming (as
//! launchdarkly's eventsource client does), unlike particle-api-js's fixed 2 s forever.

use std::time::Duration;

use particle_cloud::Backoff;

/// A connection that lasted this long was healthy: the next reconnect starts from the first delay again.
pub const HEALTHY: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
pub struct Reconnect {
    policy: Backoff,
    attempt: u32,
}

impl Reconnect {
    pub fn new(min: Duration, max: Duration) -> Self {
        Reconnect {
            policy: Backoff::unlimited(min, max),
            attempt: 0,
        }
    }

    /// The delay before the next connection, given how long the last one stayed up.
    pub fn next_delay(&mut self, connected_for: Duration) -> Duration {
        if connected_for >= HEALTHY {
            self.attempt = 0;
        }
        let delay = self.policy.delay(self.attempt);
        self.attempt = self.attempt.saturating_add(1);
        delay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_caps_and_resets() {
        let mut r = Reconnect::new(Duration::from_secs(1), Duration::from_secs(60));
        let first = r.next_delay(Duration::ZERO);
        assert!(
            first >= Duration::from_millis(500) && first <= Duration::from_secs(1),
            "{first:?}"
        );
        for _ in 0..10 {
            r.next_delay(Duration::ZERO);
        }
        let capped = r.next_delay(Duration::ZERO);
        assert!(
            capped >= Duration::from_secs(30) && capped <= Duration::from_secs(60),
            "{capped:?}"
        );
        let reset = r.next_delay(HEALTHY);
        assert!(reset <= Duration::from_secs(1), "{reset:?}");
    }
}
