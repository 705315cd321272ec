//! The three benchmark cases shared by `render.rs` (criterion) and `ratio.rs` (interleaved
//! ratios): templates, data, and each engine's compiled template and prepared data. Every engine
//! compiles its template once, outside the timed loop.
//!
//! Two measurements per template:
//! - `<case>/render`: only rendering is timed. Each engine's data is prepared once outside the
//!   loop in its own model (our `EventScope`, mustache's `Data`, handlebars' `Context`). Note that
//!   mustache's `Data` holds numbers already converted to text by `to_data`, so its renders skip
//!   the number formatting ours does on every render.
//! - `<case>/from-value`: every engine starts from the same parsed `serde_json::Value`, as a
//!   Lambda holding an event does: mustache must run `to_data` (`Value` -> `Data`), handlebars
//!   renders through `Handlebars::render(name, &value)`; ours builds its `EventScope` from the
//!   value (preparing it: numbers printed, keys indexed) and renders. In the default-body case
//!   ours starts from the event itself; that template reads only predefined variables, so the
//!   scope never parses the event's data.
//!
//! One output `String` per render for every engine. The setup asserts that all three produce the
//! same bytes.
//!
//! `mustache` 0.9 panics on a boolean in an interpolation (`render_utag: unexpected value
//! Bool(true)`), which the geolocation template has (`"considerIp":{{i}}`); its data gets booleans
//! as the strings `"true"`/`"false"` instead, rendering the same text.
//!
//! `mustache` 0.9 also has no array indexes: `{{a.0.m}}` renders empty, so on the geolocation
//! template its output differs in the final (duplicated) access point only; the setup checks the
//! rest of the output and the work is otherwise the same.
//!
//! Handlebars needs its own syntax for sections (`{{#with}}`, `{{#each}}`, `{{#unless}}`,
//! `a.[0].m`); the templates below are the literal translations. Its HTML escaping is left on:
//! none of the data contains a character it would escape differently.

use handlebars::{Context, Handlebars};
use particle_template::{EventScope, EventVars, Template};
use serde_json::{Value, json};

const GEO_TEMPLATE: &str = r#"{ {{#c}}"considerIp":false,"radioType": "gsm","carrier": "{{o}}","cellTowers":[{{#a}}{"cellId":{{i}},"locationAreaCode":{{l}},"mobileCountryCode":{{c}},"mobileNetworkCode":{{n}} },{{/a}}{"cellId":{{a.0.i}},"locationAreaCode":{{a.0.l}},"mobileCountryCode":{{a.0.c}},"mobileNetworkCode":{{a.0.n}} }]{{/c}}{{#w}}"considerIp":{{i}},"wifiAccessPoints":[{{#a}}{"macAddress":"{{m}}","signalStrength":{{s}},"channel":{{c}} },{{/a}}{"macAddress":"{{a.0.m}}","signalStrength":{{a.0.s}},"channel":{{a.0.c}} }]{{/w}} }"#;
const GEO_HANDLEBARS: &str = r#"{ {{#with c}}"considerIp":false,"radioType": "gsm","carrier": "{{o}}","cellTowers":[{{#each a}}{"cellId":{{i}},"locationAreaCode":{{l}},"mobileCountryCode":{{c}},"mobileNetworkCode":{{n}} },{{/each}}{"cellId":{{a.[0].i}},"locationAreaCode":{{a.[0].l}},"mobileCountryCode":{{a.[0].c}},"mobileNetworkCode":{{a.[0].n}} }]{{/with}}{{#with w}}"considerIp":{{i}},"wifiAccessPoints":[{{#each a}}{"macAddress":"{{m}}","signalStrength":{{s}},"channel":{{c}} },{{/each}}{"macAddress":"{{a.[0].m}}","signalStrength":{{a.[0].s}},"channel":{{a.[0].c}} }]{{/with}} }"#;

const DEFAULT_TEMPLATE: &str = r#"{"event":"{{{PARTICLE_EVENT_NAME}}}","data":"{{{PARTICLE_EVENT_VALUE}}}","coreid":"{{{PARTICLE_DEVICE_ID}}}","published_at":"{{{PARTICLE_PUBLISHED_AT}}}"}"#;

const RESPONSE_TEMPLATE: &str = "{{^error}}{{location.lat}},{{location.lng}},{{accuracy}}{{/error}}{{#error}}{{message}}{{/error}}";
const RESPONSE_HANDLEBARS: &str = "{{#unless error}}{{location.lat}},{{location.lng}},{{accuracy}}{{/unless}}{{#with error}}{{message}}{{/with}}";

const GEO_CASE: &str = "geolocation-wifi-10ap";
const DEVICE: &str = "e00fce68b1b2c3d4e5f60718";
const PUBLISHED: &str = "2026-11-26T22:58:01.123Z";

