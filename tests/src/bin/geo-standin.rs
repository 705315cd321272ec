//! A stand-in for Google's Geolocation API, for trying `geolocate` locally (`make run`) with curl, without a
//! Google account: the Google simulator on 127.0.0.1, answering every request with the key
//! `GOOGLE_API_KEY` (default `local-dev-google-key-change-me`) with one fixed place, and a wrong key with
//! Google's `keyInvalid` error. Each request body is printed, so you see what Google would have received.
//!
//! ```text
//! cargo run -p integration-tests --bin geo-standin -- [PORT]      # default 9100
//! GOOGLE_GEOLOCATION_URL=http://127.0.0.1:9100/geolocation/v1/geolocate
//! ```

use std::time::Duration;

use integration_tests::google_geo::{self, GoogleGeo};

/// The key the stand-in accepts when `GOOGLE_API_KEY` is not set (the README's local value).
const LOCAL_KEY: &str = "local-dev-google-key-change-me";

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let port = match std::env::args().nth(1).map(|p| p.parse::<u16>()) {
        None => 9100,
        Some(Ok(port)) => port,
        Some(Err(e)) => {
            eprintln!("geo-standin: the port must be a number ({e}); usage: geo-standin [PORT]");
            std::process::exit(2);
        }
    };
    let key = std::env::var("GOOGLE_API_KEY").unwrap_or_else(|_| LOCAL_KEY.to_owned());
    // Particle's documentation example: Ithaca, NY, 4.7 km.
    let place = google_geo::found(42.3857729, -75.195375, 4737.0);
    let sim = match GoogleGeo::start_on(port, &key, vec![], place).await {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("geo-standin: cannot listen on 127.0.0.1:{port}: {e} (choose another port)");
            std::process::exit(1);
        }
    };
    println!("geo-standin: Google Geolocation stand-in on {}", sim.url());
    println!("geo-standin: export GOOGLE_GEOLOCATION_URL={}", sim.url());
    let mut printed = 0;
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return,
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
        }
        let received = sim.received();
        for r in &received[printed..] {
            // The key travels in the query string; it is not printed.
            println!("geo-standin: {} {} {}", r.method, r.path, r.body);
        }
        printed = received.len();
    }
}
