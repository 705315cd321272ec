//! The `sse-outage` run: three windows of the real [`sse_drain::Drainer`], each reading its own Particle stream
//! simulator (`integration_tests::particle_sse`, events 10 ms apart) into DynamoDB on moto. moto is killed
//! (SIGKILL) 3 s into the middle window and started again with its data ([`Restart`] says when); the windows
//! before and after it run normally. Then the store is read back against what the simulators sent
//! ([`crate::sse_ledger`]) and against what each window reported ([`crate::sse_checks`]).
//!
//! The windows run one after another, not overlapping as scheduled ones do, and each simulator stops sending
//! events well before its window ends: an event in flight when a window closes its stream is by design the
//! overlapping next window's, which this run does not have.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use integration_tests::particle_sse::{OK, ParticleSse, Script, Step, events, stream_of};
use particle_cloud::ApiBase;
use particle_lambda::Secret;
use particle_store::{EventRepo, ItemStore, Retention, TimeRange};
use sse_drain::budget::OpenBudget;
use sse_drain::gaps::GapLog;
use sse_drain::{DrainConfig, Drainer, WindowOutcome};
use tokio::time::Instant;

use crate::gate::Gate;
use crate::moto::{Moto, table_store};
use crate::sse_checks::{self, Observed};
use crate::sse_ledger::{Sent, sent_events, tally};

/// The device of every event (24 lower-case hex digits).
pub const DEVICE: &str = "3f002b000000000000000002";
const TOKEN: &str = "load-bench-token-0123456789abcdef";
const PREFIX: &str = "load/";
const NAME: &str = "load/reading";
/// Time between two events of a stream (100 a second).
const PACE: Duration = Duration::from_millis(10);
/// As in production (`SSE_FLUSH_MARGIN_SECONDS`): the final flush may run this long past the window's end.
const FLUSH_MARGIN: Duration = Duration::from_secs(10);
/// When moto is killed, from the start of the middle window.
const STOP_AT: Duration = Duration::from_secs(3);

/// When moto comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restart {
    /// 1 s after the stop: moto is back (restarted, data replayed) within the drainer's 10 s of flush retries,
    /// which ride out for sure an outage of up to 5 s (their longest pause) and likely a longer one.
    InWindow,
    /// 11 s after the stop: the flush retries have given up (the window stopped reading), but the final flush
    /// still retries until the hard deadline.
    BeforeDeadline,
    /// Once the window has returned, before the next one starts.
    AfterWindow,
}

impl Restart {
    pub const ALL: [Restart; 3] = [
        Restart::InWindow,
        Restart::BeforeDeadline,
        Restart::AfterWindow,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Restart::InWindow => "stop 3 s, restart 4 s",
            Restart::BeforeDeadline => "stop 3 s, restart 14 s",
            Restart::AfterWindow => "stop 3 s, restart after the window",
        }
    }

    /// When moto is started again, from the start of the middle window (`None`: after the window returned).
    fn at(self) -> Option<Duration> {
        match self {
            Restart::InWindow => Some(STOP_AT + Duration::from_secs(1)),
            Restart::BeforeDeadline => Some(STOP_AT + Duration::from_secs(11)),
            Restart::AfterWindow => None,
        }
    }
}

/// One window: its stream's events (`first..first + events`, [`PACE`] apart, then keepalives) and its length.
#[derive(Debug, Clone, Copy)]
struct Leg {
    first: usize,
    events: usize,
    window: Duration,
}

const BEFORE: Leg = Leg {
    first: 0,
    events: 200,
    window: Duration::from_secs(4),
};
const OUTAGE: Leg = Leg {
    first: 200,
    events: 800,
    window: Duration::from_secs(20),
};
const AFTER: Leg = Leg {
    first: 1_000,
    events: 300,
    window: Duration::from_secs(5),
};

/// One line of the SSE table.
#[derive(Debug, Default)]
pub struct SseRow {
    pub restart: &'static str,
    pub sent: usize,
    pub stored: usize,
    pub missed: usize,
    pub in_gaps: usize,
    /// The windows' own count of events received but not stored (`unflushed`).
    pub reported: u64,
    pub gaps: usize,
    /// How the middle window ended.
    pub outcome: String,
    pub notes: Vec<String>,
    pub failures: Vec<String>,
}

