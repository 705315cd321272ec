//! The figures of a run: one row per case (medians over its rounds, ratios to hello-world), printed as the
//! README's markdown table and written as JSON rows for `make bench` to assemble one table from.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::Case;
use super::measure::{Samples, median};

/// The baseline's row name.
pub const BASELINE: &str = "hello-world";

/// One row of the table; also the JSON rows of `--json` that `make bench`'s report reads back (a figure that
/// could not be measured is NaN here and `null` there).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub name: String,
    #[serde(deserialize_with = "nan_if_null")]
    pub size_mb: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub init_ms: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub first_ms: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub warm_ms: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub rss_mb: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub init_ratio: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub rss_ratio: f64,
    /// Rounds that measured (all of them unless some failed).
    pub rounds: usize,
    /// first/warm are a drained window's length, not the function's own work.
    pub window_bound: bool,
}

/// The rows of `cases` in their order, from the samples of each (keyed by case name).
pub fn rows(cases: &[Case], samples: &BTreeMap<String, Samples>) -> Vec<Row> {
    let med = |v: &[f64]| median(&mut v.to_vec());
    let base = samples.get(BASELINE);
    let base_init = base.map_or(f64::NAN, |s| med(&s.init_ms));
    let base_rss = base.map_or(f64::NAN, |s| med(&s.rss_kb));
    cases
        .iter()
        .filter_map(|case| {
            let s = samples.get(&case.name)?;
            let (init, rss) = (med(&s.init_ms), med(&s.rss_kb));
            Some(Row {
                name: case.name.clone(),
                size_mb: size_mb(&case.binary),
                init_ms: init,
                first_ms: med(&s.first_ms),
                warm_ms: med(&s.warm_ms),
                rss_mb: rss / 1024.0,
                init_ratio: init / base_init,
                rss_ratio: rss / base_rss,
                rounds: s.init_ms.len(),
                window_bound: case.window_bound,
            })
        })
        .collect()
}

fn size_mb(binary: &Path) -> f64 {
    std::fs::metadata(binary).map_or(f64::NAN, |m| m.len() as f64 / 1e6)
}

/// The markdown table (a `*` marks latencies that are a window's length), with a footnote when one is marked.
pub fn markdown(rows: &[Row]) -> String {
    let mut out = String::from(
        "| binary | size MB | init ms | first ms | warm ms | peak RSS MB | init vs hello | RSS vs hello |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let mark = if r.window_bound { "*" } else { "" };
        out.push_str(&format!(
            "| {} | {:.1} | {:.1} | {:.2}{mark} | {:.2}{mark} | {:.1} | {:.2}x | {:.2}x |\n",
            r.name,
            r.size_mb,
            r.init_ms,
            r.first_ms,
            r.warm_ms,
            r.rss_mb,
            r.init_ratio,
            r.rss_ratio
        ));
    }
    if rows.iter().any(|r| r.window_bound) {
        out.push_str(
            "\n\\* the length of the SSE window the invocation drains (`SSE_WINDOW_SECONDS=1`), not the function's \
             own work: only init and RSS compare.\n",
        );
    }
    out
}

/// The rows as a JSON array (non-finite figures, from a case that never measured, are `null`: serde_json
/// writes NaN that way).
pub fn json(rows: &[Row]) -> Value {
    serde_json::to_value(rows).unwrap_or(Value::Null)
}

fn nan_if_null<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(name: &str, window_bound: bool) -> Case {
        Case {
            name: name.to_owned(),
            binary: "/nonexistent".into(),
            env: vec![],
            invocations: vec![],
            window_bound,
        }
    }

    fn samples(init: &[f64], rss_kb: &[f64]) -> Samples {
        Samples {
            init_ms: init.to_vec(),
            first_ms: vec![1.0; init.len()],
            warm_ms: vec![0.5; init.len()],
            rss_kb: rss_kb.to_vec(),
            failures: vec![],
        }
    }

    #[test]
    fn ratios_are_to_the_baseline_medians() {
        let cases = [case(BASELINE, false), case("f", true)];
        let mut s = BTreeMap::new();
        s.insert(BASELINE.to_owned(), samples(&[2.0, 4.0, 3.0], &[1024.0; 3]));
        s.insert("f".to_owned(), samples(&[6.0, 9.0, 4.5], &[2048.0; 3]));
        let rows = rows(&cases, &s);
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[1].init_ratio, rows[1].rss_ratio), (2.0, 2.0));
        assert_eq!((rows[1].rss_mb, rows[1].rounds), (2.0, 3));
        let table = markdown(&rows);
        assert!(
            table.contains("| f | NaN | 6.0 | 1.00* | 0.50* | 2.0 | 2.00x | 2.00x |"),
            "{table}"
        );
        let j = json(&rows);
        assert_eq!(j[1]["init_ratio"], 2.0);
        assert_eq!(j[1]["size_mb"], Value::Null);
        assert_eq!(j[0]["rounds"], 3);
        let back: Vec<Row> = serde_json::from_value(j).unwrap();
        assert_eq!((back[1].init_ms, back[1].rss_ratio), (6.0, 2.0));
        assert!(
            back[1].window_bound && back[1].size_mb.is_nan(),
            "null reads back as NaN"
        );
    }
}
