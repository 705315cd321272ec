//! A minimal Particle event stream on 127.0.0.1 for sse-drain's cold start: `GET <events path>` with the right
//! `Authorization: Bearer` answers 200 `text/event-stream`, `:ok`, the given events, then a keepalive newline
//! every 250 ms until the client goes (or a minute has passed); any other token gets Particle's 401. No library:
//! the bench must not depend on the test simulators' crate (`integration-tests`, axum).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// How long one connection is kept open at most (a window in the bench lasts a second).
const MAX_STREAM: Duration = Duration::from_secs(60);
const KEEPALIVE: Duration = Duration::from_millis(250);

/// A running stream server (its task ends with the bench's runtime).
#[derive(Debug)]
pub struct ParticleStream {
    /// `http://127.0.0.1:<port>`: `PARTICLE_API_URL`.
    pub url: String,
    opens: Arc<AtomicUsize>,
}

impl ParticleStream {
    /// Serves `events` (each one complete SSE event) to every connection that presents `token`.
    pub async fn start(token: &str, events: Vec<String>) -> std::io::Result<ParticleStream> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let opens = Arc::new(AtomicUsize::new(0));
        let shared = Arc::new((format!("bearer {token}"), events));
        let counted = opens.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, shared.clone(), counted.clone()));
            }
        });
        Ok(ParticleStream { url, opens })
    }

    /// Streams served so far (200s).
    pub fn opens(&self) -> usize {
        self.opens.load(Ordering::Relaxed)
    }
}

async fn serve(stream: TcpStream, shared: Arc<(String, Vec<String>)>, opens: Arc<AtomicUsize>) {
    let (expected, events) = (&shared.0, &shared.1);
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let mut request_line = String::new();
    if read.read_line(&mut request_line).await.unwrap_or(0) == 0 {
        return;
    }
    let mut authorized = false;
    loop {
        let mut header = String::new();
        if read.read_line(&mut header).await.unwrap_or(0) == 0 {
            return;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("authorization")
        {
            // The scheme is case-insensitive; the token is not.
            let (value, expected) = (value.trim().as_bytes(), expected.as_bytes());
            authorized = value.len() == expected.len()
                && value[..7].eq_ignore_ascii_case(&expected[..7])
                && value[7..] == expected[7..];
        }
    }
    let is_events = request_line.starts_with("GET /v1/");
    if !(is_events && authorized) {
        let body = r#"{"error":"invalid_token","error_description":"The access token provided is invalid."}"#;
        let status = if is_events {
            "401 Unauthorized"
        } else {
            "404 Not Found"
        };
        let _ = write
            .write_all(
                format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            )
            .await;
        return;
    }
    opens.fetch_add(1, Ordering::Relaxed);
    let mut out = String::from(
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n:ok\n\n",
    );
    for event in events {
        out.push_str(event);
    }
    if write.write_all(out.as_bytes()).await.is_err() {
        return;
    }
    let started = tokio::time::Instant::now();
    while started.elapsed() < MAX_STREAM {
        tokio::time::sleep(KEEPALIVE).await;
        if write.write_all(b"\n").await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    async fn get(url: &str, authorization: &str) -> String {
        let address = url.trim_start_matches("http://");
        let mut s = TcpStream::connect(address).await.unwrap();
        s.write_all(
            format!("GET /v1/devices/events HTTP/1.1\r\nHost: {address}\r\nAuthorization: {authorization}\r\n\r\n")
                .as_bytes(),
        )
        .await
        .unwrap();
        let mut buf = vec![0; 4096];
        let mut text = String::new();
        // Enough to see the status and the events (the stream itself never ends on its own).
        while !text.contains("\n\n\n") && !text.contains("invalid_token") {
            let n = s.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            text.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
        text
    }

    #[tokio::test]
    async fn streams_the_events_to_the_right_token_only() {
        let server = ParticleStream::start("tok-0123456789", vec!["event: a\ndata: {}\n\n".into()])
            .await
            .unwrap();
        let ok = get(&server.url, "Bearer tok-0123456789").await;
        assert!(ok.starts_with("HTTP/1.1 200 OK"), "{ok}");
        assert!(ok.contains(":ok\n\nevent: a\ndata: {}\n\n"), "{ok}");
        let refused = get(&server.url, "Bearer tok-0123456788").await;
        assert!(refused.starts_with("HTTP/1.1 401"), "{refused}");
        assert_eq!(server.opens(), 1);
    }
}
