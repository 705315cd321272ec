//! Property tests: no template and no data make rendering panic; an event's prepared data renders
//! exactly as the same data given as a plain `Value`; chunking always reassembles.

use particle_template::{
    CHUNK_BYTES, Escaping, EventScope, EventVars, Limits, Scope, Template, chunks,
};
use proptest::prelude::*;
use serde_json::{Value, json};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        // Zeros, `-0` and short decimals: the numbers whose truthiness and text have edge cases.
        (-2i64..3).prop_map(Value::from),
        prop::sample::select(vec![0.0, -0.0, 0.5, 20.0, 1e21, 1.5e-7]).prop_map(Value::from),
        "[a-c.0-9 é<&\"]{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map("[abc]|[a-c0-2.]{1,2}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Well-formed templates over the names the data generator uses: every one compiles, so each case
/// exercises lookups, sections, inverted sections, escaping and value-to-text.
fn names_template() -> impl Strategy<Value = String> {
    let name = prop::sample::select(vec![
        "a",
        "b",
        "c",
        ".",
        "a.b",
        "b.0",
        "b.1",
        "a.length",
        "b.length",
        "c.a",
        "0",
        "a.b.c",
        "PARTICLE_EVENT_VALUE",
    ]);
    let tag = prop_oneof![
        name.clone().prop_map(|n| ["{{", n, "}}"].concat()),
        name.clone().prop_map(|n| ["{{{", n, "}}}"].concat()),
        prop::sample::select(vec!["x", ",", "\n"]).prop_map(String::from),
    ];
    let block = tag.prop_recursive(3, 32, 4, move |inner| {
        (
            prop::sample::select(vec!["#", "^"]),
            name.clone(),
            prop::collection::vec(inner, 0..4),
        )
            .prop_map(|(kind, n, body)| {
                ["{{", kind, n, "}}", &body.concat(), "{{/", n, "}}"].concat()
            })
    });
    prop::collection::vec(block, 0..6).prop_map(|v| v.concat())
}

/// Templates built from Mustache fragments, so tags, sections, partials and delimiter changes
/// collide in every order (plain random strings rarely form tags).
fn template() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("{{"),
        Just("}}"),
        Just("{{{"),
        Just("}}}"),
        Just("{{#a}}"),
        Just("{{^a}}"),
        Just("{{/a}}"),
        Just("{{#b.0}}"),
        Just("{{/b.0}}"),
        Just("{{.}}"),
        Just("{{a.b.c}}"),
        Just("{{&c}}"),
        Just("{{>p}}"),
        Just("{{>*a}}"),
        Just("{{! x }}"),
        Just("{{=<% %>=}}"),
        Just("<%a%>"),
        Just("<%={{ }}=%>"),
        Just("{{="),
        Just("#"),
        Just("a"),
        Just(" "),
        Just("  "),
        Just("\n"),
        Just("\r\n"),
        Just("é"),
        Just("{{PARTICLE_EVENT_VALUE}}"),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

fn small_limits() -> Limits {
    Limits {
        max_output_bytes: 64 * 1024,
        max_steps: 100_000,
        max_partial_depth: 8,
        ..Limits::DEFAULT
    }
}

fn render_all(src: &str, partial: &str, data: &Value) {
    let partials = [("p", partial), ("a", src)];
    if let Ok(t) = Template::compile_with(src, &partials, small_limits()) {
        let _ = t.render(Scope::value(data));
        let text = data.to_string();
        let vars = EventVars {
            name: "e",
            data: &text,
            coreid: "c",
            published_at: "t",
            ..EventVars::default()
        };
        let _ = t.render(&EventScope::new(vars));
        let _ = t.render_typed(Scope::value(data));
    }
}

