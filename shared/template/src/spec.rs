//! Runs test files in the mustache spec's JSON format (`{"tests": [{name, data, template,
//! partials?, expected}]}`). A test may carry `event` instead of `data`: the template is then
//! rendered the way a webhook renders it for that event (predefined variables + data keys).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Deserializer};
use serde_json::Value;
use thiserror::Error;

use crate::compile::Template;
use crate::limits::Limits;
use crate::vars::{EventScope, EventVars, Scope};

/// The mustache spec's core modules (file stems in the spec's `specs/` directory): the suites
/// every Mustache implementation must pass. `~inheritance`, `~dynamic-names` and `~lambdas` are
/// optional.
pub const CORE_MODULES: [&str; 6] = [
    "interpolation",
    "sections",
    "inverted",
    "comments",
    "delimiters",
    "partials",
];

/// An event as users write it in `EVENT.json` files: `name`, `data`, `coreid`, `published_at`
/// and optional `product_id`, `fw_version`, `event_id`, `user_id`. Non-string values are
/// accepted and kept as their JSON text (so `"data": {"temp": 21}` and `"product_id": 1234` work).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct EventFile {
    #[serde(alias = "event", deserialize_with = "text")]
    pub name: String,
    #[serde(deserialize_with = "text")]
    pub data: String,
    #[serde(alias = "device_id", alias = "deviceId", deserialize_with = "text")]
    pub coreid: String,
    #[serde(deserialize_with = "text")]
    pub published_at: String,
    #[serde(deserialize_with = "opt_text")]
    pub product_id: Option<String>,
    #[serde(deserialize_with = "opt_text")]
    pub fw_version: Option<String>,
    #[serde(deserialize_with = "opt_text")]
    pub event_id: Option<String>,
    #[serde(deserialize_with = "opt_text")]
    pub user_id: Option<String>,
}

impl EventFile {
    pub fn vars(&self) -> EventVars<'_> {
        EventVars {
            name: &self.name,
            data: &self.data,
            coreid: &self.coreid,
            published_at: &self.published_at,
            event_id: self.event_id.as_deref(),
            product_id: self.product_id.as_deref(),
            fw_version: self.fw_version.as_deref(),
            user_id: self.user_id.as_deref(),
        }
    }
}

fn json_text(v: Value) -> String {
    match v {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Value::deserialize(d).map(json_text)
}

fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Null => None,
        v => Some(json_text(v)),
    })
}

/// One test of a spec file.
#[derive(Debug, Clone, Deserialize)]
pub struct SpecTest {
    pub name: String,
    #[serde(default)]
    pub desc: String,
    #[serde(default)]
    pub data: Value,
    #[serde(default)]
    pub event: Option<EventFile>,
    pub template: String,
    #[serde(default)]
    pub partials: BTreeMap<String, String>,
    pub expected: String,
}

#[derive(Debug, Deserialize)]
struct SpecFile {
    tests: Vec<SpecTest>,
}

/// The result of one test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecOutcome {
    pub name: String,
    pub expected: String,
    /// The rendering, or the compile/render error as text.
    pub got: Result<String, String>,
}

impl SpecOutcome {
    pub fn passed(&self) -> bool {
        self.got.as_deref() == Ok(self.expected.as_str())
    }
}

/// A spec file could not be read.
#[derive(Debug, Error)]
pub enum SpecFileError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a spec file (expected {{\"tests\": [...]}}): {source}")]
    Parse {
        path: String,
        #[source]
        source: serde_json::Error,
    },
}

/// Runs one test.
pub fn run_test(test: &SpecTest, limits: Limits) -> SpecOutcome {
    let partials: Vec<(&str, &str)> = test
        .partials
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let got = Template::compile_with(&test.template, &partials, limits)
        .map_err(|e| format!("compile error: {e}"))
        .and_then(|t| {
            let rendered = match &test.event {
                Some(event) => t.render(&EventScope::new(event.vars())),
                None => t.render(Scope::value(&test.data)),
            };
            rendered.map_err(|e| format!("render error: {e}"))
        });
    SpecOutcome {
        name: test.name.clone(),
        expected: test.expected.clone(),
        got,
    }
}

/// Reads and runs every test of a spec file.
pub fn run_file(path: &Path, limits: Limits) -> Result<Vec<SpecOutcome>, SpecFileError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| SpecFileError::Read {
        path: shown.clone(),
        source,
    })?;
    let file: SpecFile = serde_json::from_str(&text).map_err(|source| SpecFileError::Parse {
        path: shown,
        source,
    })?;
    Ok(file.tests.iter().map(|t| run_test(t, limits)).collect())
}
