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

/// The monotonic instant of a wall-clock time.
pub fn instant_at_ms(ms: i64) -> Instant {
    let delta = ms.saturating_sub(now_ms());
    if delta <= 0 {
        Instant::now()
    } else {
        Instant::now() + Duration::from_millis(delta as u64)
    }
}
