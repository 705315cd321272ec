//! Entry point. Under a Lambda runtime (`AWS_LAMBDA_RUNTIME_API` set) each invocation handles one DynamoDB stream
//! batch; everything it needs (definitions, secrets, targets, the store, the Particle API) is built once, at cold
//! start. Outside Lambda, `forward --feed` runs the local change feed over the SQLite store (`make run` starts it).

use std::sync::Arc;

use forward::delivery_log::DeliveryLog;
use forward::stream::StreamHandler;
use forward::{Forwarder, IntegrationSecrets, Targets, forwarder::Settings};
use lambda_runtime::{Error, service_fn};
use particle_store::repo::locations::LocationRepo;

const USAGE: &str = "usage: forward            (under a Lambda runtime: handles DynamoDB stream batches)
       forward --feed     (locally: hands events newly stored in the SQLite STORE to forward under
                           cargo lambda watch; FORWARD_FEED_INVOKE_URL, default http://127.0.0.1:9000;
                           cursor in FORWARD_FEED_CURSOR, default .local/forward-feed.json)";

#[tokio::main]
async fn main() -> Result<(), Error> {
    particle_lambda::startup()?;
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        return serve().await;
    }
    match std::env::args().nth(1).as_deref() {
        Some("--feed") => feed().await,
        Some("--help" | "-h") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
}

async fn serve() -> Result<(), Error> {
    let integrations = forward::load_dir(&forward::load::default_dir())?;
    let store = particle_lambda::open_store(&particle_lambda::env::store()?).await?;
    // The integration secrets and the Particle token at once: each `_ARN` is a Secrets Manager round trip.
    let (secrets, particle) = tokio::join!(
        IntegrationSecrets::from_env(),
        forward::particle::from_env(Arc::clone(&store))
    );
    let secrets = secrets?;
    // Locations found by GoogleMaps integrations go where `geolocate` keeps them.
    let targets = Targets::from_env_with(Some(LocationRepo::new(Arc::clone(&store))))?;
    let settings = Settings {
        // The function's timeout is 60 s: a longer wait on a breaker would be cut off by Lambda, so the delivery
        // is postponed (handed back to the stream) instead.
        max_pause: forward::stream::START_MARGIN,
        ..Settings::from_env()
    };
    let forwarder = Forwarder::new(integrations, secrets, targets, settings)?;
    let (responder, pending) = particle?;
    tracing::info!(
        store = %store.describe(),
        integrations = forwarder.integrations().count(),
        device_responses = responder.is_some(),
        "forward ready"
    );
    let handler = StreamHandler::new(forwarder, DeliveryLog::new(store), responder, pending);
    let handler = &handler;
    lambda_runtime::run(service_fn(move |event| {
        forward::lambda::handle(handler, event)
    }))
    .await
}

#[cfg(feature = "sqlite")]
async fn feed() -> Result<(), Error> {
    use forward::feed::{Feed, InvokeSink};
    use particle_store::StoreSetting;

    let path = match particle_lambda::env::store()? {
        StoreSetting::Sqlite { path } => path,
        other => {
            return Err(format!(
                "--feed reads a SQLite store; STORE is {other:?} (DynamoDB has its own stream)"
            )
            .into());
        }
    };
    let store = particle_store::sqlite::SqliteStore::open(&path).await?;
    let base = particle_lambda::env::var("FORWARD_FEED_INVOKE_URL")
        .unwrap_or_else(|| "http://127.0.0.1:9000".to_owned());
    let cursor = particle_lambda::env::var("FORWARD_FEED_CURSOR")
        .unwrap_or_else(|| ".local/forward-feed.json".to_owned());
    let mut feed = Feed::new(store, cursor.into(), Box::new(InvokeSink::new(&base)?))?;
    tracing::info!(store = %path, forward = %base, "change feed running");
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        let _ = stop_tx.send(true);
    });
    feed.run(stop_rx).await?;
    Ok(())
}

#[cfg(not(feature = "sqlite"))]
async fn feed() -> Result<(), Error> {
    Err("this build has no SQLite backend (built without the `sqlite` feature)".into())
}
