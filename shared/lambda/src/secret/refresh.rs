//! [`RefreshingSecret`]: a secret's valid versions, re-readable from their [`SecretSource`] at most once per
//! interval, so a warm instance picks up a rotation without a redeploy while a flood of bad credentials cannot
//! turn into a flood of Secrets Manager reads.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::SecretVersions;
use crate::env::SettingError;

/// Where a secret's versions are read from (Secrets Manager in production; anything in tests).
#[async_trait]
pub trait SecretSource: Send + Sync + std::fmt::Debug {
    async fn read(&self) -> Result<SecretVersions, SettingError>;
}

/// What [`RefreshingSecret::refresh_if_due`] did.
#[derive(Debug)]
pub enum Refresh {
    /// Re-read; the versions are now these (possibly the same as before).
    Reread(SecretVersions),
    /// Not re-read: the last attempt was less than the interval ago.
    Throttled,
    /// Not re-read: the secret was given directly and has no source.
    Fixed,
    /// The re-read failed; the versions are unchanged and the next attempt waits for the interval.
    Failed(SettingError),
}

/// The valid versions of one secret, with the means to re-read them.
#[derive(Debug)]
pub struct RefreshingSecret {
    versions: RwLock<Arc<SecretVersions>>,
    /// Bumped by every re-read that changed the versions, so holders of derived values (digests) know to rebuild.
    generation: AtomicU64,
    source: Option<Arc<dyn SecretSource>>,
    interval: Duration,
    /// When the last re-read was attempted. Held across the read, so concurrent callers wait for one read instead
    /// of each starting their own.
    last_attempt: Mutex<Instant>,
}

impl RefreshingSecret {
    /// Versions given directly (local runs): never re-read.
    pub fn fixed(versions: SecretVersions) -> Self {
        Self::build(versions, None, Duration::MAX)
    }

    /// Reads `source` once now (an error stops the start), then at most once per `interval` on request.
    pub async fn read(
        source: Arc<dyn SecretSource>,
        interval: Duration,
    ) -> Result<Self, SettingError> {
        let versions = source.read().await?;
        Ok(Self::build(versions, Some(source), interval))
    }

    fn build(
        versions: SecretVersions,
        source: Option<Arc<dyn SecretSource>>,
        interval: Duration,
    ) -> Self {
        RefreshingSecret {
            versions: RwLock::new(Arc::new(versions)),
            generation: AtomicU64::new(0),
            source,
            interval,
            last_attempt: Mutex::new(Instant::now()),
        }
    }

