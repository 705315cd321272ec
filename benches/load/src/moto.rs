//! The local DynamoDB-compatible server (moto), started by the harness in its own process group so it can be
//! stopped in the middle of a run and started again on the same port. moto keeps its data in memory; to survive
//! a stop the way DynamoDB does, it records every request it receives (`MOTO_ENABLE_RECORDING`) and the restarted
//! server replays the recording before taking traffic. [`table_store`] opens a table on it as the functions do.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::config::{Credentials, Region};
use particle_store::ItemStore;
use particle_store::dynamo::DynamoStore;
use particle_store::dynamo::table::create_table;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A running moto server (stopped on drop).
#[derive(Debug)]
pub struct Moto {
    binary: PathBuf,
    port: u16,
    recording: Option<PathBuf>,
    child: Option<Child>,
}

impl Moto {
    /// Starts moto on a free loopback port; with `recording`, every request is appended to that file.
    pub async fn start(binary: &Path, recording: Option<PathBuf>) -> Result<Moto, String> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("finding a free port: {e}"))?
            .port();
        let mut moto = Moto {
            binary: binary.to_owned(),
            port,
            recording,
            child: None,
        };
        moto.spawn().await?;
        Ok(moto)
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn spawn(&mut self) -> Result<(), String> {
        let mut command = Command::new(&self.binary);
        command
            .args(["-H", "127.0.0.1", "-p", &self.port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        if let Some(path) = &self.recording {
            command
                .env("MOTO_ENABLE_RECORDING", "True")
                .env("MOTO_RECORDER_FILEPATH", path);
        }
        let child = command
            .spawn()
            .map_err(|e| format!("starting {}: {e}", self.binary.display()))?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", self.port)).await.is_err() {
            if Instant::now() > deadline {
                return Err(format!(
                    "moto did not listen on port {} within 60 s",
                    self.port
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(())
    }

    /// Stops the server abruptly (SIGKILL to its process group): in-flight requests get no answer.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and replays its recording, so it holds what it held when stopped.
    pub async fn restart(&mut self) -> Result<(), String> {
        self.stop();
        self.spawn().await?;
        if self.recording.is_some() {
            self.post("/moto-api/recorder/replay-recording").await?;
        }
        Ok(())
    }

    async fn post(&self, path: &str) -> Result<(), String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))
            .await
            .map_err(|e| format!("connecting to moto: {e}"))?;
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.port
        );
        stream
            .write_all(request.as_bytes())
            .await
            .map_err(|e| format!("POST {path}: {e}"))?;
        let mut answer = Vec::new();
        stream
            .read_to_end(&mut answer)
            .await
            .map_err(|e| format!("POST {path}: {e}"))?;
        let status_line = String::from_utf8_lossy(&answer);
        let status_line = status_line.lines().next().unwrap_or("");
        if status_line.split(' ').nth(1) == Some("200") {
            Ok(())
        } else {
            Err(format!("POST {path} answered {status_line:?}"))
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The table `table`, created on the server at `endpoint`, through a client configured as the functions' (default
/// retries and timeouts).
pub async fn table_store(endpoint: &str, table: &str) -> Result<Arc<dyn ItemStore>, String> {
    let config = particle_store::aws::defaults()
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "load-bench"))
        .load()
        .await;
    let store = DynamoStore::from_config(&config, table);
    create_table(store.client(), store.table())
        .await
        .map_err(|e| format!("creating the table on {endpoint}: {e}"))?;
    Ok(Arc::new(store))
}
