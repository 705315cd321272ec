//! The accounting of an SSE outage run: which events the simulator sent (each window's connection, with wall-clock
//! times), which the store holds, and which missing ones a gap item covers. Particle's stream has no resume, so an
//! event sent but not stored is acceptable only when the drainer said so: a gap spanning its send time, or the
//! window's count of events it could not store. Anything else is a silent loss.

use std::collections::HashMap;

use integration_tests::particle_sse::Written;
use particle_events::Event;
use particle_events::clock;
use sse_drain::gaps::Gap;

/// The simulator's events carry `data` `value-<index>` (`integration_tests::particle_sse::events`).
const VALUE_PREFIX: &str = "value-";

/// One event the simulator sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    pub index: usize,
    /// The window whose connection carried it.
    pub window: usize,
    /// Wall-clock Unix milliseconds of the write.
    pub at_ms: i64,
}

/// The events among `written` (one event per write, as `stream_of` writes them; `:ok` and keepalives skipped),
/// all sent to window `window`.
pub fn sent_events(written: &[Written], window: usize) -> Vec<Sent> {
    written
        .iter()
        .filter_map(|w| {
            let text = std::str::from_utf8(&w.bytes).ok()?;
            let data = text.lines().find_map(|l| l.strip_prefix("data: "))?;
            let json: serde_json::Value = serde_json::from_str(data).ok()?;
            Some(Sent {
                index: index_of(json["data"].as_str()?)?,
                window,
                at_ms: w.at_ms,
            })
        })
        .collect()
}

fn index_of(data: &str) -> Option<usize> {
    data.strip_prefix(VALUE_PREFIX)?.parse().ok()
}

/// A gap's span in Unix milliseconds (the items hold RFC 3339 with milliseconds, as the drainer formatted them).
fn span_ms(gap: &Gap) -> Option<(i64, i64)> {
    let ms = |t: &str| {
        clock::parse_rfc3339(t)
            .ok()
            .and_then(|t| clock::to_unix_ms(t).ok())
    };
    Some((ms(&gap.from)?, ms(&gap.to)?))
}

/// What the store holds against what was sent.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    pub sent: usize,
    /// Sent events found in the store (each counted once).
    pub stored: usize,
    /// Events stored more than once (by `data`, whatever their ids).
    pub twice: usize,
    /// Stored events the simulator never sent.
    pub unknown: usize,
    /// Sent, not stored.
    pub missed: usize,
    /// Missed events per window.
    pub missed_by_window: HashMap<usize, usize>,
    /// Missed events sent within a stored gap's span.
    pub in_gaps: usize,
    /// Missed events outside every gap, per window: only the window's own count of events it could not store
    /// may account for them.
    pub uncovered: HashMap<usize, usize>,
    /// Stored items unreadable as a simulator event.
    pub foreign: usize,
}

/// Compares what was sent with what is stored and with the gaps.
pub fn tally(sent: &[Sent], stored: &[Event], gaps: &[Gap]) -> Tally {
    let mut copies: HashMap<usize, usize> = HashMap::new();
    let mut tally = Tally {
        sent: sent.len(),
        ..Tally::default()
    };
    for event in stored {
        match index_of(&event.data) {
            Some(i) => *copies.entry(i).or_insert(0) += 1,
            None => tally.foreign += 1,
        }
    }
    tally.twice = copies.values().filter(|&&n| n > 1).count();
    let sent_indices: HashMap<usize, &Sent> = sent.iter().map(|s| (s.index, s)).collect();
    tally.unknown = copies
        .keys()
        .filter(|i| !sent_indices.contains_key(i))
        .count();
    let spans: Vec<(i64, i64)> = gaps.iter().filter_map(span_ms).collect();
    for s in sent_indices.values() {
        if copies.contains_key(&s.index) {
            tally.stored += 1;
            continue;
        }
        tally.missed += 1;
        *tally.missed_by_window.entry(s.window).or_insert(0) += 1;
        if spans
            .iter()
            .any(|&(from, to)| from <= s.at_ms && s.at_ms <= to)
        {
            tally.in_gaps += 1;
        } else {
            *tally.uncovered.entry(s.window).or_insert(0) += 1;
        }
    }
    tally
}

#[cfg(test)]
mod tests {
    use super::*;
    use integration_tests::particle_sse::{OK, event};
    use sse_drain::gaps::GapReason;

    const DEVICE: &str = "0123456789abcdef01234567";

    fn written(i: usize, at_ms: i64) -> Written {
        let published_at = format!("2026-11-26T10:00:00.{i:03}Z");
        Written {
            connection: 0,
            at_ms,
            bytes: event("load/reading", &format!("value-{i}"), DEVICE, &published_at).into(),
        }
    }

    fn stored(i: usize) -> Event {
        let published_at = format!("2026-11-26T10:00:00.{i:03}Z");
        let json = serde_json::json!({"data": format!("value-{i}"), "ttl": 60, "published_at": published_at, "coreid": DEVICE});
        particle_events::parse_sse_data(
            "load/reading",
            json.to_string().as_bytes(),
            "2026-11-26T10:00:01.000Z",
        )
        .expect("a valid event")
    }

    fn gap(from_ms: i64, to_ms: i64) -> Gap {
        Gap {
            stream: "s".into(),
            from: clock::format_unix_ms(from_ms),
            to: clock::format_unix_ms(to_ms),
            duration_ms: to_ms - from_ms,
            reason: GapReason::StoreFailed,
            drainer: "d".into(),
        }
    }

    #[test]
    fn events_are_read_back_from_the_writes_and_keepalives_skipped() {
        let log = vec![
            Written {
                connection: 0,
                at_ms: 1,
                bytes: OK.into(),
            },
            written(7, 2),
            Written {
                connection: 0,
                at_ms: 3,
                bytes: "\n".into(),
            },
        ];
        assert_eq!(
            sent_events(&log, 4),
            [Sent {
                index: 7,
                window: 4,
                at_ms: 2
            }]
        );
    }

    #[test]
    fn missing_events_are_covered_only_by_a_gap_spanning_their_send_time() {
        let base = 1_796_000_000_000;
        let sent = sent_events(
            &[
                written(0, base),
                written(1, base + 10),
                written(2, base + 20),
                written(3, base + 30),
            ],
            1,
        );
        // 1 stored twice; 2 sent inside the gap; 3 sent after it; 9 stored but never sent.
        let store = [stored(0), stored(1), stored(1), stored(9)];
        let t = tally(&sent, &store, &[gap(base + 15, base + 25)]);
        assert_eq!((t.sent, t.stored, t.twice, t.unknown), (4, 2, 1, 1));
        assert_eq!((t.missed, t.in_gaps), (2, 1));
        assert_eq!(t.uncovered, HashMap::from([(1, 1)]));
        // The gap's ends are inclusive (both sides write whole milliseconds).
        let edge = tally(&sent, &[stored(0), stored(1)], &[gap(base + 20, base + 30)]);
        assert_eq!((edge.in_gaps, edge.uncovered.len()), (2, 0));
    }
}