    /// The versions valid now.
    pub fn versions(&self) -> Arc<SecretVersions> {
        // A poisoned lock only means a writer panicked after or before replacing the Arc; the value is whole.
        self.versions
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Changes with every re-read that changed the versions.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Re-reads the versions unless the last attempt (or the first read) was less than the interval ago. Call it
    /// when a credential did not match: it may have been rotated since the versions were read.
    pub async fn refresh_if_due(&self) -> Refresh {
        let Some(source) = &self.source else {
            return Refresh::Fixed;
        };
        let mut last_attempt = self.last_attempt.lock().await;
        let now = Instant::now();
        if now.saturating_duration_since(*last_attempt) < self.interval {
            return Refresh::Throttled;
        }
        // Counted from the attempt, successful or not: a Secrets Manager outage must not be hammered either.
        *last_attempt = now;
        match source.read().await {
            Ok(fresh) => {
                let mut versions = self
                    .versions
                    .write()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                if **versions != fresh {
                    *versions = Arc::new(fresh.clone());
                    self.generation.fetch_add(1, Ordering::AcqRel);
                }
                Refresh::Reread(fresh)
            }
            Err(e) => Refresh::Failed(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex as StdMutex;
    use std::sync::atomic::AtomicUsize;

    use super::*;
    use crate::Secret;

    /// A source whose answer the test sets, counting its reads.
    #[derive(Debug, Default)]
    struct Scripted {
        answer: StdMutex<Option<SecretVersions>>,
        reads: AtomicUsize,
    }

    impl Scripted {
        fn set(&self, current: &str, previous: Option<&str>) {
            *self.answer.lock().unwrap() = Some(SecretVersions {
                current: Secret::new(current),
                previous: previous.map(Secret::new),
            });
        }
        fn reads(&self) -> usize {
            self.reads.load(Ordering::SeqCst)
        }
    }

    #[async_trait]
    impl SecretSource for Scripted {
        async fn read(&self) -> Result<SecretVersions, SettingError> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            self.answer
                .lock()
                .unwrap()
                .clone()
                .ok_or_else(|| SettingError::SecretUnavailable {
                    name: "TEST_SECRET",
                    secret_id: "test".into(),
                    message: "unavailable".into(),
                })
        }
    }

    const MINUTE: Duration = Duration::from_secs(60);

    #[tokio::test(start_paused = true)]
    async fn rereads_at_most_once_per_interval() {
        let source = Arc::new(Scripted::default());
        source.set("first-secret-0000000", None);
        let secret = RefreshingSecret::read(source.clone(), MINUTE)
            .await
            .unwrap();
        assert_eq!(source.reads(), 1, "read once at start");
        assert_eq!(secret.versions().current.expose(), "first-secret-0000000");

        // Rotated right after the start: too early to re-read.
        source.set("second-secret-000000", Some("first-secret-0000000"));
        assert!(matches!(secret.refresh_if_due().await, Refresh::Throttled));
        assert_eq!(source.reads(), 1);
        assert_eq!(secret.generation(), 0);

        tokio::time::advance(MINUTE).await;
        assert!(matches!(secret.refresh_if_due().await, Refresh::Reread(_)));
        assert_eq!(source.reads(), 2);
        let versions = secret.versions();
        assert_eq!(versions.current.expose(), "second-secret-000000");
        assert_eq!(
            versions.previous.as_ref().map(Secret::expose),
            Some("first-secret-0000000")
        );
        assert_eq!(secret.generation(), 1);

        // A second bad credential within the minute reads nothing.
        tokio::time::advance(Duration::from_secs(59)).await;
        assert!(matches!(secret.refresh_if_due().await, Refresh::Throttled));
        assert_eq!(source.reads(), 2);

        // An unchanged re-read keeps the generation.
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(matches!(secret.refresh_if_due().await, Refresh::Reread(_)));
        assert_eq!((source.reads(), secret.generation()), (3, 1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_reread_keeps_the_versions_and_is_throttled_too() {
        let source = Arc::new(Scripted::default());
        source.set("first-secret-0000000", None);
        let secret = RefreshingSecret::read(source.clone(), MINUTE)
            .await
            .unwrap();
        *source.answer.lock().unwrap() = None;
        tokio::time::advance(MINUTE).await;
        match secret.refresh_if_due().await {
            Refresh::Failed(e) => assert!(e.to_string().contains("unavailable"), "{e}"),
            other => panic!("expected a failure, got {other:?}"),
        }
        assert_eq!(secret.versions().current.expose(), "first-secret-0000000");
        assert!(matches!(secret.refresh_if_due().await, Refresh::Throttled));
        assert_eq!(source.reads(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_one_read() {
        let source = Arc::new(Scripted::default());
        source.set("first-secret-0000000", None);
        let secret = RefreshingSecret::read(source.clone(), MINUTE)
            .await
            .unwrap();
        tokio::time::advance(MINUTE).await;
        let (a, b) = tokio::join!(secret.refresh_if_due(), secret.refresh_if_due());
        let reread = [&a, &b]
            .iter()
            .filter(|r| matches!(r, Refresh::Reread(_)))
            .count();
        assert_eq!((reread, source.reads()), (1, 2), "{a:?} {b:?}");
    }

    #[tokio::test]
    async fn fixed_versions_are_never_reread() {
        let secret =
            RefreshingSecret::fixed(SecretVersions::current(Secret::new("fixed-secret-000000")));
        assert!(matches!(secret.refresh_if_due().await, Refresh::Fixed));
        assert_eq!(secret.versions().current.expose(), "fixed-secret-000000");
    }
}
