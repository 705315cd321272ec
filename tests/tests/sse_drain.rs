//! The SSE drainer against the Particle stream simulator, with every store-touching scenario on both backends.

use std::sync::Arc;
use std::time::Duration;

use integration_tests::particle_sse::{OK, ParticleSse, Script, Step, event, events, stream_of};
use particle_cloud::{AccessToken, ApiBase, MAX_RETRY_AFTER, TokenError, TokenSource};
use particle_lambda::Secret;
use particle_lambda::metrics::Metric;
use particle_store::repo::events::TimeRange;
use particle_store::{EventRepo, ItemStore, Retention};
use sse_drain::gaps::GapReason;
use sse_drain::{DrainConfig, Drainer, EndReason, WindowError, WindowOutcome};
use tokio::time::Instant;

const TOKEN: &str = "test-token-0123456789abcdef0123";
const DEVICE: &str = "0123456789abcdef01234567";

particle_store::both_backends!(
    clean_stream_stores_each_event_once,
    closed_mid_event_drops_the_partial_and_reconnects,
    silent_stall_is_detected_and_reconnected,
    rate_limit_529_is_honoured_across_invocations,
    huge_retry_after_is_clamped_to_an_hour,
    unauthorized_makes_one_attempt,
    hostile_bytes_are_survived,
    two_overlapping_drainers_store_each_event_once,
    never_ending_stream_returns_before_the_deadline_flushed,
    open_budget_is_never_exceeded,
    span_between_windows_is_a_gap,
);

/// Settings for a test: short windows and timeouts, everything else as in production.
fn config(sim: &ParticleSse, window: Duration) -> DrainConfig {
    DrainConfig {
        api_url: ApiBase::parse(&sim.url()).expect("loopback URL"),
        token: Secret::new(TOKEN),
        events_path: "/v1/devices/events".to_owned(),
        prefix: Some("env/".to_owned()),
        window,
        idle_timeout: Duration::from_secs(1),
        open_budget: 20,
        open_budget_period: Duration::from_secs(300),
        rate_limit_backoff: Duration::from_secs(60),
        reconnect_min: Duration::from_millis(50),
        reconnect_max: Duration::from_millis(400),
        flush_margin: Duration::from_secs(1),
        retention: Retention::Forever,
    }
}

async fn drain(config: DrainConfig, store: &Arc<dyn ItemStore>) -> (WindowOutcome, Drainer) {
    let window = config.window;
    let drainer = Drainer::new(config, Arc::clone(store), None).expect("drainer");
    let start = Instant::now();
    let outcome = drainer
        .run_window(
            start + window,
            start + window + Duration::from_secs(2),
            "test",
        )
        .await;
    (outcome, drainer)
}

async fn stored_events(store: &Arc<dyn ItemStore>) -> Vec<particle_events::Event> {
    EventRepo::new(Arc::clone(store), Retention::Forever)
        .by_device(DEVICE, &TimeRange::default(), Some(100_000))
        .await
        .expect("query")
}

/// The value of one of the window's metrics.
fn metric(outcome: &WindowOutcome, name: &str) -> f64 {
    sse_drain::metrics::window_metrics(&outcome.summary, outcome.error.is_some())
        .iter()
        .find(|m: &&Metric| m.name == name)
        .map(|m| m.value)
        .unwrap_or_else(|| panic!("no metric {name}"))
}

fn assert_balanced(outcome: &WindowOutcome) {
    let s = &outcome.summary;
    assert_eq!(
        s.received,
        s.stored + s.duplicates + s.bad + s.cloud + s.unflushed,
        "nothing unaccounted: {s:?}"
    );
}

