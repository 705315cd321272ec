//! The one backoff policy of the project: capped exponential with jitter. Used for the store's batch retries,
//! the drainer's reconnects and flush retries, and (later) every outbound retry. Compiled without the `http`
//! feature, so the store can use it without linking an HTTP client.

use std::time::Duration;

use rand::RngExt;

/// Backoff policy: `base * 2^attempt`, capped, with the actual delay drawn uniformly from `[cap/2, cap]` of that
/// value so that concurrent writers spread out.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
    pub attempts: u32,
}

impl Backoff {
    /// Retries of unprocessed DynamoDB batch items: 50 ms doubling to 5 s, 10 attempts (about 20 s in all).
    pub const BATCH: Backoff = Backoff {
        base: Duration::from_millis(50),
        max: Duration::from_secs(5),
        attempts: 10,
    };

    /// A policy from `base` doubling to `max`, with no limit on attempts (the caller bounds them by time).
    pub const fn unlimited(base: Duration, max: Duration) -> Self {
        Backoff {
            base,
            max,
            attempts: u32::MAX,
        }
    }

    /// The delay before retry number `attempt` (0-based). Never overflows: the exponent stops at 2^16 and the
    /// product saturates before the cap applies.
    pub fn delay(&self, attempt: u32) -> Duration {
        let exp = self.base.saturating_mul(1u32 << attempt.min(16));
        let capped = exp.min(self.max);
        let half = capped / 2;
        let half_ms = u64::try_from(half.as_millis()).unwrap_or(u64::MAX).max(1);
        let jitter_ms = rand::rng().random_range(0..=half_ms);
        half.saturating_add(Duration::from_millis(jitter_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_and_caps() {
        let b = Backoff {
            base: Duration::from_millis(100),
            max: Duration::from_secs(1),
            attempts: 5,
        };
        for _ in 0..100 {
            let d0 = b.delay(0);
            assert!(
                d0 >= Duration::from_millis(50) && d0 <= Duration::from_millis(101),
                "{d0:?}"
            );
            let d10 = b.delay(10);
            assert!(
                d10 >= Duration::from_millis(500) && d10 <= Duration::from_millis(1001),
                "{d10:?}"
            );
        }
    }

    #[test]
    fn huge_attempts_and_caps_do_not_overflow() {
        let b = Backoff::unlimited(Duration::from_secs(1), Duration::MAX);
        let d = b.delay(u32::MAX);
        assert!(d >= Duration::from_secs(1 << 15), "{d:?}");
        let b = Backoff::unlimited(Duration::MAX, Duration::MAX);
        assert!(b.delay(3) >= Duration::MAX / 2);
    }
}
