//! Device function calls: `POST /v1/devices/{coreid}/{name}` or `/v1/products/{p}/devices/{coreid}/{name}`,
//! form field `arg`, answered `{"id", "name", "connected", "return_value"}`. A device that is not connected is
//! Particle's 404 (or `connected: false`); a missing function is a 404 saying so. The call is bounded by
//! [`RetryPolicy::FUNCTION`]'s 25 s and ends as [`Outcome::DeviceTimeout`] past it.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use crate::api::ParticleApi;
use crate::delivery::{BODY_KEPT_BYTES, Delivery, Outcome, PushKind, bounded, now_ms};
use crate::limits::{LimitError, Limits, check_device_id, check_product};
use crate::outcome::Failure;
use crate::retry::{RetryPolicy, Sent, post_form};

/// A function call to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionCall {
    pub coreid: String,
    pub name: String,
    pub arg: String,
    /// Through a product (id or slug).
    pub product: Option<String>,
}

impl FunctionCall {
    /// Checks the call against `limits` (name, argument, path segments).
    pub fn check(&self, limits: &Limits) -> Result<(), LimitError> {
        check_device_id(&self.coreid)?;
        if let Some(p) = &self.product {
            check_product(p)?;
        }
        limits.check_function(&self.name, &self.arg)
    }

    /// The API path.
    pub fn path(&self) -> String {
        let name = utf8_percent_encode(&self.name, NON_ALPHANUMERIC);
        match &self.product {
            Some(p) => format!("/v1/products/{p}/devices/{}/{name}", self.coreid),
            None => format!("/v1/devices/{}/{name}", self.coreid),
        }
    }
}

impl ParticleApi {
    /// Calls a device function. Limits are checked first (nothing is sent when one is broken); then every
    /// outcome, the device's answer or not, is a [`Delivery`].
    pub async fn call_function(
        &self,
        call: &FunctionCall,
        limits: &Limits,
        policy: RetryPolicy,
    ) -> Result<Delivery, LimitError> {
        call.check(limits)?;
        let at_ms = now_ms();
        let started = std::time::Instant::now();
        // Particle's 408 means the device already had its ~30 s: calling again cannot fit the budget.
        let sent = post_form(self, &call.path(), &[("arg", &call.arg)], policy, &[408]).await;
        let mut delivery = Delivery {
            kind: PushKind::Function,
            coreid: Some(call.coreid.clone()),
            product: call.product.clone(),
            target: call.name.clone(),
            payload: call.arg.clone(),
            at_ms,
            attempts: sent.attempts,
            outcome: Outcome::Failed,
            status: None,
            body: None,
            return_value: None,
            duration_ms: 0,
        };
        fill_function(&mut delivery, sent);
        delivery.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        Ok(delivery)
    }
}

fn fill_function(delivery: &mut Delivery, sent: Sent) {
    match sent.result {
        Ok((status, body)) => {
            delivery.status = Some(status);
            let json: Option<serde_json::Value> = serde_json::from_str(&body).ok();
            let connected = json
                .as_ref()
                .and_then(|j| j.get("connected"))
                .and_then(serde_json::Value::as_bool);
            delivery.return_value = json
                .as_ref()
                .and_then(|j| j.get("return_value"))
                .and_then(serde_json::Value::as_i64);
            delivery.outcome = if connected == Some(false) {
                Outcome::Offline
            } else if delivery.return_value.is_some() {
                Outcome::Delivered
            } else {
                // A 2xx without a return value is not a function's answer (a proxy page, a wrong base URL).
                Outcome::Failed
            };
            delivery.body = Some(body);
        }
        Err(failure) => fill_failure(delivery, &failure, sent.out_of_time, true),
    }
}

/// The outcome, status and body of a failed push. `device` says whether a 404 means an offline device (function
/// calls) rather than a refusal.
pub(crate) fn fill_failure(
    delivery: &mut Delivery,
    failure: &Failure,
    out_of_time: bool,
    device: bool,
) {
    let text = bounded(&failure.to_string(), BODY_KEPT_BYTES);
    delivery.body = Some(text.clone());
    match failure {
        Failure::Permanent { status, error } => {
            delivery.status = Some(*status);
            let says = |needle: &str| {
                [&error.error, &error.description, &error.text]
                    .into_iter()
                    .flatten()
                    .any(|s| s.to_ascii_lowercase().contains(needle))
            };
            delivery.outcome = match status {
                401 => Outcome::Unauthorized,
                404 if device && !says("function not found") => Outcome::Offline,
                _ => Outcome::Rejected,
            };
        }
        Failure::RateLimited { status, .. } => {
            delivery.status = Some(*status);
            delivery.outcome = Outcome::RateLimited;
        }
        Failure::Retryable { status, .. } => {
            delivery.status = *status;
            delivery.outcome = match status {
                Some(408) if device => Outcome::DeviceTimeout,
                None if out_of_time && device => Outcome::DeviceTimeout,
                _ => Outcome::Failed,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        let mut call = FunctionCall {
            coreid: "0a1b".into(),
            name: "set led".into(),
            arg: "on".into(),
            product: None,
        };
        assert_eq!(call.path(), "/v1/devices/0a1b/set%20led");
        call.product = Some("my-product".into());
        assert_eq!(
            call.path(),
            "/v1/products/my-product/devices/0a1b/set%20led"
        );
        assert!(call.check(&Limits::default()).is_ok());
        call.coreid = "../../x".into();
        assert_eq!(
            call.check(&Limits::default()).unwrap_err().rule(),
            "device_id"
        );
    }
}
