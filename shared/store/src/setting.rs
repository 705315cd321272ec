//! The `STORE` setting: which backend, and where.

use std::sync::Arc;

use crate::backend::ItemStore;
use crate::error::StoreError;

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
/// chain (so `AWS_ENDPOINT_URL_DYNAMODB` and the usual credentials apply); the table must exist. A backend this
/// binary was built without is a [`StoreError::Config`] naming the missing feature.
pub async fn open(setting: &StoreSetting) -> Result<Arc<dyn ItemStore>, StoreError> {
    match setting {
        #[cfg(feature = "dynamodb")]
        StoreSetting::Dynamo { table } => {
            use crate::dynamo::DynamoStore;
            Ok(Arc::new(DynamoStore::new(
                DynamoStore::default_client().await,
                table,
            )))
        }
        #[cfg(feature = "sqlite")]
        StoreSetting::Sqlite { path } => {
            Ok(Arc::new(crate::sqlite::SqliteStore::open(path).await?))
        }
        #[allow(unreachable_patterns)]
        other => Err(not_built(other)),
    }
}

/// The error for a backend compiled out of this binary.
#[allow(dead_code)]
fn not_built(setting: &StoreSetting) -> StoreError {
    let (value, feature) = match setting {
        StoreSetting::Dynamo { table } => (format!("dynamodb:{table}"), "dynamodb"),
        StoreSetting::Sqlite { path } => (format!("sqlite:{path}"), "sqlite"),
    };
    StoreError::Config(format!(
        "STORE={value:?} names a backend this binary was built without (cargo feature `{feature}` of \
         particle-store); rebuild with it or choose the other backend"
    ))
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

    #[test]
    fn a_backend_built_without_is_named() {
        let err = not_built(&StoreSetting::Sqlite {
            path: "/tmp/x.db".into(),
        })
        .to_string();
        assert!(
            err.contains("sqlite:/tmp/x.db") && err.contains("feature `sqlite`"),
            "{err}"
        );
    }

    #[cfg(not(feature = "sqlite"))]
    #[tokio::test]
    async fn sqlite_compiled_out_is_a_config_error() {
        let err = open(&StoreSetting::Sqlite {
            path: "/tmp/x.db".into(),
        })
        .await
        .unwrap_err();
        assert!(matches!(err, StoreError::Config(_)), "{err}");
    }
}
