//! One cold start: the binary started with a clean environment against a fresh fake Runtime API, its events
//! handed out one by one, every answer checked, the timeline turned into samples.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::Case;
use crate::runtime_api::RuntimeApi;

/// How long a start with all its invocations may take (sse-drain's windows included).
const RUN_LIMIT: Duration = Duration::from_secs(60);

/// What the rounds of one case measured.
#[derive(Debug, Default)]
pub struct Samples {
    /// Exec to the first `invocation/next`.
    pub init_ms: Vec<f64>,
    /// Event handed out to answer posted, the first invocation.
    pub first_ms: Vec<f64>,
    /// The same, median of the later invocations of one start.
    pub warm_ms: Vec<f64>,
    /// `VmHWM` while the function waits for its next event.
    pub rss_kb: Vec<f64>,
    pub failures: Vec<String>,
}

/// Runs `case` once from a cold start, adding its figures to `s` (or the reason to `s.failures`).
pub async fn round(case: &Case, common: &[(&str, &str)], s: &mut Samples) {
    if let Err(e) = once(case, common, s).await {
        s.failures.push(e);
    }
}

async fn once(case: &Case, common: &[(&str, &str)], s: &mut Samples) -> Result<(), String> {
    let events = case.invocations.iter().map(|i| i.event.clone()).collect();
    let api = RuntimeApi::start(events)
        .await
        .map_err(|e| format!("starting the fake runtime API: {e}"))?;
    let mut command = Command::new(&case.binary);
    command
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", &api.address)
        .env("AWS_LAMBDA_FUNCTION_NAME", &case.name)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in common {
        command.env(k, v);
    }
    for (k, v) in &case.env {
        command.env(k, v);
    }
    let started = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|e| format!("starting {}: {e}", case.binary.display()))?;
    let waited = tokio::time::timeout(RUN_LIMIT, api.idle.notified()).await;
    let rss = peak_rss_kb(child.id());
    let _ = child.kill();
    let _ = child.wait();
    waited.map_err(|_| format!("no idle `next` within {RUN_LIMIT:?}"))?;
    let t = api.timeline.lock().expect("not poisoned");
    if !t.errors.is_empty() {
        return Err(format!("reported {}", t.errors.join("; ")));
    }
    let n = case.invocations.len();
    if t.answered.len() != n {
        return Err(format!("{} answers of {n}", t.answered.len()));
    }
    for (i, ((_, answer), invocation)) in t.answered.iter().zip(&case.invocations).enumerate() {
        (invocation.check)(answer).map_err(|e| format!("invocation {}: {e}", i + 1))?;
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let first_next = t.first_next.ok_or("never asked for an event")?;
    let rss = rss.ok_or("no VmHWM")?;
    s.init_ms.push(ms(first_next - started));
    s.first_ms.push(ms(t.answered[0].0 - t.served[0]));
    let mut warm: Vec<f64> = (1..n).map(|i| ms(t.answered[i].0 - t.served[i])).collect();
    s.warm_ms.push(median(&mut warm));
    s.rss_kb.push(rss as f64);
    Ok(())
}

/// Peak resident set of a live process, in KiB.
fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// The median (the upper one of an even count); NaN for no values.
pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_even_and_no_values() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 3.0);
        assert!(median(&mut []).is_nan());
    }
}
