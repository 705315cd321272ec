//! The drainer: what outlives a window (settings, HTTP client, store handles), and one window's run from start
//! to its summary.

use std::sync::Arc;
use std::time::Duration;

use particle_cloud::{AccessToken, CloudError, ParticleApi, TokenSource, Tokens};
use particle_store::{EventRepo, ItemStore, StoreError};
use thiserror::Error;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::budget::OpenBudget;
use crate::config::DrainConfig;
use crate::connect;
use crate::gaps::{Gap, GapLog, GapReason};
use crate::parser::SseParser;
use crate::reconnect::Reconnect;
use crate::sink::Sink;
use crate::summary::{EndReason, WindowSummary};
use crate::wallclock::now_ms;
use crate::window::Window;

/// Why a window ended with an error (its summary is still returned and logged).
#[derive(Debug, Error)]
pub enum WindowError {
    #[error(
        "Particle refused the access token (HTTP {status}: {detail}); check PARTICLE_ACCESS_TOKEN"
    )]
    AuthRefused { status: u16, detail: String },
    #[error(
        "Particle refused the stream request (HTTP {status}: {detail}); check PARTICLE_EVENTS_PATH and SSE_EVENT_PREFIX"
    )]
    Refused { status: u16, detail: String },
    #[error("the store failed ({source}); {unflushed} received events could not be stored")]
    Store { source: StoreError, unflushed: u64 },
}

/// A finished window.
#[derive(Debug)]
pub struct WindowOutcome {
    pub summary: WindowSummary,
    pub error: Option<WindowError>,
}

/// Everything that outlives a window: settings, the Particle API client, the store.
#[derive(Debug)]
pub struct Drainer {
    pub(crate) config: DrainConfig,
    pub(crate) api: ParticleApi,
    pub(crate) repo: EventRepo,
    pub(crate) budget: OpenBudget,
    pub(crate) gaps: GapLog,
    pub(crate) stop: Option<watch::Receiver<bool>>,
}

impl Drainer {
    /// A drainer; `stop` (when given) ends the current window early, cleanly, when it turns `true`. The token
    /// is the configured one, never re-read (see [`Drainer::with_token_source`]).
    pub fn new(
        config: DrainConfig,
        store: Arc<dyn ItemStore>,
        stop: Option<watch::Receiver<bool>>,
    ) -> Result<Self, CloudError> {
        let key = config.stream_key();
        let tokens = Tokens::fixed(AccessToken::new(config.token.expose()));
        Ok(Drainer {
            api: ParticleApi::new(
                connect::http_settings().client()?,
                config.api_url.clone(),
                Arc::new(tokens),
            ),
            repo: EventRepo::new(Arc::clone(&store), config.retention),
            budget: OpenBudget::new(
                Arc::clone(&store),
                &key,
                config.open_budget,
                config.open_budget_period,
            )
            .with_max_backoff(config.rate_limit_backoff),
            gaps: GapLog::new(store, &key, config.retention),
            config,
            stop,
        })
    }

    /// Re-reads the token from `source` after a 401 (at most once per `min_interval`; production passes
    /// [`Tokens::REFRESH_INTERVAL`]) and retries the open once with a changed token: a rotated secret is picked
    /// up by warm instances.
    pub fn with_token_source(
        mut self,
        source: Arc<dyn TokenSource>,
        min_interval: Duration,
    ) -> Self {
        let initial = AccessToken::new(self.config.token.expose());
        let tokens = Tokens::new(initial, source, min_interval);
        self.api = self.api.with_tokens(Arc::new(tokens));
        self
    }

    pub fn config(&self) -> &DrainConfig {
        &self.config
    }

    /// The shared open budget of this drainer's stream.
    pub fn budget(&self) -> &OpenBudget {
        &self.budget
    }

    /// The gap log of this drainer's stream.
    pub fn gaps(&self) -> &GapLog {
        &self.gaps
    }