/// Runs the three windows with moto restarted as `restart` says, then checks.
pub async fn run(moto_binary: &Path, restart: Restart) -> SseRow {
    let mut row = SseRow {
        restart: restart.label(),
        ..SseRow::default()
    };
    if let Err(e) = run_into(moto_binary, restart, &mut row).await {
        row.failures.push(e);
    }
    row
}

async fn run_into(moto_binary: &Path, restart: Restart, row: &mut SseRow) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| format!("a temporary directory: {e}"))?;
    let mut moto = Moto::start(moto_binary, Some(dir.path().join("recording"))).await?;
    let table = table_store(&moto.endpoint(), "load-bench-sse").await?;
    let gate = Arc::new(Gate::new(table));
    let store: Arc<dyn ItemStore> = gate.clone();

    let (before_sim, before) = window(&store, BEFORE, "before").await?;
    let outage_sim = simulator(OUTAGE).await;
    let outage_drainer = drainer(&outage_sim, OUTAGE.window, &store)?;
    let start = Instant::now();
    let outage_window = tokio::spawn(async move {
        let outcome = outage_drainer
            .run_window(
                start + OUTAGE.window,
                start + OUTAGE.window + FLUSH_MARGIN,
                "outage",
            )
            .await;
        (outcome, Instant::now())
    });
    tokio::time::sleep_until(start + STOP_AT).await;
    moto.stop();
    let down_from = Instant::now();
    let mut back_at = None;
    if let Some(at) = restart.at() {
        tokio::time::sleep_until(start + at).await;
        back_at = Some(restart_moto(&mut moto, &gate).await?);
    }
    let (outage, outage_returned) = outage_window
        .await
        .map_err(|e| format!("the outage window's task failed: {e}"))?;
    let back_at = match back_at {
        Some(at) => at,
        None => restart_moto(&mut moto, &gate).await?,
    };
    let (after_sim, after) = window(&store, AFTER, "after").await?;

    let mut sent: Vec<Sent> = sent_events(&before_sim.written(), 0);
    sent.extend(sent_events(&outage_sim.written(), 1));
    sent.extend(sent_events(&after_sim.written(), 2));
    let repo = EventRepo::new(Arc::clone(&store), Retention::Days(30));
    let stored = repo
        .by_device(DEVICE, &TimeRange::default(), Some(sent.len() * 2 + 1))
        .await
        .map_err(|e| format!("reading the stored events: {e}"))?;
    let config = config(&before_sim, BEFORE.window);
    let gaps = GapLog::new(Arc::clone(&store), &config.stream_key(), config.retention)
        .list()
        .await
        .map_err(|e| format!("reading the gap items: {e}"))?;
    let state = OpenBudget::new(
        Arc::clone(&store),
        &config.stream_key(),
        config.open_budget,
        config.open_budget_period,
    )
    .state()
    .await
    .map_err(|e| format!("reading the stream state: {e}"))?;

    let ledger = tally(&sent, &stored, &gaps);
    let observed = Observed {
        restart,
        down: back_at - down_from,
        windows: [&before, &outage, &after],
        ledger: &ledger,
        stored_items: stored.len(),
        gaps: &gaps,
        spans_recorded: state.windows.len(),
    };
    row.failures.extend(sse_checks::check(&observed));
    row.sent = ledger.sent;
    row.stored = ledger.stored;
    row.missed = ledger.missed;
    row.in_gaps = ledger.in_gaps;
    row.reported = [&before, &outage, &after]
        .iter()
        .map(|w| w.summary.unflushed)
        .sum();
    row.gaps = gaps.len();
    row.outcome = match &outage.error {
        None => format!("{}, no error", outage.summary.ended_by.as_str()),
        Some(_) => format!("{}, error", outage.summary.ended_by.as_str()),
    };
    row.notes.push(sse_checks::describe(&observed));
    row.notes.push(format!(
        "store down {:.1} s (from the kill 3 s into the middle window until moto had replayed its data); the \
         middle window returned {:.1} s after its start",
        (back_at - down_from).as_secs_f64(),
        (outage_returned - start).as_secs_f64(),
    ));
    Ok(())
}

