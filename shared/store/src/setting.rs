//! The `STORE` setting: which backend, and where.

use std::sync::Arc;

use crate::backend::ItemStore;
use crate::dynamo::DynamoStore;
use crate::error::StoreError;
use crate::sqlite::SqliteStore;

/// A parsed `STORE` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreSetting {
    /// `dynamodb:<table>`.
    Dynamo { table: String },
    /// `sqlite:<path>`.
    Sqlite { path: String },
}

impl std::str::FromStr for StoreSetting {
    type Err = StoreError;

    fn from_str(value: &str) -> Result<Self, StoreError> {
        let bad = |why: &str| {
            StoreError::Config(format!(
                "STORE={value:?} {why}; expected `dynamodb:<table name>` or `sqlite:<file path>`"
            ))
        };
        let (kind, rest) = value
            .split_once(':')
            .ok_or_else(|| bad("has no backend prefix"))?;
        match kind {
            "dynamodb" => {
                let valid = (3..=255).contains(&rest.len())
                    && rest
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b));
                if !valid {
                    return Err(bad(
                        "names an invalid table (3-255 characters of A-Z a-z 0-9 _ - .)",
                    ));
                }
                Ok(StoreSetting::Dynamo {
                    table: rest.to_owned(),
                })
            }
            "sqlite" if !rest.is_empty() => Ok(StoreSetting::Sqlite {
                path: rest.to_owned(),
            }),
            "sqlite" => Err(bad("has no file path")),
            _ => Err(bad("names an unknown backend")),
        }
    }
}

/// Opens the backend a `STORE` value names. For DynamoDB the client comes from the default AWS configuration
/// chain (so `AWS_ENDPOINT_URL_DYNAMODB` and the usual credentials apply); the table must exist.
pub async fn open(setting: &StoreSetting) -> Result<Arc<dyn ItemStore>, StoreError> {
    Ok(match setting {
        StoreSetting::Dynamo { table } => {
            Arc::new(DynamoStore::new(DynamoStore::default_client().await, table))
        }
        StoreSetting::Sqlite { path } => Arc::new(SqliteStore::open(path).await?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        assert_eq!(
            "dynamodb:particle-events".parse::<StoreSetting>().unwrap(),
            StoreSetting::Dynamo {
                table: "particle-events".into()
            }
        );
        assert_eq!(
            "sqlite:/tmp/x.db".parse::<StoreSetting>().unwrap(),
            StoreSetting::Sqlite {
                path: "/tmp/x.db".into()
            }
        );
        for bad in [
            "",
            "dynamodb",
            "dynamodb:",
            "dynamodb:a b",
            "sqlite:",
            "postgres:x",
            "particle.db",
        ] {
            let err = bad.parse::<StoreSetting>().unwrap_err().to_string();
            assert!(err.contains("expected `dynamodb:<table name>`"), "{err}");
        }
    }
}
