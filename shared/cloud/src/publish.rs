//! Publishing events: `POST /v1/devices/events` or `/v1/products/{p}/events`, form `name`, `data`, `private`.

use crate::api::ParticleApi;
use crate::delivery::{Delivery, Outcome, PushKind, now_ms};
use crate::functions::fill_failure;
use crate::limits::{LimitError, Limits, check_product};
use crate::retry::{RetryPolicy, post_form};

/// An event to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publish {
    pub name: String,
    pub data: String,
    pub private: bool,
    /// To a product's event stream (id or slug).
    pub product: Option<String>,
}

impl Publish {
    pub fn check(&self, limits: &Limits) -> Result<(), LimitError> {
        if let Some(p) = &self.product {
            check_product(p)?;
        }
        limits.check_event(&self.name, &self.data)
    }

    /// The API path.
    pub fn path(&self) -> String {
        match &self.product {
            Some(p) => format!("/v1/products/{p}/events"),
            None => "/v1/devices/events".to_owned(),
        }
    }
}

impl ParticleApi {
    /// Publishes an event (limits checked first). `kind` and `coreid` only label the record (a hook-response
    /// chunk is a publish meant for one device).
    pub async fn publish(
        &self,
        event: &Publish,
        limits: &Limits,
        policy: RetryPolicy,
    ) -> Result<Delivery, LimitError> {
        event.check(limits)?;
        Ok(self
            .publish_unchecked(event, PushKind::Publish, None, policy)
            .await)
    }

    pub(crate) async fn publish_unchecked(
        &self,
        event: &Publish,
        kind: PushKind,
        coreid: Option<&str>,
        policy: RetryPolicy,
    ) -> Delivery {
        let at_ms = now_ms();
        let started = std::time::Instant::now();
        let private = if event.private { "true" } else { "false" };
        let form = [
            ("name", event.name.as_str()),
            ("data", event.data.as_str()),
            ("private", private),
        ];
        let sent = post_form(self, &event.path(), &form, policy, &[]).await;
        let mut delivery = Delivery {
            kind,
            coreid: coreid.map(str::to_owned),
            product: event.product.clone(),
            target: event.name.clone(),
            payload: event.data.clone(),
            at_ms,
            attempts: sent.attempts,
            outcome: Outcome::Failed,
            status: None,
            body: None,
            return_value: None,
            duration_ms: 0,
        };
        match sent.result {
            Ok((status, body)) => {
                delivery.status = Some(status);
                // Particle answers `{"ok": true}`; `{"ok": false}` under a 2xx would be a refusal.
                let ok = serde_json::from_str::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|j| j.get("ok").and_then(serde_json::Value::as_bool));
                delivery.outcome = if ok == Some(false) {
                    Outcome::Rejected
                } else {
                    Outcome::Delivered
                };
                delivery.body = Some(body);
            }
            Err(failure) => fill_failure(&mut delivery, &failure, sent.out_of_time, false),
        }
        delivery.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        delivery
    }
}
