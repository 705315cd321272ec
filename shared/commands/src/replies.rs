//! The reply repository: one template per (scope, topic), `REPLY#<scope>` / `TOPIC#<topic>`, indexed in `gsi1`
//! under `REPLIES` so they can be listed. A template is compiled before it is stored, so a stored reply always
//! renders (up to data-dependent limits).
//!
//! Delete writes the item back already expired: reads honour `expires_at` at once (both backends), DynamoDB's
//! TTL and SQLite's purge remove it later, and the store needs no delete operation for it.

use std::sync::Arc;

use particle_store::record::{Record, serde_attrs, serde_from_attrs};
use particle_store::{Condition, Index, ItemStore, Key, Query, SkRange, StoreError, keys};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::CommandError;
use crate::scope::Scope;

/// Longest topic: an event name.
pub const MAX_TOPIC_CHARS: usize = particle_cloud::limits::MAX_NAME_CHARS;
/// Largest template source.
pub const MAX_TEMPLATE_BYTES: usize = 100 * 1024;
/// Most replies listed.
pub const LIST_MAX: usize = 1000;

/// One reply template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    #[serde(skip, default = "default_scope")]
    pub scope: Scope,
    #[serde(skip)]
    pub topic: String,
    pub template: String,
    pub updated_at: String,
    /// Set only on the expired copy a delete leaves behind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<i64>,
}

fn default_scope() -> Scope {
    Scope::Default
}

impl Record for Reply {
    const TYPE: &'static str = "reply";

    fn key(&self) -> Key {
        keys::reply(self.scope.key_scope(), &self.topic)
    }

    fn gsi1(&self) -> Option<(String, String)> {
        Some(keys::reply_gsi1(self.scope.key_scope(), &self.topic))
    }

    fn expires_at(&self) -> Option<i64> {
        self.deleted_at
    }

    fn attrs(&self) -> Result<Map<String, Value>, StoreError> {
        serde_attrs(self, &self.key())
    }

    fn from_attrs(key: Key, attrs: Map<String, Value>) -> Result<Self, StoreError> {
        let mut reply: Reply = serde_from_attrs(&key, attrs)?;
        let corrupt = |reason: &str| StoreError::Corrupt {
            pk: key.pk.clone(),
            sk: key.sk.clone(),
            reason: reason.to_owned(),
        };
        let scope = key
            .pk
            .strip_prefix(keys::REPLY)
            .ok_or_else(|| corrupt("not a reply key"))?;
        reply.scope = Scope::parse(scope).map_err(|_| corrupt("unknown reply scope"))?;
        reply.topic = key
            .sk
            .strip_prefix(keys::TOPIC)
            .ok_or_else(|| corrupt("not a topic key"))?
            .to_owned();
        Ok(reply)
    }
}

/// Checks a topic (an event name: 1 to 64 characters, no control characters).
pub fn check_topic(topic: &str) -> Result<(), CommandError> {
    let chars = topic.chars().count();
    if chars == 0 || chars > MAX_TOPIC_CHARS || topic.chars().any(char::is_control) {
        return Err(CommandError::Topic(format!(
            "a topic is an event name: 1 to {MAX_TOPIC_CHARS} characters without control characters"
        )));
    }
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Replies {
    store: Arc<dyn ItemStore>,
}

impl Replies {
    pub fn new(store: Arc<dyn ItemStore>) -> Self {
        Replies { store }
    }

    /// Stores (or replaces) a reply after compiling it; the compiler's message if it does not compile.
    pub async fn put(
        &self,
        scope: Scope,
        topic: &str,
        template: &str,
    ) -> Result<Reply, CommandError> {
        check_topic(topic)?;
        if template.len() > MAX_TEMPLATE_BYTES {
            return Err(CommandError::Template(format!(
                "the template is {} bytes; the limit is {MAX_TEMPLATE_BYTES}",
                template.len()
            )));
        }
        particle_template::Template::compile(template)
            .map_err(|e| CommandError::Template(e.to_string()))?;
        let reply = Reply {
            scope,
            topic: topic.to_owned(),
            template: template.to_owned(),
            updated_at: particle_events::clock::now_rfc3339(),
            deleted_at: None,
        };
        self.store.put(&reply.to_item()?, Condition::Always).await?;
        Ok(reply)
    }

    pub async fn get(&self, scope: &Scope, topic: &str) -> Result<Option<Reply>, CommandError> {
        let key = keys::reply(scope.key_scope(), topic);
        match self.store.get(&key.pk, &key.sk).await? {
            Some(item) => Ok(Some(Reply::from_item(item)?)),
            None => Ok(None),
        }
    }

    /// Deletes a reply; whether there was one.
    pub async fn delete(&self, scope: &Scope, topic: &str) -> Result<bool, CommandError> {
        let Some(mut reply) = self.get(scope, topic).await? else {
            return Ok(false);
        };
        reply.deleted_at = Some(particle_events::clock::now_unix() - 1);
        self.store.put(&reply.to_item()?, Condition::Always).await?;
        Ok(true)
    }

    /// Every reply, by scope then topic (at most [`LIST_MAX`]).
    pub async fn list(&self) -> Result<Vec<Reply>, CommandError> {
        let query = Query {
            index: Index::Gsi1,
            sk: SkRange::All,
            ..Query::partition(keys::REPLIES)
        };
        let items = self.store.query_all(&query, LIST_MAX).await?;
        items
            .into_iter()
            .map(|i| Reply::from_item(i).map_err(CommandError::from))
            .collect()
    }

    /// The reply for `topic` on `coreid`: the device's own, else its product's, else the default.
    pub async fn lookup(
        &self,
        coreid: &str,
        product_id: Option<u32>,
        topic: &str,
    ) -> Result<Option<Reply>, CommandError> {
        let mut scopes = vec![Scope::Device(coreid.to_owned())];
        if let Some(p) = product_id {
            scopes.push(Scope::Product(p));
        }
        scopes.push(Scope::Default);
        for scope in scopes {
            if let Some(reply) = self.get(&scope, topic).await? {
                return Ok(Some(reply));
            }
        }
        Ok(None)
    }
}
