//! The files `make bench` collects in its output directory (default `.local/bench`), each written by one step:
//! `coldstart.json` (`coldstart --json`), `load.json` (`load-bench --json`), `sizes.json` (scripts/bench.sh,
//! after `make build`) and `templates.md` (the template ratio bench's table). A missing file leaves its section
//! out of the report (said in the report); a damaged one is an error.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// A row of the load table.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LoadRow {
    pub run: String,
    pub store: String,
    pub requests: usize,
    pub unique: usize,
    pub created: usize,
    pub duplicate: usize,
    pub unavailable: usize,
    pub stored: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub per_second: f64,
    pub writes: u64,
    pub reads: u64,
    #[serde(default)]
    pub failures: Vec<String>,
}

/// The load file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Load {
    pub events: usize,
    pub repeats: f64,
    pub concurrency: usize,
    pub rows: Vec<LoadRow>,
    /// The `sse-outage` runs' table (markdown), when they ran.
    #[serde(default)]
    pub sse_outage: Option<String>,
}

/// One function's arm64 artifact.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Size {
    pub function: String,
    pub bootstrap_bytes: u64,
    pub zip_bytes: u64,
}

/// Everything found in the output directory.
#[derive(Debug, Default)]
pub struct Collected {
    pub coldstart: Option<Vec<crate::coldstart::report::Row>>,
    pub load: Option<Load>,
    pub sizes: Option<Vec<Size>>,
    pub templates: Option<String>,
}

impl Collected {
    pub fn read(dir: &Path) -> Result<Collected, String> {
        Ok(Collected {
            coldstart: json(&dir.join("coldstart.json"))?,
            load: json(&dir.join("load.json"))?,
            sizes: json(&dir.join("sizes.json"))?,
            templates: text(&dir.join("templates.md"))?,
        })
    }
}

fn text(path: &Path) -> Result<Option<String>, String> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

fn json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Option<T>, String> {
    match text(path)? {
        None => Ok(None),
        Some(t) => serde_json::from_str(&t)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display())),
    }
}

/// Writes `value` as pretty JSON (the producers' side).
pub fn write<T: Serialize>(path: &Path, value: &T) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}