async fn clean_stream_stores_each_event_once(store: Arc<dyn ItemStore>) {
    let chunks = events("env/temp", DEVICE, 0, 60);
    let sim = ParticleSse::start(
        vec![stream_of(&chunks, Duration::ZERO, Duration::from_secs(30))],
        Script::Stream(vec![Step::Hang]),
    )
    .await;
    let (outcome, _) = drain(config(&sim, Duration::from_secs(2)), &store).await;
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    let s = &outcome.summary;
    assert_eq!(
        (s.received, s.stored, s.duplicates, s.bad),
        (60, 60, 0, 0),
        "{s:?}"
    );
    assert_eq!((s.opens, s.reconnects, s.connections), (1, 0, 1));
    assert_eq!(s.ended_by, EndReason::WindowElapsed);
    assert!(
        metric(&outcome, "ConnectedPercent") > 50.0,
        "connected for most of the window: {s:?}"
    );
    assert_eq!(metric(&outcome, "EventsStored"), 60.0);
    assert_eq!(metric(&outcome, "WindowFailed"), 0.0);
    assert!(
        s.keepalives >= 1,
        "the :ok comment and keepalives are seen: {s:?}"
    );
    assert_balanced(&outcome);
    let stored = stored_events(&store).await;
    assert_eq!(stored.len(), 60);
    assert!(
        stored
            .iter()
            .all(|e| e.source == particle_events::Source::Sse && e.name == "env/temp")
    );
    // Token only as a Bearer header; the prefix as the path's last segment, percent-encoded.
    let requests = sim.received();
    assert_eq!(
        requests[0].authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(requests[0].path_and_query, "/v1/devices/events/env%2F");
}

async fn closed_mid_event_drops_the_partial_and_reconnects(store: Arc<dyn ItemStore>) {
    let mut first: Vec<Step> = vec![Step::write(OK)];
    first.extend(events("env/t", DEVICE, 0, 10).into_iter().map(Step::write));
    first.push(Step::write(format!("event: env/t\ndata: {{\"data\":\"partial\",\"ttl\":60,\"published_at\":\"2026-11-26T11:00:00.000Z\",\"coreid\":\"{DEVICE}\"")));
    let second = stream_of(
        &events("env/t", DEVICE, 10, 10),
        Duration::ZERO,
        Duration::from_secs(30),
    );
    let sim = ParticleSse::start(
        vec![Script::Stream(first), second],
        Script::Stream(vec![Step::Hang]),
    )
    .await;
    let (outcome, drainer) = drain(config(&sim, Duration::from_secs(3)), &store).await;
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    let s = &outcome.summary;
    assert_eq!((s.received, s.stored, s.reconnects), (20, 20, 1), "{s:?}");
    assert_balanced(&outcome);
    let stored = stored_events(&store).await;
    assert_eq!(stored.len(), 20);
    assert!(
        stored.iter().all(|e| e.data != "partial"),
        "the unterminated event is not stored"
    );
    let gaps = drainer.gaps().list().await.expect("gaps");
    assert!(
        gaps.iter().any(|g| g.reason == GapReason::StreamEnded),
        "{gaps:?}"
    );
    assert!(
        gaps.iter().any(|g| g.reason == GapReason::Startup),
        "{gaps:?}"
    );
}

async fn silent_stall_is_detected_and_reconnected(store: Arc<dyn ItemStore>) {
    let mut first = vec![Step::write(OK)];
    first.extend(events("env/t", DEVICE, 0, 5).into_iter().map(Step::write));
    first.push(Step::Hang);
    let second = stream_of(
        &events("env/t", DEVICE, 5, 5),
        Duration::ZERO,
        Duration::from_secs(30),
    );
    let sim = ParticleSse::start(
        vec![Script::Stream(first), second],
        Script::Stream(vec![Step::Hang]),
    )
    .await;
    let (outcome, drainer) = drain(config(&sim, Duration::from_secs(4)), &store).await;
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    assert_eq!(
        (outcome.summary.stored, outcome.summary.reconnects),
        (10, 1),
        "{:?}",
        outcome.summary
    );
    let requests = sim.received();
    let stall_to_reconnect = requests[1].at - requests[0].at;
    assert!(
        stall_to_reconnect >= Duration::from_secs(1)
            && stall_to_reconnect < Duration::from_millis(2_500),
        "idle timeout of 1 s, then a short backoff: {stall_to_reconnect:?}"
    );
    let gaps = drainer.gaps().list().await.expect("gaps");
    assert!(
        gaps.iter().any(|g| g.reason == GapReason::IdleTimeout),
        "{gaps:?}"
    );
}

async fn rate_limit_529_is_honoured_across_invocations(store: Arc<dyn ItemStore>) {
    let sim = ParticleSse::start(
        vec![],
        Script::Status(529, "{\"error\":\"Too many requests\"}".to_owned()),
    )
    .await;
    let started = particle_events::clock::now_unix();
    let (outcome, drainer) = drain(config(&sim, Duration::from_secs(1)), &store).await;
    assert!(
        outcome.error.is_none(),
        "a 529 is a wait, not a failure: {:?}",
        outcome.error
    );
    assert_eq!(outcome.summary.ended_by, EndReason::RateLimited);
    assert_eq!(sim.received().len(), 1);
    // Defect 3: the window never connected, and says so in its metrics.
    assert_eq!(outcome.summary.connections, 0);
    assert_eq!(metric(&outcome, "ConnectedPercent"), 0.0);
    assert_eq!(metric(&outcome, "GapMs"), outcome.summary.elapsed_ms as f64);
    assert!(outcome.summary.elapsed_ms >= 900, "{:?}", outcome.summary);
    let state = drainer.budget().state().await.expect("state");
    let until_s = state.backoff_until.expect("backoff stored") / 1000;
    assert!(
        (started + 59..=started + 62).contains(&until_s),
        "{until_s} vs {started}"
    );
    assert_eq!(state.backoff_reason.as_deref(), Some("http_529"));
    // The next invocation (a new process, same store) does not connect before the backoff ends.
    let (next, next_drainer) = drain(config(&sim, Duration::from_secs(1)), &store).await;
    assert_eq!(sim.received().len(), 1, "no connection during the backoff");
    assert_eq!(
        (next.summary.opens, next.summary.ended_by),
        (0, EndReason::RateLimited)
    );
    let gaps = next_drainer.gaps().list().await.expect("gaps");
    assert!(
        gaps.iter()
            .filter(|g| g.reason == GapReason::RateLimited)
            .count()
            >= 2,
        "{gaps:?}"
    );
}

/// Defect 2: `Retry-After: 100000000000` (3,000 years) was stored as the shared backoff as it came.
async fn huge_retry_after_is_clamped_to_an_hour(store: Arc<dyn ItemStore>) {
    let sim = ParticleSse::start(
        vec![],
        Script::Answer {
            status: 529,
            headers: vec![("retry-after", "100000000000".to_owned())],
            body: String::new(),
        },
    )
    .await;
    let started_ms = sse_drain::wallclock::now_ms();
    let (outcome, drainer) = drain(config(&sim, Duration::from_secs(1)), &store).await;
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    assert_eq!(outcome.summary.ended_by, EndReason::RateLimited);
    let until = drainer
        .budget()
        .state()
        .await
        .expect("state")
        .backoff_until
        .expect("backoff stored");
    let hour_ms = MAX_RETRY_AFTER.as_millis() as i64;
    assert!(
        until >= started_ms + hour_ms && until <= sse_drain::wallclock::now_ms() + hour_ms,
        "backoff until {until}, started {started_ms}: at most an hour"
    );
}

async fn unauthorized_makes_one_attempt(store: Arc<dyn ItemStore>) {
    let body =
        r#"{"error":"invalid_token","error_description":"The access token provided is invalid."}"#;
    let sim = ParticleSse::start(vec![], Script::Status(401, body.to_owned())).await;
    let start = Instant::now();
    let (outcome, drainer) = drain(config(&sim, Duration::from_secs(3)), &store).await;
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "ends at once, no reconnect loop"
    );
    assert_eq!(sim.received().len(), 1);
    assert_eq!(metric(&outcome, "WindowFailed"), 1.0);
    let error = outcome.error.expect("an error");
    assert!(
        matches!(error, WindowError::AuthRefused { status: 401, .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("invalid_token: The access token provided is invalid."),
        "{message}"
    );
    assert!(
        !message.contains(TOKEN),
        "the token never appears in errors"
    );
    assert_eq!(outcome.summary.ended_by, EndReason::AuthRefused);
    let gaps = drainer.gaps().list().await.expect("gaps");
    assert_eq!(
        gaps.iter().map(|g| g.reason).collect::<Vec<_>>(),
        [GapReason::AuthFailed]
    );
}

async fn hostile_bytes_are_survived(store: Arc<dyn ItemStore>) {
    let good = |i: usize| {
        let published_at = format!("2026-11-26T12:00:00.{i:03}Z");
        event("env/ok", &format!("good-{i}"), DEVICE, &published_at)
    };
    let crlf = good(3).replace('\n', "\r\n");
    let cr_only = good(4).replace('\n', "\r");
    let utf8 = event(
        "env/ok",
        "température 21°C ✓",
        DEVICE,
        "2026-11-26T12:00:00.005Z",
    );
    let utf8_bytes = utf8.as_bytes();
    let cut = utf8.find('é').expect("é") + 1; // inside the two-byte é
    let steps = vec![
        Step::write(format!("\u{feff}{OK}")),
        Step::write(good(0)),
        Step::write("this is not a field line at all\n\n".to_owned()),
        Step::write(format!("event: env/bad\ndata: {{not json\n\n{}", good(1))),
        Step::write(format!(
            "event: env/extra\nid: 7\nretry: 100\nfoo: bar\ndata: {{\"data\":\"x\",\"ttl\":\"60\",\"published_at\":\"2026-11-26T12:00:00.002Z\",\"coreid\":\"{DEVICE}\",\"userid\":\"u\",\"new_field\":[1]}}\n\n"
        )),
        Step::write(format!("data: {}\n\n", "x".repeat(1024 * 1024))),
        Step::write(crlf[..crlf.len() - 1].to_owned()),
        Step::write(format!("{}{}", &crlf[crlf.len() - 1..], cr_only)),
        Step::Write(bytes::Bytes::copy_from_slice(&utf8_bytes[..cut])),
        Step::Write(bytes::Bytes::copy_from_slice(&utf8_bytes[cut..])),
        Step::write(format!(
            "event: env/bad\ndata: {{\"data\":\"x\",\"published_at\":\"nope\",\"coreid\":\"{DEVICE}\"}}\n\n"
        )),
        Step::write("event: hook-sent/env/ok\ndata: {\"data\":\"undefined\",\"ttl\":60,\"published_at\":\"2026-11-26T12:00:00.100Z\",\"coreid\":\"particle-internal\"}\n\n".to_owned()),
        Step::KeepAlive {
            every: Duration::from_millis(200),
            total: Duration::from_secs(30),
        },
    ];
    let sim = ParticleSse::start(
        vec![Script::Stream(steps)],
        Script::Stream(vec![Step::Hang]),
    )
    .await;
    let (outcome, _) = drain(config(&sim, Duration::from_secs(2)), &store).await;
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    let s = &outcome.summary;
    assert_eq!(
        (s.stored, s.bad, s.cloud, s.oversized_lines),
        (6, 2, 1, 1),
        "{s:?}"
    );
    assert_balanced(&outcome);
    let mut data: Vec<String> = stored_events(&store)
        .await
        .into_iter()
        .map(|e| e.data)
        .collect();
    data.sort();
    assert_eq!(
        data,
        [
            "good-0",
            "good-1",
            "good-3",
            "good-4",
            "température 21°C ✓",
            "x"
        ]
    );
}

async fn two_overlapping_drainers_store_each_event_once(store: Arc<dyn ItemStore>) {
    let chunks = events("env/t", DEVICE, 0, 40);
    let script = stream_of(&chunks, Duration::from_millis(20), Duration::from_secs(30));
    let sim = ParticleSse::start(
        vec![script.clone(), script],
        Script::Stream(vec![Step::Hang]),
    )
    .await;
    let (a, b) = tokio::join!(
        drain(config(&sim, Duration::from_secs(3)), &store),
        drain(config(&sim, Duration::from_secs(3)), &store)
    );
    for outcome in [&a.0, &b.0] {
        assert!(outcome.error.is_none(), "{:?}", outcome.error);
        assert_eq!(outcome.summary.received, 40);
        assert_eq!(outcome.summary.stored + outcome.summary.duplicates, 40);
        assert_balanced(outcome);
    }
    let stored = stored_events(&store).await;
    assert_eq!(stored.len(), 40, "every event stored exactly once");
    assert!(a.0.summary.stored + b.0.summary.stored >= 40);
}

async fn never_ending_stream_returns_before_the_deadline_flushed(store: Arc<dyn ItemStore>) {
    // An event every 10 ms, forever: the window must still end on time with everything flushed.
    let steps = (0..100_000)
        .flat_map(|i| {
            [
                Step::write(events("env/t", DEVICE, i, 1).remove(0)),
                Step::Sleep(Duration::from_millis(10)),
            ]
        })
        .collect();
    let sim = ParticleSse::start(
        vec![Script::Stream(steps)],
        Script::Stream(vec![Step::Hang]),
    )
    .await;
    let drainer = Drainer::new(
        config(&sim, Duration::from_secs(2)),
        Arc::clone(&store),
        None,
    )
    .expect("drainer");
    let start = Instant::now();
    let hard_deadline = start + Duration::from_secs(4);
    let outcome = drainer
        .run_window(start + Duration::from_secs(2), hard_deadline, "bounded")
        .await;
    let took = start.elapsed();
    assert!(
        took >= Duration::from_secs(2) && Instant::now() < hard_deadline,
        "took {took:?}"
    );
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    let s = &outcome.summary;
    assert!(s.received >= 50, "{s:?}");
    assert_eq!(
        (s.stored, s.unflushed),
        (s.received, 0),
        "everything received is stored before returning"
    );
    assert_eq!(stored_events(&store).await.len() as u64, s.received);
}

async fn open_budget_is_never_exceeded(store: Arc<dyn ItemStore>) {
    // Every connection ends at once: without a budget this would reconnect in a tight loop.
    let sim = ParticleSse::start(vec![], Script::Stream(vec![Step::write(OK)])).await;
    let mut cfg = config(&sim, Duration::from_secs(2));
    cfg.open_budget = 3;
    cfg.reconnect_max = Duration::from_millis(60);
    let (outcome, drainer) = drain(cfg.clone(), &store).await;
    assert_eq!(
        sim.received().len(),
        3,
        "three opens, then the budget holds"
    );
    assert_eq!(
        (outcome.summary.opens, outcome.summary.ended_by),
        (3, EndReason::RateLimited)
    );
    let gaps = drainer.gaps().list().await.expect("gaps");
    assert!(
        gaps.iter().any(|g| g.reason == GapReason::BudgetExhausted),
        "{gaps:?}"
    );
    // The budget is shared: another drainer of the same stream does not connect either.
    let (other, _) = drain(cfg, &store).await;
    assert_eq!((other.summary.opens, sim.received().len()), (0, 3));
}

/// Defect 11: a window starting after the previous one ended leaves a span no window covered; the later window
/// records it as a `between_windows` gap from the previous window's end to its own start. Overlapping windows
/// record none.
async fn span_between_windows_is_a_gap(store: Arc<dyn ItemStore>) {
    let sim = ParticleSse::start(vec![], Script::Stream(vec![Step::write(OK), Step::Hang])).await;
    let between = |gaps: &[sse_drain::gaps::Gap]| {
        gaps.iter()
            .filter(|g| g.reason == GapReason::BetweenWindows)
            .cloned()
            .collect::<Vec<_>>()
    };
    // Two windows with a pause between them.
    let cfg = config(&sim, Duration::from_millis(800));
    let (first, _) = drain(cfg.clone(), &store).await;
    assert!(first.error.is_none(), "{:?}", first.error);
    tokio::time::sleep(Duration::from_millis(700)).await;
    let (second, drainer) = drain(cfg, &store).await;
    assert!(second.error.is_none(), "{:?}", second.error);
    let windows = drainer.budget().state().await.expect("state").windows;
    assert_eq!(windows.len(), 2, "{windows:?}");
    let gaps = between(&drainer.gaps().list().await.expect("gaps"));
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    let gap = &gaps[0];
    assert_eq!(
        gap.from,
        particle_events::clock::format_unix_ms(windows[0].end_ms)
    );
    assert_eq!(
        gap.to,
        particle_events::clock::format_unix_ms(windows[1].start_ms)
    );
    assert_eq!(gap.duration_ms, windows[1].start_ms - windows[0].end_ms);
    assert!(
        (700..2_000).contains(&gap.duration_ms),
        "about the pause: {gap:?}"
    );
    assert_eq!(
        (first.summary.gaps, second.summary.gaps),
        (1, 2),
        "startup gaps, plus the one between"
    );

    // Overlapping windows (another stream, so its own state): nothing between them.
    let mut other = config(&sim, Duration::from_millis(1_500));
    other.prefix = Some("other/".to_owned());
    let later = other.clone();
    let ((a, drainer), (b, _)) = tokio::join!(drain(other, &store), async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        drain(later, &store).await
    });
    assert!(a.error.is_none() && b.error.is_none());
    let windows = drainer.budget().state().await.expect("state").windows;
    assert_eq!(windows.len(), 2, "{windows:?}");
    let gaps = between(&drainer.gaps().list().await.expect("gaps"));
    assert!(gaps.is_empty(), "{gaps:?}");
}

/// The Lambda handler with the real `Scheduled Event` fixture: the window ends before the invocation deadline.
#[tokio::test]
async fn lambda_invocation_respects_its_deadline() {
    let (store, _dir) = particle_store::testing::sqlite_store().await;
    let store: Arc<dyn ItemStore> = Arc::new(store);
    let sim = ParticleSse::start(
        vec![],
        stream_of(
            &events("env/t", DEVICE, 0, 5),
            Duration::ZERO,
            Duration::from_secs(60),
        ),
    )
    .await;
    let mut cfg = config(&sim, Duration::from_secs(70));
    cfg.flush_margin = Duration::from_secs(1);
    let drainer = Drainer::new(cfg, Arc::clone(&store), None).expect("drainer");
    let payload: aws_lambda_events::eventbridge::EventBridgeEvent<serde_json::Value> =
        serde_json::from_str(include_str!("../../fixtures/lambda/scheduled-event.json"))
            .expect("fixture");
    let mut context = lambda_runtime::Context::default();
    context.request_id = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef".to_owned();
    let deadline_ms = sse_drain::wallclock::now_ms() + 3_000;
    context.deadline = deadline_ms as u64;
    let start = Instant::now();
    let summary =
        sse_drain::lambda::handle(&drainer, lambda_runtime::LambdaEvent::new(payload, context))
            .await
            .expect("window ok");
    assert!(
        start.elapsed() < Duration::from_millis(2_900),
        "returned before the deadline: {:?}",
        start.elapsed()
    );
    assert!(
        start.elapsed() >= Duration::from_millis(1_800),
        "drained until deadline minus margin"
    );
    assert_eq!(summary.stored, 5);
    // A deadline too close for any window is a clear error, not a hang.
    let mut late = lambda_runtime::Context::default();
    late.deadline = (sse_drain::wallclock::now_ms() + 500) as u64;
    let payload = serde_json::from_str(include_str!("../../fixtures/lambda/scheduled-event.json"))
        .expect("fixture");
    let err = sse_drain::lambda::handle(&drainer, lambda_runtime::LambdaEvent::new(payload, late))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("too little time left"), "{err}");
    // The runtime is told the cause and that a retry will not help (the timeout needs raising).
    assert!(matches!(
        err,
        sse_drain::lambda::InvocationError::Deadline { .. }
    ));
    let diagnostic: lambda_runtime::Diagnostic = err.into();
    assert_eq!(diagnostic.error_type, "Permanent.deadline");
}

