//! One drain window: open (within the shared budget), read, decode, batch-write, reconnect, record gaps, until
//! the window's end.
//!
//! Every await has a bound derived from the window's end or the invocation's hard deadline, so no stalled
//! socket, slow store or long backoff can run an invocation into its timeout.

use std::time::Duration;

use particle_events::clock;
use particle_store::StoreError;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::budget::Permit;
use crate::connect::{self, CONNECT_TIMEOUT, Opened};
use crate::decode::{Decoded, decode};
use crate::drainer::{Drainer, WindowError};
use crate::gaps::{Gap, GapReason};
use crate::parser::SseParser;
use crate::reconnect::Reconnect;
use crate::sink::Sink;
use crate::summary::{EndReason, WindowSummary};
use crate::wallclock::{instant_at_ms, now_ms};

/// Longest a mid-window flush keeps retrying before the window gives up reading.
const FLUSH_RETRY: Duration = Duration::from_secs(10);

/// How a connection ended.
enum StreamEnd {
    /// The window is over (time or stop).
    Over(EndReason),
    /// The connection was lost; reconnect.
    Lost(GapReason),
}

pub(crate) struct Window<'a> {
    pub(crate) drainer: &'a Drainer,
    pub(crate) drainer_id: String,
    pub(crate) window_end: Instant,
    pub(crate) hard_deadline: Instant,
    pub(crate) parser: SseParser,
    pub(crate) sink: Sink,
    pub(crate) summary: WindowSummary,
    /// The open gap: when the stream went down, and the latest reason it stayed down.
    pub(crate) gap: Option<(i64, GapReason)>,
    pub(crate) reconnect: Reconnect,
    pub(crate) stop: Option<watch::Receiver<bool>>,
}

