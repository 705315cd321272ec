//! Opening the store a function's `STORE` names, with the process's one AWS configuration ([`crate::aws`]).

use std::sync::Arc;

use particle_store::dynamo::DynamoStore;
use particle_store::{ItemStore, StoreError, StoreSetting};

/// Opens the backend `setting` names. DynamoDB clients are built from the shared [`crate::aws::config`]; other
/// backends (SQLite, when compiled in) open as [`particle_store::open`] does and load no AWS configuration.
pub async fn open_store(setting: &StoreSetting) -> Result<Arc<dyn ItemStore>, StoreError> {
    match setting {
        StoreSetting::Dynamo { table } => Ok(Arc::new(DynamoStore::from_config(
            crate::aws::config().await,
            table,
        ))),
        #[allow(unreachable_patterns)]
        other => particle_store::open(other).await,
    }
}