/// Event writes fail (the rest of the store works): the window stops reading, reports every event it could not
/// store, and nothing panics or is dropped silently.
#[derive(Debug)]
struct FailingWrites(Arc<dyn ItemStore>);

#[async_trait::async_trait]
impl ItemStore for FailingWrites {
    async fn put_new(
        &self,
        _: &particle_store::Item,
    ) -> Result<particle_store::PutOutcome, particle_store::StoreError> {
        Err(outage())
    }
    async fn put_new_batch(
        &self,
        _: &[particle_store::Item],
    ) -> Result<Vec<particle_store::PutOutcome>, particle_store::StoreError> {
        Err(outage())
    }
    async fn put(
        &self,
        item: &particle_store::Item,
        c: particle_store::Condition,
    ) -> Result<bool, particle_store::StoreError> {
        self.0.put(item, c).await
    }
    async fn get(
        &self,
        pk: &str,
        sk: &str,
    ) -> Result<Option<particle_store::Item>, particle_store::StoreError> {
        self.0.get(pk, sk).await
    }
    async fn query(
        &self,
        q: &particle_store::Query,
    ) -> Result<particle_store::Page, particle_store::StoreError> {
        self.0.query(q).await
    }
    fn describe(&self) -> String {
        "failing writes".to_owned()
    }
}