/// Starts moto again with its data; the gate keeps the drainer out until the replay is done. When it was back.
async fn restart_moto(moto: &mut Moto, gate: &Gate) -> Result<Instant, String> {
    gate.close();
    let restarted = moto.restart().await;
    gate.open();
    restarted.map(|()| Instant::now())
}

/// A simulator streaming `leg`'s events, then keepalives; a reconnect gets keepalives only (never another
/// window's events).
async fn simulator(leg: Leg) -> ParticleSse {
    let chunks = events(NAME, DEVICE, leg.first, leg.events);
    let idle = Script::Stream(vec![
        Step::write(OK),
        Step::KeepAlive {
            every: Duration::from_millis(300),
            total: Duration::from_secs(120),
        },
    ]);
    ParticleSse::start(
        vec![stream_of(&chunks, PACE, Duration::from_secs(120))],
        idle,
    )
    .await
}

/// Production settings (`DrainConfig::from_env` defaults) against `sim`.
fn config(sim: &ParticleSse, window: Duration) -> DrainConfig {
    DrainConfig {
        api_url: ApiBase::parse(&sim.url()).expect("a loopback URL"),
        token: Secret::new(TOKEN),
        events_path: "/v1/devices/events".to_owned(),
        prefix: Some(PREFIX.to_owned()),
        window,
        idle_timeout: Duration::from_secs(15),
        open_budget: 20,
        open_budget_period: Duration::from_secs(300),
        rate_limit_backoff: Duration::from_secs(300),
        reconnect_min: Duration::from_secs(1),
        reconnect_max: Duration::from_secs(60),
        flush_margin: FLUSH_MARGIN,
        retention: Retention::Days(30),
    }
}

fn drainer(
    sim: &ParticleSse,
    window: Duration,
    store: &Arc<dyn ItemStore>,
) -> Result<Drainer, String> {
    Drainer::new(config(sim, window), Arc::clone(store), None)
        .map_err(|e| format!("building the drainer: {e}"))
}

/// Runs one window of `leg` against a fresh simulator.
async fn window(
    store: &Arc<dyn ItemStore>,
    leg: Leg,
    id: &str,
) -> Result<(ParticleSse, WindowOutcome), String> {
    let sim = simulator(leg).await;
    let drainer = drainer(&sim, leg.window, store)?;
    let start = Instant::now();
    let outcome = drainer
        .run_window(start + leg.window, start + leg.window + FLUSH_MARGIN, id)
        .await;
    Ok((sim, outcome))
}

/// The markdown table of the runs (also in `make bench`'s report).
pub fn table(rows: &[SseRow]) -> String {
    let mut out = String::from(
        "| run | store | moto | events sent | stored | missed | missed in gaps | reported unflushed | gaps | middle window | result |\n\
         |---|---|---|---:|---:|---:|---:|---:|---:|---|---|\n",
    );
    for r in rows {
        out.push_str(&format!(
            "| sse-outage | dynamodb (moto) | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.restart,
            r.sent,
            r.stored,
            r.missed,
            r.in_gaps,
            r.reported,
            r.gaps,
            r.outcome,
            if r.failures.is_empty() {
                "ok"
            } else {
                "FAILED"
            },
        ));
    }
    out
}

pub fn print(rows: &[SseRow]) {
    println!(
        "load-bench sse-outage: 3 windows of sse_drain::Drainer (4 s, 20 s, 5 s; 200, 800, 300 events 10 ms \
         apart) from the Particle stream simulator into DynamoDB (moto), moto killed 3 s into the middle window"
    );
    print!("{}", table(rows));
    for r in rows {
        for note in &r.notes {
            println!("- sse-outage ({}): {note}", r.restart);
        }
        for failure in &r.failures {
            println!("- FAILED sse-outage ({}): {failure}", r.restart);
        }
    }
}
