//! responseTemplate rendering, topics, chunking and the 100 KiB cap (particle.md 3 and 4.5).

use particle_template::{
    CHUNK_BYTES, EventScope, EventVars, RESPONSE_CAP_BYTES, ResponseTemplate, WebhookDefinition,
    WebhookTemplate,
};

const DEVICE: &str = "3f002b000000000000000000";

fn vars(name: &'static str) -> EventVars<'static> {
    EventVars {
        name,
        data: "{}",
        coreid: DEVICE,
        published_at: "2024-01-01T00:00:00.000Z",
        ..EventVars::default()
    }
}

fn geolocation() -> WebhookTemplate {
    let def = WebhookDefinition::from_json(include_str!("fixtures/geolocation-hook.json"))
        .expect("parses");
    WebhookTemplate::new(&def).expect("compiles")
}

#[test]
fn google_success_and_error_bodies() {
    let hook = geolocation();
    let event = EventScope::new(vars("deviceLocator"));
    let ok = hook
        .response()
        .render(
            &event,
            r#"{"location":{"lat":42.3857729,"lng":-75.195375},"accuracy":4737}"#,
        )
        .expect("renders");
    assert_eq!(
        ok.events(),
        vec![(
            format!("hook-response/deviceLocator/{DEVICE}/0"),
            "42.3857729,-75.195375,4737"
        )]
    );
    let err = hook
        .response()
        .render(
            &event,
            r#"{"error":{"errors":[{"domain":"global","reason":"parseError","message":"Parse Error"}],"code":400,"message":"Parse Error"}}"#,
        )
        .expect("renders");
    assert_eq!(err.data, "Parse Error");
}

#[test]
fn elevation_and_weather_examples() {
    let rt = |t: &str| {
        ResponseTemplate::compile(Some(t), None, None, false, Default::default()).expect("compiles")
    };
    let event = EventScope::new(vars("get_elevation"));
    let r = rt("{{{results.0.elevation}}}")
        .render(
            &event,
            r#"{"results":[{"elevation":1608.637939453125,"location":{"lat":39.7,"lng":-104.9},"resolution":4.77}],"status":"OK"}"#,
        )
        .expect("renders");
    assert_eq!(
        r.events(),
        vec![(
            "hook-response/get_elevation/0".to_owned(),
            "1608.637939453125"
        )]
    );
    let r = rt("{{#list}}{{temp.day}}{{#weather}}~{{id}}~{{main}}~{{/weather}}{{/list}}")
        .render(
            &event,
            r#"{"list":[{"temp":{"day":20.5},"weather":[{"id":800,"main":"Clear"}]},{"temp":{"day":18},"weather":[{"id":500,"main":"Rain"}]}]}"#,
        )
        .expect("renders");
    assert_eq!(r.data, "20.5~800~Clear~18~500~Rain~");
}

#[test]
fn event_variables_are_available_in_response_templates() {
    let rt = ResponseTemplate::compile(
        Some("{{PARTICLE_DEVICE_ID}}:{{status}}"),
        Some("{{PARTICLE_DEVICE_ID}}/hook-response/{{PARTICLE_EVENT_NAME}}"),
        None,
        false,
        Default::default(),
    )
    .expect("compiles");
    let r = rt
        .render(&EventScope::new(vars("weather")), r#"{"status":"OK"}"#)
        .expect("renders");
    assert_eq!(
        r.events(),
        vec![(
            format!("{DEVICE}/hook-response/weather/0"),
            &*format!("{DEVICE}:OK")
        )]
    );
}

#[test]
fn verbatim_without_template_and_for_non_json() {
    let event = EventScope::new(vars("e"));
    let none =
        ResponseTemplate::compile(None, None, None, false, Default::default()).expect("compiles");
    assert_eq!(
        none.render(&event, "{\"a\":1}").expect("renders").data,
        "{\"a\":1}"
    );
    let some = ResponseTemplate::compile(Some("{{a}}"), None, None, false, Default::default())
        .expect("compiles");
    assert_eq!(
        some.render(&event, "<html>not json</html>")
            .expect("renders")
            .data,
        "<html>not json</html>"
    );
    assert!(
        some.render(&event, "{}")
            .expect("renders")
            .events()
            .is_empty(),
        "empty result publishes nothing"
    );
}

#[test]
fn error_topic() {
    let rt =
        ResponseTemplate::compile(None, None, None, false, Default::default()).expect("compiles");
    let r = rt
        .render_error(
            &EventScope::new(vars("demo")),
            "error status 404 from requestb.in",
        )
        .expect("renders");
    assert_eq!(
        r.events(),
        vec![(
            "hook-error/demo/0".to_owned(),
            "error status 404 from requestb.in"
        )]
    );
}

#[test]
fn chunks_are_512_bytes_named_by_index_and_never_split_characters() {
    let rt =
        ResponseTemplate::compile(None, None, None, false, Default::default()).expect("compiles");
    // 511 ASCII bytes, then 'é' (2 bytes) straddling byte 512, then more.
    let body = format!("{}é{}", "a".repeat(511), "b".repeat(600));
    let r = rt
        .render(&EventScope::new(vars("big")), &body)
        .expect("renders");
    let events = r.events();
    assert_eq!(events.len(), 3);
    assert_eq!(events[0].0, "hook-response/big/0");
    assert_eq!(events[2].0, "hook-response/big/2");
    assert_eq!(events[0].1.len(), 511);
    assert!(events[1].1.starts_with('é'));
    assert!(events.iter().all(|(_, d)| d.len() <= CHUNK_BYTES));
    assert_eq!(events.iter().map(|(_, d)| *d).collect::<String>(), body);
}

#[test]
fn output_past_100_kib_is_dropped() {
    let rt =
        ResponseTemplate::compile(None, None, None, false, Default::default()).expect("compiles");
    let body = "€".repeat(40_000); // 120,000 bytes
    let r = rt
        .render(&EventScope::new(vars("big")), &body)
        .expect("renders");
    assert!(r.truncated);
    assert!(r.data.len() <= RESPONSE_CAP_BYTES && r.data.len() > RESPONSE_CAP_BYTES - 3);
    assert!(body.starts_with(&r.data));
    assert_eq!(
        r.events().len(),
        RESPONSE_CAP_BYTES.div_ceil(CHUNK_BYTES - 2)
    );
    let small = rt
        .render(&EventScope::new(vars("s")), "ok")
        .expect("renders");
    assert!(!small.truncated);
}

#[test]
fn unchunked_is_one_event() {
    let rt =
        ResponseTemplate::compile(None, None, None, true, Default::default()).expect("compiles");
    let body = "x".repeat(2000);
    let r = rt
        .render(&EventScope::new(vars("u")), &body)
        .expect("renders");
    assert_eq!(
        r.events(),
        vec![("hook-response/u/0".to_owned(), body.as_str())]
    );
}
