//! Capped exponential backoff with full jitter, for retrying what a batch call left unprocessed.

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
    /// Retries of unprocessed batch items: 50 ms doubling to 5 s, 10 attempts (about 20 s in all).
    pub const BATCH: Backoff = Backoff {
        base: Duration::from_millis(50),
        max: Duration::from_secs(5),
        attempts: 10,
    };

    /// The delay before retry number `attempt` (0-based).
    pub fn delay(&self, attempt: u32) -> Duration {
        let exp = self.base.saturating_mul(1u32 << attempt.min(16));
        let capped = exp.min(self.max);
        let half = capped / 2;
        let jitter_ms = rand::rng().random_range(0..=half.as_millis().max(1) as u64);
        half + Duration::from_millis(jitter_ms)
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
}
