//! [`Commands`]: pushes to devices through `particle-cloud`, each logged in the delivery log; function calls for
//! an offline device queued when asked; and [`Commands::deliver_pending`], which `forward` calls on every new
//! event of a device.

use std::sync::Arc;

use particle_cloud::{Delivery, FunctionCall, Limits, Outcome, ParticleApi, Publish, RetryPolicy};
use particle_store::ItemStore;

use crate::deliveries::Deliveries;
use crate::error::CommandError;
use crate::pending::{PendingCommand, PendingCommands, PendingState};

/// What became of a function call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallResult {
    /// Sent (whatever the outcome: see the delivery).
    Sent { id: String, delivery: Delivery },
    /// The device was offline and the call was stored for later.
    Queued {
        delivery: Delivery,
        command: PendingCommand,
    },
}

#[derive(Debug, Clone)]
pub struct Commands {
    api: ParticleApi,
    limits: Limits,
    deliveries: Deliveries,
    pending: PendingCommands,
    function_policy: RetryPolicy,
    publish_policy: RetryPolicy,
}

impl Commands {
    pub fn new(
        store: Arc<dyn ItemStore>,
        api: ParticleApi,
        limits: Limits,
        pending_ttl_hours: u64,
    ) -> Self {
        Commands {
            api,
            limits,
            deliveries: Deliveries::new(store.clone()),
            pending: PendingCommands::new(store, pending_ttl_hours),
            function_policy: RetryPolicy::FUNCTION,
            publish_policy: RetryPolicy::PUBLISH,
        }
    }

    /// Other retry policies (tests: short budgets).
    pub fn with_policies(mut self, function: RetryPolicy, publish: RetryPolicy) -> Self {
        self.function_policy = function;
        self.publish_policy = publish;
        self
    }

    pub fn deliveries(&self) -> &Deliveries {
        &self.deliveries
    }

    pub fn pending(&self) -> &PendingCommands {
        &self.pending
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Calls a device function; with `until_online`, an offline device gets the call queued.
    pub async fn call_function(
        &self,
        call: &FunctionCall,
        until_online: bool,
    ) -> Result<CallResult, CommandError> {
        call.check(&self.limits)?;
        let id = crate::new_id();
        let delivery = self
            .api
            .call_function(call, &self.limits, self.function_policy)
            .await?;
        self.log(&id, &delivery).await;
        if until_online && delivery.outcome == Outcome::Offline {
            let command = self.pending.enqueue(call, &id).await?;
            tracing::info!(coreid = %call.coreid, function = %call.name, id = %command.id, "device offline: command queued");
            return Ok(CallResult::Queued { delivery, command });
        }
        Ok(CallResult::Sent { id, delivery })
    }

    /// Publishes an event.
    pub async fn publish(&self, event: &Publish) -> Result<(String, Delivery), CommandError> {
        let id = crate::new_id();
        let delivery = self
            .api
            .publish(event, &self.limits, self.publish_policy)
            .await?;
        self.log(&id, &delivery).await;
        Ok((id, delivery))
    }

    /// Delivers the device's pending commands, oldest first, each at most once across concurrent callers. Stops at
    /// the first command another caller holds (it delivers them in order) and at the first one the device is
    /// offline for again (it goes back to pending). Returns the deliveries made.
    pub async fn deliver_pending(&self, coreid: &str) -> Result<Vec<Delivery>, CommandError> {
        let mut made = Vec::new();
        for command in self.pending.list(coreid).await? {
            let now = particle_events::clock::now_unix();
            if command.state == PendingState::Done {
                continue;
            }
            if !PendingCommands::claimable(&command, now) {
                break;
            }
            let Some(claimed) = self
                .pending
                .transition(&command, PendingState::Claimed, None)
                .await?
            else {
                // Another caller claimed it first; it carries on in order.
                break;
            };
            let delivery = match self
                .api
                .call_function(&claimed.call(), &self.limits, self.function_policy)
                .await
            {
                Ok(d) => d,
                Err(limit) => {
                    // Stored before a limit changed: it can never be sent.
                    self.pending
                        .transition(&claimed, PendingState::Done, Some(limit.rule().to_owned()))
                        .await?;
                    continue;
                }
            };
            self.log(&claimed.id, &delivery).await;
            let retry_later = matches!(
                delivery.outcome,
                Outcome::Offline | Outcome::DeviceTimeout | Outcome::RateLimited | Outcome::Failed
            );
            let state = if retry_later {
                PendingState::Pending
            } else {
                PendingState::Done
            };
            self.pending
                .transition(&claimed, state, Some(delivery.outcome.as_str().to_owned()))
                .await?;
            made.push(delivery);
            if retry_later {
                break;
            }
        }
        Ok(made)
    }

    /// Logs a delivery; a store failure is logged, not returned: the push happened either way.
    async fn log(&self, source_id: &str, delivery: &Delivery) {
        if let Err(e) = self.deliveries.record(source_id, delivery).await {
            tracing::error!(error = %e, target = %delivery.target, "delivery could not be logged");
        }
    }
}
