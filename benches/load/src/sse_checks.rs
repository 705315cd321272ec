//! What the `sse-outage` run asserts, from the windows' outcomes, the ledger of sent and stored events, the gap
//! items and the stream state:
//!
//! - nothing acknowledged is lost: the store holds at least every event the windows counted stored (new or
//!   duplicate), each exactly once, and nothing the simulators did not send;
//! - nothing is dropped silently: every sent event missing from the store was sent inside a gap item's span, or
//!   is one of its window's `unflushed` (received, reported not stored);
//! - the middle window ends as the drainer's contract says: it rides out a store outage its flush retries are
//!   sure to outlast (up to [`RIDE_OUT`]) and ends with an error after one that outlasts them ([`OUTLASTS`]); if it ends without an error it stored every event it was sent; with
//!   an error, that is `WindowError::Store` from DynamoDB (`store_failed`) counting exactly the events the
//!   summary calls unflushed, none if the store was back before the hard deadline (the final flush stored them);
//!   a window that cannot record its span leaves it to the next window's `between_windows` gap;
//! - the windows before and after store every event of their streams.

use std::collections::BTreeMap;
use std::time::Duration;

use particle_store::StoreError;
use sse_drain::gaps::Gap;
use sse_drain::{EndReason, WindowError, WindowOutcome};

use crate::sse_ledger::Tally;
use crate::sse_outage::Restart;

const NAMES: [&str; 3] = ["before", "middle", "after"];

/// An outage the flush retries always outlast: they retry until 10 s after the flush began, pausing at most 5 s,
/// so an attempt after 5 s always comes; the flush begins at most 250 ms after the stop (25 events, 10 ms apart).
pub const RIDE_OUT: Duration = Duration::from_millis(4_500);
/// An outage that outlasts the flush retries (10 s from the flush's start) whatever their pauses.
pub const OUTLASTS: Duration = Duration::from_millis(10_250);

/// Everything the checks look at.
#[derive(Debug)]
pub struct Observed<'a> {
    pub restart: Restart,
    /// From the kill until moto had its data again.
    pub down: Duration,
    pub windows: [&'a WindowOutcome; 3],
    pub ledger: &'a Tally,
    /// Event items of the device in the store.
    pub stored_items: usize,
    pub gaps: &'a [Gap],
    /// Window spans in the stream state.
    pub spans_recorded: usize,
}

