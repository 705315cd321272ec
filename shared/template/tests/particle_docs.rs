//! Particle's documented template behaviour (reference: particle.md sections 2 and 4), rendered
//! the way a webhook renders it for an event.

use particle_template::{EventScope, EventVars, Scope, Template};
use serde_json::{Value, json};

const DEVICE: &str = "3f002b000000000000000000";

fn event(name: &str, data: &str) -> EventVars<'static> {
    EventVars {
        name: Box::leak(name.to_owned().into_boxed_str()),
        data: Box::leak(data.to_owned().into_boxed_str()),
        coreid: DEVICE,
        published_at: "2017-02-01T21:08:05.763Z",
        ..EventVars::default()
    }
}

fn render_event(template: &str, data: &str) -> String {
    let t = Template::compile(template).expect("template compiles");
    t.render(&EventScope::new(event("demo", data)))
        .expect("renders")
}

#[test]
fn section_2_2_vectors() {
    let data = r#"{"a":{"aa":"testing","ab":1234},"b":"xxx","c":[{"ca":"first","cb":123},{"ca":"second","cb":456}]}"#;
    let cases = [
        ("{{{a.aa}}}", "testing"),
        ("{{{a.ab}}}", "1234"),
        ("{{{b}}}", "xxx"),
        ("{{{c.0.ca}}}", "first"),
        ("{{{c.1.cb}}}", "456"),
        ("{{#b}}{{{b}}}{{/b}}{{^b}}Missing{{/b}}", "xxx"),
        ("{{#z}}{{{z}}}{{/z}}{{^z}}Missing{{/z}}", "Missing"),
        ("{{#c}}{{{ca}}}~{{/c}}", "first~second~"),
    ];
    for (template, want) in cases {
        assert_eq!(render_event(template, data), want, "template {template}");
    }
}

#[test]
fn room_and_temp_become_variables() {
    let out = render_event(
        "http://example.com/log/{{{room}}}?t={{{temp}}}",
        r#"{ "room": "kitchen", "temp": 20 }"#,
    );
    assert_eq!(out, "http://example.com/log/kitchen?t=20");
}

