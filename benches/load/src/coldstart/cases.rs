//! The cases of the table: hello-world, then each function's release binary on the local DynamoDB server (and
//! ingest on SQLite too), with the environment the CDK stack gives it. The stack names every secret by its
//! Secrets Manager ARN (`*_SECRET_ARN`, one round trip at init); here the values come from the environment, so
//! nothing at init leaves the machine. `SSL_CERT_FILE` names one CA bundle, as the stack does; one ingest row
//! runs without it to show what it saves.

use std::path::{Path, PathBuf};

use super::events::{self, WEBHOOK_SECRET};
use super::{Case, Invocation, report::BASELINE};

/// The system CA bundle (Debian/Ubuntu path; Lambda's Amazon Linux has /etc/pki/tls/certs/ca-bundle.crt).
pub const CERT_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";
/// The admin secret respond's reply route is called with.
pub const ADMIN_SECRET: &str = "local-admin-secret-change-me";
/// The Particle token of respond, forward and sse-drain (sse-drain's stream checks it).
pub const PARTICLE_TOKEN: &str = "bench-particle-token-0123456789abcdef";
/// A Google key of a plausible length: geolocate needs one to start, the GNSS fix never uses it.
pub const GOOGLE_API_KEY: &str = "AIzaSyBENCH-key_0123456789abcdefghijk";
/// Invocations per start of the HTTP functions and forward: the first (cold) and three warm ones.
pub const INVOCATIONS: usize = 4;
/// sse-drain's: each drains a one-second window.
pub const SSE_INVOCATIONS: usize = 3;
/// Events in each window.
pub const SSE_EVENTS: usize = 3;
/// The forward integrations the stack bundles: the repository's `integrations/` (disabled examples).
pub const INTEGRATIONS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../integrations");

/// What the cases run against.
#[derive(Debug, Clone)]
pub struct Setup {
    /// Where the release binaries are.
    pub bin_dir: PathBuf,
    /// The local DynamoDB server (`AWS_ENDPOINT_URL_DYNAMODB`) and its table.
    pub dynamo_endpoint: String,
    pub table: String,
    /// ingest's SQLite database.
    pub sqlite: PathBuf,
    /// The Particle event stream ([`super::sse`]): `PARTICLE_API_URL` of the functions that call Particle.
    pub particle_url: String,
}

/// Set for every process, as Lambda and the stack set them (`common` in the stack: `RUST_LOG`,
/// `AWS_LAMBDA_LOG_FORMAT`, `EVENT_TTL_DAYS`).
pub const COMMON: &[(&str, &str)] = &[
    ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
    ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
    ("AWS_LAMBDA_LOG_STREAM_NAME", "bench"),
    ("AWS_LAMBDA_LOG_GROUP_NAME", "bench"),
    ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
    ("AWS_REGION", "us-east-1"),
    ("RUST_LOG", "info"),
    ("EVENT_TTL_DAYS", "0"),
];

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn repeat(first: Invocation, warm: impl Fn() -> Invocation, n: usize) -> Vec<Invocation> {
    std::iter::once(first)
        .chain((1..n).map(|_| warm()))
        .collect()
}

impl Setup {
    fn binary(&self, name: &str) -> PathBuf {
        self.bin_dir.join(name)
    }

    /// The store on the local DynamoDB server, the CA bundle named.
    fn dynamo(&self) -> Vec<(String, String)> {
        let mut e = env(&[
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
            ("SSL_CERT_FILE", CERT_BUNDLE),
        ]);
        e.push(("STORE".into(), format!("dynamodb:{}", self.table)));
        e.push((
            "AWS_ENDPOINT_URL_DYNAMODB".into(),
            self.dynamo_endpoint.clone(),
        ));
        e
    }

    /// Every case, in table order.
    pub fn cases(&self) -> Vec<Case> {
        let mut cases = vec![Case {
            name: BASELINE.into(),
            binary: self.binary("hello-lambda"),
            env: vec![],
            invocations: repeat(
                Invocation {
                    event: events::APIGW_FORM.into(),
                    check: events::status(&[200]),
                },
                || Invocation {
                    event: events::APIGW_FORM.into(),
                    check: events::status(&[200]),
                },
                INVOCATIONS,
            ),
            window_bound: false,
        }];
        cases.extend(self.ingest());
        cases.extend([
            self.geolocate(),
            self.respond(),
            self.forward(),
            self.sse_drain(),
        ]);
        cases
    }

    /// The API Gateway form webhook: stored (201) on the first delivery ever, a duplicate (200) after.
    fn ingest(&self) -> [Case; 3] {
        let invocations = || {
            repeat(
                Invocation {
                    event: events::APIGW_FORM.into(),
                    check: events::status(&[200, 201]),
                },
                || Invocation {
                    event: events::APIGW_FORM.into(),
                    check: events::status(&[200]),
                },
                INVOCATIONS,
            )
        };
        let secret = ("WEBHOOK_SECRET", WEBHOOK_SECRET);
        let mut sqlite = env(&[secret, ("SSL_CERT_FILE", CERT_BUNDLE)]);
        sqlite.push(("STORE".into(), format!("sqlite:{}", self.sqlite.display())));
        let mut moto = self.dynamo();
        moto.extend(env(&[secret]));
        // Without SSL_CERT_FILE (or SSL_CERT_DIR), rustls-native-certs, which the SDK's HTTPS client uses at
        // init, reads the system bundle and then every file of the certificate directory.
        let no_cert_file = moto
            .iter()
            .filter(|(k, _)| k != "SSL_CERT_FILE")
            .cloned()
            .collect();
        let case = |name: &str, env| Case {
            name: name.into(),
            binary: self.binary("ingest"),
            env,
            invocations: invocations(),
            window_bound: false,
        };
        [
            case("ingest (SQLite)", sqlite),
            case("ingest (moto)", moto),
            case("ingest (moto, no SSL_CERT_FILE)", no_cert_file),
        ]
    }

