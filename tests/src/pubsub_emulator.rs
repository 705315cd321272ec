//! The Google Cloud Pub/Sub emulator as a real peer: `PUBSUB_EMULATOR_HOST` when set (CI and `make test` start
//! one with `scripts/pubsub-emulator.sh`), else started here on a free port in its own process group and stopped
//! (the whole group: java outlives its wrapper) when dropped. A test that needs it fails when it is missing; it
//! never skips.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

pub struct PubSubEmulator {
    /// `127.0.0.1:<port>`, what `PUBSUB_EMULATOR_HOST` holds.
    pub host: String,
    child: Option<Child>,
    pub log: Option<PathBuf>,
    http: reqwest::Client,
}

/// A pulled message: data decoded from base64, attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Pulled {
    pub data: String,
    pub attributes: serde_json::Map<String, Value>,
}

fn launcher() -> Result<PathBuf, String> {
    let out = Command::new("dpkg")
        .args(["-L", "google-cloud-cli-pubsub-emulator"])
        .output()
        .map_err(|e| format!("cannot run dpkg: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find(|l| l.ends_with("bin/cloud-pubsub-emulator"))
        .map(PathBuf::from)
        .ok_or_else(|| {
            "the Pub/Sub emulator is not installed: apt-get install google-cloud-cli-pubsub-emulator \
             openjdk-17-jre-headless (or set PUBSUB_EMULATOR_HOST)"
                .to_owned()
        })
}

impl PubSubEmulator {
    /// The emulator at `PUBSUB_EMULATOR_HOST`, or a new one. Panics (the test fails) when neither works.
    pub async fn start() -> PubSubEmulator {
        let http = crate::http_client();
        if let Ok(host) = std::env::var("PUBSUB_EMULATOR_HOST") {
            let emulator = PubSubEmulator {
                host,
                child: None,
                log: None,
                http,
            };
            emulator.wait_ready(Duration::from_secs(10)).await;
            return emulator;
        }
        let bin = launcher().unwrap_or_else(|e| panic!("{e}"));
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let log = std::env::temp_dir().join(format!("pubsub-emulator-{port}.log"));
        let log_file = std::fs::File::create(&log).expect("emulator log file");
        let child = Command::new(bin)
            .arg("--host=127.0.0.1")
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("log handle"))
            .stderr(log_file)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the Pub/Sub emulator: {e}"));
        let mut emulator = PubSubEmulator {
            host: format!("127.0.0.1:{port}"),
            child: Some(child),
            log: Some(log),
            http,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if emulator.answers().await {
                return emulator;
            }
            if let Some(status) = emulator
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!(
                    "the Pub/Sub emulator exited during startup ({status}); log: {:?}",
                    emulator.log
                );
            }
            assert!(
                Instant::now() < deadline,
                "the Pub/Sub emulator did not answer within 60 s; log: {:?}",
                emulator.log
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn answers(&self) -> bool {
        matches!(self.http.get(self.base()).send().await, Ok(r) if r.status() == 200)
    }

    async fn wait_ready(&self, limit: Duration) {
        let deadline = Instant::now() + limit;
        while !self.answers().await {
            assert!(
                Instant::now() < deadline,
                "no Pub/Sub emulator answers at PUBSUB_EMULATOR_HOST={}",
                self.host
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.host)
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let resp = self
            .http
            .request(method, format!("{}{path}", self.base()))
            .json(&body)
            .send()
            .await
            .expect("emulator request");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        assert!(status.is_success(), "emulator {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// Creates `projects/<project>/topics/<topic>` (ids need 3+ characters).
    pub async fn create_topic(&self, project: &str, topic: &str) {
        self.call(
            reqwest::Method::PUT,
            &format!("/v1/projects/{project}/topics/{topic}"),
            json!({}),
        )
        .await;
    }

    pub async fn create_subscription(&self, project: &str, subscription: &str, topic: &str) {
        self.call(
            reqwest::Method::PUT,
            &format!("/v1/projects/{project}/subscriptions/{subscription}"),
            json!({ "topic": format!("projects/{project}/topics/{topic}") }),
        )
        .await;
    }

    /// Pulls (and acknowledges) what is waiting, without blocking.
    pub async fn pull(&self, project: &str, subscription: &str) -> Vec<Pulled> {
        let path = format!("/v1/projects/{project}/subscriptions/{subscription}");
        let out = self
            .call(
                reqwest::Method::POST,
                &format!("{path}:pull"),
                json!({ "returnImmediately": true, "maxMessages": 100 }),
            )
            .await;
        let received = out["receivedMessages"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let ack_ids: Vec<Value> = received.iter().map(|m| m["ackId"].clone()).collect();
        if !ack_ids.is_empty() {
            self.call(
                reqwest::Method::POST,
                &format!("{path}:acknowledge"),
                json!({ "ackIds": ack_ids }),
            )
            .await;
        }
        received
            .iter()
            .map(|m| {
                let msg = &m["message"];
                let data = base64::engine::general_purpose::STANDARD
                    .decode(msg["data"].as_str().unwrap_or(""))
                    .expect("base64 data");
                Pulled {
                    data: String::from_utf8(data).expect("utf-8 data"),
                    attributes: msg["attributes"].as_object().cloned().unwrap_or_default(),
                }
            })
            .collect()
    }
}

impl Drop for PubSubEmulator {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            // The emulator's launcher runs java as a child: end the whole process group.
            let pgid = child.id();
            let _ = Command::new("kill")
                .args(["-TERM", "--", &format!("-{pgid}")])
                .stderr(Stdio::null())
                .status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            // Usually the group is gone by now and this finds nothing.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{pgid}")])
                .stderr(Stdio::null())
                .status();
            let _ = child.wait();
        }
    }
}