fn outage() -> particle_store::StoreError {
    particle_store::StoreError::Dynamo {
        operation: "BatchWriteItem",
        message: "simulated outage".to_owned(),
    }
}

#[tokio::test]
async fn store_outage_ends_the_window_with_an_error() {
    let (inner, _dir) = particle_store::testing::sqlite_store().await;
    let store: Arc<dyn ItemStore> = Arc::new(FailingWrites(Arc::new(inner)));
    let sim = ParticleSse::start(
        vec![stream_of(
            &events("env/t", DEVICE, 0, 5),
            Duration::ZERO,
            Duration::from_secs(30),
        )],
        Script::Stream(vec![Step::Hang]),
    )
    .await;
    let (outcome, _) = drain(config(&sim, Duration::from_secs(2)), &store).await;
    assert_balanced(&outcome);
    let error = outcome.error.expect("store error");
    assert!(
        matches!(error, WindowError::Store { unflushed: 5, .. }),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("5 received events could not be stored"),
        "{error}"
    );
    assert_eq!(outcome.summary.ended_by, EndReason::StoreFailed);
    assert_eq!(
        (outcome.summary.received, outcome.summary.unflushed),
        (5, 5)
    );
}

/// Defect (found by `load-bench --only sse-outage`): when event writes failed for good, the `store_failed` gap
/// started when the flush gave up, but the window had stopped reading when the flush began; events sent meanwhile
/// were lost with the stream, outside every gap and not counted as unflushed. The gap now starts when reading
/// stopped.
#[tokio::test]
async fn store_outage_gap_starts_when_the_window_stopped_reading() {
    let (inner, _dir) = particle_store::testing::sqlite_store().await;
    let store: Arc<dyn ItemStore> = Arc::new(FailingWrites(Arc::new(inner)));
    let sim = ParticleSse::start(
        vec![stream_of(
            &events("env/t", DEVICE, 0, 40),
            Duration::from_millis(100),
            Duration::from_secs(30),
        )],
        Script::Stream(vec![Step::Hang]),
    )
    .await;
    let (outcome, drainer) = drain(config(&sim, Duration::from_secs(4)), &store).await;
    assert_balanced(&outcome);
    assert!(
        matches!(outcome.error, Some(WindowError::Store { .. })),
        "{:?}",
        outcome.error
    );
    // The window received the first events (reported unflushed); later ones reached the socket unread.
    let sent: Vec<i64> = sim
        .written()
        .iter()
        .filter(|w| w.bytes.starts_with(b"event:"))
        .map(|w| w.at_ms)
        .collect();
    let received = usize::try_from(outcome.summary.received).expect("small");
    assert_eq!(outcome.summary.unflushed, outcome.summary.received);
    assert!(
        sent.len() > received,
        "events were sent while the flush retried: {} sent, {received} received",
        sent.len()
    );
    let gaps = drainer.gaps().list().await.expect("gaps");
    assert!(
        gaps.iter().any(|g| g.reason == GapReason::StoreFailed),
        "{gaps:?}"
    );
    for at_ms in &sent[received..] {
        let at = particle_events::clock::format_unix_ms(*at_ms);
        assert!(
            gaps.iter().any(|g| g.from <= at && at <= g.to),
            "an event sent at {at} was neither received nor inside a gap: {gaps:?}"
        );
    }
}

