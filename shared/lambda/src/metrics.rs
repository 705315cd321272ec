//! CloudWatch metrics as Embedded Metric Format (EMF) log lines: one JSON line on stdout that CloudWatch Logs
//! turns into metrics, so emitting costs no API call and no latency on the request path.
//!
//! Every metric lives in [`NAMESPACE`] with one dimension, `Function` (the function's name). The stack's alarms
//! (`infra/lib/alarms.ts`) are written against these names; change both together.
//!
//! Written by hand rather than with a crate: the format is one small JSON object
//! (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html>),
//! and the crates that emit it bring a `metrics` recorder and background flushing we do not want in a Lambda.

use std::io::Write;

use serde_json::{Map, Value, json};

/// The CloudWatch namespace of every metric this project emits.
pub const NAMESPACE: &str = "ParticleIntegrations";

/// A CloudWatch unit (the subset this project uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Milliseconds,
    Percent,
    Bytes,
}

impl Unit {
    fn as_str(self) -> &'static str {
        match self {
            Unit::Count => "Count",
            Unit::Milliseconds => "Milliseconds",
            Unit::Percent => "Percent",
            Unit::Bytes => "Bytes",
        }
    }
}

/// One value of one metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metric {
    pub name: &'static str,
    pub value: f64,
    pub unit: Unit,
}

impl Metric {
    pub fn count(name: &'static str, value: u64) -> Self {
        Metric {
            name,
            value: value as f64,
            unit: Unit::Count,
        }
    }
}

/// The EMF document for `metrics` of `function` at `timestamp_ms`, plus `properties` (extra, non-metric fields
/// that CloudWatch Logs Insights can query; they must not collide with metric names).
pub fn document(
    function: &str,
    timestamp_ms: i64,
    metrics: &[Metric],
    properties: &[(&str, Value)],
) -> Value {
    let definitions: Vec<Value> = metrics
        .iter()
        .map(|m| json!({"Name": m.name, "Unit": m.unit.as_str()}))
        .collect();
    let mut doc = Map::new();
    doc.insert(
        "_aws".to_owned(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [["Function"]],
                "Metrics": definitions,
            }],
        }),
    );
    doc.insert("Function".to_owned(), Value::from(function));
    for (name, value) in properties {
        doc.insert((*name).to_owned(), value.clone());
    }
    for m in metrics {
        doc.insert(m.name.to_owned(), json!(m.value));
    }
    Value::Object(doc)
}

/// Writes the document as one line on stdout (where the Lambda runtime sends it to CloudWatch Logs). A write
/// error is ignored: a lost metric must never fail a request.
pub fn emit(function: &str, metrics: &[Metric], properties: &[(&str, Value)]) {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    let line = document(function, now_ms, metrics, properties).to_string();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_declares_every_metric_with_its_value() {
        let doc = document(
            "sse-drain",
            1_700_000_000_000,
            &[
                Metric::count("EventsStored", 3),
                Metric {
                    name: "ConnectedPercent",
                    value: 50.0,
                    unit: Unit::Percent,
                },
            ],
            &[("ended_by", Value::from("deadline"))],
        );
        assert_eq!(doc["_aws"]["Timestamp"], 1_700_000_000_000i64);
        let directive = &doc["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], NAMESPACE);
        assert_eq!(directive["Dimensions"], json!([["Function"]]));
        assert_eq!(
            directive["Metrics"],
            json!([{"Name": "EventsStored", "Unit": "Count"}, {"Name": "ConnectedPercent", "Unit": "Percent"}])
        );
        assert_eq!(doc["Function"], "sse-drain");
        assert_eq!(doc["EventsStored"], 3.0);
        assert_eq!(doc["ConnectedPercent"], 50.0);
        assert_eq!(doc["ended_by"], "deadline");
    }
}