#[test]
fn body_template_vectors_from_rickkas7() {
    let cases = [
        (
            r#"{"a":1234.5,"b":"abcdef"}"#,
            r#"{ "a":{{a}} }"#,
            r#"{ "a":1234.5 }"#,
        ),
        (
            r#"{"i":1234,"l":567,"c":890,"n":765}"#,
            r#"{"cellId":{{i}},"locationAreaCode":{{l}},"mobileCountryCode":{{c}},"mobileNetworkCode":{{n}} }"#,
            r#"{"cellId":1234,"locationAreaCode":567,"mobileCountryCode":890,"mobileNetworkCode":765 }"#,
        ),
        (
            r#"{"a":[123,456,789]}"#,
            r#"{"anArray":[{{a}}]}"#,
            r#"{"anArray":[123,456,789]}"#,
        ),
        (
            r#"{"a":123}"#,
            r#"{"anArray":[{{a}}]}"#,
            r#"{"anArray":[123]}"#,
        ),
        (r#"{}"#, r#"{"anArray":[{{a}}]}"#, r#"{"anArray":[]}"#),
        (
            r#"{"a":123,"b":{"c":"hello","d":false}}"#,
            r#"{ "cat":"{{b.c}}", "dog":{{b.d}}, "apple":{{a}} }"#,
            r#"{ "cat":"hello", "dog":false, "apple":123 }"#,
        ),
        (
            r#"{"a":123,"b":{"c":"hello","d":false}}"#,
            r#"{ {{#b}}"cat":"{{c}}","dog":{{d}},{{/b}} "apple":{{a}} }"#,
            r#"{ "cat":"hello","dog":false, "apple":123 }"#,
        ),
        (
            r#"{"a":123}"#,
            r#"{ {{#b}}"cat":"{{c}}","dog":{{d}},{{/b}} "apple":{{a}} }"#,
            r#"{  "apple":123 }"#,
        ),
        (
            r#"{"a":[{"b":123,"c":true},{"b":456,"c":false}]}"#,
            r#"{"array":[{{#a}}{"banana":{{b}},"capybara":{{c}}},{{/a}}{}]}"#,
            r#"{"array":[{"banana":123,"capybara":true},{"banana":456,"capybara":false},{}]}"#,
        ),
        (
            r#"{"a":"<x>"}"#,
            r#"{ "a":"{{a}}" }"#,
            r#"{ "a":"&lt;x&gt;" }"#,
        ),
        (r#"{"a":"<x>"}"#, r#"{ "a":"{{{a}}}" }"#, r#"{ "a":"<x>" }"#),
    ];
    for (data, template, want) in cases {
        let out = render_event(template, data);
        assert_eq!(out, want, "data {data} template {template}");
        // Every one of these is meant to produce JSON.
        serde_json::from_str::<Value>(&out).unwrap_or_else(|e| panic!("{out} is not JSON: {e}"));
    }
}

#[test]
fn escaping_exact_set_and_slash() {
    assert_eq!(
        render_event(
            "{{PARTICLE_EVENT_VALUE}}|{{{PARTICLE_EVENT_VALUE}}}|{{&PARTICLE_EVENT_VALUE}}",
            "a/b&<>\"'`="
        ),
        "a/b&amp;&lt;&gt;&quot;&#39;`=|a/b&<>\"'`=|a/b&<>\"'`="
    );
    let t = Template::compile(r#"{"{{PARTICLE_EVENT_NAME}}":"{{{PARTICLE_EVENT_VALUE}}}"}"#)
        .expect("compiles");
    let out = t
        .render(&EventScope::new(event("Temperature/Kitchen", "20.00")))
        .expect("renders");
    assert_eq!(out, r#"{"Temperature/Kitchen":"20.00"}"#);
}

#[test]
fn predefined_variables_and_aliases() {
    let vars = EventVars {
        name: "temp/x",
        data: "21.5",
        coreid: DEVICE,
        published_at: "2024-01-02T03:04:05.678Z",
        event_id: Some("evt-1"),
        product_id: Some("1234"),
        fw_version: Some("7"),
        user_id: Some("u-1"),
    };
    let t = Template::compile(
        "{{PARTICLE_EVENT_NAME}} {{PARTICLE_EVENT_VALUE}} {{PARTICLE_DEVICE_ID}} {{PARTICLE_PUBLISHED_AT}} \
         {{PARTICLE_EVENT_ID}} {{PRODUCT_ID}} {{PRODUCT_VERSION}} {{PRODUCT_USER_ID}} | \
         {{SPARK_EVENT_NAME}} {{SPARK_EVENT_VALUE}} {{SPARK_CORE_ID}} {{SPARK_PUBLISHED_AT}}",
    )
    .expect("compiles");
    assert_eq!(
        t.render(&EventScope::new(vars)).expect("renders"),
        format!(
            "temp/x 21.5 {DEVICE} 2024-01-02T03:04:05.678Z evt-1 1234 7 u-1 | temp/x 21.5 {DEVICE} 2024-01-02T03:04:05.678Z"
        )
    );
}

#[test]
fn predefined_names_win_over_data_keys() {
    // Safe precedence: a device cannot spoof identity fields through its data.
    let out = render_event(
        "{{PARTICLE_DEVICE_ID}}|{{PRODUCT_ID}}|{{other}}",
        r#"{"PARTICLE_DEVICE_ID":"spoofed","PRODUCT_ID":"999","other":"ok"}"#,
    );
    assert_eq!(out, format!("{DEVICE}||ok"));
    // Inside a section the section's own keys still come first (normal context stack).
    let out = render_event(
        "{{#inner}}{{PARTICLE_DEVICE_ID}}{{/inner}}",
        r#"{"inner":{"PARTICLE_DEVICE_ID":"inner-value"}}"#,
    );
    assert_eq!(out, "inner-value");
}

#[test]
fn non_object_data_is_only_the_event_value() {
    assert_eq!(
        render_event("[{{a}}][{{PARTICLE_EVENT_VALUE}}]", "39.7,-104.9"),
        "[][39.7,-104.9]"
    );
    assert_eq!(
        render_event("[{{0}}][{{.}}]", "[1,2]"),
        "[][[object Object]]"
    );
    assert_eq!(render_event("[{{a}}]", "{not json"), "[]");
}

#[test]
fn javascript_value_to_text() {
    let t = Template::compile(
        "{{a}}|{{b}}|{{c}}|{{d}}|{{e}}|{{f}}|{{g}}|{{h}}|{{i}}|{{j}}|{{k}}|{{l}}|{{m.length}}|{{n.length}}",
    )
    .expect("compiles");
    let data: Value = serde_json::from_str(
        r#"{"a":20.0,"b":1e21,"c":1.5e-7,"d":-0,"e":true,"f":false,"g":null,"h":[123,456],
           "i":{"x":1},"j":0.1,"k":-1.25e-300,"l":123456789012345678901234567890,"m":[1,2,3],"n":"héllo"}"#,
    )
    .expect("json");
    assert_eq!(
        t.render(&data).expect("renders"),
        "20|1e+21|1.5e-7|0|true|false||123,456|[object Object]|0.1|-1.25e-300|1.2345678901234568e+29|3|5"
    );
}

#[test]
fn javascript_truthiness_in_sections() {
    let t = Template::compile("{{#v}}T{{/v}}{{^v}}F{{/v}}").expect("compiles");
    for (v, want) in [
        (json!(0), "F"),
        (json!(0.0), "F"),
        (json!(""), "F"),
        (json!(null), "F"),
        (json!(false), "F"),
        (json!([]), "F"),
        (json!("0"), "T"),
        (json!("false"), "T"),
        (json!({}), "T"),
        (json!(-1), "T"),
        (json!([0]), "T"),
    ] {
        let data = json!({ "v": v });
        assert_eq!(t.render(&data).expect("renders"), want, "value {v}");
    }
}

#[test]
fn context_stack_and_implicit_iterator() {
    let t = Template::compile(
        "{{#list}}{{.}}{{^last}},{{/last}}{{/list}} {{#obj}}{{name}}-{{outer}}{{/obj}}",
    )
    .expect("compiles");
    let data = json!({"list": [1, "b", 2.5], "outer": "O", "obj": {"name": "N"}});
    assert_eq!(
        t.render(Scope::value(&data)).expect("renders"),
        "1,b,2.5, N-O"
    );
}

fn geolocation_body() -> String {
    // The community Google geolocation template (particle.md 4.3), as JSON-decoded text.
    let hook: Value =
        serde_json::from_str(include_str!("fixtures/geolocation-hook.json")).expect("hook json");
    hook["body"].as_str().expect("body string").to_owned()
}

#[test]
fn geolocation_wifi_body() {
    let data = r#"{"w":{"i":true,"a":[{"m":"aa:bb:cc:dd:ee:ff","s":-62,"c":6},{"m":"11:22:33:44:55:66","s":-80,"c":11}]}}"#;
    let out = render_event(&geolocation_body(), data);
    assert_eq!(
        out,
        r#"{ "considerIp":true,"wifiAccessPoints":[{"macAddress":"aa:bb:cc:dd:ee:ff","signalStrength":-62,"channel":6 },{"macAddress":"11:22:33:44:55:66","signalStrength":-80,"channel":11 },{"macAddress":"aa:bb:cc:dd:ee:ff","signalStrength":-62,"channel":6 }] }"#
    );
    let v: Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["wifiAccessPoints"].as_array().map(Vec::len), Some(3));
}

#[test]
fn geolocation_cell_body_resolves_c_inside_a_to_the_tower() {
    let data = r#"{"c":{"o":"AT&T","a":[{"i":145073610,"l":11511,"c":310,"n":410}]}}"#;
    let out = render_event(&geolocation_body(), data);
    // `{{c}}` inside `{{#a}}` is the tower's MCC (310), not the outer `c` object; `{{o}}` is
    // HTML-escaped because the template uses double braces (as on Particle).
    assert_eq!(
        out,
        r#"{ "considerIp":false,"radioType": "gsm","carrier": "AT&amp;T","cellTowers":[{"cellId":145073610,"locationAreaCode":11511,"mobileCountryCode":310,"mobileNetworkCode":410 },{"cellId":145073610,"locationAreaCode":11511,"mobileCountryCode":310,"mobileNetworkCode":410 }] }"#
    );
    serde_json::from_str::<Value>(&out).expect("valid JSON");
}