/// A 10-access-point Wi-Fi scan as google-maps-device-locator publishes it (plus `i`, as the
/// community template expects).
fn wifi_scan() -> String {
    const CHANNELS: [u32; 10] = [1, 6, 11, 36, 40, 44, 48, 149, 153, 157];
    let aps: Vec<Value> = (0..10usize)
        .map(|k| {
            let channel = CHANNELS[k];
            json!({
                "m": format!("a4:2b:b0:{:02x}:{:02x}:{:02x}", k * 17 % 256, k * 31 % 256, k * 7 % 256),
                "s": -48 - 4 * (k as i64),
                "c": channel,
            })
        })
        .collect();
    json!({ "w": { "i": true, "a": aps } }).to_string()
}

pub struct Case {
    pub name: &'static str,
    pub ours: Template,
    pub scope: EventScope<'static>,
    /// What `scope` was built from, for the from-value group.
    pub vars: EventVars<'static>,
    pub data: Option<Value>,
    pub mustache: mustache::Template,
    pub mustache_data: mustache::Data,
    /// The same data as a `Value`, for `to_data` in the from-value group.
    pub mustache_value: Value,
    pub plain: Value,
    pub handlebars: Handlebars<'static>,
    pub handlebars_ctx: Context,
}

fn case(
    name: &'static str,
    template: &str,
    hbs_template: &str,
    vars: EventVars<'static>,
    data: Option<Value>,
    plain: Value,
) -> Case {
    let mut handlebars = Handlebars::new();
    handlebars.set_strict_mode(false);
    handlebars
        .register_template_string(name, hbs_template)
        .expect("handlebars template");
    let case = Case {
        name,
        ours: Template::compile(template).expect("our template"),
        scope: match &data {
            Some(v) => EventScope::with_data(vars, Some(v.clone())),
            None => EventScope::new(vars),
        },
        vars,
        data,
        mustache: mustache::compile_str(template).expect("mustache template"),
        mustache_data: mustache::to_data(bools_as_strings(&plain)).expect("mustache data"),
        mustache_value: bools_as_strings(&plain),
        handlebars,
        handlebars_ctx: Context::from(plain.clone()),
        plain,
    };
    let ours = case.ours.render(&case.scope).expect("ours renders");
    let theirs = case
        .mustache
        .render_data_to_string(&case.mustache_data)
        .expect("mustache renders");
    let hbs = case
        .handlebars
        .render_with_context(name, &case.handlebars_ctx)
        .expect("handlebars renders");
    if name == GEO_CASE {
        let cut = ours.rfind("{\"macAddress\"").expect("an access point");
        assert_eq!(
            ours[..cut],
            theirs[..cut],
            "{name}: mustache output differs"
        );
    } else {
        assert_eq!(ours, theirs, "{name}: mustache output differs");
    }
    assert_eq!(ours, hbs, "{name}: handlebars output differs");
    case
}

impl Case {
    /// Our side of the from-value group: prepare the event's data, then render.
    pub fn render_from_value(&self) -> Option<String> {
        let scope = match &self.data {
            Some(v) => EventScope::with_data_ref(self.vars, Some(v)),
            None => EventScope::new(self.vars),
        };
        self.ours.render(&scope).ok()
    }
}

fn bools_as_strings(v: &Value) -> Value {
    match v {
        Value::Bool(b) => Value::String(b.to_string()),
        Value::Array(a) => Value::Array(a.iter().map(bools_as_strings).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), bools_as_strings(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

pub fn cases() -> Vec<Case> {
    let scan = leak(wifi_scan());
    let geo_vars = EventVars {
        name: "deviceLocator",
        data: scan,
        coreid: DEVICE,
        published_at: PUBLISHED,
        ..EventVars::default()
    };
    let geo = case(
        GEO_CASE,
        GEO_TEMPLATE,
        GEO_HANDLEBARS,
        geo_vars,
        Some(serde_json::from_str(scan).expect("scan json")),
        serde_json::from_str(scan).expect("scan json"),
    );

    let temp_vars = EventVars {
        name: "Temperature/Kitchen",
        data: "{\"t\":21.5,\"h\":40}",
        coreid: DEVICE,
        published_at: PUBLISHED,
        ..EventVars::default()
    };
    let default_plain = json!({
        "PARTICLE_EVENT_NAME": temp_vars.name,
        "PARTICLE_EVENT_VALUE": temp_vars.data,
        "PARTICLE_DEVICE_ID": DEVICE,
        "PARTICLE_PUBLISHED_AT": PUBLISHED,
    });
    let default = case(
        "default-json-body",
        DEFAULT_TEMPLATE,
        DEFAULT_TEMPLATE,
        temp_vars,
        None,
        default_plain,
    );

    let google: Value =
        json!({"location": {"lat": 42.3857729, "lng": -75.195375}, "accuracy": 4737});
    let response = case(
        "response-template-google",
        RESPONSE_TEMPLATE,
        RESPONSE_HANDLEBARS,
        geo_vars,
        Some(google.clone()),
        google,
    );
    vec![geo, default, response]
}
