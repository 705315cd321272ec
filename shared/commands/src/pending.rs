//! Pending commands: function calls for a device that was offline, `DEVICE#<coreid>` / `PENDING#<created>#<id>`,
//! expiring after `PENDING_TTL_HOURS`. Sort keys lead with the creation time, so a partition query returns them
//! in order.
//!
//! Delivered once under concurrent callers: a caller first *claims* a command with a conditional write on its
//! version (`ver` n -> n+1, state `claimed`); only the caller whose write succeeds calls the device. A claim
//! older than [`CLAIM_LEASE_SECONDS`] (its caller died) may be claimed again.

use std::sync::Arc;

use particle_cloud::FunctionCall;
use particle_store::record::{Record, serde_attrs, serde_from_attrs};
use particle_store::{Condition, ItemStore, Key, Query, SkRange, StoreError, keys};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::CommandError;

/// `PENDING_TTL_HOURS`' default.
pub const DEFAULT_TTL_HOURS: u64 = 24;
/// How long a claim holds before another caller may take the command over (longer than a 25 s call).
pub const CLAIM_LEASE_SECONDS: i64 = 60;
/// Most pending commands looked at per device and call.
pub const SCAN_MAX: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PendingState {
    /// Waiting for the device.
    Pending,
    /// Being delivered by one caller.
    Claimed,
    /// Delivered (or refused for good); kept until it expires, for the record.
    Done,
}

/// A stored function call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingCommand {
    pub id: String,
    pub coreid: String,
    /// RFC 3339, millisecond precision (the sort key's time).
    pub created: String,
    pub name: String,
    pub arg: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    pub state: PendingState,
    /// Bumped by every state change: the claim's condition.
    pub ver: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_at: Option<i64>,
    /// Unix seconds.
    pub expires_at: i64,
    /// The outcome of the delivery, once done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

impl PendingCommand {
    pub fn call(&self) -> FunctionCall {
        FunctionCall {
            coreid: self.coreid.clone(),
            name: self.name.clone(),
            arg: self.arg.clone(),
            product: self.product.clone(),
        }
    }
}

impl Record for PendingCommand {
    const TYPE: &'static str = "pending_command";

    fn key(&self) -> Key {
        keys::pending_command(&self.coreid, &self.created, &self.id)
    }

    fn expires_at(&self) -> Option<i64> {
        Some(self.expires_at)
    }

    fn attrs(&self) -> Result<Map<String, Value>, StoreError> {
        let mut attrs = serde_attrs(self, &self.key())?;
        // `expires_at` is the store's own attribute.
        attrs.remove("expires_at");
        Ok(attrs)
    }

    fn from_attrs(key: Key, mut attrs: Map<String, Value>) -> Result<Self, StoreError> {
        attrs.insert("expires_at".to_owned(), Value::from(0));
        serde_from_attrs(&key, attrs)
    }
}

#[derive(Debug, Clone)]
pub struct PendingCommands {
    store: Arc<dyn ItemStore>,
    ttl_hours: u64,
}

impl PendingCommands {
    pub fn new(store: Arc<dyn ItemStore>, ttl_hours: u64) -> Self {
        PendingCommands { store, ttl_hours }
    }

    /// Stores `call` as command `id` (also the id of the attempt that found the device offline, in the delivery
    /// log), to be delivered when the device is next seen.
    pub async fn enqueue(
        &self,
        call: &FunctionCall,
        id: &str,
    ) -> Result<PendingCommand, CommandError> {
        let now = particle_events::clock::now_unix();
        let ttl = i64::try_from(self.ttl_hours.saturating_mul(3600)).unwrap_or(i64::MAX / 2);
        let command = PendingCommand {
            id: id.to_owned(),
            coreid: call.coreid.clone(),
            created: particle_events::clock::now_rfc3339(),
            name: call.name.clone(),
            arg: call.arg.clone(),
            product: call.product.clone(),
            state: PendingState::Pending,
            ver: 0,
            claimed_at: None,
            expires_at: now.saturating_add(ttl),
            outcome: None,
        };
        self.store.put_new(&command.to_item()?).await?;
        Ok(command)
    }

    /// The device's live commands (not expired), oldest first.
    pub async fn list(&self, coreid: &str) -> Result<Vec<PendingCommand>, CommandError> {
        let query = Query {
            sk: SkRange::BeginsWith(keys::PENDING.to_owned()),
            ..Query::partition(keys::device_pk(coreid))
        };
        let items = self.store.query_all(&query, SCAN_MAX).await?;
        items
            .into_iter()
            .map(|i| {
                let expires_at = i.expires_at.unwrap_or(i64::MAX);
                let mut c = PendingCommand::from_item(i)?;
                c.expires_at = expires_at;
                Ok(c)
            })
            .collect()
    }

    /// Moves `command` from version `command.ver` to `next` (state, outcome); false if another caller changed it
    /// first.
    pub async fn transition(
        &self,
        command: &PendingCommand,
        state: PendingState,
        outcome: Option<String>,
    ) -> Result<Option<PendingCommand>, CommandError> {
        let mut next = command.clone();
        next.ver = command.ver + 1;
        next.state = state;
        next.outcome = outcome;
        next.claimed_at = (state == PendingState::Claimed).then(particle_events::clock::now_unix);
        let condition = Condition::IntEquals {
            attr: "ver".to_owned(),
            value: command.ver,
        };
        if self.store.put(&next.to_item()?, condition).await? {
            Ok(Some(next))
        } else {
            Ok(None)
        }
    }

    /// Whether `command` may be claimed now: pending, or claimed by a caller whose lease ran out.
    pub fn claimable(command: &PendingCommand, now: i64) -> bool {
        match command.state {
            PendingState::Pending => true,
            PendingState::Claimed => command
                .claimed_at
                .is_none_or(|at| now - at >= CLAIM_LEASE_SECONDS),
            PendingState::Done => false,
        }
    }
}