/// The token as a rotated secret would give it, counting reads.
#[derive(Debug)]
struct RotatedSecret {
    token: &'static str,
    reads: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl TokenSource for RotatedSecret {
    async fn read(&self) -> Result<AccessToken, TokenError> {
        self.reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(AccessToken::new(self.token))
    }
}

/// Defect 4 (token half): after a rotation, a warm drainer kept the old token and failed every window until
/// recycled. Now a 401 re-reads the token (at most once per interval) and the open is retried once.
#[tokio::test]
async fn a_rotated_token_is_re_read_after_a_401() {
    const NEW: &str = "rotated-token-0123456789abcdef";
    let (store, _dir) = particle_store::testing::sqlite_store().await;
    let store: Arc<dyn ItemStore> = Arc::new(store);
    let sim = ParticleSse::start(
        vec![stream_of(
            &events("env/t", DEVICE, 0, 5),
            Duration::ZERO,
            Duration::from_secs(30),
        )],
        Script::Stream(vec![Step::Hang]),
    )
    .await;
    sim.require_token(Some(NEW));
    let source = Arc::new(RotatedSecret {
        token: NEW,
        reads: Default::default(),
    });
    // The warm instance still holds TOKEN; the interval since its cold-start read has passed.
    let drainer = Drainer::new(
        config(&sim, Duration::from_secs(2)),
        Arc::clone(&store),
        None,
    )
    .expect("drainer")
    .with_token_source(source.clone(), Duration::ZERO);
    let start = Instant::now();
    let outcome = drainer
        .run_window(
            start + Duration::from_secs(2),
            start + Duration::from_secs(4),
            "rotation",
        )
        .await;
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    assert_eq!(
        (
            outcome.summary.stored,
            outcome.summary.opens,
            outcome.summary.connections
        ),
        (5, 1, 1),
        "{:?}",
        outcome.summary
    );
    let auths: Vec<Option<String>> = sim
        .received()
        .into_iter()
        .map(|r| r.authorization)
        .collect();
    assert_eq!(
        auths,
        [
            Some(format!("Bearer {TOKEN}")),
            Some(format!("Bearer {NEW}"))
        ],
        "one 401, one retry with the re-read token"
    );
    assert_eq!(source.reads.load(std::sync::atomic::Ordering::SeqCst), 1);
}

/// A token that is wrong (not rotated) is re-read at most once per interval, and never loops.
#[tokio::test]
async fn a_wrong_token_is_re_read_at_most_once_per_interval() {
    let (store, _dir) = particle_store::testing::sqlite_store().await;
    let store: Arc<dyn ItemStore> = Arc::new(store);
    let sim = ParticleSse::start(vec![], Script::Stream(vec![Step::Hang])).await;
    sim.require_token(Some("the-token-particle-knows-0123456789"));
    let source = Arc::new(RotatedSecret {
        token: "still-the-wrong-token-0123456789",
        reads: Default::default(),
    });
    let drainer = Drainer::new(
        config(&sim, Duration::from_secs(2)),
        Arc::clone(&store),
        None,
    )
    .expect("drainer")
    .with_token_source(source.clone(), Duration::from_secs(60));
    for _ in 0..2 {
        let start = Instant::now();
        let outcome = drainer
            .run_window(
                start + Duration::from_secs(2),
                start + Duration::from_secs(4),
                "wrong",
            )
            .await;
        assert!(
            matches!(
                outcome.error,
                Some(WindowError::AuthRefused { status: 401, .. })
            ),
            "{:?}",
            outcome.error
        );
    }
    assert_eq!(sim.received().len(), 2, "one request per window");
    assert_eq!(
        source.reads.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "read at start; not again within the interval"
    );
}
