//! Wall-clock time in Unix milliseconds (stored times, deadlines), and its conversion to tokio's monotonic
//! instants (timeouts).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

/// Wall-clock now, Unix milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Farther than any wait this process can see out (a stored time from the network or from older versions may
/// be absurd; `Instant + Duration` would panic on overflow).
const FAR_FUTURE: Duration = Duration::from_secs(100 * 365 * 86_400);

/// The monotonic instant of a wall-clock time (at most [`FAR_FUTURE`] ahead).
pub fn instant_at_ms(ms: i64) -> Instant {
    let now = Instant::now();
    let delta = ms.saturating_sub(now_ms());
    match u64::try_from(delta) {
        Ok(delta) if delta > 0 => {
            let wait = Duration::from_millis(delta).min(FAR_FUTURE);
            now.checked_add(wait)
                .unwrap_or(now + Duration::from_secs(86_400))
        }
        _ => now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_times_do_not_panic() {
        let now = Instant::now();
        assert!(instant_at_ms(i64::MAX) > now + Duration::from_secs(86_400));
        assert!(instant_at_ms(i64::MIN) <= Instant::now());
        let soon = instant_at_ms(now_ms() + 1_000);
        assert!(soon > now && soon <= Instant::now() + Duration::from_millis(1_001));
    }
}
