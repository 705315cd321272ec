//! CloudWatch metrics for a batch of outcomes, for the entry point to emit with
//! `particle_lambda::metrics::emit("forward", &forward::metrics::summary(&outcomes), &[])`. Alarms belong on
//! `DeliveriesDeadLettered` (a target kept failing) and `DeliveriesFailed` (a definition or a key is wrong).

use particle_lambda::metrics::{Metric, Unit};

use crate::outcome::{DeliveryOutcome, DeliveryStatus};

pub const DELIVERED: &str = "DeliveriesDelivered";
pub const FAILED: &str = "DeliveriesFailed";
pub const DEAD_LETTERED: &str = "DeliveriesDeadLettered";
pub const POSTPONED: &str = "DeliveriesPostponed";
pub const ATTEMPTS: &str = "DeliveryAttempts";
pub const BREAKER_PAUSE: &str = "DeliveryBreakerPause";

/// Counts per status, total attempts, and total time spent waiting on circuit breakers.
pub fn summary(outcomes: &[DeliveryOutcome]) -> Vec<Metric> {
    let count = |s: DeliveryStatus| outcomes.iter().filter(|o| o.status == s).count() as u64;
    vec![
        Metric::count(DELIVERED, count(DeliveryStatus::Delivered)),
        Metric::count(FAILED, count(DeliveryStatus::Failed)),
        Metric::count(DEAD_LETTERED, count(DeliveryStatus::DeadLettered)),
        Metric::count(POSTPONED, count(DeliveryStatus::Postponed)),
        Metric::count(
            ATTEMPTS,
            outcomes.iter().map(|o| u64::from(o.attempts)).sum(),
        ),
        Metric {
            name: BREAKER_PAUSE,
            value: outcomes.iter().map(|o| o.paused_ms).sum::<u64>() as f64,
            unit: Unit::Milliseconds,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(status: DeliveryStatus, attempts: u32, paused_ms: u64) -> DeliveryOutcome {
        DeliveryOutcome {
            integration: "i".into(),
            integration_type: "Webhook",
            event_id: "e".into(),
            coreid: "c".into(),
            event_name: "n".into(),
            status,
            attempts,
            http_status: None,
            last_error: None,
            paused_ms,
            finished_at_ms: 0,
            device_response: None,
        }
    }

    #[test]
    fn sums_by_status() {
        let m = summary(&[
            outcome(DeliveryStatus::Delivered, 1, 0),
            outcome(DeliveryStatus::Delivered, 3, 500),
            outcome(DeliveryStatus::DeadLettered, 4, 0),
            outcome(DeliveryStatus::Postponed, 1, 120),
        ]);
        let get = |n: &str| m.iter().find(|x| x.name == n).unwrap().value;
        assert_eq!(get(DELIVERED), 2.0);
        assert_eq!(get(FAILED), 0.0);
        assert_eq!(get(DEAD_LETTERED), 1.0);
        assert_eq!(get(POSTPONED), 1.0);
        assert_eq!(get(ATTEMPTS), 9.0);
        assert_eq!(get(BREAKER_PAUSE), 620.0);
    }
}