/// The failures (empty: every assertion held).
pub fn check(o: &Observed) -> Vec<String> {
    let mut failures = Vec::new();
    let mut fail = |ok: bool, message: String| {
        if !ok {
            failures.push(message);
        }
    };
    let ledger = o.ledger;
    for (name, w) in NAMES.iter().zip(o.windows) {
        let s = &w.summary;
        fail(
            s.received == s.stored + s.duplicates + s.bad + s.cloud + s.unflushed,
            format!("{name} window: counters do not balance: {s:?}"),
        );
    }
    for (i, w) in [(0, o.windows[0]), (2, o.windows[2])] {
        fail(
            w.error.is_none() && w.summary.ended_by == EndReason::WindowElapsed,
            format!(
                "{} window ended {} with {:?}",
                NAMES[i],
                w.summary.ended_by.as_str(),
                w.error
            ),
        );
    }
    // A window that ends without an error has stored every event it was sent (each stream stops sending well
    // before its window ends).
    for (i, name) in NAMES.iter().enumerate() {
        let missed = ledger.missed_by_window.get(&i).copied().unwrap_or(0);
        fail(
            o.windows[i].error.is_some() || missed == 0,
            format!("{name} window: no error, yet {missed} events sent but not stored"),
        );
    }

    let middle = o.windows[1];
    if o.restart == Restart::AfterWindow || o.down > OUTLASTS {
        fail(
            middle.error.is_some(),
            format!(
                "the store was down {:.1} s, longer than the flush retries, yet the middle window ended without an error",
                o.down.as_secs_f64()
            ),
        );
    } else if o.down <= RIDE_OUT {
        fail(
            middle.error.is_none() && middle.summary.ended_by == EndReason::WindowElapsed,
            format!(
                "a {:.1} s outage should be ridden out, but the middle window ended {} with {:?}",
                o.down.as_secs_f64(),
                middle.summary.ended_by.as_str(),
                middle.error
            ),
        );
    }
    if middle.error.is_some() {
        let store_error = match &middle.error {
            Some(WindowError::Store { source, unflushed }) => Some((source, *unflushed)),
            _ => None,
        };
        fail(
            store_error.is_some_and(|(source, _)| matches!(source, StoreError::Dynamo { .. }))
                && middle.summary.ended_by == EndReason::StoreFailed,
            format!(
                "the middle window should end store_failed with a DynamoDB error, ended {} with {:?}",
                middle.summary.ended_by.as_str(),
                middle.error
            ),
        );
        if o.restart != Restart::AfterWindow {
            fail(
                middle.summary.unflushed == 0,
                format!(
                    "the store was back before the hard deadline, yet {} received events were not flushed",
                    middle.summary.unflushed
                ),
            );
        }
        if let Some((_, unflushed)) = store_error {
            fail(
                unflushed == middle.summary.unflushed,
                format!(
                    "the error says {unflushed} received events could not be stored, the summary (and the \
                     Unflushed metric) {}",
                    middle.summary.unflushed
                ),
            );
        }
    }

    // Nothing acknowledged is lost, nothing is stored twice or invented.
    let acknowledged: u64 = o
        .windows
        .iter()
        .map(|w| w.summary.stored + w.summary.duplicates)
        .sum();
    let received: u64 = o
        .windows
        .iter()
        .map(|w| w.summary.stored + w.summary.duplicates + w.summary.unflushed)
        .sum();
    let in_store = ledger.stored as u64;
    fail(
        in_store >= acknowledged,
        format!("the windows counted {acknowledged} events stored; the store holds {in_store}"),
    );
    fail(
        in_store <= received,
        format!("the store holds {in_store} events; the windows received {received}"),
    );
    fail(
        ledger.twice == 0 && o.stored_items == ledger.stored + ledger.unknown + ledger.foreign,
        format!(
            "{} events stored more than once ({} items for {} events)",
            ledger.twice, o.stored_items, ledger.stored
        ),
    );
    fail(
        ledger.unknown == 0 && ledger.foreign == 0,
        format!(
            "{} stored events were never sent ({} unreadable)",
            ledger.unknown, ledger.foreign
        ),
    );

    // Nothing dropped silently.
    for (i, name) in NAMES.iter().enumerate() {
        let uncovered = ledger.uncovered.get(&i).copied().unwrap_or(0) as u64;
        let reported = o.windows[i].summary.unflushed;
        fail(
            uncovered <= reported,
            format!(
                "{name} window: {uncovered} events sent and not stored outside every gap item, {reported} reported \
                 unflushed: {} silently lost",
                uncovered - reported.min(uncovered)
            ),
        );
    }

    // The stream state: a window records its span when the store takes it at the window's end.
    let expected_spans = if o.restart == Restart::AfterWindow {
        2
    } else {
        3
    };
    fail(
        o.spans_recorded == expected_spans,
        format!(
            "{} window spans in the stream state, expected {expected_spans}",
            o.spans_recorded
        ),
    );
    failures
}

/// One line on what each window reported and which gaps were stored.
pub fn describe(o: &Observed) -> String {
    let windows: Vec<String> = NAMES
        .iter()
        .zip(o.windows)
        .map(|(name, w)| {
            let s = &w.summary;
            let error = match &w.error {
                None => String::new(),
                Some(WindowError::Store { source, unflushed }) => format!(
                    ", error Store {{ unflushed: {unflushed} }}: \"the store failed ({}...)\"",
                    shorten(&source.to_string())
                ),
                Some(e) => format!(", error \"{e}\""),
            };
            format!(
                "{name}: received {}, stored {}, duplicates {}, unflushed {}, connections {}, ended {}{error}",
                s.received,
                s.stored,
                s.duplicates,
                s.unflushed,
                s.connections,
                s.ended_by.as_str()
            )
        })
        .collect();
    let mut reasons: BTreeMap<&str, (usize, i64)> = BTreeMap::new();
    for gap in o.gaps {
        let entry = reasons.entry(gap.reason.as_str()).or_insert((0, 0));
        entry.0 += 1;
        entry.1 += gap.duration_ms;
    }
    let gaps: Vec<String> = reasons
        .iter()
        .map(|(reason, (n, ms))| format!("{n} {reason} ({ms} ms)"))
        .collect();
    format!(
        "{}; gap items: {}; window spans in the stream state: {}",
        windows.join("; "),
        if gaps.is_empty() {
            "none".to_owned()
        } else {
            gaps.join(", ")
        },
        o.spans_recorded
    )
}

/// The head of a store error (the SDK's cause chain is long).
fn shorten(text: &str) -> String {
    text.chars().take(100).collect()
}
