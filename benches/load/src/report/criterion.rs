//! Criterion's saved results: every `<target>/criterion/**/new/benchmark.json` names a benchmark (`full_id`) and
//! the `estimates.json` beside it holds its statistics in nanoseconds. The report reads the median.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

#[derive(Deserialize)]
struct Benchmark {
    full_id: String,
}

#[derive(Deserialize)]
struct Estimates {
    median: Estimate,
}

#[derive(Deserialize)]
struct Estimate {
    point_estimate: f64,
}

/// Median nanoseconds per iteration of every benchmark saved under `dir` (a `criterion` directory), by full id
/// (`group/function`). A directory that does not exist gives an empty map; an unreadable result is an error.
pub fn medians(dir: &Path) -> Result<BTreeMap<String, f64>, String> {
    let mut out = BTreeMap::new();
    if dir.exists() {
        walk(dir, &mut out)?;
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut BTreeMap<String, f64>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|n| n == "new") {
            let benchmark = path.join("benchmark.json");
            if benchmark.exists() {
                let id: Benchmark = read_json(&benchmark)?;
                let estimates: Estimates = read_json(&path.join("estimates.json"))?;
                out.insert(id.full_id, estimates.median.point_estimate);
            }
        } else {
            walk(&path, out)?;
        }
    }
    Ok(())
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_medians_by_full_id() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("ingest_path/default_form_webhook/new");
        std::fs::create_dir_all(&new).unwrap();
        std::fs::write(
            new.join("benchmark.json"),
            r#"{"group_id":"ingest_path","function_id":"default_form_webhook","full_id":"ingest_path/default_form_webhook"}"#,
        )
        .unwrap();
        std::fs::write(
            new.join("estimates.json"),
            r#"{"mean":{"point_estimate":2900.0},"median":{"point_estimate":2861.5}}"#,
        )
        .unwrap();
        let m = medians(dir.path()).unwrap();
        assert_eq!(m.get("ingest_path/default_form_webhook"), Some(&2861.5));
        assert!(medians(&dir.path().join("absent")).unwrap().is_empty());
        std::fs::write(new.join("estimates.json"), "{").unwrap();
        assert!(medians(dir.path()).is_err(), "a damaged result is an error");
    }
}