    /// A Tracker GNSS fix: located without a provider (200 `lat,lng,accuracy`); a retried event is answered
    /// from its stored location, the same text.
    fn geolocate(&self) -> Case {
        let mut e = self.dynamo();
        e.extend(env(&[
            ("WEBHOOK_SECRET", WEBHOOK_SECRET),
            ("GEOLOCATION_PROVIDERS", "google"),
            ("GOOGLE_API_KEY", GOOGLE_API_KEY),
            ("GEOCACHE_TTL_HOURS", "168"),
        ]));
        let located = || Invocation {
            event: events::APIGW_GNSS.into(),
            check: events::text(events::GNSS_ANSWER),
        };
        Case {
            name: "geolocate (moto)".into(),
            binary: self.binary("geolocate"),
            env: e,
            invocations: repeat(located(), located, INVOCATIONS),
            window_bound: false,
        }
    }

    /// The admin call storing a reply template first, then the request-event webhook answered with the
    /// rendered reply (a retried event gets the reply already sent, the same text).
    fn respond(&self) -> Case {
        let mut e = self.dynamo();
        e.extend(env(&[
            ("WEBHOOK_SECRET", WEBHOOK_SECRET),
            ("ADMIN_SECRET", ADMIN_SECRET),
            ("PARTICLE_ACCESS_TOKEN", PARTICLE_TOKEN),
        ]));
        e.push(("PARTICLE_API_URL".into(), self.particle_url.clone()));
        Case {
            name: "respond (moto)".into(),
            binary: self.binary("respond"),
            env: e,
            invocations: repeat(
                Invocation {
                    event: events::put_reply(ADMIN_SECRET),
                    check: events::status(&[200]),
                },
                || Invocation {
                    event: events::reply_webhook(),
                    check: events::text(events::REPLY),
                },
                INVOCATIONS,
            ),
            window_bound: false,
        }
    }

    /// The stream fixture's one INSERT, matched against the bundled (disabled) integrations: a batch response
    /// with nothing handed back.
    fn forward(&self) -> Case {
        let mut e = self.dynamo();
        e.extend(env(&[
            ("INTEGRATIONS_DIR", INTEGRATIONS_DIR),
            // What the stack's integration secret holds until the user fills it in.
            ("INTEGRATION_SECRETS", "{}"),
            ("PARTICLE_ACCESS_TOKEN", PARTICLE_TOKEN),
        ]));
        e.push(("PARTICLE_API_URL".into(), self.particle_url.clone()));
        let batch = || Invocation {
            event: events::DYNAMODB_STREAM.into(),
            check: events::no_batch_failures(),
        };
        Case {
            name: "forward (moto)".into(),
            binary: self.binary("forward"),
            env: e,
            invocations: repeat(batch(), batch, INVOCATIONS),
            window_bound: false,
        }
    }

    /// Scheduled invocations, each draining a one-second window of the local stream. The open budget is
    /// widened (100 opens a second) so the rounds never run into it; each open still takes its slot in the table.
    fn sse_drain(&self) -> Case {
        let mut e = self.dynamo();
        e.extend(env(&[
            ("PARTICLE_ACCESS_TOKEN", PARTICLE_TOKEN),
            ("PARTICLE_EVENTS_PATH", "/v1/devices/events"),
            ("SSE_WINDOW_SECONDS", "1"),
            ("SSE_IDLE_TIMEOUT_SECONDS", "15"),
            ("SSE_OPEN_BUDGET", "100"),
            ("SSE_OPEN_BUDGET_SECONDS", "1"),
        ]));
        e.push(("PARTICLE_API_URL".into(), self.particle_url.clone()));
        let window = || Invocation {
            event: events::SCHEDULED.into(),
            check: events::window_summary(SSE_EVENTS as u64),
        };
        Case {
            name: "sse-drain (moto)".into(),
            binary: self.binary("sse-drain"),
            env: e,
            invocations: repeat(window(), window, SSE_INVOCATIONS),
            window_bound: true,
        }
    }
}

/// The binaries `cases` runs that are missing from `dir` (so a run stops before starting anything).
pub fn missing(cases: &[Case], dir: &Path) -> Vec<String> {
    let mut missing: Vec<String> = cases
        .iter()
        .filter(|c| !c.binary.is_file())
        .map(|c| {
            c.binary
                .strip_prefix(dir)
                .unwrap_or(&c.binary)
                .display()
                .to_string()
        })
        .collect();
    missing.dedup();
    missing
}
