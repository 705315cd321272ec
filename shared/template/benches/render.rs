//! Side-by-side render benchmark: our engine vs `mustache` 0.9 vs `handlebars` 6 on three real
//! Particle templates. Each engine compiles once and gets its data prepared once (our
//! `EventScope`, mustache's `Data`, handlebars' `Context`); only rendering is timed, one output
//! `String` per render for every engine. The setup asserts that all three produce the same bytes.
//!
//! Handlebars needs its own syntax for sections (`{{#with}}`, `{{#each}}`, `{{#unless}}`,
//! `a.[0].m`); the templates below are the literal translations. Its HTML escaping is left on:
//! none of the data contains a character it would escape differently.

use criterion::{Criterion, criterion_group, criterion_main};
use handlebars::{Context, Handlebars};
use particle_template::{EventScope, EventVars, Template};
use serde_json::{Value, json};
use std::hint::black_box;

const GEO_TEMPLATE: &str = r#"{ {{#c}}"considerIp":false,"radioType": "gsm","carrier": "{{o}}","cellTowers":[{{#a}}{"cellId":{{i}},"locationAreaCode":{{l}},"mobileCountryCode":{{c}},"mobileNetworkCode":{{n}} },{{/a}}{"cellId":{{a.0.i}},"locationAreaCode":{{a.0.l}},"mobileCountryCode":{{a.0.c}},"mobileNetworkCode":{{a.0.n}} }]{{/c}}{{#w}}"considerIp":{{i}},"wifiAccessPoints":[{{#a}}{"macAddress":"{{m}}","signalStrength":{{s}},"channel":{{c}} },{{/a}}{"macAddress":"{{a.0.m}}","signalStrength":{{a.0.s}},"channel":{{a.0.c}} }]{{/w}} }"#;
const GEO_HANDLEBARS: &str = r#"{ {{#with c}}"considerIp":false,"radioType": "gsm","carrier": "{{o}}","cellTowers":[{{#each a}}{"cellId":{{i}},"locationAreaCode":{{l}},"mobileCountryCode":{{c}},"mobileNetworkCode":{{n}} },{{/each}}{"cellId":{{a.[0].i}},"locationAreaCode":{{a.[0].l}},"mobileCountryCode":{{a.[0].c}},"mobileNetworkCode":{{a.[0].n}} }]{{/with}}{{#with w}}"considerIp":{{i}},"wifiAccessPoints":[{{#each a}}{"macAddress":"{{m}}","signalStrength":{{s}},"channel":{{c}} },{{/each}}{"macAddress":"{{a.[0].m}}","signalStrength":{{a.[0].s}},"channel":{{a.[0].c}} }]{{/with}} }"#;

const DEFAULT_TEMPLATE: &str = r#"{"event":"{{{PARTICLE_EVENT_NAME}}}","data":"{{{PARTICLE_EVENT_VALUE}}}","coreid":"{{{PARTICLE_DEVICE_ID}}}","published_at":"{{{PARTICLE_PUBLISHED_AT}}}"}"#;

const RESPONSE_TEMPLATE: &str =
    "{{^error}}{{location.lat}},{{location.lng}},{{accuracy}}{{/error}}{{#error}}{{message}}{{/error}}";
const RESPONSE_HANDLEBARS: &str =
    "{{#unless error}}{{location.lat}},{{location.lng}},{{accuracy}}{{/unless}}{{#with error}}{{message}}{{/with}}";

const DEVICE: &str = "e00fce68b1b2c3d4e5f60718";
const PUBLISHED: &str = "2026-11-26T22:58:01.123Z";

/// A 10-access-point Wi-Fi scan as google-maps-device-locator publishes it (plus `i`, as the
/// community template expects).
fn wifi_scan() -> String {
    let aps: Vec<Value> = (0..10)
        .map(|k| {
            json!({
                "m": format!("a4:2b:b0:{:02x}:{:02x}:{:02x}", k * 17 % 256, k * 31 % 256, k * 7 % 256),
                "s": -48 - 4 * k,
                "c": [1, 6, 11, 36, 40, 44, 48, 149, 153, 157][k as usize],
            })
        })
        .collect();
    json!({ "w": { "i": true, "a": aps } }).to_string()
}

struct Case {
    name: &'static str,
    ours: Template,
    scope: EventScope<'static>,
    mustache: mustache::Template,
    mustache_data: mustache::Data,
    handlebars: Handlebars<'static>,
    handlebars_ctx: Context,
}

fn case(
    name: &'static str,
    template: &str,
    hbs_template: &str,
    scope: EventScope<'static>,
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
        scope,
        mustache: mustache::compile_str(template).expect("mustache template"),
        mustache_data: mustache::to_data(&plain).expect("mustache data"),
        handlebars,
        handlebars_ctx: Context::from(plain),
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
    assert_eq!(ours, theirs, "{name}: mustache output differs");
    assert_eq!(ours, hbs, "{name}: handlebars output differs");
    case
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn cases() -> Vec<Case> {
    let scan = leak(wifi_scan());
    let geo_vars = EventVars {
        name: "deviceLocator",
        data: scan,
        coreid: DEVICE,
        published_at: PUBLISHED,
        ..EventVars::default()
    };
    let geo = case(
        "geolocation-wifi-10ap",
        GEO_TEMPLATE,
        GEO_HANDLEBARS,
        EventScope::new(geo_vars),
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
        EventScope::new(temp_vars),
        default_plain,
    );

    let google: Value =
        json!({"location": {"lat": 42.3857729, "lng": -75.195375}, "accuracy": 4737});
    let response = case(
        "response-template-google",
        RESPONSE_TEMPLATE,
        RESPONSE_HANDLEBARS,
        EventScope::with_data(geo_vars, Some(google.clone())),
        google,
    );
    vec![geo, default, response]
}

fn bench(c: &mut Criterion) {
    for case in cases() {
        let mut g = c.benchmark_group(case.name);
        g.bench_function("particle-template", |b| {
            b.iter(|| black_box(case.ours.render(black_box(&case.scope))))
        });
        g.bench_function("mustache-0.9", |b| {
            b.iter(|| black_box(case.mustache.render_data_to_string(black_box(&case.mustache_data))))
        });
        g.bench_function("handlebars-6", |b| {
            b.iter(|| {
                black_box(
                    case.handlebars
                        .render_with_context(case.name, black_box(&case.handlebars_ctx)),
                )
            })
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
