//! Backoff between attempts at a retryable failure: exponential, capped, with jitter (so deliveries that failed
//! together do not come back together), and a server's `Retry-After` honoured but clamped.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included (at least 1).
    pub max_attempts: u32,
    /// Delay before the second attempt; doubles after each failure.
    pub base_delay: Duration,
    /// Largest computed delay.
    pub max_delay: Duration,
    /// Largest `Retry-After` honoured: a server asking for an hour must not hold the invocation.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 4 attempts, 1 s doubling to 8 s: about 10 s of waiting before a delivery is dead-lettered, inside a
    /// stream batch's budget.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait after failed attempt number `attempt` (1-based): "equal jitter", a random point in the upper
    /// half of the exponential delay, or the server's `Retry-After` when that is longer.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(20))
            .min(self.max_delay);
        let half = exp / 2;
        let jitter = half.mul_f64(rand::random::<f64>());
        let computed = half + jitter;
        match retry_after {
            Some(ra) => computed.max(ra.min(self.max_retry_after)),
            None => computed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_caps_and_honours_retry_after() {
        let p = RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(400),
            max_retry_after: Duration::from_secs(2),
        };
        for _ in 0..50 {
            let d1 = p.delay(1, None);
            assert!((50..=100).contains(&d1.as_millis()), "{d1:?}");
            let d2 = p.delay(2, None);
            assert!((100..=200).contains(&d2.as_millis()), "{d2:?}");
            let d9 = p.delay(9, None);
            assert!((200..=400).contains(&d9.as_millis()), "{d9:?}");
        }
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(1))),
            Duration::from_secs(1)
        );
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(3600))),
            Duration::from_secs(2)
        );
        assert!(
            p.delay(40, None) <= Duration::from_millis(400),
            "no overflow"
        );
    }
}