    /// Drains until `window_end`; the final flush may run until `hard_deadline`. `drainer_id` names this
    /// window in gap items (the Lambda request id, or a random id).
    pub async fn run_window(
        &self,
        window_end: Instant,
        hard_deadline: Instant,
        drainer_id: &str,
    ) -> WindowOutcome {
        let started = Instant::now();
        let started_ms = now_ms();
        let mut window = Window {
            drainer: self,
            drainer_id: drainer_id.to_owned(),
            window_end: window_end.min(hard_deadline),
            hard_deadline,
            parser: SseParser::new(),
            sink: Sink::new(self.repo.clone()),
            summary: WindowSummary::default(),
            gap: Some((started_ms, GapReason::Startup)),
            reconnect: Reconnect::new(self.config.reconnect_min, self.config.reconnect_max),
            stop: self.stop.clone(),
        };
        let driven = window.drive().await;
        // The stream is closed once `drive` returns: this is where the window stopped covering it.
        let ended_ms = now_ms();
        let mut error = match driven {
            Ok(reason) => {
                window.summary.ended_by = reason;
                None
            }
            Err(e) => {
                window.summary.ended_by = match e {
                    WindowError::AuthRefused { .. } => EndReason::AuthRefused,
                    WindowError::Refused { .. } => EndReason::Refused,
                    WindowError::Store { .. } => EndReason::StoreFailed,
                };
                Some(e)
            }
        };
        // Everything received is flushed before returning; a failure here is reported, never silent.
        match window.sink.flush(hard_deadline).await {
            // A store back before the deadline took what the window's error counted as not stored.
            Ok(()) => {
                if let Some(WindowError::Store { unflushed, .. }) = &mut error {
                    *unflushed = 0;
                }
            }
            Err(source) => {
                let unflushed = window.sink.pending() as u64;
                tracing::error!(error = %source, unflushed, "final flush failed: received events were not stored");
                window.summary.ended_by = EndReason::StoreFailed;
                error = Some(WindowError::Store { source, unflushed });
            }
        }
        window.end_gap().await;
        if self
            .record_window(started_ms, ended_ms, hard_deadline, drainer_id)
            .await
        {
            window.summary.gaps += 1;
        }
        let stats = window.parser.stats();
        let summary = &mut window.summary;
        summary.stored = window.sink.stored;
        summary.duplicates = window.sink.duplicates;
        summary.unflushed = window.sink.pending() as u64;
        summary.bytes = stats.bytes;
        summary.oversized_lines = stats.oversized_lines;
        summary.keepalives = stats.comments + stats.blank_lines.saturating_sub(stats.events);
        summary.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let stream = self.config.stream_key();
        summary.log(&stream);
        crate::metrics::emit(summary, error.is_some(), &stream);
        WindowOutcome {
            summary: window.summary,
            error,
        }
    }

    /// Writes this window's span into the stream state and, when the previous window ended before this one
    /// started, stores the span between them as a `between_windows` gap. True if a gap was stored. Failures are
    /// logged, not returned: the events are already stored, and the next window compares against older spans.
    async fn record_window(
        &self,
        started_ms: i64,
        ended_ms: i64,
        hard_deadline: Instant,
        drainer_id: &str,
    ) -> bool {
        let deadline = hard_deadline.max(Instant::now() + std::time::Duration::from_secs(1));
        let closed =
            tokio::time::timeout_at(deadline, self.budget.close_window(started_ms, ended_ms)).await;
        let previous_end = match closed {
            Ok(Ok(Some(previous_end))) => previous_end,
            Ok(Ok(None)) => return false,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "the window's span could not be recorded in the stream state");
                return false;
            }
            Err(_) => {
                tracing::error!("the window's span could not be recorded before the deadline");
                return false;
            }
        };
        let gap = Gap {
            stream: self.gaps.stream().to_owned(),
            from: particle_events::clock::format_unix_ms(previous_end),
            to: particle_events::clock::format_unix_ms(started_ms),
            duration_ms: started_ms - previous_end,
            reason: GapReason::BetweenWindows,
            drainer: drainer_id.to_owned(),
        };
        tracing::warn!(
            from = gap.from,
            to = gap.to,
            duration_ms = gap.duration_ms,
            "no window covered the stream between the previous window and this one"
        );
        match tokio::time::timeout_at(deadline, self.gaps.record(&gap)).await {
            Ok(Ok(())) => true,
            Ok(Err(e)) => {
                tracing::error!(error = %e, from = gap.from, "between-windows gap could not be stored");
                false
            }
            Err(_) => {
                tracing::error!(
                    from = gap.from,
                    "between-windows gap could not be stored before the deadline"
                );
                false
            }
        }
    }
}