impl Window<'_> {
    pub(crate) async fn drive(&mut self) -> Result<EndReason, WindowError> {
        let config = &self.drainer.config;
        let path = config.stream_path();
        let mut connected_before = false;
        loop {
            if self.stopped() {
                return Ok(EndReason::Stopped);
            }
            if Instant::now() >= self.window_end {
                return Ok(EndReason::WindowElapsed);
            }
            match self
                .store_call(self.drainer.budget.acquire(now_ms()))
                .await?
            {
                Permit::Granted => {}
                Permit::Exhausted { retry_at_ms } => {
                    self.set_gap_reason(GapReason::BudgetExhausted);
                    tracing::warn!(retry_at_ms, "stream open budget spent; waiting");
                    if !self.sleep_until(instant_at_ms(retry_at_ms)).await {
                        return Ok(self.over_or(EndReason::RateLimited));
                    }
                    continue;
                }
                Permit::BackingOff { until_ms, reason } => {
                    self.set_gap_reason(GapReason::RateLimited);
                    tracing::warn!(
                        until_ms,
                        reason,
                        "not connecting: a rate-limit backoff is in force"
                    );
                    if !self.sleep_until(instant_at_ms(until_ms)).await {
                        return Ok(self.over_or(EndReason::RateLimited));
                    }
                    continue;
                }
            }
            self.summary.opens += 1;
            if connected_before {
                self.summary.reconnects += 1;
            }
            let connect_deadline = (Instant::now() + CONNECT_TIMEOUT).min(self.window_end);
            match connect::open(&self.drainer.api, &path, connect_deadline).await {
                Opened::Stream(response) => {
                    connected_before = true;
                    self.summary.connections += 1;
                    self.end_gap().await;
                    let up_since = Instant::now();
                    let read = self.read(response).await;
                    let up_ms = u64::try_from(up_since.elapsed().as_millis()).unwrap_or(u64::MAX);
                    self.summary.connected_ms = self.summary.connected_ms.saturating_add(up_ms);
                    match read? {
                        StreamEnd::Over(reason) => return Ok(reason),
                        StreamEnd::Lost(reason) => {
                            tracing::info!(reason = reason.as_str(), "stream lost; reconnecting");
                            self.gap = Some((now_ms(), reason));
                            self.flush_now().await?;
                            let delay = self.reconnect.next_delay(up_since.elapsed());
                            if !self.sleep_until(Instant::now() + delay).await {
                                return Ok(self.over_or(EndReason::WindowElapsed));
                            }
                        }
                    }
                }
                Opened::AuthRefused { status, detail } => {
                    self.set_gap_reason(GapReason::AuthFailed);
                    return Err(WindowError::AuthRefused { status, detail });
                }
                Opened::Refused { status, detail } => {
                    self.set_gap_reason(GapReason::Refused);
                    return Err(WindowError::Refused { status, detail });
                }
                Opened::RateLimited {
                    status,
                    retry_after,
                } => {
                    // `retry_after` is at most an hour (particle-cloud clamps it); the sum saturates anyway, so no
                    // value can overflow into the past or store a backoff beyond the end of time.
                    let wait = retry_after
                        .unwrap_or_default()
                        .max(config.rate_limit_backoff);
                    let wait_ms = i64::try_from(wait.as_millis()).unwrap_or(i64::MAX);
                    let until = now_ms().saturating_add(wait_ms);
                    tracing::warn!(
                        status,
                        wait_s = wait.as_secs(),
                        "Particle rate limit: no drainer connects before the backoff ends"
                    );
                    self.store_call(
                        self.drainer
                            .budget
                            .back_off(until, &format!("http_{status}")),
                    )
                    .await?;
                    self.set_gap_reason(GapReason::RateLimited);
                    if !self.sleep_until(instant_at_ms(until)).await {
                        return Ok(self.over_or(EndReason::RateLimited));
                    }
                }
                Opened::Failed { detail } => {
                    self.set_gap_reason(GapReason::ConnectFailed);
                    let delay = self.reconnect.next_delay(Duration::ZERO);
                    tracing::warn!(
                        detail,
                        retry_in_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                        "opening the stream failed"
                    );
                    if !self.sleep_until(Instant::now() + delay).await {
                        return Ok(self.over_or(EndReason::WindowElapsed));
                    }
                }
            }
        }
    }

    /// Reads one connection until it ends, the window ends, or the stream goes silent.
    async fn read(&mut self, mut response: reqwest::Response) -> Result<StreamEnd, WindowError> {
        let idle = self.drainer.config.idle_timeout;
        let mut last_byte = Instant::now();
        loop {
            let idle_at = last_byte + idle;
            let mut wake = self.window_end.min(idle_at);
            if let Some(due) = self.sink.due_at() {
                wake = wake.min(due);
            }
            let chunk = tokio::select! {
                chunk = tokio::time::timeout_at(wake, response.chunk()) => chunk,
                () = wait_stop(&mut self.stop) => {
                    self.parser.finish();
                    return Ok(StreamEnd::Over(EndReason::Stopped));
                }
            };
            match chunk {
                Ok(Ok(Some(bytes))) => {
                    last_byte = Instant::now();
                    self.feed(&bytes);
                }
                Ok(Ok(None)) => {
                    self.parser.finish();
                    return Ok(StreamEnd::Lost(GapReason::StreamEnded));
                }
                Ok(Err(e)) => {
                    self.parser.finish();
                    tracing::warn!(error = %particle_cloud::error::chain(&e), "reading the stream failed");
                    return Ok(StreamEnd::Lost(GapReason::ReadError));
                }
                Err(_) => {
                    let now = Instant::now();
                    if now >= self.window_end {
                        // Whatever event is half-read now belongs to the next (overlapping) window.
                        self.parser.finish();
                        return Ok(StreamEnd::Over(EndReason::WindowElapsed));
                    }
                    if now >= idle_at {
                        self.parser.finish();
                        tracing::warn!(
                            idle_s = idle.as_secs(),
                            "no byte within the idle timeout: stream is dead"
                        );
                        return Ok(StreamEnd::Lost(GapReason::IdleTimeout));
                    }
                }
            }
            if self.sink.due() {
                self.flush_now().await?;
            }
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        let received_at = clock::now_rfc3339();
        let Window {
            parser,
            sink,
            summary,
            ..
        } = self;
        parser.feed_with(bytes, |event| {
            summary.received += 1;
            match decode(event, &received_at) {
                Decoded::Device(e) => sink.push(e),
                Decoded::Cloud => summary.cloud += 1,
                Decoded::Bad(err) => {
                    summary.bad += 1;
                    tracing::debug!(name = event.event_type, error = %err, "bad event skipped");
                }
            }
        });
    }

    /// Flushes what is buffered; a store that stays down ends the window.
    async fn flush_now(&mut self) -> Result<(), WindowError> {
        // The stream is not read while the flush retries, and a failure drops it with whatever arrived meanwhile:
        // the gap starts here, not when the retries give up.
        let stopped_reading_ms = now_ms();
        let deadline = (Instant::now() + FLUSH_RETRY).min(self.hard_deadline);
        self.sink.flush(deadline).await.map_err(|source| {
            self.gap
                .get_or_insert((stopped_reading_ms, GapReason::StoreFailed));
            self.set_gap_reason(GapReason::StoreFailed);
            WindowError::Store {
                source,
                unflushed: self.sink.pending() as u64,
            }
        })
    }

    /// A store call bounded by the hard deadline; failure ends the window.
    async fn store_call<T>(
        &self,
        call: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, WindowError> {
        match tokio::time::timeout_at(self.hard_deadline, call).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(source)) => Err(WindowError::Store {
                source,
                unflushed: self.sink.pending() as u64,
            }),
            Err(_) => Err(WindowError::Store {
                source: StoreError::Unprocessed {
                    operation: "stream state (deadline reached)",
                    remaining: 1,
                    attempts: 1,
                },
                unflushed: self.sink.pending() as u64,
            }),
        }
    }

    /// Sleeps until `at`, but not past the window's end or a stop. True if `at` was reached.
    async fn sleep_until(&mut self, at: Instant) -> bool {
        let until = at.min(self.window_end);
        tokio::select! {
            () = tokio::time::sleep_until(until) => at <= self.window_end,
            () = wait_stop(&mut self.stop) => false,
        }
    }

    /// `Stopped` if a stop was requested, else `reason`.
    fn over_or(&self, reason: EndReason) -> EndReason {
        if self.stopped() {
            EndReason::Stopped
        } else {
            reason
        }
    }

    fn stopped(&self) -> bool {
        self.stop.as_ref().is_some_and(|rx| *rx.borrow())
    }

    fn set_gap_reason(&mut self, reason: GapReason) {
        match &mut self.gap {
            Some((_, r)) => *r = reason,
            None => self.gap = Some((now_ms(), reason)),
        }
    }

    /// Closes the open gap, if any, and stores it.
    pub(crate) async fn end_gap(&mut self) {
        let Some((from_ms, reason)) = self.gap.take() else {
            return;
        };
        let to_ms = now_ms();
        let gap = Gap {
            stream: self.drainer.gaps.stream().to_owned(),
            from: clock::format_unix_ms(from_ms),
            to: clock::format_unix_ms(to_ms),
            duration_ms: to_ms - from_ms,
            reason,
            drainer: self.drainer_id.clone(),
        };
        let deadline = self
            .hard_deadline
            .max(Instant::now() + Duration::from_secs(1));
        match tokio::time::timeout_at(deadline, self.drainer.gaps.record(&gap)).await {
            Ok(Ok(())) => self.summary.gaps += 1,
            Ok(Err(e)) => {
                tracing::error!(error = %e, from = gap.from, reason = reason.as_str(), "gap could not be stored")
            }
            Err(_) => tracing::error!(
                from = gap.from,
                reason = reason.as_str(),
                "gap could not be stored before the deadline"
            ),
        }
    }
}

/// Resolves when a stop is requested; never, without a stop channel.
async fn wait_stop(stop: &mut Option<watch::Receiver<bool>>) {
    if let Some(rx) = stop
        && rx.wait_for(|stopped| *stopped).await.is_ok()
    {
        return;
    }
    std::future::pending::<()>().await;
}
