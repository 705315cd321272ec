//! Webhook request rendering in every body form, against Particle's golden examples
//! (particle.md 1.3).

use particle_template::{
    EventScope, EventVars, Method, RenderedRequest, RequestError, WebhookDefinition, WebhookError,
    WebhookTemplate,
};
use serde_json::{Value, json};

const DEVICE: &str = "3f002b000000000000000000";
const AT: &str = "2017-02-01T21:08:05.763Z";

fn request(def: Value, name: &str, data: &str) -> RenderedRequest {
    let def = WebhookDefinition::from_json(&def.to_string()).expect("definition parses");
    let hook = WebhookTemplate::new(&def).expect("definition compiles");
    let vars = EventVars {
        name,
        data,
        coreid: DEVICE,
        published_at: AT,
        ..EventVars::default()
    };
    hook.render(&EventScope::new(vars)).expect("renders")
}

fn body_json(req: &RenderedRequest) -> Value {
    serde_json::from_str(req.body.as_deref().expect("has a body")).expect("body is JSON")
}

#[test]
fn default_request_is_a_form_of_the_four_fields() {
    let req = request(
        json!({"eventName": "demo", "url": "http://host.com"}),
        "demo",
        "mydata",
    );
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, "http://host.com");
    assert_eq!(
        req.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        req.body.as_deref(),
        Some(
            "event=demo&data=mydata&published_at=2017-02-01T21%3A08%3A05.763Z&coreid=3f002b000000000000000000"
        )
    );
    assert_eq!(req.body.as_deref().map(str::len), Some(96));
}