/// Renders `t` over an event carrying `data` and over the plain value an event stands for (the
/// data's keys plus the predefined variables), and asserts both give the same result: the
/// prepared layout (`EventScope`) and the `serde_json::Value` path must agree on every rule.
fn assert_prepared_matches_plain(t: &Template, data: Value) -> Result<(), TestCaseError> {
    let vars = EventVars {
        name: "e",
        data: "d",
        coreid: "c",
        published_at: "t",
        ..EventVars::default()
    };
    let mut plain = data.clone();
    if let Value::Object(m) = &mut plain {
        for (name, v) in [
            ("PARTICLE_EVENT_NAME", "e"),
            ("SPARK_EVENT_NAME", "e"),
            ("PARTICLE_EVENT_VALUE", "d"),
            ("SPARK_EVENT_VALUE", "d"),
            ("PARTICLE_DEVICE_ID", "c"),
            ("SPARK_CORE_ID", "c"),
            ("PARTICLE_PUBLISHED_AT", "t"),
            ("SPARK_PUBLISHED_AT", "t"),
        ] {
            m.insert(name.into(), json!(v));
        }
    }
    let event = EventScope::with_data(vars, Some(data));
    for escaping in [Escaping::Html, Escaping::JsonString] {
        let prepared = t
            .render_with(event.scope(), escaping)
            .map_err(|e| e.to_string());
        let direct = t
            .render_with(Scope::value(&plain), escaping)
            .map_err(|e| e.to_string());
        prop_assert_eq!(prepared, direct);
    }
    prop_assert_eq!(
        t.render_typed(event.scope()),
        t.render_typed(Scope::value(&plain))
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn prepared_matches_plain_on_names(src in names_template(), data in json_value(), other in json_value()) {
        let t = Template::compile_with(&src, &[] as &[(&str, &str)], small_limits())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let data = if data.is_object() { data } else { json!({ "a": data, "b": other }) };
        assert_prepared_matches_plain(&t, data)?;
    }

    #[test]
    fn prepared_matches_plain(src in template(), partial in template(), data in json_value(), other in json_value()) {
        let partials = [("p", partial.as_str()), ("a", src.as_str())];
        if let Ok(t) = Template::compile_with(&src, &partials, small_limits()) {
            // Event data becomes variables only as an object; wrap anything else.
            let data = if data.is_object() { data } else { json!({ "a": data, "b": other }) };
            assert_prepared_matches_plain(&t, data)?;
        }
    }

    #[test]
    fn rendering_never_panics_on_fragment_templates(src in template(), partial in template(), data in json_value()) {
        render_all(&src, &partial, &data);
    }

    #[test]
    fn rendering_never_panics_on_arbitrary_strings(src in any::<String>(), data in json_value()) {
        render_all(&src, "", &data);
    }

    #[test]
    fn chunks_reassemble_and_fit(s in any::<String>(), max in 1usize..600) {
        let parts: Vec<&str> = chunks(&s, max).collect();
        prop_assert_eq!(parts.concat(), s.clone());
        for p in &parts {
            prop_assert!(!p.is_empty());
            prop_assert!(p.len() <= max || p.chars().count() == 1);
        }
        let parts: Vec<&str> = chunks(&s, CHUNK_BYTES).collect();
        prop_assert_eq!(parts.concat(), s.clone());
        prop_assert!(parts.iter().all(|p| p.len() <= CHUNK_BYTES));
        // Every chunk but the last is within 3 bytes of full (only a split character shortens it).
        if let Some((_, head)) = parts.split_last() {
            prop_assert!(head.iter().all(|p| p.len() > CHUNK_BYTES - 4));
        }
    }

    #[test]
    fn numbers_print_like_ryu_js(bits in any::<u64>(), m in 0u64..10_000_000_000_000_000, k in 0i32..20) {
        // Random doubles and random short decimals: our text must be ECMAScript's.
        for f in [f64::from_bits(bits), m as f64 / 10f64.powi(k), -(m as f64) / 10f64.powi(k)] {
            let v = serde_json::Number::from_f64(f).map(Value::Number);
            if let Some(v) = v {
                let t = Template::compile("{{n}}").map_err(|e| TestCaseError::fail(e.to_string()))?;
                let data = serde_json::json!({ "n": v });
                let got = t.render(Scope::value(&data)).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(got, ryu_js::Buffer::new().format(f).to_owned());
            }
        }
    }

    #[test]
    fn long_multibyte_strings_chunk_on_boundaries(reps in 1usize..400, prefix in 0usize..8) {
        let s = format!("{}{}", "x".repeat(prefix), "é€😀".repeat(reps));
        let parts: Vec<&str> = chunks(&s, CHUNK_BYTES).collect();
        prop_assert_eq!(parts.concat(), s.clone());
        prop_assert!(parts.iter().all(|p| p.len() <= CHUNK_BYTES));
    }
}
