//! Hook-response delivery for events that did not come by webhook (`forward`, `geolocate`'s stream path):
//! Particle's webhook answers become `hook-response/<event>/<n>` events of at most 512 bytes (split on UTF-8
//! boundaries, at most 100 KB in all), failures `hook-error/<event>/<n>`; the topics come from the webhook's
//! `responseTopic`/`errorResponseTopic` templates (rendered by `particle-template` into a [`HookResponse`]).
//! A product device gets the `<coreid>/hook-response/...` form, published to the product's stream, as Particle
//! does for product webhooks. Chunks are published in order, privately; the first chunk that is not delivered
//! ends the delivery (the device could not reassemble a response with a hole).

use particle_template::HookResponse;

use crate::api::ParticleApi;
use crate::delivery::{Delivery, Outcome, PushKind, now_ms};
use crate::limits::{Limits, check_device_id};
use crate::publish::Publish;
use crate::retry::RetryPolicy;

/// The device a response is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookTarget {
    pub coreid: String,
    /// The device's product (the event's `product_id`), if any.
    pub product_id: Option<u32>,
}

/// Which of the two topics a response goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookKind {
    Response,
    Error,
}

/// The events a response becomes: `(name, data)` in order, product devices' names prefixed with the device id.
pub fn hook_events(response: &HookResponse, target: &HookTarget) -> Vec<(String, String)> {
    response
        .events()
        .into_iter()
        .map(|(topic, data)| {
            let name = match target.product_id {
                Some(_) => format!("{}/{topic}", target.coreid),
                None => topic,
            };
            (name, data.to_owned())
        })
        .collect()
}

impl ParticleApi {
    /// Publishes `response` for `target`, chunk by chunk; one [`Delivery`] per chunk attempted. A chunk whose name
    /// breaks the event name limit is recorded as [`Outcome::Invalid`] and nothing more is sent.
    pub async fn deliver_hook_response(
        &self,
        response: &HookResponse,
        kind: HookKind,
        target: &HookTarget,
        limits: &Limits,
        policy: RetryPolicy,
    ) -> Vec<Delivery> {
        let push_kind = match kind {
            HookKind::Response => PushKind::HookResponse,
            HookKind::Error => PushKind::HookError,
        };
        let mut out = Vec::new();
        let device_ok = check_device_id(&target.coreid);
        for (name, data) in hook_events(response, target) {
            let event = Publish {
                name,
                data,
                private: true,
                product: target.product_id.map(|p| p.to_string()),
            };
            if let Err(e) = device_ok.clone().and_then(|()| event.check(limits)) {
                out.push(Delivery {
                    kind: push_kind,
                    coreid: Some(target.coreid.clone()),
                    product: event.product.clone(),
                    target: event.name.clone(),
                    payload: event.data.clone(),
                    at_ms: now_ms(),
                    attempts: 0,
                    outcome: Outcome::Invalid,
                    status: None,
                    body: Some(e.to_string()),
                    return_value: None,
                    duration_ms: 0,
                });
                break;
            }
            let delivery = self
                .publish_unchecked(&event, push_kind, Some(&target.coreid), policy)
                .await;
            let delivered = delivery.delivered();
            out.push(delivery);
            if !delivered {
                break;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use particle_template::{EventScope, EventVars, Limits as TemplateLimits, ResponseTemplate};

    fn response(body: &str) -> HookResponse {
        let t =
            ResponseTemplate::compile(None, None, None, false, TemplateLimits::default()).unwrap();
        let vars = EventVars {
            name: "config/get",
            data: "",
            coreid: "0a",
            published_at: "2026-11-29T00:00:00.000Z",
            ..EventVars::default()
        };
        t.render(&EventScope::new(vars), body).unwrap()
    }

    #[test]
    fn chunks_and_product_form() {
        let body = "é".repeat(300); // 600 bytes: 256 characters fit in the first chunk
        let r = response(&body);
        let plain = hook_events(
            &r,
            &HookTarget {
                coreid: "0a".into(),
                product_id: None,
            },
        );
        assert_eq!(plain.len(), 2);
        assert_eq!(plain[0].0, "hook-response/config/get/0");
        assert_eq!(plain[1].0, "hook-response/config/get/1");
        assert_eq!(plain[0].1.len(), 512);
        assert_eq!(format!("{}{}", plain[0].1, plain[1].1), body);
        let product = hook_events(
            &r,
            &HookTarget {
                coreid: "0a".into(),
                product_id: Some(7),
            },
        );
        assert_eq!(product[0].0, "0a/hook-response/config/get/0");
    }
}
