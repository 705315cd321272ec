//! The webhooks a run sends: `events` requests built from the real API Gateway v2 form fixture, of which a share
//! are repeats of an earlier event (Particle re-sends a webhook whose answer it did not get), in a shuffled order
//! so a repeat can arrive while its first copy is still being stored.

use serde_json::Value;

const APIGW_FORM: &str = include_str!("../../../fixtures/lambda/apigw-v2-ingest-form.json");
/// The device of every load event (one partition: the worst case for a hot key).
pub const DEVICE: &str = "3f002b000000000000000000";

/// One request to send, and which unique event it carries.
#[derive(Debug, Clone)]
pub struct Webhook {
    pub unique: usize,
    pub request: String,
}

/// `events` webhooks, `repeat_share` of them repeats, shuffled with a fixed seed (runs are comparable).
pub fn webhooks(events: usize, repeat_share: f64, seed: u64) -> (Vec<Webhook>, usize) {
    let repeats = ((events as f64) * repeat_share).round() as usize;
    let unique = events - repeats;
    let template: Value = serde_json::from_str(APIGW_FORM).expect("the fixture is JSON");
    let mut rng = XorShift(seed | 1);
    let mut out: Vec<Webhook> = (0..unique)
        .map(|i| Webhook {
            unique: i,
            request: request(&template, i),
        })
        .collect();
    for _ in 0..repeats {
        let original = out[rng.below(unique)].clone();
        out.push(original);
    }
    // Fisher-Yates.
    for i in (1..out.len()).rev() {
        out.swap(i, rng.below(i + 1));
    }
    (out, unique)
}

/// The fixture with the body of unique event `i` (Particle's default form template).
fn request(template: &Value, i: usize) -> String {
    let body = format!(
        "event=load&data=reading-{i}&published_at=2026-11-26T12%3A{:02}%3A{:02}.{:03}Z&coreid={DEVICE}",
        (i / 60_000) % 60,
        (i / 1000) % 60,
        i % 1000
    );
    let mut event = template.clone();
    event["headers"]["content-length"] = Value::from(body.len().to_string());
    event["body"] = Value::from(body);
    event["isBase64Encoded"] = Value::from(false);
    event.to_string()
}

/// A small deterministic generator: the workload needs repeatability, not quality.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_copies_of_earlier_events_and_every_event_is_sent() {
        let (list, unique) = webhooks(100, 0.3, 7);
        assert_eq!((list.len(), unique), (100, 70));
        let mut seen = std::collections::HashMap::new();
        for webhook in &list {
            let body = seen
                .entry(webhook.unique)
                .or_insert(webhook.request.clone());
            assert_eq!(*body, webhook.request, "a repeat is the same request");
        }
        assert_eq!(seen.len(), 70, "every unique event is sent at least once");
        let bodies: std::collections::HashSet<&String> = seen.values().collect();
        assert_eq!(bodies.len(), 70, "unique events have distinct bodies");
    }

    #[test]
    fn requests_are_lambda_requests_the_handler_accepts() {
        let (list, _) = webhooks(10, 0.0, 1);
        let request = lambda_http::request::from_str(&list[0].request).expect("a Lambda request");
        assert_eq!(request.method(), "POST");
        let body = std::str::from_utf8(request.body().as_ref()).expect("UTF-8");
        let name = event_field(body);
        assert_eq!(name, "load");
    }

    fn event_field(body: &str) -> &str {
        body.split('&')
            .find_map(|pair| pair.strip_prefix("event="))
            .expect("an event field")
    }
}