#[test]
fn simple_json_keeps_slash_unescaped() {
    let req = request(
        json!({"event": "Temperature/", "url": "https://example.com/123456789",
               "json": {"{{PARTICLE_EVENT_NAME}}": "{{{PARTICLE_EVENT_VALUE}}}"}, "noDefaults": true}),
        "Temperature/Kitchen",
        "20.00",
    );
    assert_eq!(
        req.body.as_deref(),
        Some(r#"{"Temperature/Kitchen":"20.00"}"#)
    );
    assert_eq!(req.body.as_deref().map(str::len), Some(31));
    assert_eq!(req.header("Content-Type"), Some("application/json"));
    assert_eq!(req.header("accept"), Some("application/json"));
}

#[test]
fn complex_json_values_stay_strings() {
    let req = request(
        json!({"url": "https://x", "noDefaults": true,
               "json": {"coordinates": {"lat": "{{{lat}}}", "lng": "{{{lng}}}"}}}),
        "loc",
        r#"{"lat":39.739155,"lng":-104.984703}"#,
    );
    assert_eq!(
        body_json(&req),
        json!({"coordinates": {"lng": "-104.984703", "lat": "39.739155"}})
    );
}

#[test]
fn same_via_body_gives_numbers() {
    let req = request(
        json!({"url": "https://x", "noDefaults": true, "headers": {"content-type": "application/json"},
               "body": "{ \"coordinates\": { \"lat\": {{{lat}}}, \"lng\": {{{lng}}} } }"}),
        "loc",
        r#"{"lat":39.739155,"lng":-104.984703}"#,
    );
    assert_eq!(
        req.body.as_deref(),
        Some(r#"{ "coordinates": { "lat": 39.739155, "lng": -104.984703 } }"#)
    );
    assert_eq!(req.body.as_deref().map(str::len), Some(59));
    // The definition's own header is kept; no second content type is added for `body`.
    assert_eq!(
        req.headers,
        vec![("content-type".to_owned(), "application/json".to_owned())]
    );
}

#[test]
fn json_and_body_examples() {
    let req = request(
        json!({"url": "https://x", "noDefaults": true, "json": {"value": "{{{PARTICLE_EVENT_VALUE}}}"}}),
        "e",
        "true",
    );
    assert_eq!(req.body.as_deref(), Some(r#"{"value":"true"}"#));

    let req = request(
        json!({"url": "https://x", "noDefaults": true,
               "json": {"gauges": [{"name": "{{{n}}}", "value": "{{{v}}}", "source": "{{PARTICLE_DEVICE_ID}}"}]}}),
        "e",
        r#"{"n":"click","v":2}"#,
    );
    assert_eq!(
        body_json(&req),
        json!({"gauges": [{"name": "click", "value": "2", "source": DEVICE}]})
    );

    let req = request(
        json!({"url": "https://x", "body": "{ \"value\": {{{PARTICLE_EVENT_VALUE}}} }"}),
        "e",
        "true",
    );
    assert_eq!(req.body.as_deref(), Some(r#"{ "value": true }"#));
    assert_eq!(
        req.header("content-type"),
        None,
        "body sets no content type"
    );

    let req = request(
        json!({"url": "https://x", "body": "{ \"gauges\": [{ \"name\": \"{{{n}}}\", \"value\": {{{v}}} }] }"}),
        "e",
        r#"{"n":"click","v":2}"#,
    );
    assert_eq!(
        req.body.as_deref(),
        Some(r#"{ "gauges": [{ "name": "click", "value": 2 }] }"#)
    );
}

#[test]
fn json_object_form_merges_defaults_unless_no_defaults() {
    let req = request(
        json!({"url": "https://x", "json": {"t": "{{{t}}}", "data": "mine"}}),
        "e",
        r#"{"t":21.5}"#,
    );
    assert_eq!(
        body_json(&req),
        json!({"t": "21.5", "event": "e", "data": "mine", "coreid": DEVICE, "published_at": AT})
    );
}

#[test]
fn json_object_form_keeps_non_string_values_and_renders_keys() {
    let req = request(
        json!({"url": "https://x", "noDefaults": true,
               "json": {"{{k}}": "v", "n": 1.5, "b": false, "z": null, "list": ["{{k}}", 2]}}),
        "e",
        r#"{"k":"key"}"#,
    );
    assert_eq!(
        body_json(&req),
        json!({"key": "v", "n": 1.5, "b": false, "z": null, "list": ["key", 2]})
    );
}

#[test]
fn typed_mode_keeps_json_types_for_single_tags() {
    let req = request(
        json!({"url": "https://x", "noDefaults": true, "typedJson": true,
               "json": {"t": "{{{t}}}", "on": "{{on}}", "loc": "{{{loc}}}", "label": "t={{t}}",
                        "missing": "{{{nope}}}", "name": "{{PARTICLE_EVENT_NAME}}"}}),
        "e",
        r#"{"t":21.5,"on":true,"loc":{"lat":1,"lng":2}}"#,
    );
    assert_eq!(
        body_json(&req),
        json!({"t": 21.5, "on": true, "loc": {"lat": 1, "lng": 2}, "label": "t=21.5", "missing": null, "name": "e"})
    );
}

#[test]
fn json_string_form_renders_then_parses() {
    let req = request(
        json!({"url": "https://x", "noDefaults": true, "json": "{\"t\": {{t}} }"}),
        "e",
        r#"{"t":21.1}"#,
    );
    assert_eq!(req.body.as_deref(), Some(r#"{"t": 21.1 }"#));
    let req = request(
        json!({"url": "https://x", "json": "{\"t\": {{t}} }"}),
        "e",
        r#"{"t":21.1}"#,
    );
    assert_eq!(
        body_json(&req),
        json!({"t": 21.1, "event": "e", "data": "{\"t\":21.1}", "coreid": DEVICE, "published_at": AT})
    );
}

#[test]
fn json_string_form_that_is_not_json_is_a_clear_error() {
    let def = WebhookDefinition::from_json(r#"{"url":"https://x","json":"{\"t\": {{t}} }"}"#)
        .expect("parses");
    let hook = WebhookTemplate::new(&def).expect("compiles");
    let vars = EventVars {
        name: "e",
        data: "{}",
        ..EventVars::default()
    };
    let err = hook
        .render(&EventScope::new(vars))
        .expect_err("empty value is not JSON");
    assert!(matches!(err, RequestError::InvalidJson { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("not valid JSON") && msg.contains(r#"{"t":  }"#),
        "{msg}"
    );
}

#[test]
fn json_escape_mode_protects_json_bodies() {
    let data = r#"{"msg":"say \"hi\" \\ bye\n"}"#;
    let plain = request(
        json!({"url": "https://x", "body": "{\"m\":\"{{{msg}}}\"}"}),
        "e",
        data,
    );
    assert!(serde_json::from_str::<Value>(plain.body.as_deref().unwrap_or_default()).is_err());
    let escaped = request(
        json!({"url": "https://x", "jsonEscape": true, "body": "{\"m\":\"{{{msg}}}\",\"h\":\"{{msg}}\"}"}),
        "e",
        data,
    );
    assert_eq!(
        body_json(&escaped),
        json!({"m": "say \"hi\" \\ bye\n", "h": "say \"hi\" \\ bye\n"})
    );
    let json_text = request(
        json!({"url": "https://x", "jsonEscape": true, "noDefaults": true, "json": "{\"m\":\"{{msg}}\"}"}),
        "e",
        data,
    );
    assert_eq!(body_json(&json_text), json!({"m": "say \"hi\" \\ bye\n"}));
}

#[test]
fn form_renders_and_url_encodes() {
    let req = request(
        json!({"url": "https://x", "noDefaults": true,
               "form": {"From": "FROM_PHONE_NUMBER", "To": "TO_PHONE_NUMBER", "Body": "{{{BODY}}}"}}),
        "e",
        r#"{"BODY":"Hi there!"}"#,
    );
    assert_eq!(
        req.body.as_deref(),
        Some("Body=Hi%20there%21&From=FROM_PHONE_NUMBER&To=TO_PHONE_NUMBER")
    );
    assert_eq!(
        req.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );

    let req = request(
        json!({"url": "https://x", "form": {"x": "{{{PARTICLE_EVENT_VALUE}}}"}}),
        "e",
        "a b",
    );
    assert_eq!(
        req.body.as_deref(),
        Some(
            "event=e&data=a%20b&published_at=2017-02-01T21%3A08%3A05.763Z&coreid=3f002b000000000000000000&x=a%20b"
        )
    );
}

#[test]
fn query_renders_for_every_method() {
    // Particle's doc prints `my+app` for this (and garbles the key); its Node `qs` encoder
    // writes a space as %20, which is what we send.
    let req = request(
        json!({"url": "http://h/", "noDefaults": true, "query": {"q": "{{{PARTICLE_EVENT_VALUE}}}", "p": "my app"}}),
        "e",
        "data",
    );
    assert_eq!(req.url, "http://h/?p=my%20app&q=data");
    assert_eq!(req.body, None);
}

#[test]
fn get_puts_defaults_and_fields_in_the_query() {
    let req = request(
        json!({"url": "https://maps.googleapis.com/maps/api/elevation/json", "requestType": "GET", "noDefaults": true,
               "query": {"locations": "{{{lat}}},{{{lng}}}", "key": "XXXXXXXXXX"}}),
        "e",
        r#"{"lat":39.7,"lng":-104.9}"#,
    );
    assert_eq!(req.method, Method::Get);
    assert_eq!(
        req.url,
        "https://maps.googleapis.com/maps/api/elevation/json?key=XXXXXXXXXX&locations=39.7%2C-104.9"
    );
    let req = request(
        json!({"url": "http://h/p?x=1", "requestType": "get"}),
        "e",
        "d",
    );
    assert_eq!(
        req.url,
        "http://h/p?x=1&event=e&data=d&published_at=2017-02-01T21%3A08%3A05.763Z&coreid=3f002b000000000000000000"
    );
    assert_eq!(req.body, None);
}

#[test]
fn url_headers_and_auth_are_templates() {
    let req = request(
        json!({"url": "http://example.com/log/{{{room}}}", "noDefaults": true,
               "headers": {"X-Device": "{{PARTICLE_DEVICE_ID}}", "X-Num": 5},
               "auth": {"username": "{{{user}}}", "password": "p@ss"}}),
        "e",
        r#"{"room":"kitchen","user":"bob"}"#,
    );
    assert_eq!(req.url, "http://example.com/log/kitchen");
    assert_eq!(req.header("x-device"), Some(DEVICE));
    assert_eq!(req.header("X-Num"), Some("5"));
    let auth = req.basic_auth.expect("auth");
    assert_eq!(
        (auth.username.as_str(), auth.password.as_str()),
        ("bob", "p@ss")
    );
    assert_eq!(req.body, None, "noDefaults and no body: nothing to send");
}

#[test]
fn definition_errors_are_clear() {
    let compile = |v: Value| {
        WebhookDefinition::from_json(&v.to_string())
            .and_then(|d| WebhookTemplate::new(&d).map(|_| ()))
    };
    assert!(matches!(
        compile(json!({"url": "x", "json": {}, "body": "b"})),
        Err(WebhookError::ExclusiveBodies(_))
    ));
    assert!(matches!(
        compile(json!({"url": "x", "requestType": "PATCH"})),
        Err(WebhookError::RequestType(_))
    ));
    assert!(matches!(
        compile(json!({"url": "x", "json": 5})),
        Err(WebhookError::JsonKind)
    ));
    assert!(matches!(
        compile(json!({"requestType": "GET"})),
        Err(WebhookError::Definition(_))
    ));
    let err =
        compile(json!({"url": "x", "json": {"a": {"b": "{{#open}}"}}})).expect_err("unclosed");
    assert_eq!(
        err.to_string(),
        "`json.a.b`: section `open` is opened but never closed at line 1, column 1"
    );
    assert!(WebhookDefinition::from_json("{").is_err());
}
